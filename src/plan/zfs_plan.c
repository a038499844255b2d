#include "plan/zfs_plan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config/zfs_config.h"
#include "config/zprops.h"
#include "plan/zfs_topo.h"
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
			if (zfs_vdev_is(v, id, disk)) {
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
					cfg_diag(dl, src, DIAG_ERROR, cfg->pools[pi].disk_jpaths[di],
						 "a device can belong to one pool only, named once; keep one of the two entries",
						 "disk '%s' %s '%s' (%s)", d, rel, e, cfg->pools[pj].disk_jpaths[dj]);
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

/* The identities of pc's disks, in order (borrowed from f; unresolved ones compare by name). Caller frees. */
static const struct disk_id **pool_ids(const struct zcfg_pool *pc, const struct zfs_facts *f)
{
	const struct disk_id **ids = xcalloc(pc->n_disks + 1, sizeof(*ids));
	for (size_t k = 0; k < pc->n_disks; k++)
		ids[k] = id_of(f, pc->disks[k]);
	return ids;
}

static const char layout_hint[] =
	"phoenix-storage never changes a pool's layout; change the pool by hand, or the config to match";

/* The pool's vdevs that hold the disks of w, for a message: "log: /e and stripe: /f". Caller frees. */
static char *haves_of(const struct zcfg_pool *pc, const struct topo_cmp *c, const struct disk_id *const *ids,
		      const struct topo_want *w)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	bool *seen = xcalloc(c->n_have + 1, sizeof(bool));
	for (size_t k = w->first; k < w->first + w->n; k++) {
		long h = zfs_topo_find(c, pc, ids, k);
		if (h < 0 || seen[h])
			continue;
		seen[h] = true;
		char *d = zfs_topo_have_describe(&c->have[h]);
		sb_addf(&sb, "%s%s", sb.len ? " and " : "", d);
		free(d);
	}
	free(seen);
	return sb_detach(&sb);
}

/*
 * Layout drift of an existing pool, as warnings (never "fixed"): the first
 * data vdev's type, disks of the config the pool lacks, each vdev of the
 * config the pool has otherwise, each vdev of the pool the config does not list.
 */
