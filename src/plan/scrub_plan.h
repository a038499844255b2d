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
 */
#ifndef PH_SCRUB_PLAN_H
#define PH_SCRUB_PLAN_H
#include <time.h>

#include "config/zfs_config.h"
#include "plan/plan.h"
#include "state/zfs_state.h"

struct scrub_plan_in {
	const struct zfs_config *cfg;
	const struct zfs_state *st;
	time_t now;
};

/* Adds the scrub actions to p (and a note per pool skipped because a scan runs). */
void scrub_plan_build(const struct scrub_plan_in *in, struct plan *p);

#endif
