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
	bool verbose;
	bool samba_password_stdin;    /* the Samba password comes on stdin (apply reads it) */
	struct strvec allow_wipe;
	time_t now;                   /* --now (0: the current time) */
};

/*
 * Loads every config (main, LXC, VM) and, through the front doors of t, every
 * subsystem's section. ctx is initialised here and must be run_free'd in any
 * case. Returns 0, or -1 when an error was found (all of them are in dl).
 */
int run_load(struct ph_ctx *ctx, const struct subsystem_table *t, const struct run_opts *o,
	     struct diag_list *dl);
/* Reads the current state of every subsystem. Returns 0 when no error. */
int run_discover(struct ph_ctx *ctx, struct diag_list *dl);
/* validate: the checks of every subsystem that look at the host without planning. */
void run_lint(struct ph_ctx *ctx, struct diag_list *dl);
/* Builds and sorts the whole plan. */
void run_plan(struct ph_ctx *ctx, struct plan *p);
/* Every subsystem's part of `status`: members of out, and text lines when text is not NULL. */
void run_status(struct ph_ctx *ctx, json_t *out, FILE *text);
/* Frees everything ctx owns (accepts a ctx whose run_load failed). */
void run_free(struct ph_ctx *ctx);
/*
 * load + discover + plan, the plan's diagnostics moved into dl. Returns -1 when
 * loading or discovery failed (p is then empty), else 0. ctx must be run_free'd.
 */
int run_to_plan(struct ph_ctx *ctx, const struct subsystem_table *t, const struct run_opts *o,
		struct diag_list *dl, struct plan *p);

#endif
