#!/usr/bin/env bash
# Integration: the textfile that src/formats/promtext.c renders is read by a
# real prometheus-node-exporter (Debian package; textfile collector only, on a
# loopback port) and scraped over HTTP with curl: node_textfile_scrape_error 0
# and every sample back with its labels unescaped to the same values.
# prom_start, prom_stop and prom_scrape live in lib.sh. The file under test comes from
# build-san/tests/test_promtext --sample (what the unit test checks byte by byte).
source "$(dirname "$0")/lib.sh"
SAMPLE_BIN=$TOP/build-san/tests/test_promtext
# needs_exporter: skips the test when the exporter or the sample tool is missing.
needs_exporter() {
	command -v "$PROM_BIN" >/dev/null || skip "prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter)"
	command -v curl >/dev/null || skip "curl is not installed"
	[ -x "$SAMPLE_BIN" ] || fail "no $SAMPLE_BIN (make SAN=1)"
}

test_rendered_file_scrapes_without_error() {
	needs_exporter
	trap prom_stop EXIT
	mkdir -p "$WORK/tf"
	"$SAMPLE_BIN" --sample >"$WORK/tf/phoenix_storage.prom"
	prom_start "$WORK/tf"
	local m; m=$(prom_scrape)
	assert_contains "$m" "node_textfile_scrape_error 0"
	assert_contains "$m" "node_textfile_mtime_seconds{file=\"$WORK/tf/phoenix_storage.prom\"}"
	# the exporter re-renders what it parsed: same families, values, escapes
	assert_contains "$m" "# TYPE phoenix_storage_vdev_errors_total counter"
	assert_contains "$m" 'phoenix_storage_vdev_errors_total{kind="checksum",pool="tank",vdev="/tmp/x/vdev-b"} 1597'
	assert_contains "$m" 'phoenix_storage_pool_health{pool="tank",state="ONLINE"} 1'
	assert_contains "$m" 'phoenix_storage_pool_health{pool="tank",state="DEGRADED"} 0'
	assert_contains "$m" 'phoenix_storage_pool_capacity_ratio{pool="tank"} 0.8125'
	assert_contains "$m" 'phoenix_storage_pool_capacity_ratio{pool="new pool"} NaN'
	assert_contains "$m" 'phoenix_storage_escape_test{name="a\\b \"c\"\nd"} 1'
	assert_contains "$m" 'phoenix_storage_escape_test{name="Größe"} 2'
	assert_contains "$m" '# HELP phoenix_storage_escape_test Label values with a backslash \\, a quote " and a\nnewline; UTF-8: Größe.'
	assert_not_contains "$m" "phoenix_storage_unused"
	[ "$(grep -c '^# TYPE phoenix_storage_' <<<"$m")" = 4 ] || fail "expected 4 phoenix_storage_ families in: $m"
}

# The check can fail: a sample with a timestamp (which the renderer never
# writes) makes the same exporter report a scrape error.
test_file_with_a_timestamp_is_a_scrape_error() {
	needs_exporter
	trap prom_stop EXIT
	mkdir -p "$WORK/bad"
	printf '# HELP x_y test\n# TYPE x_y gauge\nx_y 1 1700000000000\n' >"$WORK/bad/bad.prom"
	prom_start "$WORK/bad"
	local m; m=$(prom_scrape)
	assert_contains "$m" "node_textfile_scrape_error 1"
	assert_not_contains "$m" "x_y 1"
}

run_tests
