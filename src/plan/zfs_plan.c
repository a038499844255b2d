#include "plan/zfs_plan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config/zfs_config.h"
#include "config/zprops.h"
#include "state/zfs_state.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strbuf.h"

void zfs_facts_free(struct zfs_facts *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_disks; i++) {
		free(f->disks[i].disk);
		disk_probe_free(&f->disks[i].probe);
	}
	free(f->disks);
	disk_host_free(&f->host);
	free(f->modprobe_text);
	memset(f, 0, sizeof(*f));
}

void arc_write_free(void *data)
{
	struct arc_write *w = data;
	if (!w)
		return;
	free(w->path);
	free(w->content);
	free(w);
}

static const struct zfs_disk_fact *fact_for(const struct zfs_facts *f, const char *disk)
{
	for (size_t i = 0; f && i < f->n_disks; i++)
		if (!strcmp(f->disks[i].disk, disk))
			return &f->disks[i];
	return NULL;
}

static const struct disk_id no_id;

/* The identity of a configured disk, or an unresolved one (then names are compared). */
static const struct disk_id *id_of(const struct zfs_facts *f, const char *disk)
{
	const struct zfs_disk_fact *df = fact_for(f, disk);
	return df ? &df->id : &no_id;
}

static bool wipe_allowed(const struct zfs_plan_in *in, const char *disk)
{
	for (size_t i = 0; i < in->allow_wipe->n; i++)
		if (!strcmp(in->allow_wipe->v[i], disk))
			return true;
	return false;
}

/* Is vdev v (data or auxiliary) the disk, by identity (or by name when either is unresolved)? */
static bool vdev_is(const struct vdev *v, const struct disk_id *id, const char *disk)
{
	return v->leaf && disk_matches(&v->id, v->was && v->name[0] != '/' ? v->was : v->name, id, disk);
}

/* The pool (imported, or importable when asked) that has disk as a vdev, or NULL; *vd gets the vdev. */
static const struct zpool *pool_with_disk(const struct zfs_state *st, const struct disk_id *id, const char *disk,
					  bool importable, const struct vdev **vd)
{
	for (size_t i = 0; i < st->n_pools; i++) {
		const struct zpool *zp = &st->pools[i];
		if (zp->importable != importable)
			continue;
		for (size_t k = 0; k < zp->n_vdevs + zp->n_aux; k++) {
			const struct vdev *v = k < zp->n_vdevs ? &zp->vdevs[k] : &zp->aux[k - zp->n_vdevs];
			if (vdev_is(v, id, disk)) {
				*vd = v;
				return zp;
			}
		}
	}
	return NULL;
}

/* "pool 'L'" plus the vdev's own name when it is not the configured one. Caller frees. */
static char *pool_and_vdev(const struct zpool *zp, const struct vdev *v, const char *disk)
{
	return strcmp(v->name, disk) ? xasprintf("pool '%s' (vdev '%s')", zp->name, v->name)
				     : xasprintf("pool '%s'", zp->name);
}

void zfs_check_same_devices(const struct zfs_config *cfg, const struct zfs_facts *f,
			    const struct config_src *src, struct diag_list *dl)
{
	for (size_t pi = 0; pi < cfg->n_pools; pi++)
		for (size_t di = 0; di < cfg->pools[pi].n_disks; di++) {
			const char *d = cfg->pools[pi].disks[di];
			const struct disk_id *id = id_of(f, d);
			bool reported = false;
			for (size_t pj = 0; pj <= pi && !reported && disk_id_known(id); pj++)
				for (size_t dj = 0; dj < (pj == pi ? di : cfg->pools[pj].n_disks) && !reported; dj++) {
					const char *e = cfg->pools[pj].disks[dj];
					const struct disk_id *eid = id_of(f, e);
					if (!strcmp(d, e) || !disk_id_overlaps(id, eid))
						continue;
					const struct disk_ref *a = &id->self, *b = &eid->self;
					bool same = a->kind == b->kind && a->dev == b->dev && a->ino == b->ino;
					const char *rel = same ? "is the same device as"
							  : a->kind != b->kind ? (a->kind == DISK_ID_BLOCK ? "is a loop device on"
												      : "is the file behind")
							  : a->kind == DISK_ID_FILE ? "is on the same file as"
							  : a->whole == b->dev ? "is a partition of"
							  : b->whole == a->dev ? "holds the partition"
							  : "is a loop device on the same file as";
					char *jp = xasprintf("%s.disks[%zu]", cfg->pools[pi].jpath, di);
					cfg_diag(dl, src, DIAG_ERROR, jp,
						 "a device can belong to one pool only, named once; keep one of the two entries",
						 "disk '%s' %s '%s' (%s.disks[%zu])", d, rel, e, cfg->pools[pj].jpath, dj);
					free(jp);
					reported = true;
				}
		}
}

