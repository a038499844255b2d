/*
 * Unit tests: the Prometheus textfile renderer (src/formats/promtext.c).
 *   build-san/tests/test_promtext --sample   prints the sample file that
 * tests/integration/test_promtext.sh feeds to a real node_exporter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "formats/promtext.h"
#include "util/strbuf.h"

/* The sample: every feature a real scrape must accept (escapes, UTF-8, counters,
 * NaN, families declared out of order, a family with no samples). */
static char *render_sample(void)
{
	struct pt_registry r = { 0 };
	struct diag_list dl = { 0 };
	pt_family(&r, "phoenix_storage_pool_health", PT_GAUGE,
		  "Pool health: 1 for the state the pool is in, 0 for the others.", &dl);
	pt_family(&r, "phoenix_storage_vdev_errors_total", PT_COUNTER,
		  "READ/WRITE/CKSUM errors of a vdev since the pool was imported or cleared.", &dl);
	pt_family(&r, "phoenix_storage_pool_capacity_ratio", PT_GAUGE, "Allocated / size.", &dl);
	pt_family(&r, "phoenix_storage_escape_test", PT_GAUGE,
		  "Label values with a backslash \\, a quote \" and a\nnewline; UTF-8: Größe.", &dl);
	pt_family(&r, "phoenix_storage_unused", PT_GAUGE, "Declared, never sampled: not rendered.", &dl);
	pt_samplef(&r, "phoenix_storage_pool_health", 0, &dl, "pool", "tank", "state", "DEGRADED", NULL);
	pt_samplef(&r, "phoenix_storage_pool_health", 1, &dl, "state", "ONLINE", "pool", "tank", NULL);
	pt_samplef(&r, "phoenix_storage_pool_capacity_ratio", 0.8125, &dl, "pool", "tank", NULL);
	pt_samplef(&r, "phoenix_storage_pool_capacity_ratio", NAN, &dl, "pool", "new pool", NULL);
	pt_samplef(&r, "phoenix_storage_vdev_errors_total", 1597, &dl, "pool", "tank", "vdev",
		   "/tmp/x/vdev-b", "kind", "checksum", NULL);
	pt_samplef(&r, "phoenix_storage_vdev_errors_total", 0, &dl, "pool", "tank", "vdev",
		   "/tmp/x/vdev-b", "kind", "read", NULL);
	pt_samplef(&r, "phoenix_storage_escape_test", 1, &dl, "name", "a\\b \"c\"\nd", NULL);
	pt_samplef(&r, "phoenix_storage_escape_test", 2, &dl, "name", "Größe", NULL);
	assert_int_equal(dl.n, 0);
	char *s = pt_render(&r);
	pt_free(&r);
	diag_list_free(&dl);
	return s;
}

static const char *sample_expected =
	"# HELP phoenix_storage_escape_test Label values with a backslash \\\\, a quote \" and a\\nnewline; UTF-8: Größe.\n"
	"# TYPE phoenix_storage_escape_test gauge\n"
	"phoenix_storage_escape_test{name=\"Größe\"} 2\n"
	"phoenix_storage_escape_test{name=\"a\\\\b \\\"c\\\"\\nd\"} 1\n"
	"# HELP phoenix_storage_pool_capacity_ratio Allocated / size.\n"
	"# TYPE phoenix_storage_pool_capacity_ratio gauge\n"
	"phoenix_storage_pool_capacity_ratio{pool=\"new pool\"} NaN\n"
	"phoenix_storage_pool_capacity_ratio{pool=\"tank\"} 0.8125\n"
	"# HELP phoenix_storage_pool_health Pool health: 1 for the state the pool is in, 0 for the others.\n"
	"# TYPE phoenix_storage_pool_health gauge\n"
	"phoenix_storage_pool_health{pool=\"tank\",state=\"DEGRADED\"} 0\n"
	"phoenix_storage_pool_health{pool=\"tank\",state=\"ONLINE\"} 1\n"
	"# HELP phoenix_storage_vdev_errors_total READ/WRITE/CKSUM errors of a vdev since the pool was imported or cleared.\n"
	"# TYPE phoenix_storage_vdev_errors_total counter\n"
	"phoenix_storage_vdev_errors_total{kind=\"checksum\",pool=\"tank\",vdev=\"/tmp/x/vdev-b\"} 1597\n"
	"phoenix_storage_vdev_errors_total{kind=\"read\",pool=\"tank\",vdev=\"/tmp/x/vdev-b\"} 0\n";

static void sample_renders_sorted_escaped_and_without_timestamps(void **state)
{
	(void)state;
	char *s = render_sample();
	assert_string_equal(s, sample_expected);
	free(s);
}

static void insertion_order_does_not_change_the_output(void **state)
{
	(void)state;
	struct diag_list dl = { 0 };
	char *out[2];
	for (int k = 0; k < 2; k++) {
		struct pt_registry r = { 0 };
		const char *fams[] = { "b_metric", "a_metric" };
		for (int i = 0; i < 2; i++)
			pt_family(&r, fams[k ? 1 - i : i], PT_GAUGE, "h", &dl);
		const char *pools[] = { "z", "a", "m" };
		for (int i = 0; i < 3; i++) {
			const char *p = pools[k ? 2 - i : i];
			pt_samplef(&r, "a_metric", 1, &dl, "pool", p, NULL);
			pt_samplef(&r, "b_metric", 2, &dl, "pool", p, NULL);
		}
		out[k] = pt_render(&r);
		pt_free(&r);
	}
	assert_int_equal(dl.n, 0);
	assert_string_equal(out[0], out[1]);
	assert_string_equal(out[0], "# HELP a_metric h\n# TYPE a_metric gauge\n"
				    "a_metric{pool=\"a\"} 1\na_metric{pool=\"m\"} 1\na_metric{pool=\"z\"} 1\n"
				    "# HELP b_metric h\n# TYPE b_metric gauge\n"
				    "b_metric{pool=\"a\"} 2\nb_metric{pool=\"m\"} 2\nb_metric{pool=\"z\"} 2\n");
	free(out[0]);
	free(out[1]);
}

