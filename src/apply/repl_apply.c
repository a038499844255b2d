/* Runs one replication job (see repl_apply.h). */
#include "apply/repl_apply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/exec.h"
#include "exec/pipeline.h"
#include "exec/program.h"
#include "util/lock.h"

#define REPL_STEP_TIMEOUT_MS (24 * 3600 * 1000)
#define REPL_STALL_MS (10 * 60 * 1000)
#define REPL_ESTIMATE_TIMEOUT_MS (60 * 1000)

void repl_report_free(struct repl_report *r)
{
	sv_free(&r->lines);
	memset(r, 0, sizeof(*r));
}

static bool tolerated(const struct repl_cmd *c, const char *err)
{
	switch (c->tolerate) {
	case REPL_T_HOLD_EXISTS: return strstr(err, "tag already exists") != NULL;
	case REPL_T_NO_TAG: return strstr(err, "no such tag") != NULL;
	case REPL_T_NOT_MOUNTED: return strstr(err, "not currently mounted") != NULL;
	case REPL_T_NONE: break;
	}
	return false;
}

/* Runs c (a copy of its argv: exec takes a const array). Returns 0, or -1 with an error in dl naming what. */
static int run_cmd_for(const struct repl_cmd *c, const char *what, struct diag_list *dl)
{
	struct strvec a = { 0 };
	for (size_t i = 0; i < c->argv.n; i++)
		sv_push(&a, c->argv.v[i]);
	struct exec_result r;
	int rc = exec_run(sv_argv(&a), NULL, &r);
	if (rc && tolerated(c, r.err))
		rc = 0;
	if (rc) {
		char *text = exec_failure_text(sv_argv(&a), &r);
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, r.hint, "%s: %s", what, text);
		free(text);
	}
	exec_result_free(&r);
	sv_free(&a);
	return rc ? -1 : 0;
}

static int run_cmd(const struct repl_cmd *c, const struct repl_job_plan *p, struct diag_list *dl)
{
	char *what = xasprintf("replicate %s to %s", p->job->source, p->target_display);
	int rc = run_cmd_for(c, what, dl);
	free(what);
	return rc;
}

int repl_apply_stale(const struct repl_stale *s, struct diag_list *dl)
{
	char *what = xasprintf("release the stale hold " REPL_HOLD_PREFIX "%s from %s%s%s", s->id, s->node ? s->node : "",
			       s->node ? ":" : "", s->dataset);
	int rc = 0;
	for (size_t i = 0; !rc && i < s->n_cmds; i++)
		rc = run_cmd_for(&s->cmds[i], what, dl);
	free(what);
	return rc;
}

struct progress_ctx {
	const struct repl_job_plan *p;
	size_t step;
	const struct repl_apply_opts *o;
	unsigned long long total;
};

static void on_progress(unsigned long long bytes, void *arg)
{
	struct progress_ctx *c = arg;
	c->o->progress(c->p, c->step, bytes, c->total, c->o->progress_arg);
}

/* The estimated size of step s (`zfs send -nvP`), 0 when there is none or it fails: only progress uses it. */
static unsigned long long estimate(const struct repl_step *s)
{
	if (!s->estimate.n)
		return 0;
	struct strvec a = { 0 };
	for (size_t i = 0; i < s->estimate.n; i++)
		sv_push(&a, s->estimate.v[i]);
	struct exec_opts eo = { .timeout_ms = REPL_ESTIMATE_TIMEOUT_MS };
	struct exec_result r;
	unsigned long long total = 0;
	/* OpenZFS prints a dry run's verbose lines on stdout; stderr is read too in case one does not */
	if (exec_run(sv_argv(&a), &eo, &r) == 0 && repl_send_estimate_parse(r.out, &total) &&
	    repl_send_estimate_parse(r.err, &total))
		total = 0;
	exec_result_free(&r);
	sv_free(&a);
	return total;
}

