/*
 * Unit tests: snapshot names (formats/snap_name.h) from
 * tests/unit/data/names/names.case, and the UTC time text of util/civil.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "case_file.h"
#include "formats/snap_name.h"
#include "util/civil.h"

static void names_parse_as_the_case_file_says(void **state)
{
	(void)state;
	struct strvec lines = { 0 };
	char *path = case_file_lines("names", "names.case", &lines);
	int bad = 0;
	for (size_t i = 0; i < lines.n; i++) {
		char name[128], kind[16], when[32] = "", cls[16] = "";
		int k = sscanf(lines.v[i], "%127s -> %15s %31s %15s", name, kind, when, cls);
		if (k < 2)
			fail_msg("%s: bad line '%s'", path, lines.v[i]);
		int64_t t;
		enum snap_class c;
		int rc = snap_name_parse(name, &t, &c);
		if (!strcmp(kind, "foreign")) {
			if (!rc) {
				print_error("%s: %s parsed as ours\n", path, name);
				bad++;
			}
			continue;
		}
		int64_t want;
		assert_int_equal(civil_parse_utc(when, &want), 0);
		if (rc || t != want || strcmp(snap_class_name(c), cls)) {
			print_error("%s: %s: rc %d, time %lld, class %s\n", path, name, rc, (long long)t,
				    rc ? "-" : snap_class_name(c));
			bad++;
			continue;
		}
		/* ours round-trips exactly */
		char again[SNAP_NAME_MAX];
		assert_int_equal(snap_name_format(t, c, again, sizeof(again)), 0);
		assert_string_equal(again, name);
	}
	assert_true(lines.n > 30);
	assert_int_equal(bad, 0);
	sv_free(&lines);
	free(path);
}

static void every_second_round_trips(void **state)
{
	(void)state;
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t t = (int64_t)(x % 253402300800ULL);   /* 1970 .. 9999 */
		enum snap_class c = (enum snap_class)(x % SNAP_NCLASSES), c2;
		char name[SNAP_NAME_MAX];
		assert_int_equal(snap_name_format(t, c, name, sizeof(name)), 0);
		assert_true(strlen(name) < SNAP_NAME_MAX);
		int64_t t2;
		assert_int_equal(snap_name_parse(name, &t2, &c2), 0);
		assert_true(t2 == t && c2 == c);
	}
	char buf[SNAP_NAME_MAX];
	assert_int_equal(snap_name_format(253402300800LL, SNAP_DAILY, buf, sizeof(buf)), -1); /* year 10000 */
	assert_string_equal(buf, "");
	assert_int_equal(snap_name_format(-62167219201LL, SNAP_DAILY, buf, sizeof(buf)), -1); /* year -1 */
	assert_int_equal(snap_name_format(0, SNAP_FREQUENT, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "phoenix_1970-01-01T000000Z_frequent");
}

static void utc_text_is_strict(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(civil_parse_utc("2026-03-08T07:00:00Z", &t), 0);
	assert_int_equal(t, 1772953200);
	char buf[32];
	civil_format_utc(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-08T07:00:00Z");
	const char *bad[] = { "2026-03-08T07:00:00", "2026-03-08 07:00:00Z", "2026-03-08T07:00:00Z ",
			      "2026-02-29T00:00:00Z", "2026-03-08T24:00:00Z", "2026-03-08T07:00:60Z",
			      "26-03-08T07:00:00Z", "2026-3-8T7:00:00Z", "", "2026-03-08T07:00:00+00:00" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (!civil_parse_utc(bad[i], &t))
			fail_msg("accepted '%s'", bad[i]);
	/* before the epoch, and weekdays */
	assert_int_equal(civil_parse_utc("1969-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, -1);
	assert_int_equal(civil_iso_weekday(civil_days_from_date(2026, 3, 9)), 1);   /* Monday */
	assert_int_equal(civil_iso_weekday(civil_days_from_date(2027, 1, 1)), 5);   /* Friday */
	assert_int_equal(civil_iso_weekday(civil_days_from_date(1969, 12, 28)), 7); /* Sunday */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_parse_as_the_case_file_says),
		cmocka_unit_test(every_second_round_trips),
		cmocka_unit_test(utc_text_is_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
