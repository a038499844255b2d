/* The ZFS subsystem: config, discovery, plan and status of pools and datasets. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "cmd/ctx.h"
#include "config/zfs_config.h"
#include "config/zprops.h"
#include "plan/zfs_plan.h"
#include "state/zfs_state.h"
#include "sys/disk.h"
#include "util/fs.h"
#include "util/strbuf.h"

static int zfs_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	*priv = NULL;
	ctx->zcfg = xcalloc(1, sizeof(*ctx->zcfg));
	int rc = zfs_config_load(&ctx->main, ctx->zcfg, dl);
	/* Every configured disk, resolved to the device it is (real /sys, never --root: disks are real). */
	ctx->zfacts = xcalloc(1, sizeof(*ctx->zfacts));
	struct zfs_facts *f = ctx->zfacts;
	for (size_t i = 0; i < ctx->zcfg->n_pools; i++) {
		const struct zcfg_pool *pc = &ctx->zcfg->pools[i];
		f->disks = xrealloc(f->disks, (f->n_disks + pc->n_disks) * sizeof(*f->disks));
		for (size_t k = 0; k < pc->n_disks; k++) {
			struct zfs_disk_fact *df = &f->disks[f->n_disks++];
			memset(df, 0, sizeof(*df));
			df->disk = xstrdup(pc->disks[k]);
			disk_id_resolve(df->disk, "/sys", &df->id);
		}
	}
	size_t before = diag_count(dl, DIAG_ERROR);
	zfs_check_same_devices(ctx->zcfg, f, &ctx->main, dl);
	if (diag_count(dl, DIAG_ERROR) > before)
		rc = -1;
	if (ctx->zcfg->allow_destructive)
		cfg_diag(dl, &ctx->main, DIAG_WARNING, "zfs.settings.allow_destructive_operations",
			 "pass --allow-wipe DISK to apply for each disk that may be wiped",
			 "this setting is ignored: wiping a disk always needs --allow-wipe DISK on the command line");
	return rc;
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s != path ? xstrndup(path, (size_t)(s - path)) : xstrdup("/");
}

static void read_arc_facts(const struct ph_ctx *ctx, struct zfs_facts *f)
{
	char *p = root_path(ctx->root, "/etc/modprobe.d/zfs.conf");
	if (read_file(p, &f->modprobe_text, NULL))
		f->modprobe_text = NULL;
	free(p);
	p = root_path(ctx->root, "/sys/module/zfs/parameters/zfs_arc_max");
	char *v = NULL;
	if (!read_file(p, &v, NULL)) {
		f->arc_runtime_present = true;
		f->arc_runtime = strtoull(v, NULL, 10);
	}
	free(v);
	free(p);
	struct sysinfo si;
	if (!sysinfo(&si))
		f->ram_bytes = (uint64_t)si.totalram * si.mem_unit;
}

/* The fact of a configured disk (every one has one, made at load). */
static struct zfs_disk_fact *disk_fact(struct zfs_facts *f, const char *disk)
{
	for (size_t i = 0; i < f->n_disks; i++)
		if (!strcmp(f->disks[i].disk, disk))
			return &f->disks[i];
	return NULL;
}

/*
 * One warning per property whose value has a newline, TAB or other control
 * character (set by anyone), on the dataset where it is set (not on every
 * child inheriting it): it is read exactly where `zfs get -j` exists, and
 * rebuilt by the tolerant text reader elsewhere. A property the config manages
 * is compared as read (a config value never matches a value with a control
 * character), so apply sets the config's value once and the next plan is
 * empty; any other is left alone.
 */
