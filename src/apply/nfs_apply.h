/*
 * nfs_apply: the action callbacks of the NFS plan. Each takes its data from
 * the action (built by plan/nfs_plan.c, freed by the plan through free_data)
 * and re-checks what it acts on at apply time.
 */
#ifndef PH_NFS_APPLY_H
#define PH_NFS_APPLY_H
#include <stdbool.h>
#include <sys/types.h>

#include "apply/apply.h"
#include "plan/plan.h"

/* Data of a file write (drop-in or ganesha include), optionally followed by exportfs -ra. */
struct nfs_write_data {
	char *path;          /* already prefixed with --root */
	char *text;
	bool run_exportfs;   /* kernel: run `exportfs -ra` after writing */
};

/* Data of the %include edit of the main ganesha config. */
struct nfs_include_data {
	char *conf;          /* prefixed */
	char *include;       /* as the server sees it (not prefixed) */
};

/* Data of a ganesha reload. */
struct nfs_reload_data {
	char *pid_file;      /* prefixed */
};

/* Data of an export root fix: create it and/or set owner, group, mode. */
struct nfs_root_data {
	char *path;
	bool mkdir;
	bool set_uid;
	uid_t uid;
	bool set_gid;
	gid_t gid;
	bool set_mode;
	mode_t mode;
};

/* Writes the file atomically (0644), then runs exportfs -ra when asked. */
int nfs_apply_write(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);
/* Appends the %include line to the main ganesha config unless it is already there. */
int nfs_apply_include(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);
/* Sends SIGHUP to the running ganesha.nfsd (it rereads its exports). */
int nfs_apply_reload(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);
/* Creates the export root if missing, then chown/chmod on an O_NOFOLLOW descriptor. */
int nfs_apply_root(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

void nfs_write_data_free(void *p);
void nfs_include_data_free(void *p);
void nfs_reload_data_free(void *p);
void nfs_root_data_free(void *p);

#endif
