/*
 * zfs_state: the current ZFS state, read with a constant number of zfs/zpool
 * invocations. The parsers are pure functions over captured text (unit-tested);
 * zfs_state_discover() is the only part that runs programs.
 */
#ifndef PH_ZFS_STATE_H
#define PH_ZFS_STATE_H
#include <stdbool.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/strbuf.h"

/* Strings of zprop and zfs_dataset point into the state's text buffers (not freed one by one). */
struct zprop {
	const char *name;
	const char *value;   /* exact (-p) value as zfs prints it */
	const char *source;  /* "local", "default", "-", "inherited from X", ... */
};

struct zfs_dataset {
	const char *name;     /* full name, pool/a/b */
	struct zprop *props;  /* sorted by name */
	size_t n_props;
	size_t cap_props;
};

struct vdev {
	char *name;    /* as zpool status prints it: a path, a short disk name or "mirror-0" */
	char *state;
	int depth;     /* 0 = top-level vdev under the pool */
};

struct zpool {
	char *name;
	char *state;          /* ONLINE, DEGRADED, FAULTED, ... */
	char *layout;         /* "stripe", "mirror", "raidz1", ... (of the first top-level vdev) */
	struct vdev *vdevs;
	size_t n_vdevs;
	char *errors;         /* the "errors:" line */
	bool importable;      /* listed by zpool import, not imported */
	char *import_id;
};

/* What this ZFS supports, read from the usage text of `zfs get`. */
struct zfs_caps {
	bool known;
	struct strvec props;          /* property names zfs accepts */
	struct strvec compression;    /* compression values, with gzip-N etc. expanded */
	uint64_t max_recordsize;      /* 128K on old ZFS, 1M or 16M on modern */
	bool modern;                  /* feature flags era (lz4/zstd named) */
	bool get_types;               /* `zfs get` takes -t (skip snapshots while reading) */
};

struct zfs_state {
	struct zpool *pools;
	size_t n_pools;
	struct zfs_dataset *datasets;   /* in zfs order (parents before children) */
	size_t n_datasets;
	struct zfs_caps caps;
	unsigned invocations;           /* programs run to discover this */
	char **bufs;                    /* copies of parsed `zfs get` output, owned */
	size_t n_bufs;
};

/* Pure parsers (unit-tested); each returns 0 or -1 with a message in dl. */
int zfs_parse_get(const char *text, struct zfs_state *st, struct diag_list *dl);
int zpool_parse_status(const char *text, struct zfs_state *st, bool importable, struct diag_list *dl);
int zfs_parse_caps(const char *usage, struct zfs_caps *caps);

/*
 * Reads capabilities (zfs get usage), pools (zpool status) and the datasets of
 * the given pools with all their properties (zfs get -H -p -r all POOL...):
 * three programs, however many datasets exist. pools NULL reads every pool;
 * pools that are not imported are skipped. Returns 0, or -1 with an error in dl.
 */
int zfs_state_discover(struct zfs_state *st, const struct strvec *pools, struct diag_list *dl);
/*
 * Adds the pools that `zpool import -d DIR...` lists (exist on disks, not imported),
 * with importable set. One program. Returns 0 or -1.
 */
int zfs_state_scan_importable(struct zfs_state *st, const struct strvec *dirs, struct diag_list *dl);
void zfs_state_free(struct zfs_state *st);

const struct zpool *zfs_state_pool(const struct zfs_state *st, const char *name);
const struct zfs_dataset *zfs_state_dataset(const struct zfs_state *st, const char *name);
/* The property value, or NULL when the dataset does not have it. */
const struct zprop *zfs_dataset_prop(const struct zfs_dataset *ds, const char *name);
bool zfs_caps_has_prop(const struct zfs_caps *caps, const char *name);
/* True when the dataset carries phoenix:managed=true set on itself (not inherited from a parent). */
bool zfs_dataset_is_managed(const struct zfs_dataset *ds);

/* The zfs and zpool programs: $PHOENIX_ZFS / $PHOENIX_ZPOOL or "zfs"/"zpool" (exec_program). */
const char *zfs_prog(void);
const char *zpool_prog(void);

#endif
