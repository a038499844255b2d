#!/usr/bin/env bash
# Integration: two Proxmox nodes on one machine. Node pve2 is a second
# zfs-fuse daemon in its own mount namespace (private /var/run/zfs,
# /var/lib/zfs and /var/lock/zfs, so its socket, cache and lock are its
# own) with a pool of the SAME name as this node's; the tool reaches it
# through PHOENIX_SSH, a stand-in for ssh that runs the remote command line
# with a shell inside that namespace (so the remote quoting is what a real
# ssh would hand the remote shell). The test starts and stops that daemon
# itself and never touches the main one.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
command -v unshare >/dev/null && command -v nsenter >/dev/null || { echo "SKIP: needs unshare and nsenter"; echo SUITE-DONE; exit 0; }

NODE_PID=
# node_start: the second daemon; NODE_PID is a process in its mount namespace.
node_start() {
	unshare --mount --propagation private sh -c 'for d in /var/run/zfs /var/lib/zfs /var/lock/zfs; do
		mkdir -p $d; mount -t tmpfs tmpfs $d; done
		zfs-fuse --no-kstat-mount -p /var/run/zfs/pid || exit 1
		exec sleep 100000' &
	NODE_PID=$!
	local i
	for i in $(seq 1 100); do
		node zpool list >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "the second zfs-fuse did not answer"
}

# node CMD...: runs CMD in node pve2's namespace.
node() { nsenter -t "$NODE_PID" -m -- "$@"; }

