/*
 * lock: named host-wide locks, so that two runs never change the same
 * objects at once, whatever --root they were given.
 *
 * A lock is an flock(2) on /run/phoenix-storage/NAME.lock (never under
 * --root: ZFS is one per host). The holder writes who it is into the file
 * (pid=, started=, command=) so that a refused run can name it; the file is
 * never deleted (deleting an flock'ed file lets a third process lock a new
 * inode while the second still holds the old one). The kernel drops the lock
 * when the holder exits, however it exits, so a crash never leaves it held.
 *
 * PHOENIX_LOCK=FILE moves the apply lock to FILE (and lock NAME to FILE with
 * ".lock" replaced by "-NAME.lock"): only for test suites that run in
 * parallel on one host; production and CI leave it unset.
 */
#ifndef PH_LOCK_H
#define PH_LOCK_H
#include "util/diag.h"

/* Every apply (and anything else that changes ZFS) holds this one. */
#define LOCK_APPLY "apply"
#define LOCK_DIR "/run/phoenix-storage"

/* The file of lock name ([a-z0-9-]+). Caller frees. */
char *lock_path(const char *name);

/*
 * Takes lock name, waiting up to wait_s seconds (0: do not wait) while
 * another process holds it. Returns an fd (>= 0) for lock_release, or
 * -EWOULDBLOCK when it is still held (an error naming the holder is in dl),
 * or another -errno when the file cannot be opened or locked (error in dl).
 */
int lock_acquire(const char *name, int wait_s, struct diag_list *dl);

/*
 * Who holds lock name, as read from its file: "pid 1234, started
 * 2026-11-26 22:30:01 +0000, command: phoenix-storage apply --yes", with
 * "(no longer running)" when /proc shows no such process running that
 * command. NULL when the file says nothing. Caller frees.
 */
char *lock_holder(const char *name);

void lock_release(int fd);

#endif