char *zfs_value_display(const char *v)
{
	bool plain = true;
	for (const char *c = v; *c && plain; c++)
		plain = (unsigned char)*c >= 0x20 && *c != 0x7f;
	if (plain)
		return xstrdup(v);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		if (*c == '\n')
			sb_adds(&sb, "\\n");
		else if (*c == '\t')
			sb_adds(&sb, "\\t");
		else if (*c == '\r')
			sb_adds(&sb, "\\r");
		else if (*c == '\\')
			sb_adds(&sb, "\\\\");
		else if (*c < 0x20 || *c == 0x7f)
			sb_addf(&sb, "\\x%02x", *c);
		else
			sb_addc(&sb, (char)*c);
	}
	return sb_detach(&sb);
}

/* "mirror: /a, /b" style description of a pool's layout in the config. */
static char *describe_layout(const struct zcfg_pool *pc)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_addf(&sb, "%s: ", pc->layout);
	for (size_t i = 0; i < pc->n_disks; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", pc->disks[i]);
	return sb_detach(&sb);
}

/* Checks an existing pool against the config: layout drift is reported, never "fixed". */
static void check_existing_pool(const struct zcfg_pool *pc, const struct zpool *zp, const struct zfs_facts *f,
				struct plan *p)
{
	struct strbuf missing = STRBUF_INIT;
	sb_init(&missing);
	for (size_t i = 0; i < pc->n_disks; i++) {
		const struct disk_id *id = id_of(f, pc->disks[i]);
		bool found = false;
		for (size_t k = 0; k < zp->n_vdevs + zp->n_aux && !found; k++)
			found = vdev_is(k < zp->n_vdevs ? &zp->vdevs[k] : &zp->aux[k - zp->n_vdevs], id, pc->disks[i]);
		if (!found)
			sb_addf(&missing, "%s'%s'", missing.len ? ", " : "", pc->disks[i]);
	}
	const char *hint = "phoenix-storage never changes a pool's layout; change the pool by hand, or the config to match";
	if (strcmp(pc->layout, zp->layout))
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, pc->jpath, hint,
			 "pool '%s' drifted from the config: its layout is %s, the config says %s",
			 zp->name, zp->layout, pc->layout);
	if (missing.len)
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, pc->jpath, hint,
			 "pool '%s' drifted from the config: disks not in the pool: %s", zp->name, missing.buf);
	if (zp->state && strcmp(zp->state, "ONLINE"))
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, pc->jpath, "see 'zpool status -x' for details",
			 "pool '%s' is %s", zp->name, zp->state);
	sb_release(&missing);
}

/* The datasets of an imported pool can only be planned once it is imported: apply plans again. */
static const struct replan_note after_import = { "Pool imported; planning its datasets.", "stopped after the import" };

static void plan_import(const struct zcfg_pool *pc, const struct zpool *zp, struct plan *p)
{
	struct action *a = plan_add(p, PHASE_POOL_IMPORT, OP_CREATE, "zfs", "import-pool", pc->name,
				    "import pool %s (found on its disks, not imported; state %s)", pc->name,
				    zp->state ? zp->state : "unknown");
	a->replan = &after_import;
	struct strvec argv = { 0 };
	sv_push(&argv, zpool_prog());
	sv_push(&argv, "import");
	struct strvec dirs = { 0 };
	for (size_t i = 0; i < pc->n_disks; i++) {
		char *d = path_dir(pc->disks[i]);
		bool seen = false;
		for (size_t k = 0; k < dirs.n; k++)
			seen |= !strcmp(dirs.v[k], d);
		if (!seen) {
			sv_push(&dirs, d);
			sv_push(&argv, "-d");
			sv_push(&argv, d);
		}
		free(d);
	}
	sv_free(&dirs);
	sv_push(&argv, pc->name);
	action_add_cmd(a, &argv);
	if (strcmp(pc->layout, zp->layout))
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, pc->jpath,
			 "phoenix-storage never changes a pool's layout",
			 "pool '%s' found for import is %s, the config says %s", pc->name, zp->layout, pc->layout);
}

