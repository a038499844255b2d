/*
 * audit: the audit trail. Every apply or run that ran actions
 * appends one JSON line to AUDIT_LOG (under --root): when, who, on which
 * node, from which config (path and sha256 of the bytes planned from), and
 * every action with its result. `phoenix-storage history` reads it back.
 */
#ifndef PH_AUDIT_H
#define PH_AUDIT_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "config/config.h"
#include "plan/plan.h"
#include "util/diag.h"

#define AUDIT_LOG "/var/log/phoenix-storage/changes.jsonl"

/* One command's record while it runs; audit_init, audit_add_plan per pass, audit_write, audit_free. */
struct audit {
	json_t *actions;         /* every action run or planned, with "result" */
	char *config;            /* the main config's absolute path (as given when it cannot be resolved) */
	char config_sha256[65];  /* of its bytes as read ("" until audit_add_plan saw it) */
	bool failed;             /* an action failed */
};

void audit_init(struct audit *a);
void audit_free(struct audit *a);

/* Records cfg's absolute path and the sha256 of its bytes, the first time it is called. */
void audit_config(struct audit *a, const struct config_src *cfg);

/*
 * Appends one action record (op '+', '~' or '-'; result "done", "failed" or
 * "not run") to a->actions and returns it (borrowed: the caller may add
 * members). Cannot fail.
 */
json_t *audit_add(struct audit *a, char op, const char *subsystem, const char *kind, const char *target,
		  const char *summary, bool destructive, const char *result);

/*
 * Adds each action of p to a->actions: the first done ones with result
 * "done"; when failed, action done with "failed" and error (the first error
 * of errors, may be NULL) and the rest "not run". cfg is the config the plan
 * came from (its path and bytes are recorded the first time). Cannot fail.
 */
void audit_add_plan(struct audit *a, const struct config_src *cfg, const struct plan *p, size_t done,
		    bool failed, const struct diag_list *errors);

/*
 * Appends the record of a (when it holds an action) to AUDIT_LOG under root
 * as one line: time (UTC, ISO 8601), command, user, uid, sudo_user (or null),
 * node (host name), config, config_sha256, result ("ok" or "failed"),
 * actions. Returns 0, or -1 with a warning in dl (the changes are made; only
 * their record is missing).
 */
int audit_write(const struct audit *a, const char *root, const char *command, struct diag_list *dl);

/*
 * Reads AUDIT_LOG under root into *entries (new array of the records, oldest
 * first; empty when the file does not exist). A line that is not a JSON
 * object is skipped with a warning naming the file and line. Returns 0, or -1
 * with an error in dl when the file cannot be read (*entries is then NULL).
 */
int audit_read(const char *root, json_t **entries, struct diag_list *dl);

#endif
