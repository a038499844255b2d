/*
 * pve_plan: the Proxmox part of the plan. Pure: desired (pve_config) +
 * current (pve_state, ctx->zst) -> actions in PHASE_PVE_STORAGE (storage.cfg
 * entries) and PHASE_GUEST (container mount points, rootfs and VM disk sizes),
 * plus errors, warnings and notes in p->diags.
 *
 * In cli mode an action carries the exact pvesm/pct/qm argv; in files mode it
 * carries the zfs commands a volume needs and a file edit (pve_apply.h). Both
 * record storage ownership in the marker file.
 */
#ifndef PH_PVE_PLAN_H
#define PH_PVE_PLAN_H

#include "cmd/ctx.h"
#include "config/pve_config.h"
#include "plan/plan.h"
#include "pve/pve_state.h"

void pve_plan_build(const struct ph_ctx *ctx, const struct pve_config *pc, const struct pve_state *st,
		    struct plan *p);

#endif
