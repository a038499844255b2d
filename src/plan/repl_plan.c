/* One replication job's plan (see repl_plan.h). */
#include "plan/repl_plan.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/snap_name.h"

void repl_hold_tag(const char *id, char *out, size_t len)
{
	snprintf(out, len, REPL_HOLD_PREFIX "%s", id);
}

const char *repl_status_name(enum repl_status s)
{
	switch (s) {
	case REPL_NEVER: return "never run";
	case REPL_IN_SYNC: return "in sync";
	case REPL_BEHIND: return "behind";
	case REPL_DIVERGED: return "diverged";
	case REPL_NO_SOURCE: return "no source";
	case REPL_NO_SNAPSHOT: return "no snapshot";
	case REPL_REFUSED: return "refused";
	}
	return "?";
}

static bool ours(const char *name)
{
	int64_t t;
	enum snap_class c;
	return snap_name_parse(name, &t, &c) == 0;
}

static int by_txg(const void *a, const void *b, void *arg)
{
	const struct snap_info *base = arg;
	const struct snap_info *x = &base[*(const size_t *)a], *y = &base[*(const size_t *)b];
	if (x->createtxg != y->createtxg)
		return x->createtxg < y->createtxg ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Indices of d's snapshots sorted by createtxg (then name). Caller frees. */
static size_t *txg_order(const struct snap_ds *d)
{
	size_t *o = xcalloc(d->n + 1, sizeof(*o));
	for (size_t i = 0; i < d->n; i++)
		o[i] = i;
	qsort_r(o, d->n, sizeof(*o), by_txg, d->s);
	return o;
}

static const struct snap_info *by_guid(const struct snap_ds *d, uint64_t guid)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (d->s[i].guid == guid)
			return &d->s[i];
	return NULL;
}

bool repl_ids_has(const char *ids, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = ids; p && *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, id, n))
			return true;
		p += k + (p[k] == ',');
	}
	return false;
}

static struct repl_cmd *add_after(struct repl_job_plan *p, enum repl_tolerate t)
{
	p->after = xrealloc(p->after, (p->n_after + 1) * sizeof(*p->after));
	struct repl_cmd *c = &p->after[p->n_after++];
	memset(c, 0, sizeof(*c));
	c->tolerate = t;
	return c;
}

/* A target-side command: argv (NULL-terminated) through the transport. */
static void target_cmd(const struct repl_plan_in *in, struct strvec *out, const char *const argv[])
{
	repl_transport_argv(in->transport, argv, out);
}

static const char *tprog(const struct repl_plan_in *in)
{
	return in->transport && in->transport->n ? "zfs" : in->prog;
}

static void add_step(struct repl_job_plan *p, const struct repl_plan_in *in, const char *from, const char *to,
		     bool big_i, size_t n_snaps, const char *token)
{
	p->steps = xrealloc(p->steps, (p->n_steps + 1) * sizeof(*p->steps));
	struct repl_step *s = &p->steps[p->n_steps++];
	memset(s, 0, sizeof(*s));
	s->from = from ? xstrdup(from) : NULL;
	s->to = to ? xstrdup(to) : NULL;
	s->n_snaps = n_snaps;
	sv_push(&s->send, in->prog);
	sv_push(&s->send, "send");
	if (token) {
		sv_push(&s->send, "-t");
		sv_push(&s->send, token);
	} else {
		if (strcmp(p->flags, "none"))
			sv_pushf(&s->send, "-%s", p->flags);
		if (from) {
			sv_push(&s->send, big_i ? "-I" : "-i");
			sv_pushf(&s->send, "@%s", from);
		}
		sv_pushf(&s->send, "%s@%s", in->job->source, to);
	}
	for (size_t i = 0; in->src_caps->send_estimate && i < s->send.n; i++) {
		sv_push(&s->estimate, s->send.v[i]);
		if (i == 1)
			sv_push(&s->estimate, "-nvP");
	}
	const struct repl_caps *tc = in->tgt_caps;
	struct strvec r = { 0 };
	sv_push(&r, tprog(in));
	sv_push(&r, "receive");
	if (tc->recv_unmounted)
		sv_push(&r, "-u");
	if (tc->recv_resumable)
		sv_push(&r, "-s");
	if (tc->recv_props && !token) {
		sv_push(&r, "-o");
		sv_push(&r, "readonly=on");
		sv_push(&r, "-o");
		sv_push(&r, "canmount=noauto");
		if (!from) {
			sv_push(&r, "-o");
			sv_pushf(&r, REPL_FLAGS_PROP "=%s", p->flags);
		}
		sv_push(&r, "-x");
		sv_push(&r, "mountpoint");
		sv_push(&r, "-x");
		sv_push(&r, "phoenix:managed");
	}
	sv_push(&r, in->job->target);
	target_cmd(in, &s->recv, sv_argv(&r));
	sv_free(&r);
}

