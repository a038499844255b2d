/* The health front door: pool health, scrub age, disk wear and the check, from what zfs discovery read. */
#include "subsys/health.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config/monitoring_config.h"
#include "config/zfs_config.h"
#include "config/zprops.h"
#include "formats/promtext.h"
#include "plan/health_html.h"
#include "plan/health_metrics.h"
#include "plan/mounts.h"
#include "state/smart.h"
#include "state/job_state.h"
#include "state/zfs_state.h"
#include "subsys/snap.h"
#include "subsys/table.h"
#include "util/strbuf.h"

struct door {
	struct monitoring_config cfg;
	bool smart_done;
	struct smart_info *smart;   /* one per pool disk, in pool order */
	char **smart_pool;          /* the pool of each (owned) */
	size_t n_smart;
	/* the check input, rebuilt by build_input */
	struct hc_pool *pools;
	size_t n_pools;
	const char **absent;
	size_t n_absent;
	struct hc_disk *disks;
	struct hc_key *keys;
	size_t n_keys;
	/* snapshot freshness, from the snapshot front door's state (rebuilt by build_input) */
	struct snap_jobs snaps;
	bool have_snaps;
	struct hc_snapshots *classes;
	size_t n_classes;
	struct hc_prune *prunes;
	size_t n_prunes;
	/* the job state file, read in discovery */
	struct jobstate jobstate;
	struct hc_job *jobs;
};

static int health_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct door *d = xcalloc(1, sizeof(*d));
	*priv = d;
	return monitoring_config_load(&ctx->main, &d->cfg, dl);
}

/*
 * No program: the pools' status comes from zfs discovery, the snapshots from
 * the snapshot front door's, SMART only when status asks. Reads the job state
 * file (the last success of each job of `run`, for the metrics).
 */
static int health_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	struct door *d = priv;
	job_state_load(ctx->root, &d->jobstate, dl);
	return 0;
}

static void health_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	(void)ctx;
	(void)priv;
	(void)p;
}

static struct door *door_of(const struct ph_ctx *ctx)
{
	for (size_t i = 0; i < ctx->subsystems->n; i++)
		if (ctx->subsystems->v[i] == &health_subsystem)
			return ctx->priv[i];
	return NULL;
}

/*
 * The device smartctl reads for vdev v: the whole disk of a resolved block
 * device (/dev/block/MAJ:MIN), else its name when it is a /dev path. NULL with
 * *why set when it has no disk behind it (a file vdev, a name not resolved).
 */
static char *smart_device(const struct vdev *v, const char **why)
{
	*why = NULL;
	if (v->id.self.kind == DISK_ID_BLOCK)
		return xasprintf("/dev/block/%u:%u", major(v->id.self.whole), minor(v->id.self.whole));
	struct stat sb;
	if (v->id.self.kind == DISK_ID_FILE || (v->name[0] == '/' && !stat(v->name, &sb) && S_ISREG(sb.st_mode))) {
		*why = "a file, not a disk";
		return NULL;
	}
	if (!strncmp(v->name, "/dev/", 5))
		return xstrdup(v->name);
	*why = "not found as a device";
	return NULL;
}

static void add_smart(struct door *d, const char *pool, const struct vdev *v)
{
	const char *why;
	char *dev = smart_device(v, &why);
	for (size_t i = 0; dev && i < d->n_smart; i++)
		if (!strcmp(d->smart[i].device, dev)) {
			free(dev);
			return; /* two partitions of one disk */
		}
	d->smart = xrealloc(d->smart, (d->n_smart + 1) * sizeof(*d->smart));
	d->smart_pool = xrealloc(d->smart_pool, (d->n_smart + 1) * sizeof(*d->smart_pool));
	struct smart_info *s = &d->smart[d->n_smart];
	d->smart_pool[d->n_smart++] = xstrdup(pool);
	if (!dev) {
		smart_unknown(v->name, why, s);
	} else if (!d->cfg.smart) {
		smart_unknown(v->name, "monitoring.smart is false", s);
	} else {
		smart_read(dev, s);
		free(s->device);
		s->device = xstrdup(v->name);
	}
	free(dev);
}

