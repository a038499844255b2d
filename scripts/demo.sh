#!/usr/bin/env bash
# The main job on a demo pool: starts ZFS (zfs-fuse where there is no kernel
# ZFS), builds, makes file-backed disks, applies examples/demo.json under a
# demo --root, applies again (nothing to do), and shows status.
# PHOENIX_BIN=/usr/sbin/phoenix-storage runs the installed binary (the .deb)
# instead of building build/phoenix-storage.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/start-zfs.sh
[ -n "${PHOENIX_BIN:-}" ] || make -s
D=/var/tmp/phoenix-demo
mkdir -p "$D"
for d in a b c; do [ -e "$D/disk-$d" ] || truncate -s 256M "$D/disk-$d"; done
P=${PHOENIX_BIN:-build/phoenix-storage}
C=examples/demo.json
$P validate -c $C
rc=0; $P plan -c $C --root "$D/root" || rc=$?
[ $rc -eq 0 ] || [ $rc -eq 2 ] || exit $rc
$P apply -c $C --root "$D/root" --yes
$P apply -c $C --root "$D/root" --yes
$P status -c $C --root "$D/root"
echo "demo done: remove it with: zpool destroy demoQuick; zpool destroy demoFast; rm -rf $D"
