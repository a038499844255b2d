/*
 * health_check: the verdict of `status --check`, as a monitoring plugin gives
 * it. Pure: a health model (pool health from zpool_health, capacity, scrub
 * schedules, snapshot freshness, SMART answers), thresholds and "now" in; a
 * list of problems out, each naming its object and the threshold it crossed,
 * and the plugin rendering (first line a one-line summary, then one line per
 * problem; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 *
 * Rules (defaults in hc_thresholds_default):
 *   pool FAULTED, UNAVAIL, SUSPENDED, REMOVED or OFFLINE          critical
 *   pool DEGRADED: a data/special/dedup vdev lost a device and
 *     survives no further failure (zh_pool_redundancy)            critical
 *   pool DEGRADED otherwise (redundancy left, or a log device)    warning
 *   any READ/WRITE/CKSUM counter of a vdev, any data error        warning
 *   capacity >= capacity_crit_pct / >= capacity_warn_pct          critical / warning
 *   scrub (scrub_interval_s > 0): last finished scrub older than
 *     scrub_crit_factor / scrub_warn_factor x interval            critical / warning
 *     never scrubbed (and created longer than that ago, when known),
 *     the last one canceled, none finished shown                 warning
 *     (a running or paused scrub, resilver or rebuild is no problem; a
 *     finished resilver, when it is the last scan ZFS shows, counts as
 *     the last full pass: ZFS keeps one scan record, a resilver replaces
 *     the scrub's)
 *   newest snapshot of a class older than snapshot_crit_factor /
 *     snapshot_warn_factor x its period; none at all               critical / warning; warning
 *   NVMe percentage_used >= nvme_used_crit_pct / >= nvme_used_warn_pct  critical / warning
 *   NVMe spare below its threshold, other critical warning bits,
 *     SMART overall-health failed                                 critical
 *   NVMe media errors, ATA reallocated/pending/uncorrectable > 0  warning
 *   a disk whose SMART data is unknown (file vdev, no smartctl)   no problem
 *   an encrypted dataset whose key is not loaded                  warning
 * A time in the future (clock skew) is a warning. Scrub end dates are local
 * times converted with zh_time_epoch (mktime under the process TZ).
 *
 * Ownership: hc_evaluate fills a struct hc_result that owns its strings;
 * hc_result_free releases it. hc_render returns a string the caller frees.
 */
#ifndef PH_HEALTH_CHECK_H
#define PH_HEALTH_CHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/monitoring_config.h"
#include "state/smart.h"
#include "state/zpool_health.h"

enum hc_severity { HC_OK = 0, HC_WARNING = 1, HC_CRITICAL = 2, HC_UNKNOWN = 3 };

struct hc_thresholds {
	int capacity_warn_pct;        /* 80 */
	int capacity_crit_pct;        /* 90 */
	double scrub_warn_factor;     /* 1.2 x the scrub interval */
	double scrub_crit_factor;     /* 1.5 */
	double snapshot_warn_factor;  /* 1.5 x the class period */
	double snapshot_crit_factor;  /* 4 */
	int nvme_used_warn_pct;       /* 80 */
	int nvme_used_crit_pct;       /* 95 */
};

/* The defaults of the monitoring section (config/monitoring_config.h: one table of them). */
void hc_thresholds_default(struct hc_thresholds *t);
/* The thresholds the monitoring section c sets. */
void hc_thresholds_from_config(const struct monitoring_config *c, struct hc_thresholds *t);

struct hc_pool {
	const struct zh_pool *health; /* required */
	int capacity_pct;             /* -1 unknown */
	int64_t scrub_interval_s;     /* 0: no schedule, no scrub-age check */
	int64_t size_bytes;           /* used + available of the root dataset; 0 unknown (metrics only) */
	int64_t used_bytes;
	time_t created;               /* creation of the pool's root dataset, 0 unknown: a pool younger
				       * than scrub_warn_factor x the interval is not late for its first scrub */
};

struct hc_snapshots {
	const char *dataset;
	const char *class_name;       /* "hourly" */
	time_t newest;                /* time of the newest snapshot of the class (its name's), -1 none */
	int64_t period_s;             /* the class period, > 0 */
};

/* Metrics only: how many snapshots of a dataset the retention would destroy now (pruned or held back). */
struct hc_prune {
	const char *dataset;
	size_t pending;
};

/* Metrics only: when a job of `run` last succeeded (the job state file). */
struct hc_job {
	const char *job;              /* "snapshot", "prune", "scrub" */
	int64_t last_success;         /* Unix time */
};

/* An encrypted dataset (encryption not "off") and whether its key is loaded. */
struct hc_key {
	const char *dataset;
	bool loaded;                  /* keystatus "available" */
};

struct hc_disk {
	const char *pool;             /* the pool it serves, or NULL */
	const struct smart_info *smart;
};

struct hc_input {
	const struct hc_pool *pools;
	size_t n_pools;
	const char *const *absent_pools; /* configured, not imported: critical */
	size_t n_absent;
	const struct hc_snapshots *snapshots;
	size_t n_snapshots;
	const struct hc_disk *disks;
	size_t n_disks;
	const struct hc_key *keys;       /* encrypted datasets (encryption roots or not) */
	size_t n_keys;
	const char *const *unknown;      /* what could not be read (e.g. "zpool status failed: ..."): unknown */
	size_t n_unknown;
	const struct hc_prune *prunes;   /* metrics only */
	size_t n_prunes;
	const struct hc_job *jobs;       /* metrics only */
	size_t n_jobs;
	time_t now;
};

struct hc_problem {
	enum hc_severity severity;
	char *object;   /* "pool tank", "disk /dev/nvme0", "dataset tank/data" */
	char *message;  /* what is wrong and the threshold, e.g. "86% full; warning at 80%" */
};

struct hc_result {
	struct hc_problem *problems; /* most severe first, then in input order */
	size_t n;
	enum hc_severity status;     /* critical > warning > unknown > ok */
	size_t n_pools, n_disks, n_snapshots; /* what was checked */
};

void hc_evaluate(const struct hc_input *in, const struct hc_thresholds *t, struct hc_result *out);

/*
 * The plugin output: "STATUS: summary" then "SEVERITY object: message" per
 * problem, each line ending in "\n". Caller frees.
 */
char *hc_render(const struct hc_result *r);

/* The exit status: 0, 1, 2 or 3. */
int hc_exit_status(const struct hc_result *r);

const char *hc_severity_name(enum hc_severity s);

/* "3d 4h", "5h 12m", "42s": how a duration is shown in messages; caller frees. */
char *hc_format_duration(int64_t seconds);

void hc_result_free(struct hc_result *r);

#endif