/* Disk checks before a pool is created; adds wipe actions when --allow-wipe permits. Returns 0 if creatable. */
static int check_disks_for_create(const struct zfs_plan_in *in, const struct zcfg_pool *pc,
				  const struct zfs_facts *f, struct plan *p, bool *force)
{
	int blocked = 0;
	for (size_t i = 0; i < pc->n_disks; i++) {
		const char *disk = pc->disks[i];
		char *jp = xasprintf("%s.disks[%zu]", pc->jpath, i);
		const struct zfs_disk_fact *df = fact_for(f, disk);
		const struct disk_probe *pr = df ? &df->probe : NULL;
		const struct disk_id *id = df ? &df->id : &no_id;
		const struct vdev *vd = NULL, *evd = NULL;
		const struct zpool *member = pool_with_disk(in->st, id, disk, false, &vd);
		const struct zpool *exported = pool_with_disk(in->st, id, disk, true, &evd);
		const struct disk_user *user = f ? disk_host_user(&f->host, id) : NULL;
		if (member) {
			/* In use: no flag overrides this, and the hint never offers --allow-wipe. */
			char *who = pool_and_vdev(member, vd, disk);
			char *hint = xasprintf("a disk in use is never wiped, not even with --allow-wipe; remove it from the config, "
					       "or detach it from pool '%s' first", member->name);
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp, hint,
				 "cannot create pool '%s': disk '%s' is a member of %s", pc->name, disk, who);
			free(who);
			free(hint);
			blocked++;
		} else if (!pr || !pr->exists) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp,
				 pr && pr->error ? pr->error : "check the path (ls -l /dev/disk/by-id/)",
				 "cannot create pool '%s': disk '%s' does not exist", pc->name, disk);
			blocked++;
		} else if (pr->error) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp, NULL,
				 "cannot create pool '%s': %s", pc->name, pr->error);
			blocked++;
		} else if (user) {
			char *hint = NULL;
			char *why = disk_user_describe(user, disk, &hint);
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp, hint, "cannot create pool '%s': disk '%s' %s",
				 pc->name, disk, why);
			free(why);
			free(hint);
			blocked++;
		} else if (pr->signature || exported) {
			char *who = exported ? pool_and_vdev(exported, evd, disk) : NULL;
			char *what = exported ? xasprintf("belongs to exported %s", who)
					      : xasprintf("is not empty (%s found)", pr->signature);
			free(who);
			if (wipe_allowed(in, disk)) {
				struct action *a = plan_add(p, PHASE_DISK_WIPE, OP_REMOVE, "zfs", "wipe-disk", disk,
							    "wipe %s (it %s) before creating pool %s", disk, what, pc->name);
				a->destructive = true;
				struct strvec argv = { 0 };
				sv_push(&argv, "wipefs");
				sv_push(&argv, "-a");
				sv_push(&argv, disk);
				action_add_cmd(a, &argv);
				*force = true;
			} else {
				char *hint = xasprintf("if its data may be destroyed, run apply with --allow-wipe %s", disk);
				diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp, hint,
					 "cannot create pool '%s': disk '%s' %s", pc->name, disk, what);
				free(hint);
				blocked++;
			}
			free(what);
		}
		free(jp);
	}
	return blocked ? -1 : 0;
}

static size_t maintenance_props(const struct zcfg_pool *pc, const char *names[2], const char *values[2]);

