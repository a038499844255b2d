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

/*
 * The Proxmox cluster file system's lock around a write to a file of
 * /etc/pve, taken as PVE::Cluster's cfs_lock_file takes it, so that another
 * node (or pvesm, pvesr, the API) never writes the file at the same time.
 *
 * file is the file's path below /etc/pve ("storage.cfg", "replication.cfg";
 * "/etc/pve/" in front is dropped); its lock id is "file-" with the name's '.'
 * and '/' as '_' ("file-storage_cfg"). When ROOT/etc/pve/priv exists (pmxcfs
 * is mounted, or a test tree has one), the lock is the directory
 * ROOT/etc/pve/priv/lock/ID, made by mkdir (priv/lock is made first when it
 * is missing). While another holds it (EEXIST) the directory's times are set
 * to 0 (pmxcfs's request to drop a lock that has expired, 120 s after it was
 * taken), then the next try follows a second later, for up to
 * CFS_LOCK_TIMEOUT_S seconds. Without ROOT/etc/pve/priv there is no cluster
 * and no lock (fn runs alone).
 *
 * Runs fn(arg) while the lock is held and returns what fn returns; the lock
 * directory is removed (rmdir) after fn, whatever fn returned. Returns -1
 * without running fn when the lock could not be taken: the error in dl names
 * the lock directory and who may hold it, and nothing was written.
 */
#define CFS_LOCK_TIMEOUT_S 10
int cfs_lock_file(const char *root, const char *file, int (*fn)(void *arg), void *arg, struct diag_list *dl);

/* The lock id of file below /etc/pve: "file-storage_cfg" for "storage.cfg". Caller frees. */
char *cfs_lock_id(const char *file);

#endif
