#!/usr/bin/env bash
# Integration: replication on real ZFS (zfs-fuse here), pool to pool and
# dataset to dataset on file vdevs: full, then incremental, data compared
# byte for byte and guids equal; foreign snapshots never travel; divergence
# held back until --allow-destroy; the base survives a prune; a send killed
# mid-stream converges on the next run; plan and status show each job.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1

# newpool SUFFIX [SIZE]: a pool of this run; prints its name.
newpool() {
	local p; p=$(pool_name "$1")
	mkpool "$p" "$(vdev "$p" "${2:-128M}")" 2>/dev/null
	echo "$p"
}

# cfg FILE SRCPOOL DSTPOOL TARGET [EXTRA-JOB-MEMBERS] [KEEP]: pools, dataset "data" with policy p,
# one replication data -> TARGET.
cfg() {
	local f=$1 a=$2 b=$3 target=$4 extra=${5:-} keep=${6:-'{ "hourly": 24 }'}
	cat >"$f" <<JSON
{
  "zfs": {
    "pools": [ { "name": "$a", "raid_level": "single", "disks": ["$WORK/vdev-$a"], "mountpoint": "$WORK/mnt-$a" },
               { "name": "$b", "raid_level": "single", "disks": ["$WORK/vdev-$b"], "mountpoint": "$WORK/mnt-$b" } ],
    "snapshot_policies": { "p": { "keep": $keep },
                           "replica": { "keep": { "hourly": 48 }, "take": false } },
    "datasets": [ { "name": "data", "pool": "$a", "snapshots": { "policy": "p" } } ],
    "replication": [ { "source": "$a/data", "target": "$target"$extra } ]
  }
}
JSON
}

# What this ZFS's receive and send take (OpenZFS: flags and receive options; zfs-fuse: none).
if zfs receive 2>&1 | grep -q -- '-o <property>=<value>'; then
	SEND="-Lce "; FLAGS=Lce
	RECV="-u -s -o readonly=on -o canmount=noauto -x mountpoint -x phoenix:managed "
else
	SEND=""; FLAGS=none; RECV=""
fi

snaps() { zfs list -H -t snapshot -o name -r "$1" | sed 's/.*@//' | sort | tr '\n' ' '; }
guid() { zfs get -H -p -o value guid "$1"; }
refs() { zfs get -H -o value userrefs "$1"; }
tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

# same_snapshot SRC@SNAP TARGET@SNAP: the same guid (exact, -p).
same_snapshot() {
	assert_eq "$(guid "$1")" "$(guid "$2")" "(guid of $1 and $2)"
}