static bool covered(const struct ph_ctx *ctx, const struct zpool *zp);

/* SMART of every leaf vdev of every pool covered, once per run. */
static void read_smart(struct door *d, const struct ph_ctx *ctx)
{
	const struct zfs_state *st = ctx->zfs ? ctx->zfs->st : NULL;
	if (d->smart_done)
		return;
	d->smart_done = true;
	for (size_t i = 0; st && i < st->n_pools; i++) {
		const struct zpool *zp = &st->pools[i];
		if (!covered(ctx, zp))
			continue;
		for (size_t k = 0; k < zp->n_vdevs + zp->n_aux; k++) {
			const struct vdev *v = k < zp->n_vdevs ? &zp->vdevs[k] : &zp->aux[k - zp->n_vdevs];
			if (v->leaf)
				add_smart(d, zp->name, v);
		}
	}
}

/* The pools the health model covers: those of the config when it names any, else every imported pool. */
static bool covered(const struct ph_ctx *ctx, const struct zpool *zp)
{
	const struct zfs_config *zc = ctx->zfs ? ctx->zfs->cfg : NULL;
	if (zp->importable)
		return false;
	/* a config whose pools are all on other nodes names pools: this node covers none of them */
	size_t named = zc ? (zc->all ? zc->all->n_pools : zc->n_pools) : 0;
	return !named || zfs_config_pool(zc, zp->name);
}

static uint64_t prop_u64(const struct zfs_dataset *ds, const char *name)
{
	const struct zprop *p = ds ? zfs_dataset_prop(ds, name) : NULL;
	return p ? strtoull(p->value, NULL, 10) : 0;
}

/*
 * Snapshot freshness: per existing dataset a policy covers, per class it
 * keeps, the newest of ours and the class period, and how many snapshots the
 * retention would destroy now; from the snapshot front door's state (read
 * once by its discovery), planned at ctx->now (pure). Nothing when the run
 * has no snapshot door.
 */
static void build_snapshots(struct door *d, const struct ph_ctx *ctx)
{
	if (d->have_snaps)
		snap_jobs_free(&d->snaps);
	d->have_snaps = false;
	free(d->classes);
	free(d->prunes);
	d->classes = NULL;
	d->prunes = NULL;
	d->n_classes = d->n_prunes = 0;
	const struct snap_view *v = snap_door_view(ctx);
	if (!v || !v->cfg || !v->st)
		return;
	struct snap_plan_in in = { .cfg = v->cfg, .zones = v->zones, .st = v->st, .now = ctx->now, .prog = "zfs",
				   .take = true, .prune = true };
	snap_plan_build(&in, &d->snaps);
	d->have_snaps = true;
	d->classes = xcalloc(d->snaps.n * SNAP_NCLASSES + 1, sizeof(*d->classes));
	d->prunes = xcalloc(d->snaps.n + 1, sizeof(*d->prunes));
	for (size_t i = 0; i < d->snaps.n; i++) {
		const struct snap_target *t = &d->snaps.v[i];
		if (!t->ds)
			continue; /* a dataset that does not exist: the zfs plan says so */
		for (int c = 0; c < SNAP_NCLASSES; c++)
			if (t->policy->keep[c])
				d->classes[d->n_classes++] = (struct hc_snapshots){
					t->dataset, snap_class_name((enum snap_class)c),
					t->due.has_newest[c] ? (time_t)t->due.newest[c] : -1,
					snap_class_period((enum snap_class)c, t->policy->frequent_minutes) };
		size_t pending = 0;
		for (size_t k = 0; k < t->ret.n; k++)
			pending += t->ret.v[k].verdict == SNAP_DESTROY;
		d->prunes[d->n_prunes++] = (struct hc_prune){ t->dataset, pending };
	}
}