static void report_drift(const struct zcfg_pool *pc, const struct zpool *zp, const struct topo_cmp *c,
			 const struct disk_id *const *ids, struct diag_list *dl)
{
	bool layout_differs = pc->layout && strcmp(pc->layout, zp->layout);
	if (layout_differs)
		diag_add(dl, DIAG_WARNING, NULL, 0, 0, pc->jpath, layout_hint,
			 "pool '%s' drifted from the config: its layout is %s, the config says %s",
			 zp->name, zp->layout, pc->layout);
	struct strbuf missing = STRBUF_INIT;
	sb_init(&missing);
	for (size_t i = 0; i < c->n_want; i++)
		for (size_t k = c->want[i].first; c->want[i].state == TOPO_DIFFERENT && k < c->want[i].first + c->want[i].n; k++)
			if (zfs_topo_find(c, pc, ids, k) < 0)
				sb_addf(&missing, "%s'%s'", missing.len ? ", " : "", pc->disks[k]);
	if (missing.len)
		diag_add(dl, DIAG_WARNING, NULL, 0, 0, pc->jpath, layout_hint,
			 "pool '%s' drifted from the config: disks not in the pool: %s", zp->name, missing.buf);
	sb_release(&missing);
	for (size_t i = 0; i < c->n_want; i++) {
		const struct topo_want *w = &c->want[i];
		if (w->state != TOPO_DIFFERENT || (w->first_data && layout_differs))
			continue;
		char *want = zfs_topo_want_describe(pc, w), *have = haves_of(pc, c, ids, w);
		diag_add(dl, DIAG_WARNING, NULL, 0, 0, pc->vdevs[w->vdev].jpath, layout_hint,
			 "pool '%s' drifted from the config: the config's %s is %s in the pool", zp->name, want, have);
		free(want);
		free(have);
	}
	for (size_t i = 0; i < c->n_have; i++) {
		if (c->have[i].wanted)
			continue;
		char *have = zfs_topo_have_describe(&c->have[i]);
		diag_add(dl, DIAG_WARNING, NULL, 0, 0, pc->jpath, layout_hint,
			 "pool '%s' drifted from the config: it has %s, which the config does not list", zp->name, have);
		free(have);
	}
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

/*
 * Checks of pc->disks[first, first + n) before they become vdevs (what: "cannot
 * create pool 'P'" or "cannot add to pool 'P'"; purpose: "creating pool P"):
 * in use, missing, unreadable, held, or not empty (then a wipe action when
 * --allow-wipe names it, and *force). Returns 0 if nothing blocks them.
 */
static int check_disks(const struct zfs_plan_in *in, const struct zcfg_pool *pc, const struct zfs_facts *f,
		       size_t first, size_t n, const char *what, const char *purpose, struct plan *p, bool *force)
{
	int blocked = 0;
	for (size_t i = first; i < first + n; i++) {
		const char *disk = pc->disks[i];
		const char *jp = pc->disk_jpaths[i];
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
				 "%s: disk '%s' is a member of %s", what, disk, who);
			free(who);
			free(hint);
			blocked++;
		} else if (!pr || !pr->exists) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp,
				 pr && pr->error ? pr->error : "check the path (ls -l /dev/disk/by-id/)",
				 "%s: disk '%s' does not exist", what, disk);
			blocked++;
		} else if (pr->error) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp, NULL, "%s: %s", what, pr->error);
			blocked++;
		} else if (user) {
			char *hint = NULL;
			char *why = disk_user_describe(user, disk, &hint);
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp, hint, "%s: disk '%s' %s", what, disk, why);
			free(why);
			free(hint);
			blocked++;
		} else if (pr->signature || exported) {
			char *who = exported ? pool_and_vdev(exported, evd, disk) : NULL;
			char *state = exported ? xasprintf("belongs to exported %s", who)
					       : xasprintf("is not empty (%s found)", pr->signature);
			free(who);
			if (wipe_allowed(in, disk)) {
				struct action *a = plan_add(p, PHASE_DISK_WIPE, OP_REMOVE, "zfs", "wipe-disk", disk,
							    "wipe %s (it %s) before %s", disk, state, purpose);
				a->destructive = true;
				struct strvec argv = { 0 };
				sv_push(&argv, "wipefs");
				sv_push(&argv, "-a");
				sv_push(&argv, disk);
				action_add_cmd(a, &argv);
				*force = true;
			} else {
				char *hint = xasprintf("if its data may be destroyed, run apply with --allow-wipe %s", disk);
				diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jp, hint, "%s: disk '%s' %s", what, disk, state);
				free(hint);
				blocked++;
			}
			free(state);
		}
	}
	return blocked ? -1 : 0;
}

/*
 * What this ZFS can build of pc->vdevs[from, to): special vdevs only where the
 * zfs program knows special_small_blocks (OpenZFS 0.8 and later; zfs-fuse has
 * none), cache devices only on block devices (ZFS refuses a file: "cache
 * device must be a disk or disk slice"). Errors go to p; returns 0 if none.
 */
static int check_layout_caps(const struct zfs_plan_in *in, const struct zcfg_pool *pc, size_t from, size_t to,
			     const char *what, struct plan *p)
{
	int bad = 0;
	for (size_t i = from; i < to; i++) {
		const struct zcfg_vdev *v = &pc->vdevs[i];
		if (v->group == ZG_SPECIAL && in->st->caps.known && !zfs_caps_has_prop(&in->st->caps, "special_small_blocks")) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, v->jpath,
				 "remove the special vdev from the config, or run a ZFS that has them (OpenZFS 0.8 or later)",
				 "%s: this ZFS has no special vdevs (its zfs knows no special_small_blocks property)", what);
			bad++;
		}
		for (size_t k = v->first; v->group == ZG_CACHE && k < v->first + v->n; k++) {
			const struct disk_id *id = id_of(in->facts, pc->disks[k]);
			if (id->self.kind != DISK_ID_FILE)
				continue;
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, pc->disk_jpaths[k],
				 "give the cache a disk or a partition (a loop device over the file works: losetup --find --show FILE)",
				 "%s: '%s' is a file, and ZFS takes only block devices as cache devices", what, pc->disks[k]);
			bad++;
		}
	}
	return bad ? -1 : 0;
}

static size_t maintenance_props(const struct zcfg_pool *pc, const char *names[2], const char *values[2]);