test_full_then_incremental_pool_to_pool_same_bytes_and_guids() {
	local a b; a=$(newpool a); b=$(newpool b)
	zfs create "$a/data"
	dd if=/dev/urandom of="$WORK/mnt-$a/data/blob" bs=1M count=2 2>/dev/null
	mkdir "$WORK/mnt-$a/data/dir"; echo "hello" >"$WORK/mnt-$a/data/dir/f"
	cfg "$WORK/c.json" "$a" "$b" "$b/replica/data"
	zfs create "$b/replica"
	local s1=phoenix_2026-01-05T100000Z_hourly s2=phoenix_2026-01-05T110000Z_hourly s3=phoenix_2026-01-05T120000Z_hourly
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z --dry-run
	assert_rc 2
	assert_contains "$out" "+ snapshot $a/data@$s1"
	assert_contains "$out" "= replicate $a/data to $b/replica/data: no snapshot: $a/data has none of our snapshots to send"
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	assert_contains "$out" "+ snapshot $a/data@$s1"
	assert_contains "$out" "+ replicated $a/data to $b/replica/data: @$s1, 1 snapshot (full), "
	assert_contains "$out" "Replicated 1, failed 0, skipped 0."
	same_snapshot "$a/data@$s1" "$b/replica/data@$s1"
	# received unmounted and read-only, never managed, flags recorded
	assert_eq "$(zget readonly "$b/replica/data")/$(zget canmount "$b/replica/data")/$(zget mounted "$b/replica/data")" "on/noauto/no"
	assert_eq "$(zget phoenix:repl-flags "$b/replica/data")" "$FLAGS"
	assert_eq "$(zget phoenix:managed "$b/replica/data")" -
	assert_eq "$(refs "$a/data@$s1")/$(refs "$b/replica/data@$s1")" "1/1"
	# two more hours, with a change each time: one -I step (every snapshot between is ours)
	echo "more" >>"$WORK/mnt-$a/data/dir/f"
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	rm "$WORK/mnt-$a/data/blob"; dd if=/dev/urandom of="$WORK/mnt-$a/data/blob2" bs=1M count=1 2>/dev/null
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T12:00:00Z
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T12:00:00Z --dry-run -v
	assert_rc 2
	assert_contains "$out" "> replicate $a/data to $b/replica/data: 2 snapshots behind (@$s1 to @$s3)"
	assert_contains "$out" "\$ zfs send $SEND-I @$s1 $a/data@$s3 | zfs receive $RECV$b/replica/data"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T12:00:00Z
	assert_rc 0
	assert_contains "$out" "+ replicated $a/data to $b/replica/data: @$s1 to @$s3, 2 snapshots (incremental), "
	assert_eq "$(snaps "$b/replica/data")" "$s1 $s2 $s3 "
	same_snapshot "$a/data@$s2" "$b/replica/data@$s2"
	same_snapshot "$a/data@$s3" "$b/replica/data@$s3"
	# the hold moved: on the new base on both sides, gone from the old one
	assert_eq "$(refs "$a/data@$s3")/$(refs "$b/replica/data@$s3")" "1/1"
	assert_eq "$(refs "$a/data@$s1")/$(refs "$b/replica/data@$s1")" "0/0"
	# the data, byte for byte: the replica mounted (read-only) next to the source at the same snapshot
	zfs mount "$b/replica/data"
	assert_eq "$(tree_sum "$WORK/mnt-$b/replica/data")" "$(tree_sum "$WORK/mnt-$a/data")"
	zfs unmount "$b/replica/data"
	# in sync now: nothing to do, and plan and status say so
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T12:30:00Z --dry-run
	assert_rc 0
	assert_contains "$out" "= replicate $a/data to $b/replica/data: in sync at @$s3"
	ph plan -c "$WORK/c.json" --only snapshots
	assert_contains "$out" "= snapshots: replicate $a/data to $b/replica/data: in sync at @$s3 (information: 'phoenix-storage run' does it)"
	ph status -c "$WORK/c.json" --only snapshots --now 2026-01-05T12:30:00Z
	assert_contains "$out" "Replication:
  $a/data to $b/replica/data: in sync at @$s3
    lag 30 min, last success 30 min ago"
	ph status -c "$WORK/c.json" --only snapshots --now 2026-01-05T12:30:00Z --json
	assert_contains "$out" '"lag_seconds": 1800'
	assert_contains "$out" '"state": "in sync"'
	# the metrics file: last success, lag and snapshots behind per job
	ph status -c "$WORK/c.json" --now 2026-01-05T12:30:00Z --prometheus "$WORK/m.prom"
	assert_rc 0
	local m; m=$(cat "$WORK/m.prom")
	assert_contains "$m" "phoenix_storage_replication_lag_seconds{source=\"$a/data\",target=\"$b/replica/data\"} 1800"
	assert_contains "$m" "phoenix_storage_replication_last_success_timestamp_seconds{source=\"$a/data\",target=\"$b/replica/data\"} 1767614400"
	assert_contains "$m" "phoenix_storage_replication_behind_snapshots{source=\"$a/data\",target=\"$b/replica/data\"} 0"
}

test_dataset_to_dataset_foreign_snapshots_never_travel() {
	local a; a=$(newpool d)
	zfs create "$a/data"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$a", "raid_level": "single", "disks": ["$WORK/vdev-$a"], "mountpoint": "$WORK/mnt-$a" } ],
  "snapshot_policies": { "p": { "keep": { "hourly": 24 } } },
  "datasets": [ { "name": "data", "pool": "$a", "snapshots": { "policy": "p" } } ],
  "replication": [ { "source": "$a/data", "target": "$a/copy" } ] } }