/* Fills in from the ZFS view and the SMART answers; the arrays are d's. */
static void build_input(struct door *d, const struct ph_ctx *ctx, struct hc_input *in)
{
	const struct zfs_view *zv = ctx->zfs;
	const struct zfs_state *st = zv ? zv->st : NULL;
	const struct zfs_config *zc = zv ? zv->cfg : NULL;
	free(d->pools);
	free(d->absent);
	free(d->disks);
	d->pools = xcalloc(st && st->n_pools ? st->n_pools : 1, sizeof(*d->pools));
	d->n_pools = 0;
	for (size_t i = 0; st && i < st->n_pools; i++) {
		const struct zpool *zp = &st->pools[i];
		if (!covered(ctx, zp))
			continue;
		struct hc_pool *hp = &d->pools[d->n_pools++];
		const struct zfs_dataset *root = zfs_state_dataset(st, zp->name);
		uint64_t used = prop_u64(root, "used"), avail = prop_u64(root, "available");
		hp->health = &zp->health;
		hp->size_bytes = (int64_t)(used + avail);
		hp->used_bytes = (int64_t)used;
		hp->created = (time_t)prop_u64(root, "creation");
		hp->capacity_pct = used + avail ? (int)(used * 100 / (used + avail)) : -1;
		const struct zcfg_pool *pc = zc ? zfs_config_pool(zc, zp->name) : NULL;
		hp->scrub_interval_s = pc ? zcfg_scrub_interval_s(pc) : 0;
	}
	d->absent = xcalloc(zc && zc->n_pools ? zc->n_pools : 1, sizeof(*d->absent));
	d->n_absent = 0;
	for (size_t i = 0; zc && i < zc->n_pools; i++) {
		const struct zpool *zp = st ? zfs_state_pool(st, zc->pools[i].name) : NULL;
		if (!zp || zp->importable)
			d->absent[d->n_absent++] = zc->pools[i].name;
	}
	d->disks = xcalloc(d->n_smart ? d->n_smart : 1, sizeof(*d->disks));
	for (size_t i = 0; i < d->n_smart; i++)
		d->disks[i] = (struct hc_disk){ d->smart_pool[i], &d->smart[i] };
	/* Encrypted datasets of the pools covered (keystatus comes with zfs get all on OpenZFS). */
	free(d->keys);
	d->keys = xcalloc(st && st->n_datasets ? st->n_datasets : 1, sizeof(*d->keys));
	d->n_keys = 0;
	for (size_t i = 0; st && i < st->n_datasets; i++) {
		const struct zfs_dataset *ds = &st->datasets[i];
		const struct zprop *enc = zfs_dataset_prop(ds, "encryption");
		const struct zprop *ks = zfs_dataset_prop(ds, "keystatus");
		size_t pl = strcspn(ds->name, "/");
		char *pool = xstrndup(ds->name, pl);
		const struct zpool *zp = zfs_state_pool(st, pool);
		free(pool);
		if (!enc || !ks || !strcmp(enc->value, "off") || !strcmp(enc->value, "-") || !zp || !covered(ctx, zp))
			continue;
		d->keys[d->n_keys++] = (struct hc_key){ ds->name, !strcmp(ks->value, "available") };
	}
	build_snapshots(d, ctx);
	free(d->jobs);
	d->jobs = xcalloc(d->jobstate.n ? d->jobstate.n : 1, sizeof(*d->jobs));
	size_t n_jobs = 0;
	for (size_t i = 0; i < d->jobstate.n; i++)
		if (!strcmp(d->jobstate.v[i].kind, "job"))
			d->jobs[n_jobs++] = (struct hc_job){ d->jobstate.v[i].name, d->jobstate.v[i].at };
	*in = (struct hc_input){ .pools = d->pools, .n_pools = d->n_pools, .absent_pools = d->absent,
				 .n_absent = d->n_absent, .disks = d->disks, .n_disks = d->n_smart, .keys = d->keys,
				 .n_keys = d->n_keys, .snapshots = d->classes, .n_snapshots = d->n_classes,
				 .prunes = d->prunes, .n_prunes = d->n_prunes, .jobs = d->jobs, .n_jobs = n_jobs,
				 .now = ctx->now };
}