static void plan_create_pool(const struct zfs_plan_in *in, const struct zcfg_pool *pc,
			     const struct zfs_facts *f, struct plan *p)
{
	bool force = false;
	char *what = xasprintf("cannot create pool '%s'", pc->name);
	char *purpose = xasprintf("creating pool %s", pc->name);
	check_disks(in, pc, f, 0, pc->n_disks, what, purpose, p, &force);
	check_layout_caps(in, pc, 0, pc->n_vdevs, what, p);
	free(what);
	free(purpose);
	char *layout = zfs_layout_describe(pc, 0, pc->n_vdevs);
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
	zfs_layout_argv(pc, 0, pc->n_vdevs, &argv);
	action_add_cmd(a, &argv);
}

/*
 * One vdev of the config that pool zp lacks entirely (w): `zpool add`. A data
 * or special vdev cannot be removed again on most ZFS versions: it needs
 * --allow-grow-pool, else it is a warning with that hint, and is never added
 * to a pool whose layout has drifted (drifted: the config and the pool would
 * first have to agree). Log, cache and spare devices come out again with
 * `zpool remove`: they are planned without the flag.
 */
static void plan_add_vdev(const struct zfs_plan_in *in, const struct zcfg_pool *pc, const struct topo_want *w,
			  bool drifted, struct plan *p)
{
	const struct zcfg_vdev *v = &pc->vdevs[w->vdev];
	bool lasting = v->group == ZG_DATA || v->group == ZG_SPECIAL;
	char *desc = zfs_topo_want_describe(pc, w);
	if (lasting && drifted) {
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, v->jpath,
			 "make the pool and the config agree first (the drift above), then plan again",
			 "pool '%s' lacks the config's %s; not added while the pool's layout differs from the config",
			 pc->name, desc);
		free(desc);
		return;
	}
	if (lasting && !in->allow_grow) {
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, v->jpath,
			 "to add it, run apply with --allow-grow-pool (zpool add: on most ZFS versions a data or special vdev "
			 "cannot be removed again)",
			 "pool '%s' lacks the config's %s", pc->name, desc);
		free(desc);
		return;
	}
	bool force = false;
	char *what = xasprintf("cannot add to pool '%s'", pc->name);
	char *purpose = xasprintf("adding it to pool %s", pc->name);
	check_disks(in, pc, in->facts, w->first, w->n, what, purpose, p, &force);
	check_layout_caps(in, pc, w->vdev, w->vdev + 1, what, p);
	free(what);
	free(purpose);
	struct action *a = plan_add(p, PHASE_POOL_CREATE, OP_CREATE, "zfs", "add-vdev", pc->name,
				    "add vdev %s to pool %s", desc, pc->name);
	sv_push(&a->details, lasting ? "irreversible on most ZFS versions: a data or special vdev cannot be removed "
				       "from a pool with raidz vdevs, nor from any pool before OpenZFS 0.8"
				     : "reversible: zpool remove takes it out again");
	free(desc);
	struct strvec argv = { 0 };
	sv_push(&argv, zpool_prog());
	sv_push(&argv, "add");
	if (force)
		sv_push(&argv, "-f");
	sv_push(&argv, pc->name);
	if (v->group != ZG_DATA)
		sv_push(&argv, zcfg_group_name(v->group));
	if (strcmp(v->type, "stripe"))
		sv_push(&argv, v->type);
	for (size_t k = w->first; k < w->first + w->n; k++)
		sv_push(&argv, pc->disks[k]);
	action_add_cmd(a, &argv);
}

/* An existing pool against the config: drift is reported, never "fixed"; missing vdevs may be added. */
static void check_existing_pool(const struct zfs_plan_in *in, const struct zcfg_pool *pc, const struct zpool *zp,
				struct plan *p)
{
	const struct disk_id **ids = pool_ids(pc, in->facts);
	struct topo_cmp c;
	zfs_topo_compare(pc, ids, zp, &c);
	report_drift(pc, zp, &c, ids, &p->diags);
	bool drifted = false;
	for (size_t i = 0; i < c.n_want; i++)
		drifted |= c.want[i].state == TOPO_DIFFERENT;
	for (size_t i = 0; i < c.n_have; i++)
		drifted |= !c.have[i].wanted;
	for (size_t i = 0; i < c.n_want; i++)
		if (c.want[i].state == TOPO_MISSING)
			plan_add_vdev(in, pc, &c.want[i], drifted, p);
	if (zp->state && strcmp(zp->state, "ONLINE"))
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, pc->jpath, "see 'zpool status -x' for details",
			 "pool '%s' is %s", zp->name, zp->state);
	zfs_topo_free(&c);
	free(ids);
}