JSON
	ph validate -c "$WORK/c.json"
	assert_rc 0
	local s1=phoenix_2026-01-05T100000Z_hourly s2=phoenix_2026-01-05T110000Z_hourly
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	echo x >"$WORK/mnt-$a/data/x"; zfs snapshot "$a/data@manual"
	echo y >"$WORK/mnt-$a/data/y"
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z -v --dry-run
	assert_contains "$out" "\$ zfs send $SEND-i @$s1 $a/data@$s2 | zfs receive $RECV$a/copy"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	assert_rc 0
	assert_eq "$(snaps "$a/copy")" "$s1 $s2 "
	same_snapshot "$a/data@$s2" "$a/copy@$s2"
}

test_divergence_is_held_back_until_allow_destroy() {
	local a b; a=$(newpool v); b=$(newpool w)
	zfs create "$a/data"
	cfg "$WORK/c.json" "$a" "$b" "$b/data"
	local s1=phoenix_2026-01-05T100000Z_hourly s2=phoenix_2026-01-05T110000Z_hourly
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	zfs snapshot "$b/data@target-only"
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z --dry-run
	assert_rc 2
	assert_contains "$out" "> replicate $a/data to $b/data: diverged: $b/data has 1 snapshot newer than the last one in common, @$s1 (needs --allow-destroy)"
	assert_contains "$out" "! destructive: roll back $b/data to @$s1: destroys 1 snapshot and changes since @$s1 (needs --allow-destroy)"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	assert_rc 1
	assert_contains "$out" "! destructive: roll back $b/data to @$s1: destroys 1 snapshot and changes since @$s1 (needs --allow-destroy)"
	assert_contains "$err" "error: zfs.replication[0]: replicate $a/data to $b/data held back: $b/data has 1 snapshot newer than the last one in common, @$s1"
	assert_eq "$(snaps "$b/data")" "$s1 target-only "
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z --allow-destroy
	assert_rc 0
	assert_contains "$out" "+ replicated $a/data to $b/data: @$s1 to @$s2, 1 snapshot (incremental), "
	assert_contains "$out" ", after a rollback"
	assert_eq "$(snaps "$b/data")" "$s1 $s2 "
	# a target with snapshots but none in common is refused, never rolled back
	zfs create "$b/other"; zfs snapshot "$b/other@mine"
	sed -i "s|\"target\": \"$b/data\"|\"target\": \"$b/other\"|" "$WORK/c.json"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z --allow-destroy
	assert_rc 1
	assert_contains "$err" "error: zfs.replication[0]: replicate $a/data to $b/other: $b/other has 1 snapshot but none in common with $a/data"
	assert_eq "$(snaps "$b/other")" "mine "
}

test_base_survives_a_prune_and_replication_continues_from_it() {
	local a b; a=$(newpool p); b=$(newpool q)
	zfs create "$a/data"
	cfg "$WORK/c.json" "$a" "$b" "$b/data" "" '{ "hourly": 1 }'
	local s1=phoenix_2026-01-05T100000Z_hourly s2=phoenix_2026-01-05T110000Z_hourly s3=phoenix_2026-01-05T120000Z_hourly
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	# two hours of snapshots and prunes, no replication: keep 1 would leave only the newest
	ph run --snapshot --prune -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	assert_rc 0
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T12:00:00Z
	ph run --prune -c "$WORK/c.json" --now 2026-01-05T12:30:00Z
	assert_rc 0
	assert_eq "$(snaps "$a/data")" "$s1 $s3 "
	ph snapshots -c "$WORK/c.json" --now 2026-01-05T12:30:00Z
	assert_contains "$out" "$s1"
	assert_contains "$out" "keep: held"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T12:30:00Z
	assert_rc 0
	assert_contains "$out" "+ replicated $a/data to $b/data: @$s1 to @$s3, 1 snapshot (incremental), "
	# now the old base is free and pruned; the new one is kept
	ph run --prune -c "$WORK/c.json" --now 2026-01-05T12:30:00Z
	assert_rc 0
	assert_eq "$(snaps "$a/data")" "$s3 "
}

