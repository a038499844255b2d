/*
 * scrub_plan: the scrub job of `run --scrub` (the run command comes with the
 * snapshot work; it calls this and applies the plan). Pure: the config's
 * pools, their health models and "now" in; one `zpool scrub POOL` action per
 * pool that is due. A pool is due when its scrub policy is a schedule of the
 * tool (pools[].scrub "weekly", "monthly", {"every_days": N}), it is
 * imported and readable, no scrub, resilver or rebuild runs or is paused, and
 * its last scrub ended longer than the interval ago (or it was never
 * scrubbed). "debian" and "off" pools are never scrubbed here: one mechanism
 * per pool.
 *
 * TRIM likewise: a pool whose trim policy is "weekly" or "monthly" gets one
 * `zpool trim POOL` when the tool's last TRIM of it (the job state, given as
 * jobs: "trim POOL EPOCH") started longer than the interval ago, or never;
 * where this ZFS has no `zpool trim` (zfs-fuse) a note says so instead,
 * never an error.
 */
#ifndef PH_SCRUB_PLAN_H
#define PH_SCRUB_PLAN_H
#include <time.h>

#include "config/zfs_config.h"
#include "formats/jobstate.h"
#include "plan/plan.h"
#include "state/zfs_state.h"

struct scrub_plan_in {
	const struct zfs_config *cfg;
	const struct zfs_state *st;
	time_t now;
	bool trim_supported;              /* this zpool has `zpool trim` (zpool_read_has_trim) */
	const struct jobstate *jobs;      /* the job state (NULL: no TRIM recorded) */
	bool scrub, trim;                 /* which of the two jobs to plan (both false: both) */
};

/*
 * Adds the scrub and TRIM actions to p (and a note per pool skipped because a
 * scan runs, or per TRIM pool where this ZFS cannot trim).
 */
void scrub_plan_build(const struct scrub_plan_in *in, struct plan *p);

#endif
