/*
 * zfs_config: the desired ZFS state, read from the `zfs` section of
 * phoenix_hypervisor_config.json (the real format, unchanged, plus optional
 * extensions). Every record keeps its JSON path for diagnostics.
 */
#ifndef PH_ZFS_CONFIG_H
#define PH_ZFS_CONFIG_H
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "util/diag.h"
#include "util/strbuf.h"

/* One property as the user wrote it, with its normalised form for comparison. */
struct zcfg_prop {
	char *name;
	char *value;  /* as written ("128K", "lz4", "1.4T") */
	char *norm;   /* normalised ("131072", "lz4", "1539316278886") */
	char *jpath;  /* where the config sets it: "zfs.datasets[0].properties(.NAME)" */
	bool inherit; /* the value is "inherit": `zfs inherit NAME DS` (norm is "inherit") */
};

struct zcfg_props {
	struct zcfg_prop *v;
	size_t n;
};

/* Where a configured vdev serves its pool. */
enum zcfg_group { ZG_DATA, ZG_LOG, ZG_CACHE, ZG_SPECIAL, ZG_SPARE };

/*
 * One vdev entry of a pool's layout: disks[first .. first + n) of its pool.
 * A "stripe" entry stands for n top-level vdevs of one disk each (so does
 * every cache and spares entry).
 */
struct zcfg_vdev {
	enum zcfg_group group;
	const char *type;    /* static: "stripe", "mirror", "raidz1", "raidz2", "raidz3" */
	size_t first, n;
	char *jpath;         /* "zfs.pools[0].vdevs[1]", "zfs.pools[0].spares"; raid_level form: "zfs.pools[0]" */
};

/* pools[].scrub: who scrubs the pool and how often. */
enum zcfg_scrub {
	ZSCRUB_DEBIAN,   /* default: Debian's monthly cron (second Sunday) is in charge */
	ZSCRUB_EVERY,    /* "weekly" (7), "monthly" (30) or {"every_days": N}: the tool's own job */
	ZSCRUB_OFF       /* nobody scrubs: Debian's cron is disabled for the pool */
};
/* pools[].trim: who trims the pool. */
enum zcfg_trim {
	ZTRIM_DEBIAN,    /* default: Debian's cron (which trims only pools of NVMe disks) */
	ZTRIM_AUTO,      /* autotrim=on; Debian's cron disabled for the pool */
	ZTRIM_EVERY,     /* "weekly" (7) or "monthly" (30): the tool's own job */
	ZTRIM_OFF
};

struct zcfg_pool {
	char *name;
	char *layout;        /* normalised type of the first data vdev: "stripe", "mirror", "raidz1", ... */
	char **disks;        /* every disk of the layout, data vdevs first, then log, cache, special, spares */
	char **disk_jpaths;  /* where each disk is: "zfs.pools[0].disks[1]", "zfs.pools[0].vdevs[1].disks[0]" */
	size_t n_disks;
	struct zcfg_vdev *vdevs;   /* the layout in config order, grouped as disks is */
	size_t n_vdevs;
	int ashift;          /* 12 unless the config says otherwise */
	char *mountpoint;    /* extension: zpool create -m; NULL = ZFS default (/NAME) */
	struct zcfg_props properties;   /* extension: zpool create -o */
	struct zcfg_props options;      /* extension: zpool create -O (dataset-wide) */
	enum zcfg_scrub scrub;          /* extension: pools[].scrub */
	int scrub_days;                 /* ZSCRUB_EVERY: the interval in days (1..365) */
	enum zcfg_trim trim;            /* extension: pools[].trim */
	int trim_days;                  /* ZTRIM_EVERY: the interval in days */
	char *nodes;         /* extension: pools[].nodes comma-joined ("pve1,pve2"); NULL: every node */
	char *jpath;         /* "zfs.pools[0]" */
};

struct zcfg_dataset {
	char *name;          /* as in the config, relative to the pool ("vm-disks", "a/b") */
	char *full;          /* "pool/name" */
	char *pool;
	bool is_volume;      /* extension: "type": "volume" */
	char *volsize;       /* normalised bytes, volumes only */
	bool sparse;         /* extension: "sparse": true, a volume without reservation (zfs create -s) */
	char *mountpoint;    /* extension; NULL = inherited from the pool */
	struct zcfg_props props;
	char *pve_type;      /* proxmox_storage_type, NULL when absent */
	char *pve_content;   /* proxmox_content_type */
	char *storage_class;
	char *nodes;         /* extension: datasets[].nodes comma-joined, a subset of its pool's; NULL: its pool's */
	char *jpath;         /* "zfs.datasets[3]" */
};

struct zfs_config {
	struct zcfg_pool *pools;
	size_t n_pools;
	struct zcfg_dataset *datasets;
	size_t n_datasets;
	bool has_arc;
	uint64_t arc_max_bytes;
	bool allow_destructive;   /* zfs.settings.allow_destructive_operations */
	bool present;             /* the config has a zfs section */
	size_t *by_name;          /* dataset indices sorted by full name (lookups); NULL: search linearly */
	/*
	 * Set in a node's view (zfs_config_for_node) only: the config it was made
	 * from, and what it left out because it is on other nodes.
	 */
	const struct zfs_config *all;
	struct strvec away_pools;     /* pools not on this node */
	struct strvec away_datasets;  /* datasets of this node's pools that are not on it (full names) */
	struct strvec away_lines;     /* "pool fastData is on pve2 only (not this node, pve1)", one per object */
};