/* One step. Returns 0, or -1 (error in dl); *bytes gets what passed. */
static int run_step(const struct repl_job_plan *p, size_t k, const struct repl_apply_opts *o,
		    unsigned long long *bytes, struct diag_list *dl)
{
	const struct repl_step *s = &p->steps[k];
	struct strvec send = { 0 }, recv = { 0 };
	for (size_t i = 0; i < s->send.n; i++)
		sv_push(&send, s->send.v[i]);
	for (size_t i = 0; i < s->recv.n; i++)
		sv_push(&recv, s->recv.v[i]);
	const char *const *argvs[] = { sv_argv(&send), sv_argv(&recv) };
	struct progress_ctx pc = { p, k, o, o && o->progress ? estimate(s) : 0 };
	struct exec_pipeline_opts po = {
		.timeout_ms = o && o->timeout_ms ? o->timeout_ms : REPL_STEP_TIMEOUT_MS,
		.stall_ms = o && o->stall_ms ? o->stall_ms : REPL_STALL_MS,
		.rate_limit = (unsigned long long)p->job->rate_mb * 1000000ULL,
		.progress = o && o->progress ? on_progress : NULL,
		.progress_arg = &pc,
	};
	struct exec_pipeline_result r;
	int rc = exec_pipeline(argvs, 2, &po, &r);
	*bytes = r.bytes;
	if (rc) {
		char *why = exec_pipeline_describe(&r);
		const char *rerr = r.n > 1 ? r.stages[1].err : "";
		const char *serr = r.n > 0 ? r.stages[0].err : "";
		const char *hint = r.hint;
		if (strstr(rerr, "has been modified"))
			hint = "the replica was changed since its last snapshot: 'phoenix-storage run --replicate --allow-destroy' rolls it back (destroying those changes)";
		else if (p->resume && (strstr(serr, "no longer exists") || strstr(rerr, "no longer exists")))
			hint = "the partial receive's base is gone: it is aborted (zfs receive -A); the next run starts again from the last snapshot in common";
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, hint, "replicate %s to %s: %s", p->job->source,
			 p->target_display, why);
		free(why);
	}
	exec_pipeline_result_free(&r);
	sv_free(&send);
	sv_free(&recv);
	return rc ? -1 : 0;
}

static void bytes_text(unsigned long long b, char *buf, size_t len)
{
	if (b < 1024)
		snprintf(buf, len, "%llu B", b);
	else if (b < 1024ULL * 1024)
		snprintf(buf, len, "%.1f KiB", b / 1024.0);
	else if (b < 1024ULL * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", b / 1048576.0);
	else
		snprintf(buf, len, "%.2f GiB", b / 1073741824.0);
}

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int repl_apply_job(const struct repl_job_plan *p, const struct repl_apply_opts *o, struct repl_report *rep,
		   struct diag_list *dl)
{
	if (!p->n_steps && !p->n_after)
		return 0;
	char *name = xasprintf("repl-%s", p->job->id);
	struct diag_list ld = { 0 };
	int lock = lock_acquire(name, 0, &ld);
	free(name);
	if (lock < 0) {
		for (size_t i = 0; i < ld.n; i++)
			diag_add(dl, lock == -EWOULDBLOCK ? DIAG_WARNING : DIAG_ERROR, NULL, 0, 0, NULL, ld.v[i].hint ? "the next run picks it up" : NULL,
				 "replicate %s to %s skipped: %s", p->job->source, p->target_display, ld.v[i].msg);
		diag_list_free(&ld);
		if (lock == -EWOULDBLOCK) {
			rep->skipped++;
			return 1;
		}
		rep->failed++;
		return -1;
	}
	int rc = 0;
	if (p->rollback.argv.n && !p->held_back)
		rc = run_cmd(&p->rollback, p, dl);
	unsigned long long total = 0;
	size_t snaps = 0;
	double t0 = mono();
	for (size_t k = 0; !rc && k < p->n_steps; k++) {
		unsigned long long b = 0;
		rc = run_step(p, k, o, &b, dl);
		total += b;
		if (!rc)
			snaps += p->steps[k].n_snaps;
		else if (p->resume && p->abort.argv.n)
			run_cmd(&p->abort, p, dl);
	}
	for (size_t k = 0; !rc && k < p->n_after; k++)
		rc = run_cmd(&p->after[k], p, dl);
	lock_release(lock);
	if (rc) {
		rep->failed++;
		return -1;
	}
	if (p->n_steps) {
		char sz[32];
		bytes_text(total, sz, sizeof(sz));
		double dt = mono() - t0;
		const char *kind = p->resume ? "resumed" : p->steps[0].from ? "incremental" : "full, then incremental";
		if (!p->resume && !p->steps[0].from && p->n_steps == 1)
			kind = "full";
		sv_pushf(&rep->lines, "replicated %s to %s: @%s%s%s, %zu snapshot%s (%s), %s in %.1f s%s",
			 p->job->source, p->target_display, p->base ? p->base : "", p->base ? " to @" : "",
			 p->newest, snaps, snaps == 1 ? "" : "s", kind, sz, dt,
			 p->rollback.argv.n ? ", after a rollback" : "");
		rep->done++;
	}
	return 0;
}
