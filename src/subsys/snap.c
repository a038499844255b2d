/* The snapshot subsystem's front door (see subsys/snap.h). */
#include "subsys/snap.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/tz.h"
#include "config/zfs_config.h"
#include "plan/mounts.h"
#include "state/zfs_state.h"
#include "subsys/table.h"
#include "util/strbuf.h"

struct door {
	struct snap_config cfg;
	struct tz_zone *zones;
	struct snap_state st;
	struct snap_view view;
	struct repl_config repl;
	struct repl_view rview;
};

/* Each local replication target with a policy is pruned by it, like a dataset entry with "snapshots". */
static void add_target_policies(struct snap_config *cfg, const struct repl_config *rc)
{
	for (size_t i = 0; i < rc->n_jobs; i++) {
		const struct repl_job *j = &rc->jobs[i];
		const struct snap_policy *p = j->policy ? snap_config_policy(cfg, j->policy) : NULL;
		const char *slash = strchr(j->target, '/');
		if (!p || j->node || !slash)
			continue;
		cfg->datasets = xrealloc(cfg->datasets, (cfg->n_datasets + 1) * sizeof(*cfg->datasets));
		struct snap_dataset_cfg *d = &cfg->datasets[cfg->n_datasets++];
		memset(d, 0, sizeof(*d));
		d->config_index = (size_t)-1;
		d->pool = xstrndup(j->target, (size_t)(slash - j->target));
		d->dataset = xstrdup(slash + 1);
		d->policy = xstrdup(j->policy);
		d->policy_index = (size_t)(p - cfg->policies);
		d->policy_known = true;
		d->jpath = xasprintf("%s.policy", j->jpath);
	}
}

/*
 * A job whose target is on this node is run by the node that holds the
 * source, and so is one whose source is on other nodes (here: this node's
 * zfs view, NULL: every source is here): this one leaves them.
 */
static void drop_incoming(struct repl_config *rc, const char *node, const struct zfs_config *here)
{
	size_t k = 0;
	for (size_t i = 0; i < rc->n_jobs; i++) {
		struct repl_job *j = &rc->jobs[i];
		if ((j->node && node && !strcmp(j->node, node)) || (here && zfs_config_away(here, j->source))) {
			repl_job_free(j);
			continue;
		}
		rc->jobs[k++] = *j;
	}
	rc->n_jobs = k;
}

/* The sides: this host, then each node a target is on, with its transport. */
static void make_sides(struct door *d)
{
	struct repl_view *v = &d->rview;
	v->cfg = &d->repl;
	v->sides = xcalloc(d->repl.n_jobs + 1, sizeof(*v->sides));
	v->n_sides = 1;
	for (size_t i = 0; i < d->repl.n_jobs; i++) {
		const struct repl_job *j = &d->repl.jobs[i];
		if (!j->node)
			continue;
		bool seen = false;
		for (size_t k = 1; k < v->n_sides; k++)
			seen |= !strcmp(v->sides[k].node, j->node);
		if (seen)
			continue;
		struct repl_side *s = &v->sides[v->n_sides++];
		s->node = xstrdup(j->node);
		sv_push(&s->transport, "ssh");
		sv_push(&s->transport, "-o");
		sv_push(&s->transport, "BatchMode=yes");
		sv_pushf(&s->transport, "root@%s", j->address);
	}
}

static struct repl_side *side_of(struct repl_view *v, const char *node)
{
	for (size_t k = 1; node && k < v->n_sides; k++)
		if (!strcmp(v->sides[k].node, node))
			return &v->sides[k];
	return &v->sides[0];
}

