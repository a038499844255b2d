/*
 * Unit tests: due classes and period starts (plan/snap_policy.h), from the
 * case files in tests/unit/data/due/, and replays of many runs:
 *   - sanoid's own DST expectations (Europe/Vienna 2017: 73 hourly, 3 daily,
 *     1 monthly over three days of 15-minute runs; 8760/365/12 over a year of
 *     hourly runs), which this engine must meet without a system clock;
 *   - a month of 15-minute runs in America/New_York across each of 2026's
 *     transitions, taking and pruning as the timer would, checked against an
 *     independent expectation computed with glibc's localtime_r (test only).
 *
 * Case line: "at NOW CLASS PERIOD-START [after NEWEST] -> due|wait|skew",
 * after "zone NAME" and "policy frequent_minutes=F keep=..." lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "case_file.h"
#include "plan/snap_policy.h"
#include "snap_case.h"
#include "config/tz.h"

static void load_zone(const char *name, struct tz_zone *z)
{
	char *why = NULL;
	if (tz_load(name, NULL, z, &why))
		fail_msg("%s", why);
}

static void run_case(void **state)
{
	const char *path = *state;
	char *text = case_read(path);
	struct strvec lines = { 0 };
	case_lines(text, &lines);
	struct tz_zone z = { 0 };
	bool have_zone = false, have_policy = false;
	struct snap_policy p;
	snap_policy_init(&p);
	int bad = 0, checks = 0;
	for (size_t i = 0; i < lines.n; i++) {
		const char *l = lines.v[i], *a;
		if ((a = case_after(l, "zone"))) {
			tz_zone_free(&z);
			load_zone(a, &z);
			have_zone = true;
			continue;
		}
		if ((a = case_after(l, "policy"))) {
			snap_policy_release(&p);
			if (case_policy(a, &p))
				fail_msg("%s: bad policy '%s'", path, l);
			have_policy = true;
			continue;
		}
		if (!(a = case_after(l, "at")) || !have_zone || !have_policy)
			fail_msg("%s: unexpected line '%s' (zone and policy come first)", path, l);
		char now_s[32], cls_s[16], start_s[32], w1[32], w2[32], w3[32] = "", w4[32] = "";
		int k = sscanf(a, "%31s %15s %31s %31s %31s %31s %31s", now_s, cls_s, start_s, w1, w2, w3, w4);
		enum snap_class c;
		if (k < 5 || snap_class_parse(cls_s, &c))
			fail_msg("%s: bad line '%s'", path, l);
		const char *want = NULL;
		char newest[SNAP_NAME_MAX] = "";
		struct snap_info s = { 0 };
		if (!strcmp(w1, "after") && k == 6 && !strcmp(w3, "->") ) {
			fail_msg("%s: bad line '%s'", path, l);
		} else if (!strcmp(w1, "after") && k == 7 && !strcmp(w3, "->")) {
			snap_name_format(case_time(w2), c, newest, sizeof(newest));
			want = w4;
		} else if (!strcmp(w1, "->") && k == 5) {
			want = w2;
		} else {
			fail_msg("%s: bad line '%s'", path, l);
		}
		s.name = newest;
		int64_t now = case_time(now_s);
		struct snap_due d;
		snap_due_eval(&p, &z, now, &s, newest[0] ? 1 : 0, &d);
		const char *got = d.clock_skew ? "skew" : d.due[c] ? "due" : "wait";
		char got_start[32];
		civil_format_utc(d.period_start[c], got_start, sizeof(got_start));
		if (strcmp(got, want) || strcmp(got_start, start_s)) {
			print_error("%s: '%s'\n   got: %s %s\n", path, l, got_start, got);
			bad++;
		}
		if (d.due[c]) {
			/* the name to take is now's second */
			char n2[SNAP_NAME_MAX];
			snap_name_format(now, c, n2, sizeof(n2));
			assert_string_equal(d.name[c], n2);
		}
		checks++;
	}
	assert_true(checks > 0);
	snap_policy_release(&p);
	tz_zone_free(&z);
	sv_free(&lines);
	free(text);
	assert_int_equal(bad, 0);
}

/* ---- replays ---- */

struct dataset {
	struct snap_info *s;
	char (*names)[SNAP_NAME_MAX];
	size_t n, cap;
	uint64_t txg;
	size_t taken[SNAP_NCLASSES];
	size_t max_count[SNAP_NCLASSES];
};

static void ds_add(struct dataset *ds, const char *name)
{
	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? 2 * ds->cap : 256;
		ds->s = xrealloc(ds->s, ds->cap * sizeof(*ds->s));
		ds->names = xrealloc(ds->names, ds->cap * sizeof(*ds->names));
	}
	snprintf(ds->names[ds->n], SNAP_NAME_MAX, "%s", name);
	for (size_t i = 0; i < ds->n; i++) {
		ds->s[i].name = ds->names[i];
		if (!strcmp(ds->names[i], name))
			fail_msg("snapshot %s taken twice", name);
	}
	ds->txg++;
	ds->s[ds->n] = (struct snap_info){ .name = ds->names[ds->n], .guid = ds->txg, .createtxg = ds->txg };
	ds->n++;
}

