/*
 * Unit tests: the retention engine and the policy-change guard
 * (plan/snap_policy.h), one cmocka test per case file in
 * tests/unit/data/retention/. A case file:
 *
 *   policy frequent_minutes=15 keep=FR,HO,DA,WE,MO,YE
 *   previous none | previous frequent_minutes=... keep=...   (guard cases)
 *   now 2026-03-15T12:00:00Z
 *   protect GUID LABEL                                        (any number)
 *   skew yes                                                  (clock skew expected)
 *   snap NAME GUID CREATETXG [held=N] [clones] [creation=TIME] | EXPECTED REASON [!]
 *
 * "!" marks the snapshots the guard must list (the new policy destroys them,
 * the previous one keeps them). Every case also checks three invariants:
 * the decisions do not depend on the input order, nothing foreign, held,
 * cloned or protected is ever destroyed, and the newest keep[class] of each
 * class are always kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "case_file.h"
#include "plan/snap_policy.h"
#include "snap_case.h"

struct rcase {
	struct snap_policy policy, previous;
	bool has_previous, previous_none, expect_skew;
	int64_t now;
	struct snap_info *s;
	char **expect;
	bool *mark;
	size_t n, cap;
	struct snap_protect prot[16];
	size_t n_prot;
	struct strvec strings;   /* owns names and labels */
};

static void add_snap(struct rcase *c, const char *path, const char *line)
{
	const char *bar = strstr(line, " | ");
	if (!bar)
		fail_msg("%s: no ' | ' in '%s'", path, line);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->s = xrealloc(c->s, c->cap * sizeof(*c->s));
		c->expect = xrealloc(c->expect, c->cap * sizeof(*c->expect));
		c->mark = xrealloc(c->mark, c->cap * sizeof(*c->mark));
	}
	struct snap_info *s = &c->s[c->n];
	memset(s, 0, sizeof(*s));
	char *left = xstrndup(line, (size_t)(bar - line));
	char *save = NULL;
	char *name = strtok_r(left, " ", &save);
	char *guid = strtok_r(NULL, " ", &save);
	char *txg = strtok_r(NULL, " ", &save);
	if (!name || !guid || !txg)
		fail_msg("%s: need NAME GUID CREATETXG in '%s'", path, line);
	sv_push(&c->strings, name);
	s->name = c->strings.v[c->strings.n - 1];
	s->guid = strtoull(guid, NULL, 10);
	s->createtxg = strtoull(txg, NULL, 10);
	for (char *t = strtok_r(NULL, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (!strncmp(t, "held=", 5))
			s->userrefs = strtoull(t + 5, NULL, 10);
		else if (!strcmp(t, "clones"))
			s->has_clones = true;
		else if (!strncmp(t, "creation=", 9))
			s->creation = case_time(t + 9);
		else
			fail_msg("%s: unknown attribute '%s'", path, t);
	}
	free(left);
	char *want = xstrdup(bar + 3);
	size_t wl = strlen(want);
	c->mark[c->n] = wl > 2 && !strcmp(want + wl - 2, " !");
	if (c->mark[c->n])
		want[wl - 2] = '\0';
	c->expect[c->n] = want;
	c->n++;
}

static void load_case(const char *path, struct rcase *c)
{
	memset(c, 0, sizeof(*c));
	char *text = case_read(path);
	struct strvec lines = { 0 };
	case_lines(text, &lines);
	bool have_policy = false, have_now = false;
	for (size_t i = 0; i < lines.n; i++) {
		const char *l = lines.v[i], *a;
		if ((a = case_after(l, "policy"))) {
			if (case_policy(a, &c->policy))
				fail_msg("%s: bad policy '%s'", path, l);
			have_policy = true;
		} else if ((a = case_after(l, "previous"))) {
			c->has_previous = true;
			if (!strcmp(a, "none"))
				c->previous_none = true;
			else if (case_policy(a, &c->previous))
				fail_msg("%s: bad previous policy '%s'", path, l);
		} else if ((a = case_after(l, "now"))) {
			c->now = case_time(a);
			have_now = true;
		} else if ((a = case_after(l, "protect"))) {
			char label[256];
			unsigned long long g;
			if (sscanf(a, "%llu %255s", &g, label) != 2 || c->n_prot == 16)
				fail_msg("%s: bad protect '%s'", path, l);
			sv_push(&c->strings, label);
			c->prot[c->n_prot].guid = g;
			c->prot[c->n_prot].label = c->strings.v[c->strings.n - 1];
			c->n_prot++;
		} else if ((a = case_after(l, "skew"))) {
			c->expect_skew = !strcmp(a, "yes");
		} else if ((a = case_after(l, "snap"))) {
			add_snap(c, path, a);
		} else {
			fail_msg("%s: unknown line '%s'", path, l);
		}
	}
	if (!have_policy || !have_now || !c->n)
		fail_msg("%s: needs policy, now and at least one snap", path);
	sv_free(&lines);
	free(text);
}

