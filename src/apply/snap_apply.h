/*
 * snap_apply: runs the snapshot jobs of plan/snap_plan.h: the `zfs snapshot`
 * calls, the policy markers, the destroy batches with the retry rule of
 * plan/snap_batch.h (held, busy and cloned names are dropped and kept; the
 * rest of the batch is tried again). Never -r/-R/% on a destroy.
 *
 * Contract: each function runs its calls in order and carries on after a
 * failure (a failed take does not stop the other datasets); every failure
 * is an error in dl naming the command, its status and its stderr; a name
 * kept by the retry rule is a warning. What was done is appended to the
 * report (strings owned by the report; snap_report_free).
 */
#ifndef PH_SNAP_APPLY_H
#define PH_SNAP_APPLY_H
#include "plan/snap_plan.h"

struct snap_report {
	struct strvec taken;       /* "DS@NAME" */
	struct strvec marked;      /* datasets */
	struct strvec destroyed;   /* "DS@NAME" */
	struct strvec kept;        /* "DS@NAME (held: <stderr line>)" */
	unsigned failures;
};

/* Runs every take call, then the markers. Returns 0, or -1 when one failed. */
int snap_apply_take(const struct snap_jobs *j, struct snap_report *rep, struct diag_list *dl);
/* The markers alone (a prune-only run). Returns 0, or -1 when one failed. */
int snap_apply_marks(const struct snap_jobs *j, struct snap_report *rep, struct diag_list *dl);
/* Every target's destroy batches, with the retry rule. Returns 0, or -1 when one failed. */
int snap_apply_prune(const struct snap_jobs *j, const char *prog, struct snap_report *rep,
		     struct diag_list *dl);
void snap_report_free(struct snap_report *r);

#endif
