/* run: the pipeline shared by the commands (options, load, discover, plan, free). */
#ifndef PH_RUN_H
#define PH_RUN_H
#include <stdbool.h>
#include <stdio.h>

#include "cmd/ctx.h"

#define DEFAULT_CONFIG "/usr/local/phoenix_hypervisor/etc/phoenix_hypervisor_config.json"

enum exit_code { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_CHANGES = 2 };

struct options {
	const char *config;
	const char *root;
	const char *lxc_config;
	const char *vm_config;
	bool json;
	bool yes;
	bool allow_destroy;
	bool verbose;
	bool samba_password_stdin;
	int wait_s;                   /* apply --wait: seconds to wait for the host lock (0: refuse at once) */
	const char *samba_password;   /* read from stdin by apply */
	struct strvec allow_wipe;
};

/* Loads every config (main, LXC, VM) and every subsystem's section. Returns 0 when no error. */
int run_load(struct ph_ctx *ctx, const struct options *o, struct diag_list *dl);
/* Reads the current state of every subsystem. Returns 0 when no error. */
int run_discover(struct ph_ctx *ctx, struct diag_list *dl);
/* Builds and sorts the whole plan. */
void run_plan(struct ph_ctx *ctx, struct plan *p);
void run_free(struct ph_ctx *ctx);
/*
 * load + discover + plan, the plan's diagnostics moved into dl. Returns -1 when
 * loading or discovery failed (p is then empty), else 0. ctx must be run_free'd.
 */
int run_to_plan(struct ph_ctx *ctx, const struct options *o, struct diag_list *dl, struct plan *p);

/* "Plan: N to create, N to change, N to remove." or "No changes...". */
void print_plan_summary(FILE *f, const struct plan *p);

/* Prints diagnostics to stderr (all levels). */
void print_diags(const struct diag_list *dl);

int cmd_validate(const struct options *o);
int cmd_plan(const struct options *o);
int cmd_apply(const struct options *o);
int cmd_status(const struct options *o);

#endif
