/* The ZFS subsystem: config, discovery, plan and status of pools and datasets. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>

#include "engine/ctx.h"
#include "engine/run.h"
#include "config/zfs_config.h"
#include "config/zprops.h"
#include "plan/mounts.h"
#include "plan/zfs_plan.h"
#include "plan/zfs_topo.h"
#include "state/zfs_state.h"
#include "sys/disk.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strbuf.h"

/* The zfs front door's private data: ZFS config, state and host facts, and the view others read. */
struct door {
	struct zfs_config all;   /* the whole zfs section, every node's */
	struct zfs_config cfg;   /* this node's view of it (zfs_config_for_node): what is planned here */
	struct zfs_state st;
	struct zfs_facts facts;
	struct zfs_view view;
};

/*
 * The key file a keylocation=file://PATH names, checked the way ZFS will read
 * it (the real path, never under --root): it exists, is a regular file, is
 * owned by root and readable by nobody else (mode 0600 or stricter). Only
 * stat(2): the file is never opened, so its content cannot reach a log, a
 * diagnostic or an argv. Problems are errors at the property's position.
 */
static void check_key_file(const struct config_src *src, const struct zcfg_prop *pr, struct diag_list *dl)
{
	if (strcmp(pr->name, "keylocation") || strncmp(pr->norm, "file://", 7))
		return;
	const char *path = pr->norm + 7;
	struct stat sb;
	char *hint = NULL;
	if (stat(path, &sb)) {
		hint = xasprintf("create it before apply, e.g. 'dd if=/dev/urandom of=%s bs=32 count=1; chmod 600 %s' "
				 "for keyformat=raw", path, path);
		cfg_diag(dl, src, DIAG_ERROR, pr->jpath, hint, "key file '%s' does not exist", path);
	} else if (!S_ISREG(sb.st_mode)) {
		cfg_diag(dl, src, DIAG_ERROR, pr->jpath, "point keylocation at a regular file",
			 "key file '%s' is not a regular file", path);
	} else if (sb.st_mode & 077) {
		hint = xasprintf("chmod 600 %s", path);
		cfg_diag(dl, src, DIAG_ERROR, pr->jpath, hint,
			 "key file '%s' has mode %04o: others than its owner can read it (0600 or stricter is needed)", path,
			 (unsigned)(sb.st_mode & 07777));
	} else if (sb.st_uid != 0) {
		hint = xasprintf("chown root:root %s", path);
		cfg_diag(dl, src, DIAG_ERROR, pr->jpath, hint, "key file '%s' is owned by uid %u, not root", path,
			 (unsigned)sb.st_uid);
	}
	free(hint);
}

static void check_key_files(const struct zfs_config *cfg, const struct config_src *src, struct diag_list *dl)
{
	for (size_t i = 0; i < cfg->n_pools; i++)
		for (size_t k = 0; k < cfg->pools[i].options.n; k++)
			check_key_file(src, &cfg->pools[i].options.v[k], dl);
	for (size_t i = 0; i < cfg->n_datasets; i++)
		for (size_t k = 0; k < cfg->datasets[i].props.n; k++)
			check_key_file(src, &cfg->datasets[i].props.v[k], dl);
}

static int zfs_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct door *d = xcalloc(1, sizeof(*d));
	*priv = d;
	d->view.cfg = &d->cfg;
	d->view.root = ctx->root;
	/* loaded only for what the others need (--only nfs): what the zfs plan would do does not happen */
	d->view.zfs_left_out = !run_selected(ctx, "zfs");
	ctx->zfs = &d->view;
	int rc = zfs_config_load(&ctx->main, &d->all, dl);
	zfs_config_for_node(&d->all, ctx->node, &d->cfg);
	/* Every configured disk, resolved to the device it is (real /sys, never --root: disks are real). */
	struct zfs_facts *f = &d->facts;
	for (size_t i = 0; i < d->cfg.n_pools; i++) {
		const struct zcfg_pool *pc = &d->cfg.pools[i];
		f->disks = xrealloc(f->disks, (f->n_disks + pc->n_disks) * sizeof(*f->disks));
		for (size_t k = 0; k < pc->n_disks; k++) {
			struct zfs_disk_fact *df = &f->disks[f->n_disks++];
			memset(df, 0, sizeof(*df));
			df->disk = xstrdup(pc->disks[k]);
			disk_id_resolve(df->disk, "/sys", &df->id);
			df->media = disk_media_of(&df->id, "/sys");
		}
	}
	size_t before = diag_count(dl, DIAG_ERROR);
	zfs_check_same_devices(&d->cfg, f, &ctx->main, dl);
	check_key_files(&d->cfg, &ctx->main, dl);
	if (diag_count(dl, DIAG_ERROR) > before)
		rc = -1;
	if (d->cfg.allow_destructive)
		cfg_diag(dl, &ctx->main, DIAG_WARNING, "zfs.settings.allow_destructive_operations",
			 "pass --allow-wipe DISK to apply for each disk that may be wiped",
			 "this setting is ignored: wiping a disk always needs --allow-wipe DISK on the command line");
	return rc;
}

