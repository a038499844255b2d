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
	bool check;                   /* status --check: monitoring-plugin output and exit status */
	bool prometheus;              /* status --prometheus [FILE] */
	const char *prometheus_file;  /* NULL: monitoring.prometheus_file or the node_exporter default */
};

/* status --check exit codes (monitoring-plugin conventions). */
enum check_exit { CHECK_OK = 0, CHECK_WARNING = 1, CHECK_CRITICAL = 2, CHECK_UNKNOWN = 3 };

/* "Plan: N to create, N to change, N to remove." or "No changes...". */
void print_plan_summary(FILE *f, const struct plan *p);

/* Prints diagnostics to stderr (all levels). */
void print_diags(const struct diag_list *dl);

int cmd_validate(const struct options *o);
int cmd_plan(const struct options *o);
int cmd_apply(const struct options *o);
int cmd_status(const struct options *o);

#endif
