#!/usr/bin/env bash
# Makes sure a ZFS answers: kernel ZFS as it is, else starts the zfs-fuse daemon
# (it daemonizes itself) and waits until `zpool list` works.
set -u
if zpool list >/dev/null 2>&1; then exit 0; fi
if [ -e /dev/zfs ]; then echo "kernel ZFS present but zpool list fails" >&2; exit 1; fi
command -v zfs-fuse >/dev/null || { echo "no ZFS: run scripts/install-deps.sh" >&2; exit 1; }
pgrep -x zfs-fuse >/dev/null || zfs-fuse
for _ in $(seq 1 100); do
	zpool list >/dev/null 2>&1 && exit 0
	sleep 0.1
done
echo "zfs-fuse did not start" >&2
exit 1
