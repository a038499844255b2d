/*
 * snap_config: snapshot policies as plain structs, read from the `zfs`
 * section of the main config:
 *
 *   "zfs": {
 *     "snapshot_policies": {
 *       "production": { "frequent_minutes": 15,
 *                       "keep": { "frequent": 4, "hourly": 48, "daily": 30,
 *                                 "weekly": 8, "monthly": 12, "yearly": 0 },
 *                       "timezone": "America/New_York", "take": true, "prune": true } },
 *     "snapshot_destroy_batch": 100,
 *     "datasets": [ { "name": "shared-prod-data", "pool": "quickOS",
 *                     "snapshots": { "policy": "production", "recursive": true,
 *                                    "exclude": ["shared-prod-data/tmp"] } },
 *                   { "name": "vm-disks", "pool": "quickOS", "snapshots": "none" } ] }
 *
 * Contract
 * - snap_config_parse is pure (no I/O): it reads only the members above,
 *   reports every problem at once through dl with the JSON path (and the
 *   file position when src has the text), and always fills cfg with what
 *   could be read. It does not report what zfs_config_load already reports
 *   (a dataset that is not an object, a missing name). Time zone names are
 *   checked for syntax only; snap_config_check_zones (I/O: reads zoneinfo
 *   files) checks that they exist.
 * - Defaults: frequent_minutes 15, a class missing from keep keeps 0,
 *   timezone "UTC", take and prune true, recursive false, batch 100.
 * - Ownership: cfg owns every string; release with snap_config_free.
 * - The canonical text of a policy (snap_policy_canonical) is what the
 *   policy-change guard compares and what the digest hashes:
 *     "v1 frequent_minutes=F keep=FR,HO,DA,WE,MO,YE timezone=TZ"
 *   i.e. exactly the keep counts (in class order), frequent_minutes and the
 *   time zone name as written; not the policy's name, take, prune, or the
 *   datasets it applies to. The digest is the first 8 hex digits of the
 *   64-bit FNV-1a hash of that text.
 */
#ifndef PH_SNAP_CONFIG_H
#define PH_SNAP_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "config/config.h"
#include "formats/snap_name.h"
#include "util/diag.h"

#define SNAP_FREQUENT_MINUTES_DEFAULT 15
#define SNAP_FREQUENT_MINUTES_MAX 1440
#define SNAP_KEEP_MAX 100000
#define SNAP_DESTROY_BATCH_DEFAULT 100
#define SNAP_DESTROY_BATCH_MAX 10000
#define SNAP_POLICY_NAME_MAX 64
#define SNAP_DIGEST_LEN 8

struct snap_policy {
	char *name;
	unsigned frequent_minutes;        /* 1..1440 */
	unsigned keep[SNAP_NCLASSES];     /* 0: never taken, existing ones pruned */
	char *timezone;                   /* IANA name; NULL means "UTC" */
	bool take;
	bool prune;
	char *jpath;                      /* "zfs.snapshot_policies.production"; may be NULL */
};

/* The "snapshots" member of one entry of zfs.datasets. */
struct snap_dataset_cfg {
	size_t config_index;   /* index in zfs.datasets */
	char *dataset;         /* its "name", relative to the pool */
	char *pool;            /* its "pool"; NULL when missing */
	bool none;             /* "snapshots": "none" */
	char *policy;          /* NULL when none */
	size_t policy_index;   /* into snap_config.policies; valid when policy names a known one */
	bool policy_known;
	bool away;             /* its dataset is on other nodes (zfs_config_away): no job here */
	bool recursive;
	char **exclude;        /* relative to the pool, as written */
	size_t n_exclude;
	char *jpath;           /* "zfs.datasets[3].snapshots" */
};

struct snap_config {
	struct snap_policy *policies;
	size_t n_policies;
	struct snap_dataset_cfg *datasets;   /* only entries that have "snapshots" */
	size_t n_datasets;
	unsigned destroy_batch;
};

/*
 * Reads the snapshot members of zfs (the zfs section object; NULL = none).
 * Returns 0 when no error was found (warnings do not count), else -1.
 */
int snap_config_parse(const struct config_src *src, const json_t *zfs, struct snap_config *cfg,
		      struct diag_list *dl);
void snap_config_free(struct snap_config *cfg);
const struct snap_policy *snap_config_policy(const struct snap_config *cfg, const char *name);

/*
 * I/O: loads every policy's time zone from dir (NULL: /usr/share/zoneinfo)
 * and reports the ones that cannot be loaded at their JSON path. Returns 0
 * when all load, else -1.
 */
int snap_config_check_zones(const struct config_src *src, const struct snap_config *cfg,
			    const char *dir, struct diag_list *dl);

/* A policy with the defaults, every keep 0 and no strings (timezone NULL: UTC). */
void snap_policy_init(struct snap_policy *p);
/* p->timezone, or "UTC" when it is NULL. */
const char *snap_policy_timezone(const struct snap_policy *p);
/* Frees what a parsed policy owns (name, timezone, jpath). Accepts NULL. */
void snap_policy_release(struct snap_policy *p);

/* The canonical text above (caller frees). */
char *snap_policy_canonical(const struct snap_policy *p);
/* Parses a canonical text back; p->timezone is allocated (free with snap_policy_release). */
int snap_policy_from_canonical(const char *text, struct snap_policy *p, const char **why);
/* The digest as SNAP_DIGEST_LEN lowercase hex digits into out (at least 9 bytes). */
void snap_policy_digest(const struct snap_policy *p, char *out);

#endif
