#!/usr/bin/env bash
# Captures the zfs-fuse outputs the discovery parsers read into
# tests/unit/data/zpool/zfs-fuse/: real `zpool status POOL...` and
# `zpool import -d DIR` texts of pools made here, and the `zfs get` usage text.
# Nothing is edited afterwards. Run as root from the top of the tree, on the
# host tier's zfs-fuse (shared daemon: pools only through the test helpers of
# tests/integration/lib.sh, named t<PID><case>, on sparse file vdevs in
# /tmp/phoenix-it.XXXXXX/, destroyed at the end).
#   tests/unit/capture-zpool-zfs-fuse.sh [OUT_DIR]
# Then `build-san/tests/test_zfs_state --write-missing` writes the model of
# each new capture (FILE.discovered); read it against the capture before
# committing it. Existing captures are overwritten, so the models of a
# re-capture show what changed (pool names and paths differ per run: re-write
# those models).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../integration/lib.sh"
out=${1:-$here/data/zpool/zfs-fuse}
mkdir -p "$out"
zfs_fuse_ensure >/dev/null
[ "$(zfs_flavour)" = zfs-fuse ] || { echo "this ZFS is $(zfs_flavour), not zfs-fuse" >&2; exit 1; }
dpkg-query -W -f '${Package} ${Version}\n' zfs-fuse >"$out/VERSION"

# `zfs get` without arguments prints its usage (exit 2): the capabilities.
zfs get >/dev/null 2>"$out/zfs-get-usage.txt" || true

# A mirror and a single-disk pool in one status text; then the single one exported.
m=$(pool_name mirror) s=$(pool_name single)
mkpool "$m" mirror "$(vdev m1 64M)" "$(vdev m2 64M)"
mkdir -p "$WORK/s"; truncate -s 64M "$WORK/s/vdev-s1"
mkpool "$s" "$WORK/s/vdev-s1"
zpool status "$m" "$s" >"$out/pools-mirror-and-single.status"
zpool export "$s"
zpool import -d "$WORK/s" >"$out/exported-single.import"

# A mirror with a log and a spare, exported, one leg deleted: the import listing,
# then imported degraded (the spare takes the missing leg's place).
d=$(pool_name spare)
mkdir -p "$WORK/d"; for f in d1 d2 dlog dspare; do truncate -s 64M "$WORK/d/vdev-$f"; done
mkpool "$d" mirror "$WORK/d/vdev-d1" "$WORK/d/vdev-d2" log "$WORK/d/vdev-dlog" spare "$WORK/d/vdev-dspare"
zpool export "$d"; rm "$WORK/d/vdev-d2"
zpool import -d "$WORK/d" >"$out/mirror-log-spare-missing-leg.import"
zpool import -d "$WORK/d" "$d"
sleep 2   # the spare's resilver
zpool status "$d" >"$out/mirror-log-spare-missing-leg.status"

# The same without a spare: the missing leg is UNAVAIL, "was PATH".
l=$(pool_name log)
mkdir -p "$WORK/l"; for f in l1 l2 llog; do truncate -s 64M "$WORK/l/vdev-$f"; done
mkpool "$l" mirror "$WORK/l/vdev-l1" "$WORK/l/vdev-l2" log "$WORK/l/vdev-llog"
zpool export "$l"; rm "$WORK/l/vdev-l2"
zpool import -d "$WORK/l" "$l"
zpool status "$l" >"$out/mirror-log-missing-leg.status"
ls -l "$out"