static void plan_create_pool(const struct zfs_plan_in *in, const struct zcfg_pool *pc,
			     const struct zfs_facts *f, struct plan *p)
{
	bool force = false;
	check_disks_for_create(in, pc, f, p, &force);
	char *layout = describe_layout(pc);
	struct action *a = plan_add(p, PHASE_POOL_CREATE, OP_CREATE, "zfs", "create-pool", pc->name,
				    "create pool %s (%s; ashift=%d)", pc->name, layout, pc->ashift);
	free(layout);
	struct strvec argv = { 0 };
	sv_push(&argv, zpool_prog());
	sv_push(&argv, "create");
	if (force)
		sv_push(&argv, "-f");
	sv_push(&argv, "-o");
	sv_pushf(&argv, "ashift=%d", pc->ashift);
	for (size_t i = 0; i < pc->properties.n; i++) {
		sv_push(&argv, "-o");
		sv_pushf(&argv, "%s=%s", pc->properties.v[i].name, pc->properties.v[i].value);
	}
	for (size_t i = 0; i < pc->options.n; i++) {
		const struct zcfg_prop *o = &pc->options.v[i];
		if (!zfs_caps_has_prop(&in->st->caps, o->name))
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, pc->jpath, "remove it from the pool's options",
				 "this ZFS does not support the property '%s'", o->name);
		sv_push(&argv, "-O");
		sv_pushf(&argv, "%s=%s", o->name, o->norm);
	}
	const char *mnames[2], *mvalues[2];
	size_t mn = maintenance_props(pc, mnames, mvalues);
	for (size_t i = 0; i < mn; i++) {
		sv_push(&argv, "-O");
		sv_pushf(&argv, "%s=%s", mnames[i], mvalues[i]);
	}
	if (pc->mountpoint) {
		sv_push(&argv, "-m");
		sv_push(&argv, pc->mountpoint);
	}
	sv_push(&argv, pc->name);
	if (strcmp(pc->layout, "stripe"))
		sv_push(&argv, pc->layout);
	for (size_t i = 0; i < pc->n_disks; i++)
		sv_push(&argv, pc->disks[i]);
	action_add_cmd(a, &argv);
}

/* Checks a property against this ZFS's capabilities; adds an error and returns -1 if unsupported. */
static int check_caps(const struct zfs_caps *caps, const char *dataset, const char *jpath,
		      const struct zcfg_prop *pr, struct plan *p)
{
	if (!caps->known)
		return 0;
	if (!zfs_caps_has_prop(caps, pr->name)) {
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jpath,
			 "remove it from the config, or run a ZFS that has it (OpenZFS 2.x)",
			 "dataset '%s': this ZFS does not support the property '%s'", dataset, pr->name);
		return -1;
	}
	if (!strcmp(pr->name, "compression") && caps->compression.n) {
		bool ok = false;
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		for (size_t i = 0; i < caps->compression.n; i++) {
			const char *v = caps->compression.v[i];
			ok |= zprop_enum_matches(v, pr->norm);
			sb_addf(&sb, "%s%s", i ? ", " : "", v);
		}
		if (!ok) {
			char *hint = xasprintf("use one of: %s", sb.buf);
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jpath, hint,
				 "dataset '%s': compression '%s' is not supported by this ZFS", dataset, pr->value);
			free(hint);
		}
		sb_release(&sb);
		return ok ? 0 : -1;
	}
	if (!strcmp(pr->name, "recordsize")) {
		uint64_t n = strtoull(pr->norm, NULL, 10);
		if (n > caps->max_recordsize) {
			char *max = zfs_format_size(caps->max_recordsize);
			char *hint = xasprintf("use a recordsize of at most %s on this ZFS", max);
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jpath, hint,
				 "dataset '%s': recordsize '%s' is larger than this ZFS supports (%s)", dataset,
				 pr->value, max);
			free(hint);
			free(max);
			return -1;
		}
	}
	return 0;
}

/* "recordsize=128K, quota=800G" from the config's own spelling. */
static char *describe_props(const struct zcfg_props *ps)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < ps->n; i++)
		sb_addf(&sb, "%s%s=%s", i ? ", " : "", ps->v[i].name, ps->v[i].value);
	return sb_detach(&sb);
}

/* Does the parent of full exist now, or will this plan make it? */
static bool parent_available(const struct zfs_plan_in *in, const char *full)
{
	const char *slash = strrchr(full, '/');
	if (!slash)
		return true;
	char *parent = xstrndup(full, (size_t)(slash - full));
	bool ok = zfs_state_dataset(in->st, parent) || zfs_config_dataset(in->cfg, parent) ||
		  (!strchr(parent, '/') && zfs_config_pool(in->cfg, parent));
	free(parent);
	return ok;
}

