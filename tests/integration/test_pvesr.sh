#!/usr/bin/env bash
# Integration: guest disks through Proxmox's own replication (pvesr). A
# container or VM of the guest configs with "replication" gets a job in
# /etc/pve/replication.cfg under a --root tree: the bytes pvesr itself writes,
# idempotent, corrected when owned, foreign jobs left alone, removal only with
# --allow-destroy, refusals for what pvesr cannot replicate, and two nodes on
# one shared etc/pve writing one entry. Proxmox is not installed here: the
# files are written in its format (PHOENIX_PVE_MODE=files).
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
export PHOENIX_PVE_MODE=files

# setup: a root with storage.cfg, container 101 on a zfspool storage, container 102
# with a bind mount, VM 1001 with a disk on a dir storage; the configs in CFG, LXC, VM.
setup() {
	A=$WORK/root-$RANDOM
	mkdir -p "$A/etc/pve/lxc" "$A/etc/pve/qemu-server"
	printf 'dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,images\n\nzfspool: local-zfs\n\tpool rpool/data\n\tcontent images,rootdir\n\tsparse 1\n\n' \
		>"$A/etc/pve/storage.cfg"
	printf 'arch: amd64\nhostname: web\nrootfs: local-zfs:subvol-101-disk-0,size=8G\nmp0: local-zfs:subvol-101-disk-1,mp=/data,size=4G\n' \
		>"$A/etc/pve/lxc/101.conf"
	printf 'arch: amd64\nhostname: files\nrootfs: local-zfs:subvol-102-disk-0,size=8G\nmp0: /tank/www,mp=/srv/www\n' \
		>"$A/etc/pve/lxc/102.conf"
	printf 'boot: order=scsi0\nscsi0: local-zfs:vm-1001-disk-0,size=32G\nscsi1: local:1001/vm-1001-disk-1.qcow2,size=8G\n' \
		>"$A/etc/pve/qemu-server/1001.conf"
	CFG=$WORK/main.json LXC=$WORK/lxc.json VM=$WORK/vm.json
	cat >"$CFG" <<'JSON'
{ "cluster": { "nodes": { "pve1": { "address": "10.0.0.13" }, "pve2": { "address": "10.0.0.14" },
                          "pve3": { "address": "10.0.0.15" } } } }
JSON
	lxc_with '{ "target": "pve2", "schedule": "*/15", "rate_mb": 50 }'
	echo '{ "vms": [] }' >"$VM"
	ARGS=(-c "$CFG" --root "$A" --lxc-config "$LXC" --vm-config "$VM" --node pve1)
}

# lxc_with JSON: container 101 replicates as JSON ("" for no replication).
lxc_with() {
	if [ -n "$1" ]; then
		echo "{ \"lxc_configs\": { \"101\": { \"name\": \"web\", \"replication\": $1 } } }" >"$LXC"
	else
		echo '{ "lxc_configs": { "101": { "name": "web" } } }' >"$LXC"
	fi
}

RCFG() { cat "$A/etc/pve/replication.cfg"; }

test_add_writes_what_pvesr_writes_and_a_second_apply_is_a_no_op() {
	setup
	ph plan "${ARGS[@]}"
	assert_rc 2 "(plan: changes to make)"
	assert_contains "$out" "+ add replication job 101-0 (ct 101 to pve2, schedule */15, rate 50 MB/s)"
	assert_contains "$out" "    writes /etc/pve/replication.cfg"
	[ ! -e "$A/etc/pve/replication.cfg" ] || fail "plan wrote replication.cfg"
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	# pvesr create-local-job 101-0 pve2 --schedule '*/15' --rate 50 on pve1 writes exactly this
	assert_eq "$(od -c "$A/etc/pve/replication.cfg")" "$(printf 'local: 101-0\n\ttarget pve2\n\trate 50\n\tschedule */15\n\tsource pve1\n\n' | od -c)"
	assert_eq "$(jq -c .jobs "$A/var/lib/phoenix-storage/pve-owned.json")" '["101-0"]'
	local before; before=$(cd "$A" && find etc var -type f | sort | xargs md5sum)
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	assert_eq "$(cd "$A" && find etc var -type f | sort | xargs md5sum)" "$before" "(a second apply changed a byte)"
	ph plan --json "${ARGS[@]}"
	assert_rc 0
	assert_eq "$(jq -r '.actions[] | select(.subsystem == "pve") | .summary' <<<"$out")" ""
}

