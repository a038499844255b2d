/*
 * Unit tests: TZif parsing and zone evaluation (formats/tzif.h, config/tz.h).
 * The oracle for UTC -> local is glibc's localtime_r under TZ, used here in
 * the test only; the module itself never reads TZ.
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
#include "formats/tzif.h"
#include "config/tz.h"
#include "util/civil.h"

/* 2040-01-01T00:00:00Z */
#define T_2040 2208988800LL

static uint64_t lcg_state = 0x9e3779b97f4a7c15ULL;
static uint64_t lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return lcg_state >> 11;
}

static void use_tz_env(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Compares one instant against glibc; returns 0 when equal. */
static int check_instant(const struct tz_zone *z, int64_t t, const char *zone)
{
	struct tz_local l;
	tz_utc_to_local(z, t, &l);
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm))
		fail_msg("localtime_r failed for %lld", (long long)t);
	if (tm.tm_gmtoff != l.utoff || (tm.tm_isdst > 0) != l.isdst || strcmp(tm.tm_zone, l.abbr)) {
		char buf[32];
		civil_format_utc(t, buf, sizeof(buf));
		print_error("%s at %s: got %d %d %s, glibc %ld %d %s\n", zone, buf, l.utoff, l.isdst,
			    l.abbr, tm.tm_gmtoff, tm.tm_isdst, tm.tm_zone);
		return -1;
	}
	return 0;
}

static void compare_zone_with_glibc(const char *name)
{
	struct tz_zone z;
	char *why = NULL;
	if (tz_load(name, NULL, &z, &why))
		fail_msg("%s", why);
	use_tz_env(name);
	int bad = 0;
	size_t checked = 0;
	/* every transition between 1970 and 2040, and the second before it */
	for (int64_t t = 0; t < T_2040;) {
		int64_t next;
		if (!tz_next_transition(&z, t, &next) || next >= T_2040)
			break;
		bad += check_instant(&z, next - 1, name) != 0;
		bad += check_instant(&z, next, name) != 0;
		checked += 2;
		t = next;
	}
	for (int i = 0; i < 4000; i++) {
		bad += check_instant(&z, (int64_t)(lcg() % (uint64_t)T_2040), name) != 0;
		checked++;
	}
	assert_true(checked > 4100);
	assert_int_equal(bad, 0);
	unsetenv("TZ");
	tz_zone_free(&z);
}

static void new_york_matches_glibc_1970_2040(void **state)
{
	(void)state;
	compare_zone_with_glibc("America/New_York");
}

static void vienna_matches_glibc_1970_2040(void **state)
{
	(void)state;
	compare_zone_with_glibc("Europe/Vienna");
}

static int64_t utc(const char *s)
{
	int64_t t;
	if (civil_parse_utc(s, &t))
		fail_msg("bad time %s", s);
	return t;
}

/*
 * data/tz/local.case: "ZONE LOCAL-TIME -> unique|gap|fold FIRST [LAST]".
 */
static void local_times_resolve_as_the_case_file_says(void **state)
{
	(void)state;
	struct strvec lines = { 0 };
	char *path = case_file_lines("tz", "local.case", &lines);
	assert_true(lines.n >= 10);
	int bad = 0;
	for (size_t i = 0; i < lines.n; i++) {
		char zone[64], local[32], kind[16], first[32], last[32] = "";
		int k = sscanf(lines.v[i], "%63s %31s -> %15s %31s %31s", zone, local, kind, first, last);
		if (k < 4)
			fail_msg("%s: bad line '%s'", path, lines.v[i]);
		struct tz_zone z;
		char *why = NULL;
		if (tz_load(zone, NULL, &z, &why))
			fail_msg("%s", why);
		char *lz = xasprintf("%sZ", local);
		struct tz_resolved r;
		tz_resolve_local(&z, utc(lz), &r);
		free(lz);
		const char *got_kind = r.kind == TZ_UNIQUE ? "unique" : r.kind == TZ_GAP ? "gap" : "fold";
		int64_t want_last = k == 5 ? utc(last) : utc(first);
		if (strcmp(got_kind, kind) || r.first != utc(first) || r.last != want_last) {
			char a[32], b[32];
			civil_format_utc(r.first, a, sizeof(a));
			civil_format_utc(r.last, b, sizeof(b));
			print_error("%s: '%s': got %s %s %s\n", path, lines.v[i], got_kind, a, b);
			bad++;
		}
		tz_zone_free(&z);
	}
	assert_int_equal(bad, 0);
	sv_free(&lines);
	free(path);
}

