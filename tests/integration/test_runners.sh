#!/usr/bin/env bash
# Integration: the test runners themselves. tests/run-all on fake tiers adds up
# every tier's summary line (skips included) and fails when a tier failed or
# printed no summary; tests/guest/run ends with the same three-count line even
# when it cannot start. No ZFS needed.
source "$(dirname "$0")/lib.sh"

# fake_tier NAME RC LINE...: a script printing LINE... and exiting RC; prints its path.
fake_tier() {
	local f=$WORK/tier-$1; shift
	local code=$1; shift
	{ echo '#!/bin/sh'; printf "echo '%s'\n" "$@"; echo "exit $code"; } >"$f"
	chmod +x "$f"
	echo "$f"
}

# run_all HOST GUEST [PACKAGE]: tests/run-all on fake tiers (the package tier
# prints "0 passed, 0 failed, 0 skipped" unless given); sets $out, $err, $rc.
run_all() {
	local o=$WORK/ra.out e=$WORK/ra.err pkg=${3:-$(fake_tier package 0 '0 passed, 0 failed, 0 skipped')}
	PHOENIX_HOST_TIER=$1 PHOENIX_GUEST_TIER=$2 PHOENIX_PACKAGE_TIER=$pkg "$TOP/tests/run-all" >"$o" 2>"$e" && rc=0 || rc=$?
	out=$(cat "$o"); err=$(cat "$e")
}

test_run_all_adds_up_every_tier_with_its_skips() {
	run_all "$(fake_tier host 0 'unit test_x: 10 passed, 0 failed' '310 passed, 0 failed, 3 skipped')" \
		"$(fake_tier guest 0 '[openzfs-2.3] SKIP test_lz4_on_zfs_fuse: this ZFS supports lz4' \
			'[openzfs-2.3] zfs-2.3.2: 40 passed, 0 failed, 2 skipped (image 1 s)' '40 passed, 0 failed, 2 skipped')"
	assert_rc 0
	assert_eq "$(tail -1 <<<"$out")" "350 passed, 0 failed, 5 skipped"
	assert_eq "$err" ""
}

test_run_all_fails_when_a_tier_fails() {
	run_all "$(fake_tier host 0 '5 passed, 0 failed, 0 skipped')" \
		"$(fake_tier guest 1 '[openzfs-2.3] FAIL guest_image: building the guest image failed' '0 passed, 1 failed, 0 skipped')"
	assert_rc 1
	assert_eq "$(tail -1 <<<"$out")" "5 passed, 1 failed, 0 skipped"
}

test_run_all_counts_a_tier_without_summary_as_a_failure() {
	# the old two-count form and a tier that died before its summary
	run_all "$(fake_tier host 0 '7 passed, 0 failed')" "$(fake_tier guest 0 'Segmentation fault')"
	assert_rc 1
	assert_eq "$(tail -1 <<<"$out")" "0 passed, 2 failed, 0 skipped"
	assert_contains "$err" "host tier: no 'N passed, N failed, N skipped' line; counted as one failure"
	assert_contains "$err" "guest tier: no 'N passed, N failed, N skipped' line; counted as one failure"
}

test_run_all_runs_the_package_tier_and_counts_it() {
	run_all "$(fake_tier host 0 '5 passed, 0 failed, 0 skipped')" "$(fake_tier guest 0 '2 passed, 0 failed, 0 skipped')" \
		"$(fake_tier package 1 'FAIL test_lintian_reports_no_error' '4 passed, 1 failed, 0 skipped')"
	assert_rc 1
	assert_eq "$(tail -1 <<<"$out")" "11 passed, 1 failed, 0 skipped"
	assert_contains "$out" "FAIL test_lintian_reports_no_error"
	run_all "$(fake_tier host 0 '5 passed, 0 failed, 0 skipped')" "$(fake_tier guest 0 '2 passed, 0 failed, 0 skipped')" \
		"$(fake_tier package 0 'Killed')"
	assert_rc 1
	assert_contains "$err" "package tier: no 'N passed, N failed, N skipped' line; counted as one failure"
}

test_guest_run_that_cannot_start_ends_with_three_counts() {
	local o
	o=$(PHOENIX_REFERENCE_DIR=$WORK/no-such-dir "$TOP/tests/guest/run" 2.3 2>&1) && rc=0 || rc=$?
	assert_rc 1
	assert_eq "$(tail -1 <<<"$o")" "0 passed, 1 failed, 0 skipped"
}

run_tests
