#!/usr/bin/env bash
# Integration: persistent service directories (persistent_storage, LXC bind
# mounts, VM NFS volumes) on real ZFS datasets under a test --root.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1

# setup NAME: a root $R with pool $P (mounted at $R/$P) holding datasets
# vm-persistent-data and lxc-persistent-data. Writes nothing else.
setup() {
	R=$WORK/$1
	P=$(pool_name "$2")
	mkdir -p "$R"
	V=$(vdev "$2")
}

# zfs_json: the zfs section for $P.
zfs_json() {
	cat <<JSON
  "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$V"], "mountpoint": "$R/$P" } ],
    "datasets": [ { "name": "vm-persistent-data", "pool": "$P" },
                  { "name": "lxc-persistent-data", "pool": "$P" } ]
  }
JSON
}

# st PATH: "uid:gid:mode" of a path under the root.
st() { stat -c '%u:%g:%a' "$R$1"; }

# tree_sum: every path under the root with owner and mode (to show nothing changed).
tree_sum() { find "$R" -printf '%p %U:%G %m %y\n' 2>/dev/null | sort | md5sum; }

test_directories_are_created_parents_first_with_owner_and_mode() {
	setup t1 d1
	cat >"$WORK/t1.json" <<JSON
{
$(zfs_json),
  "persistent_storage": {
    "base": "/$P/vm-persistent-data",
    "directories": [
      { "path": "1001/portainer/data", "owner": 0, "group": 0, "mode": "0750" },
      { "service": "qdrant", "path": "1001/qdrant/storage", "owner": "nobody", "group": 65534, "mode": "2770" },
      { "path": "/$P/lxc-persistent-data/shared", "mode": "0711" }
    ]
  }
}
JSON
	ph plan -c "$WORK/t1.json" --root "$R"
	assert_rc 2
	assert_contains "$out" "+ create directory /$P/vm-persistent-data/1001/portainer/data (owner 0, group 0, mode 0750)"
	assert_contains "$out" "+ create directory /$P/vm-persistent-data/1001/qdrant/storage (owner 65534, group 65534, mode 2770)"
	assert_contains "$out" "    declared by persistent_storage.directories[1], service qdrant"
	assert_contains "$out" "+ create directory /$P/lxc-persistent-data/shared (mode 0711)"
	# Directories come after the datasets they live on.
	local ld lx
	ld=$(grep -n "create dataset $P/vm-persistent-data" <<<"$out" | cut -d: -f1)
	lx=$(grep -n "create directory /$P/vm-persistent-data/1001/portainer" <<<"$out" | cut -d: -f1)
	[ "$ld" -lt "$lx" ] || fail "directory planned before its dataset"
	ph apply -c "$WORK/t1.json" --root "$R" --yes
	assert_rc 0
	assert_eq "$(st /$P/vm-persistent-data/1001)" "0:0:755"
	assert_eq "$(st /$P/vm-persistent-data/1001/portainer)" "0:0:755"
	assert_eq "$(st /$P/vm-persistent-data/1001/portainer/data)" "0:0:750"
	assert_eq "$(st /$P/vm-persistent-data/1001/qdrant/storage)" "65534:65534:2770"
	assert_eq "$(st /$P/lxc-persistent-data/shared)" "0:0:711"
	assert_eq "$(zfs get -H -o value mounted "$P/vm-persistent-data")" yes
	ph plan -c "$WORK/t1.json" --root "$R"
	assert_rc 0
	assert_contains "$out" "No changes"
	ph status -c "$WORK/t1.json" --root "$R"
	assert_rc 0
	assert_contains "$out" "directory /$P/vm-persistent-data/1001/qdrant/storage: ok (owner 65534, group 65534, mode 2770)"
}