static void warn_odd_values(const struct ph_ctx *ctx, struct diag_list *dl)
{
	const struct zfs_state *st = ctx->zst;
	for (size_t i = 0; st->n_odd && i < st->n_datasets; i++) {
		const struct zfs_dataset *ds = &st->datasets[i];
		const struct zcfg_dataset *dc = zfs_config_dataset(ctx->zcfg, ds->name);
		for (size_t k = 0; k < ds->n_props; k++) {
			const struct zprop *z = &ds->props[k];
			/* An inherited copy is fixed where the value is set: reported there only. */
			if (!z->odd || !strncmp(z->source, "inherited from ", 15))
				continue;
			bool managed = dc && (zcfg_props_get(&dc->props, z->name) ||
					      (dc->mountpoint && !strcmp(z->name, "mountpoint")) ||
					      (dc->is_volume && !strcmp(z->name, "volsize")));
			char *shown = zfs_value_display(z->value);
			if (strlen(shown) > 60)
				strcpy(shown + 57, "...");
			char *hint = xasprintf("give it a one-line value with 'zfs set %s=VALUE %s', or remove it with 'zfs inherit %s %s'",
					       z->name, ds->name, z->name, ds->name);
			const char *fmt = "dataset '%s': property '%s' has a value with a newline, TAB or other control character ('%s'); %s";
			if (managed) {
				char *jp = xasprintf("%s.properties", dc->jpath);
				cfg_diag(dl, &ctx->main, DIAG_WARNING, jp, NULL, fmt, ds->name, z->name, shown,
					 "apply replaces it with the config's value");
				free(jp);
			} else {
				diag_add(dl, DIAG_WARNING, NULL, 0, 0, NULL, hint, fmt, ds->name, z->name, shown,
					 "phoenix-storage leaves it alone");
			}
			free(shown);
			free(hint);
		}
	}
}

static int zfs_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	(void)priv;
	ctx->zst = xcalloc(1, sizeof(*ctx->zst));
	if (!ctx->zfacts)
		ctx->zfacts = xcalloc(1, sizeof(*ctx->zfacts));
	/*
	 * Without pools in the config, every pool is read: other subsystems still
	 * need the managed datasets (mount-before-use). Without a zfs section at all,
	 * a host with no ZFS is not an error.
	 */
	struct strvec pools = { 0 };
	for (size_t i = 0; i < ctx->zcfg->n_pools; i++)
		sv_push(&pools, ctx->zcfg->pools[i].name);
	struct diag_list quiet = { 0 };
	int drc = zfs_state_discover(ctx->zst, pools.n ? &pools : NULL, ctx->zcfg->present ? dl : &quiet);
	sv_free(&pools);
	diag_list_free(&quiet);
	if (drc && ctx->zcfg->present)
		return -1;
	if (!ctx->zcfg->present)
		return 0;
	warn_odd_values(ctx, dl);
	/* Pools of the config that are not imported: look for them on their disks. */
	struct strvec dirs = { 0 };
	bool to_create = false;
	for (size_t i = 0; i < ctx->zcfg->n_pools; i++) {
		const struct zcfg_pool *pc = &ctx->zcfg->pools[i];
		if (zfs_state_pool(ctx->zst, pc->name))
			continue;
		to_create = true;
		for (size_t k = 0; k < pc->n_disks; k++) {
			char *d = dir_of(pc->disks[k]);
			bool seen = false;
			for (size_t j = 0; j < dirs.n; j++)
				seen |= !strcmp(dirs.v[j], d);
			if (!seen)
				sv_push(&dirs, d);
			free(d);
		}
	}
	int rc = dirs.n ? zfs_state_scan_importable(ctx->zst, &dirs, dl) : 0;
	/* Every vdev of every pool read, as the device it is: no program, stat and /sys only. */
	if (ctx->zcfg->n_pools)
		zfs_state_resolve_vdevs(ctx->zst, &dirs, "/sys");
	sv_free(&dirs);
	struct zfs_facts *f = ctx->zfacts;
	if (to_create)
		disk_host_read(&f->host, "/proc", "/sys");
	/* Probe the disks of pools that will have to be created. */
	for (size_t i = 0; i < ctx->zcfg->n_pools; i++) {
		const struct zcfg_pool *pc = &ctx->zcfg->pools[i];
		if (zfs_state_pool(ctx->zst, pc->name))
			continue;
		for (size_t k = 0; k < pc->n_disks; k++) {
			struct zfs_disk_fact *df = disk_fact(f, pc->disks[k]);
			if (df && !df->probe.exists && !df->probe.error)
				disk_probe(df->disk, &df->probe);
		}
	}
	read_arc_facts(ctx, f);
	return rc;
}