/* One timer run: take what is due (all at now), then prune. */
static void ds_run(struct dataset *ds, const struct snap_policy *p, const struct tz_zone *z, int64_t now,
		   bool prune)
{
	for (size_t i = 0; i < ds->n; i++)
		ds->s[i].name = ds->names[i];
	struct snap_due d;
	snap_due_eval(p, z, now, ds->s, ds->n, &d);
	assert_false(d.clock_skew);
	for (int c = 0; c < SNAP_NCLASSES; c++)
		if (d.due[c]) {
			ds_add(ds, d.name[c]);
			ds->taken[c]++;
		}
	if (!prune)
		return;
	for (size_t i = 0; i < ds->n; i++)
		ds->s[i].name = ds->names[i];
	struct snap_retention r;
	snap_retention_decide(p, now, ds->s, ds->n, NULL, 0, &r);
	size_t k = 0;
	size_t count[SNAP_NCLASSES] = { 0 };
	for (size_t i = 0; i < ds->n; i++) {
		if (r.v[i].verdict == SNAP_DESTROY)
			continue;
		count[r.v[i].cls]++;
		if (k != i) {
			memcpy(ds->names[k], ds->names[i], SNAP_NAME_MAX);
			ds->s[k] = ds->s[i];
		}
		k++;
	}
	ds->n = k;
	for (int c = 0; c < SNAP_NCLASSES; c++)
		if (count[c] > ds->max_count[c])
			ds->max_count[c] = count[c];
	snap_retention_free(&r);
}

static void ds_free(struct dataset *ds)
{
	free(ds->s);
	free(ds->names);
}

/* Only the newest snapshot of each class matters for "due": keep just those (fast replays). */
static void ds_keep_newest(struct dataset *ds)
{
	size_t best[SNAP_NCLASSES];
	int64_t bt[SNAP_NCLASSES];
	bool have[SNAP_NCLASSES] = { false };
	for (size_t i = 0; i < ds->n; i++) {
		int64_t t;
		enum snap_class c;
		assert_int_equal(snap_name_parse(ds->names[i], &t, &c), 0);
		if (!have[c] || t > bt[c]) {
			have[c] = true;
			bt[c] = t;
			best[c] = i;
		}
	}
	char keep[SNAP_NCLASSES][SNAP_NAME_MAX];
	size_t k = 0;
	for (int c = 0; c < SNAP_NCLASSES; c++)
		if (have[c])
			memcpy(keep[k++], ds->names[best[c]], SNAP_NAME_MAX);
	for (size_t i = 0; i < k; i++) {
		memcpy(ds->names[i], keep[i], SNAP_NAME_MAX);
		ds->s[i].name = ds->names[i];
	}
	ds->n = k;
}

static void replay_without_pruning(const char *zone, unsigned fm, const unsigned keep[6], int64_t start,
				   int64_t end, int64_t step, const size_t want[6])
{
	struct tz_zone z;
	load_zone(zone, &z);
	struct snap_policy p;
	snap_policy_init(&p);
	p.frequent_minutes = fm;
	memcpy(p.keep, keep, sizeof(p.keep));
	struct dataset ds = { 0 };
	for (int64_t t = start; t <= end; t += step) {
		ds_run(&ds, &p, &z, t, false);
		ds_keep_newest(&ds);
	}
	for (int c = 0; c < SNAP_NCLASSES; c++)
		if (ds.taken[c] != want[c])
			fail_msg("%s: %zu %s taken, expected %zu", zone, ds.taken[c], snap_class_name((enum snap_class)c),
				 want[c]);
	ds_free(&ds);
	tz_zone_free(&z);
}

/* sanoid tests/2_dst_handling: 15-minute runs 2017-10-27T22:00Z .. 2017-10-30T22:00Z. */
static void vienna_fall_back_takes_one_hourly_per_real_hour(void **state)
{
	(void)state;
	const unsigned keep[6] = { 0, 48, 30, 0, 6, 0 };
	const size_t want[6] = { 0, 73, 3, 0, 1, 0 };
	replay_without_pruning("Europe/Vienna", 15, keep, 1509141600, 1509400800, 900, want);
}

/* sanoid tests/1_one_year: hourly runs through 2017 in Vienna. */
static void vienna_year_of_hourly_runs_matches_sanoid(void **state)
{
	(void)state;
	const unsigned keep[6] = { 0, 48, 30, 0, 6, 0 };
	const size_t want[6] = { 0, 8760, 365, 0, 12, 0 };
	replay_without_pruning("Europe/Vienna", 15, keep, 1483225200, 1514761199, 3600, want);
}

