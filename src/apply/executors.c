/* The executors of every action kind: one table, kind -> function. */
#include "apply/apply.h"

#include "apply/dirs_apply.h"
#include "apply/nfs_apply.h"
#include "apply/pve_apply.h"
#include "apply/samba_apply.h"
#include "apply/zfs_apply.h"

typedef int (*executor_fn)(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

static const executor_fn executors[AX_COUNT] = {
	[AX_NONE] = NULL,
	[AX_ZFS_ARC_WRITE] = zfs_apply_arc_write,
	[AX_DIRS_DIR] = dirs_apply_dir,
	[AX_NFS_WRITE] = nfs_apply_write,
	[AX_NFS_INCLUDE] = nfs_apply_include,
	[AX_NFS_RELOAD] = nfs_apply_reload,
	[AX_NFS_ROOT] = nfs_apply_root,
	[AX_SAMBA_SHARES] = samba_apply_shares,
	[AX_SAMBA_INCLUDE] = samba_apply_include,
	[AX_SAMBA_USER] = samba_apply_user,
	[AX_PVE_INTENT] = pve_apply_intent,
	[AX_PVE_EDIT] = pve_apply_edit,
};

int apply_executor(enum action_executor x, const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	if (x <= AX_NONE || x >= AX_COUNT || !executors[x])
		return 0;
	return executors[x](a, ax, dl);
}
