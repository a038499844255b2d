/*
 * Unit tests: the scrub job (src/plan/scrub_plan.c) as data: each line of
 * tests/unit/data/scrub_plan/cases.txt gives a captured zpool status, the
 * pool's scrub policy, "now" (UTC) and the exact plan lines expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/zfs_config.h"
#include "plan/scrub_plan.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define DATA "tests/unit/data/"

static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ')) s++, n--;
	while (n && (s[n - 1] == ' ')) n--;
	return xstrndup(s, n);
}

/* Runs one case; returns 0 when its plan is the expected one (else prints both). */
static int run_case(const char *line)
{
	char *f[4];
	const char *p = line;
	for (int i = 0; i < 4; i++) {
		const char *bar = i < 3 ? strstr(p, " | ") : NULL;
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		f[i] = trimmed(p, n);
		p = bar ? bar + 3 : p + n;
	}
	char *path = xasprintf(DATA "zpool/%s", f[0]), *text = NULL;
	assert_int_equal(read_file(path, &text, NULL), 0);
	struct zfs_state st = { 0 };
	struct diag_list dl = { 0 };
	zpool_parse_status(text, &st, false, &dl);
	assert_true(st.n_pools == 1);
	char *json = xasprintf("{\"zfs\": {\"pools\": [{\"name\": \"%s\", \"raid_level\": \"single\", "
			       "\"disks\": [\"/dev/x\"], \"scrub\": %s}]}}", st.pools[0].name, f[1]);
	struct config_src src = { 0 };
	assert_int_equal(config_src_parse(&src, "c.json", json, &dl), 0);
	struct zfs_config cfg = { 0 };
	assert_int_equal(zfs_config_load(&src, &cfg, &dl), 0);
	struct tm tm = { 0 };
	assert_non_null(strptime(f[2], "%Y-%m-%dT%H:%M:%S", &tm));
	tm.tm_isdst = -1;
	struct scrub_plan_in in = { &cfg, &st, mktime(&tm) };
	struct plan pl = { 0 };
	scrub_plan_build(&in, &pl);
	struct strbuf got = STRBUF_INIT;
	for (size_t i = 0; i < pl.n; i++)
		sb_addf(&got, "%s%c %s", i ? " / " : "", pl.v[i].op, pl.v[i].summary);
	const char *want = strcmp(f[3], "-") ? f[3] : "";
	int rc = strcmp(sb_str(&got), want);
	if (rc)
		fprintf(stderr, "case %s %s %s:\n  want: %s\n  got:  %s\n", f[0], f[1], f[2], want, sb_str(&got));
	sb_release(&got);
	plan_free(&pl);
	zfs_config_free(&cfg);
	config_src_free(&src);
	zfs_state_free(&st);
	diag_list_free(&dl);
	free(json);
	free(text);
	free(path);
	for (int i = 0; i < 4; i++)
		free(f[i]);
	return rc;
}

static void every_case_plans_exactly_its_expected_scrubs(void **state)
{
	(void)state;
	char *all = NULL;
	assert_int_equal(read_file(DATA "scrub_plan/cases.txt", &all, NULL), 0);
	int bad = 0, n = 0;
	for (char *l = strtok(all, "\n"); l; l = strtok(NULL, "\n")) {
		if (*l == '#' || !*l)
			continue;
		n++;
		bad += run_case(l) != 0;
	}
	fprintf(stderr, "%d scrub cases, %d wrong\n", n, bad);
	assert_true(n >= 8);
	assert_int_equal(bad, 0);
	free(all);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_case_plans_exactly_its_expected_scrubs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