test_existing_directory_gets_only_what_the_config_names() {
	setup t2 d2
	cat >"$WORK/t2.json" <<JSON
{
$(zfs_json)
}
JSON
	ph apply -c "$WORK/t2.json" --root "$R" --yes
	assert_rc 0
	local d=$R/$P/vm-persistent-data/app
	mkdir -p "$d/sub"
	echo keep >"$d/file"
	echo keep >"$d/sub/inner"
	chown 5:6 "$d"
	chmod 0700 "$d"
	cat >"$WORK/t2b.json" <<JSON
{
$(zfs_json),
  "persistent_storage": { "directories": [ { "path": "/$P/vm-persistent-data/app", "mode": "0755" } ] }
}
JSON
	ph plan -c "$WORK/t2b.json" --root "$R"
	assert_rc 2
	assert_contains "$out" "~ change directory /$P/vm-persistent-data/app: mode 0700 -> 0755"
	ph apply -c "$WORK/t2b.json" --root "$R" --yes
	assert_rc 0
	# Owner and group were not named: they stay. Nothing inside is touched or removed.
	assert_eq "$(st /$P/vm-persistent-data/app)" "5:6:755"
	assert_eq "$(cat "$d/file")" keep
	assert_eq "$(cat "$d/sub/inner")" keep
	ph apply -c "$WORK/t2b.json" --root "$R" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do"
}

test_lxc_mount_point_owners_are_mapped_like_proxmox() {
	setup t3 d3
	cat >"$WORK/t3.json" <<JSON
{
$(zfs_json)
}
JSON
	cat >"$WORK/t3-lxc.json" <<JSON
{
  "lxc_configs": {
    "101": {
      "unprivileged": true,
      "id_maps": [ { "type": "gid", "host_id": 33, "container_id": 33, "size": 1 } ],
      "mount_points": [
        { "host_path": "/$P/lxc-persistent-data/101/logs", "container_path": "/var/log/nginx", "owner_uid": 33, "owner_gid": 33 },
        { "host_path": "/$P/lxc-persistent-data/101/ssl", "container_path": "/etc/nginx/ssl", "owner_uid": 0, "owner_gid": 0 }
      ]
    },
    "911": {
      "mount_points": [
        { "host_path": "/$P/lxc-persistent-data/911/data", "container_path": "/data", "owner_uid": 1000, "owner_gid": 1000 }
      ]
    },
    "102": {
      "unprivileged": true,
      "mount_points": [ { "host_path": "/$P/lxc-persistent-data/102/certs", "container_path": "/certs" } ]
    }
  }
}
JSON
	ph plan -c "$WORK/t3.json" --root "$R" --lxc-config "$WORK/t3-lxc.json"
	assert_rc 2
	assert_contains "$out" "+ create directory /$P/lxc-persistent-data/101/logs (owner 100033, group 33)"
	assert_contains "$out" "    owner 100033 is uid 33 in CT 101"
	assert_contains "$out" "    group 33 is gid 33 in CT 101"
	assert_contains "$out" "+ create directory /$P/lxc-persistent-data/101/ssl (owner 100000, group 100000)"
	assert_contains "$out" "+ create directory /$P/lxc-persistent-data/911/data (owner 1000, group 1000)"
	assert_contains "$out" "+ create directory /$P/lxc-persistent-data/102/certs"
	ph apply -c "$WORK/t3.json" --root "$R" --lxc-config "$WORK/t3-lxc.json" --yes
	assert_rc 0
	assert_eq "$(st /$P/lxc-persistent-data/101/logs)" "100033:33:755"
	assert_eq "$(st /$P/lxc-persistent-data/101/ssl)" "100000:100000:755"
	assert_eq "$(st /$P/lxc-persistent-data/911/data)" "1000:1000:755"
	assert_eq "$(st /$P/lxc-persistent-data/102/certs)" "0:0:755"
	ph plan -c "$WORK/t3.json" --root "$R" --lxc-config "$WORK/t3-lxc.json"
	assert_rc 0
}

test_vm_nfs_volume_paths_are_created() {
	setup t4 d4
	cat >"$WORK/t4.json" <<JSON
{
$(zfs_json)
}
JSON
	cat >"$WORK/t4-vm.json" <<JSON
{ "vms": [ { "vmid": 1001, "volumes": [
    { "type": "nfs", "name": "persistent-storage", "path": "/$P/vm-persistent-data/1001", "mount_point": "/persistent-storage", "server": "10.0.0.13" },
    { "type": "nfs", "name": "vm-step-ca-certs", "path": "/$P/vm-persistent-data/1001/.step-ca", "mount_point": "/etc/step-ca/certs", "server": "10.0.0.13" } ] } ] }
JSON
	ph plan -c "$WORK/t4.json" --root "$R" --vm-config "$WORK/t4-vm.json"
	assert_rc 2
	assert_contains "$out" "+ create directory /$P/vm-persistent-data/1001"
	assert_contains "$out" "    declared by vm 1001 volumes[1]"
	ph apply -c "$WORK/t4.json" --root "$R" --vm-config "$WORK/t4-vm.json" --yes
	assert_rc 0
	[ -d "$R/$P/vm-persistent-data/1001/.step-ca" ] || fail ".step-ca not created"
}