test_owned_job_is_corrected_and_other_bytes_stay() {
	setup
	# a job of another guest, written by hand, with a comment line
	printf '# by hand\nlocal: 555-0\n\ttarget pve3\n\tschedule 22:00\n\n' >"$A/etc/pve/replication.cfg"
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	lxc_with '{ "target": "pve2", "schedule": "*/30" }'
	ph plan "${ARGS[@]}"
	assert_rc 2
	assert_contains "$out" "~ change replication job 101-0 (ct 101 to pve2): schedule */15 -> */30, rate 50 MB/s -> none"
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	assert_eq "$(RCFG)" "$(printf '# by hand\nlocal: 555-0\n\ttarget pve3\n\tschedule 22:00\n\nlocal: 101-0\n\ttarget pve2\n\tschedule */30\n\tsource pve1')"
	ph plan "${ARGS[@]}"
	assert_contains "$out" "No changes"
}

test_removal_is_held_back_without_allow_destroy_and_marked_with_it() {
	setup
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	local one; one=$(RCFG)
	lxc_with ""
	ph plan "${ARGS[@]}"
	assert_rc 0
	assert_contains "$out" "! destructive: remove replication job 101-0 (ct 101 to pve2, added by phoenix-storage, no longer in the config; pvesr deletes its snapshots and the copy on pve2) (needs --allow-destroy)"
	assert_contains "$out" "No changes apply can make; 1 destructive change held back (needs --allow-destroy)."
	assert_contains "$err" "warning: replication job 101-0 (created by phoenix-storage) is no longer in the config; kept"
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	assert_contains "$out" "Nothing apply can do: 1 change is held back (needs --allow-destroy)."
	assert_eq "$(RCFG)" "$one" "(removed without --allow-destroy)"
	ph apply "${ARGS[@]}" --yes --allow-destroy
	assert_rc 0
	assert_contains "$out" "! destructive: remove replication job 101-0"
	# what pvesr delete 101-0 writes: the job marked; pvesr's next run removes snapshots, copy and section
	assert_eq "$(RCFG)" "$(printf 'local: 101-0\n\ttarget pve2\n\trate 50\n\tschedule */15\n\tsource pve1\n\tremove_job full')"
	ph plan "${ARGS[@]}" --allow-destroy
	assert_contains "$out" "No changes"
	# pvesr finished: the section is gone, and so is the record
	: >"$A/etc/pve/replication.cfg"
	lxc_with '{ "target": "pve2" }'
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	assert_eq "$(jq -c .jobs "$A/var/lib/phoenix-storage/pve-owned.json")" '["101-0"]'
	assert_contains "$(RCFG)" "local: 101-0"
}

test_bind_mount_and_non_zfspool_volume_are_refused_naming_key_and_storage() {
	setup
	echo '{ "lxc_configs": { "102": { "replication": { "target": "pve2" } } } }' >"$LXC"
	echo '{ "vms": [ { "vmid": 1001, "replication": { "target": "pve2" } } ] }' >"$VM"
	ph plan "${ARGS[@]}"
	assert_rc 1
	assert_contains "$err" "error: lxc_configs.102.replication: container 102: pvesr cannot replicate mp0 (a bind mount of /tank/www): refusing its replication job"
	assert_contains "$err" "error: vms[0].replication: vm 1001: pvesr cannot replicate scsi1 (volume local:1001/vm-1001-disk-1.qcow2 on storage 'local', type dir): refusing its replication job"
	assert_contains "$err" 'hint: pvesr replicates volumes on zfspool storages only: give that mount or disk replicate=0 ("replicate": false)'
	ph apply "${ARGS[@]}" --yes
	assert_rc 1
	[ ! -e "$A/etc/pve/replication.cfg" ] || fail "a refused plan wrote replication.cfg"
	# replicate=0 leaves the bind mount out, as pvesr does
	sed -i 's|mp=/srv/www$|mp=/srv/www,replicate=0|' "$A/etc/pve/lxc/102.conf"
	echo '{ "vms": [] }' >"$VM"
	ph plan "${ARGS[@]}"
	assert_rc 2
	assert_contains "$out" "+ add replication job 102-0 (ct 102 to pve2, schedule */15)"
}

