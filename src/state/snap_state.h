/*
 * snap_state: the snapshots the snapshot jobs need, read with ONE program
 * per run (plus the usage text of `zfs get`, for what this ZFS supports,
 * unless the zfs front door read it already: plan, status):
 *
 *   zfs get -H -p -r [-t filesystem,volume,snapshot]
 *       guid,createtxg,creation,userrefs[,clones],phoenix:snapshot-policy DATASETS
 *
 * -t exists on OpenZFS (it skips bookmarks); zfs-fuse has no `get -t` and no
 * `list -p`, so the same call without -t (its datasets' rows come along and
 * give the dataset tree that recursive policies need) is the cheapest
 * correct single program there: exact numbers (-p), one call for every
 * dataset. `clones` is asked for only where ZFS knows it.
 *
 * Contract
 * - snap_state_parse is pure: it reads that output (name TAB property TAB
 *   value TAB source; names may hold spaces) into st. A dataset row makes a
 *   dataset (and its marker, the phoenix:snapshot-policy value, NULL when
 *   "-"); a snapshot row adds to its dataset; bookmarks ('#') and names ZFS
 *   never prints (a second '@', an empty part) are skipped.
 *   Returns 0, or -1 with an error in dl for a line that is not 4 fields.
 * - snap_state_read runs the programs. A dataset that does not exist is left
 *   out (ZFS names it on stderr; the call is made again without it, once);
 *   any other failure is -1 with the command and its stderr in dl.
 * - snap_state_read_cmd_caps reads `zfs` (no argument) usage text: a
 *   `snapshot` line ending in "..." takes many names in one call (OpenZFS),
 *   a `destroy` line with "[,...]" takes comma lists. One program.
 * - Ownership: st owns every string (snap_info.name included); release
 *   with snap_state_free (accepts a zeroed st).
 */
#ifndef PH_SNAP_STATE_H
#define PH_SNAP_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/snap_name.h"
#include "util/diag.h"
#include "util/strbuf.h"

#define SNAP_MARKER_PROP "phoenix:snapshot-policy"
#define REPL_FLAGS_PROP "phoenix:repl-flags"
#define REPL_LAST_PROP "phoenix:repl-last"
#define REPL_IDS_PROP "phoenix:repl-ids"

struct snap_ds {
	char *name;             /* full dataset name */
	char *marker;           /* phoenix:snapshot-policy, NULL when not set */
	/* read by repl_state_read only (state/repl_state.h): */
	char *repl_flags;       /* phoenix:repl-flags, NULL when not set */
	int64_t repl_last;      /* phoenix:repl-last (epoch seconds), 0 when not set */
	char *resume_token;     /* receive_resume_token, NULL when "-" or unknown */
	char *repl_ids;         /* phoenix:repl-ids: the jobs holding its snapshots ("a1b2c3d4,..."), NULL: none */
	bool encrypted;         /* encryption is set and not "off" */
	struct snap_info *s;    /* its snapshots in zfs order; s[i].name owned here */
	size_t n, cap;
};

struct snap_state {
	struct snap_ds *v;      /* in zfs order (parents before children) */
	size_t n, cap;
	bool get_types;         /* `zfs get -t` exists */
	bool has_clones;        /* the clones property exists */
	bool multi_snapshot;    /* `zfs snapshot A@x B@y` in one call (snap_state_read_cmd_caps) */
	bool comma_destroy;     /* `zfs destroy DS@a,b` (snap_state_read_cmd_caps) */
	bool caps_read;         /* get_types and has_clones are known (read once per process; plan and
				   status set them from the zfs door's caps: subsys/snap.c) */
	bool cmd_caps_read;     /* multi_snapshot and comma_destroy are known */
	unsigned programs;      /* programs run to read this */
};

int snap_state_parse(const char *text, struct snap_state *st, struct diag_list *dl);
/*
 * When err (a zfs get's stderr) says "cannot open 'X': dataset does not
 * exist" for an X of ds (it vanished since it was listed), removes X from ds
 * and returns true, so the read can be run again without it; else false.
 */
bool snap_state_drop_missing(struct strvec *ds, const char *err);
/* Reads datasets (full names; none: nothing is run). Returns 0 or -1 (error in dl). */
int snap_state_read(struct snap_state *st, const struct strvec *datasets, struct diag_list *dl);
/* Reads the command caps from `zfs` usage. Returns 0 or -1 (error in dl). */
int snap_state_read_cmd_caps(struct snap_state *st, struct diag_list *dl);
/*
 * What destroying names (short) of dataset would free, from `zfs destroy -n -v
 * -p DS@a,b` (OpenZFS; nothing is destroyed): "N bytes", or "unknown (why)".
 * Caller frees.
 */
char *snap_state_would_free(const char *dataset, const struct strvec *names);
/* The dataset named name, or NULL. */
const struct snap_ds *snap_state_find(const struct snap_state *st, const char *name);
void snap_state_free(struct snap_state *st);

#endif
