/*
 * zpool_health: the health model of ZFS pools, read from the text of
 * `zpool status` (OpenZFS 2.x and zfs-fuse 0.7, every pool of one run in one
 * text; `zpool import` listings too) or from `zpool status -j` (OpenZFS 2.3).
 * Pure functions: text in, a struct out; no I/O, no globals, no clock.
 *
 * Dates: ZFS prints scan dates with ctime(3) in the local time zone of the
 * zpool process. The text parser returns them broken down as printed
 * (struct tm, tm_isdst = -1); zh_time_epoch() converts with mktime(3), i.e.
 * under the zone of the calling process (TZ), which must be the zone zpool
 * ran with. In the hour a DST change repeats, mktime picks one of the two
 * readings. `zpool status -j -p --json-int` gives epoch seconds instead.
 *
 * Ownership: zh_parse_status / zh_parse_status_json fill a struct zh_status
 * that owns every string in it; zh_status_free releases it (NULL-safe).
 */
#ifndef PH_ZPOOL_HEALTH_H
#define PH_ZPOOL_HEALTH_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>

#include "util/diag.h"

/* Pool and vdev states; the pool values keep zfs_exporter's zfs_pool_health order. */
enum zh_state {
	ZH_ONLINE, ZH_DEGRADED, ZH_FAULTED, ZH_OFFLINE, ZH_UNAVAIL, ZH_REMOVED, ZH_SUSPENDED,
	ZH_AVAIL,   /* a spare ready for use */
	ZH_INUSE,   /* a spare in use */
	ZH_STATE_UNKNOWN
};

/* Which section of the config table a vdev is in. */
enum zh_group { ZH_DATA, ZH_LOGS, ZH_CACHE, ZH_SPARES, ZH_SPECIAL, ZH_DEDUP };

enum zh_vdev_type {
	ZH_VDEV_ROOT,      /* the pool's own row */
	ZH_VDEV_DISK,      /* a leaf that is not an absolute path outside /dev */
	ZH_VDEV_FILE,      /* a leaf whose name is an absolute path outside /dev */
	ZH_VDEV_MIRROR,
	ZH_VDEV_RAIDZ,     /* parity 1-3 */
	ZH_VDEV_DRAID,     /* parity 1-3 */
	ZH_VDEV_DRAID_SPARE, /* a distributed spare, draidP-G-S */
	ZH_VDEV_REPLACING, /* replacing-N: old and new device while resilvering */
	ZH_VDEV_SPARE,     /* spare-N: a device and the hot spare standing in for it */
	ZH_VDEV_OTHER
};

/* A time as ZFS reported it: broken down local time (text) or epoch (JSON -p). */
struct zh_time {
	bool set;
	bool is_epoch;
	time_t epoch;   /* when is_epoch */
	struct tm tm;   /* when !is_epoch: local time as printed, tm_isdst = -1 */
};

enum zh_scan_func { ZH_SCAN_NONE, ZH_SCAN_SCRUB, ZH_SCAN_RESILVER, ZH_SCAN_REBUILD, ZH_SCAN_ERRORSCRUB };
enum zh_scan_state {
	ZH_SCAN_NEVER,      /* "none requested" */
	ZH_SCAN_FINISHED,   /* completed (OpenZFS "repaired ... on", zfs-fuse "completed after") */
	ZH_SCAN_CANCELED,   /* OpenZFS "canceled on", zfs-fuse "stopped after" */
	ZH_SCAN_RUNNING,    /* in progress */
	ZH_SCAN_PAUSED      /* scrub paused (OpenZFS) */
};

/* One scan: the scan:/scrub: line and its progress lines. */
struct zh_scan {
	enum zh_scan_func func;
	enum zh_scan_state state;
	struct zh_time start;    /* in progress since / started on */
	struct zh_time end;      /* finished / canceled on */
	struct zh_time paused;   /* paused since */
	int64_t duration_s;      /* "in 1 days 02:03:04", zfs-fuse "after 0h5m" (and for its
				  * running scans the time so far, "for 0h5m"); -1 unknown */
	uint64_t repaired_bytes; /* repaired / resilvered amount (from a 1.2M-style number) */
	int64_t errors;          /* "with N errors"; -1 unknown */
	double pct_done;         /* "12.34% done"; -1 unknown */
	char *vdev;              /* the top-level vdev of a sequential rebuild, else NULL */
	char *text;              /* the scan text as printed, progress lines joined by "\n" */
};

struct zh_vdev {
	char *name;       /* as printed: a path, short disk name, guid or "mirror-0" */
	int depth;        /* 0 the pool row, 1 a top-level vdev of its group, 2 its children... */
	int parent;       /* index of the parent row in zh_pool.vdevs, -1 for depth 0 and 1 */
	enum zh_group group;
	enum zh_vdev_type type;
	int parity;       /* raidz / draid parity, else 0 */
	enum zh_state state;
	char *state_text; /* as printed ("ONLINE"), or "" when the row had none */
	bool has_counters;
	uint64_t read_errors, write_errors, cksum_errors; /* "1.2K" read as 1228 */
	char *note;       /* text after the columns ("was /dev/x", "(resilvering)"), or NULL */
};