static int snap_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct door *d = xcalloc(1, sizeof(*d));
	*priv = d;
	const json_t *zfs = ctx->main.root ? json_object_get(ctx->main.root, "zfs") : NULL;
	int rc = snap_config_parse(&ctx->main, json_is_object(zfs) ? zfs : NULL, &d->cfg, dl);
	if (snap_config_check_zones(&ctx->main, &d->cfg, NULL, dl))
		rc = -1;
	d->zones = xcalloc(d->cfg.n_policies ? d->cfg.n_policies : 1, sizeof(*d->zones));
	for (size_t i = 0; i < d->cfg.n_policies; i++) {
		char *why = NULL;
		if (tz_load(snap_policy_timezone(&d->cfg.policies[i]), NULL, &d->zones[i], &why)) {
			free(why);   /* reported by snap_config_check_zones; UTC stands in */
			tz_zone_utc(&d->zones[i]);
		}
	}
	if (repl_config_parse(&ctx->main, &d->cfg, &d->repl, dl))
		rc = -1;
	for (size_t i = 0; i < d->repl.n_jobs; i++)
		sv_push(&d->rview.known_ids, d->repl.jobs[i].id);
	const struct zfs_config *here = ctx->zfs ? ctx->zfs->cfg : NULL;
	drop_incoming(&d->repl, ctx->node, here);
	add_target_policies(&d->cfg, &d->repl);
	/* snapshots and pruning of datasets on other nodes are theirs */
	for (size_t i = 0; here && i < d->cfg.n_datasets; i++) {
		struct snap_dataset_cfg *e = &d->cfg.datasets[i];
		if (e->pool) {
			char *full = xasprintf("%s/%s", e->pool, e->dataset);
			e->away = zfs_config_away(here, full) != NULL;
			free(full);
		}
	}
	make_sides(d);
	d->view.cfg = &d->cfg;
	ctx->snapshots = &d->cfg;
	d->view.zones = d->zones;
	d->view.st = &d->st;
	return rc;
}

/* The datasets of every entry with a policy (full names). */
static void policy_roots(const struct snap_config *cfg, struct strvec *out)
{
	for (size_t i = 0; i < cfg->n_datasets; i++) {
		const struct snap_dataset_cfg *e = &cfg->datasets[i];
		if (!e->none && !e->away && e->policy_known && e->pool)
			sv_pushf(out, "%s/%s", e->pool, e->dataset);
	}
}

static int snap_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	struct door *d = priv;
	/* plan and status: the zfs door read this ZFS's `zfs get` usage already (one program less) */
	const struct zfs_state *zst = ctx->zfs ? ctx->zfs->st : NULL;
	if (!d->st.caps_read && zst && zst->caps.known) {
		d->st.get_types = zst->caps.get_types;
		d->st.has_clones = zfs_caps_has_prop(&zst->caps, "clones");
		d->st.caps_read = true;
	}
	struct strvec roots = { 0 };
	policy_roots(&d->cfg, &roots);
	int rc = snap_state_read(&d->st, &roots, dl);
	sv_free(&roots);
	if (d->repl.n_jobs && repl_door_read(ctx, dl))
		rc = -1;
	return rc;
}

struct repl_view *repl_door_view(const struct ph_ctx *ctx)
{
	struct snap_view *v = snap_door_view(ctx);
	return v ? &((struct door *)((char *)v - offsetof(struct door, view)))->rview : NULL;
}

int repl_door_read(struct ph_ctx *ctx, struct diag_list *dl)
{
	struct repl_view *v = repl_door_view(ctx);
	if (!v)
		return -1;
	int rc = 0;
	for (size_t k = 0; k < v->n_sides; k++) {
		struct repl_side *s = &v->sides[k];
		snap_state_free(&s->st);
		s->failed = false;
		struct strvec ds = { 0 };
		for (size_t i = 0; i < v->cfg->n_jobs; i++) {
			const struct repl_job *j = &v->cfg->jobs[i];
			if (k == 0)
				sv_push(&ds, j->source);
			if (side_of(v, j->node) == s)
				sv_push(&ds, j->target);
		}
		if (!s->caps_read && repl_caps_read(&s->transport, &s->caps, dl))
			s->failed = true;
		s->caps_read = !s->failed;
		if (!s->failed && repl_state_read(&s->transport, &s->caps, &ds, &s->st, dl))
			s->failed = true;
		rc |= s->failed ? -1 : 0;
		sv_free(&ds);
	}
	return rc;
}

void repl_door_plans(const struct ph_ctx *ctx, int64_t now, bool allow_destroy, struct repl_job_plan **out,
		     size_t *n)
{
	struct repl_view *v = repl_door_view(ctx);
	*n = 0;
	*out = NULL;
	if (!v || !v->cfg->n_jobs)
		return;
	*out = xcalloc(v->cfg->n_jobs, sizeof(**out));
	for (size_t i = 0; i < v->cfg->n_jobs; i++) {
		const struct repl_job *j = &v->cfg->jobs[i];
		const struct repl_side *src = &v->sides[0], *tgt = side_of(v, j->node);
		if (src->failed || tgt->failed)
			continue;
		struct repl_plan_in in = { .job = j, .src = snap_state_find(&src->st, j->source),
					   .tgt = snap_state_find(&tgt->st, j->target), .src_caps = &src->caps,
					   .tgt_caps = &tgt->caps, .transport = &tgt->transport, .prog = zfs_prog(),
					   .now = now, .allow_destroy = allow_destroy };
		repl_plan_build(&in, &(*out)[(*n)++]);
	}
}

