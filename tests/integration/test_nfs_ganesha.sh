#!/usr/bin/env bash
# Integration: NFS exports served by nfs-ganesha (VFS FSAL) on loopback, on
# non-standard ports, proven from the client side with libnfs-utils
# (nfs-ls, nfs-cat, nfs-cp). The suite starts rpcbind (unless one answers)
# and its own ganesha.nfsd with its own config, log and pid file under $WORK,
# and stops what it started at the end.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
for p in ganesha.nfsd rpcbind rpcinfo nfs-ls nfs-cat nfs-cp; do
	command -v "$p" >/dev/null || { echo "missing $p (nfs-ganesha, nfs-ganesha-vfs, rpcbind, libnfs-utils)"; exit 1; }
done

NFS_PORT=${PH_TEST_NFS_PORT:-24049}
MNT_PORT=${PH_TEST_MNT_PORT:-24050}
G=$WORK/ganesha
mkdir -p "$G"
RPCBIND_PID=
GANESHA_PID=

POOL=$(pool_name g)
mkpool "$POOL" "$(vdev g)" || exit 1
MP=$WORK/mnt-$POOL
# A foreign export written by hand in the main config: it must keep serving.
zfs create "$POOL/foreign" && chmod 1777 "$MP/foreign" && echo foreign-data >"$MP/foreign/f.txt"

cat >"$G/ganesha.conf" <<EOF
# ganesha config of the test suite (hand-written)
NFS_CORE_PARAM {
	NFS_Port = $NFS_PORT;
	MNT_Port = $MNT_PORT;
	NLM_Port = $((MNT_PORT + 1));
	Rquota_Port = $((MNT_PORT + 2));
	Bind_addr = 127.0.0.1;
	Protocols = 3, 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
}
NFSV4 { Graceless = true; }
LOG { Default_Log_Level = EVENT; }
EXPORT {
	Export_Id = 7;
	Path = "$MP/foreign";
	Pseudo = "$MP/foreign";
	Access_Type = RW;
	Squash = No_Root_Squash;
	FSAL { Name = VFS; }
}
EOF
cp "$G/ganesha.conf" "$G/ganesha.conf.orig"

suite_cleanup() {
	[ -n "$GANESHA_PID" ] && kill "$GANESHA_PID" 2>/dev/null && wait "$GANESHA_PID" 2>/dev/null
	[ -n "$RPCBIND_PID" ] && kill "$RPCBIND_PID" 2>/dev/null && wait "$RPCBIND_PID" 2>/dev/null
	cleanup_all
}
trap suite_cleanup EXIT

start_services() {
	if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
		rpcbind -f >/dev/null 2>&1 &
		RPCBIND_PID=$!
		for _ in $(seq 1 50); do rpcinfo -p 127.0.0.1 >/dev/null 2>&1 && break; sleep 0.1; done
	fi
	if ss -ltn 2>/dev/null | grep -q ":$NFS_PORT "; then
		echo "port $NFS_PORT is busy; set PH_TEST_NFS_PORT/PH_TEST_MNT_PORT"; return 1
	fi
	ganesha.nfsd -F -f "$G/ganesha.conf" -L "$G/ganesha.log" -p "$G/ganesha.pid" -N NIV_EVENT >/dev/null 2>&1 &
	GANESHA_PID=$!
	for _ in $(seq 1 100); do
		rpcinfo -p 127.0.0.1 2>/dev/null | grep -q " $MNT_PORT " && [ -s "$G/ganesha.pid" ] && return 0
		sleep 0.1
	done
	echo "ganesha.nfsd did not start; log:"; tail -20 "$G/ganesha.log"
	return 1
}
start_services || exit 1

# url PATH [QUERY]: a libnfs URL for PATH on the test server (NFSv3).
url() { echo "nfs://127.0.0.1$1?nfsport=$NFS_PORT&mountport=$MNT_PORT&version=3${2:-}"; }

# retry N CMD...: ganesha rereads exports in its signal thread; allow it a moment.
retry() { local n=$1; shift; for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.3; done; "$@"; }

# gcfg FILE INCLUDE EXPORTS_JSON: a config with the ganesha back end and the test pool.
gcfg() {
	cat >"$1" <<JSON
{
  "zfs": { "pools": [ { "name": "$POOL", "raid_level": "single", "disks": ["$WORK/vdev-g"], "mountpoint": "$MP" } ] },
  "nfs": {
    "server": "ganesha",
    "ganesha": { "config_file": "$G/ganesha.conf", "include_file": "$2", "pid_file": "$G/ganesha.pid" },
    "exports": $3
  }
}
JSON
}

managed() { zfs create -o phoenix:managed=true "$POOL/$1" >/dev/null; }
hups() { grep -c 'Received SIGHUP' "$G/ganesha.log"; }

