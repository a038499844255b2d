/* The snapshot jobs of one run (see snap_plan.h). Pure. */
#include "plan/snap_plan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static bool below_or_at(const char *name, const char *root)
{
	size_t n = strlen(root);
	return !strncmp(name, root, n) && (name[n] == '\0' || name[n] == '/');
}

/* The full dataset of entry e ("pool/name"; caller frees), NULL without a pool. */
static char *entry_root(const struct snap_dataset_cfg *e)
{
	return e->pool ? xasprintf("%s/%s", e->pool, e->dataset) : NULL;
}

/* The entry nearest at or above name (index into roots), or -1. */
static long nearest_entry(const struct strvec *roots, const char *name)
{
	long best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < roots->n; i++)
		if (roots->v[i][0] && below_or_at(name, roots->v[i]) && strlen(roots->v[i]) >= best_len) {
			best = (long)i;
			best_len = strlen(roots->v[i]);
		}
	return best;
}

static bool excluded(const struct snap_dataset_cfg *e, const char *name)
{
	for (size_t i = 0; i < e->n_exclude; i++) {
		char *x = xasprintf("%s/%s", e->pool, e->exclude[i]);
		bool hit = below_or_at(name, x);
		free(x);
		if (hit)
			return true;
	}
	return false;
}

static bool wanted(const struct strvec *only, const char *name)
{
	for (size_t i = 0; only && i < only->n; i++)
		if (below_or_at(name, only->v[i]))
			return true;
	return !only;
}

static struct snap_target *add_target(struct snap_jobs *j, const char *name, size_t entry,
				      const struct snap_policy *p, const struct snap_state *st)
{
	j->v = xrealloc(j->v, (j->n + 1) * sizeof(*j->v));
	struct snap_target *t = &j->v[j->n++];
	memset(t, 0, sizeof(*t));
	t->dataset = xstrdup(name);
	t->entry = entry;
	t->policy = p;
	t->ds = snap_state_find(st, name);
	return t;
}

static void add_call(struct snap_jobs *j, struct strvec *argv)
{
	j->take = xrealloc(j->take, (j->n_take + 1) * sizeof(*j->take));
	j->take[j->n_take++] = *argv;
	memset(argv, 0, sizeof(*argv));
}

/*
 * The due names of t as `zfs snapshot [-r] DS@n`, one call per name: ZFS takes
 * at most one snapshot of a dataset in one call (OpenZFS refuses a second
 * name of the same dataset, and with -r of its children, with EXDEV).
 */
static void take_calls(struct snap_jobs *j, const struct snap_plan_in *in, const struct snap_target *t, bool r)
{
	for (int c = 0; c < SNAP_NCLASSES; c++) {
		if (!t->due.due[c])
			continue;
		struct strvec argv = { 0 };
		sv_push(&argv, in->prog);
		sv_push(&argv, "snapshot");
		if (r)
			sv_push(&argv, "-r");
		sv_pushf(&argv, "%s@%s", t->dataset, t->due.name[c]);
		sv_pushf(&j->taken, "%s@%s", t->dataset, t->due.name[c]);
		add_call(j, &argv);
	}
}

/* The class of t's round-th due name (in class order), or -1. */
static int nth_due(const struct snap_target *t, int round)
{
	for (int c = 0; c < SNAP_NCLASSES; c++)
		if (t->due.due[c] && round-- == 0)
			return c;
	return -1;
}

/*
 * The names of the targets taken alone where ZFS takes many names: per pool,
 * call r holds the r-th due name of each dataset (ZFS takes at most one name
 * of a dataset in one call), so a pool needs as many calls as the most
 * classes due on one of its datasets. Else one call per name.
 */
static void take_alone(struct snap_jobs *j, const struct snap_plan_in *in, const bool *alone)
{
	if (!in->st->multi_snapshot) {
		for (size_t i = 0; i < j->n; i++)
			if (alone[i])
				take_calls(j, in, &j->v[i], false);
		return;
	}
	bool *done = xcalloc(j->n ? j->n : 1, sizeof(bool));
	for (size_t i = 0; i < j->n; i++) {
		if (!alone[i] || done[i])
			continue;
		size_t plen = strcspn(j->v[i].dataset, "/");
		for (size_t k = i; k < j->n; k++)
			if (alone[k] && strcspn(j->v[k].dataset, "/") == plen &&
			    !strncmp(j->v[k].dataset, j->v[i].dataset, plen))
				done[k] = true;   /* this pool's targets, handled below */
		for (int round = 0;; round++) {
			struct strvec argv = { 0 };
			for (size_t k = i; k < j->n; k++) {
				const struct snap_target *t = &j->v[k];
				int c = alone[k] && strcspn(t->dataset, "/") == plen &&
						!strncmp(t->dataset, j->v[i].dataset, plen)
					? nth_due(t, round) : -1;
				if (c < 0)
					continue;
				if (!argv.n) {
					sv_push(&argv, in->prog);
					sv_push(&argv, "snapshot");
				}
				sv_pushf(&argv, "%s@%s", t->dataset, t->due.name[c]);
				sv_pushf(&j->taken, "%s@%s", t->dataset, t->due.name[c]);
			}
			if (!argv.n)
				break;
			add_call(j, &argv);
		}
	}
	free(done);
}

