/* zfs_plan: the ZFS part of the plan (pools, datasets, properties, ARC). */
#ifndef PH_ZFS_PLAN_H
#define PH_ZFS_PLAN_H
#include <stdbool.h>
#include <stdint.h>

#include "config/zfs_config.h"
#include "formats/modprobe.h"
#include "plan/plan.h"
#include "state/zfs_state.h"
#include "sys/disk.h"

/* Host facts the ZFS planner needs beyond zfs/zpool output (read by the subsystem, not the planner). */
struct zfs_disk_fact {
	char *disk;               /* as the config names it */
	struct disk_id id;        /* the device it is; DISK_ID_NONE when it does not resolve */
	enum disk_media media;    /* rotational, NVMe or other SSD (sysfs), for the TRIM policy warning */
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
 * Validation: two disks of the config's pools (in any vdev, log, cache,
 * special or spares, named at their disk_jpaths) naming one device under
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

/* What the ZFS planner reads (every pointer borrowed). */
struct zfs_plan_in {
	const struct zfs_config *cfg;
	const struct zfs_state *st;
	const struct zfs_facts *facts;    /* may be NULL */
	const char *root;                 /* --root ("" when not given): the host files of the ARC limit */
	const struct strvec *allow_wipe;  /* --allow-wipe DISK... */
	bool allow_grow;                  /* --allow-grow-pool: add the data and special vdevs a pool lacks */
};

/*
 * Adds the ZFS actions to p: pool imports and creations (with the disk checks
 * and --allow-wipe), the layout of existing pools compared (drift warned
 * about) and the vdevs they lack added (zpool add; data and special only with
 * allow_grow), dataset creations parent before child, property changes,
 * the ARC limit; errors and warnings go to p->diags. Pure: reads only in.
 */
void zfs_plan_build(const struct zfs_plan_in *in, struct plan *p);

/*
 * The layout drift of the existing pool zp against pc, exactly the warnings
 * the plan gives (one per difference, with the hint); f gives the configured
 * disks' identities (NULL: compared by name). For status. Pure.
 */
void zfs_pool_drift(const struct zcfg_pool *pc, const struct zpool *zp, const struct zfs_facts *f,
		    struct diag_list *dl);
/*
 * Does pool property cur (NULL: zpool did not print it) have the config's
 * value pr? A pool property has no parent, so its source does not count; an
 * active feature is enabled. The one test of the plan and of status.
 */
bool zpool_prop_converged(const struct zcfg_prop *pr, const struct zpool_prop *cur);
/* Capacity lint: warnings when a pool's quotas or reservations exceed its size (st may be NULL). */
void zfs_lint_capacity(const struct zfs_config *cfg, const struct zfs_state *st, struct diag_list *dl);

/* Data of an ARC action: a file to write (owned by the action). */
struct arc_write {
	char *path;       /* already under --root */
	char *content;
	bool sysfs;       /* write in place: a sysfs file cannot be renamed over */
};

/* free_data of an ARC action (accepts NULL). */
void arc_write_free(void *data);

/* The user property that marks datasets the tool created. */
#define PHOENIX_MANAGED_PROP "phoenix:managed"

#endif