static void plan_create_dataset(const struct zfs_plan_in *in, const struct zcfg_dataset *dc, struct plan *p)
{
	if (!parent_available(in, dc->full)) {
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, dc->jpath,
			 "declare the parent dataset in zfs.datasets (parents are created first)",
			 "cannot create dataset '%s': its parent does not exist", dc->full);
		return;
	}
	char *props = describe_props(&dc->props);
	struct strbuf desc = STRBUF_INIT;
	sb_init(&desc);
	if (dc->is_volume) {
		char *vs = zprop_display("volsize", dc->volsize);
		sb_addf(&desc, "volsize=%s", vs);
		free(vs);
	}
	if (dc->mountpoint)
		sb_addf(&desc, "%smountpoint=%s", desc.len ? ", " : "", dc->mountpoint);
	if (*props)
		sb_addf(&desc, "%s%s", desc.len ? ", " : "", props);
	free(props);
	char *jp = xasprintf("%s.properties", dc->jpath);
	for (size_t i = 0; i < dc->props.n; i++)
		check_caps(&in->st->caps, dc->full, jp, &dc->props.v[i], p);
	free(jp);
	struct action *a = plan_add(p, PHASE_DATASET, OP_CREATE, "zfs", "create-dataset", dc->full,
				    "create %s %s%s%s%s", dc->is_volume ? "volume" : "dataset", dc->full,
				    desc.len ? " (" : "", desc.buf, desc.len ? ")" : "");
	sb_release(&desc);
	a->depth = path_depth(dc->full);
	struct strvec argv = { 0 };
	sv_push(&argv, zfs_prog());
	sv_push(&argv, "create");
	if (dc->is_volume) {
		sv_push(&argv, "-V");
		sv_push(&argv, dc->volsize);
	}
	sv_push(&argv, "-o");
	sv_push(&argv, PHOENIX_MANAGED_PROP "=true");
	if (dc->mountpoint) {
		sv_push(&argv, "-o");
		sv_pushf(&argv, "mountpoint=%s", dc->mountpoint);
	}
	for (size_t i = 0; i < dc->props.n; i++) {
		sv_push(&argv, "-o");
		sv_pushf(&argv, "%s=%s", dc->props.v[i].name, dc->props.v[i].norm);
	}
	sv_push(&argv, dc->full);
	action_add_cmd(a, &argv);
}

/* One "set-property" action: zfs set NAME=NORM FULL, shown as "FULL NAME CURRENT -> NORM". */
static void add_set_on(const char *full, const char *name, const char *norm, const char *current, struct plan *p)
{
	char *shown = current ? zprop_display(name, current) : xstrdup("(unset)");
	char *from = zfs_value_display(shown);
	char *to = zprop_display(name, norm);
	free(shown);
	struct action *a = plan_add(p, PHASE_DATASET_PROP, OP_CHANGE, "zfs", "set-property", full,
				    "%s %s %s -> %s", full, name, from, to);
	a->depth = path_depth(full);
	free(from);
	free(to);
	struct strvec argv = { 0 };
	sv_push(&argv, zfs_prog());
	sv_push(&argv, "set");
	sv_pushf(&argv, "%s=%s", name, norm);
	sv_push(&argv, full);
	action_add_cmd(a, &argv);
}

static void add_set(const struct zcfg_dataset *dc, const char *name, const char *norm,
		    const char *current, struct plan *p)
{
	add_set_on(dc->full, name, norm, current, p);
}

/*
 * One mechanism per pool: a scrub or TRIM policy other than "debian" turns
 * Debian's cron off for the pool (org.debian:periodic-scrub / -trim=disable
 * on its root dataset, which the cron scripts read), so the tool's own job or
 * autotrim never runs beside it. Returns the user properties the pool's root
 * must have: 0, 1 or 2 entries of names[] / values[].
 */
static size_t maintenance_props(const struct zcfg_pool *pc, const char *names[2], const char *values[2])
{
	size_t n = 0;
	if (pc->scrub != ZSCRUB_DEBIAN)
		names[n] = "org.debian:periodic-scrub", values[n++] = "disable";
	if (pc->trim != ZTRIM_DEBIAN)
		names[n] = "org.debian:periodic-trim", values[n++] = "disable";
	return n;
}

/* An existing pool: its root gets the maintenance properties it lacks. */
static void plan_pool_maintenance(const struct zfs_state *st, const struct zcfg_pool *pc, struct plan *p)
{
	const struct zfs_dataset *root = zfs_state_dataset(st, pc->name);
	const char *names[2], *values[2];
	size_t n = maintenance_props(pc, names, values);
	for (size_t i = 0; root && i < n; i++) {
		const struct zprop *cur = zfs_dataset_prop(root, names[i]);
		if (!cur || strcmp(cur->value, values[i]))
			add_set_on(pc->name, names[i], values[i], cur && strcmp(cur->value, "-") ? cur->value : NULL, p);
	}
}