/* Every instant maps back to itself through its local time (unique, or one side of a fold). */
static void local_to_utc_round_trips(void **state)
{
	(void)state;
	const char *zones[] = { "America/New_York", "Europe/Vienna", "UTC" };
	for (size_t k = 0; k < 3; k++) {
		struct tz_zone z;
		char *why = NULL;
		if (tz_load(zones[k], NULL, &z, &why))
			fail_msg("%s", why);
		for (int i = 0; i < 3000; i++) {
			int64_t t = (int64_t)(lcg() % (uint64_t)T_2040);
			struct tz_resolved r;
			tz_resolve_local(&z, tz_local_secs(&z, t), &r);
			assert_true(r.kind != TZ_GAP);
			assert_true(t == r.first || (r.kind == TZ_FOLD && t == r.last));
		}
		tz_zone_free(&z);
	}
}

/* ---- crafted TZif images ---- */

struct craft {
	char version;          /* 0, '2', '3' */
	int64_t at[8];
	uint8_t idx[8];
	uint32_t n_at;
	int32_t utoff[4];
	uint8_t isdst[4];
	uint8_t desig[4];
	uint32_t n_types;
	const char *chars;     /* abbreviations joined, NUL-separated */
	uint32_t n_chars;
	const char *footer;    /* without the newlines; NULL = version 1 */
};

static void put32(struct strbuf *sb, uint32_t v)
{
	char b[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };
	sb_add(sb, b, 4);
}

static void put64(struct strbuf *sb, int64_t v)
{
	put32(sb, (uint32_t)((uint64_t)v >> 32));
	put32(sb, (uint32_t)v);
}

static void header(struct strbuf *sb, const struct craft *c)
{
	sb_add(sb, "TZif", 4);
	sb_addc(sb, c->version);
	for (int i = 0; i < 15; i++)
		sb_addc(sb, '\0');
	put32(sb, 0);           /* isutcnt */
	put32(sb, 0);           /* isstdcnt */
	put32(sb, 0);           /* leapcnt */
	put32(sb, c->n_at);
	put32(sb, c->n_types);
	put32(sb, c->n_chars);
}

static void block(struct strbuf *sb, const struct craft *c, int tlen)
{
	for (uint32_t i = 0; i < c->n_at; i++) {
		if (tlen == 8)
			put64(sb, c->at[i]);
		else
			put32(sb, (uint32_t)c->at[i]);
	}
	for (uint32_t i = 0; i < c->n_at; i++)
		sb_addc(sb, (char)c->idx[i]);
	for (uint32_t i = 0; i < c->n_types; i++) {
		put32(sb, (uint32_t)c->utoff[i]);
		sb_addc(sb, (char)c->isdst[i]);
		sb_addc(sb, (char)c->desig[i]);
	}
	sb_add(sb, c->chars, c->n_chars);
}

static struct strbuf build(const struct craft *c)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	header(&sb, c);
	block(&sb, c, 4);
	if (c->version) {
		header(&sb, c);
		block(&sb, c, 8);
		sb_addc(&sb, '\n');
		sb_adds(&sb, c->footer ? c->footer : "");
		sb_addc(&sb, '\n');
	}
	return sb;
}

/* A valid v2 zone: EST/EDT with two transitions and the US rule in the footer. */
static struct craft good(void)
{
	struct craft c = {
		.version = '2',
		.at = { 1772953200, 1793512800 },   /* 2026-03-08T07:00Z, 2026-11-01T06:00Z */
		.idx = { 1, 0 },
		.n_at = 2,
		.utoff = { -18000, -14400 },
		.isdst = { 0, 1 },
		.desig = { 0, 4 },
		.n_types = 2,
		.chars = "EST\0EDT",
		.n_chars = 8,
		.footer = "EST5EDT,M3.2.0,M11.1.0",
	};
	return c;
}