/* Evaluates the check; in is filled too (valid until the next call). */
static void evaluate(struct door *d, struct ph_ctx *ctx, struct hc_input *in, struct hc_result *out)
{
	read_smart(d, ctx);
	build_input(d, ctx, in);
	struct hc_thresholds t;
	hc_thresholds_from_config(&d->cfg, &t);
	memset(out, 0, sizeof(*out));
	hc_evaluate(in, &t, out);
}

void health_check(struct ph_ctx *ctx, struct hc_result *out)
{
	struct door *d = door_of(ctx);
	struct hc_input in;
	if (!d) {
		memset(out, 0, sizeof(*out));
		return;
	}
	evaluate(d, ctx, &in, out);
}

/* The replication jobs' last success, lag and snapshots behind (from the snapshot door, when it runs). */
static int repl_metrics(struct ph_ctx *ctx, struct pt_registry *reg, struct diag_list *dl)
{
	struct repl_job_plan *pl;
	size_t n;
	repl_door_plans(ctx, ctx->now, false, &pl, &n);
	int rc = 0;
	if (n) {
		rc |= pt_family(reg, "phoenix_storage_replication_last_success_timestamp_seconds", PT_GAUGE,
				"When the replication last succeeded (phoenix:repl-last on the target); 0: never", dl);
		rc |= pt_family(reg, "phoenix_storage_replication_lag_seconds", PT_GAUGE,
				"Now minus the time of the newest snapshot the target has (-1: none in common)", dl);
		rc |= pt_family(reg, "phoenix_storage_replication_behind_snapshots", PT_GAUGE,
				"Our snapshots of the source the target does not have yet", dl);
	}
	struct repl_view *v = repl_door_view(ctx);
	for (size_t i = 0; i < n; i++) {
		const struct repl_job_plan *p = &pl[i];
		int64_t last = 0, bt = 0;
		for (size_t k = 0; v && k < v->n_sides; k++) {
			const struct repl_side *sd = &v->sides[k];
			bool mine = p->job->node ? sd->node && !strcmp(sd->node, p->job->node) : !sd->node;
			const struct snap_ds *td = mine ? snap_state_find(&sd->st, p->job->target) : NULL;
			if (td)
				last = td->repl_last;
		}
		enum snap_class c;
		if (!p->base || snap_name_parse(p->base, &bt, &c))
			bt = 0;
		const char *src = p->job->source, *tgt = p->target_display;
		rc |= pt_samplef(reg, "phoenix_storage_replication_last_success_timestamp_seconds", (double)last, dl,
				 "source", src, "target", tgt, NULL);
		rc |= pt_samplef(reg, "phoenix_storage_replication_lag_seconds", bt ? (double)(ctx->now - bt) : -1.0, dl,
				 "source", src, "target", tgt, NULL);
		rc |= pt_samplef(reg, "phoenix_storage_replication_behind_snapshots", (double)p->behind, dl, "source", src,
				 "target", tgt, NULL);
		repl_job_plan_free(&pl[i]);
	}
	free(pl);
	return rc ? -1 : 0;
}

char *health_prometheus(struct ph_ctx *ctx, long drift_objects, struct diag_list *dl)
{
	struct door *d = door_of(ctx);
	if (!d)
		return NULL;
	struct hc_input in;
	struct hc_result r;
	evaluate(d, ctx, &in, &r);
	struct pt_registry reg = { 0 };
	int rc = health_metrics(&in, &r, drift_objects, &reg, dl);
	if (!rc)
		rc = repl_metrics(ctx, &reg, dl);
	char *text = rc ? NULL : pt_render(&reg);
	pt_free(&reg);
	hc_result_free(&r);
	return text;
}

/* The timelines of the page: per existing covered dataset, its classes and snapshots (arrays are the caller's to free). */
struct timelines {
	struct hh_dataset *v;
	size_t n;
	struct hh_snap **snaps;
	const char ***classes;
	int **ids;
};

