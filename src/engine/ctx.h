/*
 * ctx: one context per run. It owns the loaded config files and the private
 * data of every front door (which owns that subsystem's config and state),
 * and frees them all at exit.
 *
 * Only the engine (engine/), the front doors (subsys/) and the commands
 * (cmd/) see it; every layer below takes explicit inputs.
 */
#ifndef PH_CTX_H
#define PH_CTX_H
#include <stdbool.h>
#include <time.h>

#include "config/config.h"
#include "config/lxc_config.h"
#include "engine/subsystem.h"
#include "util/strbuf.h"

struct zfs_view;
struct snap_config;

/* What a run does with a front door (--only picks them; what they need comes along). */
enum door_use {
	DOOR_UNUSED,    /* not loaded, not discovered: no program is started for it */
	DOOR_NEEDED,    /* loaded and discovered because a selected one needs it; not planned, no status */
	DOOR_SELECTED,  /* loaded, discovered, planned, in status */
};

/* One front door in this run. */
struct door_run {
	enum door_use use;
	bool failed;    /* its load or discovery reported an error: it is not planned, nor what needs it */
};

struct ph_ctx {
	const char *root;           /* --root, "" when not given */
	struct config_src main;     /* phoenix_hypervisor_config.json */
	struct config_src lxc;      /* phoenix_lxc_configs.json: --lxc-config, else core_paths
				       under --root; lxc.root is NULL when absent */
	struct config_src vm;       /* phoenix_vm_configs.json, likewise */
	struct lxc_config guests;   /* the containers and their mounts (lxc_configs, shared_volumes), read once */
	const struct subsystem_table *subsystems;
	void **priv;                /* each front door's private data, indexed like the table */
	struct door_run *doors;     /* each front door's part in the run, indexed like the table; NULL in a
				       context made by hand (tests/fuzz): run_selected says every door is */
	bool only;                  /* --only was given */
	/*
	 * The read-only ZFS view (config, state, root) that the zfs front door
	 * publishes when it loads; the other front doors hand it to their
	 * planners. NULL when there is no zfs front door.
	 */
	const struct zfs_view *zfs;
	/* The snapshot policies the snapshot front door publishes when it loads (NULL: none). */
	const struct snap_config *snapshots;
	struct strvec allow_wipe;   /* --allow-wipe DISK */
	bool allow_destroy;         /* --allow-destroy */
	bool allow_grow_pool;       /* --allow-grow-pool */
	char node[65];              /* this host among cluster.nodes: --node, else the host name up to its first '.' */
	time_t now;                 /* --now, else the time the run started: every age is measured from it */
	bool samba_password_stdin;  /* --samba-password-stdin: the Samba password comes on stdin (the
				       secret itself goes from cmd/ to apply/ only, never through here) */
};

/* The run's config files, as the config loaders take them. */
static inline struct config_sources ctx_sources(const struct ph_ctx *ctx)
{
	return (struct config_sources){ &ctx->main, &ctx->lxc, &ctx->vm };
}

#endif
