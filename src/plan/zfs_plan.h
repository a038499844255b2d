/* zfs_plan: the ZFS part of the plan (pools, datasets, properties, ARC). */
#ifndef PH_ZFS_PLAN_H
#define PH_ZFS_PLAN_H
#include <stdbool.h>
#include <stdint.h>

#include "cmd/ctx.h"
#include "config/zfs_config.h"
#include "sys/disk.h"

/* Host facts the ZFS planner needs beyond zfs/zpool output (read by the subsystem, not the planner). */
struct zfs_disk_fact {
	char *disk;               /* as the config names it */
	struct disk_id id;        /* the device it is; DISK_ID_NONE when it does not resolve */
	struct disk_probe probe;  /* signatures; filled only for the disks of pools to be created */
};

struct zfs_facts {
	struct zfs_disk_fact *disks;    /* every disk of the config (identities at load, probes at discovery) */
	size_t n_disks;
	struct disk_host host;          /* what holds devices now: mounts, swap, holders, loop devices */
	bool arc_runtime_present;       /* <root>/sys/module/zfs/parameters/zfs_arc_max exists */
	uint64_t arc_runtime;
	char *modprobe_text;            /* <root>/etc/modprobe.d/zfs.conf, NULL when absent */
	uint64_t ram_bytes;
};

void zfs_facts_free(struct zfs_facts *f);

/*
 * Validation: two entries of zfs.pools[].disks naming one device under
 * different names (a symlink and its target, hard links, /dev/sdb and its
 * by-id name, a disk and its partition) are an error at the later entry, naming
 * the earlier one's JSON path; identical names are zfs_config_load's error.
 * Uses the identities in f (entries that did not resolve are skipped). Pure.
 */
void zfs_check_same_devices(const struct zfs_config *cfg, const struct zfs_facts *f,
			    const struct config_src *src, struct diag_list *dl);

/*
 * A property value for display in a plan or status line: as is, or, when it
 * holds a control character, with \n, \t, \r, \xNN and \\ escapes, so one
 * value never takes more than one line. Caller frees.
 */
char *zfs_value_display(const char *v);

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
 * The modprobe.d text with zfs_arc_max set to bytes. Every zfs_arc_max= of
 * its "options zfs" lines gets the value (modprobe passes them to the module
 * in order: the last one counts); when none has one, the first "options zfs"
 * line gets the parameter added, else an "options zfs" line is appended
 * (after an empty line when the last line ends in '\', which would join
 * them). Every other line is kept. text may be NULL. Caller frees.
 */
char *zfs_arc_modprobe_text(const char *text, uint64_t bytes);

/* The user property that marks datasets the tool created. */
#define PHOENIX_MANAGED_PROP "phoenix:managed"

#endif