# kill_mid_stream CONFIG TARGET: starts `run --replicate` (the config's rate limit keeps it slow) and
# kills it mid-stream, however slow its start: once the receive into TARGET runs and (where the
# receive reads the pipe itself, OpenZFS) has read 4 MiB; zfs-fuse's daemon reads it: 3 s more.
# Returns when the receive the kill orphaned has ended too.
kill_mid_stream() {
	local c=$1 t=$2
	"$PH" run --replicate -c "$c" --now 2026-01-05T10:00:00Z >"$WORK/bg.out" 2>&1 &
	local pid=$! recv="" i got=0
	for i in $(seq 1 600); do
		recv=$(pgrep -f "zfs receive.* $t\$" | head -1 || true)
		[ -n "$recv" ] && break
		sleep 0.1
	done
	[ -n "$recv" ] || fail "the receive into $t never started: $(cat "$WORK/bg.out")"
	if [ "$FLAGS" = Lce ]; then
		for i in $(seq 1 300); do
			got=$(awk '/^rchar:/ { print $2 }' "/proc/$recv/io" 2>/dev/null || echo 0)
			[ "${got:-0}" -ge 4194304 ] && break
			sleep 0.1
		done
		[ "${got:-0}" -ge 4194304 ] || fail "the receive read only ${got:-0} bytes in 30 s"
	else
		sleep 3
	fi
	kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
	# the orphaned receive sees the end of its stream and cleans up: the next run comes after it
	for i in $(seq 1 600); do
		kill -0 "$recv" 2>/dev/null || return 0
		sleep 0.1
	done
	fail "the receive into $t (pid $recv) did not end within 60 s of the kill"
}

test_a_send_killed_mid_stream_converges_on_the_next_run() {
	local a b; a=$(newpool k 256M); b=$(newpool l 256M)
	zfs create "$a/data"
	dd if=/dev/urandom of="$WORK/mnt-$a/data/big" bs=1M count=24 2>/dev/null
	cfg "$WORK/c.json" "$a" "$b" "$b/data" ', "rate_mb": 2'
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	kill_mid_stream "$WORK/c.json" "$b/data"
	# nothing complete arrived; where ZFS keeps partial receives (-s), a resume token did
	! zfs list -H -t snapshot -o name "$b/data@phoenix_2026-01-05T100000Z_hourly" >/dev/null 2>&1 || fail "a killed send left a complete snapshot"
	local resumable=
	if zfs get 2>&1 | grep -qE '^[[:space:]]+receive_resume_token[[:space:]]'; then
		resumable=1
		[ "$(zfs get -H -o value receive_resume_token "$b/data" 2>/dev/null || echo -)" != - ] || fail "no resume token after the kill"
	fi
	sed -i 's/, "rate_mb": 2//' "$WORK/c.json"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	assert_contains "$out" "Replicated 1, failed 0, skipped 0."
	[ -z "$resumable" ] || assert_contains "$out" "1 snapshot (resumed)"
	[ -z "$resumable" ] || assert_eq "$(zget phoenix:repl-flags "$b/data")/$(zget readonly "$b/data")" "$FLAGS/on"
	same_snapshot "$a/data@phoenix_2026-01-05T100000Z_hourly" "$b/data@phoenix_2026-01-05T100000Z_hourly"
	zfs mount "$b/data"
	cmp "$WORK/mnt-$a/data/big" "$WORK/mnt-$b/data/big" || fail "the replica's file differs"
	zfs unmount "$b/data"
}