test_path_beside_the_dataset_mountpoint_is_reported_with_the_fix() {
	setup t5 d5
	cat >"$WORK/t5.json" <<JSON
{
$(zfs_json)
}
JSON
	cat >"$WORK/t5-lxc.json" <<JSON
{ "lxc_configs": { "101": { "unprivileged": true, "mount_points": [
  { "host_path": "/mnt/pve/$P/lxc-persistent-data/101/logs", "container_path": "/var/log/nginx", "owner_uid": 33, "owner_gid": 33 } ] } } }
JSON
	ph plan -c "$WORK/t5.json" --root "$R" --lxc-config "$WORK/t5-lxc.json"
	assert_rc 1
	assert_contains "$err" "$WORK/t5-lxc.json:2:3: error: lxc_configs.101.mount_points[0]: directory '/mnt/pve/$P/lxc-persistent-data/101/logs' is not on a mounted managed ZFS dataset: dataset '$P/lxc-persistent-data' is mounted at '/$P/lxc-persistent-data'"
	assert_contains "$err" "  hint: set the mountpoint of dataset '$P/lxc-persistent-data' to '/mnt/pve/$P/lxc-persistent-data', or change the path to '/$P/lxc-persistent-data/101/logs'"
	ph apply -c "$WORK/t5.json" --root "$R" --lxc-config "$WORK/t5-lxc.json" --yes
	assert_rc 1
	[ ! -e "$R/mnt" ] || fail "something was created under /mnt"
	zpool list "$P" >/dev/null 2>&1 && fail "the pool was created despite the plan error"
	true
}

test_directory_on_an_unmounted_dataset_blocks_the_plan() {
	setup t6 d6
	cat >"$WORK/t6.json" <<JSON
{
$(zfs_json)
}
JSON
	ph apply -c "$WORK/t6.json" --root "$R" --yes
	assert_rc 0
	zfs umount "$P/vm-persistent-data"
	cat >"$WORK/t6b.json" <<JSON
{
$(zfs_json),
  "persistent_storage": { "base": "/$P/vm-persistent-data", "directories": [ { "path": "1001/data", "mode": "0750" } ] }
}
JSON
	local before; before=$(tree_sum)
	ph plan -c "$WORK/t6b.json" --root "$R"
	assert_rc 1
	assert_contains "$err" "error: persistent_storage.directories[0]: directory '/$P/vm-persistent-data/1001/data' is on dataset '$P/vm-persistent-data', which is not mounted (mountpoint '/$P/vm-persistent-data')"
	assert_contains "$err" "  hint: mount it first (zfs mount $P/vm-persistent-data): anything written now would land on the filesystem underneath"
	ph apply -c "$WORK/t6b.json" --root "$R" --yes
	assert_rc 1
	assert_eq "$(tree_sum)" "$before"
	[ ! -e "$R/$P/vm-persistent-data/1001" ] || fail "directory created on the unmounted mountpoint"
	zfs mount "$P/vm-persistent-data"
}