/* Retention, the guard and the destroy calls of one target. */
static void prune_target(struct snap_jobs *j, const struct snap_plan_in *in, struct snap_target *t,
			 const struct snap_policy *prev)
{
	const struct snap_ds *ds = t->ds;
	snap_retention_decide(t->policy, in->now, ds->s, ds->n, in->prot, in->n_prot, &t->ret);
	t->guarded = xcalloc(ds->n ? ds->n : 1, sizeof(bool));
	if (!t->policy->prune)
		return;
	size_t *idx = NULL;
	size_t ng = snap_policy_guard(prev, t->policy, in->now, ds->s, ds->n, in->prot, in->n_prot, &idx);
	for (size_t i = 0; i < ng; i++)
		t->guarded[idx[i]] = true;
	t->n_guarded = ng;
	free(idx);
	if (!in->prune || t->ret.clock_skew)
		return;
	for (size_t i = 0; i < ds->n; i++) {
		if (t->ret.v[i].verdict != SNAP_DESTROY)
			continue;
		if (t->guarded[i] && !in->allow_destroy) {
			j->n_held_back++;
			continue;
		}
		sv_push(&t->destroy_names, ds->s[i].name);
	}
	const char *why = NULL;
	if (t->destroy_names.n &&
	    snap_destroy_batches(in->prog, t->dataset, sv_argv(&t->destroy_names), t->destroy_names.n,
				 in->st->comma_destroy, in->cfg->destroy_batch, 0, &t->destroy, &why))
		diag_add(&j->diags, DIAG_WARNING, NULL, 0, 0, NULL, NULL, "dataset '%s': not pruned: %s",
			 t->dataset, why);
	else
		j->n_destroy += t->destroy_names.n;
}

/* The targets of entry e (its own dataset first), and whether one `zfs snapshot -r` covers them. */
static bool entry_targets(struct snap_jobs *j, const struct snap_plan_in *in, const struct strvec *roots,
			  size_t e)
{
	const struct snap_dataset_cfg *ec = &in->cfg->datasets[e];
	const struct snap_policy *p = &in->cfg->policies[ec->policy_index];
	const char *root = roots->v[e];
	if (!wanted(in->only, root) && !ec->recursive)
		return false;
	if (wanted(in->only, root))
		add_target(j, root, e, p, in->st);
	bool r_ok = ec->recursive && wanted(in->only, root);
	for (size_t i = 0; ec->recursive && i < in->st->n; i++) {
		const char *name = in->st->v[i].name;
		if (!strcmp(name, root) || !below_or_at(name, root))
			continue;
		if (nearest_entry(roots, name) != (long)e || excluded(ec, name)) {
			r_ok = false;
			continue;
		}
		if (wanted(in->only, name))
			add_target(j, name, e, p, in->st);
		else
			r_ok = false;
	}
	return r_ok;
}

