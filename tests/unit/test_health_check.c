/*
 * Unit tests: the check evaluator (src/plan/health_check.c), data-driven.
 * Each tests/unit/data/check/NAME.case describes a health model built from
 * captured fixtures; NAME.expected is the exact plugin output followed by a
 * line "exit N". Case lines ('#' starts a comment; times are UTC, the test
 * runs with TZ=UTC0, as the fixtures' zpool ran):
 *   now YYYY-MM-DD HH:MM:SS
 *   pool FIXTURE [capacity=PCT] [scrub_every=7d|12h|...]   (FIXTURE relative to tests/unit/data;
 *                                   every pool of the file, same options)
 *   absent NAME
 *   unknown TEXT
 *   snap DATASET CLASS newest=YYYY-MM-DD HH:MM:SS|none period=1h
 *   disk SMART_FIXTURE [pool=NAME]
 *   threshold KEY=VALUE    (capacity_warn, capacity_crit, scrub_warn, scrub_crit,
 *                           snapshot_warn, snapshot_crit, nvme_used_warn, nvme_used_crit)
 *   build-san/tests/test_health_check --print CASE   prints what CASE gives
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "plan/health_check.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define DATA "tests/unit/data"

/* Everything a case owns. */
struct case_model {
	struct zh_status status[16];
	size_t n_status;
	struct hc_pool pools[32];
	size_t n_pools;
	char *absent[8];
	size_t n_absent;
	char *unknown[8];
	size_t n_unknown;
	struct hc_snapshots snaps[16];
	struct hc_key keys[8];
	size_t n_keys;
	char *snap_strs[48];
	size_t n_snaps, n_snap_strs;
	struct smart_info smart[16];
	struct hc_disk disks[16];
	char *disk_pools[16];
	size_t n_disks;
	struct hc_thresholds th;
	time_t now;
	char *error;
};

static time_t utc(const char *s)
{
	struct tm tm = { 0 };
	if (sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec) != 6)
		return (time_t)-1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static int64_t duration(const char *s)
{
	char *e;
	long long n = strtoll(s, &e, 10);
	switch (*e) {
	case 'd': return n * 86400;
	case 'h': return n * 3600;
	case 'm': return n * 60;
	default: return n;
	}
}

static char *read_data(const char *rel)
{
	char *path = xasprintf("%s/%s", DATA, rel), *d = NULL;
	size_t len;
	if (read_file(path, &d, &len))
		d = NULL;
	free(path);
	return d;
}

static const char *opt(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	return p ? p + strlen(key) : NULL;
}

static void case_line(struct case_model *m, char *l)
{
	char word[32] = "", arg[512] = "";
	if (sscanf(l, "%31s %511s", word, arg) < 1 || word[0] == '#')
		return;
	const char *rest = l + strlen(word);
	while (*rest == ' ')
		rest++;
	if (!strcmp(word, "now")) {
		m->now = utc(rest);
	} else if (!strcmp(word, "pool")) {
		char *text = read_data(arg);
		if (!text) {
			m->error = xasprintf("cannot read %s", arg);
			return;
		}
		struct zh_status *st = &m->status[m->n_status++];
		struct diag_list dl = { 0 };
		if (strstr(arg, ".json"))
			zh_parse_status_json(text, st, &dl);
		else
			zh_parse_status(text, st, &dl);
		diag_list_free(&dl);
		free(text);
		const char *cap = opt(l, "capacity="), *every = opt(l, "scrub_every=");
		for (size_t i = 0; i < st->n_pools; i++) {
			struct hc_pool *p = &m->pools[m->n_pools++];
			p->health = &st->pools[i];
			p->capacity_pct = cap ? atoi(cap) : -1;
			p->scrub_interval_s = every ? duration(every) : 0;
		}
	} else if (!strcmp(word, "absent")) {
		m->absent[m->n_absent++] = xstrdup(arg);
	} else if (!strcmp(word, "unknown")) {
		m->unknown[m->n_unknown++] = xstrdup(rest);
	} else if (!strcmp(word, "snap")) {
		char ds[256], cls[64];
		if (sscanf(rest, "%255s %63s", ds, cls) != 2)
			return;
		struct hc_snapshots *s = &m->snaps[m->n_snaps++];
		s->dataset = m->snap_strs[m->n_snap_strs++] = xstrdup(ds);
		s->class_name = m->snap_strs[m->n_snap_strs++] = xstrdup(cls);
		const char *nw = opt(l, "newest=");
		s->newest = (!nw || !strncmp(nw, "none", 4)) ? (time_t)-1 : utc(nw);
		s->period_s = opt(l, "period=") ? duration(opt(l, "period=")) : 3600;
	} else if (!strcmp(word, "key")) {
		/* key DATASET loaded|unavailable */
		char ds[256], st[32];
		if (sscanf(rest, "%255s %31s", ds, st) != 2)
			return;
		m->keys[m->n_keys].dataset = m->snap_strs[m->n_snap_strs++] = xstrdup(ds);
		m->keys[m->n_keys++].loaded = !strcmp(st, "loaded");
	} else if (!strcmp(word, "disk")) {
		char *text = read_data(arg);
		const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
		char dev[128];
		snprintf(dev, sizeof(dev), "/dev/%.*s", (int)strcspn(base, "."), base);
		smart_parse_json(dev, text, &m->smart[m->n_disks]);
		free(text);
		const char *pool = opt(l, "pool=");
		m->disk_pools[m->n_disks] = pool ? xstrndup(pool, strcspn(pool, " ")) : NULL;
		m->disks[m->n_disks].pool = m->disk_pools[m->n_disks];
		m->disks[m->n_disks].smart = &m->smart[m->n_disks];
		m->n_disks++;
	} else if (!strcmp(word, "threshold")) {
		char key[64];
		double v;
		if (sscanf(arg, "%63[^=]=%lf", key, &v) != 2)
			return;
		if (!strcmp(key, "capacity_warn")) m->th.capacity_warn_pct = (int)v;
		else if (!strcmp(key, "capacity_crit")) m->th.capacity_crit_pct = (int)v;
		else if (!strcmp(key, "scrub_warn")) m->th.scrub_warn_factor = v;
		else if (!strcmp(key, "scrub_crit")) m->th.scrub_crit_factor = v;
		else if (!strcmp(key, "snapshot_warn")) m->th.snapshot_warn_factor = v;
		else if (!strcmp(key, "snapshot_crit")) m->th.snapshot_crit_factor = v;
		else if (!strcmp(key, "nvme_used_warn")) m->th.nvme_used_warn_pct = (int)v;
		else if (!strcmp(key, "nvme_used_crit")) m->th.nvme_used_crit_pct = (int)v;
		else m->error = xasprintf("unknown threshold %s", key);
	} else {
		m->error = xasprintf("unknown case line '%s'", l);
	}
}