static void zfs_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	(void)priv;
	zfs_plan_build(ctx, ctx->zfacts, p);
}

static uint64_t prop_u64(const struct zfs_dataset *ds, const char *name)
{
	const struct zprop *p = zfs_dataset_prop(ds, name);
	return p ? strtoull(p->value, NULL, 10) : 0;
}

static const char *prop_str(const struct zfs_dataset *ds, const char *name)
{
	const struct zprop *p = zfs_dataset_prop(ds, name);
	return p ? p->value : "-";
}

static json_t *pool_status(const struct ph_ctx *ctx, const struct zpool *zp, FILE *text)
{
	const struct zfs_dataset *root = zfs_state_dataset(ctx->zst, zp->name);
	uint64_t used = root ? prop_u64(root, "used") : 0, avail = root ? prop_u64(root, "available") : 0;
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", zp->name, "health",
			      zp->state ? zp->state : "UNKNOWN", "layout", zp->layout, "imported", !zp->importable,
			      "in_config", ctx->zcfg && zfs_config_pool(ctx->zcfg, zp->name) != NULL);
	if (root) {
		json_object_set_new(o, "size", json_integer((json_int_t)(used + avail)));
		json_object_set_new(o, "used", json_integer((json_int_t)used));
		json_object_set_new(o, "free", json_integer((json_int_t)avail));
	}
	json_t *vd = json_array();
	for (size_t i = 0; i < zp->n_vdevs; i++)
		json_array_append_new(vd, json_pack("{s:s, s:s, s:i}", "name", zp->vdevs[i].name, "state",
						    zp->vdevs[i].state, "depth", zp->vdevs[i].depth));
	json_object_set_new(o, "vdevs", vd);
	if (zp->errors)
		json_object_set_new(o, "errors", json_string(zp->errors));
	if (text) {
		char *s = zfs_format_size(used + avail), *u = zfs_format_size(used), *a = zfs_format_size(avail);
		fprintf(text, "  %-16s %-9s %-7s size %-8s used %-8s free %-8s%s\n", zp->name,
			zp->state ? zp->state : "UNKNOWN", zp->layout, root ? s : "-", root ? u : "-", root ? a : "-",
			zp->importable ? " (not imported)" : "");
		for (size_t i = 0; i < zp->n_vdevs; i++)
			if (strcmp(zp->vdevs[i].state, "ONLINE"))
				fprintf(text, "    %s %s\n", zp->vdevs[i].name, zp->vdevs[i].state);
		free(s);
		free(u);
		free(a);
	}
	return o;
}

