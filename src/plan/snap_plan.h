/*
 * snap_plan: the snapshot jobs of one run, pure (no I/O, no clock): which
 * datasets each policy covers, what to take, what to destroy and in which
 * calls, what the policy-change guard holds back, where the policy marker is
 * set. `run` executes them (apply/snap_apply.h), `run --dry-run`, `plan`
 * and `snapshots` show the same jobs.
 *
 * Rules (README "Snapshots")
 * - Coverage: a dataset belongs to the nearest entry of zfs.datasets with
 *   "snapshots" at or above it. "none" covers nothing. An entry covers its
 *   own dataset and, when recursive, every dataset below it except the
 *   excluded ones (and what lies below them).
 * - Taking: one `zfs snapshot -r ROOT@...` per entry when it is recursive
 *   and nothing below it is excluded or has its own entry (what is due is
 *   decided on ROOT), one call per due class; otherwise each covered dataset
 *   is decided alone and its names go in `zfs snapshot A@x B@y` calls per pool
 *   where this ZFS takes many names (call r: each dataset's r-th due name, as
 *   ZFS takes at most one name of a dataset in one call: OpenZFS refuses a
 *   second with EXDEV), else one call per name. All
 *   classes due in one run are taken with the same second.
 * - Pruning: snap_retention_decide per dataset. A destroy that
 *   snap_policy_guard lists (the policy recorded in the marker keeps it; or
 *   no policy is recorded) is "! destructive" and held back without
 *   allow_destroy. The rest go in snap_destroy_batches calls.
 * - Marker: phoenix:snapshot-policy = snap_policy_canonical on each entry's
 *   own dataset when it differs and nothing of the entry is held back.
 * - Clock skew (one of our names after now): nothing taken on that dataset,
 *   nothing pruned (the retention engine keeps them); a warning.
 *
 * Ownership: jobs own everything (free with snap_jobs_free); targets point
 * into the state and config given, which must outlive the jobs.
 */
#ifndef PH_SNAP_PLAN_H
#define PH_SNAP_PLAN_H
#include <stdbool.h>
#include <stdint.h>

#include "config/snap_config.h"
#include "formats/tzif.h"
#include "plan/snap_batch.h"
#include "plan/snap_policy.h"
#include "state/snap_state.h"
#include "util/diag.h"
#include "util/strbuf.h"

struct snap_plan_in {
	const struct snap_config *cfg;
	const struct tz_zone *zones;      /* zones[i]: the zone of cfg->policies[i] */
	const struct snap_state *st;
	int64_t now;
	const char *prog;                 /* the zfs program in the argv built */
	bool take, prune;                 /* which jobs this run does */
	bool allow_destroy;
	const struct strvec *only;        /* datasets asked for (NULL: all); below one counts */
	const struct snap_protect *prot;  /* guids that must survive: the replications' bases (NULL: none) */
	size_t n_prot;
};

struct snap_target {
	char *dataset;                    /* full name */
	size_t entry;                     /* index in cfg->datasets */
	const struct snap_policy *policy;
	const struct snap_ds *ds;         /* NULL: the dataset does not exist */
	bool in_r;                        /* taken by its entry's `zfs snapshot -r` */
	struct snap_due due;
	struct snap_retention ret;
	bool *guarded;                    /* guarded[i]: destroying ds->s[i] needs allow_destroy */
	size_t n_guarded;
	struct snap_batches destroy;      /* the calls that prune it */
	struct strvec destroy_names;      /* short names in those calls */
};

struct snap_jobs {
	struct snap_target *v;
	size_t n;
	struct strvec *take;              /* argv of each `zfs snapshot` call */
	size_t n_take;
	struct strvec taken;              /* "DS@NAME" of every snapshot they make (-r: the root) */
	struct strvec *mark;              /* argv of each `zfs set phoenix:snapshot-policy=...` */
	size_t n_mark;
	struct strvec marked;             /* the datasets those calls set */
	size_t n_destroy, n_held_back;
	const struct snap_protect *prot;  /* the plan_in's (not owned): for the reasons' labels */
	size_t n_prot;
	struct diag_list diags;           /* clock skew, missing datasets */
};

/* The policy that covers dataset (full name) by the coverage rule above, or NULL. */
const struct snap_policy *snap_policy_for(const struct snap_config *cfg, const char *dataset);

void snap_plan_build(const struct snap_plan_in *in, struct snap_jobs *out);
void snap_jobs_free(struct snap_jobs *j);
/* True when the run has something to do (a take, a destroy or a marker). */
bool snap_jobs_pending(const struct snap_jobs *j);
/* "45 s", "12 min", "3 h", "2 d" (rounded down) into buf. */
void snap_age_format(int64_t secs, char *buf, size_t len);

#endif
