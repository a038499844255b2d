/* cmd: the commands (one file each), their options and exit codes; the only layer that prints. */
#ifndef PH_CMD_H
#define PH_CMD_H
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "engine/run.h"
#include "util/strbuf.h"

enum exit_code { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_CHANGES = 2 };

struct options {
	struct run_opts run;          /* what the pipeline needs */
	bool json;
	bool yes;
	int wait_s;                   /* apply --wait: seconds to wait for the host lock (0: refuse at once) */
	bool snapshot, prune, scrub, dry_run;   /* run: the jobs (none: every configured job), --dry-run */
	bool replicate;               /* run --replicate */
	bool explain;                 /* snapshots --explain */
	const char *now;              /* --now YYYY-MM-DDTHH:MM:SSZ, NULL: the clock */
	struct strvec args;           /* snapshots DATASET... */
	bool check;                   /* status --check: monitoring-plugin output and exit status */
	bool prometheus;              /* status --prometheus [FILE] */
	const char *prometheus_file;  /* NULL: monitoring.prometheus_file or the node_exporter default */
	bool quiet;                   /* --quiet: only warnings and errors */
	const char *since;            /* history --since */
	const char *html_file;        /* status --html FILE */
	const char *metrics_file;     /* run --metrics FILE: the textfile after the jobs, NULL: none */
};

/* status --check exit codes (monitoring-plugin conventions). */
enum check_exit { CHECK_OK = 0, CHECK_WARNING = 1, CHECK_CRITICAL = 2, CHECK_UNKNOWN = 3 };

/* "Plan: N to create, N to change, N to remove." or "No changes...". */
void print_plan_summary(FILE *f, const struct plan *p);

/* Prints diagnostics to stderr (all levels). */
void print_diags(const struct diag_list *dl);
/* The diagnostics as a JSON array (new reference), each as diag_to_json writes it. */
json_t *diags_json(const struct diag_list *dl);
/* j on stdout: indented, or on one line (apply --json's JSON lines); flushed. */
void print_json(const json_t *j, bool one_line);

/*
 * Where the errors of a run are, and the way forward: the subsystems that
 * hold them and the selected ones that can run without them (run_blame).
 */
struct blame {
	struct strvec in;       /* "nfs" */
	struct strvec others;   /* "zfs", "dirs", "samba", "pve"; empty when an error is in no subsystem */
	char *where;            /* " (in nfs)", or "" when no error is in a subsystem */
};
/* Fills b from ctx (after run_load, even a failed one) and the diagnostics dl. blame_free it. */
void blame_init(struct blame *b, const struct ph_ctx *ctx, const struct diag_list *dl);
/* "  hint: VERB the other layers with --only zfs,dirs" to f, when there are errors and other layers. */
void blame_hint(FILE *f, const struct blame *b, const char *verb);
/* Sets "errors_in" and "other_layers" (arrays of names; other_layers empty without errors) on o. */
void blame_json(const struct blame *b, json_t *o);
void blame_free(struct blame *b);

/*
 * The node_exporter textfile of the health model in ctx (subsys/health.h;
 * drift < 0: no drift sample) written atomically to file: the one writer of
 * `status --prometheus` and `run --metrics`. Returns 0, or -1 after printing
 * an error (or with it in dl).
 */
int write_metrics(struct ph_ctx *ctx, const char *file, long drift, struct diag_list *dl);

int cmd_validate(const struct options *o);
int cmd_plan(const struct options *o);
int cmd_apply(const struct options *o);
int cmd_status(const struct options *o);
int cmd_run(const struct options *o);
/* run's replication (cmd_repl.c): the dry run's lines (returns the jobs pending) and the real run. */
struct repl_report;
size_t repl_dry_run(struct ph_ctx *ctx, const struct options *o, int64_t now, json_t *out);
int repl_run_phase(struct ph_ctx *ctx, const struct options *o, int64_t now, struct repl_report *rep,
		   json_t *held, struct diag_list *dl);
int cmd_snapshots(const struct options *o);
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
