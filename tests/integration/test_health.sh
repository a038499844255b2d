#!/usr/bin/env bash
# Integration: the health model against real ZFS (zfs-fuse here): status
# --check verdicts and exit statuses on real pools (healthy, a mirror with a
# device offlined, a full pool, a late scrub and a real scrub), and the
# metrics of status --prometheus read by a real prometheus-node-exporter.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1

# cfg FILE POOL LAYOUT SCRUB DISK...: a config naming one existing pool.
cfg() {
	local f=$1 p=$2 layout=$3 scrub=$4; shift 4
	local disks; disks=$(printf '"%s",' "$@"); disks=${disks%,}
	cat >"$f" <<JSON
{ "zfs": { "pools": [ { "name": "$p", "raid_level": "$layout", "disks": [$disks],
                        "mountpoint": "$WORK/mnt-$p", "scrub": $scrub } ] } }
JSON
}

# check FILE [ARGS]: status --check on config FILE.
check() { local f=$1; shift; ph status -c "$f" --root "$WORK/root" --check "$@"; }

test_healthy_pool_is_ok() {
	local p; p=$(pool_name ok)
	mkpool "$p" mirror "$(vdev ok1)" "$(vdev ok2)"
	cfg "$WORK/c.json" "$p" mirror '{"every_days": 7}' "$WORK/vdev-ok1" "$WORK/vdev-ok2"
	check "$WORK/c.json"
	assert_rc 0
	assert_eq "$out" "OK: no problems in 1 pool, 2 disks, 0 snapshot classes"
	# the disks are files: SMART is unknown, never a problem
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "$WORK/vdev-ok1 (pool $p): unknown (a file, not a disk)"
	assert_contains "$out" "  $p "
}

test_two_way_mirror_with_a_device_offline_is_critical() {
	local p; p=$(pool_name m2)
	mkpool "$p" mirror "$(vdev m2a)" "$(vdev m2b)"
	zpool offline "$p" "$WORK/vdev-m2a"
	cfg "$WORK/c.json" "$p" mirror '"debian"' "$WORK/vdev-m2a" "$WORK/vdev-m2b"
	check "$WORK/c.json"
	assert_rc 2
	assert_eq "$(head -1 <<<"$out")" "CRITICAL: 1 critical, 0 warning, 0 unknown in 1 pool, 2 disks, 0 snapshot classes"
	assert_contains "$out" "CRITICAL pool $p: DEGRADED, mirror-0 has no redundancy left ($WORK/vdev-m2a OFFLINE)"
}

test_three_way_mirror_with_a_device_offline_is_a_warning() {
	local p; p=$(pool_name m3)
	mkpool "$p" mirror "$(vdev m3a)" "$(vdev m3b)" "$(vdev m3c)"
	zpool offline "$p" "$WORK/vdev-m3b"
	cfg "$WORK/c.json" "$p" mirror '"debian"' "$WORK/vdev-m3a" "$WORK/vdev-m3b" "$WORK/vdev-m3c"
	check "$WORK/c.json"
	assert_rc 1
	assert_contains "$(head -1 <<<"$out")" "WARNING: 0 critical, 1 warning"
	assert_contains "$out" "WARNING pool $p: DEGRADED"
	assert_contains "$out" "$WORK/vdev-m3b"
}

test_pool_filled_past_85_percent_is_a_warning() {
	local p; p=$(pool_name full)
	mkpool "$p" "$(vdev full1 256M)"
	cfg "$WORK/c.json" "$p" single '"debian"' "$WORK/vdev-full1"
	local avail; avail=$(zget available "$p")
	dd if=/dev/urandom of="$WORK/mnt-$p/fill" bs=1M count=$((avail * 87 / 100 / 1048576)) status=none
	sync
	check "$WORK/c.json"
	assert_rc 1
	grep -qE "^WARNING pool $p: 8[5-9]% full; warning at 80%\$" <<<"$out" || fail "no capacity warning in: $out"
}