void snap_plan_build(const struct snap_plan_in *in, struct snap_jobs *out)
{
	memset(out, 0, sizeof(*out));
	out->prot = in->prot;
	out->n_prot = in->n_prot;
	const struct snap_config *cfg = in->cfg;
	struct strvec roots = { 0 };
	for (size_t e = 0; e < cfg->n_datasets; e++) {
		char *r = entry_root(&cfg->datasets[e]);
		sv_push(&roots, r ? r : "");
		free(r);
	}
	bool *alone = NULL;
	for (size_t e = 0; e < cfg->n_datasets; e++) {
		const struct snap_dataset_cfg *ec = &cfg->datasets[e];
		if (ec->none || ec->away || !ec->policy_known || !roots.v[e][0])
			continue;
		const struct snap_policy *p = &cfg->policies[ec->policy_index];
		size_t first = out->n;
		bool r_ok = entry_targets(out, in, &roots, e);
		struct snap_policy prev;
		const char *why = NULL;
		const struct snap_target *rt = first < out->n ? &out->v[first] : NULL;
		bool have_prev = rt && rt->ds && rt->ds->marker &&
				 !snap_policy_from_canonical(rt->ds->marker, &prev, &why);
		bool blocked = false;
		alone = xrealloc(alone, (out->n ? out->n : 1) * sizeof(bool));
		for (size_t i = first; i < out->n; i++) {
			struct snap_target *t = &out->v[i];
			alone[i] = false;
			if (!t->ds) {
				diag_add(&out->diags, DIAG_WARNING, NULL, 0, 0, ec->jpath, NULL,
					 "dataset '%s' does not exist: no snapshots are taken or pruned", t->dataset);
				continue;
			}
			snap_due_eval(p, &in->zones[ec->policy_index], in->now, t->ds->s, t->ds->n, &t->due);
			if (t->due.clock_skew)
				diag_add(&out->diags, DIAG_WARNING, NULL, 0, 0, ec->jpath,
					 "check the clock (timedatectl); snapshots named in the future are kept",
					 "dataset '%s': a snapshot is named after now (clock skew): nothing is taken or pruned",
					 t->dataset);
			prune_target(out, in, t, have_prev ? &prev : NULL);
			if (t->n_guarded && !(in->prune && in->allow_destroy))
				blocked = true;
			t->in_r = r_ok && i > first;
			alone[i] = in->take && p->take && !r_ok && !t->due.clock_skew && t->due.n_due;
		}
		if (r_ok && rt->ds && in->take && p->take && !rt->due.clock_skew && rt->due.n_due)
			take_calls(out, in, rt, true);
		char *canon = snap_policy_canonical(p);
		if (rt && rt->ds && !blocked && (in->take || in->prune) &&
		    (!rt->ds->marker || strcmp(rt->ds->marker, canon))) {
			out->mark = xrealloc(out->mark, (out->n_mark + 1) * sizeof(*out->mark));
			struct strvec *m = &out->mark[out->n_mark++];
			memset(m, 0, sizeof(*m));
			sv_push(m, in->prog);
			sv_push(m, "set");
			sv_pushf(m, SNAP_MARKER_PROP "=%s", canon);
			sv_push(m, rt->dataset);
			sv_push(&out->marked, rt->dataset);
		}
		free(canon);
		if (have_prev)
			snap_policy_release(&prev);
	}
	if (out->n)
		take_alone(out, in, alone);
	free(alone);
	sv_free(&roots);
}

const struct snap_policy *snap_policy_for(const struct snap_config *cfg, const char *dataset)
{
	struct strvec roots = { 0 };
	for (size_t e = 0; e < cfg->n_datasets; e++) {
		char *r = entry_root(&cfg->datasets[e]);
		sv_push(&roots, r ? r : "");
		free(r);
	}
	long e = nearest_entry(&roots, dataset);
	const struct snap_policy *p = NULL;
	if (e >= 0) {
		const struct snap_dataset_cfg *ec = &cfg->datasets[e];
		bool covered = !strcmp(roots.v[e], dataset) || (ec->recursive && !excluded(ec, dataset));
		if (!ec->none && !ec->away && ec->policy_known && covered)
			p = &cfg->policies[ec->policy_index];
	}
	sv_free(&roots);
	return p;
}

bool snap_jobs_pending(const struct snap_jobs *j)
{
	return j->n_take || j->n_destroy || j->n_mark;
}

void snap_jobs_free(struct snap_jobs *j)
{
	for (size_t i = 0; i < j->n; i++) {
		struct snap_target *t = &j->v[i];
		free(t->dataset);
		snap_retention_free(&t->ret);
		free(t->guarded);
		snap_batches_free(&t->destroy);
		sv_free(&t->destroy_names);
	}
	free(j->v);
	for (size_t i = 0; i < j->n_take; i++)
		sv_free(&j->take[i]);
	free(j->take);
	for (size_t i = 0; i < j->n_mark; i++)
		sv_free(&j->mark[i]);
	free(j->mark);
	sv_free(&j->taken);
	sv_free(&j->marked);
	diag_list_free(&j->diags);
	memset(j, 0, sizeof(*j));
}

void snap_age_format(int64_t secs, char *buf, size_t len)
{
	if (secs < 0)
		snprintf(buf, len, "in %" PRId64 " s", -secs);
	else if (secs < 120)
		snprintf(buf, len, "%" PRId64 " s", secs);
	else if (secs < 7200)
		snprintf(buf, len, "%" PRId64 " min", secs / 60);
	else if (secs < 172800)
		snprintf(buf, len, "%" PRId64 " h", secs / 3600);
	else
		snprintf(buf, len, "%" PRId64 " d", secs / 86400);
}
