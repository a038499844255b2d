/*
 * snap_batch: the argv of the `zfs destroy` calls that prune one dataset, and
 * what to do when one fails. Pure: no process is started here.
 *
 * Contract
 * - snap_destroy_batches groups the names (sorted, deduplicated) as
 *   `zfs destroy DS@a,b,c` when this ZFS takes comma lists (OpenZFS; read
 *   from its usage text by the caller), at most `batch` names and at most
 *   `max_bytes` bytes in the DS@... argument (Linux caps one argument at
 *   128 KiB, MAX_ARG_STRLEN; the default SNAP_DESTROY_MAX_ARG is half that);
 *   else one `zfs destroy DS@a` per name (zfs-fuse). Never -r, -R, -d or '%'
 *   ranges. Names are refused (-EINVAL, *why static text) when empty or
 *   containing '@', ',', '%', '/' or a space, and the dataset when empty or
 *   containing '@', ',' or '%': nothing is built then.
 * - A comma destroy is atomic on OpenZFS: when one name is held, cloned or
 *   busy, nothing in the batch is destroyed. snap_destroy_retry reads the
 *   failed call's stderr and returns the names to drop (each with why) and
 *   the calls to try next:
 *     first try of a batch -> drop the names stderr blames, retry the rest as
 *                             one batch (or one by one when stderr blames none);
 *     the retry            -> drop the names blamed again, the rest one by one;
 *     a single name        -> dropped with its reason; nothing follows.
 *   A name reported missing is dropped as gone (already destroyed: not an
 *   error). The messages understood (exact wording):
 *     OpenZFS, comma path:  cannot destroy snapshot DS@S: dataset is busy
 *                           cannot destroy snapshot DS@S: it's being held. Run 'zfs holds -r DS@S' to see holders.   (2.3.2, seen in the guest tier)
 *                           cannot destroy snapshot DS@S: snapshot is cloned
 *                           cannot destroy 'DS@S': snapshot has dependent clones
 *                           could not find any snapshots to destroy; check snapshot names.
 *     zfs-fuse:             cannot destroy 'DS@S': dataset is busy            (held)
 *                           cannot destroy 'DS@S': snapshot has dependent clones
 *                           cannot open 'DS@S': dataset does not exist
 * - Ownership: every struct owns its strings; release with the *_free
 *   functions (they accept zeroed structs).
 */
#ifndef PH_SNAP_BATCH_H
#define PH_SNAP_BATCH_H
#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

#define SNAP_DESTROY_MAX_ARG 65536

enum snap_try { SNAP_TRY_BATCH, SNAP_TRY_RETRY, SNAP_TRY_SINGLE };

struct snap_batch {
	enum snap_try attempt;
	struct strvec names;   /* short names in this call */
	struct strvec argv;    /* PROG destroy DS@a,b,c */
};

struct snap_batches {
	struct snap_batch *v;
	size_t n;
};

enum snap_drop_why {
	SNAP_DROP_HELD,     /* it's being held (OpenZFS 2.3.2 says so) */
	SNAP_DROP_BUSY,     /* dataset is busy: a hold (older OpenZFS, zfs-fuse) or in use */
	SNAP_DROP_CLONED,   /* has dependent clones */
	SNAP_DROP_GONE,     /* does not exist any more: nothing to do */
	SNAP_DROP_FAILED,   /* any other failure of a single destroy */
};

struct snap_drop {
	char *name;
	enum snap_drop_why why;
	char *detail;        /* the stderr line (or the first one for FAILED); may be "" */
};

struct snap_retry {
	struct snap_drop *drops;
	size_t n_drops;
	struct snap_batches next;
};

/*
 * The destroy calls for names[0..n) of dataset, run as prog (the zfs
 * program). batch 0 means SNAP_DESTROY_BATCH_DEFAULT, max_bytes 0 means
 * SNAP_DESTROY_MAX_ARG. Returns 0, or -EINVAL with *why (out left empty).
 */
int snap_destroy_batches(const char *prog, const char *dataset, const char *const *names, size_t n,
			 bool comma, size_t batch, size_t max_bytes, struct snap_batches *out,
			 const char **why);
void snap_batches_free(struct snap_batches *b);

/* What to do after `failed` (a call of dataset, run as prog) failed with stderr err_text. */
void snap_destroy_retry(const char *prog, const char *dataset, const struct snap_batch *failed,
			const char *err_text, struct snap_retry *out);
void snap_retry_free(struct snap_retry *r);

/* "held", "busy", "has clones", "gone", "failed". */
const char *snap_drop_why_name(enum snap_drop_why why);

#endif