test_late_scrub_warns_and_a_real_scrub_clears_it() {
	local p; p=$(pool_name scr)
	mkpool "$p" "$(vdev scr1)"
	cfg "$WORK/c.json" "$p" single '{"every_days": 7}' "$WORK/vdev-scr1"
	# a new pool is not late for its first scrub ...
	check "$WORK/c.json"
	assert_rc 0
	# ... nine days later it is (1.2 x 7 days)
	check "$WORK/c.json" --now +9d
	assert_rc 1
	assert_contains "$out" "WARNING pool $p: never scrubbed; scrubs are due every 7d 0h"
	# a plain run (no job flag) includes the scrub job once a pool has a schedule of the tool's own
	ph run --dry-run -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_eq "$out" "Nothing to do: no snapshot is due and none is to be destroyed.
~ scrub pool $p (never scrubbed; due every 7 days)
Would start 1 scrub and 0 TRIMs."
	# run --scrub starts it: the dry run says what it would start (exit 2), the run starts a real scrub
	ph run --scrub --dry-run -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_eq "$out" "~ scrub pool $p (never scrubbed; due every 7 days)
Would start 1 scrub and 0 TRIMs."
	assert_eq "$(zpool status "$p" | grep -c 'scrub completed\|scrub in progress')" 0
	ph run --scrub -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_eq "$out" "~ scrub pool $p (never scrubbed; due every 7 days)
Started 1 scrub and 0 TRIMs."
	grep -qE '^job scrub [0-9]+$' "$WORK/root/var/lib/phoenix-storage/jobs" || fail "no scrub success recorded"
	local i
	for i in $(seq 1 100); do
		zpool status "$p" | grep -q 'scrub completed' && break
		sleep 0.2
	done
	ph status -c "$WORK/c.json" --root "$WORK/root" --json
	assert_eq "$(jq -r --arg p "$p" '.health.pools[] | select(.name == $p) | .scrub.state' <<<"$out")" "finished"
	check "$WORK/c.json" --now +1d
	assert_rc 0
	# done: nothing is due until the interval has passed
	ph run --scrub --dry-run -c "$WORK/c.json" --root "$WORK/root" --now +6d
	assert_rc 0
	assert_eq "$out" "Nothing to do: no scrub or TRIM is due."
	ph run --scrub --dry-run -c "$WORK/c.json" --root "$WORK/root" --now +8d --json
	assert_rc 2
	assert_eq "$(jq -c .scrub <<<"$out")" "[\"$p\"]"
	check "$WORK/c.json" --now +9d
	assert_rc 1
	assert_contains "$out" "WARNING pool $p: last scrub "
	check "$WORK/c.json" --now +11d
	assert_rc 2
	check "$WORK/c.json" --now 2000-01-01T00:00
	assert_rc 1
	assert_contains "$out" "in the future (clock skew?)"
}

# TRIM where this ZFS has no `zpool trim` (zfs-fuse): a note, never a failure;
# a pool on Debian's schedules is not the scrub job's.
test_trim_job_says_when_this_zfs_cannot_trim() {
	local p; p=$(pool_name trm)
	mkpool "$p" "$(vdev trm1)"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$p", "raid_level": "single", "disks": ["$WORK/vdev-trm1"],
                        "mountpoint": "$WORK/mnt-$p", "trim": "weekly" } ] } }
JSON
	if zpool 2>&1 | grep -q $'^\ttrim '; then
		# OpenZFS: a real TRIM, recorded in the job state; then not due for 7 days
		ph run --scrub --dry-run -c "$WORK/c.json" --root "$WORK/root"
		assert_rc 2
		assert_eq "$out" "~ trim pool $p (never trimmed by this tool; due every 7 days)
