#include "exec/exec.h"

#include <stdlib.h>
#include <string.h>

#include "exec/job.h"
#include "util/strbuf.h"

/*
 * One program is a job of one stage (job.h): resolve, trace, spawn, pump,
 * reap, the same steps as a pipeline's. Its stdout is captured, its stderr
 * capped like stdout.
 */
int exec_run(const char *const argv[], const struct exec_opts *opts, struct exec_result *r)
{
	struct exec_opts def = { 0 };
	if (!opts)
		opts = &def;
	const char *const *one[] = { argv };
	struct job job;
	job_init(&job, one, 1);
	if (opts->timeout_ms > 0)
		job.timeout_ms = opts->timeout_ms;
	if (opts->max_output)
		job.out_cap = job.err_cap = opts->max_output;
	job.in_data = opts->stdin_data;
	job.in_len = opts->stdin_len;
	job.capture = true;
	job_run(&job);
	memset(r, 0, sizeof(*r));
	r->status = job.st[0].status;
	r->hint = job.hint;
	r->timed_out = job.timed_out;
	r->out_len = job.out.len;
	r->out = sb_detach(&job.out);
	r->err_len = job.st[0].err.len;
	r->err = sb_detach(&job.st[0].err);
	job_free(&job);
	return (r->status == 0 && !r->timed_out) ? 0 : -1;
}

void exec_result_free(struct exec_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

char *exec_describe_status(const struct exec_result *r)
{
	if (r->timed_out)
		return xstrdup("timed out and was killed");
	if (r->status < 0)
		return xstrdup("could not be started");
	if (r->status > 128)
		return xasprintf("was killed by signal %d", r->status - 128);
	return xasprintf("exited with status %d", r->status);
}

char *exec_failure_text(const char *const argv[], const struct exec_result *r)
{
	char *cmd = exec_argv_display(argv);
	char *why = exec_describe_status(r);
	char *text = xasprintf("'%s' %s%s%s", cmd, why, *r->err ? ": " : "", r->err);
	free(cmd);
	free(why);
	return text;
}
