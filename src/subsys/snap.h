/*
 * snap (front door): snapshot policies. It loads zfs.snapshot_policies and
 * the datasets' "snapshots" (config/snap_config.h) and their time zones,
 * reads the snapshots of the covered datasets (state/snap_state.h, one
 * `zfs get`), lists the due jobs in `plan` as information and shows each
 * dataset's newest snapshot per class in `status`. The commands `run` and
 * `snapshots` use the table snap_subsystems (this door alone: they read no
 * layout state) and the view below.
 */
#ifndef PH_SUBSYS_SNAP_H
#define PH_SUBSYS_SNAP_H
#include <stdbool.h>
#include <stdint.h>

#include "engine/ctx.h"
#include "plan/snap_plan.h"

extern const struct subsystem snap_subsystem;
/* The snapshot front door alone. */
extern const struct subsystem_table snap_subsystems;

struct snap_view {
	const struct snap_config *cfg;
	const struct tz_zone *zones;
	struct snap_state *st;
};

/* The door's view in ctx (NULL when its table has no snapshot door or it did not load). */
struct snap_view *snap_door_view(const struct ph_ctx *ctx);
/* Reads the state again (after a take, before a prune). Returns 0 or -1 (error in dl). */
int snap_door_reread(struct ph_ctx *ctx, struct diag_list *dl);

#endif