Would start 0 scrubs and 1 TRIM."
		ph run --scrub -c "$WORK/c.json" --root "$WORK/root"
		assert_rc 0
		assert_contains "$out" "Started 0 scrubs and 1 TRIM."
		grep -qE "^trim $p [0-9]+\$" "$WORK/root/var/lib/phoenix-storage/jobs" || fail "no TRIM recorded"
		ph run --scrub --dry-run -c "$WORK/c.json" --root "$WORK/root" --now +6d
		assert_rc 0
		assert_eq "$out" "Nothing to do: no scrub or TRIM is due."
		ph run --scrub --dry-run -c "$WORK/c.json" --root "$WORK/root" --now +8d
		assert_rc 2
		assert_contains "$out" "~ trim pool $p (last TRIM started 8d 0h ago; due every 7 days)"
		return
	fi
	ph run --scrub -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_eq "$out" "Started 0 scrubs and 0 TRIMs."
	assert_eq "$err" "note: zfs.pools[0]: pool '$p': TRIM not supported by this ZFS (its zpool has no trim command); not trimmed"
	sed -i 's/"trim": "weekly"/"scrub": "debian"/' "$WORK/c.json"
	ph run --scrub -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_eq "$out" "Nothing to scrub: no pool has a scrub or TRIM schedule of the tool's own (pools[].scrub, pools[].trim)."
}

test_scrub_and_trim_policies_turn_debians_cron_off_once() {
	local p; p=$(pool_name pol)
	mkpool "$p" "$(vdev pol1)"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$p", "raid_level": "single", "disks": ["$WORK/vdev-pol1"],
                        "mountpoint": "$WORK/mnt-$p", "scrub": "weekly", "trim": "off" } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ $p org.debian:periodic-scrub (unset) -> disable"
	assert_contains "$out" "~ $p org.debian:periodic-trim (unset) -> disable"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget org.debian:periodic-scrub "$p")" "disable"
	assert_eq "$(zget org.debian:periodic-trim "$p")" "disable"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	# "debian" (the default) leaves the pool's properties alone
	cfg "$WORK/d.json" "$p" single '"debian"' "$WORK/vdev-pol1"
	ph plan -c "$WORK/d.json" --root "$WORK/root"
	assert_rc 0
}

test_checksum_errors_found_by_a_scrub_are_a_warning() {
	local p; p=$(pool_name ck)
	mkpool "$p" mirror "$(vdev ck1 128M)" "$(vdev ck2 128M)"
	cfg "$WORK/c.json" "$p" mirror '"debian"' "$WORK/vdev-ck1" "$WORK/vdev-ck2"
	dd if=/dev/urandom of="$WORK/mnt-$p/data" bs=1M count=48 status=none
	zpool export "$p"
	# overwrite the middle of one side (the labels at both ends stay intact)
	dd if=/dev/urandom of="$WORK/vdev-ck2" bs=1M seek=16 count=64 conv=notrunc status=none
	zpool import -d "$WORK" "$p"
	zpool scrub "$p"
	local i
	for i in $(seq 1 150); do
		zpool status "$p" | grep -qE 'scrub (repaired|completed)' && break
		sleep 0.2
	done
	check "$WORK/c.json"
	assert_rc 1
	assert_contains "$out" "WARNING pool $p: "
	assert_contains "$out" "$WORK/vdev-ck2"
	assert_contains "$out" "checksum"
}

test_bad_now_is_refused() {
	ph status --now yesterday
	assert_rc 1
	assert_contains "$err" "error: --now 'yesterday' is not a time"
}

# snapcfg FILE POOL KEEP_JSON: one pool, its dataset "data" with policy "p" (UTC).
snapcfg() {
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$2", "raid_level": "single", "disks": ["$WORK/vdev-$2"], "mountpoint": "$WORK/mnt-$2" } ],
           "snapshot_policies": { "p": { "keep": $3, "timezone": "UTC" } },
           "datasets": [ { "name": "data", "pool": "$2", "snapshots": { "policy": "p" } } ] } }
JSON
}

