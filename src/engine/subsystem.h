/*
 * subsystem: the interface every subsystem (zfs, dirs, nfs, samba, pve)
 * implements in its one front door (subsys/NAME.c), which adapts the run
 * context to its layers: it reads its config section, discovers its state,
 * hands both (and the read-only ZFS view) to its pure planner, and renders
 * its part of `status`. The table of front doors is subsys/table.c.
 */
#ifndef PH_SUBSYSTEM_H
#define PH_SUBSYSTEM_H
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "plan/plan.h"
#include "util/diag.h"

struct ph_ctx;

struct subsystem {
	const char *name;
	/*
	 * The subsystems whose loaded config and discovered state this one reads
	 * (NULL-terminated names, NULL for none): `--only NAME` loads and discovers
	 * them too (without planning them), and an error in one of them keeps this
	 * one from being planned. Every front door that reads ctx->zfs needs "zfs".
	 */
	const char *const *needs;
	/*
	 * The subsystems planned along with this one (NULL-terminated, NULL for
	 * none), because its actions rely on theirs: `--only NAME` selects them
	 * too, and an error in one of them blocks this one. pve has "dirs": the
	 * host directories of container bind mounts are made, and guarded, there.
	 */
	const char *const *with;
	/* Parse and check the subsystem's config into *priv. No program is run. Errors go to dl. */
	int (*load)(struct ph_ctx *ctx, void **priv, struct diag_list *dl);
	/* Read current state (may run programs). Called in table order, after load. */
	int (*discover)(struct ph_ctx *ctx, void *priv, struct diag_list *dl);
	/*
	 * validate only, may be NULL: checks that need a look at the host but no
	 * plan (the pools' sizes for the capacity lint); when the host cannot be
	 * read they are skipped quietly. Warnings go to dl.
	 */
	void (*lint)(struct ph_ctx *ctx, void *priv, struct diag_list *dl);
	/* Add actions (and errors/warnings to p->diags). Pure: no I/O beyond discover's data. */
	void (*plan)(struct ph_ctx *ctx, void *priv, struct plan *p);
	/* Add the subsystem's part of `status` (JSON object member) and print it as text. */
	void (*status)(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text);
	/* Frees priv (accepts NULL). */
	void (*free)(void *priv);
};

/* The front doors of a run, in plan order (a plain array: no fixed maximum). */
struct subsystem_table {
	const struct subsystem *const *v;
	size_t n;
};

#endif