/*
 * Parses and validates the zfs section of src. Every problem is added to dl
 * (all at once). Returns 0 when no error was found. cfg is always filled with
 * what could be read and must be freed with zfs_config_free.
 */
int zfs_config_load(const struct config_src *src, struct zfs_config *cfg, struct diag_list *dl);
/* Frees a loaded config, or a node's view (which owns only its arrays and lists). NULL is fine. */
void zfs_config_free(struct zfs_config *cfg);

/*
 * This node's part of all: the pools whose nodes include node, and of their
 * datasets those whose own nodes (and those of every configured dataset
 * above them) include it, in config order (on_this_node is the one test).
 * Every other pool and dataset is named in away_pools / away_datasets, and
 * away_lines has one line per pool and per dataset left out on its own (not
 * the datasets of a pool left out, nor those below a dataset left out). The
 * view shares all's records (all must outlive it) and is freed with
 * zfs_config_free. Pure, never fails.
 */
void zfs_config_for_node(const struct zfs_config *all, const char *node, struct zfs_config *here);
/*
 * Is the dataset or pool full (or a dataset below it) left out of this
 * node's view here? Returns the pool or dataset of all that puts it on other
 * nodes, or NULL (also for a config that is no view).
 */
const char *zfs_config_away(const struct zfs_config *here, const char *full);
/*
 * The dataset or pool left out of view here whose mountpoint (from the config
 * alone) holds path, when no dataset of this node's holds it more closely, or
 * NULL: a directory, export or share at path lives on another node.
 * Caller does not free.
 */
const char *zfs_config_away_for_path(const struct zfs_config *here, const char *path);
/*
 * Why an object (an export, a share, a directory) with the nodes list
 * nodes_csv (NULL: every node) at host path (NULL: none) is not on node:
 * "is on pve2 only (not this node, pve1)" when its own nodes leave node out
 * (on_this_node), "is on dataset fastData/x, which is on other nodes (not
 * this node, pve1)" when path lives on what here left out
 * (zfs_config_away_for_path; here NULL: no zfs view); NULL when it is here.
 * The one rule every front door leaves such objects out by. Caller frees.
 */
char *zfs_config_elsewhere(const struct zfs_config *here, const char *nodes_csv, const char *node, const char *path);

/* "data", "log", "cache", "special", "spare": the group as the plan names it. */
const char *zcfg_group_name(enum zcfg_group g);
/*
 * The interval in seconds after which the pool should have been scrubbed:
 * its own schedule, 31 days under Debian's monthly cron, 0 when scrubbing
 * is off (no scrub-age check).
 */
int64_t zcfg_scrub_interval_s(const struct zcfg_pool *pc);

const struct zcfg_pool *zfs_config_pool(const struct zfs_config *cfg, const char *name);
const struct zcfg_dataset *zfs_config_dataset(const struct zfs_config *cfg, const char *full);
const struct zcfg_prop *zcfg_props_get(const struct zcfg_props *props, const char *name);

/* The mountpoint ZFS has now for dataset full, or NULL (zfs_config_mountpoint's hook). */
typedef const char *(*zfs_current_mountpoint)(const void *arg, const char *full);

/*
 * Where dataset full (of the config, or any dataset below a pool of it) is
 * mounted: its own mountpoint in the config (the mountpoint member, then the
 * mountpoint property), else what current(arg, full) says ZFS has now (current
 * may be NULL: the config alone), else its parent's with its name appended
 * ("none" and "legacy" are inherited as they are), the pool's -m or /POOL.
 * Pure; caller frees.
 */
char *zfs_config_mountpoint(const struct zfs_config *cfg, const char *full, zfs_current_mountpoint current,
			    const void *arg);

/*
 * The sharenfs or sharesmb property (prop; set and not "off") by which a
 * dataset or pool root of the config shares path itself through ZFS (at the
 * mountpoint the config gives it), or NULL. *dataset gets its full name (owned
 * by cfg). Used by the nfs and samba loaders: the same path shared by ZFS and
 * by their section is an error.
 */
const struct zcfg_prop *zfs_config_shares_path(const struct zfs_config *cfg, const char *prop, const char *path,
					       const char **dataset);

/*
 * The error for a path that a dataset of cfg shares through prop (sharenfs or
 * sharesmb) while the entry at jpath of src shares it too: noun names what
 * that entry is ("export", "share"), verb what it does ("exports", "shares").
 * Returns true when it added the error to dl.
 */
bool zfs_config_double_share(const struct config_src *src, const struct zfs_config *cfg, const char *prop,
			     const char *path, const char *jpath, const char *noun, const char *verb,
			     struct diag_list *dl);

#endif