# Freshness: the newest snapshot of a class older than 1.5 x its period is a
# warning, 4 x critical; one named after now is clock skew; status shows the
# newest per class, the metrics its time and the pending prune count.
test_stale_snapshot_class_is_a_warning_then_critical() {
	local p; p=$(pool_name fr)
	mkpool "$p" "$(vdev "$p")" 2>/dev/null
	zfs create "$p/data"
	snapcfg "$WORK/c.json" "$p" '{ "hourly": 24, "daily": 1 }'
	zfs snapshot "$p/data@phoenix_2026-03-01T100000Z_hourly"
	zfs snapshot "$p/data@phoenix_2026-03-01T100000Z_daily"
	zfs snapshot "$p/data@phoenix_2026-02-01T000000Z_daily"
	check "$WORK/c.json" --now 2026-03-01T11:00:00Z
	assert_rc 0
	assert_eq "$out" "OK: no problems in 1 pool, 1 disk, 2 snapshot classes"
	check "$WORK/c.json" --now 2026-03-01T12:00:00Z
	assert_rc 1
	assert_eq "$out" "WARNING: 0 critical, 1 warning, 0 unknown in 1 pool, 1 disk, 2 snapshot classes
WARNING dataset $p/data: newest hourly snapshot taken 2h 0m ago; warning after 1h 30m (1.5 x every 1h 0m)"
	check "$WORK/c.json" --now 2026-03-01T14:00:01Z
	assert_rc 2
	assert_contains "$out" "CRITICAL dataset $p/data: newest hourly snapshot taken 4h 0m ago; critical after 4h 0m (4 x every 1h 0m)"
	# a clock that went back: our name is in the future
	check "$WORK/c.json" --now 2026-03-01T09:00:00Z
	assert_rc 1
	assert_contains "$out" "WARNING dataset $p/data: the newest hourly snapshot is dated in the future (clock skew?)"
	# status shows the newest per class and what the retention would destroy
	ph status -c "$WORK/c.json" --root "$WORK/root" --now 2026-03-01T12:00:00Z
	assert_rc 0
	assert_contains "$out" "    hourly   phoenix_2026-03-01T100000Z_hourly (2 h ago), due"
	assert_contains "$out" "    prune    1 snapshot the retention no longer keeps"
	ph status -c "$WORK/c.json" --root "$WORK/root" --now 2026-03-01T09:00:00Z --json
	assert_eq "$(jq -c --arg d "$p/data" '.snapshots[] | select(.dataset == $d) | [.clock_skew, .prune_pending, .newest.daily.name]' <<<"$out")" \
		'[true,0,"phoenix_2026-03-01T100000Z_daily"]'
	# the metrics: newest per class, pending prunes
	ph status -c "$WORK/c.json" --root "$WORK/root" --now 2026-03-01T12:00:00Z --prometheus "$WORK/m.prom"
	assert_rc 0
	local m; m=$(cat "$WORK/m.prom")
	assert_contains "$m" "phoenix_storage_snapshot_newest_timestamp_seconds{class=\"hourly\",name=\"$p/data\"} $(date -u -d 2026-03-01T10:00:00Z +%s)"
	assert_contains "$m" "phoenix_storage_snapshot_prune_pending{name=\"$p/data\"} 1"
	assert_contains "$m" "phoenix_storage_check_status 1"
}

# run --metrics: the textfile after the jobs, with the last success of each job
# (kept across runs in the job state file under --root) and what the jobs made.
test_run_metrics_has_the_last_success_of_each_job() {
	local p; p=$(pool_name rm)
	mkpool "$p" "$(vdev "$p")" 2>/dev/null
	zfs create "$p/data"
	snapcfg "$WORK/c.json" "$p" '{ "hourly": 24 }'
	ph run --snapshot -c "$WORK/c.json" --root "$WORK/rroot" --now 2026-03-01T10:00:00Z --metrics "$WORK/tf-run/p.prom"
	assert_rc 0
	assert_contains "$out" "+ snapshot $p/data@phoenix_2026-03-01T100000Z_hourly"
	local t; t=$(date -u -d 2026-03-01T10:00:00Z +%s)
	local m; m=$(cat "$WORK/tf-run/p.prom")
	assert_contains "$m" "phoenix_storage_job_last_success_timestamp_seconds{job=\"snapshot\"} $t"
	assert_contains "$m" "phoenix_storage_snapshot_newest_timestamp_seconds{class=\"hourly\",name=\"$p/data\"} $t"
	assert_contains "$m" "phoenix_storage_pool_present{pool=\"$p\"} 1"
	# a run only knows its own job: the snapshot job's time stays, the prune job's is added
	ph run --prune -c "$WORK/c.json" --root "$WORK/rroot" --now 2026-03-01T11:00:00Z --metrics "$WORK/tf-run/p.prom"
	assert_rc 0
	m=$(cat "$WORK/tf-run/p.prom")
	assert_contains "$m" "phoenix_storage_job_last_success_timestamp_seconds{job=\"snapshot\"} $t"
	assert_contains "$m" "phoenix_storage_job_last_success_timestamp_seconds{job=\"prune\"} $((t + 3600))"
	assert_eq "$(grep -c '^phoenix_storage_drift_objects' "$WORK/tf-run/p.prom")" 0
	assert_eq "$(sed 1d "$WORK/rroot/var/lib/phoenix-storage/jobs")" "job prune $((t + 3600))
job snapshot $t"
	# status --prometheus reads the same file
	ph status -c "$WORK/c.json" --root "$WORK/rroot" --prometheus "$WORK/tf-run/s.prom"
	assert_contains "$(cat "$WORK/tf-run/s.prom")" "phoenix_storage_job_last_success_timestamp_seconds{job=\"prune\"} $((t + 3600))"
	# a file that cannot be written is an error
	ph run --snapshot -c "$WORK/c.json" --root "$WORK/rroot" --now 2026-03-01T11:00:00Z --metrics /proc/x/p.prom
	assert_rc 1
	assert_contains "$err" "error: cannot write '/proc/x/p.prom'"
}

