/*
 * ctx: one context per run. It owns the loaded configs, the current state of
 * every subsystem and the plan, and frees them all at exit.
 *
 * A subsystem (zfs, nfs, samba, dirs, pve) plugs in through struct subsystem:
 * it reads its own config section, discovers its own state and adds actions
 * to the one plan. The table lives in cmd/subsystems.c.
 */
#ifndef PH_CTX_H
#define PH_CTX_H
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "config/config.h"
#include "plan/plan.h"
#include "util/diag.h"
#include "util/strbuf.h"

struct zfs_config;
struct zfs_state;
struct zfs_facts;

enum { SUB_MAX = 8 };

struct ph_ctx {
	const char *root;           /* --root, "" when not given */
	struct config_src main;     /* phoenix_hypervisor_config.json */
	struct config_src lxc;      /* phoenix_lxc_configs.json: --lxc-config, else core_paths
				       under --root; lxc.root is NULL when absent */
	struct config_src vm;       /* phoenix_vm_configs.json, likewise */
	struct zfs_config *zcfg;    /* the zfs section, parsed */
	struct zfs_state *zst;      /* current ZFS state (after discovery) */
	struct strvec allow_wipe;   /* --allow-wipe DISK */
	bool allow_destroy;         /* --allow-destroy */
	bool samba_password_stdin;  /* --samba-password-stdin: a password comes on stdin */
	const char *samba_password; /* apply: what stdin carried (owned by the command), else NULL */
	void *sub[SUB_MAX];         /* per-subsystem private data, indexed like the table */
	struct zfs_facts *zfacts;   /* disk probes and ARC facts read by zfs discovery */
	struct strvec *strings;     /* strings handed out by const accessors, freed at exit */
};

struct subsystem {
	const char *name;
	/* Parse and check the subsystem's config. No program is run. Errors go to dl. */
	int (*load)(struct ph_ctx *ctx, void **priv, struct diag_list *dl);
	/* Read current state (may run programs). Called after zfs discovery. */
	int (*discover)(struct ph_ctx *ctx, void *priv, struct diag_list *dl);
	/* Add actions (and errors/warnings to p->diags). Pure: no I/O beyond discover's data. */
	void (*plan)(struct ph_ctx *ctx, void *priv, struct plan *p);
	/* Add the subsystem's part of `status` (JSON object member) and print it as text. */
	void (*status)(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text);
	void (*free)(void *priv);
};

extern const struct subsystem *const subsystems[];
extern const size_t n_subsystems;

#endif
