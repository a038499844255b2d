/*
 * samba_plan: the Samba part of the plan (phase PHASE_SAMBA) and the samba
 * subsystem. The tool owns DIR/phoenix-shares.conf next to smb.conf and keeps
 * one "include = DIR/phoenix-shares.conf" line at the end of smb.conf; every
 * other line of smb.conf stays as it is. A running smbd is reloaded, never
 * restarted, and only when something changed.
 */
#ifndef PH_SAMBA_PLAN_H
#define PH_SAMBA_PLAN_H
#include <jansson.h>
#include <stdio.h>

#include "cmd/ctx.h"
#include "config/samba_config.h"
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
 * share defined by hand too, ...) to p->diags. Pure.
 */
void samba_plan_build(const struct ph_ctx *ctx, const struct samba_config *cfg,
		      const struct samba_state *st, struct plan *p);

extern const struct subsystem samba_subsystem;

#endif