test_progress_on_a_terminal_shows_bytes_rate_and_where_zfs_estimates_the_time_left() {
	local a b; a=$(newpool x 256M); b=$(newpool y 256M)
	zfs create "$a/data"
	dd if=/dev/urandom of="$WORK/mnt-$a/data/big" bs=1M count=6 2>/dev/null
	cfg "$WORK/c.json" "$a" "$b" "$b/data" ', "rate_mb": 2'
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	# script(1) gives the run a terminal: progress goes to it, one rewritten line
	local r=0
	script -qec "$(printf '%q ' "$PH" run --replicate -c "$WORK/c.json" --now 2026-01-05T10:00:00Z)" /dev/null \
		>"$WORK/tty.out" 2>&1 || r=$?
	[ "$r" = 0 ] || fail "run --replicate on a terminal exited $r: $(cat "$WORK/tty.out")"
	local tty; tty=$(tr '\r' '\n' <"$WORK/tty.out")
	assert_contains "$tty" "$a/data to $b/data, step 1 of 1: "
	assert_contains "$tty" " MiB/s"
	assert_contains "$tty" "Replicated 1, failed 0, skipped 0."
	if [ "$FLAGS" = Lce ]; then
		# OpenZFS: `zfs send -nvP` gave the size: "X of Y MiB", "M:SS left"
		grep -qE " of [0-9.]+ MiB, [0-9.]+ MiB/s, [0-9]+:[0-9][0-9] left" <<<"$tty" || fail "no estimate in: $tty"
	else
		assert_not_contains "$tty" " left"
	fi
}

test_a_partial_receive_whose_snapshot_is_gone_is_aborted_then_sent_again() {
	need resume
	local a b; a=$(newpool g 256M); b=$(newpool j 256M)
	zfs create "$a/data"
	dd if=/dev/urandom of="$WORK/mnt-$a/data/big" bs=1M count=24 2>/dev/null
	cfg "$WORK/c.json" "$a" "$b" "$b/data" ', "rate_mb": 2'
	local s1=phoenix_2026-01-05T100000Z_hourly s2=phoenix_2026-01-05T110000Z_hourly
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	kill_mid_stream "$WORK/c.json" "$b/data"
	[ "$(zfs get -H -o value receive_resume_token "$b/data" 2>/dev/null || echo -)" != - ] || fail "no resume token after the kill"
	# the snapshot the partial receive was of goes; a newer one comes
	zfs destroy "$a/data@$s1"
	sed -i 's/, "rate_mb": 2//' "$WORK/c.json"
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	assert_rc 0
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	assert_rc 1
	assert_contains "$err" "the partial receive's base is gone: it is aborted (zfs receive -A)"
	[ "$(zfs get -H -o value receive_resume_token "$b/data" 2>/dev/null || echo -)" = - ] || fail "the partial receive was not aborted"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	assert_rc 0
	assert_contains "$out" "Replicated 1, failed 0, skipped 0."
	same_snapshot "$a/data@$s2" "$b/data@$s2"
}

test_schedule_and_config_errors() {
	local a b; a=$(newpool s); b=$(newpool t)
	zfs create "$a/data"
	cfg "$WORK/c.json" "$a" "$b" "$b/data" ', "schedule_minutes": 120'
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z --dry-run
	assert_rc 0
	assert_contains "$out" "= replicate $a/data to $b/data: 1 snapshot behind (@phoenix_2026-01-05T100000Z_hourly to @phoenix_2026-01-05T110000Z_hourly) (not due yet)"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T12:00:00Z --dry-run
	assert_rc 2
	assert_contains "$out" "> replicate $a/data to $b/data: 1 snapshot behind"
	# a replica's policy must not take snapshots
	sed -i 's|"target": "'"$b"'/data", "schedule_minutes": 120|"target": "'"$b"'/data", "policy": "p"|' "$WORK/c.json"
	ph validate -c "$WORK/c.json"
	assert_rc 1
	assert_contains "$err" "error: zfs.replication[0].policy: snapshot policy 'p' takes snapshots; a replica's policy must not"
}