/*
 * The independent expectation: which runs take which class, from glibc's
 * local time (the zone's offsets are whole hours and runs are on quarter
 * hours, so every run starts a frequent slot, runs on the UTC hour start an
 * hour, and local midnights start days, Monday midnights weeks, and first-of-
 * month midnights months), then the keep rule applied to the taken times.
 */
struct expectation {
	int64_t *t[SNAP_NCLASSES];
	size_t n[SNAP_NCLASSES];
};

static void expect_runs(struct expectation *e, const char *zone, int64_t start, int64_t end)
{
	setenv("TZ", zone, 1);
	tzset();
	memset(e, 0, sizeof(*e));
	for (int c = 0; c < SNAP_NCLASSES; c++)
		e->t[c] = xcalloc((size_t)((end - start) / 900 + 2), sizeof(int64_t));
	for (int64_t t = start; t <= end; t += 900) {
		time_t tt = (time_t)t;
		struct tm tm;
		localtime_r(&tt, &tm);
		bool first = t == start, midnight = tm.tm_hour == 0 && tm.tm_min == 0;
		bool take[SNAP_NCLASSES] = {
			true, first || t % 3600 == 0, first || midnight, first || (midnight && tm.tm_wday == 1),
			first || (midnight && tm.tm_mday == 1), false,
		};
		for (int c = 0; c < SNAP_NCLASSES; c++)
			if (take[c])
				e->t[c][e->n[c]++] = t;
	}
	unsetenv("TZ");
	tzset();
}

static void month_replay(const char *zone, int64_t start, int64_t end)
{
	struct tz_zone z;
	load_zone(zone, &z);
	struct snap_policy p;
	snap_policy_init(&p);
	const unsigned keep[6] = { 4, 48, 30, 8, 12, 0 };
	memcpy(p.keep, keep, sizeof(p.keep));
	struct dataset ds = { 0 };
	for (int64_t t = start; t <= end; t += 900)
		ds_run(&ds, &p, &z, t, true);

	struct expectation e;
	expect_runs(&e, zone, start, end);
	for (int c = 0; c < SNAP_NCLASSES; c++) {
		if (ds.taken[c] != e.n[c])
			fail_msg("%s: %zu %s taken, expected %zu", zone, ds.taken[c],
				 snap_class_name((enum snap_class)c), e.n[c]);
		/* newest first: keep rank <= keep, or age <= keep x period */
		size_t want = 0;
		for (size_t k = e.n[c]; k-- > 0;) {
			size_t rank = e.n[c] - k;
			int64_t age = end - e.t[c][k];
			if (keep[c] && (rank <= keep[c] || age <= (int64_t)keep[c] * snap_class_period((enum snap_class)c, 15))) {
				want++;
				char name[SNAP_NAME_MAX];
				snap_name_format(e.t[c][k], (enum snap_class)c, name, sizeof(name));
				bool found = false;
				for (size_t i = 0; i < ds.n; i++)
					found |= !strcmp(ds.names[i], name);
				if (!found)
					fail_msg("%s: %s should have survived", zone, name);
			}
		}
		size_t have = 0;
		for (size_t i = 0; i < ds.n; i++) {
			int64_t t;
			enum snap_class cc;
			assert_int_equal(snap_name_parse(ds.names[i], &t, &cc), 0);
			have += cc == (enum snap_class)c;
		}
		if (have != want)
			fail_msg("%s: %zu %s survive, expected %zu", zone, have, snap_class_name((enum snap_class)c), want);
		/* never more than keep + 1 at any run (+1: the one exactly a window old), +1 for a 23-hour day */
		if (ds.max_count[c] > keep[c] + 2)
			fail_msg("%s: %zu %s at once (keep %u)", zone, ds.max_count[c],
				 snap_class_name((enum snap_class)c), keep[c]);
		free(e.t[c]);
	}
	assert_int_equal(ds.max_count[SNAP_FREQUENT], 5);
	assert_int_equal(ds.max_count[SNAP_HOURLY], 49);
	ds_free(&ds);
	tz_zone_free(&z);
}

static void month_of_runs_across_the_new_york_spring_gap(void **state)
{
	(void)state;
	month_replay("America/New_York", 1771545600 /* 2026-02-20T00:00Z */, 1774137600 /* 2026-03-22T00:00Z */);
}

static void month_of_runs_across_the_new_york_fall_fold(void **state)
{
	(void)state;
	month_replay("America/New_York", 1792022400 /* 2026-10-15T00:00Z */, 1794700800 /* 2026-11-15T00:00Z */);
}

int main(void)
{
	const struct CMUnitTest extra[] = {
		cmocka_unit_test(vienna_fall_back_takes_one_hourly_per_real_hour),
		cmocka_unit_test(vienna_year_of_hourly_runs_matches_sanoid),
		cmocka_unit_test(month_of_runs_across_the_new_york_spring_gap),
		cmocka_unit_test(month_of_runs_across_the_new_york_fall_fold),
	};
	return case_run_suite("due", ".case", run_case, extra, sizeof(extra) / sizeof(*extra), 4);
}
