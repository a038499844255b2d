# Helpers for the guest suites (sourced after tests/integration/lib.sh). They run
# only inside the qemu guest of tests/guest/run, on kernel OpenZFS with real
# virtio disks named /dev/disk/by-id/virtio-phx-disk-N (GUEST_DISK_PREFIX).
if [ ! -e /dev/zfs ] || [ -z "${GUEST_DISK_PREFIX:-}" ]; then
	echo "this suite runs only in the guest tier (tests/guest/run): no /dev/zfs or GUEST_DISK_PREFIX" >&2
	echo "FAIL guest_environment"
	echo SUITE-DONE
	exit 1
fi
REF=${GUEST_REFERENCE_DIR:?}

# disk N: the by-id path of guest test disk N.
disk() { echo "$GUEST_DISK_PREFIX$1"; }

# blank_disks N...: removes ZFS labels, signatures and partition tables from the
# guest disks, as a new disk would be.
blank_disks() {
	local n d
	for n; do
		d=$(disk "$n")
		[ -e "$d" ] || fail "guest disk '$d' is missing" || return 1
		zpool labelclear -f "$d-part1" >/dev/null 2>&1 || true
		zpool labelclear -f "$d" >/dev/null 2>&1 || true
		wipefs -a -q "$d-part1" >/dev/null 2>&1 || true
		wipefs -a -q "$d" || return 1
		blockdev --rereadpt "$d" >/dev/null 2>&1 || partx -d "$d" 2>/dev/null || true
	done
	udevadm settle --timeout=30
}

# drop_pools NAME...: destroys the named pools if they exist (cleanup of a test).
drop_pools() {
	local p
	for p; do zpool destroy -f "$p" >/dev/null 2>&1 || true; done
}

# logging_zfs: route the tool's zfs/zpool calls through wrappers that log them
# to $WORK/calls.
logging_zfs() {
	local c
	for c in zfs zpool; do
		printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\nexec %s "$@"\n' "$c" "$WORK" "$c" >"$WORK/$c-log"
		chmod +x "$WORK/$c-log"
	done
	: >"$WORK/calls"
	export PHOENIX_ZFS="$WORK/zfs-log" PHOENIX_ZPOOL="$WORK/zpool-log"
}

# bytes SIZE: a ZFS size (128K, 1.4T) in bytes, truncated as zfs(8) does.
bytes() {
	awk -v s="$1" 'BEGIN {
		n = s + 0; u = toupper(substr(s, length(s)))
		m = 1; if (u == "K") m = 2^10; else if (u == "M") m = 2^20; else if (u == "G") m = 2^30;
		else if (u == "T") m = 2^40; else if (u == "P") m = 2^50
		printf "%.0f\n", int(n * m) }'
}