void zfs_pool_drift(const struct zcfg_pool *pc, const struct zpool *zp, const struct zfs_facts *f,
		    struct diag_list *dl)
{
	const struct disk_id **ids = pool_ids(pc, f);
	struct topo_cmp c;
	zfs_topo_compare(pc, ids, zp, &c);
	report_drift(pc, zp, &c, ids, dl);
	zfs_topo_free(&c);
	free(ids);
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
	if (pr->inherit) {
		if (zfs_caps_inheritable(caps, pr->name))
			return 0;
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jpath, "give it a value, or remove it from the config",
			 "dataset '%s': this ZFS cannot inherit '%s'", dataset, pr->name);
		return -1;
	}
	const struct zprop_info *pi = zprop_lookup(pr->name);
	const char *list = NULL;
	if (pi && pi->kind == ZP_ENUM && strcmp(pr->name, "compression") &&
	    !zfs_caps_enum_ok(caps, pr->name, pr->norm, &list)) {
		struct strbuf hint = STRBUF_INIT;
		sb_init(&hint);
		sb_adds(&hint, "use one of: ");
		for (const char *c = list; *c; c++)
			if (*c == '|')
				sb_adds(&hint, ",");
			else if (*c != ' ' || (c[1] && c[1] != '|'))
				sb_addc(&hint, *c);
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, jpath, hint.buf,
			 "dataset '%s': %s '%s' is not supported by this ZFS", dataset, pr->name, pr->value);
		sb_release(&hint);
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

/*
 * Is the parent of full encrypted, now (its encryption in the state is a
 * cipher) or once this plan made it (the config of the nearest ancestor that
 * names encryption, or a pool's options)? A child created there shares its key.
 */
static bool parent_encrypted(const struct zfs_plan_in *in, const char *full)
{
	const char *slash = strrchr(full, '/');
	if (!slash)
		return false;
	char *parent = xstrndup(full, (size_t)(slash - full));
	const struct zcfg_dataset *pd = zfs_config_dataset(in->cfg, parent);
	const struct zcfg_pool *pp = !pd && !strchr(parent, '/') ? zfs_config_pool(in->cfg, parent) : NULL;
	const struct zcfg_prop *cp = pd ? zcfg_props_get(&pd->props, "encryption")
					: pp ? zcfg_props_get(&pp->options, "encryption") : NULL;
	const struct zfs_dataset *ds = zfs_state_dataset(in->st, parent);
	const struct zprop *cur = ds ? zfs_dataset_prop(ds, "encryption") : NULL;
	bool r;
	if (cp && !cp->inherit)
		r = strcmp(cp->norm, "off") != 0;
	else if (cur)
		r = strcmp(cur->value, "off") && strcmp(cur->value, "-");
	else
		r = parent_encrypted(in, parent);
	free(parent);
	return r;
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
		sb_addf(&desc, "volsize=%s%s", vs, dc->sparse ? ", sparse" : "");
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
	const struct zcfg_prop *enc = zcfg_props_get(&dc->props, "encryption");
	if (enc && !enc->inherit && strcmp(enc->norm, "off") && !zcfg_props_get(&dc->props, "keyformat") &&
	    !parent_encrypted(in, dc->full))
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, enc->jpath,
			 "add keyformat (raw, hex or passphrase) and keylocation=file:///PATH, or create it below an encrypted dataset",
			 "cannot create dataset '%s' with encryption=%s: it needs a key (keyformat), and its parent is not encrypted",
			 dc->full, enc->value);
	const struct zcfg_prop *kl = zcfg_props_get(&dc->props, "keylocation");
	if (kl && !strcmp(kl->norm, "prompt"))
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, kl->jpath,
			 "give it a key file (keylocation=file:///root/keys/NAME.key, keyformat=raw or hex), or create it by hand "
			 "with 'zfs create -o encryption=on -o keyformat=passphrase' and declare it after",
			 "cannot create dataset '%s' with keylocation=prompt: apply has no terminal to type the passphrase on",
			 dc->full);
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
		if (dc->sparse)
			sv_push(&argv, "-s");
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
		if (dc->props.v[i].inherit)
			continue;   /* a new dataset inherits what it is not given */
		sv_push(&argv, "-o");
		sv_pushf(&argv, "%s=%s", dc->props.v[i].name, dc->props.v[i].norm);
	}
	sv_push(&argv, dc->full);
	action_add_cmd(a, &argv);
}