struct zh_pool {
	char *name;
	enum zh_state state;
	char *state_text;
	char *import_id;  /* "id:" of a `zpool import` listing, else NULL */
	char *status;     /* status: paragraph, continuation lines joined by a space, or NULL */
	char *action;
	char *see;
	struct zh_scan *scans; /* in the order printed: scrub first, then resilver/rebuild */
	size_t n_scans;
	struct zh_vdev *vdevs;
	size_t n_vdevs;
	int64_t data_errors;   /* errors: line; 0 "No known data errors"; -1 none seen */
	char *errors_text;     /* the errors: text as printed, or NULL */
};

struct zh_status {
	struct zh_pool *pools;
	size_t n_pools;
};

/*
 * Parses the text of `zpool status [-P] [-L] [-v] [POOL...]`, `zpool status -x`
 * or `zpool import [-d DIR]` and appends every pool to out. Lines it does not
 * know are skipped. Returns 0, or -1 with an error in dl when the text names a
 * pool it cannot read (no "pool:" line before a config table).
 */
int zh_parse_status(const char *text, struct zh_status *out, struct diag_list *dl);

/*
 * Parses `zpool status -j [-p] [--json-int]` (OpenZFS 2.3) into the same
 * model. Returns 0, or -1 with an error in dl (not JSON, no "pools" object).
 */
int zh_parse_status_json(const char *text, struct zh_status *out, struct diag_list *dl);

void zh_status_free(struct zh_status *st);
/* Frees what one pool owns (not the struct itself) and zeroes it; NULL-safe. */
void zh_pool_free(struct zh_pool *p);

/* The pool named name, or NULL. */
const struct zh_pool *zh_pool_find(const struct zh_status *st, const char *name);

/* The epoch of t: t.epoch, or mktime() of the local time under the process TZ. -1 if unset. */
time_t zh_time_epoch(const struct zh_time *t);

/*
 * The last scrub of the pool (func ZH_SCAN_SCRUB), or NULL when its status
 * shows none. zfs-fuse and OpenZFS print one scrub-or-resilver line.
 */
const struct zh_scan *zh_pool_scrub(const struct zh_pool *p);
/* True when a scrub, resilver or rebuild of the pool is running or paused. */
bool zh_pool_scan_active(const struct zh_pool *p);

/*
 * Redundancy: how many more device failures the vdev at index i survives.
 * 0: the next failure loses it (a 2-way mirror missing one leg, a single
 * disk); -1: already failed. A mirror survives while one child lives; raidzP
 * and draidP while at most P children are lost; replacing-N and spare-N are
 * mirror-like. Leaves count as lost when OFFLINE, UNAVAIL, FAULTED or REMOVED,
 * and while they are being resilvered (they hold no full copy yet): marked
 * "(resilvering)" (OpenZFS) or "N resilvered" during a resilver (zfs-fuse),
 * or the new device of replacing-N / the spare of spare-N while one runs.
 * full: the same with every leaf healthy (the vdev's design redundancy).
 */
int zh_vdev_margin(const struct zh_pool *p, size_t i, bool full);

/* Summary of a pool's top-level vdevs (groups data, special, dedup; logs apart). */
struct zh_redundancy {
	int min_margin;        /* lowest margin of a data/special/dedup top-level vdev */
	int worst_vdev;        /* its index in vdevs, -1 when the pool has none */
	bool lost_redundancy;  /* some data/special/dedup vdev has margin < its full margin */
	bool critical;         /* some such vdev lost redundancy and has margin <= 0 */
	int critical_vdev;     /* index of the first such vdev, -1 */
	bool log_degraded;     /* a log vdev lost a device */
};
void zh_pool_redundancy(const struct zh_pool *p, struct zh_redundancy *r);

/* Sets v->type and v->parity from its name, depth and note ("was PATH"), as
 * the text parser does: mirror-N, raidzP-N, draidP:...-N, replacing-N, spare-N;
 * leaves are files when their path is absolute and outside /dev. */
void zh_vdev_classify(struct zh_vdev *v);

/* Names for messages and summaries. */
const char *zh_state_name(enum zh_state s);
enum zh_state zh_state_parse(const char *s);
const char *zh_group_name(enum zh_group g);
const char *zh_vdev_type_name(enum zh_vdev_type t);
const char *zh_scan_func_name(enum zh_scan_func f);
const char *zh_scan_state_name(enum zh_scan_state s);

/*
 * Reads a zfs_nicenum number ("0", "17", "1.2K", "152M", "1.56K", "12.0G"),
 * 1024-based, into *v (rounded down). Returns 0, or -1 if s is not one.
 */
int zh_parse_nicenum(const char *s, uint64_t *v);

/*
 * Reads a ctime(3) date ("Sun Nov 10 00:24:02 2024", day space-padded) from s
 * into *tm (tm_isdst -1, tm_wday checked). Returns the number of characters
 * read, or 0 when s does not start with one.
 */
size_t zh_parse_ctime(const char *s, struct tm *tm);

#endif