/*
 * A dataset of the config that exists: its type must match (error), an
 * unmarked one is adopted (phoenix:managed=true), then each property,
 * mountpoint and volsize that differs is set; create-only properties and a
 * shrinking volume are errors, never changes. Everything goes to p.
 */
static void plan_existing_dataset(const struct zfs_plan_in *in, const struct zcfg_dataset *dc,
				  const struct zfs_dataset *ds, struct plan *p)
{
	const struct zprop *type = zfs_dataset_prop(ds, "type");
	bool is_vol = type && !strcmp(type->value, "volume");
	if (is_vol != dc->is_volume) {
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, dc->jpath,
			 "a dataset's type cannot change; rename the existing one or fix the config",
			 "'%s' exists as a %s, the config declares a %s", dc->full, is_vol ? "volume" : "filesystem",
			 dc->is_volume ? "volume" : "filesystem");
		return;
	}
	if (!zfs_dataset_is_managed(ds)) {
		struct action *a = plan_add(p, PHASE_DATASET_PROP, OP_CHANGE, "zfs", "adopt-dataset", dc->full,
					    "adopt existing dataset %s (set %s=true)", dc->full, PHOENIX_MANAGED_PROP);
		a->depth = path_depth(dc->full);
		struct strvec argv = { 0 };
		sv_push(&argv, zfs_prog());
		sv_push(&argv, "set");
		sv_push(&argv, PHOENIX_MANAGED_PROP "=true");
		sv_push(&argv, dc->full);
		action_add_cmd(a, &argv);
	}
	char *jp = xasprintf("%s.properties", dc->jpath);
	for (size_t i = 0; i < dc->props.n; i++) {
		const struct zcfg_prop *pr = &dc->props.v[i];
		const struct zprop *cur = zfs_dataset_prop(ds, pr->name);
		if (cur && !strcmp(cur->value, pr->norm))
			continue;
		if (check_caps(&in->st->caps, dc->full, jp, pr, p))
			continue;
		const struct zprop_info *pi = zprop_lookup(pr->name);
		if (pi && pi->create_only) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp,
				 "this property is fixed when a dataset is created; recreate the dataset by hand or change the config",
				 "'%s' has %s=%s, the config says %s", dc->full, pr->name, cur ? cur->value : "-", pr->value);
			continue;
		}
		add_set(dc, pr->name, pr->norm, cur ? cur->value : NULL, p);
	}
	free(jp);
	if (dc->mountpoint) {
		const struct zprop *cur = zfs_dataset_prop(ds, "mountpoint");
		if (!cur || strcmp(cur->value, dc->mountpoint))
			add_set(dc, "mountpoint", dc->mountpoint, cur ? cur->value : NULL, p);
	}
	if (dc->is_volume) {
		const struct zprop *cur = zfs_dataset_prop(ds, "volsize");
		uint64_t have = cur ? strtoull(cur->value, NULL, 10) : 0;
		uint64_t want = strtoull(dc->volsize, NULL, 10);
		if (want < have) {
			char *h = zfs_format_size(have), *w = zfs_format_size(want);
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, dc->jpath,
				 "volumes only grow; shrinking would cut off data at the end of the volume",
				 "volume '%s' is %s, the config asks for %s", dc->full, h, w);
			free(h);
			free(w);
		} else if (want > have) {
			add_set(dc, "volsize", dc->volsize, cur ? cur->value : NULL, p);
		}
	}
}

/* Lists datasets of configured pools that the config does not declare. */
static void list_unmanaged(const struct zfs_plan_in *in, struct plan *p)
{
	const struct zfs_state *st = in->st;
	for (size_t i = 0; i < st->n_datasets; i++) {
		const struct zfs_dataset *ds = &st->datasets[i];
		const char *slash = strchr(ds->name, '/');
		if (!slash)
			continue;
		char *pool = xstrndup(ds->name, (size_t)(slash - ds->name));
		bool ours = zfs_config_pool(in->cfg, pool) != NULL;
		free(pool);
		if (!ours || zfs_config_dataset(in->cfg, ds->name))
			continue;
		if (zfs_dataset_is_managed(ds))
			sv_pushf(&p->unmanaged, "%s (marked %s but no longer in the config; destroy it by hand if it is not needed)",
				 ds->name, PHOENIX_MANAGED_PROP);
		else
			sv_push(&p->unmanaged, ds->name);
	}
}

