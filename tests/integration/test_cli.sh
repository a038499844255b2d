#!/usr/bin/env bash
# Integration: scoped runs (--only), the JSON output of every command, and
# what a failed apply prints, against real zfs-fuse. NFS runs with --root and
# an exportfs stand-in, so the host's export table is never read or changed.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
command -v jq >/dev/null || { echo "jq not installed"; exit 1; }
trap cleanup_all EXIT

ROOT=$WORK/root
mkdir -p "$ROOT/etc/exports.d"

# rpool NAME: a pool made by hand, mounted under --root (tracked for cleanup).
rpool() {
	zpool create -m "$ROOT/$1" "$1" "$(vdev "$1")" >/dev/null || return 1
	POOLS_CREATED+=("$1")
}

# An exportfs that shows an empty table and logs its calls to $WORK/exportfs-calls.
cat >"$WORK/exportfs-empty" <<EOF
#!/bin/sh
echo "exportfs \$*" >>"$WORK/exportfs-calls"
exit 0
EOF
chmod +x "$WORK/exportfs-empty"

# cfg FILE POOL DATASETS_JSON [EXPORTS_JSON]: a pool to create on a file vdev, its datasets, and
# kernel NFS exports (no nfs section without EXPORTS_JSON).
cfg() {
	local nfs=""
	[ -n "${4:-}" ] && nfs=", \"nfs\": { \"exports\": $4 }"
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$2", "raid_level": "single", "disks": ["$WORK/vdev-$2"], "mountpoint": "$ROOT/$2" } ],
           "datasets": $3 }$nfs }
JSON
}

test_only_zfs_creates_the_pools_when_exportfs_is_missing() {
	local q; q=$(pool_name oz); vdev "$q" >/dev/null
	cfg "$WORK/c.json" "$q" "[ { \"name\": \"data\", \"pool\": \"$q\", \"properties\": \"quota=64M\" } ]" \
		"[ { \"path\": \"$ROOT/$q/data\", \"clients\": [\"10.0.0.0/24\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	export PHOENIX_EXPORTFS=$WORK/no-such/exportfs
	# without --only: the nfs error blocks everything, and the message names the way forward
	ph plan -c "$WORK/c.json" --root "$ROOT"
	assert_rc 1
	assert_contains "$out" "+ create pool $q"
	assert_contains "$err" "plan has 1 error (in nfs): apply would refuse to run"
	assert_contains "$err" "  hint: plan and apply the other layers with --only zfs,dirs,samba,pve"
	ph apply -c "$WORK/c.json" --root "$ROOT" --yes
	assert_rc 1
	assert_contains "$err" "refusing to apply: the plan has 1 error (in nfs); nothing was changed"
	assert_contains "$err" "  hint: apply the other layers with --only zfs,dirs,samba,pve"
	! zpool list -H -o name "$q" >/dev/null 2>&1 || fail "pool $q was created by a refused apply"
	# --only zfs: the pool and its dataset are created; nfs is not even looked at
	ph apply -c "$WORK/c.json" --root "$ROOT" --yes --only zfs
	assert_rc 0
	POOLS_CREATED+=("$q")
	assert_contains "$out" "+ create pool $q"
	assert_contains "$out" "+ create dataset $q/data (quota=64M)"
	assert_not_contains "$out" "nfs"
	assert_not_contains "$err" "exportfs"
	assert_eq "$(zfs get -H -o value quota "$q/data")" "64M"
	ph plan -c "$WORK/c.json" --root "$ROOT" --only zfs
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
}

