/*
 * exec: the only module that starts programs. Programs run from an argv
 * array (never a shell) with LC_ALL=C, a deadline (SIGTERM, then SIGKILL
 * after a grace period) and stdout/stderr captured separately.
 *
 * Programs are trusted by where they are, not by the caller's PATH (as root,
 * a PATH with a writable directory would hand root to whoever owns it): an
 * argv[0] without '/' is the program named by its PHOENIX_* variable when
 * that is set (exec_program), else the first executable of that name in
 * EXEC_TRUSTED_PATH. PATH is never consulted.
 *
 * exec_run runs one program; exec_pipeline (exec/pipeline.h) runs N joined
 * by pipes. Both go through the same steps (exec/job.c).
 */
#ifndef PH_EXEC_H
#define PH_EXEC_H
#include <stdbool.h>
#include <stddef.h>

#include "exec/program.h"

struct exec_opts {
	int timeout_ms;          /* 0 means the default (300 s) */
	const char *stdin_data;  /* NULL: stdin is /dev/null */
	size_t stdin_len;
	size_t max_output;       /* 0 means 64 MiB per stream */
};

struct exec_result {
	int status;       /* exit code; 128+N when killed by signal N; -1 if it could not start */
	const char *hint; /* static; set when the program was not found: the package and PHOENIX_ variable */
	bool timed_out;
	char *out;        /* always NUL-terminated, never NULL after exec_run */
	size_t out_len;
	char *err;
	size_t err_len;
};

/*
 * Runs argv[0] (resolved by exec_resolve; PATH is not used) and waits for it.
 * Returns 0 when the program ran and exited 0, else -1 (r says why).
 * r must be released with exec_result_free.
 */
int exec_run(const char *const argv[], const struct exec_opts *opts, struct exec_result *r);
void exec_result_free(struct exec_result *r);

/* Short description of a failure: "exited with status 1", "killed by signal 9", ... */
char *exec_describe_status(const struct exec_result *r);

/*
 * The failure of argv as one message: "'CMD' exited with status 1: STDERR"
 * (": STDERR" only when it wrote any, as it wrote it). Caller frees.
 */
char *exec_failure_text(const char *const argv[], const struct exec_result *r);

#endif