static const char *parse_why(const void *buf, size_t len)
{
	struct tz_zone z;
	const char *why = NULL;
	int rc = tzif_parse(buf, len, &z, &why);
	tz_zone_free(&z);
	return rc ? why : NULL;
}

static const char *craft_why(const struct craft *c)
{
	struct strbuf sb = build(c);
	const char *w = parse_why(sb.buf, sb.len);
	sb_release(&sb);
	return w;
}

static void crafted_zone_is_accepted_and_evaluated(void **state)
{
	(void)state;
	struct craft c = good();
	struct strbuf sb = build(&c);
	struct tz_zone z;
	const char *why = NULL;
	assert_int_equal(tzif_parse(sb.buf, sb.len, &z, &why), 0);
	struct tz_local l;
	tz_utc_to_local(&z, 1772953200 - 1, &l);
	assert_int_equal(l.utoff, -18000);
	assert_string_equal(l.abbr, "EST");
	tz_utc_to_local(&z, 1772953200, &l);
	assert_int_equal(l.utoff, -14400);
	assert_true(l.isdst);
	assert_string_equal(l.abbr, "EDT");
	/* after the last transition the footer rules: 2027-03-14T07:00Z starts EDT */
	tz_utc_to_local(&z, 1805007600 - 1, &l);
	assert_string_equal(l.abbr, "EST");
	tz_utc_to_local(&z, 1805007600, &l);
	assert_string_equal(l.abbr, "EDT");
	tz_zone_free(&z);
	sb_release(&sb);

	/* version 1: no footer, the last type holds for ever */
	c.version = 0;
	sb = build(&c);
	assert_int_equal(tzif_parse(sb.buf, sb.len, &z, &why), 0);
	tz_utc_to_local(&z, 1805007600, &l);
	assert_string_equal(l.abbr, "EST");
	tz_zone_free(&z);
	sb_release(&sb);
}

static void malformed_tzif_is_rejected_with_a_reason(void **state)
{
	(void)state;
	assert_string_equal(parse_why("", 0), "truncated TZif header");
	assert_string_equal(parse_why("TZif2", 5), "truncated TZif header");
	char junk[64] = "TZxf2";
	assert_string_equal(parse_why(junk, sizeof(junk)), "not a TZif file (bad magic)");

	struct craft c = good();
	c.version = '9';
	assert_string_equal(craft_why(&c), "unsupported TZif version");
	c = good();
	c.n_types = 0;
	c.n_at = 0;
	assert_string_equal(craft_why(&c), "TZif time type count out of range");
	c = good();
	c.n_chars = 0;
	assert_string_equal(craft_why(&c), "TZif file has no abbreviations");
	c = good();
	c.at[1] = c.at[0];
	assert_string_equal(craft_why(&c), "TZif transition times are not ascending");
	c = good();
	c.idx[1] = 2;
	assert_string_equal(craft_why(&c), "TZif transition refers to a missing time type");
	c = good();
	c.utoff[1] = -90000;
	assert_string_equal(craft_why(&c), "TZif UT offset out of range");
	c = good();
	c.isdst[1] = 2;
	assert_string_equal(craft_why(&c), "TZif DST flag is neither 0 nor 1");
	c = good();
	c.desig[1] = 8;
	assert_string_equal(craft_why(&c), "TZif abbreviation index out of range");
	c = good();
	c.chars = "EST\0EDTX";
	assert_string_equal(craft_why(&c), "TZif abbreviation is not terminated");
	const char *bad_footers[] = { "EST5EDT", "E5", "EST25", "EST5EDT,M13.1.0,M11.1.0",
				      "EST5EDT,M3.2.0", "EST5EDT,J0,J365", "EST5EDT,M3.2.0/168,M11.1.0",
				      "EST5EDT,M3.2.0,M11.1.0x", "<AB>5" };
	for (size_t i = 0; i < sizeof(bad_footers) / sizeof(*bad_footers); i++) {
		c = good();
		c.footer = bad_footers[i];
		const char *w = craft_why(&c);
		if (!w)
			fail_msg("footer '%s' accepted", bad_footers[i]);
		assert_string_equal(w, "bad TZ string in the TZif footer");
	}

	/* structural damage in a real-looking image */
	c = good();
	struct strbuf sb = build(&c);
	size_t v1_end = 44 + 2 * 5 + 2 * 6 + 8;
	sb.buf[v1_end + 4] = '3';   /* second header's version */
	assert_string_equal(parse_why(sb.buf, sb.len), "TZif headers disagree on the version");
	sb.buf[v1_end + 4] = '2';
	sb.buf[v1_end] = 'X';
	assert_string_equal(parse_why(sb.buf, sb.len), "not a TZif file (bad magic)");
	sb.buf[v1_end] = 'T';
	sb.buf[sb.len - 1] = 'x';   /* footer's closing newline */
	assert_string_equal(parse_why(sb.buf, sb.len), "TZif footer not terminated");
	sb.buf[sb.len - 1] = '\n';
	assert_null(parse_why(sb.buf, sb.len));
	assert_string_equal(parse_why(sb.buf, sb.len - (strlen(c.footer) + 2)), "TZif footer missing");
	/* a count that would overflow 32-bit size arithmetic */
	memset(sb.buf + 32, 0xff, 4);
	assert_string_equal(parse_why(sb.buf, sb.len), "truncated TZif data");
	sb_release(&sb);
}

