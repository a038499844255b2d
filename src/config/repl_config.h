/*
 * repl_config: the cluster's nodes and the replication jobs, read from the
 * main config:
 *
 *   "cluster": { "nodes": { "pve1": { "address": "10.0.0.13" },
 *                           "pve2": { "address": "10.0.0.14" } } },
 *   "zfs": { "replication": [
 *     { "source": "quickOS/shared-prod-data", "target": "fastData/replica/shared-prod-data",
 *       "schedule_minutes": 15, "policy": "replica", "rate_mb": 50 },
 *     { "source": "quickOS/vm-persistent-data",
 *       "target": { "node": "pve2", "dataset": "quickOS/vm-persistent-data" } } ] }
 *
 * Contract
 * - repl_config_parse is pure (no I/O): it reports every problem at its JSON
 *   path through dl (cfg_diag) and fills cfg with the jobs that could be
 *   read (a job with an error is left out). snap is the snapshot config
 *   already parsed (for "policy"); NULL: no policy is known.
 * - Defaults: schedule_minutes 15, no policy, no rate limit, node NULL
 *   (local).
 * - A job's id is the first 8 hex digits of the 64-bit FNV-1a hash of
 *   "NODE:TARGET" (NODE empty for a local target): it names the holds
 *   (phoenix_repl_ID) and the lock (repl-ID). Changing the target makes a new
 *   job (the old one's holds become stale).
 * - Ownership: cfg owns every string; release with repl_config_free.
 */
#ifndef PH_REPL_CONFIG_H
#define PH_REPL_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "config/config.h"
#include "config/snap_config.h"
#include "util/diag.h"

#define REPL_SCHEDULE_DEFAULT 15
#define REPL_SCHEDULE_MAX 10080      /* a week */
#define REPL_RATE_MAX 100000         /* MB/s */
#define REPL_ID_LEN 8
#define REPL_HOLD_PREFIX "phoenix_repl_"

struct repl_node {
	char *name;
	char *address;
	char *jpath;          /* "cluster.nodes.pve1" */
};

struct repl_job {
	char *source;         /* full dataset name */
	char *target;         /* full dataset name on the target node */
	char *node;           /* NULL: this host */
	char *address;        /* the node's address (NULL when local) */
	unsigned schedule_minutes;
	char *policy;         /* a snapshot policy for the target, or NULL */
	unsigned rate_mb;     /* 0: no limit */
	char id[REPL_ID_LEN + 1];
	char *jpath;          /* "zfs.replication[0]" */
};

struct repl_config {
	struct repl_node *nodes;
	size_t n_nodes;
	struct repl_job *jobs;
	size_t n_jobs;
};

/*
 * Reads root.cluster and root.zfs.replication of src (root NULL: nothing).
 * Returns 0 when no error was found, else -1.
 */
int repl_config_parse(const struct config_src *src, const struct snap_config *snap, struct repl_config *cfg,
		      struct diag_list *dl);
/* Frees what j holds and clears it. */
void repl_job_free(struct repl_job *j);
void repl_config_free(struct repl_config *cfg);
const struct repl_node *repl_config_node(const struct repl_config *cfg, const char *name);
/* The id of a job to target on node (NULL: local) into out (REPL_ID_LEN + 1 bytes). */
void repl_job_id(const char *node, const char *target, char *out);

#endif