# chromium_run ARGS...: headless Chromium as the brief gives it (its own profile under $WORK).
chromium_run() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
		--user-data-dir="$WORK/chromium" "$@" 2>/dev/null
}

# png_size FILE: "WIDTH HEIGHT" from the PNG's IHDR, or nothing when it is no PNG.
png_size() {
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ] || return 0
	od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}

# status --html: one self-contained page, rendered by a real headless Chromium:
# the screenshot is a real PNG of the window's size and not blank, the DOM has
# every pool with its state and marks the degraded one.
test_html_page_renders_in_chromium_with_every_pool_and_the_degraded_one_marked() {
	command -v chromium >/dev/null || skip "chromium is not installed (apt-get install chromium): the page was not rendered"
	local a b; a=$(pool_name hd); b=$(pool_name hk)
	mkpool "$a" mirror "$(vdev hd1)" "$(vdev hd2)"
	zpool offline "$a" "$WORK/vdev-hd2"
	mkpool "$b" "$(vdev hk1)"
	zfs create "$b/data"
	local now; now=$(date -u +%s)
	local h
	for h in 0 1 2 5 9 20; do zfs snapshot "$b/data@phoenix_$(date -u -d "@$((now - h * 3600 - 60))" +%Y-%m-%dT%H%M%SZ)_hourly"; done
	zfs snapshot "$b/data@by-hand"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$a", "raid_level": "mirror", "disks": ["$WORK/vdev-hd1", "$WORK/vdev-hd2"], "mountpoint": "$WORK/mnt-$a" },
                      { "name": "$b", "raid_level": "single", "disks": ["$WORK/vdev-hk1"], "mountpoint": "$WORK/mnt-$b" } ],
           "snapshot_policies": { "p": { "keep": { "hourly": 24 }, "timezone": "UTC" } },
           "datasets": [ { "name": "data", "pool": "$b", "snapshots": { "policy": "p" } } ] } }
