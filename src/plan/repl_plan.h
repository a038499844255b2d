/*
 * repl_plan: one replication job's plan, pure (no I/O, no clock): where the
 * target stands, and the programs that bring it up to the source.
 *
 * Rules (README "Replication")
 * - Only our snapshots count (formats/snap_name.h), ordered by the source's
 *   createtxg. The base is the newest of ours on the source whose guid the
 *   target has (a name alone never matches).
 * - No target: a full send of our oldest, then the incrementals to our newest.
 * - Incrementals: one `send -I @base SRC@newest` when every source snapshot
 *   between them is ours, else a chain of `send -i @a SRC@b` over ours, so a
 *   foreign snapshot never travels.
 * - Diverged: the target has snapshots newer than the base. Nothing is sent
 *   unless allow_destroy; then `zfs rollback -r TGT@base` comes first, shown
 *   as "! destructive: roll back ...". A target with snapshots but none in
 *   common, or one without any snapshot, is refused (never rolled back).
 * - Send flags: an encrypted source is always sent raw (-w). At the first
 *   send -L, -c and -e are chosen from what the source's ZFS has and recorded
 *   on the target (phoenix:repl-flags, "none" for none); later sends use the
 *   recorded flags, never others. An encrypted source with a plain replica
 *   is refused.
 * - Receive: -u, -s, -o readonly=on -o canmount=noauto -x mountpoint -x
 *   phoenix:managed where the target's ZFS has them; else (zfs-fuse) the
 *   same settings with `zfs set` and a `zfs unmount` after the first
 *   receive. A resume token on the target (OpenZFS) makes the one step
 *   `send -t TOKEN`.
 * - After success: hold phoenix_repl_ID on the new base on both sides, then
 *   release it from every other held snapshot of ours (a release that finds
 *   no such tag is fine: zfs-fuse cannot list holds), then phoenix:repl-last
 *   on the target.
 * - Due: never run, or phoenix:repl-last at least schedule_minutes before now.
 *
 * Ownership: the plan owns everything; free with repl_job_plan_free. job,
 * src and tgt must outlive it.
 */
#ifndef PH_REPL_PLAN_H
#define PH_REPL_PLAN_H
#include <stdbool.h>
#include <stdint.h>

#include "config/repl_config.h"
#include "state/repl_state.h"
#include "util/strbuf.h"

struct repl_plan_in {
	const struct repl_job *job;
	const struct snap_ds *src;           /* NULL: the source does not exist */
	const struct snap_ds *tgt;           /* NULL: the target does not exist */
	const struct repl_caps *src_caps, *tgt_caps;
	const struct strvec *transport;      /* the target's side (NULL or empty: this host) */
	const char *prog;                    /* the local zfs program */
	int64_t now;
	bool allow_destroy;
};

enum repl_status {
	REPL_NEVER,       /* no target yet */
	REPL_IN_SYNC,
	REPL_BEHIND,
	REPL_DIVERGED,
	REPL_NO_SOURCE,   /* the source does not exist */
	REPL_NO_SNAPSHOT, /* the source has none of our snapshots */
	REPL_REFUSED,     /* cannot be replicated as it stands (why) */
};

/* What a command's failure may mean without being one. */
enum repl_tolerate { REPL_T_NONE, REPL_T_HOLD_EXISTS, REPL_T_NO_TAG, REPL_T_NOT_MOUNTED };

struct repl_cmd {
	struct strvec argv;
	enum repl_tolerate tolerate;
};

struct repl_step {
	struct strvec send, recv;       /* the two programs of one pipeline */
	struct strvec estimate;         /* `zfs send -n -v -P ...` of the same stream; empty where the
	                                 * source's ZFS has no dry run (zfs-fuse) */
	char *from;                     /* NULL: full (or resumed) */
	char *to;                       /* short name; NULL when resumed */
	size_t n_snaps;                 /* snapshots this step brings */
};

struct repl_job_plan {
	const struct repl_job *job;
	char *target_display;           /* "fastData/replica/x" or "pve2:quickOS/x" */
	enum repl_status status;
	bool due;
	size_t behind;                  /* our snapshots newer than the base (all of ours: never run) */
	char *base;                     /* short name of the newest in common, or NULL */
	uint64_t base_guid;
	char *newest;                   /* our newest on the source, or NULL */
	char *why;                      /* REPL_REFUSED, REPL_DIVERGED: why, in words */
	char *hint;
	size_t rollback_destroys;       /* diverged: target snapshots the rollback destroys */
	struct repl_cmd rollback;       /* diverged with allow_destroy: `zfs rollback -r TGT@base` */
	bool held_back;                 /* diverged without allow_destroy */
	bool resume;                    /* the one step resumes a partial receive */
	struct repl_cmd abort;          /* `zfs receive -A TGT` (run when the resume's base is gone) */
	char *flags;                    /* the send flags used ("Lce", "w", "none") */
	struct repl_step *steps;
	size_t n_steps;
	struct repl_cmd *after;         /* after every step succeeded, in order */
	size_t n_after;
};

void repl_plan_build(const struct repl_plan_in *in, struct repl_job_plan *out);

/*
 * A stale hold: dataset ds (read with its snapshots) names in phoenix:repl-ids
 * the job id, which no configured job has. Its release: `zfs release
 * phoenix_repl_ID DS@S` on each of our snapshots with holds ("no such tag"
 * is fine), then phoenix:repl-ids without the id (`zfs inherit` when none is
 * left). Pure; free with repl_stale_free.
 */
struct repl_stale {
	char *node;              /* NULL: this host */
	char *dataset;
	char id[REPL_ID_LEN + 1];
	size_t n_held;           /* our snapshots with holds */
	struct repl_cmd *cmds;
	size_t n_cmds;
};
void repl_stale_build(const char *node, const struct snap_ds *ds, const char *id, const struct strvec *transport,
		      const char *prog, struct repl_stale *out);
void repl_stale_free(struct repl_stale *s);
void repl_job_plan_free(struct repl_job_plan *p);
/* "in sync", "3 snapshots behind", "never run", "diverged", ... */
const char *repl_status_name(enum repl_status s);
/* The one line `plan` and `run --dry-run` show for p (caller frees). */
char *repl_plan_line(const struct repl_job_plan *p);
/* Is id one of the comma-separated ids (a phoenix:repl-ids value; NULL: none)? */
bool repl_ids_has(const char *ids, const char *id);
/* The hold tag of job id ("phoenix_repl_ID") into out (at least 32 bytes). */
void repl_hold_tag(const char *id, char *out, size_t len);

#endif