static bool known_id(const struct strvec *ids, const char *id, size_t len)
{
	for (size_t i = 0; i < ids->n; i++)
		if (strlen(ids->v[i]) == len && !strncmp(ids->v[i], id, len))
			return true;
	return false;
}

/* Adds the pool of dataset name (its part before the first '/') to pools unless it is there; NULL: nothing. */
static void add_pool(struct strvec *pools, const char *name)
{
	if (!name)
		return;
	size_t len = strcspn(name, "/");
	for (size_t q = 0; q < pools->n; q++)
		if (strlen(pools->v[q]) == len && !strncmp(pools->v[q], name, len))
			return;
	sv_pushf(pools, "%.*s", (int)len, name);
}

int repl_door_stale(const struct ph_ctx *ctx, struct repl_stale **out, size_t *n, struct diag_list *dl)
{
	*out = NULL;
	*n = 0;
	struct repl_view *v = repl_door_view(ctx);
	if (!v)
		return 0;
	int rc = 0;
	for (size_t k = 0; k < v->n_sides; k++) {
		struct repl_side *s = &v->sides[k];
		if (s->failed)
			continue;
		struct strvec names = { 0 }, ids = { 0 }, want = { 0 }, wid = { 0 }, pools = { 0 };
		/* the pools this side's jobs send from or receive into; on this host also those of the
		 * datasets with snapshots (so a job removed with the last job of its pools is still seen) */
		for (size_t i = 0; i < v->cfg->n_jobs; i++) {
			const struct repl_job *j = &v->cfg->jobs[i];
			add_pool(&pools, k == 0 ? j->source : NULL);
			add_pool(&pools, side_of(v, j->node) == s ? j->target : NULL);
		}
		const struct snap_config *sc = ctx->snapshots;
		for (size_t i = 0; k == 0 && sc && i < sc->n_datasets; i++)
			add_pool(&pools, sc->datasets[i].pool);
		if (!s->caps_read && repl_caps_read(&s->transport, &s->caps, dl)) {
			rc = -1;
			continue;
		}
		s->caps_read = true;
		if (repl_ids_read(&s->transport, &pools, &names, &ids, dl))
			rc = -1;
		for (size_t i = 0; i < names.n; i++)
			for (const char *p = ids.v[i]; *p;) {
				size_t len = strcspn(p, ",");
				if (len == REPL_ID_LEN && !known_id(&v->known_ids, p, len)) {
					sv_push(&want, names.v[i]);
					sv_pushf(&wid, "%.*s", (int)len, p);
				}
				p += len + (p[len] == ',');
			}
		struct snap_state st = { 0 };
		if (want.n && repl_state_read(&s->transport, &s->caps, &want, &st, dl))
			rc = -1;
		for (size_t i = 0; i < want.n; i++) {
			const struct snap_ds *ds = snap_state_find(&st, want.v[i]);
			if (!ds)
				continue;
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			repl_stale_build(s->node, ds, wid.v[i], &s->transport, zfs_prog(), &(*out)[(*n)++]);
		}
		snap_state_free(&st);
		sv_free(&names);
		sv_free(&ids);
		sv_free(&want);
		sv_free(&wid);
		sv_free(&pools);
	}
	return rc;
}

void repl_door_protect(const struct ph_ctx *ctx, struct snap_protect **out, size_t *n)
{
	struct repl_job_plan *pl;
	size_t np;
	repl_door_plans(ctx, 0, false, &pl, &np);
	*out = xcalloc(np + 1, sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < np; i++) {
		if (pl[i].base)
			(*out)[(*n)++] = (struct snap_protect){ pl[i].base_guid, pl[i].job->target };
		repl_job_plan_free(&pl[i]);
	}
	free(pl);
}

int snap_door_reread(struct ph_ctx *ctx, struct diag_list *dl)
{
	struct snap_view *v = snap_door_view(ctx);
	if (!v)
		return -1;
	struct door *d = (struct door *)((char *)v - offsetof(struct door, view));
	struct snap_state keep = d->st;
	d->st.v = NULL;
	d->st.n = d->st.cap = 0;
	snap_state_free(&keep);   /* the datasets; the caps stay */
	return snap_discover(ctx, d, dl);
}