static void case_free(struct case_model *m)
{
	for (size_t i = 0; i < m->n_status; i++)
		zh_status_free(&m->status[i]);
	for (size_t i = 0; i < m->n_absent; i++)
		free(m->absent[i]);
	for (size_t i = 0; i < m->n_unknown; i++)
		free(m->unknown[i]);
	for (size_t i = 0; i < m->n_snap_strs; i++)
		free(m->snap_strs[i]);
	for (size_t i = 0; i < m->n_disks; i++) {
		smart_info_free(&m->smart[i]);
		free(m->disk_pools[i]);
	}
	free(m->error);
}

/* Runs a case file; returns the plugin output plus "exit N\n" (caller frees). */
static char *run_case(const char *path)
{
	char *text = NULL;
	size_t len;
	if (read_file(path, &text, &len))
		return xasprintf("cannot read %s\n", path);
	struct case_model *m = xcalloc(1, sizeof(*m));
	hc_thresholds_default(&m->th);
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
		case_line(m, l);
	free(text);
	char *out;
	if (m->error) {
		out = xasprintf("case error: %s\n", m->error);
	} else {
		struct hc_input in = {
			.pools = m->pools, .n_pools = m->n_pools,
			.absent_pools = (const char *const *)m->absent, .n_absent = m->n_absent,
			.snapshots = m->snaps, .n_snapshots = m->n_snaps,
			.disks = m->disks, .n_disks = m->n_disks,
			.keys = m->keys, .n_keys = m->n_keys,
			.unknown = (const char *const *)m->unknown, .n_unknown = m->n_unknown,
			.now = m->now,
		};
		struct hc_result r;
		hc_evaluate(&in, &m->th, &r);
		char *s = hc_render(&r);
		out = xasprintf("%sexit %d\n", s, hc_exit_status(&r));
		free(s);
		hc_result_free(&r);
	}
	case_free(m);
	free(m);
	return out;
}

static void every_case_gives_its_expected_output(void **state)
{
	(void)state;
	struct dirent **e = NULL;
	int n = scandir(DATA "/check", &e, NULL, alphasort);
	int checked = 0, failed = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(e[i]->d_name);
		if (l > 5 && !strcmp(e[i]->d_name + l - 5, ".case")) {
			char *path = xasprintf("%s/check/%s", DATA, e[i]->d_name);
			char *exp = xasprintf("%.*s.expected", (int)(strlen(path) - 5), path);
			char *got = run_case(path), *want = NULL;
			size_t len;
			if (read_file(exp, &want, &len) || strcmp(got, want)) {
				print_error("%s: output differs from %s; got:\n%s", path, exp, got);
				failed++;
			}
			checked++;
			free(path);
			free(exp);
			free(got);
			free(want);
		}
		free(e[i]);
	}
	free(e);
	assert_true(checked >= 30);
	assert_int_equal(failed, 0);
}

static void durations_read_like_people_write_them(void **state)
{
	(void)state;
	const struct { int64_t s; const char *want; } c[] = {
		{ 0, "0s" }, { 59, "59s" }, { 61, "1m 1s" }, { 3600, "1h 0m" }, { 25200 + 180, "7h 3m" },
		{ 86400 * 45, "45d 0h" }, { 86400 + 7200 + 59, "1d 2h" }, { -5, "0s" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *s = hc_format_duration(c[i].s);
		assert_string_equal(s, c[i].want);
		free(s);
	}
}

static void empty_model_is_ok(void **state)
{
	(void)state;
	struct hc_input in = { .now = 1 };
	struct hc_thresholds t;
	hc_thresholds_default(&t);
	struct hc_result r;
	hc_evaluate(&in, &t, &r);
	char *s = hc_render(&r);
	assert_string_equal(s, "OK: no problems in 0 pools, 0 disks, 0 snapshot classes\n");
	assert_int_equal(hc_exit_status(&r), 0);
	free(s);
	hc_result_free(&r);
	assert_int_equal(t.capacity_warn_pct, 80);
	assert_int_equal(t.capacity_crit_pct, 90);
	assert_int_equal(t.nvme_used_warn_pct, 80);
	assert_int_equal(t.nvme_used_crit_pct, 95);
}

int main(int argc, char **argv)
{
	setenv("TZ", "UTC0", 1);
	tzset();
	if (argc == 3 && !strcmp(argv[1], "--print")) {
		char *s = run_case(argv[2]);
		fputs(s, stdout);
		free(s);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_case_gives_its_expected_output),
		cmocka_unit_test(durations_read_like_people_write_them),
		cmocka_unit_test(empty_model_is_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
