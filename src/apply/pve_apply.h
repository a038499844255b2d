/*
 * pve_apply: the file edits behind PVE actions. Each edit re-reads its file
 * at apply time, changes only what it names, and writes the file back
 * atomically (write_file_atomic, mode kept), so several actions on one file
 * compose and nothing else in the file moves.
 *
 * The payload, struct pve_edit, is declared by the planner (plan/pve_plan.h)
 * and owned by its action (action.data, freed by pve_edit_free through
 * action.free_data).
 */
#ifndef PH_PVE_APPLY_H
#define PH_PVE_APPLY_H
#include "apply/apply.h"
#include "plan/pve_plan.h"

/* The executors (exported for tests): the intent, and the edit with its record. */
int pve_apply_intent(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);
int pve_apply_edit(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

#endif
