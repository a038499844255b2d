/*
 * nfs_plan: the NFS part of the plan. Renders the files the tool owns (the
 * kernel drop-in and the ganesha include file), keeps ganesha Export_Ids
 * stable, and diffs the config against the discovered state (exportfs -v,
 * the owned files, the export roots). Everything here is pure; the file
 * writes and reloads run in apply/nfs_apply.c.
 *
 * The subsystem entry `nfs_subsystem` (cmd/subsystems.c) is defined in
 * nfs_plan.c: it adds the mount-before-use check (zfs_dataset_for_path).
 */
#ifndef PH_NFS_PLAN_H
#define PH_NFS_PLAN_H
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "config/nfs_config.h"
#include "plan/plan.h"
#include "state/nfs_state.h"

/*
 * The renderers below return NULL, instead of text, when a value they would
 * write is not one field of printable text (a control character, white space
 * or a separator of the format): a value that slipped past validation never
 * makes a second line or a second field. nfs_plan_build reports that as a
 * plan error and plans nothing for NFS.
 */

/* "/path c1(o1,o2) c2(o1,o2)" (bare clients when there are no options), or NULL. Caller frees. */
char *nfs_render_line(const char *path, const struct strvec *clients, const struct strvec *opts);
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
/* text with a %include line for include appended, every other byte kept; NULL when include is not one quoted field. Caller frees. */
char *ganesha_conf_add_include(const char *text, const char *include);
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
 * Adds the NFS actions and diagnostics to p. src (may be NULL) positions the
 * diagnostics in the config file. root is the --root prefix for the files
 * written at apply time. zfs_makes_root[i] (may be NULL): the export root of
 * export i is the mountpoint of a dataset this plan creates.
 */
void nfs_plan_build(const struct config_src *src, const struct nfs_config *cfg,
		    const struct nfs_state *st, const char *root, const bool *zfs_makes_root,
		    struct plan *p);

/* JSON object and text lines for `status`. */
json_t *nfs_status_json(const struct nfs_config *cfg, const struct nfs_state *st, FILE *text);

#endif