static void values_are_exact_for_integers_and_round_trip_otherwise(void **state)
{
	(void)state;
	struct pt_registry r = { 0 };
	struct diag_list dl = { 0 };
	pt_family(&r, "v", PT_UNTYPED, "values", &dl);
	double vals[] = { 1796163860, -3, 0.1, INFINITY, -INFINITY, 1e300 };
	const char *names[] = { "a", "b", "c", "d", "e", "f" };
	for (int i = 0; i < 6; i++)
		pt_samplef(&r, "v", vals[i], &dl, "k", names[i], NULL);
	pt_samplef(&r, "v", 7, &dl, NULL); /* no labels */
	char *s = pt_render(&r);
	assert_string_equal(s, "# HELP v values\n# TYPE v untyped\n"
			       "v 7\n"
			       "v{k=\"a\"} 1796163860\nv{k=\"b\"} -3\nv{k=\"c\"} 0.10000000000000001\n"
			       "v{k=\"d\"} +Inf\nv{k=\"e\"} -Inf\nv{k=\"f\"} 1.0000000000000001e+300\n");
	free(s);
	pt_free(&r);
	assert_int_equal(dl.n, 0);
}

static void empty_registry_renders_nothing(void **state)
{
	(void)state;
	struct pt_registry r = { 0 };
	char *s = pt_render(&r);
	assert_string_equal(s, "");
	free(s);
}

static void invalid_names_and_duplicates_are_refused(void **state)
{
	(void)state;
	struct pt_registry r = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(pt_family(&r, "9lives", PT_GAUGE, "h", &dl), -1);
	assert_int_equal(pt_family(&r, "a-b", PT_GAUGE, "h", &dl), -1);
	assert_int_equal(pt_family(&r, "", PT_GAUGE, "h", &dl), -1);
	assert_int_equal(pt_family(&r, "ok:name_1", PT_GAUGE, "h", &dl), 0);
	assert_int_equal(pt_family(&r, "ok:name_1", PT_GAUGE, "h", &dl), 0); /* same again: fine */
	assert_int_equal(pt_family(&r, "ok:name_1", PT_COUNTER, "h", &dl), -1);
	assert_int_equal(pt_family(&r, "bad_help", PT_GAUGE, "\xff", &dl), -1);
	assert_int_equal(dl.n, 5);
	assert_string_equal(dl.v[0].msg, "invalid metric name '9lives'");
	assert_string_equal(dl.v[3].msg, "metric ok:name_1 declared twice with a different type or help");
	assert_string_equal(dl.v[4].msg, "metric bad_help: help text is not UTF-8");
	diag_list_free(&dl);
	assert_int_equal(pt_samplef(&r, "ok:name_1", 1, &dl, "__name", "x", NULL), -1);
	assert_int_equal(pt_samplef(&r, "ok:name_1", 1, &dl, "a:b", "x", NULL), -1);
	assert_int_equal(pt_samplef(&r, "ok:name_1", 1, &dl, "pool", "a", "pool", "b", NULL), -1);
	assert_int_equal(pt_samplef(&r, "ok:name_1", 1, &dl, "pool", "\xc3\x28", NULL), -1);
	assert_int_equal(pt_samplef(&r, "ok:name_1", 1, &dl, "pool", "\xed\xa0\x80", NULL), -1); /* surrogate */
	assert_int_equal(pt_samplef(&r, "ok:name_1", 1, &dl, "pool", "\xc0\xaf", NULL), -1);    /* overlong */
	assert_int_equal(pt_samplef(&r, "nope", 1, &dl, NULL), -1);
	assert_int_equal(pt_samplef(&r, "ok:name_1", 1, &dl, "pool", "a", "vdev", "x", NULL), 0);
	assert_int_equal(pt_samplef(&r, "ok:name_1", 2, &dl, "vdev", "x", "pool", "a", NULL), -1);
	assert_int_equal(dl.n, 8);
	assert_string_equal(dl.v[0].msg, "metric ok:name_1: invalid label name '__name'");
	assert_string_equal(dl.v[2].msg, "metric ok:name_1: label pool given twice");
	assert_string_equal(dl.v[3].msg, "metric ok:name_1: value of label pool is not UTF-8");
	assert_string_equal(dl.v[6].msg, "metric nope: family not declared");
	assert_string_equal(dl.v[7].msg, "metric ok:name_1: two samples with the same labels");
	char *s = pt_render(&r);
	assert_string_equal(s, "# HELP ok:name_1 h\n# TYPE ok:name_1 gauge\nok:name_1{pool=\"a\",vdev=\"x\"} 1\n");
	free(s);
	pt_free(&r);
	diag_list_free(&dl);
	assert_true(pt_valid_label_name("_x9"));
	assert_false(pt_valid_label_name("9x"));
	assert_true(pt_valid_metric_name(":x"));
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--sample")) {
		char *s = render_sample();
		fputs(s, stdout);
		free(s);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sample_renders_sorted_escaped_and_without_timestamps),
		cmocka_unit_test(insertion_order_does_not_change_the_output),
		cmocka_unit_test(values_are_exact_for_integers_and_round_trip_otherwise),
		cmocka_unit_test(empty_registry_renders_nothing),
		cmocka_unit_test(invalid_names_and_duplicates_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
