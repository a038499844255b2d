/*
 * plan: an ordered list of actions, built by the per-subsystem planners
 * (pure functions of desired + current state) and run by apply/.
 * The same summary text serves "plan" and "apply", so a dry run can never
 * disagree with the real run.
 */
#ifndef PH_PLAN_H
#define PH_PLAN_H
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "util/diag.h"
#include "util/strbuf.h"

/* Phases order the plan: nothing is referenced before it exists. */
enum plan_phase {
	PHASE_POOL_IMPORT = 10,
	PHASE_DISK_WIPE = 15,
	PHASE_POOL_CREATE = 20,
	PHASE_POOL_PROP = 25,
	PHASE_DATASET = 30,      /* ordered parent before child by depth */
	PHASE_DATASET_PROP = 35,
	PHASE_HOST = 40,         /* module parameters such as zfs_arc_max */
	PHASE_DIRECTORY = 50,
	PHASE_NFS = 60,
	PHASE_SAMBA = 70,
	PHASE_PVE_STORAGE = 80,
	PHASE_GUEST = 90,
};

/* Display markers: '+' create, '~' change, '-' remove, '!' destructive. */
#define OP_CREATE '+'
#define OP_CHANGE '~'
#define OP_REMOVE '-'

/*
 * What carries an action out beyond its commands (file edits, signals and
 * the like): apply/executors.c maps each kind to its executor function. The
 * payload an executor reads is the action's data; its type and free function
 * are declared by the planner that makes it (plan/NAME_plan.h).
 */
enum action_executor {
	AX_NONE,             /* nothing: the commands alone */
	AX_ZFS_ARC_WRITE,    /* write the ARC limit (struct arc_write) */
	AX_DIRS_DIR,         /* create or fix a directory (struct dirs_action_data) */
	AX_NFS_WRITE,        /* write the drop-in or the ganesha include (struct nfs_write_data) */
	AX_NFS_INCLUDE,      /* add the %include line (struct nfs_include_data) */
	AX_NFS_RELOAD,       /* SIGHUP to ganesha.nfsd (struct nfs_reload_data) */
	AX_NFS_ROOT,         /* create or fix an export root (struct nfs_root_data) */
	AX_SAMBA_SHARES,     /* write the shares file (struct samba_action_data) */
	AX_SAMBA_INCLUDE,    /* add the include line to smb.conf (struct samba_action_data) */
	AX_SAMBA_USER,       /* add the Samba user (struct samba_action_data) */
	AX_PVE_INTENT,       /* record the ownership intent (struct pve_edit) */
	AX_PVE_EDIT,         /* edit storage.cfg or a guest config, then the record (struct pve_edit) */
	AX_COUNT
};

/*
 * Set on an action whose effect the rest of the plan depends on (a pool
 * import: its datasets can be planned only once it is imported): apply plans
 * again after it. Static strings, printed by apply.
 */
struct replan_note {
	const char *again;    /* before the second pass: "Pool imported; planning its datasets." */
	const char *stopped;  /* ends an error of the second pass: "stopped after the import" */
};

struct action {
	int phase;
	int depth;          /* secondary order key inside a phase (dataset depth) */
	char op;
	bool destructive;
	char *subsystem;    /* "zfs", "host", "nfs", "samba", "dirs", "pve" */
	char *kind;         /* "create-pool", "set-property", ... */
	char *target;       /* pool, dataset, file or path acted on */
	char *summary;      /* "create dataset tank/a (quota=10G)" */
	struct strvec details;  /* extra lines shown under the summary */
	struct strvec *cmds;    /* commands run in order, each an argv */
	size_t n_cmds;
	enum action_executor before;  /* run before cmds: the intent record of what follows */
	enum action_executor after;   /* run after cmds */
	void *data;                   /* the executors' payload, owned by the action */
	void (*free_data)(void *);
	const struct replan_note *replan;   /* NULL, or: plan again after this action */
	size_t seq;         /* insertion order, the last sort key */
};

struct plan {
	struct action *v;
	size_t n;
	size_t cap;
	struct strvec unmanaged;   /* objects seen and deliberately left alone */
	struct strvec recreate;    /* changes ZFS allows only at creation: shown, never run
				      ("tank/a casesensitivity sensitive -> insensitive: HOW TO MIGRATE") */
	struct strvec waiting;     /* changes held until a guest stops: shown, never run, pending
				      ("remove mount point mp2 of container 101: ... (...; container 101 is running)") */
	struct strvec held;        /* destructive changes held back for want of --allow-destroy: shown
				      ("! destructive: ... (needs --allow-destroy)"), never run */
	struct strvec info;        /* the snapshot jobs `run` would do: shown, never applied,
				      never counted in the summary or the exit status */
	struct strvec elsewhere;   /* objects of the config on other nodes, left out of this node's plan:
				      "zfs: pool fastData is on pve2 only (not this node, pve1)"; shown, never counted */
	struct diag_list diags;    /* errors and warnings found while planning */
};

/* Adds an action; strings are copied. Returns it for further filling. */
struct action *plan_add(struct plan *p, int phase, char op, const char *subsystem,
			const char *kind, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Sets the executor run after the commands and its payload (owned by a, freed with free_data). */
void action_set_executor(struct action *a, enum action_executor after, void *data, void (*free_data)(void *));
/* Appends a command; takes ownership of argv's strings (argv is left empty). */
void action_add_cmd(struct action *a, struct strvec *argv);
/* Stable sort by phase, then depth, then insertion order. */
void plan_sort(struct plan *p);
size_t plan_count_op(const struct plan *p, char op);
size_t plan_count_destructive(const struct plan *p);
/*
 * The line of an action, as plan shows it and apply prints it when it runs it:
 * "+ create ...", "~ ...", "- ..." or "! destructive: ...".
 */
void action_print(FILE *f, const struct action *a);
/*
 * Text form: action_print for each action, details indented, then the
 * "! recreate needed: ..." lines, the "! waits for a stop: ..." lines, then
 * the unmanaged lines.
 */
void plan_print(FILE *f, const struct plan *p, bool show_commands);
/* The replan note of the first action that has one, or NULL. */
const struct replan_note *plan_replan(const struct plan *p);
/*
 * One action as JSON (new reference): op, subsystem, kind, target, summary,
 * destructive, details, commands (each an argv array).
 */
json_t *action_to_json(const struct action *a);
/*
 * JSON form: {"actions":[...], "recreate_needed":[...], "waiting":[...] (only when there is one),
 * "unmanaged":[...], "diagnostics":[...], "summary":{...}}; each diagnostic as diag_to_json writes it.
 */
json_t *plan_to_json(const struct plan *p);
void plan_free(struct plan *p);

#endif