/* The flags of the first send: raw for an encrypted source, else what this ZFS has of -L -c -e. */
static char *first_flags(const struct repl_plan_in *in)
{
	if (in->src->encrypted)
		return xstrdup("w");
	char f[8] = { 0 };
	size_t n = 0;
	if (in->src_caps->send_large && in->tgt_caps->send_large)
		f[n++] = 'L';
	if (in->src_caps->send_compressed && in->tgt_caps->send_compressed)
		f[n++] = 'c';
	if (in->src_caps->send_embedded && in->tgt_caps->send_embedded)
		f[n++] = 'e';
	return xstrdup(n ? f : "none");
}

/* Steps from base (index into ord, or -1: full send of our oldest) to our newest. */
static void plan_steps(struct repl_job_plan *p, const struct repl_plan_in *in, const size_t *ord, long base)
{
	const struct snap_ds *s = in->src;
	long first_ours = -1, last_ours = -1;
	for (size_t k = 0; k < s->n; k++)
		if (ours(s->s[ord[k]].name)) {
			if (first_ours < 0)
				first_ours = (long)k;
			last_ours = (long)k;
		}
	long from = base;
	if (base < 0) {
		add_step(p, in, NULL, s->s[ord[first_ours]].name, false, 1, NULL);
		from = first_ours;
	}
	if (from >= last_ours)
		return;
	bool all_ours = true;
	size_t n_ours = 0;
	for (long k = from + 1; k <= last_ours; k++) {
		bool o = ours(s->s[ord[k]].name);
		all_ours &= o;
		n_ours += o;
	}
	if (all_ours) {
		add_step(p, in, s->s[ord[from]].name, s->s[ord[last_ours]].name, true, n_ours, NULL);
		return;
	}
	long prev = from;
	for (long k = from + 1; k <= last_ours; k++) {
		if (!ours(s->s[ord[k]].name))
			continue;
		add_step(p, in, s->s[ord[prev]].name, s->s[ord[k]].name, false, 1, NULL);
		prev = k;
	}
}