test_only_zfs_starts_no_program_of_another_subsystem() {
	local q; q=$(pool_name on); vdev "$q" >/dev/null
	cfg "$WORK/c.json" "$q" "[ { \"name\": \"d\", \"pool\": \"$q\" } ]" \
		"[ { \"path\": \"$ROOT/$q/d\", \"clients\": [\"10.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	export PHOENIX_EXPORTFS=$WORK/exportfs-empty
	: >"$WORK/exportfs-calls"
	ph plan -c "$WORK/c.json" --root "$ROOT" --only zfs
	assert_rc 2
	assert_contains "$out" "+ create pool $q"
	assert_not_contains "$out" "nfs"
	assert_eq "$(cat "$WORK/exportfs-calls")" "" "(exportfs ran under --only zfs)"
	ph status -c "$WORK/c.json" --root "$ROOT" --only zfs --json
	assert_rc 0
	assert_eq "$(jq -r 'has("zfs"), has("nfs"), (.diagnostics | type)' <<<"$out" | tr '\n' ' ')" "true false array "
	assert_eq "$(cat "$WORK/exportfs-calls")" "" "(exportfs ran under status --only zfs)"
	# without --only the same plan reads the export table
	ph plan -c "$WORK/c.json" --root "$ROOT"
	assert_rc 2
	assert_contains "$out" "+ nfs export $ROOT/$q/d to 10.0.0.1 (ro,no_subtree_check)"
	assert_eq "$(cat "$WORK/exportfs-calls")" "exportfs -v"
}

test_only_zfs_applies_although_the_nfs_section_is_wrong() {
	local q; q=$(pool_name ow); vdev "$q" >/dev/null
	cfg "$WORK/c.json" "$q" "[]" "[ { \"path\": \"$ROOT/$q/\", \"clients\": [\"10.0.0.300\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --root "$ROOT" --yes
	assert_rc 1
	assert_contains "$err" "error: nfs.exports[0].clients[0]: invalid client '10.0.0.300'"
	assert_contains "$err" "refusing to apply: the config has 2 errors (in nfs); nothing was changed"
	assert_contains "$err" "  hint: apply the other layers with --only zfs,dirs,samba,pve"
	ph validate -c "$WORK/c.json" --only zfs
	assert_rc 0
	assert_eq "$out" "$WORK/c.json: valid (0 warnings); checked only: zfs"
	ph apply -c "$WORK/c.json" --root "$ROOT" --yes --only zfs
	assert_rc 0
	POOLS_CREATED+=("$q")
	assert_contains "$out" "+ create pool $q"
	assert_eq "$(zpool list -H -o name "$q")" "$q"
}

