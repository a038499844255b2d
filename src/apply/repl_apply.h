/*
 * repl_apply: runs one replication job's plan (plan/repl_plan.h) under the
 * job's own lock (repl-ID: a long send never blocks snapshots, prunes or
 * applies, and two runs never send the same job at once): the rollback a
 * diverged job was allowed, each step as one pipeline `zfs send ... | zfs
 * receive ...` (exec/pipeline.h: no shell, both statuses and stderrs kept,
 * the job's rate limit, a stall deadline), then the commands after success
 * (settings, holds moved, phoenix:repl-last).
 *
 * Contract: returns 0 when the job is done (or had nothing to do), 1 when
 * it was skipped because another run holds its lock (a warning in dl),
 * -1 on a failure (an error in dl naming the command, its status and
 * stderr; a failed step stops the job, and what it did not reach is not
 * run; a receive into a target changed since its last snapshot says so and
 * how to go on; a resume whose base is gone aborts the partial receive with
 * `zfs receive -A`). Strings in the report are owned by it (repl_report_free).
 */
#ifndef PH_REPL_APPLY_H
#define PH_REPL_APPLY_H
#include "plan/repl_plan.h"
#include "util/diag.h"

struct repl_report {
	struct strvec lines;          /* one per job done: "replicated A to B: ..." */
	unsigned done, failed, skipped;
};

struct repl_apply_opts {
	int timeout_ms;               /* each step; 0: 24 h */
	int stall_ms;                 /* each step stops when no byte moved for this long; 0: 10 minutes */
	/* called while a step runs (bytes so far; total: the step's estimated size, 0 when unknown); may
	 * be NULL. Only with a callback is the estimate asked for (one `zfs send -nvP` per step). */
	void (*progress)(const struct repl_job_plan *p, size_t step, unsigned long long bytes,
			 unsigned long long total, void *arg);
	void *progress_arg;
};

int repl_apply_job(const struct repl_job_plan *p, const struct repl_apply_opts *o, struct repl_report *rep,
		   struct diag_list *dl);
/* Runs the release of one stale hold (plan/repl_plan.h). Returns 0, or -1 (error in dl). */
int repl_apply_stale(const struct repl_stale *s, struct diag_list *dl);
void repl_report_free(struct repl_report *r);

#endif