/* plan: the jobs a `run` now would do, as information lines (no action, no exit status). */
static void snap_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	(void)ctx;
	struct door *d = priv;
	int64_t now = ctx->now ? (int64_t)ctx->now : (int64_t)time(NULL);
	struct repl_job_plan *rp;
	size_t nrp;
	repl_door_plans(ctx, now, ctx->allow_destroy, &rp, &nrp);
	for (size_t i = 0; i < nrp; i++) {
		char *line = repl_plan_line(&rp[i]);
		sv_push(&p->info, line);
		free(line);
		repl_job_plan_free(&rp[i]);
	}
	free(rp);
	if (!d->st.n)
		return;
	struct snap_protect *prot;
	size_t nprot;
	repl_door_protect(ctx, &prot, &nprot);
	struct snap_plan_in in = { .cfg = &d->cfg, .zones = d->zones, .st = &d->st, .now = time(NULL),
				   .prog = "zfs", .take = true, .prune = true, .prot = prot, .n_prot = nprot };
	struct snap_jobs j;
	snap_plan_build(&in, &j);
	for (size_t i = 0; i < j.taken.n; i++)
		sv_pushf(&p->info, "take %s", j.taken.v[i]);
	for (size_t i = 0; i < j.n; i++)
		if (j.v[i].destroy_names.n)
			sv_pushf(&p->info, "destroy %zu snapshot%s of %s", j.v[i].destroy_names.n,
				 j.v[i].destroy_names.n == 1 ? "" : "s", j.v[i].dataset);
	if (j.n_held_back)
		sv_pushf(&p->info, "%zu destroy%s held back by the policy-change guard (run --prune --allow-destroy)",
			 j.n_held_back, j.n_held_back == 1 ? "" : "s");
	snap_jobs_free(&j);
	free(prot);
}

/* The time of our snapshot name (0 when it is not ours). */
static int64_t name_time(const char *name)
{
	int64_t t = 0;
	enum snap_class c;
	return name && !snap_name_parse(name, &t, &c) ? t : 0;
}

/* status: each replication's state, its last success and its lag (now - the base's time). */
static void repl_status(struct ph_ctx *ctx, json_t *out, FILE *text)
{
	int64_t now = ctx->now ? (int64_t)ctx->now : (int64_t)time(NULL);
	struct repl_view *v = repl_door_view(ctx);
	struct repl_job_plan *rp;
	size_t nrp;
	repl_door_plans(ctx, now, false, &rp, &nrp);
	if (!v || !v->cfg->n_jobs)
		return;
	json_t *arr = json_array();
	if (text)
		fprintf(text, "Replication:\n");
	for (size_t i = 0; i < nrp; i++) {
		const struct repl_job_plan *p = &rp[i];
		const struct repl_side *tgt = p->job->node ? NULL : &v->sides[0];
		for (size_t k = 1; p->job->node && k < v->n_sides; k++)
			if (!strcmp(v->sides[k].node, p->job->node))
				tgt = &v->sides[k];
		const struct snap_ds *td = tgt ? snap_state_find(&tgt->st, p->job->target) : NULL;
		int64_t last = td ? td->repl_last : 0, base_t = name_time(p->base);
		const char *state = p->status == REPL_BEHIND && !p->resume ? "behind" : repl_status_name(p->status);
		json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:I, s:s?}", "source", p->job->source, "target", p->job->target,
				      "node", p->job->node, "state", state, "behind", (json_int_t)p->behind, "base", p->base);
		json_object_set_new(o, "last_success", last ? json_integer(last) : json_null());
		json_object_set_new(o, "lag_seconds", base_t ? json_integer(now - base_t) : json_null());
		json_array_append_new(arr, o);
		if (text) {
			char lag[32] = "-", ago[32] = "never";
			if (base_t)
				snap_age_format(now - base_t, lag, sizeof(lag));
			if (last) {
				snap_age_format(now - last, ago, sizeof(ago));
				strncat(ago, " ago", sizeof(ago) - strlen(ago) - 1);
			}
			char *line = repl_plan_line(p);
			fprintf(text, "  %s\n    lag %s, last success %s\n", line + strlen("replicate "), lag, ago);
			free(line);
		}
	}
	for (size_t i = 0; i < nrp; i++)
		repl_job_plan_free(&rp[i]);
	free(rp);
	json_object_set_new(out, "replication", arr);
}

