/*
 * job: the steps every program start goes through, shared by exec_run (one
 * program) and exec_pipeline (N programs joined by pipes). Private to
 * src/exec/: nothing outside it includes this header.
 *
 *   job_init, set the options, job_run (= job_resolve, job_trace, job_spawn,
 *   job_pump, job_reap), read the results, job_free
 *
 * The parent relays every byte: stage i's stdout is a pipe the parent reads,
 * stage i+1's stdin a pipe the parent writes, and splice(2) moves the data
 * from one to the other inside the kernel. So every link's byte count is
 * exact, the rate limit and the progress callback need no extra program, and
 * a reader that goes away is seen at once: the parent closes the writer's
 * stdout, so a writer never blocks on a dead reader (it gets SIGPIPE, or
 * EPIPE when it ignores SIGPIPE). The last stage's stdout is read into a
 * buffer (capture) or spliced into /dev/null.
 */
#ifndef PH_EXEC_JOB_H
#define PH_EXEC_JOB_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/strbuf.h"

/* After SIGTERM, how long a program may take to exit before it gets SIGKILL. */
#define JOB_GRACE_MS 2000

struct job_stage {
	const char *const *argv; /* borrowed from the caller */
	char *prog;              /* the resolved file (owned); NULL when not found */
	pid_t pid;               /* 0: never started */
	bool reaped;
	int status;              /* exit code, 128+N for signal N, -1 until reaped or never started */
	unsigned seq;            /* 1 for the first stage reaped, 2 for the next...; 0: not reaped */
	int in_w, out_r, err_r;  /* the parent's ends of its stdin, stdout, stderr; -1 when closed */
	bool in_full;            /* its stdin pipe was full at the last relay: wait for room */
	bool cut;                /* its stdout was closed before its end: the next stage stopped reading */
	bool stopped;            /* signalled by escalate() while still running */
	unsigned long long bytes_out; /* of its stdout: delivered to the next stage, or read (last) */
	struct strbuf err;       /* its stderr (capped), or why it could not start */
	double tokens;           /* rate limiter of its stdout */
	long long tokens_at;
};

struct job {
	struct job_stage *st;
	size_t n;
	/* options, set between job_init and job_run (job_init sets the defaults) */
	int timeout_ms;                 /* the whole job */
	int stall_ms;                   /* stop the job when no byte moved on any link for this long; 0: never */
	const char *in_data;            /* the first stage's stdin; NULL: /dev/null */
	size_t in_len;
	bool capture;                   /* keep the last stage's stdout in out */
	size_t out_cap, err_cap;
	unsigned long long rate;        /* bytes/s each stage's stdout may move; 0: unlimited */
	int progress_ms;
	void (*progress)(unsigned long long bytes, void *arg);
	void *progress_arg;
	/* results */
	struct strbuf out;              /* the last stage's stdout when capture */
	struct strbuf error;            /* a failure of the relay itself; empty otherwise */
	const char *hint;               /* static: set when a program was not found */
	int first_cause;                /* the stage whose own failure came first; -1: none */
	bool timed_out;                 /* the deadline (not a failure) started the escalation */
	bool stalled;                   /* ... and it was the stall deadline: nothing moved for stall_ms */
	/* internal state */
	size_t in_off;
	int null_fd;                    /* /dev/null, where splice drops the last stdout without capture */
	long long start, deadline, kill_at, next_progress, last_move;
	bool stop_requested, termed, killed;
	unsigned n_reaped;
};

long long job_now_ms(void);

/*
 * Prepares r for the n programs argvs[0..n-1] (each a NULL-terminated argv,
 * borrowed until job_free) with exec_run's defaults: 300 s, 64 MiB caps,
 * capture off, no rate limit, progress every 1000 ms when a callback is set.
 * Cannot fail (aborts on out-of-memory).
 */
void job_init(struct job *r, const char *const *const argvs[], size_t n);

/*
 * Resolves, traces, starts, pumps and reaps: when it returns no program of
 * the job is left, running or zombie. A program not found fails the job before
 * any starts (its stage's err holds "program 'X' not found in PATH", r->hint
 * the hint, r->first_cause the first such stage). Results are in r.
 */
void job_run(struct job *r);

/* Releases everything r owns; closes any pipe still open. */
void job_free(struct job *r);

#endif