#define ARC_FILE "/etc/modprobe.d/zfs.conf"
#define ARC_SYSFS "/sys/module/zfs/parameters/zfs_arc_max"

static void plan_arc(const struct zfs_plan_in *in, const struct zfs_facts *f, struct plan *p)
{
	if (!in->cfg->has_arc || !f)
		return;
	uint64_t want = in->cfg->arc_max_bytes;
	char *human = zfs_format_size(want);
	if (f->ram_bytes && want > f->ram_bytes / 2) {
		char *ram = zfs_format_size(f->ram_bytes);
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, "zfs.arc_max_gb",
			 "leave at least half of the memory to guests and the host",
			 "arc_max_gb (%s) is more than half of this host's memory (%s)", human, ram);
		free(ram);
	}
	if (modprobe_zfs_arc_max(f->modprobe_text) != want) {
		struct action *a = plan_add(p, PHASE_HOST, f->modprobe_text ? OP_CHANGE : OP_CREATE, "host",
					    "arc-persistent", ARC_FILE, "set zfs_arc_max=%" PRIu64 " (%s) in %s",
					    want, human, ARC_FILE);
		sv_push(&a->details, "takes effect when the zfs module loads; with root on ZFS also run update-initramfs -u");
		struct arc_write *w = xcalloc(1, sizeof(*w));
		w->path = root_path(in->root, ARC_FILE);
		w->content = zfs_arc_modprobe_text(f->modprobe_text, want);
		action_set_executor(a, AX_ZFS_ARC_WRITE, w, arc_write_free);
	}
	if (f->arc_runtime_present && f->arc_runtime != want) {
		char *cur = zfs_format_size(f->arc_runtime);
		struct action *a = plan_add(p, PHASE_HOST, OP_CHANGE, "host", "arc-runtime", ARC_SYSFS,
					    "runtime zfs_arc_max %s -> %s", f->arc_runtime ? cur : "0 (default)", human);
		free(cur);
		struct arc_write *w = xcalloc(1, sizeof(*w));
		w->path = root_path(in->root, ARC_SYSFS);
		w->content = xasprintf("%" PRIu64 "\n", want);
		w->sysfs = true;
		action_set_executor(a, AX_ZFS_ARC_WRITE, w, arc_write_free);
	} else if (!f->arc_runtime_present) {
		diag_add(&p->diags, DIAG_NOTE, NULL, 0, 0, "zfs.arc_max_gb", NULL,
			 "no ZFS kernel module is loaded (%s is missing): the runtime ARC limit is not set now",
			 ARC_SYSFS);
	}
	free(human);
}

/*
 * A pool with solid-state disks that are not NVMe, left on trim "debian":
 * Debian's cron (periodic-trim "auto") trims only pools whose disks are all
 * NVMe, so nothing would ever trim it. A warning naming the first such disk.
 */
static void warn_untrimmed(const struct zcfg_pool *pc, const struct zfs_facts *f, struct plan *p)
{
	if (pc->trim != ZTRIM_DEBIAN)
		return;
	const char *ssd = NULL;
	for (size_t k = 0; k < pc->n_disks && !ssd; k++) {
		const struct zfs_disk_fact *df = fact_for(f, pc->disks[k]);
		if (df && df->media == DISK_MEDIA_SSD)
			ssd = pc->disks[k];
	}
	if (ssd)
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, pc->jpath,
			 "set \"trim\": \"auto\" (autotrim) or \"weekly\" for the pool",
			 "pool '%s' has SSDs that are not NVMe (%s): Debian's TRIM cron trims only pools of NVMe disks, "
			 "so nothing will ever trim this pool", pc->name, ssd);
}

