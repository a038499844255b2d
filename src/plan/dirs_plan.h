/*
 * dirs_plan: the persistent service directories part of the plan (phase
 * PHASE_DIRECTORY, parents before children) and the dirs subsystem.
 * Directories are created like systemd-tmpfiles does: parents first; an
 * existing directory gets only the owner, group and mode the config names;
 * nothing is ever deleted or emptied; no symlink is ever followed.
 */
#ifndef PH_DIRS_PLAN_H
#define PH_DIRS_PLAN_H
#include <stdbool.h>

#include "cmd/ctx.h"
#include "config/dirs_config.h"
#include "plan/plan.h"

/*
 * Mount-before-use for path (as in the config, without --root): returns 0 when
 * path lies on a managed dataset that is mounted now or that this plan creates
 * (*dataset gets its name, owned by ctx). Otherwise returns -1 with *msg and
 * *hint (caller frees both) naming the dataset that should be there, or the
 * dataset whose mountpoint the path misses (the /mnt/pve/POOL/NAME case).
 * what is the noun for the message ("directory", "share path").
 */
int dirs_mount_check(const struct ph_ctx *ctx, const char *path, const char *what,
		     const char **dataset, char **msg, char **hint);

/* path without the --root prefix, for messages (caller frees). */
char *dirs_shown_path(const struct ph_ctx *ctx, const char *path);

/* Per-directory current state, filled by discovery (index-aligned with dirs_config.v). */
struct dir_seen {
	bool inspected;
	bool exists;
	char *first_missing;
	unsigned n_missing;
	unsigned uid, gid, mode;
	char *error;          /* symlink / not a directory / ..., or NULL */
};

/*
 * Adds the directory actions for cfg against seen (cfg->n entries) and the
 * errors (path not on a mounted managed dataset, symlink in the way, ...) to
 * p->diags. Pure.
 */
void dirs_plan_build(const struct ph_ctx *ctx, const struct dirs_config *cfg,
		     const struct dir_seen *seen, struct plan *p);

extern const struct subsystem dirs_subsystem;

#endif
