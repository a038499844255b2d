/*
 * program: which file runs for a program name (its PHOENIX_* variable, else
 * the trusted directories; PATH is never consulted), how a command is shown,
 * and the trace switch and counter every start goes through (exec/job.c).
 * Shared by exec_run, exec_pipeline and the steps they share.
 */
#ifndef PH_PROGRAM_H
#define PH_PROGRAM_H
#include <stdbool.h>

/* The only directories programs are looked up in. */
#define EXEC_TRUSTED_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * The program to run for name ("zfs", "exportfs", ...): the value of its
 * PHOENIX_* variable (PHOENIX_ZFS, PHOENIX_EXPORTFS, ...) when set and not
 * empty, else name itself. Static or environment storage: do not free.
 */
const char *exec_program(const char *name);

/*
 * Resolves argv0 to the file exec_run starts: argv0 when it has a '/', else
 * exec_program(argv0) when that has a '/', else the first executable of
 * that name in EXEC_TRUSTED_PATH. Returns a new string (caller frees), or
 * NULL when nothing was found; then *hint (may be NULL) gets a static hint
 * naming the package and the PHOENIX_ variable.
 */
char *exec_resolve(const char *argv0, const char **hint);

/* The argv quoted for display (copy-paste into a shell); caller frees. */
char *exec_argv_display(const char *const argv[]);

/*
 * argv as one command line for a POSIX shell on another host (what ssh hands
 * the remote login shell): every word the shell would change (blanks, quotes,
 * $, `, backslash, *, ?, [, ~, #, &, ;, |, <, >, (, ), {, }, !, newline, an empty word,
 * a first word with '=') in single quotes, a quote inside as '\''. The remote
 * shell's words are then exactly argv. Caller frees.
 */
char *exec_remote_command(const char *const argv[]);

/* How many programs exec_run and exec_pipeline started in this process (each stage counts). */
unsigned exec_count(void);

/* When set, every command is echoed to stderr as "+ cmd" before it runs (a pipeline as
 * "+ cmd1 | cmd2"), with the full path of each program run. */
void exec_set_trace(bool on);

#endif
