/*
 * exec pipelines: N programs (N >= 1) joined by pipes, the way a shell runs
 * `zfs send -i @a p/x@b | zfs receive -u p/y`, but without a shell. Each
 * argv[0] is resolved like exec_run's (trusted path or PHOENIX_*, never
 * PATH), each program runs with LC_ALL=C, its own process group and its own
 * stderr, and exec_count() counts each one started.
 *
 * Design: the parent relays. Program i's stdout is a pipe the parent reads,
 * program i+1's stdin another pipe the parent writes; splice(2) moves the
 * data between them inside the kernel (no copy through user space). That
 * gives what replication needs without an extra program: the exact number of
 * bytes that passed each link, a progress callback and a byte-rate limit.
 * (Joining the programs with direct pipes would need a counting relay on the
 * link anyway.)
 *
 * Guarantees:
 * - A program that cannot be found fails the pipeline before any program
 *   starts (the not-found message in its stage's err, the hint in r->hint).
 * - One deadline for the whole pipeline: SIGTERM to every program still
 *   running (and its process group), SIGKILL 2 s later; timed_out is set.
 *   Optionally a stall deadline (stall_ms): the same stop when no byte moved
 *   on any link for that long (stalled_ms is set too), so a hung receiver or
 *   a dead network link never holds a long transfer until the deadline.
 * - When a program fails, the others are stopped the same way (SIGTERM, then
 *   SIGKILL), and a program whose reader went away is never left blocked:
 *   the parent closes its stdout, so its next write gets SIGPIPE (EPIPE when
 *   it ignores SIGPIPE). The caller never gets SIGPIPE.
 * - exec_pipeline returns only when every program it started has been
 *   reaped: no zombie, no program left running.
 * - Every program's exit status and stderr (capped) are kept, and the first
 *   cause is named: the program whose own failure came first. A program that
 *   failed only because of another (killed by SIGPIPE after its reader went
 *   away, or stopped by the pipeline) is reported but is not the first cause.
 * - A writer killed by SIGPIPE after its reader went away is not a failure
 *   when that reader (and everything after it) succeeded: `yes | head -c 10`
 *   succeeds; yes's status is still reported as 141 (128 + SIGPIPE).
 *   Any other non-zero status, of any program, fails the pipeline.
 */
#ifndef PH_EXEC_PIPELINE_H
#define PH_EXEC_PIPELINE_H
#include <stdbool.h>
#include <stddef.h>

#include "exec/exec.h"

struct exec_pipeline_opts {
	int timeout_ms;               /* the whole pipeline; 0 means the default (300 s) */
	int stall_ms;                 /* stop it when no byte moved on any link for this long; 0: never */
	const char *stdin_data;       /* the first program's stdin; NULL: /dev/null */
	size_t stdin_len;
	bool capture_output;          /* keep the last program's stdout in r->out; else read and dropped */
	size_t max_output;            /* cap of r->out; 0 means 64 MiB */
	size_t max_stderr;            /* cap of each program's stderr; 0 means 64 KiB */
	unsigned long long rate_limit; /* bytes per second each program's stdout may pass; 0: no limit */
	int progress_ms;              /* progress at most this often; 0 means 1000 */
	/* Called at most every progress_ms with r->bytes so far (never decreasing). */
	void (*progress)(unsigned long long bytes, void *arg);
	void *progress_arg;
};

struct exec_stage_result {
	char *display;    /* the argv as given, quoted (exec_argv_display) */
	int pid;          /* 0 if it never started */
	int status;       /* exit code; 128+N when killed by signal N; -1 if it did not start */
	bool failed;      /* counts as a failure (not a benign SIGPIPE, see above) */
	bool cut;         /* its stdout was closed early because the next program stopped reading */
	bool stopped;     /* the pipeline signalled it (deadline, or another program failed) */
	unsigned long long bytes_out; /* of its stdout: delivered into the next program's stdin
	                               * (a program that stops early may not have read all of it),
	                               * or, for the last, read by the parent */
	char *err;        /* its stderr (capped), or why it did not start; never NULL */
	size_t err_len;
};

struct exec_pipeline_result {
	size_t n;
	struct exec_stage_result *stages; /* n entries, in pipeline order */
	int first_failed;  /* the first cause: index of the program whose own failure came first;
	                    * -1 when the pipeline succeeded, or when the deadline came first */
	bool timed_out;    /* the deadline stopped it */
	int stalled_ms;    /* ... and it was the stall deadline (opts.stall_ms without a byte moved); else 0 */
	const char *hint;  /* static; set when a program was not found */
	unsigned long long bytes; /* what the first program's stdout passed on (= stages[0].bytes_out) */
	char *out;         /* the last program's stdout when capture_output; never NULL */
	size_t out_len;
	char *error;       /* a failure of the relay itself (none is known); "" otherwise */
};

/*
 * Runs the n programs argvs[0] | argvs[1] | ... | argvs[n-1] (n >= 1, each a
 * NULL-terminated argv) and waits for all of them. Returns 0 when every
 * program succeeded (see above) within the deadline, else -1 (r says why;
 * exec_pipeline_describe words it). r must always be released with
 * exec_pipeline_result_free.
 */
int exec_pipeline(const char *const *const argvs[], size_t n, const struct exec_pipeline_opts *opts,
		  struct exec_pipeline_result *r);
void exec_pipeline_result_free(struct exec_pipeline_result *r);

/* "zfs send -i @a p/x@b | zfs receive -u p/y": each argv by exec_argv_display; caller frees. */
char *exec_pipeline_display(const char *const *const argvs[], size_t n);

/*
 * Every failed program, the first cause first, then the others in pipeline
 * order, separated by "; ", each as "'DISPLAY' (stage I of N) WHY: STDERR"
 * (WHY as exec_describe_status words it, plus why the pipeline stopped it or
 * that its reader had gone; STDERR trimmed, omitted when empty); then
 * r->error when set. "" when nothing failed. Caller frees.
 */
char *exec_pipeline_describe(const struct exec_pipeline_result *r);

#endif
