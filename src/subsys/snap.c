/* The snapshot subsystem's front door (see subsys/snap.h). */
#include "subsys/snap.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/tz.h"
#include "plan/mounts.h"
#include "state/zfs_state.h"
#include "subsys/table.h"
#include "util/strbuf.h"

struct door {
	struct snap_config cfg;
	struct tz_zone *zones;
	struct snap_state st;
	struct snap_view view;
};

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
		if (!e->none && e->policy_known && e->pool)
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
	return rc;
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
	if (!d->st.n)
		return;
	struct snap_plan_in in = { .cfg = &d->cfg, .zones = d->zones, .st = &d->st, .now = time(NULL),
				   .prog = "zfs", .take = true, .prune = true };
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