test_symlink_where_a_directory_is_expected_is_refused_and_its_target_untouched() {
	setup t7 d7
	cat >"$WORK/t7.json" <<JSON
{
$(zfs_json)
}
JSON
	ph apply -c "$WORK/t7.json" --root "$R" --yes
	assert_rc 0
	# A container-writable directory where someone planted a link to a root-only place.
	local victim=$WORK/t7-victim
	mkdir -p "$victim" "$R/$P/lxc-persistent-data/101"
	chmod 0700 "$victim"
	ln -s "$victim" "$R/$P/lxc-persistent-data/101/logs"
	cat >"$WORK/t7-lxc.json" <<JSON
{ "lxc_configs": { "101": { "unprivileged": true, "mount_points": [
  { "host_path": "/$P/lxc-persistent-data/101/logs/nginx", "container_path": "/var/log/nginx", "owner_uid": 33, "owner_gid": 33 } ] } } }
JSON
	ph plan -c "$WORK/t7.json" --root "$R" --lxc-config "$WORK/t7-lxc.json"
	assert_rc 1
	assert_contains "$err" "error: lxc_configs.101.mount_points[0]: directory '/$P/lxc-persistent-data/101/logs/nginx': '/$P/lxc-persistent-data/101/logs' is a symbolic link; refusing to follow it"
	assert_contains "$err" "hint: remove what is in the way (a symlink could redirect root's chown elsewhere), or point the config at the real directory"
	ph apply -c "$WORK/t7.json" --root "$R" --lxc-config "$WORK/t7-lxc.json" --yes
	assert_rc 1
	assert_eq "$(stat -c '%u:%g:%a' "$victim")" "0:0:700"
	[ ! -e "$victim/nginx" ] || fail "a directory was created through the link"
	# A link as the final component is refused the same way.
	cat >"$WORK/t7b-lxc.json" <<JSON
{ "lxc_configs": { "101": { "unprivileged": true, "mount_points": [
  { "host_path": "/$P/lxc-persistent-data/101/logs", "container_path": "/var/log/nginx", "owner_uid": 33, "owner_gid": 33 } ] } } }
JSON
	ph apply -c "$WORK/t7.json" --root "$R" --lxc-config "$WORK/t7b-lxc.json" --yes
	assert_rc 1
	assert_contains "$err" "'/$P/lxc-persistent-data/101/logs' is a symbolic link; refusing to follow it"
	assert_eq "$(stat -c '%u:%g:%a' "$victim")" "0:0:700"
}

# expect_invalid NAME JSON-BODY MESSAGE [HINT]: the config is refused with MESSAGE and nothing changes.
expect_invalid() {
	local name=$1 body=$2 msg=$3 hint=${4:-}
	cat >"$WORK/$name.json" <<JSON
{
$(zfs_json),
  $body
}
JSON
	local before; before=$(tree_sum)
	ph plan -c "$WORK/$name.json" --root "$R"
	assert_rc 1
	assert_contains "$err" "$msg"
	[ -z "$hint" ] || assert_contains "$err" "$hint"
	ph apply -c "$WORK/$name.json" --root "$R" --yes
	assert_rc 1
	assert_contains "$err" "$msg"
	assert_eq "$(tree_sum)" "$before"
	zpool list "$P" >/dev/null 2>&1 && fail "pool created from an invalid config"
	true
}

test_invalid_directory_entries_are_refused_with_exact_messages() {
	setup t8 d8
	expect_invalid t8a '"persistent_storage": { "base": "/x", "directories": [ { "path": "a", "mode": "0980" } ] }' \
		"error: persistent_storage.directories[0].mode: invalid mode '0980'" 'hint: use up to four octal digits, e.g. "0750"'
	expect_invalid t8b '"persistent_storage": { "base": "/x", "directories": [ { "path": "a", "mode": 750 } ] }' \
		"error: persistent_storage.directories[0].mode: mode must be a string" 'hint: write the mode as an octal string, e.g. "0750"'
	expect_invalid t8c '"persistent_storage": { "directories": [ { "path": "relative/dir" } ] }' \
		"error: persistent_storage.directories[0].path: relative path 'relative/dir' needs persistent_storage.base"
	expect_invalid t8d '"persistent_storage": { "base": "/x", "directories": [ { "path": "a", "owner": "no-such-user-ph" } ] }' \
		"error: persistent_storage.directories[0].owner: unknown user 'no-such-user-ph'" "hint: create the user on this host first, or give the numeric uid"
	expect_invalid t8e '"persistent_storage": { "base": "/x", "directories": [ { "path": "../etc" } ] }' \
		"error: persistent_storage.directories[0].path: path '../etc' contains '..'"
	expect_invalid t8f '"persistent_storage": { "base": "/x", "directories": [ { "path": "a", "owner": 1 }, { "path": "/x/a", "owner": 2 } ] }' \
		"error: persistent_storage.directories[1]: conflicting owners for directory '/x/a': uid 1 (persistent_storage.directories[0]) and uid 2 (persistent_storage.directories[1])"
	expect_invalid t8g '"persistent_storage": { "base": "/x", "directories": [ { "path": "a", "ctid": 999, "owner": 0 } ] }' \
		"error: persistent_storage.directories[0].ctid: container '999' is not in the LXC config"
}