static void timelines_build(const struct door *d, struct timelines *tl)
{
	memset(tl, 0, sizeof(*tl));
	if (!d->have_snaps)
		return;
	size_t n = d->snaps.n ? d->snaps.n : 1;
	tl->v = xcalloc(n, sizeof(*tl->v));
	tl->snaps = xcalloc(n, sizeof(*tl->snaps));
	tl->classes = xcalloc(n, sizeof(*tl->classes));
	tl->ids = xcalloc(n, sizeof(*tl->ids));
	for (size_t i = 0; i < d->snaps.n; i++) {
		const struct snap_target *t = &d->snaps.v[i];
		if (!t->ds)
			continue;
		size_t k = tl->n++;
		tl->snaps[k] = xcalloc(t->ds->n + 1, sizeof(**tl->snaps));
		tl->classes[k] = xcalloc(SNAP_NCLASSES, sizeof(**tl->classes));
		tl->ids[k] = xcalloc(SNAP_NCLASSES, sizeof(**tl->ids));
		size_t nc = 0;
		for (int c = 0; c < SNAP_NCLASSES; c++)
			if (t->policy->keep[c]) {
				tl->classes[k][nc] = snap_class_name((enum snap_class)c);
				tl->ids[k][nc++] = c;
			}
		for (size_t s = 0; s < t->ret.n && s < t->ds->n; s++)
			tl->snaps[k][s] = (struct hh_snap){ t->ret.v[s].time,
							    t->ret.v[s].verdict == SNAP_FOREIGN ? -1 : (int)t->ret.v[s].cls };
		tl->v[k] = (struct hh_dataset){ t->dataset, t->policy->name, tl->classes[k], tl->ids[k], nc, tl->snaps[k],
						t->ret.n < t->ds->n ? t->ret.n : t->ds->n };
	}
}

static void timelines_free(struct timelines *tl)
{
	for (size_t i = 0; i < tl->n; i++) {
		free(tl->snaps[i]);
		free(tl->classes[i]);
		free(tl->ids[i]);
	}
	free(tl->v);
	free(tl->snaps);
	free(tl->classes);
	free(tl->ids);
}

char *health_html_page(struct ph_ctx *ctx)
{
	struct door *d = door_of(ctx);
	if (!d)
		return NULL;
	struct hc_input in;
	struct hc_result r;
	evaluate(d, ctx, &in, &r);
	struct hc_thresholds th;
	hc_thresholds_from_config(&d->cfg, &th);
	struct timelines tl;
	timelines_build(d, &tl);
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1))
		host[0] = '\0';
	struct hh_model m = { .host = host[0] ? host : NULL, .in = &in, .verdict = &r, .thresholds = &th,
			      .datasets = tl.v, .n_datasets = tl.n };
	char *page = health_html(&m);
	timelines_free(&tl);
	hc_result_free(&r);
	return page;
}

const char *health_prometheus_default(const struct ph_ctx *ctx)
{
	const struct door *d = door_of(ctx);
	if (d && d->cfg.prometheus_file)
		return d->cfg.prometheus_file;
	struct stat sb;
	if (!stat("/var/lib/prometheus/node-exporter", &sb) && S_ISDIR(sb.st_mode))
		return MON_DEFAULT_PROM_FILE;
	return NULL;
}

/* "finished Mon Dec  1 10:00:00 2026 (3d 4h ago), every 7d" and the JSON of the last scrub. */
static json_t *scrub_status(const struct hc_pool *hp, time_t now, struct strbuf *line)
{
	const struct zh_pool *p = hp->health;
	const struct zh_scan *sc = zh_pool_scrub(p);
	json_t *o = json_object();
	if (!sc) {
		sb_adds(line, "never scrubbed");
		json_object_set_new(o, "state", json_string("never"));
	} else {
		json_object_set_new(o, "state", json_string(zh_scan_state_name(sc->state)));
		time_t end = zh_time_epoch(&sc->end);
		sb_adds(line, zh_scan_state_name(sc->state));
		if (sc->state == ZH_SCAN_FINISHED && end > 0) {
			char *age = hc_format_duration(now - end);
			sb_addf(line, " %s ago", age);
			free(age);
			json_object_set_new(o, "end", json_integer((json_int_t)end));
			json_object_set_new(o, "age_s", json_integer((json_int_t)(now - end)));
		}
		if (sc->errors >= 0) {
			sb_addf(line, ", %" PRId64 " errors", sc->errors);
			json_object_set_new(o, "errors", json_integer(sc->errors));
		}
		if (sc->pct_done >= 0)
			sb_addf(line, ", %.1f%% done", sc->pct_done);
	}
	if (hp->scrub_interval_s) {
		char *every = hc_format_duration(hp->scrub_interval_s);
		sb_addf(line, " (due every %s)", every);
		free(every);
		json_object_set_new(o, "interval_s", json_integer((json_int_t)hp->scrub_interval_s));
	}
	return o;
}

