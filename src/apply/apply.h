/* apply: runs a sorted plan, action by action, stopping at the first failure. */
#ifndef PH_APPLY_H
#define PH_APPLY_H
#include <stdio.h>

#include "exec/exec.h"
#include "plan/plan.h"
#include "util/diag.h"

/* What the executors need besides an action's payload. */
struct apply_ctx {
	const char *root;            /* --root ("" when not given): prefix for host files */
	FILE *out;                   /* progress lines */
	const char *samba_password;  /* what --samba-password-stdin carried (owned by the command), or NULL */
	size_t done;                 /* set by apply_plan: how many actions completed */
};

/*
 * Runs every action of p in order: its before executor, its commands, then
 * its after executor (apply/executors.c). The line of each action is printed
 * to ax->out as it starts (action_print). On the first failure adds an
 * error naming the action, the command, its exit status and stderr, and a
 * note listing what was already done; returns -1. Returns 0 when everything
 * ran. Either way ax->done is the number of actions that completed.
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
