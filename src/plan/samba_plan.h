/*
 * samba_plan: the Samba part of the plan (phase PHASE_SAMBA). The tool owns
 * DIR/phoenix-shares.conf next to smb.conf and keeps one "include = DIR/phoenix-shares.conf" line at the end of smb.conf; every
 * other line of smb.conf stays as it is. A running smbd is reloaded, never
 * restarted, and only when something changed.
 */
#ifndef PH_SAMBA_PLAN_H
#define PH_SAMBA_PLAN_H
#include <stdbool.h>

#include "config/samba_config.h"
#include "plan/mounts.h"
#include "plan/plan.h"
#include "state/samba_state.h"

/*
 * The managed shares file for cfg: a fixed header, then one section per share
 * in config order with path (root-prefixed, as smbd must see it), the options
 * as given and valid users. Pure; caller frees. NULL when a name, path,
 * option or user would not stay on its line (a control character, a final
 * '\' that joins the next line, ']' in a name): samba_plan_build reports that
 * as a plan error and writes nothing.
 */
char *samba_render_shares(const struct samba_config *cfg, const char *root);

/*
 * Adds the Samba actions for cfg against st to p, and errors/warnings (share
 * path not on a mounted managed dataset, missing system user or password file,
 * share defined by hand too, ...) to p->diags, positioned in src. v answers
 * the mount questions (v->root is --root); password_on_stdin: the Samba
 * user's password comes on stdin (--samba-password-stdin) instead of
 * samba.password_file. Pure.
 */
void samba_plan_build(const struct zfs_view *v, const struct config_src *src, const struct samba_config *cfg,
		      const struct samba_state *st, bool password_on_stdin, struct plan *p);

/* What a Samba action needs; every path is the real one (with --root). Owned by the action. */
struct samba_action_data {
	char *smb_conf;
	char *shares_file;
	char *content;        /* the whole desired shares file */
	char *user;
	char *password_file;
};

struct samba_action_data *samba_action_data_new(const char *smb_conf, const char *shares_file,
						const char *content, const char *user,
						const char *password_file);
/* free_data for actions (accepts NULL). */
void samba_action_data_free(void *data);

#endif
