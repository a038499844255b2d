/* dirs_apply: the directory action callback (safe_dir_ensure under --root). */
#ifndef PH_DIRS_APPLY_H
#define PH_DIRS_APPLY_H
#include "apply/apply.h"
#include "plan/dirs_plan.h"

/*
 * Creates the directory (parents first) and sets the owner, group and mode
 * the action names, never following a symlink. Returns 0 or -1 with an error
 * naming the action in dl.
 */
int dirs_apply_dir(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

#endif
