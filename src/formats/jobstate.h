/*
 * jobstate: the tool's own memory between runs (the file is
 * /var/lib/phoenix-storage/jobs, state/job_state.h reads and writes it):
 * when each job of `run` last succeeded, and when the tool's TRIM job last
 * started a TRIM of each pool (ZFS keeps no TRIM date that every line shows).
 * Pure parse and render, one record a line:
 *
 *   # phoenix-storage jobs v1
 *   job snapshot 1767225600
 *   trim tank 1767225600
 *
 * KIND NAME EPOCH, one blank between: KIND "job" or "trim"; NAME 1 to 255
 * bytes, no blank or control character; EPOCH decimal seconds (0 to
 * 253402300799, year 9999). Lines starting with '#' and empty lines are
 * skipped. A (KIND, NAME) given twice: the last line holds.
 *
 * Ownership: a struct jobstate owns its records (jobstate_free).
 */
#ifndef PH_JOBSTATE_H
#define PH_JOBSTATE_H
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

#define JOBSTATE_MAX_EPOCH INT64_C(253402300799)

struct jobstate_rec {
	char *kind;     /* "job", "trim" */
	char *name;     /* "snapshot", "prune", "scrub"; the pool */
	int64_t at;     /* Unix time */
};

struct jobstate {
	struct jobstate_rec *v;   /* sorted by kind, then name */
	size_t n;
};

/*
 * Reads text into js (records added to what it holds). Returns 0, or -1 with
 * an error naming file (for the message) and the line in dl; js then holds
 * the lines before it.
 */
int jobstate_parse(const char *text, const char *file, struct jobstate *js, struct diag_list *dl);
/* The file's text (header line, then the records in order). Caller frees. */
char *jobstate_render(const struct jobstate *js);
/* The time of (kind, name), or -1 when there is none. */
int64_t jobstate_get(const struct jobstate *js, const char *kind, const char *name);
/*
 * Sets (kind, name) to at, keeping the order. Returns 0, or -1 when kind,
 * name or at is not what the format above takes (nothing changes).
 */
int jobstate_set(struct jobstate *js, const char *kind, const char *name, int64_t at);
void jobstate_free(struct jobstate *js);

#endif
