#!/usr/bin/env bash
# Integration: the Proxmox part (storage.cfg, container and VM configs) on
# fixture trees under --root, written from Proxmox's documented formats, with
# a real zfs-fuse pool behind the zfspool storages and container volumes.
# Proxmox itself is not installed here: the pvesm/pct/qm path is checked at the
# level of the exact argv in `plan --json` (PHOENIX_PVE_MODE=cli).
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
G=$TOP/tests/golden/pve
REF=$REFERENCE

# pve_actions: the Proxmox actions of a `plan --json` on stdin, one "OP SUMMARY" line each.
pve_actions() { jq -r '.actions[] | select(.subsystem == "pve") | "\(.op) \(.summary)"'; }
# pve_details: the detail lines of those actions.
pve_details() { jq -r '.actions[] | select(.subsystem == "pve") | .details[]'; }

# subst FILE: a golden file with @WORK@, @POOL@, @VDEV@ filled in.
subst() { sed -e "s|@WORK@|$WORK|g" -e "s|@ROOT@|${A:-}|g" -e "s|@POOL@|${POOL:-}|g" -e "s|@VDEV@|${VDEV:-}|g" "$1"; }

# The reference configs with the reference fixture tree (container 101 running).
ref_root() {
	need_reference
	R=$WORK/ref-$RANDOM
	mkdir -p "$R"
	cp -r "$G/ref/etc" "$R/"
	mkdir -p "$R/sys/fs/cgroup/lxc/101"
	cp "$REF"/phoenix_*.json "$R/"
	REFARGS=(-c "$R/phoenix_hypervisor_config.json" --root "$R" --lxc-config "$R/phoenix_lxc_configs.json"
		--vm-config "$R/phoenix_vm_configs.json")
}