static void read_arc_facts(const char *root, struct zfs_facts *f)
{
	char *p = root_path(root, "/etc/modprobe.d/zfs.conf");
	if (read_file(p, &f->modprobe_text, NULL))
		f->modprobe_text = NULL;
	free(p);
	p = root_path(root, "/sys/module/zfs/parameters/zfs_arc_max");
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
static void warn_odd_values(const struct door *d, const struct config_src *src, struct diag_list *dl)
{
	const struct zfs_state *st = &d->st;
	for (size_t i = 0; st->n_odd && i < st->n_datasets; i++) {
		const struct zfs_dataset *ds = &st->datasets[i];
		const struct zcfg_dataset *dc = zfs_config_dataset(&d->cfg, ds->name);
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
				cfg_diag(dl, src, DIAG_WARNING, jp, NULL, fmt, ds->name, z->name, shown,
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

/* Does pool zp have the configured disk df as a vdev (data or auxiliary)? */
static bool pool_has_disk(const struct zpool *zp, const struct zfs_disk_fact *df)
{
	for (size_t k = 0; k < zp->n_vdevs + zp->n_aux; k++)
		if (zfs_vdev_is(k < zp->n_vdevs ? &zp->vdevs[k] : &zp->aux[k - zp->n_vdevs], &df->id, df->disk))
			return true;
	return false;
}

/*
 * The ZFS state: zfs_state_discover for the pools of the config (all pools
 * when it names none: the mount guard needs every managed dataset), odd
 * property values warned about, pools not imported looked for on their disks,
 * vdevs resolved to devices, the disks of pools to create and of vdevs a pool
 * lacks probed, the ARC facts. Returns 0, or -1 when ZFS cannot be read and the config has a zfs
 * section (errors in dl).
 */
static int zfs_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	struct door *d = priv;
	d->view.st = &d->st;
	/*
	 * Without pools in the config, every pool is read: other subsystems still
	 * need the managed datasets (mount-before-use). Without a zfs section at all,
	 * a host with no ZFS is not an error.
	 */
	struct strvec pools = { 0 };
	for (size_t i = 0; i < d->cfg.n_pools; i++)
		sv_push(&pools, d->cfg.pools[i].name);
	struct diag_list quiet = { 0 };
	/* a config whose pools are all on other nodes names pools: none is read */
	int drc = zfs_state_discover(&d->st, d->all.n_pools ? &pools : NULL, d->cfg.present ? dl : &quiet);
	sv_free(&pools);
	diag_list_free(&quiet);
	if (drc && d->cfg.present)
		return -1;
	if (!d->cfg.present)
		return 0;
	warn_odd_values(d, &ctx->main, dl);
	/* The fourth program, only when a configured pool that exists has properties to converge. */
	struct strvec with_props = { 0 };
	for (size_t i = 0; i < d->cfg.n_pools; i++) {
		const struct zpool *zp = zfs_state_pool(&d->st, d->cfg.pools[i].name);
		if (d->cfg.pools[i].properties.n && zp && zpool_readable(zp))
			sv_push(&with_props, zp->name);
	}
	int prc = with_props.n ? zfs_state_read_pool_props(&d->st, &with_props, dl) : 0;
	sv_free(&with_props);
	if (prc)
		return -1;
	/* Pools of the config that are not imported: look for them on their disks. */
	struct strvec dirs = { 0 };
	bool to_create = false;
	for (size_t i = 0; i < d->cfg.n_pools; i++) {
		const struct zcfg_pool *pc = &d->cfg.pools[i];
		if (zfs_state_pool(&d->st, pc->name))
			continue;
		to_create = true;
		for (size_t k = 0; k < pc->n_disks; k++) {
			char *dir = path_dir(pc->disks[k]);
			bool seen = false;
			for (size_t j = 0; j < dirs.n; j++)
				seen |= !strcmp(dirs.v[j], dir);
			if (!seen)
				sv_push(&dirs, dir);
			free(dir);
		}
	}
	int rc = dirs.n ? zfs_state_scan_importable(&d->st, &dirs, dl) : 0;
	/* Every vdev of every pool read, as the device it is: no program, stat and /sys only. */
	if (d->cfg.n_pools)
		zfs_state_resolve_vdevs(&d->st, &dirs, "/sys");
	sv_free(&dirs);
	struct zfs_facts *f = &d->facts;
	/* Probe the disks that would become vdevs: of pools to create, and those an imported pool lacks. */
	bool *probe = xcalloc(f->n_disks + 1, sizeof(bool));
	bool any = false;
	for (size_t i = 0; i < d->cfg.n_pools; i++) {
		const struct zcfg_pool *pc = &d->cfg.pools[i];
		const struct zpool *zp = zfs_state_pool(&d->st, pc->name);
		if (zp && zp->importable)
			continue;
		for (size_t k = 0; k < pc->n_disks; k++) {
			struct zfs_disk_fact *df = disk_fact(f, pc->disks[k]);
			if (df && (!zp || !pool_has_disk(zp, df)))
				any = probe[df - f->disks] = true;
		}
	}
	if (to_create || any)
		disk_host_read(&f->host, "/proc", "/sys");
	for (size_t i = 0; i < f->n_disks; i++)
		if (probe[i] && !f->disks[i].probe.exists && !f->disks[i].probe.error)
			disk_probe(f->disks[i].disk, &f->disks[i].probe);
	free(probe);
	read_arc_facts(ctx->root, f);
	return rc;
}

/* validate: the capacity lint needs the pools' sizes: read them when ZFS answers, quietly skip otherwise. */
static void zfs_lint(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	(void)ctx;
	struct door *d = priv;
	if (!d || !d->cfg.n_pools)
		return;
	struct diag_list quiet = { 0 };
	struct strvec pools = { 0 };
	for (size_t i = 0; i < d->cfg.n_pools; i++)
		sv_push(&pools, d->cfg.pools[i].name);
	d->view.st = &d->st;
	int drc = zfs_state_discover(&d->st, &pools, &quiet);
	sv_free(&pools);
	if (drc == 0)
		zfs_lint_capacity(&d->cfg, &d->st, dl);
	diag_list_free(&quiet);
}

static void zfs_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	const struct door *d = priv;
	struct zfs_plan_in in = { .cfg = &d->cfg, .st = &d->st, .facts = &d->facts, .root = ctx->root,
				  .allow_wipe = &ctx->allow_wipe, .allow_grow = ctx->allow_grow_pool };
	zfs_plan_build(&in, p);
	for (size_t i = 0; i < d->cfg.away_lines.n; i++)
		sv_pushf(&p->elsewhere, "zfs: %s", d->cfg.away_lines.v[i]);
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

/*
 * The auxiliary vdevs of zp (log, cache, special, spares, dedup) as status
 * shows them: [{"group": "logs", "name": "mirror-1", "state", "disks":
 * [{"name", "state"}]}], one entry per top-level vdev of a group (a lone disk
 * is its own entry, with itself as its disk). New reference.
 */
static json_t *aux_status(const struct zpool *zp)
{
	json_t *a = json_array();
	json_t *cur = NULL;
	for (size_t i = 0; i < zp->n_aux; i++) {
		const struct vdev *v = &zp->aux[i];
		json_t *disk = json_pack("{s:s, s:s}", "name", v->name, "state", v->state ? v->state : "-");
		if (v->depth == 0 || !cur) {
			cur = json_pack("{s:s, s:s, s:s, s:s, s:[]}", "group", vdev_group_name(v->group), "type",
					v->leaf ? "disk" : vdev_layout_of(v->name), "name", v->name, "state",
					v->state ? v->state : "-", "disks");
			json_array_append_new(a, cur);
			if (v->leaf) {
				json_array_append_new(json_object_get(cur, "disks"), disk);
				continue;
			}
			json_decref(disk);
			continue;
		}
		json_array_append_new(json_object_get(cur, "disks"), disk);
	}
	return a;
}

/* Text lines of aux_status: "    logs mirror-1 ONLINE: /d/e ONLINE, /d/f ONLINE". */
static void aux_text(json_t *aux, FILE *text)
{
	for (size_t i = 0; i < json_array_size(aux); i++) {
		json_t *v = json_array_get(aux, i);
		json_t *disks = json_object_get(v, "disks");
		fprintf(text, "    %s %s %s", json_string_value(json_object_get(v, "group")),
			json_string_value(json_object_get(v, "name")), json_string_value(json_object_get(v, "state")));
		bool lone = !strcmp(json_string_value(json_object_get(v, "type")), "disk");
		for (size_t k = 0; !lone && k < json_array_size(disks); k++) {
			json_t *dk = json_array_get(disks, k);
			fprintf(text, "%s%s %s", k ? ", " : ": ", json_string_value(json_object_get(dk, "name")),
				json_string_value(json_object_get(dk, "state")));
		}
		fprintf(text, "\n");
	}
}

/*
 * The pool properties pc manages, as zpool get read them: [{"property",
 * "value", "source", "config", "converged"}] (value null when zpool did not
 * print it); converged as the plan decides it (zpool_prop_converged). New
 * reference.
 */
static json_t *pool_props_status(const struct zcfg_pool *pc, const struct zpool *zp)
{
	json_t *a = json_array();
	for (size_t i = 0; zp->props_read && i < pc->properties.n; i++) {
		const struct zcfg_prop *pr = &pc->properties.v[i];
		const struct zpool_prop *cur = zpool_get_prop(zp, pr->name);
		bool same = zpool_prop_converged(pr, cur);
		json_array_append_new(a, json_pack("{s:s, s:s?, s:s, s:s, s:b}", "property", pr->name, "value",
						   cur ? cur->value : NULL, "source", cur ? cur->source : "-", "config",
						   pr->value, "converged", same));
	}
	return a;
}

static json_t *pool_status(const struct door *d, const struct zpool *zp, FILE *text)
{
	const struct zfs_dataset *root = zfs_state_dataset(&d->st, zp->name);
	uint64_t used = root ? prop_u64(root, "used") : 0, avail = root ? prop_u64(root, "available") : 0;
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", zp->name, "health",
			      zp->state ? zp->state : "UNKNOWN", "layout", zp->layout, "imported", !zp->importable,
			      "in_config", zfs_config_pool(&d->cfg, zp->name) != NULL);
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
	const struct zcfg_pool *pc = zfs_config_pool(&d->cfg, zp->name);
	json_t *aux = aux_status(zp);
	json_t *props = pc && !zp->importable ? pool_props_status(pc, zp) : json_array();
	json_t *drift = json_array();
	if (pc && !zp->importable) {
		/* the plan's own findings (zfs_pool_drift), not a second comparison */
		struct diag_list dl = { 0 };
		zfs_pool_drift(pc, zp, &d->facts, &dl);
		for (size_t i = 0; i < dl.n; i++)
			json_array_append_new(drift, json_string(dl.v[i].msg));
		diag_list_free(&dl);
	}
	json_object_set_new(o, "aux", aux);
	json_object_set_new(o, "properties", props);
	json_object_set_new(o, "drift", drift);
	if (text) {
		char *s = zfs_format_size(used + avail), *u = zfs_format_size(used), *a = zfs_format_size(avail);
		fprintf(text, "  %-16s %-9s %-7s size %-8s used %-8s free %-8s%s\n", zp->name,
			zp->state ? zp->state : "UNKNOWN", zp->layout, root ? s : "-", root ? u : "-", root ? a : "-",
			zp->importable ? " (not imported)" : "");
		for (size_t i = 0; i < zp->n_vdevs; i++)
			if (strcmp(zp->vdevs[i].state, "ONLINE"))
				fprintf(text, "    %s %s\n", zp->vdevs[i].name, zp->vdevs[i].state);
		aux_text(aux, text);
		for (size_t i = 0; i < json_array_size(props); i++) {
			json_t *pr = json_array_get(props, i);
			const char *cur = json_string_value(json_object_get(pr, "value"));
			const char *want = json_string_value(json_object_get(pr, "config"));
			fprintf(text, "    property %s %s (%s)", json_string_value(json_object_get(pr, "property")),
				cur ? cur : "-", json_string_value(json_object_get(pr, "source")));
			if (!json_is_true(json_object_get(pr, "converged")))
				fprintf(text, ", the config says %s", want);
			fprintf(text, "\n");
		}
		for (size_t i = 0; i < json_array_size(drift); i++)
			fprintf(text, "    drift: %s\n", json_string_value(json_array_get(drift, i)));
		free(s);
		free(u);
		free(a);
	}
	return o;
}

/*
 * The zfs member of `status`: every pool (health, layout, sizes, vdevs not
 * ONLINE, the config's pools that are missing), every managed dataset with
 * its key properties and drift from the config, the unmanaged datasets of
 * the config's pools. Text lines go to text when it is not NULL.
 */
static void zfs_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	(void)ctx;
	const struct door *d = priv;
	if (!d || !d->view.st)
		return;
	json_t *z = json_object();
	json_t *pools = json_array();
	if (text)
		fprintf(text, "Pools:\n");
	for (size_t i = 0; i < d->st.n_pools; i++)
		json_array_append_new(pools, pool_status(d, &d->st.pools[i], text));
	for (size_t i = 0; i < d->cfg.n_pools; i++)
		if (!zfs_state_pool(&d->st, d->cfg.pools[i].name)) {
			json_array_append_new(pools, json_pack("{s:s, s:s, s:b, s:b}", "name", d->cfg.pools[i].name,
							       "health", "MISSING", "imported", 0, "in_config", 1));
			if (text)
				fprintf(text, "  %-16s MISSING   (in the config, not found)\n", d->cfg.pools[i].name);
		}
	json_object_set_new(z, "pools", pools);

	json_t *dss = json_array();
	if (text)
		fprintf(text, "Managed datasets:\n");
	static const char *const keyprops[] = { "used", "available", "quota", "reservation", "recordsize",
						"compression", "sync", "mountpoint", "mounted", "encryption", "keystatus" };
	for (size_t i = 0; i < d->cfg.n_datasets; i++) {
		const struct zcfg_dataset *dc = &d->cfg.datasets[i];
		const struct zfs_dataset *ds = zfs_state_dataset(&d->st, dc->full);
		json_t *o = json_pack("{s:s, s:b}", "name", dc->full, "exists", ds != NULL);
		json_t *props = json_object();
		json_t *drift = json_array();
		for (size_t k = 0; ds && k < sizeof(keyprops) / sizeof(keyprops[0]); k++) {
			const struct zprop *pr = zfs_dataset_prop(ds, keyprops[k]);
			if (pr)
				json_object_set_new(props, keyprops[k], json_string(pr->value));
		}
		for (size_t k = 0; ds && k < dc->props.n; k++) {
			const struct zcfg_prop *cp = &dc->props.v[k];
			const struct zprop *pr = zfs_dataset_prop(ds, cp->name);
			bool drifted = cp->inherit ? pr && !strcmp(pr->source, "local")
						   : !pr || !zfs_caps_value_eq(&d->st.caps, cp->name, pr->value, cp->norm);
			if (drifted) {
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
				const char *ks = prop_str(ds, "keystatus");
				fprintf(text, "  %-36s used %-7s avail %-7s quota %-7s %s %s%s%s\n", dc->full, u, a, q,
					prop_str(ds, "compression"), prop_str(ds, "mounted")[0] == 'y'
					? prop_str(ds, "mountpoint") : "(not mounted)",
					strcmp(ks, "-") && strcmp(ks, "none") ? " key " : "",
					strcmp(ks, "-") && strcmp(ks, "none") ? ks : "");
				free(u);
				free(a);
				free(q);
				for (size_t k = 0; k < json_array_size(drift); k++) {
					json_t *dr = json_array_get(drift, k);
					char *raw = zprop_display(json_string_value(json_object_get(dr, "property")),
								  json_string_value(json_object_get(dr, "current")));
					char *cur = zfs_value_display(raw);
					free(raw);
					char *want = zprop_display(json_string_value(json_object_get(dr, "property")),
								   json_string_value(json_object_get(dr, "config")));
					fprintf(text, "    drift: %s is %s, the config says %s\n",
						json_string_value(json_object_get(dr, "property")), cur, want);
					free(cur);
					free(want);
				}
			}
		}
		json_array_append_new(dss, o);
	}
	json_object_set_new(z, "datasets", dss);

	json_t *un = json_array();
	for (size_t i = 0; i < d->st.n_datasets; i++) {
		const struct zfs_dataset *ds = &d->st.datasets[i];
		const char *slash = strchr(ds->name, '/');
		if (!slash || zfs_config_dataset(&d->cfg, ds->name))
			continue;
		char *pool = xstrndup(ds->name, (size_t)(slash - ds->name));
		bool ours = zfs_config_pool(&d->cfg, pool) != NULL;
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
	struct door *d = priv;
	if (!d)
		return;
	zfs_config_free(&d->cfg);
	zfs_config_free(&d->all);
	zfs_state_free(&d->st);
	zfs_facts_free(&d->facts);
	free(d);
}

const struct subsystem zfs_subsystem = {
	.name = "zfs",
	.load = zfs_load,
	.discover = zfs_discover,
	.lint = zfs_lint,
	.plan = zfs_plan,
	.status = zfs_status,
	.free = zfs_free,
};