static void zfs_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	(void)priv;
	if (!ctx->zst)
		return;
	json_t *z = json_object();
	json_t *pools = json_array();
	if (text)
		fprintf(text, "Pools:\n");
	for (size_t i = 0; i < ctx->zst->n_pools; i++)
		json_array_append_new(pools, pool_status(ctx, &ctx->zst->pools[i], text));
	for (size_t i = 0; ctx->zcfg && i < ctx->zcfg->n_pools; i++)
		if (!zfs_state_pool(ctx->zst, ctx->zcfg->pools[i].name)) {
			json_array_append_new(pools, json_pack("{s:s, s:s, s:b, s:b}", "name", ctx->zcfg->pools[i].name,
							       "health", "MISSING", "imported", 0, "in_config", 1));
			if (text)
				fprintf(text, "  %-16s MISSING   (in the config, not found)\n", ctx->zcfg->pools[i].name);
		}
	json_object_set_new(z, "pools", pools);

	json_t *dss = json_array();
	if (text)
		fprintf(text, "Managed datasets:\n");
	static const char *const keyprops[] = { "used", "available", "quota", "reservation", "recordsize",
						"compression", "sync", "mountpoint", "mounted" };
	for (size_t i = 0; ctx->zcfg && i < ctx->zcfg->n_datasets; i++) {
		const struct zcfg_dataset *dc = &ctx->zcfg->datasets[i];
		const struct zfs_dataset *ds = zfs_state_dataset(ctx->zst, dc->full);
		json_t *o = json_pack("{s:s, s:b}", "name", dc->full, "exists", ds != NULL);
		json_t *props = json_object();
		json_t *drift = json_array();
		for (size_t k = 0; ds && k < sizeof(keyprops) / sizeof(keyprops[0]); k++) {
			const struct zprop *pr = zfs_dataset_prop(ds, keyprops[k]);
			if (pr)
				json_object_set_new(props, keyprops[k], json_string(pr->value));
		}
		for (size_t k = 0; ds && k < dc->props.n; k++) {
			const struct zprop *pr = zfs_dataset_prop(ds, dc->props.v[k].name);
			if (!pr || strcmp(pr->value, dc->props.v[k].norm)) {
				json_array_append_new(drift, json_pack("{s:s, s:s, s:s}", "property", dc->props.v[k].name,
								       "current", pr ? pr->value : "-", "config",
								       dc->props.v[k].norm));
			}
		}
		json_object_set_new(o, "properties", props);
		json_object_set_new(o, "drift", drift);
		if (text) {
			if (!ds) {
				fprintf(text, "  %-36s MISSING\n", dc->full);
			} else {
				char *u = zfs_format_size(prop_u64(ds, "used"));
				char *a = zfs_format_size(prop_u64(ds, "available"));
				char *q = zprop_display("quota", prop_str(ds, "quota"));
				fprintf(text, "  %-36s used %-7s avail %-7s quota %-7s %s %s\n", dc->full, u, a, q,
					prop_str(ds, "compression"), prop_str(ds, "mounted")[0] == 'y'
					? prop_str(ds, "mountpoint") : "(not mounted)");
				free(u);
				free(a);
				free(q);
				for (size_t k = 0; k < json_array_size(drift); k++) {
					json_t *d = json_array_get(drift, k);
					char *raw = zprop_display(json_string_value(json_object_get(d, "property")),
								  json_string_value(json_object_get(d, "current")));
					char *cur = zfs_value_display(raw);
					free(raw);
					char *want = zprop_display(json_string_value(json_object_get(d, "property")),
								   json_string_value(json_object_get(d, "config")));
					fprintf(text, "    drift: %s is %s, the config says %s\n",
						json_string_value(json_object_get(d, "property")), cur, want);
					free(cur);
					free(want);
				}
			}
		}
		json_array_append_new(dss, o);
	}
	json_object_set_new(z, "datasets", dss);

	json_t *un = json_array();
	for (size_t i = 0; i < ctx->zst->n_datasets; i++) {
		const struct zfs_dataset *ds = &ctx->zst->datasets[i];
		const char *slash = strchr(ds->name, '/');
		if (!slash || !ctx->zcfg || zfs_config_dataset(ctx->zcfg, ds->name))
			continue;
		char *pool = xstrndup(ds->name, (size_t)(slash - ds->name));
		bool ours = zfs_config_pool(ctx->zcfg, pool) != NULL;
		free(pool);
		if (!ours)
			continue;
		json_array_append_new(un, json_string(ds->name));
	}
	if (text && json_array_size(un)) {
		fprintf(text, "Unmanaged datasets (left alone):\n");
		for (size_t i = 0; i < json_array_size(un); i++)
			fprintf(text, "  %s\n", json_string_value(json_array_get(un, i)));
	}
	json_object_set_new(z, "unmanaged", un);
	json_object_set_new(out, "zfs", z);
}

static void zfs_free(void *priv)
{
	(void)priv;
}

const struct subsystem zfs_subsystem = {
	.name = "zfs",
	.load = zfs_load,
	.discover = zfs_discover,
	.plan = zfs_plan,
	.status = zfs_status,
	.free = zfs_free,
};
