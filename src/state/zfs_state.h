/*
 * zfs_state: the current ZFS state, read with a constant number of zfs/zpool
 * invocations. The parsers are pure functions over captured text (unit-tested);
 * zfs_state_discover() is the only part that runs programs.
 */
#ifndef PH_ZFS_STATE_H
#define PH_ZFS_STATE_H
#include <stdbool.h>
#include <stdint.h>

#include "state/zpool_health.h"
#include "sys/disk.h"
#include "util/diag.h"
#include "util/strbuf.h"

/* Strings of zprop and zfs_dataset point into the state's text buffers (not freed one by one). */
struct zprop {
	const char *name;
	const char *value;   /* exact (-p) value as zfs prints it; may hold a newline or TAB someone set */
	const char *source;  /* "local", "default", "-", "inherited from X", ... */
	bool odd;            /* the value has a control character, or had to be reconstructed from
				several lines or fields of text output (see zfs_parse_get) */
};

struct zfs_dataset {
	const char *name;     /* full name, pool/a/b */
	struct zprop *props;  /* sorted by name */
	size_t n_props;
	size_t cap_props;
};

/* Where a vdev serves its pool (the section of zpool status it is listed in). */
enum vdev_group { VG_DATA, VG_LOG, VG_CACHE, VG_SPARE, VG_SPECIAL, VG_DEDUP };

/* The word zpool status heads the group with ("logs", "cache", ...; "data" for VG_DATA). */
const char *vdev_group_name(enum vdev_group g);

struct vdev {
	char *name;    /* as zpool status prints it: a path, a short disk name or "mirror-0" */
	char *state;
	int depth;     /* 0 = top-level vdev under the pool */
	bool leaf;     /* a disk or file, not a group such as mirror-0 */
	char *was;     /* an unavailable vdev's last path ("was /dev/..."), or NULL */
	struct disk_id id;   /* the device it is (zfs_state_resolve_vdevs); DISK_ID_NONE when unknown */
	enum vdev_group group;   /* VG_DATA in vdevs, the section's group in aux */
};

/* The layout a group vdev's name says ("mirror-1" -> "mirror", "raidz2-0" -> "raidz2"); "stripe" otherwise. */
const char *vdev_layout_of(const char *name);

/* One pool property as `zpool get` prints it (exact with -p where zpool has it). */
struct zpool_prop {
	char *name;
	char *value;
	char *source;   /* "local", "default", "-" */
};

struct zpool {
	char *name;
	char *state;          /* ONLINE, DEGRADED, FAULTED, ... */
	char *layout;         /* "stripe", "mirror", "raidz1", ... (of the first top-level vdev) */
	struct vdev *vdevs;
	size_t n_vdevs;
	struct vdev *aux;     /* logs, cache, spares, special and dedup vdevs: in use, not data */
	size_t n_aux;
	char *errors;         /* the "errors:" line */
	bool importable;      /* listed by zpool import, not imported */
	char *import_id;
	struct zpool_prop *props;   /* zfs_state_read_pool_props; in zpool's order */
	size_t n_props;
	bool props_read;      /* props holds what zpool get printed for this pool */
	struct zh_pool health; /* the full health model of this pool (scans, counters, groups), owned */
};

/* What this ZFS supports, read from the usage text of `zfs get`. */
struct zfs_caps {
	bool known;
	struct strvec props;          /* property names zfs accepts */
	struct strvec compression;    /* compression values, with gzip-N etc. expanded */
	struct strvec fixed;          /* EDIT NO: statistics and the properties set only at create
					 (casesensitivity, volblocksize, encryption, keyformat, ...) */
	struct strvec noinherit;      /* INHERIT NO: `zfs inherit` refuses them */
	struct strvec enums;          /* "NAME\tv1 | v2 | ..." for each property whose VALUES column is a plain list */
	uint64_t max_recordsize;      /* 128K on old ZFS, 1M or 16M on modern */
	bool modern;                  /* feature flags era (lz4/zstd named) */
	bool get_types;               /* `zfs get` takes -t (skip snapshots while reading) */
	bool get_json;                /* `zfs get` takes -j (OpenZFS 2.3: JSON, unambiguous values) */
	const char *xattr_on;         /* what xattr=on is on this ZFS line: "sa" from OpenZFS 2.2 (shown as on),
					 "dir" before it and on zfs-fuse (dir shown as on); NULL: as dir */
};