static void leap_second_zones_are_refused(void **state)
{
	(void)state;
	struct craft c = good();
	c.version = 0;
	struct strbuf sb = build(&c);
	sb.buf[31] = 1;                /* leapcnt = 1 */
	char rec[8] = { 0 };
	sb_add(&sb, rec, 8);           /* one 4+4 byte leap record */
	assert_string_equal(parse_why(sb.buf, sb.len),
			    "TZif leap-second records are not supported (use a zone outside right/)");
	sb_release(&sb);
}

/* Every prefix of a real file is rejected; random byte damage never crashes. */
static void damaged_system_file_never_crashes(void **state)
{
	(void)state;
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(read_file("/usr/share/zoneinfo/America/New_York", &data, &len), 0);
	assert_null(parse_why(data, len));
	for (size_t n = 0; n < len; n++) {
		/* the only valid prefix would end exactly at the footer's newline: the whole file */
		if (!parse_why(data, n))
			fail_msg("prefix of %zu bytes accepted", n);
	}
	char *copy = xmalloc(len);
	for (int i = 0; i < 3000; i++) {
		memcpy(copy, data, len);
		for (int k = 0; k < 4; k++)
			copy[lcg() % len] = (char)lcg();
		struct tz_zone z;
		const char *why;
		if (tzif_parse(copy, len, &z, &why) == 0) {
			struct tz_local l;
			struct tz_resolved r;
			for (int j = 0; j < 20; j++) {
				int64_t t = (int64_t)(lcg() % (uint64_t)T_2040) - T_2040 / 2;
				tz_utc_to_local(&z, t, &l);
				tz_resolve_local(&z, t, &r);
			}
			tz_zone_free(&z);
		}
	}
	free(copy);
	free(data);
}

/* POSIX TZ rules evaluated like glibc does for TZ=<string> (no DST-all-year edge). */
static void footer_rules_match_glibc(void **state)
{
	(void)state;
	const char *rules[] = {
		"EST5EDT,M3.2.0,M11.1.0",          /* US */
		"CET-1CEST,M3.5.0,M10.5.0/3",      /* EU */
		"AEST-10AEDT,M10.1.0,M4.1.0/3",    /* southern hemisphere */
		"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", /* Lord Howe: a 30-minute shift */
		"IST-2IDT,M3.4.4/26,M10.5.0",      /* v3: hour 26 */
		"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",/* v3: negative hours */
		"NZST-12NZDT,M9.5.0,M4.1.0/3",
		"XXX3YYY,J60/1,300/23:30",         /* Julian forms */
		"<+0545>-5:45",                    /* fixed, no DST */
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		struct craft c = good();
		c.version = '3';
		c.n_at = 0;
		c.footer = rules[i];
		struct strbuf sb = build(&c);
		struct tz_zone z;
		const char *why = NULL;
		if (tzif_parse(sb.buf, sb.len, &z, &why))
			fail_msg("'%s': %s", rules[i], why);
		use_tz_env(rules[i]);
		int bad = 0;
		for (int k = 0; k < 3000; k++)
			bad += check_instant(&z, (int64_t)(lcg() % (uint64_t)(2 * T_2040)), rules[i]) != 0;
		for (int64_t t = 0; t < T_2040;) {
			int64_t next;
			if (!tz_next_transition(&z, t, &next))
				break;
			bad += check_instant(&z, next - 1, rules[i]) != 0;
			bad += check_instant(&z, next, rules[i]) != 0;
			t = next;
		}
		assert_int_equal(bad, 0);
		tz_zone_free(&z);
		sb_release(&sb);
	}
	unsetenv("TZ");
}

