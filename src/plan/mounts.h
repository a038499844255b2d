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

/* True when the dataset exists now (false: the plan creates it, or nothing does). */
bool zfs_view_exists(const struct zfs_view *v, const char *full);
/* True when name is a pool of the config or of the state. */
bool zfs_view_is_pool(const struct zfs_view *v, const char *name);

#endif