JSON
	ph status -c "$WORK/c.json" --root "$WORK/root" --html "$WORK/page/status.html"
	assert_rc 0
	assert_eq "$out" ""
	local page; page=$(cat "$WORK/page/status.html")
	# self-contained: no script, no external asset of any kind
	assert_not_contains "$page" "<script"
	assert_not_contains "$page" " src="
	assert_not_contains "$page" " href="
	assert_not_contains "$page" "url("
	assert_not_contains "$page" "@import"
	assert_eq "$(grep -o 'https\?://[^"]*' <<<"$page" | sort -u)" "http://www.w3.org/2000/svg"
	chromium_run --dump-dom "file://$WORK/page/status.html" >"$WORK/dom.html"
	local dom; dom=$(cat "$WORK/dom.html")
	assert_contains "$dom" "<section class=\"pool degraded sev-critical\" data-pool=\"$a\" data-state=\"DEGRADED\">"
	assert_contains "$dom" "<section class=\"pool online sev-ok\" data-pool=\"$b\" data-state=\"ONLINE\">"
	assert_contains "$dom" "<span class=\"badge critical\" id=\"verdict\">CRITICAL</span>"
	assert_contains "$dom" "<tr class=\"lost\"><td style=\"padding-left:20px\">$WORK/vdev-hd2</td><td>OFFLINE</td>"
	assert_contains "$dom" "<div class=\"ds\" data-dataset=\"$b/data\">"
	assert_eq "$(grep -o '<rect ' <<<"$dom" | wc -l)" 7
	# the screenshot: a PNG of the window's size, and not blank (a blank page's screenshot is much smaller)
	chromium_run --screenshot="$WORK/shot.png" --window-size=1200,900 "file://$WORK/page/status.html" >/dev/null
	assert_eq "$(png_size "$WORK/shot.png")" "1200 900"
	printf '<!DOCTYPE html><html><body></body></html>' >"$WORK/blank.html"
	chromium_run --screenshot="$WORK/blank.png" --window-size=1200,900 "file://$WORK/blank.html" >/dev/null
	assert_eq "$(png_size "$WORK/blank.png")" "1200 900"
	local big small; big=$(stat -c %s "$WORK/shot.png"); small=$(stat -c %s "$WORK/blank.png")
	[ "$big" -gt $((small * 5)) ] && [ "$big" -gt 20000 ] || fail "the screenshot looks blank: $big bytes, a blank page $small"
	# a file that cannot be written is an error
	ph status -c "$WORK/c.json" --root "$WORK/root" --html /proc/x/status.html
	assert_rc 1
	assert_contains "$err" "error: cannot write '/proc/x/status.html'"
}

test_metrics_are_scraped_by_node_exporter() {
	command -v "$PROM_BIN" >/dev/null || skip "prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter)"
	command -v curl >/dev/null || skip "curl is not installed"
	trap prom_stop EXIT
	local p; p=$(pool_name prom)
	mkpool "$p" mirror "$(vdev pr1)" "$(vdev pr2)"
	zpool offline "$p" "$WORK/vdev-pr2"
	cfg "$WORK/c.json" "$p" mirror '"debian"' "$WORK/vdev-pr1" "$WORK/vdev-pr2"
	mkdir -p "$WORK/tf"
	ph status -c "$WORK/c.json" --root "$WORK/root" --prometheus "$WORK/tf/phoenix_storage.prom"
	assert_rc 0
	assert_eq "$out" ""
	prom_start "$WORK/tf"
	local m; m=$(prom_scrape)
	assert_contains "$m" "node_textfile_scrape_error 0"
	assert_contains "$m" "phoenix_storage_pool_health{pool=\"$p\",state=\"DEGRADED\"} 1"
	assert_contains "$m" "phoenix_storage_pool_health{pool=\"$p\",state=\"ONLINE\"} 0"
	assert_contains "$m" "phoenix_storage_pool_present{pool=\"$p\"} 1"
	assert_contains "$m" "phoenix_storage_vdev_errors_total{kind=\"checksum\",pool=\"$p\",vdev=\"$WORK/vdev-pr1\"} 0"
	assert_contains "$m" "phoenix_storage_scrub_in_progress{pool=\"$p\"} 0"
	assert_contains "$m" "phoenix_storage_disk_smart_known{device=\"$WORK/vdev-pr1\",pool=\"$p\"} 0"
	assert_contains "$m" "phoenix_storage_check_status 2"
	assert_contains "$m" "phoenix_storage_check_problems{severity=\"critical\"} 1"
	assert_contains "$m" "phoenix_storage_drift_objects 0"
	local size; size=$(( $(zget used "$p") + $(zget available "$p") ))
	grep -qE "^phoenix_storage_pool_size_bytes\{pool=\"$p\"\} $size\$|^phoenix_storage_pool_size_bytes\{pool=\"$p\"\} [0-9.e+]+\$" <<<"$m" ||
		fail "no pool size in: $m"
	# no temp file left next to it
	assert_eq "$(ls "$WORK/tf")" "phoenix_storage.prom"
}

run_tests
