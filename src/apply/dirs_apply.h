/* dirs_apply: the directory action callback (safe_dir_ensure under --root). */
#ifndef PH_DIRS_APPLY_H
#define PH_DIRS_APPLY_H
#include "apply/apply.h"
#include "plan/plan.h"
#include "sys/safe_dir.h"

/* Owned by the action. path is as in the config; the apply root is prefixed. */
struct dirs_action_data {
	char *path;
	struct safe_dir_req req;
};

struct dirs_action_data *dirs_action_data_new(const char *path, const struct safe_dir_req *req);
/* free_data for actions (accepts NULL). */
void dirs_action_data_free(void *data);

/*
 * Creates the directory (parents first) and sets the owner, group and mode
 * the action names, never following a symlink. Returns 0 or -1 with an error
 * naming the action in dl.
 */
int dirs_apply_dir(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

#endif