test_stale_holds_of_a_dropped_job_are_released_only_with_allow_destroy() {
	local a b; a=$(newpool h); b=$(newpool i)
	zfs create "$a/data"
	cfg "$WORK/c.json" "$a" "$b" "$b/data"
	local s1=phoenix_2026-01-05T100000Z_hourly
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	local old; old=$(zget phoenix:repl-ids "$a/data")
	assert_eq "$(zget phoenix:repl-ids "$b/data")" "$old"
	# the job moves to another target: the old job's holds are stale
	sed -i "s|\"target\": \"$b/data\"|\"target\": \"$b/data2\"|" "$WORK/c.json"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	assert_contains "$out" "! destructive: release the stale hold phoenix_repl_$old from $a/data (1 held snapshot; no replication of the config has it) (needs --allow-destroy)"
	assert_contains "$out" "! destructive: release the stale hold phoenix_repl_$old from $b/data (1 held snapshot; no replication of the config has it) (needs --allow-destroy)"
	assert_contains "$err" "warning: stale hold phoenix_repl_$old on $a/data: its replication is no longer in the config"
	assert_eq "$(refs "$a/data@$s1")/$(refs "$b/data@$s1")/$(refs "$b/data2@$s1")" "2/1/1"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T10:00:00Z --allow-destroy
	assert_rc 0
	assert_contains "$out" "- release the stale hold phoenix_repl_$old from $a/data (1 held snapshot; no replication of the config has it)"
	assert_eq "$(refs "$a/data@$s1")/$(refs "$b/data@$s1")/$(refs "$b/data2@$s1")" "1/0/1"
	assert_eq "$(zsrc phoenix:repl-ids "$b/data")" -
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T10:00:00Z --dry-run
	assert_not_contains "$out" "stale"
}

test_stale_holds_of_the_last_job_removed_are_still_found_by_replicate() {
	local a b; a=$(newpool m); b=$(newpool n)
	zfs create "$a/data"
	cfg "$WORK/c.json" "$a" "$b" "$b/data"
	local s1=phoenix_2026-01-05T100000Z_hourly
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z
	assert_rc 0
	local old; old=$(zget phoenix:repl-ids "$a/data")
	# the only job goes: its pools are no job's any more, but $a/data still has its snapshots
	sed -i 's|"replication": \[ { "source": "'"$a"'/data", "target": "'"$b"'/data" } \]|"replication": []|' "$WORK/c.json"
	grep -q '"replication": \[\]' "$WORK/c.json" || fail "the job was not removed from the test config"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T10:00:00Z --dry-run
	assert_rc 2
	assert_contains "$out" "! destructive: release the stale hold phoenix_repl_$old from $a/data (1 held snapshot; no replication of the config has it) (needs --allow-destroy)"
	# the snapshot timer's run (no --replicate) does not look
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T10:00:00Z --dry-run
	assert_not_contains "$out" "stale"
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T10:00:00Z --allow-destroy
	assert_rc 0
	assert_contains "$out" "- release the stale hold phoenix_repl_$old from $a/data (1 held snapshot; no replication of the config has it)"
	assert_eq "$(refs "$a/data@$s1")" 0
	assert_eq "$(zsrc phoenix:repl-ids "$a/data")" -
}

test_encrypted_source_is_sent_raw() {
	need encryption
	local a b; a=$(newpool e); b=$(newpool f)
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/key"
	zfs create -o encryption=on -o keyformat=hex -o keylocation="file://$WORK/key" "$a/data"
	echo secret >"$WORK/mnt-$a/data/s"
	cfg "$WORK/c.json" "$a" "$b" "$b/data"
	ph run -c "$WORK/c.json" --now 2026-01-05T10:00:00Z -v
	assert_rc 0
	assert_contains "$err" "zfs send -w $a/data@phoenix_2026-01-05T100000Z_hourly"
	assert_eq "$(zget phoenix:repl-flags "$b/data")" w
	assert_eq "$(zget encryption "$b/data")" "$(zget encryption "$a/data")"
	assert_eq "$(zget keystatus "$b/data")" unavailable
	same_snapshot "$a/data@phoenix_2026-01-05T100000Z_hourly" "$b/data@phoenix_2026-01-05T100000Z_hourly"
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	ph run --replicate -c "$WORK/c.json" --now 2026-01-05T11:00:00Z
	assert_rc 0
	same_snapshot "$a/data@phoenix_2026-01-05T110000Z_hourly" "$b/data@phoenix_2026-01-05T110000Z_hourly"
}

run_tests