# ref_shown TEXT: TEXT with the fixture root as @ROOT@ and this host's memory size as @RAM@.
ref_shown() {
	local t=${1//"$R"/@ROOT@}
	sed -E "s/(more than half of this host's memory \()[0-9.]+[KMGTPE]?\)/\1@RAM@)/" <<<"$t"
}

# ref_golden FILE: the golden as this host shows it. The ARC warning (arc_max_gb 32 is
# more than half of the memory) and its hint are there only on a host with less than 64 GiB.
ref_golden() {
	if [ "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)" -ge $((64 * 1024 * 1024)) ]; then
		sed "/more than half of this host's memory/,+1d" "$1"
	else
		cat "$1"
	fi
}

# ref_plan_golden MODE: `plan` of the reference configs in PHOENIX_PVE_MODE=MODE is what
# tests/golden/pve/ref-plan-MODE.stdout (`plan -v`: actions with their commands) and
# .stderr (every diagnostic, with its position and hint) hold, and exits 1: the same plan
# refuses what it cannot do, so a guard that stops reporting an error changes the golden.
ref_plan_golden() {
	local g=$G/ref-plan-$1
	# the capability errors (lz4, zstd, sync, 1M records) are zfs-fuse's
	[ "$(zfs_flavour)" = zfs-fuse ] || skip "the reference goldens are recorded on zfs-fuse, this is $(zfs_flavour)"
	ref_root
	# the kernel's export table is the host's, shared with other suites: a stand-in shows it empty
	local exportfs=$WORK/exportfs-empty
	printf '#!/bin/sh\n[ "$*" = -v ] && exit 0\necho "stand-in exportfs: only -v" >&2; exit 1\n' >"$exportfs"
	chmod +x "$exportfs"
	export PHOENIX_EXPORTFS=$exportfs
	PHOENIX_PVE_MODE=$1 ph plan "${REFARGS[@]}"
	assert_rc 1 "(the plan has errors: apply refuses it)"
	local plain=$out
	diff -u <(ref_golden "$g.stderr") <(ref_shown "$err") >&2 || fail "stderr of plan differs from $g.stderr"
	PHOENIX_PVE_MODE=$1 ph plan -v "${REFARGS[@]}"
	assert_rc 1 "(plan -v)"
	diff -u "$g.stdout" <(ref_shown "$out") >&2 || fail "stdout of plan -v differs from $g.stdout"
	# -v adds each action's commands, nothing else
	assert_eq "$plain" "$(grep -v '^    \$ ' <<<"$out")" "(plan without -v is plan -v without the commands)"
	# plan wrote nothing
	diff -r "$G/ref/etc" "$R/etc" >&2 || fail "plan changed files"
}

test_reference_configs_validate() {
	ref_root
	ph validate "${REFARGS[@]}"
	assert_rc 0
	assert_contains "$err" "'firewall' is not a shared volume (no host_path and mounts); skipped"
	assert_not_contains "$err" "proxmox_storage_ids"
}

test_reference_plan_cli_mode_golden() { ref_plan_golden cli; }

test_reference_plan_files_mode_golden() { ref_plan_golden files; }

# A pool made here plus the apply fixture: sets POOL, VDEV, A (root), CFG, LXC.
apply_setup() {
	POOL=$(pool_name "pv$RANDOM"); VDEV=$(vdev "$POOL" 256M)
	A=$WORK/apply-$POOL; mkdir -p "$A"
	cp -r "$G/apply/root/etc" "$A/"
	for f in "$A"/etc/pve/lxc/*.conf; do subst "$f" >"$f.tmp" && mv "$f.tmp" "$f"; done
	mkdir -p "$A/sys/fs/cgroup/lxc/202"
	CFG=$WORK/config.json; LXC=$WORK/lxc.json
	subst "$G/apply/config.json" >"$CFG"
	subst "$G/apply/lxc.json" >"$LXC"
	ARGS=(-c "$CFG" --root "$A")
}

# Storages first (no container config yet), then the containers as Proxmox would have made them.
apply_full() {
	apply_setup
	ph apply "${ARGS[@]}" --yes
	assert_rc 0 "(first apply: storages)" || return 1
	# what pct create would have made: the rootfs subvolumes
	zfs create -o refquota=512M "$POOL/ct-disks/subvol-201-disk-0" || return 1
	zfs create -o refquota=1G "$POOL/ct-disks/subvol-202-disk-0" || return 1
	ARGS+=(--lxc-config "$LXC")
	ph apply "${ARGS[@]}" --yes
	assert_rc 0 "(second apply: containers)"
}

sums() { (cd "$A" && find etc var -type f | sort | xargs md5sum); }

test_apply_writes_proxmox_format_golden() {
	apply_full || return 1
	for f in storage.cfg lxc/201.conf lxc/202.conf; do
		diff -u <(subst "$G/apply/expected/$(basename "$f")") "$A/etc/pve/$f" >&2 || fail "$f differs from the golden file"
	done
	diff -u <(subst "$G/apply/expected/pve-owned.json") "$A/var/lib/phoenix-storage/pve-owned.json" >&2 ||
		fail "ownership file differs"
}

test_second_apply_changes_no_byte_and_plan_is_empty() {
	apply_full || return 1
	local before after; before=$(sums)
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	after=$(sums)
	assert_eq "$after" "$before" "(checksums after a second apply)"
	ph plan --json "${ARGS[@]}"
	assert_rc 0
	assert_eq "$(pve_actions <<<"$out")" "" "(pve actions after apply)"
	ph plan "${ARGS[@]}"
	assert_rc 0
}

test_status_shows_each_guests_storage_health() {
	apply_full || return 1
	ph status --json "${ARGS[@]}"
	assert_rc 0
	local ct='.pve.containers[] | select(.ctid == 201) | .storages[]'
	assert_eq "$(jq -r "$ct | select(.key == \"rootfs\") | \"\(.id) \(.healthy) \(.mounted)\"" <<<"$out")" "tank-ct true true"
	assert_eq "$(jq -r "$ct | select(.key == \"mp0\") | \"\(.dataset) \(.healthy)\"" <<<"$out")" "$POOL/shared true"
	ph status "${ARGS[@]}"
	assert_contains "$out" "rootfs   tank-ct:subvol-201-disk-0"
	# the dataset behind the bind mount goes away: status says so
	zfs umount "$POOL/shared"
	ph status --json "${ARGS[@]}"
	assert_eq "$(jq -r "$ct | select(.key == \"mp0\") | \"\(.healthy) \(.detail)\"" <<<"$out")" "false its dataset is not mounted"
	ph status "${ARGS[@]}"
	assert_contains "$out" "/mnt/$POOL/shared/www"
	assert_contains "$out" "NOT HEALTHY (its dataset is not mounted)"
	zfs mount "$POOL/shared"
}

test_rootfs_and_volume_quotas_are_real() {
	apply_full || return 1
	assert_eq "$(zget refquota "$POOL/ct-disks/subvol-201-disk-0")" "1073741824" "(rootfs grown)"
	assert_eq "$(zget refquota "$POOL/ct-disks/subvol-201-disk-1")" "1073741824" "(new volume)"
	assert_contains "$(cat "$A/etc/pve/lxc/201.conf")" "mp2: tank-ct:subvol-201-disk-1,mp=/data,size=1G"
}

# ct_marks CTID: each action of the plan in $out on container CTID, one line each, ending
# in "| restart" when the plan says it takes effect at the container's next restart, else "| now".
ct_marks() {
	awk -v re="container $1([^0-9]|$)" '
	  function flush() { if (act != "") print act " | " (note ? "restart" : "now"); act = ""; note = 0 }
	  /^[^ ]/ { flush(); if (/^[-+~!] / && $0 ~ re) act = $0 }
	  act != "" && $0 == "    the container is running: this takes effect at its next restart" { note = 1 }
	  END { flush() }' <<<"$out"
}

test_running_container_change_is_marked_for_restart() {
	apply_setup
	# the storages, then the containers as pct create makes them, so the plan has no error
	ph apply "${ARGS[@]}" --yes
	assert_rc 0 "(first apply: storages)"
	zfs create -o refquota=512M "$POOL/ct-disks/subvol-201-disk-0"
	zfs create -o refquota=1G "$POOL/ct-disks/subvol-202-disk-0"
	# 202 runs (its cgroup exists) and gets a bind mount; 201 is stopped
	[ -d "$A/sys/fs/cgroup/lxc/202" ] || fail "fixture: container 202 should be running"
	[ ! -e "$A/sys/fs/cgroup/lxc/201" ] && [ ! -e "$A/sys/fs/cgroup/pids/lxc/201" ] || fail "fixture: container 201 should be stopped"
	jq '.lxc_configs["202"].mount_points = [{"host_path": "/mnt/'"$POOL"'/shared/www", "container_path": "/srv/www", "ro": true}]' \
		"$LXC" >"$WORK/lxc-202.json"
	local lxc=(--lxc-config "$WORK/lxc-202.json")
	ph plan "${ARGS[@]}" "${lxc[@]}"
	assert_rc 2 "(changes pending, no error)"
	assert_eq "$(ct_marks 202)" "+ add mount point mp1 to container 202: /mnt/$POOL/shared/www -> /srv/www | restart"
	assert_eq "$(ct_marks 201)" "~ grow rootfs of container 201 from 512M to 1G | now
~ change mount point mp0 of container 201 (/srv/www): ro 1 -> 0 | now
+ add mount point mp2 to container 201: new 1G volume on tank-ct -> /data | now"
	# once 201 runs, its mount point changes wait for a restart; a subvolume's quota grows at once
	mkdir -p "$A/sys/fs/cgroup/lxc/201"
	ph plan "${ARGS[@]}" "${lxc[@]}"
	assert_rc 2
	assert_eq "$(ct_marks 201)" "~ grow rootfs of container 201 from 512M to 1G | now
~ change mount point mp0 of container 201 (/srv/www): ro 1 -> 0 | restart
+ add mount point mp2 to container 201: new 1G volume on tank-ct -> /data | restart"
	assert_eq "$(ct_marks 202)" "+ add mount point mp1 to container 202: /mnt/$POOL/shared/www -> /srv/www | restart"
}

test_foreign_entries_and_lines_are_kept() {
	apply_full || return 1
	# the foreign sections are byte for byte where they were
	local n; n=$(wc -l <"$G/apply/root/etc/pve/storage.cfg")
	diff <(head -n "$n" "$A/etc/pve/storage.cfg") "$G/apply/root/etc/pve/storage.cfg" >&2 || fail "foreign storages changed"
	# snapshot section and raw lxc lines untouched
	diff <(sed -n '/^\[before-phoenix\]/,$p' "$A/etc/pve/lxc/201.conf") \
		<(subst "$G/apply/root/etc/pve/lxc/201.conf" | sed -n '/^\[before-phoenix\]/,$p') >&2 || fail "snapshot changed"
	assert_contains "$(cat "$A/etc/pve/lxc/201.conf")" "lxc.idmap = g 0 100000 65536"
	ph plan "${ARGS[@]}"
	assert_contains "$out" "= unmanaged: Proxmox storage 'pbs-offsite' (pbs) (left alone)"
}

test_existing_unowned_storage_with_same_id_left_alone() {
	apply_setup
	printf '\nzfspool: tank-vm\n\tpool rpool/other\n\tcontent images\n' >>"$A/etc/pve/storage.cfg"
	cp "$A/etc/pve/storage.cfg" "$WORK/before.cfg"
	ph plan "${ARGS[@]}"
	assert_contains "$err" "warning: zfs.datasets[0]: storage 'tank-vm' exists, differs from the config (pool rpool/other (config: $POOL/vm-disks), sparse -> 1) and is left alone"
	assert_not_contains "$out" "Proxmox storage 'tank-vm':"
	ph apply "${ARGS[@]}" --yes
	assert_rc 0
	diff <(head -c "$(stat -c %s "$WORK/before.cfg")" "$A/etc/pve/storage.cfg") "$WORK/before.cfg" >&2 ||
		fail "existing entries changed"
	assert_not_contains "$(cat "$A/var/lib/phoenix-storage/pve-owned.json")" '"tank-vm"'
}

test_shrink_is_refused() {
	apply_full || return 1
	sed -i 's/^rootfs: tank-ct:subvol-202-disk-0,size=1G$/rootfs: tank-ct:subvol-202-disk-0,size=2G/' "$A/etc/pve/lxc/202.conf"
	local before; before=$(sums)
	ph plan "${ARGS[@]}"
	assert_rc 1
	assert_contains "$err" "error: lxc_configs.202.storage_size_gb: refusing to shrink rootfs of container 202 from 2G to 1G"
	assert_contains "$err" "hint: Proxmox cannot shrink volumes; set the size to 2G or more"
	ph apply "${ARGS[@]}" --yes
	assert_rc 1
	assert_eq "$(sums)" "$before" "(nothing written)"
}

test_duplicate_container_path_is_refused() {
	apply_setup
	jq '.lxc_configs["201"].mount_points += [{"host_path": "/srv/other", "container_path": "/data/"}]' "$LXC" >"$WORK/dup.json"
	ph validate "${ARGS[@]}" --lxc-config "$WORK/dup.json"
	assert_rc 1
	assert_contains "$err" "error: lxc_configs.201.zfs_volumes[0]: container 201: '/data' is already mounted by lxc_configs.201.mount_points[1]"
	# the same path from shared_volumes and mount_points
	jq '.lxc_configs["202"].mount_points = [{"host_path": "/srv/m", "container_path": "/models"}]' "$LXC" >"$WORK/dup2.json"
	ph validate "${ARGS[@]}" --lxc-config "$WORK/dup2.json"
	assert_rc 1
	assert_contains "$err" "container 202: '/models' is already mounted by lxc_configs.202.mount_points[0]"
}

# The reproductions of issue 8: a container path and NFS storage options that carry
# extra lines for 201.conf and storage.cfg are refused; no file changes.
test_injected_lines_are_refused_and_no_file_changes() {
	apply_full || return 1
	local before; before=$(sums)
	jq '.lxc_configs["201"].mount_points += [{"host_path": "/mnt/'"$POOL"'/shared/inj",
	     "container_path": "/data2\nlxc.apparmor.profile: unconfined\nlxc.cgroup2.devices.allow: a"}]' "$LXC" >"$WORK/inj-lxc.json"
	jq '.nfs = {"exports": [{"path": "/srv/exp", "clients": ["10.0.0.0/24"], "options": ["rw", "sync", "no_subtree_check"],
	     "outside_zfs": true, "proxmox": {"storage_id": "nfs-exp", "server": "10.0.0.13\nnfs: evil",
	     "options": "vers=4.2\n\nnfs: evil2\n\texport /"}}]}' "$CFG" >"$WORK/inj-main.json"
	ph apply -c "$CFG" --root "$A" --lxc-config "$WORK/inj-lxc.json" --yes
	assert_rc 1
	assert_contains "$err" "lxc_configs.201.mount_points[1].container_path: '/data2\nlxc.apparmor.profile: unconfined\nlxc.cgroup2.devices.allow: a' contains a newline"
	assert_contains "$err" "nothing was changed"
	ph apply -c "$WORK/inj-main.json" --root "$A" --lxc-config "$LXC" --yes
	assert_rc 1
	assert_contains "$err" "nfs.exports[0].proxmox.server: '10.0.0.13\nnfs: evil' contains a newline"
	assert_contains "$err" "nfs.exports[0].proxmox.options: 'vers=4.2\n\nnfs: evil2\n\texport /' contains a newline"
	assert_eq "$(sums)" "$before" "(files changed)"
	assert_not_contains "$(cat "$A/etc/pve/lxc/201.conf")" "apparmor"
	assert_not_contains "$(cat "$A/etc/pve/storage.cfg")" "evil"
	# and the converged state still plans nothing
	ph plan "${ARGS[@]}"
	assert_rc 0
}

test_removal_needs_allow_destroy_and_no_user() {
	apply_full || return 1
	# the config drops both tank-ct (still used by 201 and 202) and the iso storage (unused)
	jq 'del(.zfs.datasets[1].proxmox_storage_type, .zfs.datasets[2].proxmox_storage_type)' "$CFG" >"$WORK/drop.json"
	jq '.lxc_configs |= map_values(del(.storage_pool, .zfs_volumes))' "$LXC" >"$WORK/lxc-drop.json"
	local a=(-c "$WORK/drop.json" --root "$A" --lxc-config "$WORK/lxc-drop.json")
	ph plan "${a[@]}"
	assert_rc 0
	assert_contains "$err" "warning: storage 'tank-ct' (created by phoenix-storage) is no longer in the config; kept"
	assert_contains "$err" "hint: apply with --allow-destroy to remove it"
	ph plan "${a[@]}" --allow-destroy
	assert_rc 1
	assert_contains "$err" "error: cannot remove storage 'tank-ct': still used by container 201 (mp2,rootfs), container 202 (rootfs)"
	assert_contains "$out" "- remove Proxmox storage '$POOL-iso' (no longer in the config; the data on it stays)"
	# with the users gone, removal goes through and foreign entries stay
	sed -i '/tank-ct:/d' "$A/etc/pve/lxc/201.conf" "$A/etc/pve/lxc/202.conf"
	ph apply "${a[@]}" --allow-destroy --yes
	assert_rc 0
	assert_not_contains "$(cat "$A/etc/pve/storage.cfg")" "tank-ct"
	assert_not_contains "$(cat "$A/etc/pve/storage.cfg")" "$POOL-iso"
	assert_contains "$(cat "$A/etc/pve/storage.cfg")" "pbs: pbs-offsite"
	assert_contains "$(cat "$A/etc/pve/storage.cfg")" "zfspool: tank-vm"
	assert_eq "$(jq -c .storages "$A/var/lib/phoenix-storage/pve-owned.json")" '["tank-vm"]'
}

# A mount point line the tool added (shared_volumes "models" into 201 and 202) that the
# config drops: removed only with --allow-destroy, found by what it mounts although an
# operator renumbered it, exactly that line (every other byte stays), never while the
# container runs; lines added by hand are never touched; the record goes with the line.
test_dropped_mount_is_removed_only_with_allow_destroy_and_never_while_running() {
	apply_full || return 1
	local c201=$A/etc/pve/lxc/201.conf c202=$A/etc/pve/lxc/202.conf own=$A/var/lib/phoenix-storage/pve-owned.json
	assert_eq "$(jq -c '[.mounts[] | [.ct, .target]]' "$own")" '[[201,"/models"],[202,"/models"]]' "(records after the add)"
	# the operator renumbers the tool's line (mp1 -> mp5) and adds one by hand with the same source
	sed -i -e 's|^mp1: /mnt/'"$POOL"'/shared/models,|mp5: /mnt/'"$POOL"'/shared/models,|' "$c201"
	sed -i -e '/^mp5:/a mp7: /mnt/'"$POOL"'/shared/models,mp=/hand-models' "$c201"
	local key202; key202=$(sed -n 's|^\(mp[0-9]*\): /mnt/'"$POOL"'/shared/models,mp=/models.*|\1|p' "$c202")
	[ -n "$key202" ] || fail "fixture: 202 has no models line"
	# the config drops the shared volume, and the hand-made /srv/www line of 201 (never the tool's)
	jq 'del(.shared_volumes.models)' "$CFG" >"$WORK/drop-mount.json"
	jq '.lxc_configs["201"].mount_points = []' "$LXC" >"$WORK/lxc-drop-mount.json"
	local a=(-c "$WORK/drop-mount.json" --root "$A" --lxc-config "$WORK/lxc-drop-mount.json")
	local line201="remove mount point mp5 of container 201: /mnt/$POOL/shared/models -> /models (added by phoenix-storage, no longer in the config)"
	local wait202="remove mount point $key202 of container 202: /mnt/$POOL/shared/models -> /models (added by phoenix-storage, no longer in the config; container 202 is running)"
	local before201 before202 before_own sums_before
	before201=$(cat "$c201"); before202=$(cat "$c202"); before_own=$(cat "$own"); sums_before=$(sums)

	ph plan "${a[@]}"
	assert_rc 1 "(a removal without --allow-destroy is an error)"
	assert_contains "$out" "! destructive: $line201"
	assert_contains "$out" "! waits for a stop: $wait202"
	assert_contains "$err" "error: container 201: removing mount point mp5 (/mnt/$POOL/shared/models -> /models) needs --allow-destroy"
	assert_contains "$err" "hint: apply with --allow-destroy to remove it, or put the mount back in the config"
	assert_not_contains "$out" "/hand-models"
	assert_not_contains "$out" "/srv/www"
	ph plan --json "${a[@]}"
	assert_eq "$(jq -c '[.actions[] | select(.kind == "remove-mount") | [.op, .destructive, .target]]' <<<"$out")" \
		"[[\"-\",true,\"container 201: /mnt/$POOL/shared/models -> /models\"]]"
	assert_eq "$(jq -c '[.waiting, .summary.waiting]' <<<"$out")" "[[\"$wait202\"],1]"
	# without the LXC config every container mount would look dropped: nothing is removed, a warning says why
	ph plan -c "$WORK/drop-mount.json" --root "$A" --allow-destroy
	assert_not_contains "$out" "remove mount point"
	assert_not_contains "$out" "waits for a stop"
	assert_contains "$err" "warning: container 201: mount point /mnt/$POOL/shared/models -> /models (added by phoenix-storage) is not checked: the LXC config was not read"
	# on a Proxmox host: pct deletes that key
	PHOENIX_PVE_MODE=cli ph plan --json "${a[@]}" --allow-destroy
	assert_eq "$(jq -c '[.actions[] | select(.kind == "remove-mount") | .commands[]]' <<<"$out")" '[["pct","set","201","--delete","mp5"]]'

	ph apply "${a[@]}" --yes
	assert_rc 1 "(apply without --allow-destroy refuses)"
	assert_contains "$err" "needs --allow-destroy"
	assert_eq "$(sums)" "$sums_before" "(nothing changed without the flag)"

	ph plan "${a[@]}" --allow-destroy
	assert_rc 2 "(pending, no error)"
	ph apply "${a[@]}" --allow-destroy --yes
	assert_rc 2 "(not converged: 202 runs)"
	assert_contains "$out" "! destructive: $line201"
	assert_contains "$out" "Not converged: 1 change waits for a guest to stop (see 'waits for a stop')."
	# exactly the one line went: the rest of 201 byte for byte, 202 untouched
	assert_eq "$(cat "$c201")" "$(grep -v "^mp5: /mnt/$POOL/shared/models,mp=/models" <<<"$before201")" "(201 minus its mp5 line)"
	assert_eq "$(cat "$c202")" "$before202" "(202 runs: untouched)"
	assert_contains "$(cat "$c201")" "mp7: /mnt/$POOL/shared/models,mp=/hand-models"
	assert_contains "$(cat "$c201")" "mp0: /mnt/$POOL/shared/www,mp=/srv/www"
	assert_eq "$(jq -c '[.mounts[] | [.ct, .target]]' "$own")" '[[202,"/models"]]' "(201's record went with its line)"
	assert_eq "$(jq -c .storages "$own")" "$(jq -c .storages <<<"$before_own")" "(storages unchanged)"

	# 202 stops: its line goes on the next apply
	rmdir "$A/sys/fs/cgroup/lxc/202"
	ph apply "${a[@]}" --allow-destroy --yes
	assert_rc 0
	assert_eq "$(cat "$c202")" "$(grep -v "^$key202: /mnt/$POOL/shared/models,mp=/models" <<<"$before202")" "(202 minus its line)"
	assert_eq "$(jq -c '.mounts // "none"' "$own")" '"none"' "(no record left)"
	ph plan "${a[@]}" --allow-destroy
	assert_rc 0
	ph plan "${a[@]}"
	assert_rc 0 "(nothing of the tool's left to remove: no flag needed)"
}

# A mount line the tool wrote stays its own when the config changes its host path (converged in place).
test_changed_source_of_an_added_mount_stays_owned() {
	apply_full || return 1
	local own=$A/var/lib/phoenix-storage/pve-owned.json
	mkdir -p "$A/mnt/$POOL/shared/www"
	jq '.shared_volumes.models.host_path = "/mnt/'"$POOL"'/shared/www"' "$CFG" >"$WORK/moved.json"
	local a=(-c "$WORK/moved.json" --root "$A" --lxc-config "$LXC")
	ph apply "${a[@]}" --yes
	assert_rc 0
	assert_contains "$(cat "$A/etc/pve/lxc/201.conf")" "mp1: /mnt/$POOL/shared/www,mp=/models,ro=1"
	assert_eq "$(jq -c '[.mounts[] | [.ct, .source]]' "$own")" \
		"[[201,\"/mnt/$POOL/shared/www\"],[202,\"/mnt/$POOL/shared/www\"]]" "(records follow the new source)"
	jq 'del(.shared_volumes.models)' "$CFG" >"$WORK/drop-moved.json"
	rmdir "$A/sys/fs/cgroup/lxc/202"
	ph apply -c "$WORK/drop-moved.json" --root "$A" --lxc-config "$LXC" --allow-destroy --yes
	assert_rc 0
	assert_not_contains "$(cat "$A/etc/pve/lxc/201.conf")" "mp=/models"
	assert_not_contains "$(cat "$A/etc/pve/lxc/202.conf")" "mp=/models"
}

test_cli_mode_plan_has_exact_argv() {
	apply_setup
	PHOENIX_PVE_MODE=cli ph plan --json "${ARGS[@]}" --lxc-config "$LXC"
	local cmds; cmds=$(jq -c '[.actions[] | select(.subsystem == "pve") | .commands[]]' <<<"$out")
	assert_contains "$cmds" '["pvesm","add","zfspool","tank-vm","--pool","'"$POOL"'/vm-disks","--content","images","--sparse","1"]'
	assert_contains "$cmds" '["pvesm","add","zfspool","tank-ct","--pool","'"$POOL"'/ct-disks","--content","images,rootdir"]'
	assert_contains "$cmds" '["pvesm","add","dir","'"$POOL"'-iso","--path","'"/mnt/$POOL"'/iso","--content","iso,vztmpl","--is_mountpoint","yes"]'
	assert_contains "$cmds" '["pct","resize","201","rootfs","1G"]'
	assert_contains "$cmds" '["pct","set","201","--mp0","'"/mnt/$POOL"'/shared/www,mp=/srv/www,ro=0"]'
	assert_contains "$cmds" '["pct","set","201","--mp1","tank-ct:1,mp=/data"]'
	assert_contains "$cmds" '["pct","set","201","--mp2","'"/mnt/$POOL"'/shared/models,mp=/models,ro=1"]'
	assert_contains "$cmds" '["pct","set","202","--mp0","'"/mnt/$POOL"'/shared/models,mp=/models,ro=1"]'
	# no file edits in cli mode: plan says nothing about writing files
	assert_rc 2 "(changes pending; cli mode needs no dataset to resize a rootfs)"
	assert_not_contains "$(pve_details <<<"$out")" "writes /etc/pve"
}

test_invalid_pve_config_reported_at_once() {
	apply_setup
	jq '.zfs.datasets[0].proxmox_content_type = "iso,images"
	    | .zfs.datasets[2].proxmox_storage_type = "lvm"
	    | .proxmox_storage_ids.nosuch_pool_x = "x-y"
	    | .proxmox_storage_ids["'"$POOL"'_iso"] = "tank-vm"' "$CFG" >"$WORK/bad.json"
	ph validate -c "$WORK/bad.json" --root "$A"
	assert_rc 1
	assert_contains "$err" "zfs.datasets[0].proxmox_content_type: content type 'iso' is not valid for zfspool storage"
	assert_contains "$err" "zfs.datasets[2].proxmox_storage_type: unknown proxmox_storage_type 'lvm'"
	assert_contains "$err" "warning: proxmox_storage_ids.nosuch_pool_x: key 'nosuch_pool_x' matches no dataset with a proxmox_storage_type; it is not used"
	# two datasets, one id
	jq '.proxmox_storage_ids["'"$POOL"'_iso"] = "tank-vm"' "$CFG" >"$WORK/bad2.json"
	ph validate -c "$WORK/bad2.json" --root "$A"
	assert_rc 1
	assert_contains "$err" "storage id 'tank-vm' is used by $POOL/vm-disks and $POOL/iso"
}

test_vm_nfs_mounts_checked_and_reported_in_status() {
	apply_setup
	jq '.nfs = {"exports": [{"path": "/mnt/'"$POOL"'/shared", "clients": ["10.0.0.0/24"], "options": ["rw", "sync"]}]}' \
		"$CFG" >"$WORK/nfs.json"
	cat >"$WORK/vm.json" <<JSON
{ "vm_defaults": { "storage_pool": "tank-vm", "disk_size_gb": 8 },
  "vms": [ { "vmid": 1001, "name": "app", "network_config": { "ip": "10.0.0.111/24" },
             "volumes": [ { "type": "nfs", "name": "data", "server": "10.0.0.13",
                            "path": "/mnt/$POOL/shared/1001", "mount_point": "/persistent" } ] } ] }
JSON
	ph status --json -c "$WORK/nfs.json" --root "$A" --vm-config "$WORK/vm.json"
	assert_rc 0
	assert_eq "$(jq -r '.pve.vms[0].fstab[0]' <<<"$out")" \
		"10.0.0.13:/mnt/$POOL/shared/1001 /persistent nfs defaults,_netdev,nofail 0 0"
	# an export that does not list the vm
	jq '.nfs.exports[0].clients = ["10.0.0.102"]' "$WORK/nfs.json" >"$WORK/nfs2.json"
	ph validate -c "$WORK/nfs2.json" --root "$A" --vm-config "$WORK/vm.json"
	assert_rc 1
	assert_contains "$err" "vm 1001 (10.0.0.111) mounts '/mnt/$POOL/shared/1001', but the export '/mnt/$POOL/shared' does not list it as a client"
	assert_contains "$err" "hint: add \"10.0.0.111\" to nfs.exports[0].clients"
	# no export serves the path
	jq '.nfs.exports[0].path = "/elsewhere"' "$WORK/nfs.json" >"$WORK/nfs3.json"
	ph validate -c "$WORK/nfs3.json" --root "$A" --vm-config "$WORK/vm.json"
	assert_rc 1
	assert_contains "$err" "vm 1001 mounts '/mnt/$POOL/shared/1001' from this host, but no entry of nfs.exports serves it"
}

test_nfs_export_storage_entry() {
	apply_setup
	jq '.nfs = {"exports": [{"path": "/srv/exp", "clients": ["10.0.0.0/24"], "options": ["rw", "sync"],
	     "proxmox": {"storage_id": "nfs-exp", "content": "backup,iso", "options": ["vers=4.2", "soft"]}}]}' \
		"$CFG" >"$WORK/nfs.json"
	PHOENIX_PVE_MODE=cli ph plan --json -c "$WORK/nfs.json" --root "$A"
	assert_contains "$(jq -c '[.actions[] | select(.target == "nfs-exp") | .commands[]]' <<<"$out")" \
		'["pvesm","add","nfs","nfs-exp","--export","/srv/exp","--path","/mnt/pve/nfs-exp","--server","10.0.0.13","--content","backup,iso","--options","vers=4.2,soft"]'
	ph plan -c "$WORK/nfs.json" --root "$A"
	assert_contains "$out" "+ add Proxmox storage 'nfs-exp': nfs 10.0.0.13:/srv/exp at /mnt/pve/nfs-exp, content backup,iso"
}

run_tests