struct zfs_state {
	struct zpool *pools;
	size_t n_pools;
	struct zfs_dataset *datasets;   /* in zfs order (parents before children) */
	size_t n_datasets;
	struct zfs_caps caps;
	unsigned invocations;           /* programs run to discover this */
	size_t n_odd;                   /* properties with odd set */
	bool status_paths;              /* zpool status was read with -P: vdev names are full paths */
	char **bufs;                    /* copies of parsed `zfs get` output and string chunks, owned */
	size_t n_bufs;
	char *chunk;                    /* free room in the last string chunk (of bufs) */
	size_t chunk_left;
};

/*
 * Pure parsers (unit-tested).
 *
 * zfs_parse_get reads `zfs get -H -p` text (name TAB property TAB value TAB
 * source per line) and never fails: a value with a newline continues on the
 * next lines, a value with a TAB makes more fields. A line starts a record only
 * when the record before it is complete (its last field is a source such as
 * "local" or "inherited from X"), its first field is the current dataset or a
 * plausible next one in `zfs get -r` order (a pool of pools, or a new child of
 * the current dataset or of one of its parents; never one already read) and
 * its second field a property name not yet read for that dataset; any other
 * line continues the previous value. The value is everything between the
 * property and the last TAB. Every value that has a control character, or was
 * rebuilt that way, gets odd set (st->n_odd counts them). pools names the pools
 * that were read (NULL: any). Returns 0.
 */
int zfs_parse_get(const char *text, const struct strvec *pools, struct zfs_state *st, struct diag_list *dl);
/*
 * Reads `zfs get -j -p` output (OpenZFS 2.3: {"datasets": {NAME: {"properties":
 * {PROP: {"value", "source": {"type", "data"}}}}}}); values are exact, odd is set
 * for those with a control character. Empty text (no dataset asked for exists)
 * reads as no datasets. Returns 0, or -1 with an error in dl when the text is
 * not that JSON.
 */
int zfs_parse_get_json(const char *text, struct zfs_state *st, struct diag_list *dl);
/* Other parsers return 0 or -1 with a message in dl. */
int zpool_parse_status(const char *text, struct zfs_state *st, bool importable, struct diag_list *dl);
int zfs_parse_caps(const char *usage, struct zfs_caps *caps);
/*
 * Reads `zpool get -H -p all POOL...` (tabbed: pool, property, value, source)
 * or, header true, the form of a zpool without -H (zfs-fuse: a NAME PROPERTY
 * VALUE SOURCE header, columns padded with blanks; the value is what lies
 * between the property and the last word). Lines of pools not in st are
 * skipped; every pool named gets props_read. Returns 0, or -1 with an error in
 * dl when a line has fewer than four fields.
 */
int zpool_parse_get(const char *text, bool header, struct zfs_state *st, struct diag_list *dl);

/*
 * Reads capabilities (zfs get usage), pools (zpool status) and the datasets of
 * the given pools with all their properties (zfs get -H -p -r -t
 * filesystem,volume all POOL...): three programs, however many datasets
 * exist. Without `get -t` (zfs-fuse) `zfs list -H -o name -t filesystem,volume
 * -r POOL...` first, then `zfs get -H -p all NAME...`: four, and snapshots are
 * never read. pools NULL reads every pool;
 * pools that are not imported are skipped. Returns 0, or -1 with an error in dl.
 */
int zfs_state_discover(struct zfs_state *st, const struct strvec *pools, struct diag_list *dl);
/*
 * The properties of the given imported pools: one `zpool get -H -p all
 * POOL...` (`zpool get all POOL...` where the `zfs get` usage shows no -t, as
 * on zfs-fuse; a zpool that refuses -H is asked again without it). Returns 0,
 * or -1 with an error naming the program in dl.
 */
