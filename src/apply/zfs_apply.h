/* zfs_apply: executors for the ZFS subsystem's host-file actions (the ARC limit). */
#ifndef PH_ZFS_APPLY_H
#define PH_ZFS_APPLY_H
#include <stdbool.h>

#include "apply/apply.h"
#include "plan/zfs_plan.h"

/* Action callback: writes w->content to w->path. Returns 0 or -1 with an error in dl. */
int zfs_apply_arc_write(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

#endif
