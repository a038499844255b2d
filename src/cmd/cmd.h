/* cmd: the commands (one file each), their options and exit codes; the only layer that prints. */
#ifndef PH_CMD_H
#define PH_CMD_H
#include <stdbool.h>
#include <stdio.h>

#include "engine/run.h"

enum exit_code { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_CHANGES = 2 };

struct options {
	struct run_opts run;          /* what the pipeline needs */
	bool json;
	bool yes;
	int wait_s;                   /* apply --wait: seconds to wait for the host lock (0: refuse at once) */
	bool quiet;                   /* --quiet: only warnings and errors */
	const char *since;            /* history --since */
};

/* "Plan: N to create, N to change, N to remove." or "No changes...". */
void print_plan_summary(FILE *f, const struct plan *p);

/* Prints diagnostics to stderr (all levels). */
void print_diags(const struct diag_list *dl);

int cmd_validate(const struct options *o);
int cmd_plan(const struct options *o);
int cmd_apply(const struct options *o);
int cmd_status(const struct options *o);
int cmd_history(const struct options *o);

/* True when stderr is the journal: JOURNAL_STREAM is "DEV:INODE" of fd 2. */
bool log_stderr_is_journal(void);
/*
 * Sets up stderr for the journal (a <N> priority prefix on every line) when
 * it is one, and for --quiet (notes and information dropped, stdout to
 * /dev/null). Returns 0, or -1 when the streams cannot be set up.
 */
int log_setup(bool quiet);

#endif