test_allowed_client_reads_and_writes() {
	managed rw1
	gcfg "$WORK/c.json" "$G/t1.conf" "[ { \"path\": \"$MP/rw1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"sync\", \"root_squash\", \"no_subtree_check\"], \"mode\": \"1777\" } ]"
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$out" "+ nfs export $MP/rw1 to 127.0.0.1 (rw,sync,root_squash,no_subtree_check)"
	assert_contains "$out" "    no nfs-ganesha equivalent (ignored): sync, no_subtree_check"
	assert_contains "$out" "~ nfs add '%include \"$G/t1.conf\"' to $G/ganesha.conf (every other line kept)"
	assert_contains "$out" "~ nfs reload nfs-ganesha (SIGHUP to pid $GANESHA_PID; other exports keep serving)"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	echo "written over nfs" >"$WORK/in.txt"
	retry 10 nfs-cp "$WORK/in.txt" "$(url "$MP/rw1/w.txt" "&uid=1000&gid=1000")" >/dev/null 2>&1 || fail "nfs-cp failed"
	assert_eq "$(cat "$MP/rw1/w.txt")" "written over nfs"
	assert_eq "$(stat -c %u "$MP/rw1/w.txt")" 1000
	assert_eq "$(nfs-cat "$(url "$MP/rw1/w.txt" "&uid=1000&gid=1000")")" "written over nfs"
	assert_contains "$(nfs-ls "$(url "$MP/rw1/")")" "w.txt"
	ph status -c "$WORK/c.json"
	assert_contains "$out" "nfs (nfs-ganesha, $G/t1.conf), server running as pid $GANESHA_PID:"
	assert_contains "$out" "active   $MP/rw1 127.0.0.1(rw,sync,root_squash,no_subtree_check)"
	# the second apply changes nothing and does not reload the server
	local h; h=$(hups)
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
	sleep 0.5
	assert_eq "$(hups)" "$h" "(server reloaded by a no-op apply)"
}

test_export_limited_to_another_address_is_refused() {
	managed other1
	echo secret >"$MP/other1/s.txt"
	gcfg "$WORK/c.json" "$G/t2.conf" "[ { \"path\": \"$MP/other1\", \"clients\": [\"10.9.9.9\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	grep -q "Clients = 10.9.9.9;" "$G/t2.conf" || fail "block not written"
	local o
	o=$(nfs-ls "$(url "$MP/other1/")" 2>&1) && fail "listing allowed for 127.0.0.1: $o"
	assert_contains "$o" "MNT3ERR_ACCES"
	o=$(nfs-cat "$(url "$MP/other1/s.txt")" 2>&1) && fail "read allowed: $o"
	return 0
}