static void free_case(struct rcase *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->expect[i]);
	free(c->expect);
	free(c->mark);
	free(c->s);
	sv_free(&c->strings);
	snap_policy_release(&c->policy);
	snap_policy_release(&c->previous);
}

static void check_invariants(const char *path, const struct rcase *c, const struct snap_retention *r)
{
	/* order independence: the same decisions for the input reversed */
	struct snap_info *rev = xmalloc(c->n * sizeof(*rev));
	for (size_t i = 0; i < c->n; i++)
		rev[i] = c->s[c->n - 1 - i];
	struct snap_retention r2;
	snap_retention_decide(&c->policy, c->now, rev, c->n, c->prot, c->n_prot, &r2);
	for (size_t i = 0; i < c->n; i++) {
		const struct snap_decision *a = &r->v[i], *b = &r2.v[c->n - 1 - i];
		if (a->verdict != b->verdict || a->reason != b->reason || a->rank != b->rank)
			fail_msg("%s: %s decided differently when the input is reversed", path, c->s[i].name);
	}
	snap_retention_free(&r2);
	free(rev);
	/* safety, and the count guard */
	for (size_t i = 0; i < c->n; i++) {
		const struct snap_decision *d = &r->v[i];
		bool special = c->s[i].userrefs || c->s[i].has_clones;
		for (size_t k = 0; k < c->n_prot; k++)
			special |= c->prot[k].guid == c->s[i].guid;
		if (d->verdict == SNAP_DESTROY && (special || d->reason == SNAP_R_FOREIGN))
			fail_msg("%s: %s destroyed although it must stay", path, c->s[i].name);
		if (d->verdict != SNAP_FOREIGN && d->rank <= c->policy.keep[d->cls] && d->verdict != SNAP_KEEP)
			fail_msg("%s: %s is within the count but not kept", path, c->s[i].name);
	}
	if (r->clock_skew)
		assert_int_equal(r->n_destroy, 0);
}

static void run_case(void **state)
{
	const char *path = *state;
	struct rcase c;
	load_case(path, &c);
	struct snap_retention r;
	snap_retention_decide(&c.policy, c.now, c.s, c.n, c.prot, c.n_prot, &r);
	int bad = 0;
	for (size_t i = 0; i < c.n; i++) {
		char got[256];
		snap_reason_format(&r.v[i], &c.policy, c.prot, got, sizeof(got));
		if (strcmp(got, c.expect[i])) {
			print_error("%s: %s\n   expected: %s\n        got: %s\n", path, c.s[i].name, c.expect[i], got);
			bad++;
		}
		bool verdict_matches = !strncmp(got, "keep:", 5) ? r.v[i].verdict == SNAP_KEEP
				       : !strncmp(got, "destroy:", 8) ? r.v[i].verdict == SNAP_DESTROY
								      : r.v[i].verdict == SNAP_FOREIGN;
		if (!verdict_matches)
			fail_msg("%s: %s: verdict does not match its reason '%s'", path, c.s[i].name, got);
	}
	if (r.clock_skew != c.expect_skew) {
		print_error("%s: clock skew %s, expected %s\n", path, r.clock_skew ? "yes" : "no",
			    c.expect_skew ? "yes" : "no");
		bad++;
	}
	if (c.has_previous) {
		size_t *idx = NULL;
		size_t k = snap_policy_guard(c.previous_none ? NULL : &c.previous, &c.policy, c.now, c.s, c.n,
					     c.prot, c.n_prot, &idx);
		size_t j = 0;
		for (size_t i = 0; i < c.n; i++) {
			bool listed = j < k && idx[j] == i;
			if (listed)
				j++;
			if (listed != c.mark[i]) {
				print_error("%s: %s %s by the guard\n", path, c.s[i].name,
					    listed ? "listed, not expected" : "expected, not listed");
				bad++;
			}
		}
		free(idx);
	} else {
		for (size_t i = 0; i < c.n; i++)
			if (c.mark[i])
				fail_msg("%s: '!' without a previous policy", path);
	}
	check_invariants(path, &c, &r);
	snap_retention_free(&r);
	free_case(&c);
	assert_int_equal(bad, 0);
}

/* ---- plain tests ---- */

