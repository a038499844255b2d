#!/usr/bin/env bash
# Integration: pool layouts (vdevs, log, cache, special, spares) against real ZFS (zfs-fuse here;
# cache and special vdevs on OpenZFS in the guest tier).
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1

# cfg_pool FILE POOL LAYOUT: a config with one pool of the given layout members (JSON text).
cfg_pool() {
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$2", "mountpoint": "$WORK/mnt/$2", $3 } ],
           "datasets": [ { "name": "data", "pool": "$2", "properties": { "quota": "50M" } } ] } }
JSON
}

# top_vdevs POOL: the config section of zpool status, names and indentation only.
top_vdevs() { zpool status "$1" | awk '/NAME/ {on=1; next} /^errors:/ {on=0} on && NF {print $1}'; }

test_raid10_with_log_and_spare_is_created_then_nothing_to_do() {
	local p; p=$(pool_name r10)
	local a b c d e f j
	a=$(vdev "$p-a"); b=$(vdev "$p-b"); c=$(vdev "$p-c"); d=$(vdev "$p-d")
	e=$(vdev "$p-e"); f=$(vdev "$p-f"); j=$(vdev "$p-j")
	cfg_pool "$WORK/c.json" "$p" "\"vdevs\": [ { \"type\": \"mirror\", \"disks\": [\"$a\", \"$b\"] },
	                                            { \"type\": \"mirror\", \"disks\": [\"$c\", \"$d\"] } ],
	  \"log\": [ { \"type\": \"mirror\", \"disks\": [\"$e\", \"$f\"] } ], \"spares\": [\"$j\"]"
	ph validate -c "$WORK/c.json"
	assert_rc 0
	ph plan -v -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ create pool $p (2 x mirror: $a, $b | $c, $d; log mirror: $e, $f; spare: $j; ashift=12)"
	assert_contains "$out" "\$ zpool create -o ashift=12 -m $WORK/mnt/$p $p mirror $a $b mirror $c $d log mirror $e $f spare $j"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	# The pool really has that layout: two mirrors, a mirrored log, a spare.
	local want
	want=$(printf '%s\n' "$p" mirror-0 "$a" "$b" mirror-1 "$c" "$d" logs mirror-2 "$e" "$f" spares "$j")
	assert_eq "$(top_vdevs "$p")" "$want"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
	assert_eq "$err" ""
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
}

test_layout_drift_is_reported_never_changed() {
	local p; p=$(pool_name drift)
	local a b e f k
	a=$(vdev "$p-a"); b=$(vdev "$p-b"); e=$(vdev "$p-e"); f=$(vdev "$p-f"); k=$(vdev "$p-k")
	# By hand: a mirror, a single log disk, a spare the config does not know.
	mkpool "$p" mirror "$a" "$b" log "$e" spare "$k"
	cfg_pool "$WORK/c.json" "$p" "\"vdevs\": [ { \"type\": \"mirror\", \"disks\": [\"$a\", \"$b\"] } ],
	  \"log\": [ { \"type\": \"mirror\", \"disks\": [\"$e\", \"$f\"] } ]"
	local before; before=$(top_vdevs "$p")
	ph plan -c "$WORK/c.json" --root "$WORK/root" --allow-grow-pool
	assert_rc 2
	assert_contains "$err" "warning: zfs.pools[0].log[0]: pool '$p' drifted from the config: the config's log mirror: $e, $f is log: $e in the pool"
	assert_contains "$err" "warning: zfs.pools[0]: pool '$p' drifted from the config: disks not in the pool: '$f'"
	assert_contains "$err" "warning: zfs.pools[0]: pool '$p' drifted from the config: it has spare: $k, which the config does not list"
	assert_contains "$err" "hint: phoenix-storage never changes a pool's layout; change the pool by hand, or the config to match"
	# Only the dataset is planned: nothing touches the pool's layout.
	assert_not_contains "$out" "add vdev"
	assert_contains "$out" "+ create dataset $p/data"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-grow-pool
	assert_rc 0
	assert_eq "$(top_vdevs "$p")" "$before"
}

# status: the auxiliary vdevs with their group, the layout drift the plan reports (the same
# messages), the pool properties the config manages with value and source; text and --json.
test_status_shows_aux_vdevs_drift_and_pool_properties() {
	local p; p=$(pool_name stat)
	local a b e f k
	a=$(vdev "$p-a"); b=$(vdev "$p-b"); e=$(vdev "$p-e"); f=$(vdev "$p-f"); k=$(vdev "$p-k")
	mkpool "$p" mirror "$a" "$b" log "$e" spare "$k"
	zpool set autoexpand=on "$p"
	cfg_pool "$WORK/c.json" "$p" "\"vdevs\": [ { \"type\": \"mirror\", \"disks\": [\"$a\", \"$b\"] } ],
	  \"log\": [ { \"type\": \"mirror\", \"disks\": [\"$e\", \"$f\"] } ],
	  \"properties\": { \"autoexpand\": \"on\", \"autoreplace\": \"on\" }"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	local plan_drift; plan_drift=$(grep "drifted from the config" <<<"$err" | sed 's/^.*warning: [^ ]*: //')
	[ "$(wc -l <<<"$plan_drift")" = 3 ] || fail "expected 3 drift warnings from plan, got: $plan_drift"
	ph status --json -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	local pj; pj=$(jq -c --arg p "$p" '.zfs.pools[] | select(.name == $p)' <<<"$out")
	assert_eq "$(jq -r '.drift[]' <<<"$pj")" "$plan_drift" "(status drift = the plan's warnings)"
	assert_eq "$(jq -c '[.aux[] | [.group, .type, .name, ([.disks[].name] | join(","))]]' <<<"$pj")" \
		"[[\"logs\",\"disk\",\"$e\",\"$e\"],[\"spares\",\"disk\",\"$k\",\"$k\"]]"
	assert_eq "$(jq -c '[.properties[] | [.property, .value, .source, .config, .converged]]' <<<"$pj")" \
		'[["autoexpand","on","local","on",true],["autoreplace","off","default","on",false]]'
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "    logs $e ONLINE"
	assert_contains "$out" "    spares $k AVAIL"
	assert_contains "$out" "    property autoexpand on (local)"
	assert_contains "$out" "    property autoreplace off (default), the config says on"
	assert_contains "$out" "    drift: pool '$p' drifted from the config: it has spare: $k, which the config does not list"
	# a pool that matches: no drift, its mirror log listed with its disks
	local q; q=$(pool_name st2)
	local c d g h
	c=$(vdev "$q-c"); d=$(vdev "$q-d"); g=$(vdev "$q-g"); h=$(vdev "$q-h")
	mkpool "$q" mirror "$c" "$d" log mirror "$g" "$h"
	cfg_pool "$WORK/q.json" "$q" "\"vdevs\": [ { \"type\": \"mirror\", \"disks\": [\"$c\", \"$d\"] } ],
	  \"log\": [ { \"type\": \"mirror\", \"disks\": [\"$g\", \"$h\"] } ]"
	ph status --json -c "$WORK/q.json" --root "$WORK/root"
	pj=$(jq -c --arg p "$q" '.zfs.pools[] | select(.name == $p)' <<<"$out")
	assert_eq "$(jq -c '[.drift, .properties]' <<<"$pj")" '[[],[]]'
	assert_eq "$(jq -c '[.aux[] | [.group, .type, ([.disks[].name] | join(","))]]' <<<"$pj")" "[[\"logs\",\"mirror\",\"$g,$h\"]]"
	ph status -c "$WORK/q.json" --root "$WORK/root"
	assert_contains "$out" "    logs $(jq -r '.aux[0].name' <<<"$pj") ONLINE: $g ONLINE, $h ONLINE"
	assert_not_contains "$out" "drift:"
}

test_a_data_vdev_is_added_only_with_allow_grow_pool() {
	local p; p=$(pool_name grow)
	local a b c d
	a=$(vdev "$p-a"); b=$(vdev "$p-b"); c=$(vdev "$p-c"); d=$(vdev "$p-d")
	cfg_pool "$WORK/c.json" "$p" "\"raid_level\": \"mirror\", \"disks\": [\"$a\", \"$b\"]"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	cfg_pool "$WORK/c.json" "$p" "\"vdevs\": [ { \"type\": \"mirror\", \"disks\": [\"$a\", \"$b\"] },
	                                            { \"type\": \"mirror\", \"disks\": [\"$c\", \"$d\"] } ]"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
	assert_contains "$err" "warning: zfs.pools[0].vdevs[1]: pool '$p' lacks the config's mirror: $c, $d"
	assert_contains "$err" "hint: to add it, run apply with --allow-grow-pool (zpool add: on most ZFS versions a data or special vdev cannot be removed again)"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zpool status "$p" | grep -c 'mirror-1')" 0
	ph plan -v -c "$WORK/c.json" --root "$WORK/root" --allow-grow-pool
	assert_rc 2
	assert_contains "$out" "+ add vdev mirror: $c, $d to pool $p"
	assert_contains "$out" "irreversible on most ZFS versions"
	assert_contains "$out" "\$ zpool add $p mirror $c $d"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-grow-pool
	assert_rc 0
	local want
	want=$(printf '%s\n' "$p" mirror-0 "$a" "$b" mirror-1 "$c" "$d")
	assert_eq "$(top_vdevs "$p")" "$want"
	ph plan -c "$WORK/c.json" --root "$WORK/root" --allow-grow-pool
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
	assert_eq "$err" ""
}

test_no_vdev_is_added_to_a_drifted_pool() {
	local p; p=$(pool_name dgrow)
	local a b c d k
	a=$(vdev "$p-a"); b=$(vdev "$p-b"); c=$(vdev "$p-c"); d=$(vdev "$p-d"); k=$(vdev "$p-k")
	mkpool "$p" mirror "$a" "$b" spare "$k"
	cfg_pool "$WORK/c.json" "$p" "\"vdevs\": [ { \"type\": \"mirror\", \"disks\": [\"$a\", \"$b\"] },
	                                            { \"type\": \"mirror\", \"disks\": [\"$c\", \"$d\"] } ]"
	local before; before=$(top_vdevs "$p")
	ph plan -c "$WORK/c.json" --root "$WORK/root" --allow-grow-pool
	assert_rc 2
	assert_contains "$err" "warning: zfs.pools[0]: pool '$p' drifted from the config: it has spare: $k, which the config does not list"
	assert_contains "$err" "warning: zfs.pools[0].vdevs[1]: pool '$p' lacks the config's mirror: $c, $d; not added while the pool's layout differs from the config"
	assert_not_contains "$out" "add vdev"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-grow-pool
	assert_rc 0
	assert_eq "$(top_vdevs "$p")" "$before"
}

test_a_spare_is_added_without_the_flag() {
	local p; p=$(pool_name spare)
	local a b j
	a=$(vdev "$p-a"); b=$(vdev "$p-b"); j=$(vdev "$p-j")
	cfg_pool "$WORK/c.json" "$p" "\"raid_level\": \"mirror\", \"disks\": [\"$a\", \"$b\"]"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	cfg_pool "$WORK/c.json" "$p" "\"raid_level\": \"mirror\", \"disks\": [\"$a\", \"$b\"], \"spares\": [\"$j\"]"
	ph plan -v -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ add vdev spare: $j to pool $p"
	assert_contains "$out" "reversible: zpool remove takes it out again"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$(zpool status "$p")" "spares"
	assert_contains "$(zpool status "$p" | sed -n '/spares/,$p')" "$j"
}

test_a_disk_in_use_is_never_added() {
	local p o; p=$(pool_name use); o=$(pool_name other)
	local a b x
	a=$(vdev "$p-a"); b=$(vdev "$p-b"); x=$(vdev "$o-x")
	mkpool "$o" "$x"
	cfg_pool "$WORK/c.json" "$p" "\"raid_level\": \"mirror\", \"disks\": [\"$a\", \"$b\"]"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	cfg_pool "$WORK/c.json" "$p" "\"raid_level\": \"mirror\", \"disks\": [\"$a\", \"$b\"], \"spares\": [\"$x\"]"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "error: zfs.pools[0].spares[0]: cannot add to pool '$p': disk '$x' is a member of pool '$o'"
}

test_cache_on_a_file_and_special_vdevs_are_capability_errors() {
	local p; p=$(pool_name caps)
	local a g h i
	a=$(vdev "$p-a"); g=$(vdev "$p-g"); h=$(vdev "$p-h"); i=$(vdev "$p-i")
	cfg_pool "$WORK/c.json" "$p" "\"vdevs\": [ { \"type\": \"stripe\", \"disks\": [\"$a\"] } ],
	  \"cache\": [ { \"type\": \"stripe\", \"disks\": [\"$g\"] } ],
	  \"special\": [ { \"type\": \"mirror\", \"disks\": [\"$h\", \"$i\"] } ]"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "error: zfs.pools[0].cache[0].disks[0]: cannot create pool '$p': '$g' is a file, and ZFS takes only block devices as cache devices"
	if ! zfs_has special; then
		assert_contains "$err" "error: zfs.pools[0].special[0]: cannot create pool '$p': this ZFS has no special vdevs (its zfs knows no special_small_blocks property)"
	fi
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	assert_eq "$(zpool list -H -o name "$p" 2>/dev/null || true)" ""
}

run_tests
