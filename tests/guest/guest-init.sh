#!/bin/bash
# Runs inside the qemu guest, started by the image's /sbin/phoenix-guest-init
# (PID 1) once the 9p share is mounted at /host. Reads /host/job.env (PHASE,
# LINE, SUITES, ONLY, SUITE_TIMEOUT; ONLY: the suites named to tests/guest/run, run
# alone), starts udev (for /dev/disk/by-id), loads the ZFS
# module, runs the suites of the phase and writes each suite's output to
# /host/results/PHASE-NAME.log. The guest powers off when this script returns.
#   PHASE=main      the integration suites named in SUITES (file vdevs), then the
#                   guest suites on real block devices, then prepares the mirror
#                   that the next boot finds degraded
#   PHASE=degraded  second boot with one disk of that mirror missing
set -u
share=/host
res=$share/results
# shellcheck source=/dev/null
source "$share/job.env"
exec >>"$res/guest-$PHASE.log" 2>&1
echo "guest: phase $PHASE, OpenZFS line $LINE, kernel $(uname -r)"
hostname phx-guest

# A fixed host id, so a pool left imported by the first boot is not "in use by
# another system" in the second (the root disk is a throw-away snapshot).
zgenhostid -f 0x50484f58 || echo "guest: zgenhostid failed"

/lib/systemd/systemd-udevd --daemon || echo "guest: udevd did not start"
udevadm trigger --type=subsystems --action=add
udevadm trigger --type=devices --action=add
udevadm settle --timeout=120

if ! modprobe zfs; then
	echo "guest: modprobe zfs failed"
	echo "FAIL guest_zfs_module_loads" >"$res/$PHASE-module.log"
	echo SUITE-DONE >>"$res/$PHASE-module.log"
	touch "$res/done-$PHASE"
	exit 0
fi
udevadm settle --timeout=60
# Loop devices, for the suite that checks a file behind one is never wiped.
modprobe loop 2>/dev/null || echo "guest: no loop module"
zfs version >"$res/zfs-version.txt" 2>&1 || zfs upgrade -v | head -1 >"$res/zfs-version.txt"
ls -l /dev/disk/by-id/ | grep virtio || echo "guest: no virtio disks in /dev/disk/by-id"

export PHOENIX_BIN=$share/tree/build-san/phoenix-storage
export GUEST_DISK_PREFIX=/dev/disk/by-id/virtio-phx-disk-
export GUEST_REFERENCE_DIR=$share/reference
export PHOENIX_REFERENCE_DIR=$share/reference   # lib.sh suites read the same copy
export GUEST_LINE=$LINE
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$share/tree" || exit 0

# run_suite NAME FILE [TEST_FILTER]
run_suite() {
	local name=$1 file=$2 filter=${3:-} t0=$SECONDS
	echo "guest: suite $name ($file${filter:+, filter $filter})"
	TEST_FILTER=$filter timeout "${SUITE_TIMEOUT:-2400}" bash "$file" >"$res/$PHASE-$name.log" 2>&1
	echo "guest: suite $name exit $? after $((SECONDS - t0)) s"
}

case "$PHASE" in
main)
	if [ -n "${ONLY:-}" ]; then   # tests/guest/run LINE SUITE...: those suites alone
		for s in $ONLY; do
			case "$s" in
			*/test_degraded_boot.sh) run_suite test_degraded_boot1 "$s" test_boot1_ ;;
			*) run_suite "$(basename "$s" .sh)" "$s" ;;
			esac
		done
	else
		for s in $SUITES; do
			run_suite "$(basename "$s" .sh)" "$s"
		done
		run_suite test_reference_e2e tests/guest/test_reference_e2e.sh
		run_suite test_disk_identity tests/guest/test_disk_identity.sh
		run_suite test_topology_vdevs tests/guest/test_topology_vdevs.sh
		run_suite test_snapshots_openzfs tests/guest/test_snapshots_openzfs.sh
		run_suite test_degraded_boot1 tests/guest/test_degraded_boot.sh test_boot1_
	fi
	;;
degraded)
	run_suite test_degraded_boot2 tests/guest/test_degraded_boot.sh test_boot2_
	;;
esac
zpool sync 2>/dev/null
touch "$res/done-$PHASE"
echo "guest: phase $PHASE done"
sync
# Power off here, so PID 1 does not exit (which would panic the kernel).
echo o >/proc/sysrq-trigger
sleep 60
