/*
 * mounts: the read-only view of ZFS that every planner asks its path
 * questions through (which managed dataset holds a path, where a dataset
 * will be mounted), and the one mount-before-use guard built on it.
 *
 * The view borrows the zfs config and the zfs state from the zfs front door
 * (subsys/zfs.c); it owns nothing and changes nothing. Pure: no I/O.
 */
#ifndef PH_MOUNTS_H
#define PH_MOUNTS_H
#include <stdbool.h>

#include "config/zfs_config.h"
#include "state/zfs_state.h"

struct zfs_view {
	const struct zfs_config *cfg;   /* the zfs section; may be NULL */
	const struct zfs_state *st;     /* the current state; NULL before discovery */
	const char *root;               /* --root, "" when not given */
	/*
	 * The zfs part of the plan does not run (--only without zfs): a dataset
	 * it would create, or whose mountpoint it would move, is not there when
	 * the other layers apply (the guard says MOUNT_NOT_YET).
	 */
	bool zfs_left_out;
};

/*
 * Where dataset full is mounted once the plan is applied: its mountpoint in
 * the config, else the one it has now, else its parent's with its name
 * appended (the pool's -m, or /POOL). Caller frees.
 */
char *zfs_view_mountpoint(const struct zfs_view *v, const char *full);

/*
 * The managed dataset whose mountpoint holds path (path itself or below it),
 * among the filesystems of the config (which the plan creates if missing) and
 * the existing datasets carrying phoenix:managed=true; the deepest wins.
 * Returns its name (borrowed from the view's config or state) or NULL. When
 * not NULL, *mountpoint gets the dataset's mountpoint (caller frees; NULL when
 * nothing is found) and *mounted_now whether it is mounted there now.
 */
const char *zfs_view_dataset_for_path(const struct zfs_view *v, const char *path, char **mountpoint,
				      bool *mounted_now);

/*
 * The dataset mounted at path now, or at path inside --root (any dataset,
 * managed or not: what Proxmox finds there), or NULL. Borrowed from the state.
 */
const char *zfs_view_mounted_at(const struct zfs_view *v, const char *path);

/* True when the dataset exists now (false: the plan creates it, or nothing does). */
bool zfs_view_exists(const struct zfs_view *v, const char *full);
/* True when name is a pool of the config or of the state. */
bool zfs_view_is_pool(const struct zfs_view *v, const char *name);

/*
 * The mount-before-use guard: anything the tool puts on a path (a directory,
 * an export, a share, a Proxmox storage, a container's bind mount) must be on
 * a managed ZFS dataset that is mounted, or that the plan creates; otherwise
 * it would land on the filesystem underneath. The decision is made here,
 * once; callers word the message from the verdict.
 */
enum mount_state {
	MOUNT_MOUNTED,      /* on dataset D, mounted at its mountpoint now */
	MOUNT_MOVED,        /* D exists and is mounted, elsewhere: the plan moves its mountpoint here */
	MOUNT_CREATED,      /* D does not exist yet: the plan creates (and mounts) it */
	MOUNT_NOT_MOUNTED,  /* D exists and is not mounted: refused */
	MOUNT_NO_DATASET,   /* no managed dataset holds the path: refused */
	MOUNT_NOT_YET,      /* D would be created or moved here by the zfs part of the plan, which is not in
			       this run (zfs_left_out): refused */
};

struct mount_verdict {
	enum mount_state state;
	const char *dataset;     /* D (borrowed from the view); NULL for MOUNT_NO_DATASET */
	char *mountpoint;        /* D's mountpoint once the plan is applied, as ZFS has it */
	/* MOUNT_NO_DATASET: what the path is near, for the message */
	const char *outside;     /* rooted, with --root: the managed dataset holding the path itself,
				    mounted outside the root; else NULL */
	char *outside_mp;        /* its mountpoint */
	const char *named;       /* a managed filesystem of the config whose name is a run of the path's
				    components ("/mnt/pve/POOL/NAME/..."), or NULL */
	long named_at;           /* offset of "/POOL/NAME" in the path */
	char *named_mp;          /* its mountpoint */
	bool below_pool;         /* the path's first component is a pool: "/POOL/REST" */
	char *guess;             /* the dataset that should hold the path: its path below the deepest
				    dataset or pool whose mountpoint covers it */
};

/* True for MOUNT_MOUNTED, MOUNT_MOVED and MOUNT_CREATED: the path may be used. */
bool mount_ok(const struct mount_verdict *m);

/*
 * The verdict for path. rooted: path is as the config writes it and lies
 * under --root (it is looked up at root_path(v->root, path)); else path is as
 * ZFS sees it. m must be released with mount_verdict_free.
 */
void mount_guard(const struct zfs_view *v, const char *path, bool rooted, struct mount_verdict *m);
void mount_verdict_free(struct mount_verdict *m);

#endif