void zfs_plan_build(const struct zfs_plan_in *in, struct plan *p)
{
	const struct zfs_config *cfg = in->cfg;
	const struct zfs_state *st = in->st;
	const struct zfs_facts *f = in->facts;
	if (!cfg || !st)
		return;
	for (size_t i = 0; i < cfg->n_pools; i++) {
		const struct zcfg_pool *pc = &cfg->pools[i];
		const struct zpool *zp = zfs_state_pool(st, pc->name);
		if (zp && !zp->importable) {
			check_existing_pool(pc, zp, f, p);
			if (zpool_readable(zp))
				plan_pool_maintenance(st, pc, p);
		} else if (zp)
			plan_import(pc, zp, p);
		else
			plan_create_pool(in, pc, f, p);
	}
	for (size_t i = 0; i < in->allow_wipe->n; i++) {
		bool named = false;
		for (size_t k = 0; k < cfg->n_pools && !named; k++)
			for (size_t d = 0; d < cfg->pools[k].n_disks; d++)
				named |= !strcmp(cfg->pools[k].disks[d], in->allow_wipe->v[i]);
		if (!named)
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, NULL, "--allow-wipe takes a disk path exactly as the config lists it",
				 "--allow-wipe '%s' names no disk of zfs.pools", in->allow_wipe->v[i]);
	}
	for (size_t i = 0; i < cfg->n_pools; i++) {
		const struct zpool *zp = zfs_state_pool(st, cfg->pools[i].name);
		if (zp && zp->importable)
			diag_add(&p->diags, DIAG_NOTE, NULL, 0, 0, cfg->pools[i].jpath, NULL,
				 "the datasets of pool '%s' are planned once it is imported (apply does both in one run)",
				 zp->name);
	}
	for (size_t i = 0; i < cfg->n_pools; i++) {
		const struct zpool *zp = zfs_state_pool(st, cfg->pools[i].name);
		if (zp && !zp->importable && !zpool_readable(zp))
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, cfg->pools[i].jpath,
				 "bring its disks back (see 'zpool status -x'), then plan again",
				 "the datasets of pool '%s' cannot be read: the pool is %s", zp->name, zp->state);
	}
	for (size_t i = 0; i < cfg->n_datasets; i++) {
		const struct zcfg_dataset *dc = &cfg->datasets[i];
		const struct zfs_dataset *ds = zfs_state_dataset(st, dc->full);
		const struct zpool *zp = zfs_state_pool(st, dc->pool);
		if (zp && !zpool_readable(zp))
			continue;
		if (ds)
			plan_existing_dataset(in, dc, ds, p);
		else
			plan_create_dataset(in, dc, p);
	}
	for (size_t i = 0; i < cfg->n_pools; i++)
		warn_untrimmed(&cfg->pools[i], f, p);
	list_unmanaged(in, p);
	plan_arc(in, f, p);
	zfs_lint_capacity(cfg, st, &p->diags);
}

static void warn_over(struct diag_list *dl, const struct zcfg_pool *pc, const char *what, uint64_t sum,
		      uint64_t cap, const char *hint)
{
	if (sum <= cap)
		return;
	char *s = zfs_format_size(sum), *c = zfs_format_size(cap);
	diag_add(dl, DIAG_WARNING, NULL, 0, 0, pc->jpath, hint, "the %s of pool '%s' add up to %s, more than its %s",
		 what, pc->name, s, c);
	free(s);
	free(c);
}

void zfs_lint_capacity(const struct zfs_config *cfg, const struct zfs_state *st, struct diag_list *dl)
{
	for (size_t i = 0; cfg && st && i < cfg->n_pools; i++) {
		const struct zfs_dataset *root = zfs_state_dataset(st, cfg->pools[i].name);
		if (!root)
			continue;
		const struct zprop *u = zfs_dataset_prop(root, "used"), *av = zfs_dataset_prop(root, "available");
		if (!u || !av)
			continue;
		uint64_t cap = strtoull(u->value, NULL, 10) + strtoull(av->value, NULL, 10);
		uint64_t quotas = 0, reserv = 0;
		for (size_t k = 0; k < cfg->n_datasets; k++) {
			const struct zcfg_dataset *d = &cfg->datasets[k];
			if (strcmp(d->pool, cfg->pools[i].name))
				continue;
			const struct zcfg_prop *q = zcfg_props_get(&d->props, "quota");
			if (q)
				quotas += strtoull(q->norm, NULL, 10);
			const char *rs[] = { "reservation", "refreservation" };
			for (int r = 0; r < 2; r++) {
				const struct zcfg_prop *x = zcfg_props_get(&d->props, rs[r]);
				if (x)
					reserv += strtoull(x->norm, NULL, 10);
			}
			if (d->is_volume && !zcfg_props_get(&d->props, "refreservation"))
				reserv += strtoull(d->volsize, NULL, 10);
		}
		warn_over(dl, &cfg->pools[i], "quotas", quotas, cap,
			  "quotas are limits, not reservations: this over-commits the pool; lower them or add disks");
		warn_over(dl, &cfg->pools[i], "reservations", reserv, cap, "reservations cannot all be honoured; lower them");
	}
}
