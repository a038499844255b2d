/*
 * disk: what a disk IS and what is on it, before the tool puts a pool on it.
 *
 * A disk is known by many names (a symlink, a hard link, /dev/sdb and its
 * /dev/disk/by-id/ names, a partition and its disk); every check compares
 * identities, never names: the device number for a block device (with the disk
 * a partition is on), st_dev+st_ino for a file vdev. Identities come from
 * syscalls and /sys reads only, no program is run.
 *
 * What holds a disk (mounts, swap, device-mapper/md holders, loop devices) is
 * read once into struct disk_host; the matching is pure (unit-tested on data).
 * Signatures are probed with libblkid.
 */
#ifndef PH_DISK_H
#define PH_DISK_H
#include <stdbool.h>
#include <sys/types.h>

#include "util/strbuf.h"

enum disk_id_kind {
	DISK_ID_NONE,    /* not resolved: missing, unreadable, or never looked up */
	DISK_ID_BLOCK,   /* a block device */
	DISK_ID_FILE,    /* a regular file (file vdev) */
};

/* One device or file. */
struct disk_ref {
	enum disk_id_kind kind;
	dev_t dev;           /* BLOCK: its device number (st_rdev); FILE: st_dev of its file system */
	ino_t ino;           /* FILE: its inode */
	dev_t whole;         /* BLOCK: the disk a partition is on; dev itself for a whole disk */
};

struct disk_id {
	struct disk_ref self;
	struct disk_ref backing;   /* a loop device: the file or device behind it; else kind DISK_ID_NONE */
};

/*
 * Resolves path to the device it is: stat (which follows every symlink and
 * "..", as realpath does), then for a block device
 * the disk it is on (sysfs: <sys>/dev/block/MAJ:MIN/partition exists, the
 * parent is ../dev) and, for a loop device, its backing file. sys is the sysfs
 * root ("/sys"; a tree of files in tests). Returns 0; -1 with errno set
 * (ENOENT for a missing path, EINVAL for a path that is neither a block device
 * nor a regular file) and id->kind DISK_ID_NONE.
 */
int disk_id_resolve(const char *path, const char *sys, struct disk_id *id);
/* What kind of medium a disk is, from sysfs (for TRIM policy). */
enum disk_media {
	DISK_MEDIA_UNKNOWN,     /* not a resolved block device, or sysfs does not say */
	DISK_MEDIA_ROTATIONAL,  /* queue/rotational is 1 */
	DISK_MEDIA_NVME,        /* solid state behind an NVMe controller */
	DISK_MEDIA_SSD,         /* solid state, not NVMe (SATA, SAS, USB...) */
};
/*
 * The medium of the whole disk of id: <sys>/dev/block/MAJ:MIN/queue/rotational,
 * and NVMe when that sysfs entry lies under an nvme controller (its link
 * target has a "/nvme/" component). Never fails: DISK_MEDIA_UNKNOWN.
 */
enum disk_media disk_media_of(const struct disk_id *id, const char *sys);

/* True when id was resolved. */
static inline bool disk_id_known(const struct disk_id *id) { return id->self.kind != DISK_ID_NONE; }

/*
 * True when a and b hold the same bytes: the same block device, one a
 * partition of the other, the same file (hard links included), or a loop
 * device and the file or device behind it. Two partitions of one disk do not
 * overlap. False when either is unresolved.
 */
bool disk_id_overlaps(const struct disk_id *a, const struct disk_id *b);

/*
 * Whether a (named aname) and b (named bname) are one disk: by identity when
 * both are resolved, else by name (vdev_matches_disk, both ways), so an
 * unresolvable name still blocks its exact spelling.
 */
bool disk_matches(const struct disk_id *a, const char *aname, const struct disk_id *b, const char *bname);

/* True when a vdev name printed by zpool status denotes the configured disk path (name rules only). */
bool vdev_matches_disk(const char *vdev, const char *disk);

/*
 * The path of a vdev as zpool prints it: an absolute name is returned as is;
 * a short name ("sdb", "nvme-X", "virtio-phx-disk-4-part1") is looked up in
 * dirs (the -d directories of zpool import; may be NULL), then in /dev,
 * /dev/disk/by-id, by-path, by-vdev, by-uuid, by-partuuid, by-label and
 * /dev/mapper: the first that exists (stat only). Returns NULL when none
 * does. Caller frees.
 */
char *disk_vdev_path(const char *name, const struct strvec *dirs);

/* ---- what holds a disk ---- */

enum disk_use {
	DISK_USE_MOUNT,   /* a mounted file system (what: mountpoint, detail: the mounted device) */
	DISK_USE_SWAP,    /* active swap (what: the swap device or file) */
	DISK_USE_HOLDER,  /* a kernel holder (what: "dm-0", "md0"; detail: "LVM vg-lv", "dm-crypt", "md RAID") */
	DISK_USE_LOOP,    /* the file or device behind a loop device (what: "/dev/loop0"; detail: its mountpoint) */
};

struct disk_user {
	enum disk_use use;
	struct disk_id id;   /* what is held */
	char *what;
	char *detail;        /* may be NULL */
};

/* The host facts: everything that holds a device now. Owns its strings. */
struct disk_host {
	struct disk_user *v;
	size_t n;
};

/*
 * Reads <proc>/self/mountinfo, <proc>/swaps, <sys>/block/ * /holders (and the
 * holders of each partition) and <sys>/block/loop * /loop/backing_file. A source
 * that cannot be read is skipped (a container without /sys has no holders).
 * Always returns 0; free with disk_host_free.
 */
int disk_host_read(struct disk_host *h, const char *proc, const char *sys);
/* Adds one user; strings are copied, detail may be NULL. */
void disk_host_add(struct disk_host *h, enum disk_use use, const struct disk_id *id, const char *what,
		   const char *detail);
void disk_host_free(struct disk_host *h);

/* The first user whose device overlaps id (disk_id_overlaps), or NULL. Pure. */
const struct disk_user *disk_host_user(const struct disk_host *h, const struct disk_id *id);

/*
 * Why a disk in use cannot be taken, as the end of a sentence "disk 'D' ...":
 * "is mounted at '/m' (as '/dev/vdb1')", "is in use as swap ('/swapfile')",
 * "is held by dm-0 (LVM vg-lv)", "is the backing file of loop device
 * '/dev/loop0'". disk is the configured name (the device's own name is added
 * when it differs). *hint gets how to free the disk, ending with "a disk in
 * use is never wiped, not even with --allow-wipe". Caller frees both.
 */
char *disk_user_describe(const struct disk_user *u, const char *disk, char **hint);

/* ---- signatures ---- */

struct disk_probe {
	bool exists;
	bool is_block;      /* a block device (else a regular file vdev) */
	char *signature;    /* "ext4 filesystem", "gpt partition table", "zfs_member", or NULL */
	char *error;        /* why probing failed, or NULL */
};

/* Probes path with libblkid. Always fills p (free with disk_probe_free). Returns 0, or -1 if probing failed. */
int disk_probe(const char *path, struct disk_probe *p);
void disk_probe_free(struct disk_probe *p);

#endif
