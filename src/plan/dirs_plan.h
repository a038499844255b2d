/*
 * dirs_plan: the persistent service directories part of the plan (phase
 * PHASE_DIRECTORY, parents before children).
 * Directories are created like systemd-tmpfiles does: parents first; an
 * existing directory gets only the owner, group and mode the config names;
 * nothing is ever deleted or emptied; no symlink is ever followed.
 */
#ifndef PH_DIRS_PLAN_H
#define PH_DIRS_PLAN_H
#include <stdbool.h>

#include "config/dirs_config.h"
#include "state/dirs_state.h"
#include "plan/mounts.h"
#include "plan/plan.h"
#include "sys/safe_dir.h"

/*
 * Mount-before-use for path (as in the config, without --root): returns 0 when
 * path lies on a managed dataset that is mounted now or that this plan creates
 * (*dataset gets its name, borrowed from the view). Otherwise returns -1 with *msg and
 * *hint (caller frees both) naming the dataset that should be there, or the
 * dataset whose mountpoint the path misses (the /mnt/pve/POOL/NAME case).
 * what is the noun for the message ("directory", "share path").
 */
int dirs_mount_check(const struct zfs_view *v, const char *path, const char *what,
		     const char **dataset, char **msg, char **hint);

/* The payload of a directory action. */
/* Owned by the action. path is as in the config; the apply root is prefixed. */
struct dirs_action_data {
	char *path;
	struct safe_dir_req req;
};

struct dirs_action_data *dirs_action_data_new(const char *path, const struct safe_dir_req *req);
/* free_data for actions (accepts NULL). */
void dirs_action_data_free(void *data);

/*
 * Adds the directory actions for cfg against seen (cfg->n entries) and the
 * errors (path not on a mounted managed dataset, symlink in the way, ...) to
 * p->diags. Pure.
 */
void dirs_plan_build(const struct zfs_view *v, const struct dirs_config *cfg,
		     const struct dir_seen *seen, struct plan *p);

#endif
