/* apply: runs a sorted plan, action by action, stopping at the first failure. */
#ifndef PH_APPLY_H
#define PH_APPLY_H
#include <stdio.h>

#include "exec/exec.h"
#include "plan/plan.h"
#include "util/diag.h"

/* What apply_plan reports of each action when the caller asks (apply --json). */
enum apply_event_kind { APPLY_STARTED, APPLY_DONE, APPLY_FAILED };

struct apply_event {
	enum apply_event_kind kind;
	size_t index;                      /* of the action in the plan, 0-based */
	size_t total;                      /* actions in the plan */
	const struct action *action;
	/* APPLY_FAILED by a program: its argv and result; NULL when an executor (a file edit) failed */
	const char *const *argv;
	const struct exec_result *result;
	const struct diag *error;          /* APPLY_FAILED: the error (it is also in dl) */
};

/* What the executors need besides an action's payload. */
struct apply_ctx {
	const char *root;            /* --root ("" when not given): prefix for host files */
	FILE *out;                   /* progress lines (the action lines), unless on_event is set */
	const char *samba_password;  /* what --samba-password-stdin carried (owned by the command), or NULL */
	/* When not NULL: called for each event instead of printing the action lines to out. */
	void (*on_event)(void *arg, const struct apply_event *e);
	void *event_arg;
	size_t done;                 /* set by apply_plan: how many actions completed */
};

/*
 * Runs every action of p in order: its before executor, its commands, then
 * its after executor (apply/executors.c). The line of each action is printed
 * to ax->out as it starts (action_print), or each start and end goes to
 * ax->on_event. On the first failure adds an error naming the action, the
 * command, its exit status and stderr, and a note counting what was already
 * done, with the last three of those actions (never the whole list); returns
 * -1. Returns 0 when everything ran. Either way ax->done is the number of
 * actions that completed.
 */
int apply_plan(const struct plan *p, struct apply_ctx *ax, struct diag_list *dl);

/*
 * Runs the executor of kind x for action a (AX_NONE does nothing). Returns 0,
 * or -1 with an error in dl.
 */
int apply_executor(enum action_executor x, const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

/*
 * The error of a program an action ran that failed: "SUMMARY failed: 'CMD'
 * exited with status N: STDERR" (stderr without its trailing white space),
 * with r's hint when it has one (the program was not found), else hint.
 */
void apply_exec_failed(struct diag_list *dl, const char *summary, const char *const argv[],
		       const struct exec_result *r, const char *hint);

#endif
