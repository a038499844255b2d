/* N programs joined by pipes (see pipeline.h); the steps are job.c's, shared with exec_run. */
#include "exec/pipeline.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "exec/job.h"
#include "util/strbuf.h"

char *exec_pipeline_display(const char *const *const argvs[], size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < n; i++) {
		char *d = exec_argv_display(argvs[i]);
		sb_addf(&sb, "%s%s", i ? " | " : "", d);
		free(d);
	}
	return sb_detach(&sb);
}

/*
 * Which stages failed: from the last one back, a stage succeeded when it
 * exited 0, or when SIGPIPE killed it after its reader went away (cut) and
 * that reader succeeded. A stage that never started because an earlier one
 * could not (no err of its own) did not fail.
 */
static void mark_failures(struct exec_pipeline_result *r)
{
	bool next_ok = true;
	for (size_t i = r->n; i-- > 0;) {
		struct exec_stage_result *s = &r->stages[i];
		bool ok = s->status == 0 || (i + 1 < r->n && s->status == 128 + SIGPIPE && s->cut && next_ok);
		s->failed = !ok && (s->pid || s->err_len);
		next_ok = ok;
	}
}

/*
 * The first cause: the stage job.c saw fail on its own first; else (every
 * failure was an answer to another, e.g. a writer that exited 1 on EPIPE
 * after its reader finished) the failed stage reaped first; -1 when nothing
 * failed or the deadline came first.
 */
static int first_cause(const struct job *job, const struct exec_pipeline_result *r)
{
	if (job->first_cause >= 0 || job->timed_out)
		return job->first_cause;
	int best = -1;
	for (size_t i = 0; i < job->n; i++)
		if (r->stages[i].failed && (best < 0 || job->st[i].seq < job->st[best].seq))
			best = (int)i;
	return best;
}

int exec_pipeline(const char *const *const argvs[], size_t n, const struct exec_pipeline_opts *opts,
		  struct exec_pipeline_result *r)
{
	struct exec_pipeline_opts def = { 0 };
	if (!opts)
		opts = &def;
	struct job job;
	job_init(&job, argvs, n);
	if (opts->timeout_ms > 0)
		job.timeout_ms = opts->timeout_ms;
	job.stall_ms = opts->stall_ms > 0 ? opts->stall_ms : 0;
	job.in_data = opts->stdin_data;
	job.in_len = opts->stdin_len;
	job.capture = opts->capture_output;
	job.out_cap = opts->max_output ? opts->max_output : (64u << 20);
	job.err_cap = opts->max_stderr ? opts->max_stderr : (64u << 10);
	job.rate = opts->rate_limit;
	if (opts->progress_ms > 0)
		job.progress_ms = opts->progress_ms;
	job.progress = opts->progress;
	job.progress_arg = opts->progress_arg;
	if (n)
		job_run(&job);
	else
		sb_adds(&job.error, "empty pipeline");

	memset(r, 0, sizeof(*r));
	r->n = n;
	r->stages = xcalloc(n ? n : 1, sizeof(*r->stages));
	for (size_t i = 0; i < n; i++) {
		struct job_stage *s = &job.st[i];
		struct exec_stage_result *o = &r->stages[i];
		o->display = exec_argv_display(argvs[i]);
		o->pid = (int)s->pid;
		o->status = s->status;
		o->cut = s->cut;
		o->stopped = s->stopped;
		o->bytes_out = s->bytes_out;
		o->err_len = s->err.len;
		o->err = sb_detach(&s->err);
	}
	mark_failures(r);
	r->first_failed = first_cause(&job, r);
	r->timed_out = job.timed_out;
	r->stalled_ms = job.stalled ? job.stall_ms : 0;
	r->hint = job.hint;
	r->bytes = n ? job.st[0].bytes_out : 0;
	r->out_len = job.out.len;
	r->out = sb_detach(&job.out);
	bool failed = job.timed_out || job.error.len;
	for (size_t i = 0; i < n; i++)
		failed |= r->stages[i].failed;
	r->error = sb_detach(&job.error);
	job_free(&job);
	return failed ? -1 : 0;
}

void exec_pipeline_result_free(struct exec_pipeline_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->stages[i].display);
		free(r->stages[i].err);
	}
	free(r->stages);
	free(r->out);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

/* "'cat /x' (stage 2 of 3) exited with status 1: cat: /x: No such file or directory" */
static void describe_stage(struct strbuf *sb, const struct exec_pipeline_result *r, size_t i)
{
	const struct exec_stage_result *s = &r->stages[i];
	struct exec_result st = { .status = s->status, .timed_out = s->stopped && r->timed_out };
	char *why = s->stopped && r->stalled_ms
		? xasprintf("stalled (no byte moved for %d s) and was killed", r->stalled_ms / 1000)
		: exec_describe_status(&st);
	if (sb->len)
		sb_adds(sb, "; ");
	sb_addf(sb, "'%s' (stage %zu of %zu) %s", s->display, i + 1, r->n, why);
	free(why);
	if (s->stopped) {
		if (r->timed_out)
			; /* "timed out and was killed" says it */
		else if (r->first_failed >= 0 && (size_t)r->first_failed != i)
			sb_addf(sb, " (stopped because stage %d failed)", r->first_failed + 1);
		else
			sb_adds(sb, " (stopped by the pipeline)");
	} else if (s->cut) {
		sb_adds(sb, " (the next program had stopped reading)");
	}
	size_t el = s->err_len;
	while (el && strchr(" \t\r\n", s->err[el - 1]))
		el--;
	if (el)
		sb_addf(sb, ": %.*s", (int)el, s->err);
}

char *exec_pipeline_describe(const struct exec_pipeline_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	if (r->first_failed >= 0 && r->stages[r->first_failed].failed)
		describe_stage(&sb, r, (size_t)r->first_failed);
	for (size_t i = 0; i < r->n; i++)
		if (r->stages[i].failed && (int)i != r->first_failed)
			describe_stage(&sb, r, i);
	if (r->error && *r->error)
		sb_addf(&sb, "%s%s", sb.len ? "; " : "", r->error);
	return sb_detach(&sb);
}
