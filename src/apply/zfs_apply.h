/* zfs_apply: executors for the ZFS subsystem's host-file actions (the ARC limit). */
#ifndef PH_ZFS_APPLY_H
#define PH_ZFS_APPLY_H
#include <stdbool.h>

#include "apply/apply.h"

/* Data of an ARC action: a file to write (owned by the action). */
struct arc_write {
	char *path;       /* already under --root */
	char *content;
	bool sysfs;       /* write in place: a sysfs file cannot be renamed over */
};

void arc_write_free(void *data);

/* Action callback: writes w->content to w->path. Returns 0 or -1 with an error in dl. */
int zfs_apply_arc_write(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

#endif
