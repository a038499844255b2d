/*
 * disk: what is on a disk before the tool puts a pool on it. Signatures are
 * probed with libblkid (no program is run); mounts come from /proc/self/mountinfo.
 */
#ifndef PH_DISK_H
#define PH_DISK_H
#include <stdbool.h>

struct disk_probe {
	bool exists;
	bool is_block;      /* a block device (else a regular file vdev) */
	char *signature;    /* "ext4 filesystem", "gpt partition table", "zfs_member", or NULL */
	char *mounted_at;   /* a mountpoint of the disk or one of its partitions, or NULL */
	char *error;        /* why probing failed, or NULL */
};

/* Probes path. Always fills p (free with disk_probe_free). Returns 0, or -1 if probing failed. */
int disk_probe(const char *path, struct disk_probe *p);
void disk_probe_free(struct disk_probe *p);

/* True when a vdev name printed by zpool status denotes the configured disk path. */
bool vdev_matches_disk(const char *vdev, const char *disk);

#endif