int zfs_state_read_pool_props(struct zfs_state *st, const struct strvec *pools, struct diag_list *dl);
/* The property of a pool read by zfs_state_read_pool_props, or NULL. */
const struct zpool_prop *zpool_get_prop(const struct zpool *p, const char *name);
/*
 * Adds the pools that `zpool import -d DIR...` lists (exist on disks, not imported),
 * with importable set. One program. Returns 0 or -1.
 */
int zfs_state_scan_importable(struct zfs_state *st, const struct strvec *dirs, struct diag_list *dl);
/*
 * Resolves every leaf vdev (data and auxiliary) of every pool to the device it
 * is (disk_vdev_path, then disk_id_resolve under sysfs root sys). Short names
 * of importable pools are looked up in dirs first (the -d directories of the
 * import scan). A vdev that cannot be resolved keeps DISK_ID_NONE and is then
 * matched by name. No program is run.
 */
void zfs_state_resolve_vdevs(struct zfs_state *st, const struct strvec *dirs, const char *sys);
void zfs_state_free(struct zfs_state *st);

const struct zpool *zfs_state_pool(const struct zfs_state *st, const char *name);
/* False for a pool whose datasets cannot be read: not imported, or imported but UNAVAIL/FAULTED. */
bool zpool_readable(const struct zpool *p);
const struct zfs_dataset *zfs_state_dataset(const struct zfs_state *st, const char *name);
/* The property value, or NULL when the dataset does not have it. */
const struct zprop *zfs_dataset_prop(const struct zfs_dataset *ds, const char *name);
bool zfs_caps_has_prop(const struct zfs_caps *caps, const char *name);
/*
 * Can property name only be given when a dataset is created on this ZFS? From
 * the usage text (EDIT NO, not a statistic) when it was read, else from the
 * zprops table. User properties never are.
 */
bool zfs_caps_create_only(const struct zfs_caps *caps, const char *name);
/* Does `zfs inherit` take property name on this ZFS (usage INHERIT column, else the table)? */
bool zfs_caps_inheritable(const struct zfs_caps *caps, const char *name);

/*
 * Sets caps->xattr_on from the kernel module's version text
 * (/sys/module/zfs/version, "2.3.2-2~bpo12+2"): "sa" from 2.2 on, else (an
 * older line, or no text: zfs-fuse) "dir". Pure.
 */
void zfs_caps_set_line(struct zfs_caps *caps, const char *module_version);

/*
 * zprop_value_eq with what this ZFS line shows under another name:
 * xattr=on is sa on OpenZFS 2.2 and later, dir before (caps->xattr_on).
 */
bool zfs_caps_value_eq(const struct zfs_caps *caps, const char *name, const char *a, const char *b);
/*
 * Does this ZFS take value for enumerated property name? The usage text's
 * list decides (a display alias of a listed value counts: posixacl for
 * posix); true when there is no plain list for it (no usage text, a property
 * it does not list, or values such as "sha256[,verify]"). Pure.
 */
bool zfs_caps_enum_ok(const struct zfs_caps *caps, const char *name, const char *value, const char **list);
/* Frees what caps owns (accepts a zeroed one). */
void zfs_caps_free(struct zfs_caps *caps);
/* True when the dataset carries phoenix:managed=true set on itself (not inherited from a parent). */
bool zfs_dataset_is_managed(const struct zfs_dataset *ds);

/*
 * Does the zpool usage text (what `zpool` prints without arguments) list the
 * subcommand cmd ("trim": OpenZFS 0.8 and later; zfs-fuse has none)? A line
 * that starts with a TAB, then cmd, then a blank or the end. Pure.
 */
bool zpool_usage_has(const char *usage, const char *cmd);
/*
 * Whether this zpool has `zpool trim`: one program (`zpool`, its usage).
 * Returns 0 with *has set, or -1 with an error in dl when zpool cannot run.
 */
int zpool_read_has_trim(bool *has, struct diag_list *dl);

/* The zfs and zpool programs: $PHOENIX_ZFS / $PHOENIX_ZPOOL or "zfs"/"zpool" (exec_program). */
const char *zfs_prog(void);
const char *zpool_prog(void);

#endif
