/*
 * zfs_topo: a pool's layout in the plan: its readable description, the vdev
 * words of zpool create and zpool add, and the comparison of the config's
 * layout with what zpool status shows, disk by disk identity. Pure.
 */
#ifndef PH_ZFS_TOPO_H
#define PH_ZFS_TOPO_H
#include <stdbool.h>
#include <stddef.h>

#include "config/zfs_config.h"
#include "state/zfs_state.h"
#include "sys/disk.h"
#include "util/strbuf.h"

/*
 * The layout of pc->vdevs[from, to) for a plan line, groups in config order:
 * "2 x mirror: a, b | c, d; log mirror: e, f; cache: g; special mirror: h, i;
 * spare: j" ("mirror: a, b" for one vdev, "stripe: a, b" for lone disks).
 * Caller frees.
 */
char *zfs_layout_describe(const struct zcfg_pool *pc, size_t from, size_t to);

/*
 * Appends the vdev words of pc->vdevs[from, to) to argv as zpool create and
 * zpool add take them: "mirror a b mirror c d log mirror e f cache g special
 * mirror h i spare j" (a stripe is its disks alone).
 */
void zfs_layout_argv(const struct zcfg_pool *pc, size_t from, size_t to, struct strvec *argv);

/* Is vdev v (data or auxiliary) the disk, by identity (or by name when either is unresolved)? */
bool zfs_vdev_is(const struct vdev *v, const struct disk_id *id, const char *disk);

enum topo_state {
	TOPO_SAME,       /* the pool has this vdev: same group, type and disks */
	TOPO_MISSING,    /* none of its disks is in the pool */
	TOPO_DIFFERENT,  /* some of its disks are in the pool, arranged otherwise */
};

/* One top-level vdev the config asks for: a vdev entry, or one disk of a stripe, cache or spares entry. */
struct topo_want {
	size_t vdev;             /* index in pc->vdevs */
	size_t first, n;         /* its disks: pc->disks[first .. first + n) */
	enum topo_state state;
	bool first_data;         /* the pool's first data vdev (the one zpool->layout describes) */
};

/* One top-level vdev of the pool as zpool status lists it. */
struct topo_have {
	enum vdev_group group;
	const char *type;         /* "stripe" for a lone disk */
	const struct vdev *top;   /* the group vdev (mirror-0), or the lone disk */
	const struct vdev **leaves;   /* its disks; spares in use under it left out */
	size_t n_leaves;
	bool wanted;              /* some disk of it is in the config */
};

struct topo_cmp {
	struct topo_want *want;
	size_t n_want;
	struct topo_have *have;
	size_t n_have;
};

/*
 * Compares the layout of pc with pool zp: ids[k] is the identity of
 * pc->disks[k] (DISK_ID_NONE: compared by name). Fills c (free with
 * zfs_topo_free). Every config disk is looked for in the pool's vdevs of its
 * own group first, then in the others.
 */
void zfs_topo_compare(const struct zcfg_pool *pc, const struct disk_id *const *ids, const struct zpool *zp,
		      struct topo_cmp *c);
void zfs_topo_free(struct topo_cmp *c);
/* The index in c->have of the vdev that has pc->disks[k] (as zfs_topo_compare looked for it), or -1. */
long zfs_topo_find(const struct topo_cmp *c, const struct zcfg_pool *pc, const struct disk_id *const *ids, size_t k);

/* "log mirror: e, f" for a wanted vdev, as zfs_layout_describe writes it. Caller frees. */
char *zfs_topo_want_describe(const struct zcfg_pool *pc, const struct topo_want *w);
/* "log mirror: e, f" for a vdev of the pool, leaves by their zpool status names. Caller frees. */
char *zfs_topo_have_describe(const struct topo_have *h);

#endif