static json_t *pool_health_status(const struct hc_pool *hp, time_t now, FILE *text)
{
	const struct zh_pool *p = hp->health;
	json_t *o = json_pack("{s:s, s:s}", "name", p->name, "state", zh_state_name(p->state));
	if (hp->capacity_pct >= 0)
		json_object_set_new(o, "capacity_pct", json_integer(hp->capacity_pct));
	struct strbuf line = STRBUF_INIT;
	json_object_set_new(o, "scrub", scrub_status(hp, now, &line));
	if (p->data_errors >= 0)
		json_object_set_new(o, "data_errors", json_integer(p->data_errors));
	json_t *errs = json_array();
	for (size_t i = 0; i < p->n_vdevs; i++) {
		const struct zh_vdev *v = &p->vdevs[i];
		if (v->depth == 0 || !(v->read_errors || v->write_errors || v->cksum_errors))
			continue;
		json_array_append_new(errs, json_pack("{s:s, s:I, s:I, s:I}", "vdev", v->name, "read",
						      (json_int_t)v->read_errors, "write", (json_int_t)v->write_errors,
						      "checksum", (json_int_t)v->cksum_errors));
	}
	if (text) {
		char cap[16] = "-";
		if (hp->capacity_pct >= 0)
			snprintf(cap, sizeof(cap), "%d%%", hp->capacity_pct);
		fprintf(text, "  %-16s %-9s capacity %-4s scrub: %s\n", p->name, zh_state_name(p->state), cap,
			sb_str(&line));
		for (size_t i = 0; i < json_array_size(errs); i++) {
			json_t *e = json_array_get(errs, i);
			fprintf(text, "    %s: %" JSON_INTEGER_FORMAT " read, %" JSON_INTEGER_FORMAT " write, %"
				JSON_INTEGER_FORMAT " checksum errors\n", json_string_value(json_object_get(e, "vdev")),
				json_integer_value(json_object_get(e, "read")), json_integer_value(json_object_get(e, "write")),
				json_integer_value(json_object_get(e, "checksum")));
		}
		if (p->data_errors > 0)
			fprintf(text, "    data errors: %" PRId64 "\n", p->data_errors);
	}
	json_object_set_new(o, "vdev_errors", errs);
	sb_release(&line);
	return o;
}

/* "NVMe, 3% used, spare 100% (threshold 10%), 0 media errors, 38 C" or "unknown (why)". */
static json_t *disk_status(const struct hc_disk *hd, FILE *text)
{
	const struct smart_info *s = hd->smart;
	json_t *o = json_pack("{s:s, s:s, s:b}", "device", s->device, "pool", hd->pool ? hd->pool : "", "known",
			      s->known);
	struct strbuf line = STRBUF_INIT;
	if (!s->known) {
		json_object_set_new(o, "reason", json_string(s->reason ? s->reason : ""));
		sb_addf(&line, "unknown (%s)", s->reason ? s->reason : "no SMART data");
	} else {
		static const char *const proto[] = { "unknown", "NVMe", "ATA", "SCSI" };
		sb_adds(&line, proto[s->protocol]);
		json_object_set_new(o, "protocol", json_string(proto[s->protocol]));
		if (s->passed >= 0) {
			sb_addf(&line, ", SMART %s", s->passed ? "passed" : "FAILED");
			json_object_set_new(o, "passed", json_boolean(s->passed));
		}
		if (s->percentage_used >= 0) {
			sb_addf(&line, ", %d%% used", s->percentage_used);
			json_object_set_new(o, "percentage_used", json_integer(s->percentage_used));
		}
		if (s->available_spare >= 0) {
			sb_addf(&line, ", spare %d%% (threshold %d%%)", s->available_spare, s->available_spare_threshold);
			json_object_set_new(o, "available_spare", json_integer(s->available_spare));
		}
		if (s->media_errors >= 0) {
			sb_addf(&line, ", %" PRId64 " media errors", s->media_errors);
			json_object_set_new(o, "media_errors", json_integer(s->media_errors));
		}
		if (s->reallocated >= 0 || s->pending >= 0 || s->uncorrectable >= 0)
			sb_addf(&line, ", sectors reallocated %" PRId64 " pending %" PRId64 " uncorrectable %" PRId64,
				s->reallocated, s->pending, s->uncorrectable);
		if (s->has_temperature) {
			sb_addf(&line, ", %d C", s->temperature_c);
			json_object_set_new(o, "temperature_c", json_integer(s->temperature_c));
		}
	}
	if (text)
		fprintf(text, "  %s (pool %s): %s\n", s->device, hd->pool ? hd->pool : "-", sb_str(&line));
	sb_release(&line);
	return o;
}

