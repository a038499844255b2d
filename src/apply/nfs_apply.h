/*
 * nfs_apply: the executors of the NFS plan's actions. Each takes its payload
 * from the action (types in plan/nfs_plan.h, freed by the plan through
 * free_data) and re-checks what it acts on at apply time.
 */
#ifndef PH_NFS_APPLY_H
#define PH_NFS_APPLY_H
#include "apply/apply.h"
#include "plan/nfs_plan.h"

/* Writes the file atomically (0644), then runs exportfs -ra when asked. */
int nfs_apply_write(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);
/* Appends the %include line to the main ganesha config unless it is already there. */
int nfs_apply_include(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);
/* Sends SIGHUP to the running ganesha.nfsd (it rereads its exports). */
int nfs_apply_reload(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);
/* Creates the export root if missing, then chown/chmod on an O_NOFOLLOW descriptor. */
int nfs_apply_root(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

#endif