static void windows_use_the_class_unit(void **state)
{
	(void)state;
	struct snap_policy p;
	snap_policy_init(&p);
	unsigned k[6] = { 4, 48, 30, 8, 12, 3 };
	memcpy(p.keep, k, sizeof(k));
	const char *want[6] = { "60 min", "48 h", "30 d", "56 d", "372 d", "1095.75 d" };
	char buf[32];
	for (int c = 0; c < 6; c++) {
		snap_window_format((enum snap_class)c, &p, buf, sizeof(buf));
		assert_string_equal(buf, want[c]);
	}
	p.keep[SNAP_YEARLY] = 2;
	snap_window_format(SNAP_YEARLY, &p, buf, sizeof(buf));
	assert_string_equal(buf, "730.5 d");
	p.keep[SNAP_YEARLY] = 4;
	snap_window_format(SNAP_YEARLY, &p, buf, sizeof(buf));
	assert_string_equal(buf, "1461 d");
}

static void display_order_is_time_then_createtxg(void **state)
{
	(void)state;
	struct snap_policy p;
	snap_policy_init(&p);
	p.keep[SNAP_HOURLY] = 48;
	p.keep[SNAP_DAILY] = 30;
	/* the hourly and the daily share one second; foreign ones sort by creation */
	struct snap_info s[] = {
		{ .name = "phoenix_2026-03-15T000000Z_hourly", .createtxg = 11 },
		{ .name = "manual", .createtxg = 5, .creation = 1773532800 + 60 },
		{ .name = "phoenix_2026-03-15T000000Z_daily", .createtxg = 10 },
		{ .name = "phoenix_2026-03-14T230000Z_hourly", .createtxg = 9 },
	};
	struct snap_retention r;
	snap_retention_decide(&p, 1773532800 + 3600, s, 4, NULL, 0, &r);
	size_t *o = snap_retention_order(&r, s);
	assert_string_equal(s[o[0]].name, "phoenix_2026-03-14T230000Z_hourly");
	assert_string_equal(s[o[1]].name, "phoenix_2026-03-15T000000Z_daily");
	assert_string_equal(s[o[2]].name, "phoenix_2026-03-15T000000Z_hourly");
	assert_string_equal(s[o[3]].name, "manual");
	free(o);
	snap_retention_free(&r);
}

static void canonical_policy_text_and_digest_are_stable(void **state)
{
	(void)state;
	struct snap_policy p;
	snap_policy_init(&p);
	unsigned k[6] = { 4, 48, 30, 8, 12, 0 };
	memcpy(p.keep, k, sizeof(k));
	p.timezone = "America/New_York";
	char *text = snap_policy_canonical(&p);
	assert_string_equal(text, "v1 frequent_minutes=15 keep=4,48,30,8,12,0 timezone=America/New_York");
	char d1[9], d2[9];
	snap_policy_digest(&p, d1);
	assert_int_equal(strlen(d1), 8);
	/* fixed for ever: the digest is stored on datasets */
	assert_string_equal(d1, "4a283001");
	/* take, prune and the name are not part of it */
	p.take = false;
	p.prune = false;
	p.name = "renamed";
	snap_policy_digest(&p, d2);
	assert_string_equal(d1, d2);
	p.keep[SNAP_YEARLY] = 1;
	snap_policy_digest(&p, d2);
	assert_string_not_equal(d1, d2);
	struct snap_policy back;
	const char *why;
	assert_int_equal(snap_policy_from_canonical(text, &back, &why), 0);
	assert_int_equal(back.keep[SNAP_HOURLY], 48);
	assert_int_equal(back.frequent_minutes, 15);
	assert_string_equal(back.timezone, "America/New_York");
	snap_policy_release(&back);
	const char *bad[] = { "v2 frequent_minutes=15 keep=4,48,30,8,12,0 timezone=UTC",
			      "v1 frequent_minutes=0 keep=4,48,30,8,12,0 timezone=UTC",
			      "v1 frequent_minutes=15 keep=4,48,30,8,12 timezone=UTC",
			      "v1 frequent_minutes=15 keep=+4,48,30,8,12,0 timezone=UTC",
			      "v1 frequent_minutes=15 keep=4,48,30,8,12,0 timezone=../etc",
			      "v1 frequent_minutes=15 keep=4,48,30,8,12,0 timezone=UTC x",
			      "v1  frequent_minutes=15 keep=4,48,30,8,12,0 timezone=UTC" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (!snap_policy_from_canonical(bad[i], &back, &why))
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(why);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest extra[] = {
		cmocka_unit_test(windows_use_the_class_unit),
		cmocka_unit_test(display_order_is_time_then_createtxg),
		cmocka_unit_test(canonical_policy_text_and_digest_are_stable),
	};
	return case_run_suite("retention", ".case", run_case, extra, sizeof(extra) / sizeof(*extra), 15);
}