/*
 * status: per covered dataset, its policy, the newest snapshot of each class
 * with its age (", due" when the class is due), how many snapshots the
 * retention would destroy now, and a clock skew (one of our names after now),
 * all at ctx->now.
 */
static void snap_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	struct door *d = priv;
	if (d && d->repl.n_jobs)
		repl_status(ctx, out, text);
	if (!d || !d->cfg.n_datasets)
		return;
	int64_t now = ctx->now ? (int64_t)ctx->now : (int64_t)time(NULL);
	struct snap_plan_in in = { .cfg = &d->cfg, .zones = d->zones, .st = &d->st, .now = now,
				   .prog = "zfs", .prune = true };
	struct snap_jobs j;
	snap_plan_build(&in, &j);
	json_t *arr = json_array();
	if (text && j.n)
		fprintf(text, "Snapshots:\n");
	for (size_t i = 0; i < j.n; i++) {
		const struct snap_target *t = &j.v[i];
		json_t *o = json_pack("{s:s, s:s, s:b}", "dataset", t->dataset, "policy", t->policy->name,
				      "exists", t->ds != NULL);
		json_t *newest = json_object();
		if (text)
			fprintf(text, "  %-36s policy %s%s\n", t->dataset, t->policy->name, t->ds ? "" : " (missing)");
		for (int c = 0; t->ds && c < SNAP_NCLASSES; c++) {
			if (!t->policy->keep[c])
				continue;
			if (!t->due.has_newest[c]) {
				json_object_set_new(newest, snap_class_name(c), json_null());
				if (text)
					fprintf(text, "    %-8s none\n", snap_class_name(c));
				continue;
			}
			char name[SNAP_NAME_MAX], age[32];
			snap_name_format(t->due.newest[c], c, name, sizeof(name));
			bool future = t->due.newest[c] > now;
			snap_age_format(future ? t->due.newest[c] - now : now - t->due.newest[c], age, sizeof(age));
			json_object_set_new(newest, snap_class_name(c),
					    json_pack("{s:s, s:I}", "name", name, "age_seconds",
						      (json_int_t)(now - t->due.newest[c])));
			if (text)
				fprintf(text, "    %-8s %s (%s %s)%s\n", snap_class_name(c), name, age,
					future ? "in the future: clock skew" : "ago", t->due.due[c] ? ", due" : "");
		}
		json_object_set_new(o, "newest", newest);
		if (t->ds) {
			json_object_set_new(o, "prune_pending", json_integer((json_int_t)t->ret.n_destroy));
			json_object_set_new(o, "clock_skew", json_boolean(t->due.clock_skew));
			if (text && t->ret.n_destroy)
				fprintf(text, "    prune    %zu snapshot%s the retention no longer keeps\n", t->ret.n_destroy,
					t->ret.n_destroy == 1 ? "" : "s");
		}
		json_array_append_new(arr, o);
	}
	json_object_set_new(out, "snapshots", arr);
	snap_jobs_free(&j);
}

static void snap_free(void *priv)
{
	struct door *d = priv;
	if (!d)
		return;
	for (size_t i = 0; i < d->cfg.n_policies; i++)
		tz_zone_free(&d->zones[i]);
	free(d->zones);
	snap_config_free(&d->cfg);
	snap_state_free(&d->st);
	for (size_t k = 0; k < d->rview.n_sides; k++) {
		free(d->rview.sides[k].node);
		sv_free(&d->rview.sides[k].transport);
		snap_state_free(&d->rview.sides[k].st);
	}
	free(d->rview.sides);
	sv_free(&d->rview.known_ids);
	repl_config_free(&d->repl);
	free(d);
}

/* The policies cover the datasets of the zfs section: its view and its state come first. */
static const char *const needs[] = { "zfs", NULL };

const struct subsystem snap_subsystem = {
	.name = "snapshots",
	.needs = needs,
	.load = snap_load,
	.discover = snap_discover,
	.plan = snap_plan,
	.status = snap_status,
	.free = snap_free,
};

static const struct subsystem *const snap_only[] = { &snap_subsystem };
const struct subsystem_table snap_subsystems = { snap_only, 1 };

struct snap_view *snap_door_view(const struct ph_ctx *ctx)
{
	for (size_t i = 0; ctx->subsystems && i < ctx->subsystems->n; i++)
		if (ctx->subsystems->v[i] == &snap_subsystem && ctx->priv[i])
			return &((struct door *)ctx->priv[i])->view;
	return NULL;
}