/* The commands after success: settings zfs-fuse could not give at receive, holds moved, the time. */
static void plan_after(struct repl_job_plan *p, const struct repl_plan_in *in, bool first)
{
	const char *tgt = in->job->target;
	const char *zfs = tprog(in);
	/* a resumed receive takes no -o: its settings come after it, as on zfs-fuse */
	if (first && (!in->tgt_caps->recv_props || p->resume)) {
		char *flags = xasprintf(REPL_FLAGS_PROP "=%s", p->flags);
		const char *sets[][5] = { { zfs, "set", "readonly=on", tgt, NULL },
					  { zfs, "set", "canmount=noauto", tgt, NULL },
					  { zfs, "set", flags, tgt, NULL } };
		for (size_t i = 0; i < 3; i++)
			target_cmd(in, &add_after(p, REPL_T_NONE)->argv, sets[i]);
		const char *um[] = { zfs, "unmount", tgt, NULL };
		target_cmd(in, &add_after(p, REPL_T_NOT_MOUNTED)->argv, um);
		free(flags);
	}
	char tag[64];
	repl_hold_tag(in->job->id, tag, sizeof(tag));
	const char *newest = p->newest;
	char *src_new = xasprintf("%s@%s", in->job->source, newest);
	char *tgt_new = xasprintf("%s@%s", tgt, newest);
	/* the new base is held first, on both sides; then the tag leaves every other snapshot */
	const struct snap_info *sn = NULL, *tn = NULL;
	for (size_t i = 0; i < in->src->n; i++)
		if (!strcmp(in->src->s[i].name, newest))
			sn = &in->src->s[i];
	tn = sn && in->tgt ? by_guid(in->tgt, sn->guid) : NULL;
	bool in_sync = !p->n_steps;
	if (!(in_sync && sn && sn->userrefs && tn && tn->userrefs)) {
		const char *h1[] = { in->prog, "hold", tag, src_new, NULL };
		sv_push(&add_after(p, REPL_T_HOLD_EXISTS)->argv, h1[0]);
		struct repl_cmd *c = &p->after[p->n_after - 1];
		for (size_t i = 1; h1[i]; i++)
			sv_push(&c->argv, h1[i]);
		const char *h2[] = { zfs, "hold", tag, tgt_new, NULL };
		target_cmd(in, &add_after(p, REPL_T_HOLD_EXISTS)->argv, h2);
	}
	/* the dataset names the jobs that hold its snapshots, so a hold outlives no job unseen */
	const char *src_ids = in->src->repl_ids, *tgt_ids = in->tgt ? in->tgt->repl_ids : NULL;
	if (!repl_ids_has(src_ids, in->job->id)) {
		char *v = xasprintf(REPL_IDS_PROP "=%s%s%s", src_ids ? src_ids : "", src_ids ? "," : "", in->job->id);
		struct repl_cmd *c = add_after(p, REPL_T_NONE);
		sv_push(&c->argv, in->prog);
		sv_push(&c->argv, "set");
		sv_push(&c->argv, v);
		sv_push(&c->argv, in->job->source);
		free(v);
	}
	if (!repl_ids_has(tgt_ids, in->job->id)) {
		char *v = xasprintf(REPL_IDS_PROP "=%s%s%s", tgt_ids ? tgt_ids : "", tgt_ids ? "," : "", in->job->id);
		const char *set[] = { zfs, "set", v, tgt, NULL };
		target_cmd(in, &add_after(p, REPL_T_NONE)->argv, set);
		free(v);
	}
	for (size_t i = 0; p->n_steps && i < in->src->n; i++) {
		const struct snap_info *x = &in->src->s[i];
		if (!x->userrefs || !strcmp(x->name, newest) || !ours(x->name))
			continue;
		char *n = xasprintf("%s@%s", in->job->source, x->name);
		struct repl_cmd *c = add_after(p, REPL_T_NO_TAG);
		sv_push(&c->argv, in->prog);
		sv_push(&c->argv, "release");
		sv_push(&c->argv, tag);
		sv_push(&c->argv, n);
		free(n);
	}
	for (size_t i = 0; p->n_steps && in->tgt && i < in->tgt->n; i++) {
		const struct snap_info *x = &in->tgt->s[i];
		if (!x->userrefs || !strcmp(x->name, newest) || !ours(x->name))
			continue;
		char *n = xasprintf("%s@%s", tgt, x->name);
		const char *rel[] = { zfs, "release", tag, n, NULL };
		target_cmd(in, &add_after(p, REPL_T_NO_TAG)->argv, rel);
		free(n);
	}
	if (p->n_steps) {
		char *last = xasprintf(REPL_LAST_PROP "=%" PRId64, in->now);
		const char *set[] = { zfs, "set", last, tgt, NULL };
		target_cmd(in, &add_after(p, REPL_T_NONE)->argv, set);
		free(last);
	}
	free(src_new);
	free(tgt_new);
}

