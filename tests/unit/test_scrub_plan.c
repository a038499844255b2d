/*
 * Unit tests: the scrub job (src/plan/scrub_plan.c) as data: each line of
 * tests/unit/data/scrub_plan/cases.txt gives a captured zpool status, the
 * pool's scrub policy (the JSON text after "scrub": , so a case may add
 * "trim"), "now" (UTC), the exact plan lines and notes expected, and
 * optionally the TRIM facts: "no-trim" (this zpool has no trim) or the job
 * state's lines joined by ";".
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
#include "formats/jobstate.h"
#include "plan/scrub_plan.h"
#include "state/zfs_state.h"
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
	char *f[5];
	const char *p = line;
	for (int i = 0; i < 5; i++) {
		const char *bar = i < 4 ? strstr(p, " | ") : NULL;
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
	struct jobstate js = { 0 };
	bool trim = strcmp(f[4], "no-trim") != 0;
	if (trim && *f[4]) {
		for (char *c = f[4]; *c; c++)
			*c = *c == ';' ? '\n' : *c;
		assert_int_equal(jobstate_parse(f[4], "jobs", &js, &dl), 0);
	}
	struct scrub_plan_in in = { .cfg = &cfg, .st = &st, .now = mktime(&tm), .trim_supported = trim, .jobs = &js };
	struct plan pl = { 0 };
	scrub_plan_build(&in, &pl);
	struct strbuf got = STRBUF_INIT;
	for (size_t i = 0; i < pl.n; i++)
		sb_addf(&got, "%s%c %s", i ? " / " : "", pl.v[i].op, pl.v[i].summary);
	for (size_t i = 0; i < pl.diags.n; i++)
		sb_addf(&got, "%snote: %s", got.len ? " / " : "", pl.diags.v[i].msg);
	const char *want = strcmp(f[3], "-") ? f[3] : "";
	int rc = strcmp(sb_str(&got), want);
	if (rc)
		fprintf(stderr, "case %s %s %s:\n  want: %s\n  got:  %s\n", f[0], f[1], f[2], want, sb_str(&got));
	sb_release(&got);
	plan_free(&pl);
	jobstate_free(&js);
	zfs_config_free(&cfg);
	config_src_free(&src);
	zfs_state_free(&st);
	diag_list_free(&dl);
	free(json);
	free(text);
	free(path);
	for (int i = 0; i < 5; i++)
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

/* The zpool usage lists trim on OpenZFS (a TAB, the word, a blank), never inside another word. */
static void zpool_usage_shows_trim(void **state)
{
	(void)state;
	assert_true(zpool_usage_has("usage: zpool command args ...\n\tscrub [-s] <pool> ...\n\ttrim [-dw] <pool>\n", "trim"));
	assert_true(zpool_usage_has("\ttrim", "trim"));
	assert_false(zpool_usage_has("usage: zpool command args ...\n\tscrub [-s] <pool> ...\n", "trim"));
	assert_false(zpool_usage_has("\ttrimmed x\n trim\n", "trim"));
	assert_false(zpool_usage_has("", "trim"));
}

/* The job state file: parse, set, get, render; a bad line is an error naming it. */
static void job_state_round_trips(void **state)
{
	(void)state;
	struct jobstate js = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(jobstate_parse("# c\n\ntrim tank 100\njob snapshot 5\njob prune 7\ntrim tank 200\n", "f", &js, &dl), 0);
	assert_int_equal(jobstate_get(&js, "trim", "tank"), 200);
	assert_int_equal(jobstate_get(&js, "job", "scrub"), -1);
	assert_int_equal(jobstate_set(&js, "job", "scrub", 9), 0);
	assert_int_equal(jobstate_set(&js, "job", "bad name", 9), -1);
	assert_int_equal(jobstate_set(&js, "other", "x", 9), -1);
	assert_int_equal(jobstate_set(&js, "job", "x", -1), -1);
	char *t = jobstate_render(&js);
	assert_string_equal(strchr(t, '\n') + 1, "job prune 7\njob scrub 9\njob snapshot 5\ntrim tank 200\n");
	struct jobstate back = { 0 };
	assert_int_equal(jobstate_parse(t, "f", &back, &dl), 0);
	assert_int_equal(back.n, 4);
	free(t);
	static const char *const bad[] = { "job snapshot\n", "job  snapshot 1\n", "job snapshot 1 \n", "job snapshot -1\n",
					   "job snapshot 1x\n", "jobs snapshot 1\n", "job snapshot 9999999999999\n",
					   "job snapshot 253402300800\n", "trim t\tx 1\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jobstate x = { 0 };
		struct diag_list e = { 0 };
		assert_int_equal(jobstate_parse(bad[i], "f", &x, &e), -1);
		assert_int_equal(e.n, 1);
		assert_string_equal(e.v[0].msg, "line 1 is not 'job|trim NAME EPOCH'");
		jobstate_free(&x);
		diag_list_free(&e);
	}
	jobstate_free(&back);
	jobstate_free(&js);
	diag_list_free(&dl);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_case_plans_exactly_its_expected_scrubs),
		cmocka_unit_test(zpool_usage_shows_trim),
		cmocka_unit_test(job_state_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