/*
 * A property change: "~ DS NAME FROM -> TO", or, when only the source differs
 * (the value is inherited or the default), "~ DS NAME V (inherited from X) -> V".
 * current may be NULL (the dataset does not have the property yet).
 */
static void add_set(const char *full, const char *name, const char *norm, const struct zprop *current,
		    struct plan *p)
{
	char *shown = current ? zprop_display(name, current->value) : xstrdup("(unset)");
	char *from = zfs_value_display(shown);
	char *to = zprop_display(name, norm);
	free(shown);
	bool same = current && zprop_value_eq(name, current->value, norm);
	struct action *a = plan_add(p, PHASE_DATASET_PROP, OP_CHANGE, "zfs", "set-property", full,
				    same ? "%s %s %s (%s) -> %s" : "%s %s %s -> %s%s", full, name, from,
				    same ? current->source : to, same ? to : "");
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
			add_set(pc->name, names[i], values[i], cur && strcmp(cur->value, "-") ? cur : NULL, p);
	}
}

/*
 * What `zfs inherit name full` gives full, as "lz4 from quickOS" or "on, the
 * default": from the config of the nearest ancestor that sets the property
 * (dataset properties, or the pool's options for its root), else from the
 * state. Pure; caller frees.
 */
static char *inherited_value(const struct zfs_plan_in *in, const char *full, const char *name)
{
	const char *slash = strrchr(full, '/');
	if (!slash)
		return xstrdup("the default");
	char *parent = xstrndup(full, (size_t)(slash - full));
	const struct zcfg_dataset *pd = zfs_config_dataset(in->cfg, parent);
	const struct zcfg_pool *pp = !pd && !strchr(parent, '/') ? zfs_config_pool(in->cfg, parent) : NULL;
	const struct zcfg_prop *cp = pd ? zcfg_props_get(&pd->props, name) : pp ? zcfg_props_get(&pp->options, name) : NULL;
	const struct zfs_dataset *ds = zfs_state_dataset(in->st, parent);
	const struct zprop *cur = ds ? zfs_dataset_prop(ds, name) : NULL;
	char *r;
	if (cp && cp->inherit) {
		r = inherited_value(in, parent, name);
	} else if (cp || (cur && !strcmp(cur->source, "local"))) {
		char *v = zprop_display(name, cp ? cp->norm : cur->value);
		char *shown = zfs_value_display(v);
		r = xasprintf("%s from %s", shown, parent);
		free(v);
		free(shown);
	} else if (cur) {
		char *v = zprop_display(name, cur->value);
		char *shown = zfs_value_display(v);
		r = !strncmp(cur->source, "inherited from ", 15) ? xasprintf("%s from %s", shown, cur->source + 15)
								 : xasprintf("%s, the default", shown);
		free(v);
		free(shown);
	} else {
		r = inherited_value(in, parent, name);
	}
	free(parent);
	return r;
}

static void add_inherit(const struct zfs_plan_in *in, const char *full, const char *name, const struct zprop *cur,
			struct plan *p)
{
	char *v = zprop_display(name, cur->value);
	char *from = zfs_value_display(v);
	char *to = inherited_value(in, full, name);
	struct action *a = plan_add(p, PHASE_DATASET_PROP, OP_CHANGE, "zfs", "inherit-property", full,
				    "%s %s %s -> inherit (%s)", full, name, from, to);
	a->depth = path_depth(full);
	free(v);
	free(from);
	free(to);
	struct strvec argv = { 0 };
	sv_push(&argv, zfs_prog());
	sv_push(&argv, "inherit");
	sv_push(&argv, name);
	sv_push(&argv, full);
	action_add_cmd(a, &argv);
}

/* How to get a property ZFS fixes at creation, for the "recreate needed" line. Static. */
static const char *how_to_migrate(const char *name, bool volume)
{
	if (!strcmp(name, "keyformat") || !strcmp(name, "pbkdf2iters"))
		return "change it by hand with 'zfs change-key -o %s=VALUE DS' (the data stays)";
	if (volume)
		return "create a new volume with it, copy the data (dd), then swap the names with 'zfs rename'";
	return "create a new dataset with it, copy the data (rsync -aHAX), then swap the names with 'zfs rename'";
}

