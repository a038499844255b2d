/*
 * snap_policy: the pure core of snapshot policies — which classes are due,
 * which snapshots a policy keeps or destroys and why, and which destroys a
 * policy change adds. No I/O, no clock, no global state: "now", the
 * dataset's snapshots, the policy and its time zone are inputs.
 *
 * Rules (the text the README will carry)
 * - Ours: a snapshot whose short name parses as phoenix_<UTC time>_<class>
 *   (formats/snap_name.h); every other snapshot is foreign and left alone.
 *   The time of one of ours is the time in its name (creation is not used).
 * - Periods, in the policy's time zone: the frequent slot (slots of
 *   frequent_minutes counted from local midnight; when frequent_minutes does
 *   not divide 1440 the last slot of the day is shorter, and when it does
 *   not divide 60 slots start off the hour, e.g. 45: 00:00, 00:45, 01:30),
 *   the hour, the day, the ISO week (from Monday 00:00), the month, the year.
 *   A period starts at the first instant its local start time occurs; a
 *   start time skipped by a DST gap starts at the first instant after the
 *   gap. When clocks are set back, the repeated local hour holds a second
 *   frequent/hourly period (one per real hour), while a day, week, month or
 *   year starts only once, at its earlier instant (no duplicate daily).
 * - Due: a class with keep > 0 is due when our newest snapshot of that class
 *   is older than the start of the current period (or there is none).
 *   Missed periods are not back-filled: one snapshot per due class, all
 *   named with the same second, now.
 * - Retention, per class, ranked newest first by the name's time (ties: the
 *   higher createtxg first, then the name): keep the newest keep[class] and
 *   every snapshot at most keep[class] x period old (period: frequent_minutes,
 *   1 h, 1 d, 7 d, 31 d, 365.25 d); keep 0 destroys every one of the class.
 *   Every one of ours counts in the rank, held or protected ones included.
 *   Kept whatever the count, in this order of reasons: in the future (its
 *   name is after now), held (userrefs > 0), has clones, newest in common
 *   with a replication target (a protected guid).
 * - Clock skew: when one of our names is after now, the dataset is neither
 *   snapshotted nor pruned; the flag is returned for the caller to report.
 *
 * Reasons read exactly:
 *   keep: daily #3 of 30            keep: hourly #49, at most 48 h old
 *   keep: held                      keep: has clones
 *   keep: newest in common with LABEL
 *   keep: in the future (clock skew)
 *   keep: pruning paused by clock skew (hourly #49, older than 48 h)
 *   destroy: hourly #49, older than 48 h
 *   destroy: yearly #1, the policy keeps no yearly
 *   foreign: left alone
 *
 * Not decided here: the policy's take and prune switches, excluded children
 * and which datasets a recursive policy covers (the caller's), and the
 * --allow-destroy decision on what snap_policy_guard lists.
 *
 * Ownership: results own only their arrays (free with the matching *_free);
 * decisions point into nothing. Inputs are never modified or kept.
 */
#ifndef PH_SNAP_POLICY_H
#define PH_SNAP_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/snap_config.h"
#include "formats/snap_name.h"
#include "formats/tzif.h"

/* A guid that must survive (the newest snapshot in common with a target). */
struct snap_protect {
	uint64_t guid;
	const char *label;     /* "fastData/replica/shared-prod-data" */
};

/* Length in seconds of a class's period (frequent: frequent_minutes). */
int64_t snap_class_period(enum snap_class c, unsigned frequent_minutes);

/* The start of the period of class c that contains now, in zone z (rules above). */
int64_t snap_period_start(enum snap_class c, unsigned frequent_minutes, const struct tz_zone *z,
			  int64_t now);

struct snap_due {
	bool clock_skew;                      /* one of our names is after now: nothing is due */
	bool due[SNAP_NCLASSES];
	size_t n_due;
	int64_t period_start[SNAP_NCLASSES];
	bool has_newest[SNAP_NCLASSES];
	int64_t newest[SNAP_NCLASSES];        /* our newest of the class (its name's time) */
	char name[SNAP_NCLASSES][SNAP_NAME_MAX];   /* due classes: the names to take, all at now */
};

/* Which classes are due on a dataset with snapshots s[0..n). */
void snap_due_eval(const struct snap_policy *p, const struct tz_zone *z, int64_t now,
		   const struct snap_info *s, size_t n, struct snap_due *out);

enum snap_verdict { SNAP_KEEP, SNAP_DESTROY, SNAP_FOREIGN };

enum snap_reason {
	SNAP_R_FOREIGN,
	SNAP_R_FUTURE,
	SNAP_R_HELD,
	SNAP_R_CLONES,
	SNAP_R_PROTECTED,
	SNAP_R_COUNT,
	SNAP_R_AGE,
	SNAP_R_SKEW_PAUSED,
	SNAP_R_EXPIRED,
	SNAP_R_NOT_KEPT,
};

struct snap_decision {
	enum snap_verdict verdict;
	enum snap_reason reason;
	enum snap_class cls;   /* ours only */
	int64_t time;          /* ours: the name's time; foreign: creation */
	uint32_t rank;         /* ours: 1 = newest of its class */
	uint32_t protect;      /* SNAP_R_PROTECTED: index into the protect array */
	bool expired;          /* ours: the count and age rules alone would destroy it */
};

struct snap_retention {
	struct snap_decision *v;   /* v[i] decides s[i] */
	size_t n;
	bool clock_skew;
	size_t n_keep, n_destroy, n_foreign;
};

/*
 * Decides every snapshot of one dataset. Always succeeds; release out with
 * snap_retention_free.
 */
void snap_retention_decide(const struct snap_policy *p, int64_t now, const struct snap_info *s,
			   size_t n, const struct snap_protect *prot, size_t n_prot,
			   struct snap_retention *out);
void snap_retention_free(struct snap_retention *r);

/* The reason text of one decision (see above) into buf. */
void snap_reason_format(const struct snap_decision *d, const struct snap_policy *p,
			const struct snap_protect *prot, char *buf, size_t len);

/* The age window of a class, "48 h", "60 min", "56 d", "365.25 d", into buf. */
void snap_window_format(enum snap_class c, const struct snap_policy *p, char *buf, size_t len);

/*
 * Display order: the indices 0..n-1 sorted oldest first by time (ours: the
 * name's, foreign: creation), then createtxg, then name. Caller frees.
 */
size_t *snap_retention_order(const struct snap_retention *r, const struct snap_info *s);

/*
 * Policy-change guard: the indices (ascending) of the snapshots that next
 * destroys and prev keeps; prev NULL (no policy recorded on the dataset)
 * counts every destroy. These destroys are "! destructive" and need
 * --allow-destroy. Returns how many; *idx is allocated (caller frees; NULL
 * when none).
 */
size_t snap_policy_guard(const struct snap_policy *prev, const struct snap_policy *next, int64_t now,
			 const struct snap_info *s, size_t n, const struct snap_protect *prot,
			 size_t n_prot, size_t **idx);

#endif
