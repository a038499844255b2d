/* zfs_plan: the ZFS part of the plan (pools, datasets, properties, ARC). */
#ifndef PH_ZFS_PLAN_H
#define PH_ZFS_PLAN_H
#include <stdbool.h>
#include <stdint.h>

#include "cmd/ctx.h"
#include "config/zfs_config.h"
#include "sys/disk.h"

/* Host facts the ZFS planner needs beyond zfs/zpool output (read by discovery). */
struct zfs_disk_fact {
	char *disk;
	struct disk_probe probe;
};

struct zfs_facts {
	struct zfs_disk_fact *disks;    /* the disks of pools that must be created */
	size_t n_disks;
	bool arc_runtime_present;       /* <root>/sys/module/zfs/parameters/zfs_arc_max exists */
	uint64_t arc_runtime;
	char *modprobe_text;            /* <root>/etc/modprobe.d/zfs.conf, NULL when absent */
	uint64_t ram_bytes;
};

void zfs_facts_free(struct zfs_facts *f);

/*
 * Adds the ZFS actions to p: pool imports and creations (with the disk checks
 * and --allow-wipe), dataset creations parent before child, property changes,
 * the ARC limit; errors and warnings go to p->diags. Pure: reads only ctx and f.
 */
void zfs_plan_build(const struct ph_ctx *ctx, const struct zfs_facts *f, struct plan *p);

/* Capacity lint: warnings when a pool's quotas or reservations exceed its size. */
void zfs_lint_capacity(const struct ph_ctx *ctx, struct diag_list *dl);

/*
 * Mount-before-use: finds the managed dataset whose mountpoint holds path
 * (path itself or below it), among the datasets of the config (which this plan
 * creates if missing) and the existing datasets carrying phoenix:managed=true.
 * Returns the dataset's full name (owned by ctx, valid for the run) or NULL.
 * *mountpoint gets the dataset's mountpoint (owned by ctx) and *mounted_now
 * whether it is mounted at this moment (false when the plan will create it).
 */
const char *zfs_dataset_for_path(const struct ph_ctx *ctx, const char *path,
				 const char **mountpoint, bool *mounted_now);

/* Expected mountpoint of a dataset of the config (explicit, inherited, or default); caller frees. */
char *zfs_expected_mountpoint(const struct ph_ctx *ctx, const char *full);

/*
 * The sharenfs or sharesmb property (prop; set and not "off") by which a
 * dataset or pool root of the config shares path itself through ZFS, or NULL.
 * *dataset gets its full name (owned by ctx->zcfg). Used by the nfs and samba
 * loaders: the same path shared by ZFS and by their section is an error.
 */
const struct zcfg_prop *zfs_config_shares_path(const struct ph_ctx *ctx, const char *prop, const char *path,
					       const char **dataset);

/*
 * The modprobe.d text with zfs_arc_max set to bytes: an existing
 * "options zfs" line gets the parameter replaced or added; otherwise a line is
 * appended. Every other line is kept. text may be NULL. Caller frees.
 */
char *zfs_arc_modprobe_text(const char *text, uint64_t bytes);

/* The user property that marks datasets the tool created. */
#define PHOENIX_MANAGED_PROP "phoenix:managed"

#endif