# node_stop: its pools destroyed, its daemon and the namespace's holder stopped (by their pids).
node_stop() {
	[ -n "$NODE_PID" ] || return 0
	local p i dpid
	for p in $(node zpool list -H -o name 2>/dev/null); do
		for i in 1 2 3 4 5 6 7 8 9 10; do node zpool destroy -f "$p" >/dev/null 2>&1 && break; sleep 0.5; done
	done
	dpid=$(node cat /var/run/zfs/pid 2>/dev/null || true)
	if [ -n "$dpid" ]; then kill "$dpid" 2>/dev/null || true; fi
	for i in $(seq 1 50); do [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
	kill "$NODE_PID" 2>/dev/null || true
	wait "$NODE_PID" 2>/dev/null || true
	NODE_PID=
}

# fake_ssh FILE: the PHOENIX_SSH stand-in ([-o OPT]... HOST COMMAND...), logging each HOST to FILE.log.
fake_ssh() {
	cat >"$1" <<EOF
#!/bin/sh
while [ \$# -gt 0 ]; do case \$1 in -o) shift 2;; -*) shift;; *) break;; esac; done
echo "\$1" >>"$1.log"
shift
exec nsenter -t $NODE_PID -m -- /bin/sh -c "\$*"
EOF
	chmod +x "$1"
}

test_replication_to_a_second_node_with_a_pool_of_the_same_name() {
	trap 'rc=$?; node_stop; exit $rc' EXIT
	node_start
	local pool; pool=$(pool_name same)
	mkpool "$pool" "$(vdev a 128M)"
	node zpool create -m "$WORK/mnt-b" "$pool" "$(vdev b 128M)" 2>&1 | grep -v "^Defaulting" >&2 || true
	node zpool list -H -o name "$pool" >/dev/null || fail "no pool $pool on the second node"
	zfs create "$pool/data"
	dd if=/dev/urandom of="$WORK/mnt-$pool/data/blob" bs=1M count=1 2>/dev/null
	fake_ssh "$WORK/ssh"
	cat >"$WORK/c.json" <<JSON
{ "cluster": { "nodes": { "pve1": { "address": "10.0.0.13" }, "pve2": { "address": "10.0.0.14" } } },
  "zfs": { "pools": [ { "name": "$pool", "raid_level": "single", "disks": ["$WORK/vdev-a"], "mountpoint": "$WORK/mnt-$pool" } ],
    "snapshot_policies": { "p": { "keep": { "hourly": 24 } } },
    "datasets": [ { "name": "data", "pool": "$pool", "snapshots": { "policy": "p" } } ],
    "replication": [ { "source": "$pool/data", "target": { "node": "pve2", "dataset": "$pool/data" } } ] } }
JSON
	local s1=phoenix_2026-01-05T100000Z_hourly s2=phoenix_2026-01-05T110000Z_hourly
	export PHOENIX_SSH=$WORK/ssh
	ph run -c "$WORK/c.json" --node pve1 --now 2026-01-05T10:00:00Z
	assert_rc 0
	assert_contains "$out" "+ replicated $pool/data to pve2:$pool/data: @$s1, 1 snapshot (full), "
	# every call went to root@ the node's address
	assert_eq "$(sort -u "$WORK/ssh.log")" "root@10.0.0.14"
	# the other node has the replica, with the same guid, read-only, unmounted
	assert_eq "$(node zfs get -H -p -o value guid "$pool/data@$s1")" "$(zfs get -H -p -o value guid "$pool/data@$s1")"
	assert_eq "$(node zfs get -H -o value readonly,canmount,mounted "$pool/data" | tr '\n' ' ')" "on noauto no "
	echo more >"$WORK/mnt-$pool/data/more"
	ph run --snapshot -c "$WORK/c.json" --node pve1 --now 2026-01-05T11:00:00Z
	ph run --replicate -c "$WORK/c.json" --node pve1 --now 2026-01-05T11:00:00Z --dry-run -v
	assert_rc 2
	assert_contains "$out" "> replicate $pool/data to pve2:$pool/data: 1 snapshot behind (@$s1 to @$s2)"
	assert_contains "$out" "\$ zfs send -I @$s1 $pool/data@$s2 | ssh -o BatchMode=yes root@10.0.0.14 'zfs receive $pool/data'"
	ph run --replicate -c "$WORK/c.json" --node pve1 --now 2026-01-05T11:00:00Z
	assert_rc 0
	assert_eq "$(node zfs get -H -p -o value guid "$pool/data@$s2")" "$(zfs get -H -p -o value guid "$pool/data@$s2")"
	assert_eq "$(node zfs get -H -o value userrefs "$pool/data@$s2")/$(node zfs get -H -o value userrefs "$pool/data@$s1")" "1/0"
	# the data, byte for byte, read inside the other node
	node zfs mount "$pool/data"
	assert_eq "$(node sha256sum "$WORK/mnt-b/data/blob" | cut -d' ' -f1)" "$(sha256sum "$WORK/mnt-$pool/data/blob" | cut -d' ' -f1)"
	assert_eq "$(node cat "$WORK/mnt-b/data/more")" more
	node zfs unmount "$pool/data"
	# on pve2 the job is the other node's: nothing to send from here
	ph run --replicate -c "$WORK/c.json" --node pve2 --now 2026-01-05T11:30:00Z --dry-run
	assert_rc 0
	assert_not_contains "$out" "replicate"
	# status on pve1 reads the lag through the same transport
	ph status -c "$WORK/c.json" --node pve1 --only snapshots --now 2026-01-05T11:30:00Z
	assert_contains "$out" "$pool/data to pve2:$pool/data: in sync at @$s2
    lag 30 min, last success 30 min ago"
}

test_two_roots_sharing_etc_pve_write_one_storage_with_its_nodes_line() {
	local pool; pool=$(pool_name pve)
	mkpool "$pool" "$(vdev c 128M)"
	# node pve1's and pve2's host trees; etc/pve is one directory bind-mounted into both (pmxcfs is one per cluster)
	mkdir -p "$WORK/pve-shared" "$WORK/rootA/etc/pve" "$WORK/rootB/etc/pve"
	mount --bind "$WORK/pve-shared" "$WORK/rootA/etc/pve"
	mount --bind "$WORK/pve-shared" "$WORK/rootB/etc/pve"
	trap 'rc=$?; umount "$WORK/rootA/etc/pve" "$WORK/rootB/etc/pve" 2>/dev/null || true; exit $rc' EXIT
	printf 'dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n' >"$WORK/pve-shared/storage.cfg"
	cat >"$WORK/c.json" <<JSON
{ "cluster": { "nodes": { "pve1": { "address": "10.0.0.13" }, "pve2": { "address": "10.0.0.14" } } },
  "zfs": { "pools": [ { "name": "$pool", "nodes": ["pve1", "pve2"], "raid_level": "single", "disks": ["$WORK/vdev-c"],
                        "mountpoint": "$WORK/mnt-$pool" } ],
    "datasets": [ { "name": "vm", "pool": "$pool", "proxmox_storage_type": "zfspool", "proxmox_content_type": "images" } ] } }
JSON
	PHOENIX_PVE_MODE=files ph plan -c "$WORK/c.json" --root "$WORK/rootA" --node pve1
	assert_contains "$out" "zfspool on $pool/vm, content images, nodes pve1,pve2"
	PHOENIX_PVE_MODE=files ph apply -c "$WORK/c.json" --root "$WORK/rootA" --node pve1 --yes
	assert_rc 0
	local one; one=$(cat "$WORK/pve-shared/storage.cfg")
	assert_contains "$one" "zfspool: $pool-vm
	pool $pool/vm
	content images
	nodes pve1,pve2"
	# the other node applies the same config: nothing changes, byte for byte
	PHOENIX_PVE_MODE=files ph apply -c "$WORK/c.json" --root "$WORK/rootB" --node pve2 --yes
	assert_rc 0
	assert_eq "$(cat "$WORK/pve-shared/storage.cfg")" "$one"
	assert_eq "$(grep -c "^zfspool: $pool-vm\$" "$WORK/pve-shared/storage.cfg")" 1
	PHOENIX_PVE_MODE=files ph apply -c "$WORK/c.json" --root "$WORK/rootA" --node pve1 --yes
	assert_rc 0
	assert_eq "$(cat "$WORK/pve-shared/storage.cfg")" "$one"
	# the pool leaves pve2: the nodes line follows
	sed -i 's/"nodes": \["pve1", "pve2"\]/"nodes": ["pve1"]/' "$WORK/c.json"
	PHOENIX_PVE_MODE=files ph plan -c "$WORK/c.json" --root "$WORK/rootA" --node pve1
	assert_contains "$out" "nodes pve1,pve2 -> pve1"
	# an unknown node is a config error
	sed -i 's/"nodes": \["pve1"\]/"nodes": ["pve9"]/' "$WORK/c.json"
	ph validate -c "$WORK/c.json"
	assert_rc 1
	assert_contains "$err" "error: zfs.pools[0].nodes[0]: unknown node 'pve9'"
}

# shared_pve: node pve1's and pve2's trees ($WORK/rootA, rootB) with one etc/pve bind-mounted into both,
# a cluster file system with priv/ (so the tool takes its lock) and a storage.cfg of one foreign entry.
shared_pve() {
	mkdir -p "$WORK/pve-shared/priv" "$WORK/rootA/etc/pve" "$WORK/rootB/etc/pve"
	mount --bind "$WORK/pve-shared" "$WORK/rootA/etc/pve"
	mount --bind "$WORK/pve-shared" "$WORK/rootB/etc/pve"
	printf 'dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n' >"$WORK/pve-shared/storage.cfg"
}
unshare_pve() { umount "$WORK/rootA/etc/pve" "$WORK/rootB/etc/pve" 2>/dev/null || true; }

test_a_pool_of_another_node_is_left_out_of_the_plan_and_its_disks_untouched() {
	local pool far; pool=$(pool_name nh); far=$(pool_name nf)
	mkpool "$pool" "$(vdev d 128M)"
	shared_pve
	trap 'rc=$?; unshare_pve; exit $rc' EXIT
	# the far pool's disk does not exist on this node: it is never looked at
	cat >"$WORK/c.json" <<JSON
{ "cluster": { "nodes": { "pve1": { "address": "10.0.0.13" }, "pve2": { "address": "10.0.0.14" } } },
  "zfs": { "pools": [ { "name": "$pool", "raid_level": "single", "disks": ["$WORK/vdev-d"], "mountpoint": "$WORK/mnt-$pool" },
                      { "name": "$far", "nodes": ["pve2"], "raid_level": "single", "disks": ["$WORK/no-such-disk"] } ],
    "datasets": [ { "name": "here", "pool": "$pool" },
                  { "name": "there", "pool": "$pool", "nodes": ["pve2"], "proxmox_storage_type": "zfspool",
                    "proxmox_content_type": "images" },
                  { "name": "far", "pool": "$far", "proxmox_storage_type": "zfspool", "proxmox_content_type": "images" } ] },
  "persistent_storage": { "directories": [ { "path": "$WORK/mnt-$pool/there/svc" } ] } }
JSON
	PHOENIX_PVE_MODE=files ph plan -c "$WORK/c.json" --root "$WORK/rootA" --node pve1
	assert_contains "$out" "= zfs: pool $far is on pve2 only (not this node, pve1)"
	assert_contains "$out" "= zfs: dataset $pool/there is on pve2 only (not this node, pve1)"
	assert_contains "$out" "= dirs: directory $WORK/mnt-$pool/there/svc is on dataset $pool/there, which is on other nodes (not this node, pve1)"
	assert_contains "$out" "+ create dataset $pool/here"
	assert_not_contains "$out" "$far/far"
	assert_not_contains "$out" "create dataset $pool/there"
	assert_not_contains "$out" "$pool-there"
	assert_not_contains "$err" "no-such-disk"
	PHOENIX_PVE_MODE=files ph apply -c "$WORK/c.json" --root "$WORK/rootA" --node pve1 --yes
	assert_rc 0
	if zpool list "$far" >/dev/null 2>&1; then fail "pool $far was made on pve1"; fi
	if zfs list "$pool/there" >/dev/null 2>&1; then fail "$pool/there was made on pve1"; fi
	zfs list "$pool/here" >/dev/null
	# the storages of the other node's datasets are that node's to add
	assert_not_contains "$(cat "$WORK/pve-shared/storage.cfg")" "$pool-there"
	ph status -c "$WORK/c.json" --root "$WORK/rootA" --node pve1
	assert_not_contains "$out" "$far"
	# no lock directory is left
	assert_eq "$(ls -A "$WORK/pve-shared/priv/lock" 2>/dev/null)" ""
}

# the config of the lock tests: one storage on an existing pool
lock_config() {
	cat >"$WORK/c.json" <<JSON
{ "cluster": { "nodes": { "pve1": { "address": "10.0.0.13" }, "pve2": { "address": "10.0.0.14" } } },
  "zfs": { "pools": [ { "name": "$1", "raid_level": "single", "disks": ["$WORK/vdev-e"], "mountpoint": "$WORK/mnt-$1" } ],
    "datasets": [ { "name": "vm", "pool": "$1", "proxmox_storage_type": "zfspool", "proxmox_content_type": "images" } ] } }
JSON
}

test_a_held_cluster_lock_refuses_the_storage_cfg_write_and_a_released_one_lets_it_through() {
	local pool; pool=$(pool_name nl)
	mkpool "$pool" "$(vdev e 128M)"
	shared_pve
	trap 'rc=$?; unshare_pve; exit $rc' EXIT
	lock_config "$pool"
	local lock="$WORK/pve-shared/priv/lock/file-storage_cfg" before
	before=$(sha256sum <"$WORK/pve-shared/storage.cfg")
	# held by another node: apply waits 10 s, then fails and writes nothing
	mkdir -p "$lock"
	local t0=$SECONDS
	PHOENIX_PVE_MODE=files ph apply -c "$WORK/c.json" --root "$WORK/rootB" --node pve2 --yes
	assert_eq "$rc" 1 "(apply failure)"
	assert_contains "$err" "cannot take the cluster lock of /etc/pve/storage.cfg: $WORK/rootB/etc/pve/priv/lock/file-storage_cfg is held by another node or a Proxmox tool (waited 10 s); nothing was written"
	[ $((SECONDS - t0)) -ge 9 ] || fail "gave up after $((SECONDS - t0)) s, not 10"
	assert_eq "$(sha256sum <"$WORK/pve-shared/storage.cfg")" "$before"
	[ -d "$lock" ] || fail "the other holder's lock was removed"
	# the ownership intent was rolled back: the next plan adds it again, nothing to complete
	PHOENIX_PVE_MODE=files ph plan -c "$WORK/c.json" --root "$WORK/rootB" --node pve2
	assert_contains "$out" "+ add Proxmox storage"
	assert_not_contains "$out" "complete the ownership record"
	# released 3 s later by its holder: apply waits for it and writes
	( sleep 3; rmdir "$lock" ) &
	local bg=$!
	PHOENIX_PVE_MODE=files ph apply -c "$WORK/c.json" --root "$WORK/rootB" --node pve2 --yes
	wait "$bg"
	assert_rc 0
	assert_contains "$(cat "$WORK/pve-shared/storage.cfg")" "zfspool: $pool-vm"
	assert_eq "$(ls -A "$WORK/pve-shared/priv/lock")" ""
	# the lock request of a waiting writer: the holder's directory got times 0 (pmxcfs drops an expired lock)
	mkdir "$lock"
	touch -d '2026-01-01' "$lock"
	sed -i 's/"images"/"images,rootdir"/' "$WORK/c.json"
	( sleep 2; stat -c %Y "$lock" >"$WORK/mtime"; rmdir "$lock" ) &
	bg=$!
	PHOENIX_PVE_MODE=files ph apply -c "$WORK/c.json" --root "$WORK/rootB" --node pve2 --yes
	wait "$bg"
	assert_rc 0
	assert_eq "$(cat "$WORK/mtime")" 0
	assert_contains "$(cat "$WORK/pve-shared/storage.cfg")" "content images,rootdir"
}

test_an_export_and_a_share_of_another_node_are_left_out_with_their_directory() {
	mkdir -p "$WORK/rootN"
	cat >"$WORK/c.json" <<JSON
{ "cluster": { "nodes": { "pve1": { "address": "10.0.0.13" }, "pve2": { "address": "10.0.0.14" } } },
  "nfs": { "exports": [ { "path": "$WORK/render", "clients": ["10.0.0.0/24"], "options": ["rw", "no_subtree_check"],
                          "outside_zfs": true, "nodes": ["pve2"] } ] },
  "samba": { "shares": [ { "name": "render", "path": "$WORK/render", "outside_zfs": true, "nodes": ["pve2"] } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/rootN" --node pve1
	assert_contains "$out" "= nfs: export $WORK/render is on pve2 only (not this node, pve1)"
	assert_contains "$out" "= samba: share render is on pve2 only (not this node, pve1)"
	assert_contains "$out" "= dirs: directory $WORK/render is on pve2 only (not this node, pve1)"
	assert_contains "$out" "(0 exports)"
	assert_not_contains "$out" "create directory"
	ph plan --json -c "$WORK/c.json" --root "$WORK/rootN" --node pve1
	assert_eq "$(jq -r '.other_nodes | length' <<<"$out")" 3
	# on pve2 they are planned
	ph plan -c "$WORK/c.json" --root "$WORK/rootN" --node pve2
	assert_contains "$out" "+ create directory $WORK/render"
	assert_contains "$out" "+ nfs export $WORK/render to 10.0.0.0/24"
}

run_tests