/*
 * The properties of the config for dataset full (or a pool's root: its
 * options), against what ZFS has (ds). A property counts as converged when:
 * - the config asks to inherit it and its source is not "local";
 * - it is fixed at creation on this ZFS (zfs_caps_create_only), or cannot be
 *   inherited (quota, reservation, canmount: zfs_caps_inheritable), and the
 *   value is the same (the source is then "-", or "default" for quota=none);
 * - otherwise, the value is the same (zprop_value_eq: normalised, display
 *   aliases) AND its source is "local": a value that matches only because it
 *   is inherited or the default is set, so a change of the parent or of ZFS's
 *   default never changes this dataset behind the config's back.
 * Anything else is a `zfs set`, a `zfs inherit`, or, for a property fixed at
 * creation, a "recreate needed" line (never run). Unsupported properties and
 * values are errors. Everything goes to p.
 */
static void plan_props(const struct zfs_plan_in *in, const char *full, bool volume, const char *jpath,
		       const struct zcfg_props *props, const struct zfs_dataset *ds, struct plan *p)
{
	const struct zfs_caps *caps = &in->st->caps;
	for (size_t i = 0; i < props->n; i++) {
		const struct zcfg_prop *pr = &props->v[i];
		const struct zprop *cur = zfs_dataset_prop(ds, pr->name);
		if (pr->inherit) {
			if (cur && strcmp(cur->source, "local"))
				continue;
			if (check_caps(caps, full, jpath, pr, p) || !cur)
				continue;
			add_inherit(in, full, pr->name, cur, p);
			continue;
		}
		bool fixed = zfs_caps_create_only(caps, pr->name);
		bool same = cur && zfs_caps_value_eq(caps, pr->name, cur->value, pr->norm);
		/* Only what can be inherited can match by inheritance: quota=none is "default" even when set. */
		bool by_value = fixed || !zfs_caps_inheritable(caps, pr->name);
		if (same && (by_value || !strcmp(cur->source, "local")))
			continue;
		if (check_caps(caps, full, jpath, pr, p))
			continue;
		if (fixed) {
			char *from = cur ? zprop_display(pr->name, cur->value) : xstrdup("-");
			char *shown = zfs_value_display(from);
			char *how = xasprintf(how_to_migrate(pr->name, volume), pr->name);
			sv_pushf(&p->recreate, "%s %s %s -> %s: ZFS sets it only when the %s is created; %s", full,
				 pr->name, shown, pr->value, volume ? "volume" : "dataset", how);
			free(how);
			free(from);
			free(shown);
			continue;
		}
		add_set(full, pr->name, pr->norm, cur, p);
	}
}

/*
 * The mountpoint want (NULL: not configured) of the existing dataset or pool
 * root ds: converged when ZFS has that value set locally, else `zfs set
 * mountpoint=` (add_set: "~ tank mountpoint /tank (default) -> /tank" when
 * only the source differs).
 */
static void plan_mountpoint(const char *full, const char *want, const struct zfs_dataset *ds, struct plan *p)
{
	if (!want)
		return;
	const struct zprop *cur = zfs_dataset_prop(ds, "mountpoint");
	if (!cur || strcmp(cur->value, want) || strcmp(cur->source, "local"))
		add_set(full, "mountpoint", want, cur, p);
}