/* RFC 8536 3.3.1: "EST5EDT,0/0,J365/25" is daylight time all year (glibc differs at New Year). */
static void dst_all_year_rule_never_leaves_dst(void **state)
{
	(void)state;
	struct tz_rule r;
	const char *why;
	assert_int_equal(tz_rule_parse("EST5EDT,0/0,J365/25", &r, &why), 0);
	struct tz_zone z = { 0 };
	tz_zone_utc(&z);
	z.has_rule = true;
	z.rule = r;
	for (int64_t t = utc("2026-12-31T00:00:00Z"); t < utc("2027-01-02T00:00:00Z"); t += 600) {
		struct tz_local l;
		tz_utc_to_local(&z, t, &l);
		assert_true(l.isdst);
		assert_int_equal(l.utoff, -14400);
	}
	tz_zone_free(&z);
}

static void zone_names_are_checked_before_any_path_is_built(void **state)
{
	(void)state;
	assert_null(tz_name_problem("America/New_York"));
	assert_null(tz_name_problem("Etc/GMT+5"));
	assert_null(tz_name_problem("America/Argentina/Buenos_Aires"));
	assert_string_equal(tz_name_problem(""), "is empty");
	assert_string_equal(tz_name_problem("/etc/passwd"), "must not start with '/'");
	assert_string_equal(tz_name_problem("../../etc/shadow"), "must not contain '.' or '..' components");
	assert_string_equal(tz_name_problem("America/../../x"), "must not contain '.' or '..' components");
	assert_string_equal(tz_name_problem("America/./New_York"), "must not contain '.' or '..' components");
	assert_string_equal(tz_name_problem("America//New_York"), "has an empty path component");
	assert_string_equal(tz_name_problem("America/"), "must not end with '/'");
	assert_string_equal(tz_name_problem("New York"), "may contain only letters, digits and _ + - . /");

	struct tz_zone z;
	char *why = NULL;
	assert_int_equal(tz_load("../etc/passwd", NULL, &z, &why), -1);
	assert_string_equal(why, "time zone name '../etc/passwd' must not contain '.' or '..' components");
	free(why);
	assert_int_equal(tz_load("Mars/Olympus_Mons", NULL, &z, &why), -1);
	assert_string_equal(why, "unknown time zone 'Mars/Olympus_Mons' (no file /usr/share/zoneinfo/Mars/Olympus_Mons)");
	free(why);
	/* UTC needs no file, even with an empty zoneinfo directory */
	assert_int_equal(tz_load("UTC", "/nonexistent", &z, &why), 0);
	struct tz_local l;
	tz_utc_to_local(&z, 1790000000, &l);
	assert_int_equal(l.utoff, 0);
	assert_string_equal(l.abbr, "UTC");
	tz_zone_free(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_york_matches_glibc_1970_2040),
		cmocka_unit_test(vienna_matches_glibc_1970_2040),
		cmocka_unit_test(local_times_resolve_as_the_case_file_says),
		cmocka_unit_test(local_to_utc_round_trips),
		cmocka_unit_test(crafted_zone_is_accepted_and_evaluated),
		cmocka_unit_test(malformed_tzif_is_rejected_with_a_reason),
		cmocka_unit_test(leap_second_zones_are_refused),
		cmocka_unit_test(damaged_system_file_never_crashes),
		cmocka_unit_test(footer_rules_match_glibc),
		cmocka_unit_test(dst_all_year_rule_never_leaves_dst),
		cmocka_unit_test(zone_names_are_checked_before_any_path_is_built),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
