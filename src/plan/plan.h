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

struct action;
struct apply_ctx;

/*
 * Callback for actions that are not plain commands (file edits and the like).
 * Returns 0 on success; on failure adds an error to dl and returns -1.
 */
typedef int (*action_fn)(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

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
	action_fn before;   /* run before cmds when not NULL: the intent record of what follows */
	action_fn fn;       /* run after cmds when not NULL */
	void *data;
	void (*free_data)(void *);
	size_t seq;         /* insertion order, the last sort key */
};

struct plan {
	struct action *v;
	size_t n;
	size_t cap;
	struct strvec unmanaged;   /* objects seen and deliberately left alone */
	struct diag_list diags;    /* errors and warnings found while planning */
};

/* Adds an action; strings are copied. Returns it for further filling. */
struct action *plan_add(struct plan *p, int phase, char op, const char *subsystem,
			const char *kind, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Appends a command; takes ownership of argv's strings (argv is left empty). */
void action_add_cmd(struct action *a, struct strvec *argv);
/* Stable sort by phase, then depth, then insertion order. */
void plan_sort(struct plan *p);
size_t plan_count_op(const struct plan *p, char op);
size_t plan_count_destructive(const struct plan *p);
/* Text form: one line per action ("+ create ..."), details indented. */
void plan_print(FILE *f, const struct plan *p, bool show_commands);
/* JSON form: {"actions":[...], "unmanaged":[...], "diagnostics":[...], "summary":{...}} */
json_t *plan_to_json(const struct plan *p);
void plan_free(struct plan *p);

#endif