test_target_this_node_is_refused() {
	setup
	ARGS=(-c "$CFG" --root "$A" --lxc-config "$LXC" --vm-config "$VM" --node pve2)
	ph plan "${ARGS[@]}"
	assert_rc 1
	assert_contains "$err" "error: lxc_configs.101.replication.target: container 101: the replication target 'pve2' is this node"
}

test_foreign_job_of_the_same_guest_and_target_is_left_alone() {
	setup
	printf 'local: 101-0\n\ttarget pve2\n\tschedule */5\n\tsource pve1\n' >"$A/etc/pve/replication.cfg"
	local one; one=$(RCFG)
	ph plan "${ARGS[@]}"
	assert_rc 0
	assert_contains "$out" "= unmanaged: replication job 101-0 (ct 101 to pve2): not created by phoenix-storage (left alone)"
	assert_contains "$err" "note: lxc_configs.101.replication: replication job 101-0 (ct 101 to pve2) exists with schedule */5 and is left alone"
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	assert_eq "$(RCFG)" "$one"
	assert_eq "$(jq -c '.jobs // []' "$A/var/lib/phoenix-storage/pve-owned.json" 2>/dev/null || echo '[]')" '[]'
	# and a job to another target is a second job with the next number
	lxc_with '{ "target": "pve3" }'
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	assert_eq "$(RCFG)" "$(printf '%s\n\nlocal: 101-1\n\ttarget pve3\n\tschedule */15\n\tsource pve1' "$one")"
}

test_two_nodes_sharing_etc_pve_write_one_job() {
	setup
	mkdir -p "$WORK/pve-shared" "$WORK/rootA/etc/pve" "$WORK/rootB/etc/pve"
	cp -r "$A/etc/pve/." "$WORK/pve-shared/"
	mount --bind "$WORK/pve-shared" "$WORK/rootA/etc/pve"
	mount --bind "$WORK/pve-shared" "$WORK/rootB/etc/pve"
	trap 'rc=$?; umount "$WORK/rootA/etc/pve" "$WORK/rootB/etc/pve" 2>/dev/null || true; exit $rc' EXIT
	lxc_with '{ "target": "pve3", "rate_mb": 12.5 }'
	local c=(-c "$CFG" --lxc-config "$LXC" --vm-config "$VM")
	ph apply "${c[@]}" --root "$WORK/rootA" --node pve1 --yes
	assert_rc 0
	local one; one=$(cat "$WORK/pve-shared/replication.cfg")
	assert_eq "$one" "$(printf 'local: 101-0\n\ttarget pve3\n\trate 12.5\n\tschedule */15\n\tsource pve1')"
	# pve2 sees the job (not its own: ownership is per node) and leaves it alone
	ph plan "${c[@]}" --root "$WORK/rootB" --node pve2
	assert_rc 0
	assert_contains "$out" "= unmanaged: replication job 101-0 (ct 101 to pve3): not created by phoenix-storage (left alone)"
	ph apply "${c[@]}" --root "$WORK/rootB" --node pve2 --yes
	assert_rc 0
	assert_eq "$(cat "$WORK/pve-shared/replication.cfg")" "$one"
	ph apply "${c[@]}" --root "$WORK/rootA" --node pve1 --yes
	assert_rc 0
	assert_eq "$(cat "$WORK/pve-shared/replication.cfg")" "$one"
	assert_eq "$(grep -c '^local: ' "$WORK/pve-shared/replication.cfg")" 1
	# pve2 never removes what pve1 created, even with --allow-destroy
	lxc_with ""
	ph apply "${c[@]}" --root "$WORK/rootB" --node pve2 --yes --allow-destroy
	assert_rc 0
	assert_eq "$(cat "$WORK/pve-shared/replication.cfg")" "$one"
}

run_tests