test_only_nfs_refuses_an_export_on_a_dataset_only_zfs_would_create() {
	local q; q=$(pool_name nc)
	rpool "$q"
	cfg "$WORK/c.json" "$q" "[ { \"name\": \"new\", \"pool\": \"$q\" } ]" "[
	  { \"path\": \"$ROOT/$q/new\", \"clients\": [\"10.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	export PHOENIX_EXPORTFS=$WORK/exportfs-empty
	ph plan -c "$WORK/c.json" --root "$ROOT" --only nfs
	assert_rc 1
	assert_contains "$err" "error: nfs.exports[0].path: dataset '$q/new' that holds export '$ROOT/$q/new' does not exist yet: the zfs part of the plan creates it, and zfs is not in this run (--only)"
	assert_contains "$err" "  hint: add zfs to --only, or apply it first: the export would show the filesystem underneath"
	ph apply -c "$WORK/c.json" --root "$ROOT" --only nfs --yes
	assert_rc 1
	[ ! -e "$ROOT/$q/new" ] || fail "the export root was made on the pool's filesystem"
	# with zfs in the run, the dataset comes first and the export after it
	ph plan -c "$WORK/c.json" --root "$ROOT" --only zfs,nfs
	assert_rc 2
	assert_contains "$out" "+ create dataset $q/new"
	assert_contains "$out" "+ nfs export $ROOT/$q/new to 10.0.0.1 (ro,no_subtree_check)"
}

test_only_nfs_plans_only_nfs_and_still_guards_mounts() {
	local q; q=$(pool_name nf)
	rpool "$q"
	zfs create -o phoenix:managed=true "$q/share" >/dev/null
	zfs create "$q/byhand" >/dev/null
	# zfs has a change pending (the quota); nfs exports a managed dataset and one the config does not manage
	cfg "$WORK/c.json" "$q" "[ { \"name\": \"share\", \"pool\": \"$q\", \"properties\": \"quota=32M\" } ]" "[
	  { \"path\": \"$ROOT/$q/share\", \"clients\": [\"10.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	export PHOENIX_EXPORTFS=$WORK/exportfs-empty
	ph plan -c "$WORK/c.json" --root "$ROOT" --only nfs
	assert_rc 2
	assert_contains "$out" "+ nfs export $ROOT/$q/share to 10.0.0.1 (ro,no_subtree_check)"
	assert_not_contains "$out" "quota"
	assert_not_contains "$out" "$q/share quota"
	ph plan -c "$WORK/c.json" --root "$ROOT"
	assert_rc 2
	assert_contains "$out" "~ $q/share quota"
	# the mount guard still reads the ZFS view: an export on a dataset the config does not manage is refused
	cfg "$WORK/d.json" "$q" "[ { \"name\": \"share\", \"pool\": \"$q\" } ]" "[
	  { \"path\": \"$ROOT/$q/byhand\", \"clients\": [\"10.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph plan -c "$WORK/d.json" --root "$ROOT" --only nfs
	assert_rc 1
	assert_contains "$err" "error: nfs.exports[0].path: export '$ROOT/$q/byhand' is not on a managed zfs dataset"
	assert_contains "$err" "plan has 1 error (in nfs): apply would refuse to run"
	assert_not_contains "$err" "hint: plan and apply the other layers"
}

test_unknown_subsystem_is_an_error_listing_the_known_ones() {
	cfg "$WORK/c.json" "$(pool_name un)" "[]" "[]"
	local c yes
	for c in validate plan apply status; do
		yes=(); [ "$c" = apply ] && yes=(--yes)
		ph "$c" -c "$WORK/c.json" --root "$ROOT" --only zfs,nfss "${yes[@]}"
		assert_rc 1 "($c)"
		assert_contains "$err" "error: --only: unknown subsystem 'nfss'"
		assert_contains "$err" "  hint: name subsystems from this list, separated by commas: zfs,dirs,nfs,samba,pve,snapshots,health (e.g. --only zfs)"
	done
	ph plan -c "$WORK/c.json" --root "$ROOT" --only zfs,
	assert_rc 1
	assert_contains "$err" "error: --only: an empty subsystem name"
	ph plan -c "$WORK/c.json" --root "$ROOT" --only nfss --json
	assert_rc 1
	assert_eq "$(jq -r '.ok, (.actions | length), .diagnostics[0].message, .diagnostics[0].severity' <<<"$out" | tr '\n' '|')" \
		"false|0|--only: unknown subsystem 'nfss'|error|"
}

# keys OBJECT_JSON: the sorted keys of a diagnostic, on one line.
keys() { jq -r 'keys_unsorted | sort | join(",")' <<<"$1"; }
DIAG_KEYS=column,file,hint,level,line,message,path,severity,subsystem

test_validate_json() {
	cat >"$WORK/c.json" <<'JSON'
{ "zfs": { "pools": [ { "name": "tank", "raid_level": "mirror", "disks": ["/dev/null"] } ] } }
JSON
	ph validate -c "$WORK/c.json" --json
	assert_rc 1
	assert_eq "$(jq -r '.config, .valid, .errors, (.checked | join(","))' <<<"$out" | tr '\n' '|')" \
		"$WORK/c.json|false|1|zfs,dirs,nfs,samba,pve,snapshots,health|"
	local d; d=$(jq -c '.diagnostics[0]' <<<"$out")
	assert_eq "$(keys "$d")" "$DIAG_KEYS"
	assert_eq "$(jq -r '[.severity, .file, .line, .column, .path, .subsystem, .message, .hint] | join("|")' <<<"$d")" \
		"error|$WORK/c.json|1|74|zfs.pools[0].disks|zfs|raid_level 'mirror' needs at least 2 disks, 1 given|add disks or choose another raid_level"
	# stdout is the JSON alone; the text diagnostics are on stderr as always
	assert_contains "$err" "$WORK/c.json:1:74: error: zfs.pools[0].disks: raid_level 'mirror' needs at least 2 disks, 1 given"
	ph validate -c "$WORK/c.json" --json --only nfs
	assert_rc 1
	assert_eq "$(jq -r '(.checked | join(",")), .valid' <<<"$out" | tr '\n' '|')" "zfs,nfs|false|"
	echo '{ "nfs": { "exports": [] } }' >"$WORK/v.json"
	ph validate -c "$WORK/v.json" --json
	assert_rc 0
	assert_eq "$(jq -c '[.valid, .errors, .warnings, .diagnostics]' <<<"$out")" '[true,0,0,[]]'
	ph validate -c "$WORK/v.json" --only nfs
	assert_rc 0
	assert_eq "$out" "$WORK/v.json: valid (0 warnings); checked only: zfs, nfs"
}

test_plan_json_on_a_config_error() {
	cat >"$WORK/c.json" <<'JSON'
{ "zfs": { "pools": [ { "name": "tank", "raid_level": "single", "disks": ["/dev/null"] } ],
           "datasets": [ { "name": "d", "pool": "tnak" } ] } }
JSON
	ph plan -c "$WORK/c.json" --json
	assert_rc 1
	assert_eq "$(jq -r '.ok, (.actions | length), (.errors_in | join(",")), (.other_layers | join(","))' <<<"$out" | tr '\n' '|')" \
		"false|0|zfs||"
	local d; d=$(jq -c '.diagnostics[] | select(.path == "zfs.datasets[0].pool")' <<<"$out")
	assert_eq "$(keys "$d")" "$DIAG_KEYS"
	assert_eq "$(jq -r '[.severity, .file, .line, .column, .message, .hint, .subsystem] | join("|")' <<<"$d")" \
		"error|$WORK/c.json|2|49|unknown pool 'tnak'|declare the pool in zfs.pools or use one of: 'tank'|zfs"
}

test_plan_json_names_the_layer_with_errors() {
	local q; q=$(pool_name pj); vdev "$q" >/dev/null
	cfg "$WORK/c.json" "$q" "[ { \"name\": \"d\", \"pool\": \"$q\" } ]" "[ { \"path\": \"$ROOT/$q/d\", \"clients\": [\"10.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	export PHOENIX_EXPORTFS=$WORK/no-such/exportfs
	ph plan -c "$WORK/c.json" --root "$ROOT" --json
	assert_rc 1
	assert_eq "$(jq -r '.ok, (.errors_in | join(",")), (.other_layers | join(",")), ([.actions[] | select(.subsystem == "zfs") | .kind] | join(","))' <<<"$out" | tr '\n' '|')" \
		"false|nfs|zfs,dirs,samba,pve,snapshots,health|create-pool,create-dataset|"
	assert_eq "$(jq -r '[.diagnostics[] | select(.severity == "error") | .subsystem] | join(",")' <<<"$out")" "nfs"
}

test_apply_json_lines() {
	local q; q=$(pool_name aj); vdev "$q" >/dev/null
	cfg "$WORK/c.json" "$q" "[ { \"name\": \"a\", \"pool\": \"$q\" } ]" "[]"
	ph apply -c "$WORK/c.json" --root "$ROOT" --json
	assert_rc 1
	assert_contains "$err" "error: apply --json needs --yes"
	ph apply -c "$WORK/c.json" --root "$ROOT" --json --yes --only zfs
	assert_rc 0
	POOLS_CREATED+=("$q")
	# every line is one JSON object
	assert_eq "$(jq -c . <<<"$out" | wc -l)" "$(wc -l <<<"$out")"
	assert_eq "$(jq -r '.event' <<<"$out" | tr '\n' ' ')" "started finished started finished summary "
	assert_eq "$(jq -r 'select(.event == "started") | "\(.index)/\(.total) \(.action.kind) \(.action.target) \(.action.commands[0][1])"' <<<"$out" | tr '\n' '|')" \
		"1/2 create-pool $q create|2/2 create-dataset $q/a create|"
	assert_eq "$(jq -r 'select(.event == "finished") | "\(.index) \(.result)"' <<<"$out" | tr '\n' '|')" "1 ok|2 ok|"
	assert_eq "$(tail -1 <<<"$out" | jq -c '[.ok, .applied, .planned, .diagnostics, .errors_in]')" '[true,2,2,[],[]]'
	# converged: nothing to do is one summary line
	ph apply -c "$WORK/c.json" --root "$ROOT" --json --yes --only zfs
	assert_rc 0
	assert_eq "$(jq -c '[.event, .ok, .applied, .planned]' <<<"$out")" '["summary",true,0,0]'
	# a refused apply: the summary says where the errors are
	cfg "$WORK/d.json" "$q" "[ { \"name\": \"a\", \"pool\": \"$q\" } ]" "[ { \"path\": \"$ROOT/$q/a\", \"clients\": [\"10.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	PHOENIX_EXPORTFS=$WORK/no-such/exportfs ph apply -c "$WORK/d.json" --root "$ROOT" --json --yes
	assert_rc 1
	assert_eq "$(jq -c '[.event, .ok, .applied, .errors_in, .other_layers, [.diagnostics[].severity]]' <<<"$out")" \
		'["summary",false,0,["nfs"],["zfs","dirs","samba","pve","snapshots","health"],["error"]]'
}

# A zfs that fails 'zfs create' of the dataset named $WORK/fail-on (every other call is the real zfs).
zfs_failing() {
	cat >"$WORK/zfs-failing" <<EOF
#!/bin/sh
if [ "\$1" = create ] && [ -e "$WORK/fail-on" ]; then
	for a; do [ "\$a" = "\$(cat "$WORK/fail-on")" ] && { echo "cannot create '\$a': out of space" >&2; exit 1; }; done
fi
exec zfs "\$@"
EOF
	chmod +x "$WORK/zfs-failing"
	export PHOENIX_ZFS=$WORK/zfs-failing
}

test_failed_apply_prints_the_failure_and_the_last_three_done() {
	local q; q=$(pool_name fa); vdev "$q" >/dev/null
	local ds="" i
	for i in 01 02 03 04 05 06 07 08 09 10 11 12; do ds+="${ds:+, }{ \"name\": \"d$i\", \"pool\": \"$q\" }"; done
	cfg "$WORK/c.json" "$q" "[ $ds ]"
	zfs_failing
	echo "$q/d08" >"$WORK/fail-on"
	ph apply -c "$WORK/c.json" --root "$ROOT" --yes
	assert_rc 1
	POOLS_CREATED+=("$q")
	assert_contains "$out" "+ create dataset $q/d08"
	assert_not_contains "$out" "create dataset $q/d09"
	assert_contains "$err" "error: create dataset $q/d08 failed: '$WORK/zfs-failing create -o phoenix:managed=true $q/d08' exited with status 1: cannot create '$q/d08': out of space"
	assert_contains "$err" "note: already done: 8 of 13 actions; the last three: create dataset $q/d05; create dataset $q/d06; create dataset $q/d07"
	assert_not_contains "$err" "create dataset $q/d04"
	assert_contains "$err" "  hint: fix the cause and run apply again: it continues from the current state"
	assert_eq "$(zfs list -H -o name "$q/d07")" "$q/d07"
	# the same failure as JSON lines: the failing action's command, status and stderr
	echo "$q/d10" >"$WORK/fail-on"
	ph apply -c "$WORK/c.json" --root "$ROOT" --yes --json
	assert_rc 1
	local f; f=$(jq -c 'select(.event == "finished" and .result == "failed")' <<<"$out")
	assert_eq "$(jq -r '"\(.index)/\(.total) \(.command | join(" ")) \(.status) \(.stderr)"' <<<"$f")" \
		"3/5 $WORK/zfs-failing create -o phoenix:managed=true $q/d10 1 cannot create '$q/d10': out of space"
	assert_eq "$(jq -r '.error.severity, .error.message' <<<"$f" | head -1)" "error"
	assert_eq "$(tail -1 <<<"$out" | jq -c '[.event, .ok, .applied, .planned, [.diagnostics[].severity]]')" \
		'["summary",false,2,5,["error","note"]]'
	assert_eq "$(tail -1 <<<"$out" | jq -r '.diagnostics[1].message')" \
		"already done: 2 of 5 actions: create dataset $q/d08; create dataset $q/d09"
	rm "$WORK/fail-on"
	ph apply -c "$WORK/c.json" --root "$ROOT" --yes
	assert_rc 0
	assert_contains "$out" "Applied 3 changes."
}

run_tests
