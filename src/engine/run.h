/*
 * run: the pipeline every command shares: load the configs and every
 * subsystem's section, discover the current state, build the plan, free it
 * all. What a run is asked to do comes in struct run_opts (filled by cmd/).
 */
#ifndef PH_RUN_H
#define PH_RUN_H
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "engine/ctx.h"
#include "util/strbuf.h"

#define DEFAULT_CONFIG "/usr/local/phoenix_hypervisor/etc/phoenix_hypervisor_config.json"

struct run_opts {
	const char *config;           /* NULL: DEFAULT_CONFIG */
	const char *root;             /* --root, NULL when not given */
	const char *lxc_config;
	const char *vm_config;
	bool allow_destroy;
	bool allow_grow_pool;         /* --allow-grow-pool */
	bool verbose;
	bool samba_password_stdin;    /* the Samba password comes on stdin (apply reads it) */
	struct strvec allow_wipe;
	struct strvec only;           /* each --only value as given ("zfs,dirs"); empty: every subsystem */
	time_t now;                   /* --now (0: the current time) */
	const char *node;             /* --node NAME; NULL: the host name */
};

/*
 * Picks the front doors of the run (o->only, see run_select), then loads every
 * config (main, LXC, VM) and, through the front doors, the section of every
 * subsystem the run uses (and no other). ctx is initialised here and must be
 * run_free'd in any case. Returns 0, or -1 when an error was found (all of
 * them are in dl, each with the scope of the front door that found it).
 */
int run_load(struct ph_ctx *ctx, const struct subsystem_table *t, const struct run_opts *o,
	     struct diag_list *dl);
/*
 * The front doors --only names (each value a comma-separated list of names of
 * t) into doors[] (t->n of them): DOOR_SELECTED for each name and what it is
 * planned with (struct subsystem.with), DOOR_NEEDED for what they need
 * (struct subsystem.needs), DOOR_UNUSED for the rest; without
 * names every door is selected. Returns 0, or -1 with an error naming the
 * unknown or empty name and listing the known ones.
 */
int run_select(const struct subsystem_table *t, const struct strvec *only, struct door_run *doors,
	       struct diag_list *dl);
/*
 * --only for a command whose table t holds only some of all's subsystems (run:
 * those with a time-driven job): a name of all that t lacks is an error
 * ("--only: COMMAND has no job for subsystem 'zfs' (COMMAND does the jobs of:
 * snapshots)", with a hint naming t's subsystems); an unknown or empty name is
 * run_select's error; every bad name is reported, and then nothing is
 * selected. Else run_select(t, ...). Returns 0 or -1.
 */
int run_select_within(const struct subsystem_table *t, const struct subsystem_table *all, const char *command,
		      const struct strvec *only, struct door_run *doors, struct diag_list *dl);
/*
 * Reads the current state of every subsystem the run uses, in table order; a
 * front door whose discovery reports an error is marked failed. Returns 0
 * when none failed, else -1.
 */
int run_discover(struct ph_ctx *ctx, struct diag_list *dl);
/* True when the front door called name is selected: its part of the plan runs (unless it fails); every door is without ctx->doors. */
bool run_selected(const struct ph_ctx *ctx, const char *name);
/* True when front door i is selected and neither it nor anything it needs or is planned with failed. */
bool run_plannable(const struct ph_ctx *ctx, size_t i);
/*
 * Which subsystems hold the errors of dl (and of the failed front doors) into
 * in, table order; into others, the selected ones that can run without them
 * (neither in in nor needing or planned with one that is), or none when an error belongs to
 * no subsystem. Both are appended to (the caller frees them).
 */
void run_blame(const struct ph_ctx *ctx, const struct diag_list *dl, struct strvec *in, struct strvec *others);
/* validate: the checks of every subsystem that look at the host without planning. */
void run_lint(struct ph_ctx *ctx, struct diag_list *dl);
/* Builds and sorts the plan of every plannable front door (run_plannable). */
void run_plan(struct ph_ctx *ctx, struct plan *p);
/* Every selected subsystem's part of `status`: members of out, and text lines when text is not NULL. */
void run_status(struct ph_ctx *ctx, json_t *out, FILE *text);
/* Frees everything ctx owns (accepts a ctx whose run_load failed). */
void run_free(struct ph_ctx *ctx);
/*
 * load + discover + plan, the plan's diagnostics moved into dl. Returns -1 when
 * loading failed, or discovery failed so that no selected front door can be
 * planned (p is then empty); else 0: the plan of every plannable front door
 * (a failed discovery leaves its errors in dl). ctx must be run_free'd.
 */
int run_to_plan(struct ph_ctx *ctx, const struct subsystem_table *t, const struct run_opts *o,
		struct diag_list *dl, struct plan *p);

#endif