/*
 * The health member of `status`: each imported pool (state, capacity, last
 * scrub and its age, vdevs with errors, data errors), each pool disk's SMART
 * answer, and the check verdict with its problems.
 */
static void health_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	struct door *d = priv;
	if (!d || !ctx->zfs || !ctx->zfs->st)
		return;
	struct hc_input in;
	struct hc_result r;
	evaluate(d, ctx, &in, &r);
	json_t *h = json_object();
	json_t *pools = json_array();
	if (text)
		fprintf(text, "Health:\n");
	for (size_t i = 0; i < in.n_pools; i++)
		json_array_append_new(pools, pool_health_status(&in.pools[i], in.now, text));
	json_object_set_new(h, "pools", pools);
	json_t *disks = json_array();
	if (text && in.n_disks)
		fprintf(text, "Disks:\n");
	for (size_t i = 0; i < in.n_disks; i++)
		json_array_append_new(disks, disk_status(&in.disks[i], text));
	json_object_set_new(h, "disks", disks);
	json_t *probs = json_array();
	for (size_t i = 0; i < r.n; i++)
		json_array_append_new(probs, json_pack("{s:s, s:s, s:s}", "severity", hc_severity_name(r.problems[i].severity),
						       "object", r.problems[i].object, "message", r.problems[i].message));
	json_object_set_new(h, "check", json_pack("{s:s, s:i, s:o}", "status", hc_severity_name(r.status), "exit",
						  hc_exit_status(&r), "problems", probs));
	if (text) {
		char *s = hc_render(&r);
		fprintf(text, "Check:\n");
		for (char *l = s; *l;) {
			char *e = strchr(l, '\n');
			fprintf(text, "  %.*s\n", (int)(e ? e - l : (long)strlen(l)), l);
			l = e ? e + 1 : l + strlen(l);
		}
		free(s);
	}
	json_object_set_new(out, "health", h);
	hc_result_free(&r);
}

static void health_free(void *priv)
{
	struct door *d = priv;
	if (!d)
		return;
	monitoring_config_free(&d->cfg);
	for (size_t i = 0; i < d->n_smart; i++) {
		smart_info_free(&d->smart[i]);
		free(d->smart_pool[i]);
	}
	free(d->smart);
	free(d->smart_pool);
	free(d->pools);
	free(d->absent);
	free(d->disks);
	free(d->keys);
	if (d->have_snaps)
		snap_jobs_free(&d->snaps);
	free(d->classes);
	free(d->prunes);
	free(d->jobs);
	jobstate_free(&d->jobstate);
	free(d);
}

/* Health reads the pools of the zfs state and the snapshots of the snapshot door: both come first. */
static const char *const needs[] = { "zfs", "snapshots", NULL };

const struct subsystem health_subsystem = {
	.name = "health",
	.needs = needs,
	.load = health_load,
	.discover = health_discover,
	.plan = health_plan,
	.status = health_status,
	.free = health_free,
};
