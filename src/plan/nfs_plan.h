/*
 * nfs_plan: the NFS part of the plan. Renders the files the tool owns (the
 * kernel drop-in and the ganesha include file), keeps ganesha Export_Ids
 * stable, and diffs the config against the discovered state (exportfs -v,
 * the owned files, the export roots). Everything here is pure; the file
 * writes and reloads run in apply/nfs_apply.c.
 */
#ifndef PH_NFS_PLAN_H
#define PH_NFS_PLAN_H
#include <stdbool.h>
#include <sys/types.h>

#include "config/nfs_config.h"
#include "plan/mounts.h"
#include "plan/plan.h"
#include "state/nfs_state.h"

/*
 * The renderers below return NULL, instead of text, when a value they would
 * write is not one field of printable text (a control character, white space
 * or a separator of the format): a value that slipped past validation never
 * makes a second line or a second field. nfs_plan_build reports that as a
 * plan error and plans nothing for NFS.
 */

/* The whole drop-in: the ownership header and one line per export, or NULL. Caller frees. */
char *nfs_render_dropin(const struct nfs_config *cfg);

/* The Export_Id a new path gets before collisions are resolved: 1..60000. */
long ganesha_default_id(const char *path);
/*
 * Fills ids[i] for cfg->exports[i]: the id the include file already gives
 * the path (when it is unique and not used by a block of the main config),
 * else the default id, moved up past ids already taken. Deterministic.
 */
void ganesha_assign_ids(const struct nfs_config *cfg, const struct ganesha_exports *ours,
			const struct ganesha_exports *others, long *ids);
/* One EXPORT block (VFS FSAL, one CLIENT block for all clients), or NULL. Caller frees. */
char *ganesha_render_block(const struct nfs_export *e, long id);
/* The whole include file, or NULL. Caller frees. */
char *ganesha_render_include(const struct nfs_config *cfg, const long *ids);
/* "sync, no_subtree_check": options nfs-ganesha has no equivalent for; "" if none. Caller frees. */
char *ganesha_ignored_options(const struct nfs_export *e);

enum nfs_export_state { NFS_EXPORT_ACTIVE, NFS_EXPORT_MISSING, NFS_EXPORT_DRIFTED };
const char *nfs_export_state_name(enum nfs_export_state s);

/*
 * How export i of cfg stands in the server: for the kernel, compared with
 * the exportfs -v table (clients and effective options); for ganesha, with
 * the include file and whether the server runs and includes it.
 * *detail gets a new string saying what differs ("" when active).
 */
enum nfs_export_state nfs_export_status(const struct nfs_config *cfg, const struct nfs_state *st,
					size_t i, const long *ids, char **detail);

/*
 * Mount-before-use: every export of cfg (unless outside_zfs) must be on a
 * managed dataset that is mounted now or that this plan creates; errors go
 * to p->diags (positioned in src). made[i] (cfg->n_exports entries, zeroed by
 * the caller) is set when export i's root is the mountpoint of a dataset this
 * plan creates or moves there: mounting it makes the directory. Pure.
 */
void nfs_check_mounts(const struct zfs_view *v, const struct config_src *src, const struct nfs_config *cfg, bool *made,
		      struct plan *p);

/*
 * Adds the NFS actions and diagnostics to p. src (may be NULL) positions the
 * diagnostics in the config file. root is the --root prefix for the files
 * written at apply time. zfs_makes_root[i] (may be NULL): the export root of
 * export i is the mountpoint of a dataset this plan creates.
 */
void nfs_plan_build(const struct config_src *src, const struct nfs_config *cfg,
		    const struct nfs_state *st, const char *root, const bool *zfs_makes_root,
		    struct plan *p);

/* The payloads of the NFS actions (owned by the action, freed through free_data; accept NULL). */
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

void nfs_write_data_free(void *p);
void nfs_include_data_free(void *p);
void nfs_reload_data_free(void *p);
void nfs_root_data_free(void *p);

#endif
