/* apply: runs a sorted plan, action by action, stopping at the first failure. */
#ifndef PH_APPLY_H
#define PH_APPLY_H
#include <stdio.h>

#include "plan/plan.h"
#include "util/diag.h"

struct ph_ctx;

struct apply_ctx {
	struct ph_ctx *ctx;
	const char *root;   /* --root ("" when not given): prefix for host files */
	FILE *out;          /* progress lines */
};

/*
 * Runs every action of p in order: its before callback, its commands, then
 * its callback.
 * On the first failure adds an error naming the action, the command, its exit
 * status and stderr, and a note listing what was already done; returns -1.
 * Returns 0 when everything ran.
 */
int apply_plan(const struct plan *p, struct apply_ctx *ax, struct diag_list *dl);

#endif
