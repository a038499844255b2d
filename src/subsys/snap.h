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

#include "config/repl_config.h"
#include "engine/ctx.h"
#include "plan/repl_plan.h"
#include "plan/snap_plan.h"
#include "state/repl_state.h"

extern const struct subsystem snap_subsystem;
/* The snapshot front door alone. */
extern const struct subsystem_table snap_subsystems;

struct snap_view {
	const struct snap_config *cfg;
	const struct tz_zone *zones;
	struct snap_state *st;
};

/* One host the replication jobs read: this one, or a node reached through the transport. */
struct repl_side {
	char *node;                  /* NULL: this host */
	struct strvec transport;     /* ssh -o BatchMode=yes root@ADDRESS (empty: this host) */
	struct repl_caps caps;
	struct snap_state st;
	bool caps_read;
	bool failed;                 /* it could not be read: its jobs are not planned */
};

/* The replication jobs and what they read (the snapshot door owns it). */
struct repl_view {
	const struct repl_config *cfg;
	struct repl_side *sides;     /* sides[0]: this host; then one per node a target is on */
	size_t n_sides;
	struct strvec known_ids;     /* the ids of every job of the config (those of other senders too) */
};

/* The door's view in ctx (NULL when its table has no snapshot door or it did not load). */
struct snap_view *snap_door_view(const struct ph_ctx *ctx);
/* Reads the state again (after a take, before a prune). Returns 0 or -1 (error in dl). */
int snap_door_reread(struct ph_ctx *ctx, struct diag_list *dl);

/* The replication view (NULL when the door did not load). */
struct repl_view *repl_door_view(const struct ph_ctx *ctx);
/* Reads (again) both sides of every job. Returns 0, or -1 (errors in dl; the failed sides marked). */
int repl_door_read(struct ph_ctx *ctx, struct diag_list *dl);
/*
 * The plan of every job (*n of them, in config order, *out allocated; free
 * each with repl_job_plan_free, then the array). A job whose side could not
 * be read is left out.
 */
void repl_door_plans(const struct ph_ctx *ctx, int64_t now, bool allow_destroy, struct repl_job_plan **out,
		     size_t *n);
/*
 * The stale holds: datasets (on every side) whose phoenix:repl-ids names a job
 * the config no longer has, each with its release (plan/repl_plan.h). Reads
 * one `zfs get` per side, and the snapshots of those datasets. *out allocated
 * (repl_stale_free each, then free). Returns 0 or -1 (errors in dl).
 */
int repl_door_stale(const struct ph_ctx *ctx, struct repl_stale **out, size_t *n, struct diag_list *dl);
/* The bases of the jobs (source guids, labelled with the target) for the prune. Caller frees *out. */
void repl_door_protect(const struct ph_ctx *ctx, struct snap_protect **out, size_t *n);

#endif