test_root_squash_maps_root_to_the_anonymous_id() {
	managed sq1
	gcfg "$WORK/c.json" "$G/t3.conf" "[
	  { \"path\": \"$MP/sq1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"root_squash\", \"no_subtree_check\"], \"mode\": \"1777\" } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	echo "from root" >"$WORK/root.txt"
	retry 10 nfs-cp "$WORK/root.txt" "$(url "$MP/sq1/r.txt")" >/dev/null 2>&1 || fail "nfs-cp as root failed"
	assert_eq "$(stat -c %u:%g "$MP/sq1/r.txt")" "65534:65534"
	# no_root_squash: root stays root
	gcfg "$WORK/c.json" "$G/t3.conf" "[
	  { \"path\": \"$MP/sq1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_root_squash\", \"no_subtree_check\"], \"mode\": \"1777\" } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_contains "$out" "~ nfs export $MP/sq1 options (rw,root_squash,no_subtree_check) -> (rw,no_root_squash,no_subtree_check)"
	retry 10 nfs-cp "$WORK/root.txt" "$(url "$MP/sq1/r2.txt")" >/dev/null 2>&1 || fail "nfs-cp as root failed"
	assert_eq "$(stat -c %u "$MP/sq1/r2.txt")" 0
}

test_removed_export_disappears_while_the_others_keep_serving() {
	managed keep1; managed drop1
	gcfg "$WORK/c.json" "$G/t4.conf" "[
	  { \"path\": \"$MP/keep1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] },
	  { \"path\": \"$MP/drop1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	echo keep >"$MP/keep1/k.txt"; echo drop >"$MP/drop1/d.txt"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_eq "$(retry 10 nfs-cat "$(url "$MP/drop1/d.txt")")" drop
	local id_before; id_before=$(grep -A3 "clients=127.0.0.1 options=ro" "$G/t4.conf" | grep -m1 Export_Id)
	gcfg "$WORK/c.json" "$G/t4.conf" "[
	  { \"path\": \"$MP/keep1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$out" "- nfs export $MP/drop1"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	sleep 0.5
	local o
	o=$(nfs-ls "$(url "$MP/drop1/")" 2>&1) && fail "removed export still served: $o"
	assert_eq "$(nfs-cat "$(url "$MP/keep1/k.txt")")" keep
	assert_eq "$(nfs-cat "$(url "$MP/foreign/f.txt")")" foreign-data
	assert_eq "$(grep -A3 "clients=127.0.0.1 options=ro" "$G/t4.conf" | grep -m1 Export_Id)" "$id_before"
}

test_main_config_keeps_every_other_line() {
	managed inc1
	gcfg "$WORK/c.json" "$G/t5.conf" "[ { \"path\": \"$MP/inc1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	local before; before=$(cat "$G/ganesha.conf")
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	local n; n=$(wc -l <<<"$before")
	assert_eq "$(head -n "$n" "$G/ganesha.conf")" "$before" "(existing lines changed)"
	assert_eq "$(tail -n 1 "$G/ganesha.conf")" "%include \"$G/t5.conf\""
	assert_eq "$(grep -c "%include \"$G/t5.conf\"" "$G/ganesha.conf")" 1
	ph apply -c "$WORK/c.json" --yes
	assert_eq "$(grep -c "%include \"$G/t5.conf\"" "$G/ganesha.conf")" 1 "(include added twice)"
	assert_eq "$(head -n "$(wc -l <"$G/ganesha.conf.orig")" "$G/ganesha.conf")" "$(cat "$G/ganesha.conf.orig")"
}

test_export_ids_are_read_back_from_the_file() {
	managed id1; managed id2
	gcfg "$WORK/c.json" "$G/t6.conf" "[ { \"path\": \"$MP/id1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	# an admin (or an older run) gave the path another id: it is kept
	sed -i 's/Export_Id = [0-9]*;/Export_Id = 777;/' "$G/t6.conf"
	ph plan -c "$WORK/c.json"
	assert_rc 0
	gcfg "$WORK/c.json" "$G/t6.conf" "[ { \"path\": \"$MP/id2\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] },
	  { \"path\": \"$MP/id1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_eq "$(grep -A2 "Export_Id = 777;" "$G/t6.conf" | grep Path)" "	Path = \"$MP/id1\";"
	assert_eq "$(grep -c 'Export_Id = ' "$G/t6.conf")" 2
	assert_eq "$(retry 10 nfs-ls "$(url "$MP/id2/")" >/dev/null 2>&1; echo $?)" 0
}

test_status_reports_drift_in_the_owned_file() {
	managed st1
	gcfg "$WORK/c.json" "$G/t7.conf" "[ { \"path\": \"$MP/st1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	sed -i 's/Access_Type = RO;/Access_Type = RW;/' "$G/t7.conf"
	ph status -c "$WORK/c.json" --json
	assert_rc 0
	assert_eq "$(jq -r '.nfs.exports[0].state' <<<"$out")" drifted
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$out" "~ nfs export $MP/st1 rewritten"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	ph status -c "$WORK/c.json" --json
	assert_eq "$(jq -r '.nfs.exports[0].state' <<<"$out")" active
}

test_invalid_config_changes_no_file_and_no_server() {
	managed bad1
	gcfg "$WORK/c.json" "$G/t8.conf" "[ { \"path\": \"$MP/bad1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	local inc conf h
	inc=$(md5sum <"$G/t8.conf"); conf=$(md5sum <"$G/ganesha.conf"); h=$(hups)
	gcfg "$WORK/bad.json" "$G/t8.conf" "[ { \"path\": \"$MP/bad1\", \"clients\": [\"127.0.0.1\", \"bad host\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/bad.json" --yes
	assert_rc 1
	assert_contains "$err" "error: nfs.exports[0].clients[1]: invalid client 'bad host'"
	assert_eq "$(md5sum <"$G/t8.conf")" "$inc"
	assert_eq "$(md5sum <"$G/ganesha.conf")" "$conf"
	assert_eq "$(hups)" "$h"
	gcfg "$WORK/bad.json" "$G/t8.conf" "[ { \"path\": \"$MP/bad1\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	sed -i 's/"server": "ganesha"/"server": "ganesh"/' "$WORK/bad.json"
	ph apply -c "$WORK/bad.json" --yes
	assert_rc 1
	assert_contains "$err" "error: nfs.server: unknown nfs server 'ganesh'"
	assert_contains "$err" "  hint: use \"kernel\" (nfs-kernel-server) or \"ganesha\" (nfs-ganesha)"
	assert_eq "$(md5sum <"$G/t8.conf")" "$inc"
}

run_tests
