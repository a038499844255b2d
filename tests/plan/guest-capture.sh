#!/usr/bin/env bash
# Records the planner cases that need real OpenZFS: the reference configs on
# kernel OpenZFS 2.3, in the guest of tests/guest/run. Run it there as a suite:
#   PHOENIX_GUEST_KEEP=1 PHOENIX_GUEST_SUITES=tests/plan/guest-capture.sh \
#       flock /tmp/phoenix-guest.lock tests/guest/run 2.3
# then copy the cases from the kept share (the run prints where):
#   cp -a /tmp/phoenix-guest-2.3.XXXXXX/share/tree/tests/plan/reference-*openzfs* tests/plan/
# What the guest does not have is stood in for, in its throw-away root file
# system only, and said in each case's README line:
#   - the reference's disks (/dev/disk/by-id/nvme-Samsung_...) are links to the
#     guest's virtio disks 1, 2 and 3, so the pools carry the reference's names;
#   - /usr/sbin/exportfs prints an empty export table (the image has no
#     nfs-kernel-server): the host's table before any export.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../guest/guest-lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
G=$here/../golden/pve
REC=$here/record
LINE=${GUEST_LINE:-2.3}
NVME=()

cleanup() {
	drop_pools quickOS fastData
	local l
	for l in "${NVME[@]+"${NVME[@]}"}"; do rm -f "$l"; done
	[ -f /usr/sbin/exportfs.stand-in ] && rm -f /usr/sbin/exportfs /usr/sbin/exportfs.stand-in
	cleanup_all
}
trap cleanup EXIT

# ref_work NAME: W laid out like a case with the reference Proxmox tree (container 101 running).
ref_work() {
	W=$WORK/$1
	mkdir -p "$W/root/sys/fs/cgroup/lxc/101"
	cp -r "$G/ref/etc" "$W/root/"
	cp "$REF/phoenix_hypervisor_config.json" "$W/config.json"
	cp "$REF/phoenix_lxc_configs.json" "$W/lxc.json"
	cp "$REF/phoenix_vm_configs.json" "$W/vm.json"
}

# about CASE TEXT: the case's README line.
about() { mkdir -p "$here/$1"; printf '%s\n' "$2" >"$here/$1/README"; }

# record_case CASE ARGS...: records, and reports the case as a test.
record_case() {
	local c=$1
	shift
	if "$REC" "$here/$c" "$@" --all-pools --force >"$WORK/rec.log" 2>&1; then
		echo "PASS record_$c"
	else
		sed 's/^/  /' "$WORK/rec.log"
		echo "FAIL record_$c"
	fi
}

# the stand-in exportfs: an empty kernel export table
if [ ! -e /usr/sbin/exportfs ]; then
	printf '#!/bin/sh\nexit 0\n' >/usr/sbin/exportfs
	chmod +x /usr/sbin/exportfs
	: >/usr/sbin/exportfs.stand-in
fi

# 1. no pool yet: the reference's disks do not exist here either
c=reference-configs-on-a-fresh-openzfs-$LINE-host
about "$c" "The reference configs on kernel OpenZFS $LINE (recorded in the guest tier by tests/plan/guest-capture.sh), no pool, the reference's disks absent: no capability error (lz4, zstd, sync, 1M exist), the disks missing, the mount guard errors of the reference LXC paths. exportfs is a stand-in printing an empty table (the guest has no nfs-kernel-server)."
ref_work fresh
record_case "$c" -c "$W/config.json" --lxc-config "$W/lxc.json" --vm-config "$W/vm.json" --root "$W/root"

# 2. the reference's pools on its disk names, and apply of what converges
blank_disks 1 2 3
declare -A target=(
	[nvme-Samsung_SSD_990_EVO_Plus_2TB_S7U6NJ0Y320880M]=1
	[nvme-Samsung_SSD_990_EVO_Plus_2TB_S7U6NJ0Y310536X]=2
	[nvme-Samsung_SSD_990_EVO_Plus_4TB_S7U8NJ0Y402334Y]=3)
for n in "${!target[@]}"; do
	ln -sf "$(readlink -f "$(disk "${target[$n]}")")" "/dev/disk/by-id/$n"
	NVME+=("/dev/disk/by-id/$n")
done
ref_work converged
# what apply can converge of the main config: everything but Samba (no smb.conf in the
# reference tree) and the shared volumes (mount-guard errors of the reference paths)
jq 'del(.samba, .shared_volumes)' "$W/config.json" >"$WORK/converge.json"
if PHOENIX_LOCK=$WORK/apply.lock "$PH" apply -c "$WORK/converge.json" --root "$W/root" --yes >"$WORK/apply.log" 2>&1; then
	echo "PASS apply_converged_reference"
else
	sed 's/^/  /' "$WORK/apply.log"
	echo "FAIL apply_converged_reference"
fi
c=reference-configs-on-a-converged-openzfs-$LINE-host
about "$c" "The reference configs on kernel OpenZFS $LINE (recorded in the guest tier by tests/plan/guest-capture.sh) after apply of all the main config can converge (pools on the reference's disk names, links to the guest's virtio disks; datasets; ARC; the NFS drop-in; the Proxmox storages): nothing to change there; left are the errors the reference carries (no smb.conf, the mount guard on its LXC and VM paths). exportfs is a stand-in printing an empty table."
record_case "$c" -c "$W/config.json" --lxc-config "$W/lxc.json" --vm-config "$W/vm.json" --root "$W/root"

# 3. the zfs section alone: drift set by hand, repaired by apply
c=reference-zfs-drift-on-openzfs-$LINE-is-repaired
about "$c" "The reference's zfs section on kernel OpenZFS $LINE (recorded in the guest tier by tests/plan/guest-capture.sh), converged, then compression, sync, recordsize and quota changed by hand: changed back, an unnamed property left alone. post/: after apply. The pools sit on links named like the reference's disks."
jq '{ zfs: .zfs }' "$REF/phoenix_hypervisor_config.json" >"$WORK/zfs.json"
zfs set compression=off quickOS/vm-disks
zfs set sync=disabled quickOS/shared-prod-data-sync
zfs set recordsize=128K fastData/shared-backups
zfs set quota=50G fastData/shared-iso
zfs set checksum=sha256 fastData/shared-iso
mkdir -p "$WORK/zfs-root"
record_case "$c" -c "$WORK/zfs.json" --root "$WORK/zfs-root"
PHOENIX_LOCK=$WORK/apply.lock "$PH" apply -c "$WORK/zfs.json" --root "$WORK/zfs-root" --yes >"$WORK/apply.log" 2>&1 ||
	sed 's/^/  /' "$WORK/apply.log"
record_case "$c/post" -c "$WORK/zfs.json" --root "$WORK/zfs-root"

echo SUITE-DONE