test_outside_zfs_directory_is_created_where_asked() {
	setup t9 d9
	cat >"$WORK/t9.json" <<JSON
{
  "persistent_storage": { "directories": [
    { "path": "/srv/scratch/a", "mode": "0700", "outside_zfs": true },
    { "path": "/srv/other" } ] }
}
JSON
	ph plan -c "$WORK/t9.json" --root "$R"
	assert_rc 1
	assert_contains "$err" "error: persistent_storage.directories[1]: directory '/srv/other' is not on a managed ZFS dataset"
	assert_contains "$err" "hint: add a dataset mounted at '/srv/other' (or at a parent) to zfs.datasets, or set \"outside_zfs\": true if it does not belong on ZFS"
	cat >"$WORK/t9b.json" <<JSON
{ "persistent_storage": { "directories": [ { "path": "/srv/scratch/a", "mode": "0700", "outside_zfs": true } ] } }
JSON
	ph apply -c "$WORK/t9b.json" --root "$R" --yes
	assert_rc 0
	assert_contains "$out" "+ create directory /srv/scratch/a (mode 0700)"
	assert_eq "$(st /srv/scratch/a)" "0:0:700"
}

# shared_volumes are container bind mounts like mount_points: their host directory
# goes through the same mount-before-use guard (it used to escape every check).
test_shared_volume_on_an_unmounted_or_unmanaged_path_is_refused() {
	setup t10 d10
	cat >"$WORK/t10-zfs.json" <<JSON
{
$(zfs_json)
}
JSON
	cat >"$WORK/t10.json" <<JSON
{
$(zfs_json),
  "shared_volumes": {
    "certs": { "host_path": "/$P/lxc-persistent-data/certs", "ro": true, "mounts": { "101": "/certs", "102": "/certs" } },
    "logs": { "host_path": "/srv/logs", "mounts": { "101": "/logs" } }
  }
}
JSON
	ph apply -c "$WORK/t10-zfs.json" --root "$R" --yes
	assert_rc 0 "(the pool and datasets)" || return 1
	zfs umount "$P/lxc-persistent-data" || return 1
	local before; before=$(tree_sum)
	ph plan -c "$WORK/t10.json" --root "$R"
	assert_rc 1
	assert_contains "$err" "error: shared_volumes.certs: directory '/$P/lxc-persistent-data/certs' is on dataset '$P/lxc-persistent-data', which is not mounted (mountpoint '/$P/lxc-persistent-data')"
	assert_contains "$err" "  hint: mount it first (zfs mount $P/lxc-persistent-data): anything written now would land on the filesystem underneath"
	assert_contains "$err" "error: shared_volumes.logs: directory '/srv/logs' is not on a managed ZFS dataset"
	assert_contains "$err" "plan has 2 errors (in dirs): apply would refuse to run"
	ph apply -c "$WORK/t10.json" --root "$R" --yes
	assert_rc 1
	assert_contains "$err" "refusing to apply: the plan has 2 errors (in dirs); nothing was changed"
	assert_eq "$(tree_sum)" "$before" "(nothing changed)"
	# mounted again, and the unmanaged one marked: the directory is made like a mount point's
	zfs mount "$P/lxc-persistent-data" || return 1
	jq '.shared_volumes.logs.outside_zfs = true' "$WORK/t10.json" >"$WORK/t10b.json"
	ph plan -c "$WORK/t10b.json" --root "$R"
	assert_contains "$out" "+ create directory /$P/lxc-persistent-data/certs"
	assert_contains "$out" "    declared by shared_volumes.certs"
	assert_contains "$out" "+ create directory /srv/logs"
	assert_not_contains "$err" "error:"
}

run_tests