static void refuse(struct repl_job_plan *p, enum repl_status st, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void refuse(struct repl_job_plan *p, enum repl_status st, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *why = NULL;
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	va_end(ap);
	p->status = st;
	p->why = why ? why : xstrdup("?");
	p->hint = hint ? xstrdup(hint) : NULL;
}

void repl_plan_build(const struct repl_plan_in *in, struct repl_job_plan *p)
{
	memset(p, 0, sizeof(*p));
	const struct repl_job *j = in->job;
	p->job = j;
	p->target_display = j->node ? xasprintf("%s:%s", j->node, j->target) : xstrdup(j->target);
	p->due = !in->tgt || !in->tgt->repl_last || in->now - in->tgt->repl_last >= (int64_t)j->schedule_minutes * 60;
	if (!in->src) {
		refuse(p, REPL_NO_SOURCE, "create it, or correct \"source\"", "the source %s does not exist", j->source);
		return;
	}
	size_t *ord = txg_order(in->src);
	long newest = -1;
	size_t n_ours = 0;
	for (size_t k = 0; k < in->src->n; k++)
		if (ours(in->src->s[ord[k]].name)) {
			newest = (long)k;
			n_ours++;
		}
	if (newest < 0) {
		refuse(p, REPL_NO_SNAPSHOT, "give the source a snapshot policy, or run 'phoenix-storage run --snapshot'",
		       "%s has none of our snapshots to send", j->source);
		free(ord);
		return;
	}
	p->newest = xstrdup(in->src->s[ord[newest]].name);
	if (in->tgt && in->tgt->resume_token && in->src_caps->send_resume) {
		p->resume = true;
		/* a partial first receive has no flags recorded: they are the ones its first send chose */
		p->flags = in->tgt->repl_flags ? xstrdup(in->tgt->repl_flags) : first_flags(in);
		p->status = REPL_BEHIND;
		add_step(p, in, NULL, NULL, false, 1, in->tgt->resume_token);
		const char *ab[] = { tprog(in), "receive", "-A", j->target, NULL };
		target_cmd(in, &p->abort.argv, ab);
		plan_after(p, in, !in->tgt->repl_flags);
		free(ord);
		return;
	}
	if (!in->tgt) {
		p->status = REPL_NEVER;
		p->behind = n_ours;
		p->flags = first_flags(in);
		if (in->src->encrypted && !in->src_caps->send_raw) {
			refuse(p, REPL_REFUSED, "replicate it from a ZFS that has 'zfs send -w'",
			       "%s is encrypted and this ZFS cannot send it raw (-w)", j->source);
			free(ord);
			return;
		}
		plan_steps(p, in, ord, -1);
		plan_after(p, in, true);
		free(ord);
		return;
	}
	long base = -1;
	for (long k = newest; k >= 0 && base < 0; k--) {
		const struct snap_info *x = &in->src->s[ord[k]];
		if (ours(x->name) && by_guid(in->tgt, x->guid))
			base = k;
	}
	if (base < 0) {
		if (in->tgt->n)
			refuse(p, REPL_REFUSED, "replicate to a new target, or destroy this one by hand",
			       "%s has %zu snapshot%s but none in common with %s", p->target_display, in->tgt->n,
			       in->tgt->n == 1 ? "" : "s", j->source);
		else
			refuse(p, REPL_REFUSED, "replicate to a dataset that does not exist yet (it is received whole)",
			       "%s exists and has no snapshot: a first send needs a target that does not exist",
			       p->target_display);
		free(ord);
		return;
	}
	const struct snap_info *bs = &in->src->s[ord[base]];
	const struct snap_info *bt = by_guid(in->tgt, bs->guid);
	p->base = xstrdup(bs->name);
	p->base_guid = bs->guid;
	p->flags = xstrdup(in->tgt->repl_flags ? in->tgt->repl_flags : "none");
	if (in->src->encrypted && !strchr(p->flags, 'w')) {
		refuse(p, REPL_REFUSED, "replicate to a new target: it is sent raw from the first send",
		       "%s is encrypted but its replica %s was received from plain sends; a raw send cannot continue it",
		       j->source, p->target_display);
		free(ord);
		return;
	}
	for (size_t i = 0; i < in->tgt->n; i++)
		if (in->tgt->s[i].createtxg > bt->createtxg)
			p->rollback_destroys++;
	for (long k = base + 1; k <= newest; k++)
		p->behind += ours(in->src->s[ord[k]].name);
	if (p->rollback_destroys) {
		p->status = REPL_DIVERGED;
		p->why = xasprintf("%s has %zu snapshot%s newer than the last one in common, @%s", p->target_display,
				   p->rollback_destroys, p->rollback_destroys == 1 ? "" : "s", p->base);
		char *at = xasprintf("%s@%s", j->target, p->base);
		const char *rb[] = { tprog(in), "rollback", "-r", at, NULL };
		target_cmd(in, &p->rollback.argv, rb);
		free(at);
		if (!in->allow_destroy) {
			p->held_back = true;
			free(ord);
			return;
		}
	} else {
		p->status = p->behind ? REPL_BEHIND : REPL_IN_SYNC;
	}
	plan_steps(p, in, ord, base);
	plan_after(p, in, false);
	free(ord);
}

char *repl_plan_line(const struct repl_job_plan *p)
{
	const char *src = p->job->source, *tgt = p->target_display;
	switch (p->status) {
	case REPL_NEVER:
		return xasprintf("replicate %s to %s: never run (a full send of @%s%s)", src, tgt,
				 p->n_steps ? p->steps[0].to : "?", p->n_steps > 1 ? ", then the newer ones" : "");
	case REPL_IN_SYNC:
		return xasprintf("replicate %s to %s: in sync at @%s", src, tgt, p->base);
	case REPL_BEHIND:
		if (p->resume)
			return xasprintf("replicate %s to %s: a partial receive is resumed (send -t)", src, tgt);
		return xasprintf("replicate %s to %s: %zu snapshot%s behind (@%s to @%s)", src, tgt, p->behind,
				 p->behind == 1 ? "" : "s", p->base, p->newest);
	case REPL_DIVERGED:
		return xasprintf("replicate %s to %s: diverged: %s%s", src, tgt, p->why,
				 p->held_back ? " (needs --allow-destroy)" : "");
	case REPL_NO_SOURCE:
	case REPL_NO_SNAPSHOT:
	case REPL_REFUSED:
		return xasprintf("replicate %s to %s: %s: %s", src, tgt, repl_status_name(p->status), p->why);
	}
	return xstrdup("?");
}

static void cmd_free(struct repl_cmd *c)
{
	sv_free(&c->argv);
}

void repl_job_plan_free(struct repl_job_plan *p)
{
	if (!p)
		return;
	free(p->target_display);
	free(p->base);
	free(p->newest);
	free(p->why);
	free(p->hint);
	free(p->flags);
	cmd_free(&p->rollback);
	cmd_free(&p->abort);
	for (size_t i = 0; i < p->n_steps; i++) {
		sv_free(&p->steps[i].send);
		sv_free(&p->steps[i].recv);
		sv_free(&p->steps[i].estimate);
		free(p->steps[i].from);
		free(p->steps[i].to);
	}
	free(p->steps);
	for (size_t i = 0; i < p->n_after; i++)
		cmd_free(&p->after[i]);
	free(p->after);
	memset(p, 0, sizeof(*p));
}

void repl_stale_build(const char *node, const struct snap_ds *ds, const char *id, const struct strvec *transport,
		      const char *prog, struct repl_stale *out)
{
	memset(out, 0, sizeof(*out));
	out->node = node ? xstrdup(node) : NULL;
	out->dataset = xstrdup(ds->name);
	snprintf(out->id, sizeof(out->id), "%s", id);
	const char *zfs = transport && transport->n ? "zfs" : prog;
	char tag[64];
	repl_hold_tag(id, tag, sizeof(tag));
	for (size_t i = 0; i < ds->n; i++) {
		if (!ds->s[i].userrefs || !ours(ds->s[i].name))
			continue;
		out->n_held++;
		char *n = xasprintf("%s@%s", ds->name, ds->s[i].name);
		const char *rel[] = { zfs, "release", tag, n, NULL };
		out->cmds = xrealloc(out->cmds, (out->n_cmds + 1) * sizeof(*out->cmds));
		struct repl_cmd *c = &out->cmds[out->n_cmds++];
		memset(c, 0, sizeof(*c));
		c->tolerate = REPL_T_NO_TAG;
		repl_transport_argv(transport, rel, &c->argv);
		free(n);
	}
	struct strbuf rest = STRBUF_INIT;
	sb_init(&rest);
	for (const char *p = ds->repl_ids; p && *p;) {
		size_t k = strcspn(p, ",");
		if (!(k == strlen(id) && !strncmp(p, id, k)))
			sb_addf(&rest, "%s%.*s", rest.len ? "," : "", (int)k, p);
		p += k + (p[k] == ',');
	}
	char *v = xasprintf(REPL_IDS_PROP "=%s", sb_str(&rest));
	const char *set[] = { zfs, "set", v, ds->name, NULL };
	const char *inh[] = { zfs, "inherit", REPL_IDS_PROP, ds->name, NULL };
	out->cmds = xrealloc(out->cmds, (out->n_cmds + 1) * sizeof(*out->cmds));
	struct repl_cmd *c = &out->cmds[out->n_cmds++];
	memset(c, 0, sizeof(*c));
	repl_transport_argv(transport, rest.len ? set : inh, &c->argv);
	free(v);
	sb_release(&rest);
}

void repl_stale_free(struct repl_stale *s)
{
	free(s->node);
	free(s->dataset);
	for (size_t i = 0; i < s->n_cmds; i++)
		sv_free(&s->cmds[i].argv);
	free(s->cmds);
	memset(s, 0, sizeof(*s));
}