/*
 * A dataset of the config that exists: its type must match (error), an
 * unmarked one is adopted (phoenix:managed=true), then its properties
 * (plan_props), mountpoint and volsize; a shrinking volume is an error, never
 * a change. A key that is not loaded is reported (never loaded). Everything
 * goes to p.
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
	const struct zprop *ks = zfs_dataset_prop(ds, "keystatus");
	if (ks && !strcmp(ks->value, "unavailable")) {
		const struct zprop *er = zfs_dataset_prop(ds, "encryptionroot");
		const char *root = er && strcmp(er->value, "-") ? er->value : dc->full;
		char *hint = xasprintf("load it with 'zfs load-key %s' (then 'zfs mount -a'); phoenix-storage never loads keys", root);
		diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, dc->jpath, hint,
			 "dataset '%s': its encryption key is not loaded (keystatus unavailable, encryption root '%s'): "
			 "it cannot be mounted", dc->full, root);
		free(hint);
	}
	char *jp = xasprintf("%s.properties", dc->jpath);
	plan_props(in, dc->full, dc->is_volume, jp, &dc->props, ds, p);
	free(jp);
	plan_mountpoint(dc->full, dc->mountpoint, ds, p);
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
			add_set(dc->full, "volsize", dc->volsize, cur, p);
		}
	}
}

bool zpool_prop_converged(const struct zcfg_prop *pr, const struct zpool_prop *cur)
{
	return cur && (!strcmp(cur->value, pr->value) ||
		       (!strncmp(pr->name, "feature@", 8) && !strcmp(pr->value, "enabled") && !strcmp(cur->value, "active")));
}

/*
 * The pool properties of the config on an existing pool (read by zpool get):
 * a value that differs is a `zpool set` ("~ pool tank autotrim off -> on"); a
 * pool property has no parent, so its source does not count. feature@X takes
 * "enabled" (an active feature is enabled); a feature cannot be disabled
 * again, nor altroot set on an imported pool: "recreate needed". A property
 * zpool did not print is an error (this ZFS lacks it).
 */
static void plan_pool_props(const struct zcfg_pool *pc, const struct zpool *zp, struct plan *p)
{
	if (!zp->props_read)
		return;
	for (size_t i = 0; i < pc->properties.n; i++) {
		const struct zcfg_prop *pr = &pc->properties.v[i];
		const struct zpool_prop *cur = zpool_get_prop(zp, pr->name);
		if (!cur) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, pr->jpath,
				 "remove it from the pool's properties, or run a ZFS that has it (OpenZFS 2.x)",
				 "pool '%s': this ZFS does not support the pool property '%s'", pc->name, pr->name);
			continue;
		}
		bool feature = !strncmp(pr->name, "feature@", 8);
		if (feature && strcmp(pr->value, "enabled") && strcmp(pr->value, "disabled")) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, pr->jpath, "use \"enabled\"",
				 "pool '%s': %s takes enabled (or disabled), not '%s'", pc->name, pr->name, pr->value);
			continue;
		}
		if (zpool_prop_converged(pr, cur))
			continue;
		char *from = zfs_value_display(cur->value);
		if ((feature && !strcmp(pr->value, "disabled")) || !strcmp(pr->name, "altroot")) {
			sv_pushf(&p->recreate, "pool %s %s %s -> %s: %s", pc->name, pr->name, from, pr->value,
				 feature ? "a feature once enabled cannot be disabled; only a new pool (zpool create -d) lacks it"
					 : "altroot is given when a pool is created or imported (zpool import -R DIR)");
			free(from);
			continue;
		}
		struct action *a = plan_add(p, PHASE_POOL_PROP, OP_CHANGE, "zfs", "set-pool-property", pc->name,
					    "pool %s %s %s -> %s", pc->name, pr->name, from, pr->value);
		free(from);
		if (feature)
			sv_push(&a->details, "irreversible: an enabled feature cannot be disabled, and older ZFS versions may no longer import the pool");
		struct strvec argv = { 0 };
		sv_push(&argv, zpool_prog());
		sv_push(&argv, "set");
		sv_pushf(&argv, "%s=%s", pr->name, pr->value);
		sv_push(&argv, pc->name);
		action_add_cmd(a, &argv);
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
			check_existing_pool(in, pc, zp, p);
			plan_pool_props(pc, zp, p);
			const struct zfs_dataset *root = zpool_readable(zp) ? zfs_state_dataset(st, pc->name) : NULL;
			char *jp = xasprintf("%s.options", pc->jpath);
			if (root) {
				plan_props(in, pc->name, false, jp, &pc->options, root, p);
				plan_mountpoint(pc->name, pc->mountpoint, root, p);
			}
			free(jp);
			if (zpool_readable(zp))
				plan_pool_maintenance(st, pc, p);
		}
		else if (zp)
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
			if (d->is_volume && !d->sparse && !zcfg_props_get(&d->props, "refreservation"))
				reserv += strtoull(d->volsize, NULL, 10);
		}
		warn_over(dl, &cfg->pools[i], "quotas", quotas, cap,
			  "quotas are limits, not reservations: this over-commits the pool; lower them or add disks");
		warn_over(dl, &cfg->pools[i], "reservations", reserv, cap, "reservations cannot all be honoured; lower them");
	}
}
