/*
 * Unit tests: the zpool health parsers (text and JSON), the redundancy rule
 * and the small readers (nicenum counters, ctime dates, scan lines).
 *
 * Data-driven part: every captured fixture under tests/unit/data/zpool/LINE/
 * (zfs-fuse, openzfs-2.1, openzfs-2.3) that the parsers read must have a
 * FILE.expected next to it with the summary of zh_summary.h; one test walks
 * them all. To review a new capture:
 *   build-san/tests/test_zpool_health --print FILE     prints FILE's summary
 *   build-san/tests/test_zpool_health --write-missing  writes absent .expected files
 * (then read every new .expected against its fixture before committing it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "state/zpool_health.h"
#include "util/fs.h"
#include "zh_summary.h"

#define DATA_DIR "tests/unit/data/zpool"

/* ---- fixtures ---- */

enum kind { K_NONE, K_TEXT, K_JSON };

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* Which parser reads the fixture named name. */
static enum kind fixture_kind(const char *name)
{
	if (ends_with(name, ".expected"))
		return K_NONE;
	if (strstr(name, ".status") && ends_with(name, ".json"))
		return K_JSON;
	static const char *const text[] = { ".status", ".status-x", ".status-v", ".status-P",
					    ".status-PL", ".status-L", ".import", ".import-by-id" };
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (ends_with(name, text[i]))
			return K_TEXT;
	return K_NONE;
}

/* Parses the fixture at path; returns its summary (caller frees) or NULL. */
static char *summarize(const char *path, enum kind k, char **err)
{
	char *data = NULL;
	size_t len = 0;
	*err = NULL;
	if (read_file(path, &data, &len)) {
		*err = xasprintf("cannot read %s", path);
		return NULL;
	}
	struct zh_status st = { 0 };
	struct diag_list dl = { 0 };
	int rc = k == K_JSON ? zh_parse_status_json(data, &st, &dl) : zh_parse_status(data, &st, &dl);
	char *s = NULL;
	if (rc)
		*err = xasprintf("%s: parse failed: %s", path, dl.n ? dl.v[0].msg : "?");
	else
		s = zh_summary(&st);
	zh_status_free(&st);
	diag_list_free(&dl);
	free(data);
	return s;
}

/* Calls fn(path, kind) for every fixture; returns how many. */
static int each_fixture(void (*fn)(const char *path, enum kind k, void *arg), void *arg)
{
	int n = 0;
	DIR *top = opendir(DATA_DIR);
	if (!top)
		return 0;
	struct dirent **lines = NULL;
	int nl = scandir(DATA_DIR, &lines, NULL, alphasort);
	for (int i = 0; i < nl; i++) {
		if (lines[i]->d_name[0] != '.') {
			char *dir = xasprintf("%s/%s", DATA_DIR, lines[i]->d_name);
			struct dirent **files = NULL;
			int nf = scandir(dir, &files, NULL, alphasort);
			for (int j = 0; j < nf; j++) {
				enum kind k = fixture_kind(files[j]->d_name);
				if (k != K_NONE) {
					char *path = xasprintf("%s/%s", dir, files[j]->d_name);
					fn(path, k, arg);
					free(path);
					n++;
				}
				free(files[j]);
			}
			free(files);
			free(dir);
		}
		free(lines[i]);
	}
	free(lines);
	closedir(top);
	return n;
}

struct check_ctx {
	int failed;
	int missing;
};

static void check_one(const char *path, enum kind k, void *arg)
{
	struct check_ctx *c = arg;
	char *err = NULL;
	char *got = summarize(path, k, &err);
	char *exp_path = xasprintf("%s.expected", path);
	char *want = NULL;
	size_t len;
	if (!got) {
		print_error("%s\n", err);
		c->failed++;
	} else if (read_file(exp_path, &want, &len)) {
		print_error("%s: no %s (write it with --write-missing, then review it)\n", path, exp_path);
		c->missing++;
	} else if (strcmp(got, want)) {
		print_error("%s: summary differs from %s; got:\n%s", path, exp_path, got);
		c->failed++;
	}
	free(err);
	free(got);
	free(want);
	free(exp_path);
}

static void every_fixture_matches_its_expected_summary(void **state)
{
	(void)state;
	struct check_ctx c = { 0, 0 };
	int n = each_fixture(check_one, &c);
	assert_true(n >= 240); /* zfs-fuse, OpenZFS 2.1 and 2.3 captures (242) */
	assert_int_equal(c.missing, 0);
	assert_int_equal(c.failed, 0);
}

/* ---- readers ---- */

static void nicenum_counters_are_read_1024_based(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(zh_parse_nicenum("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(zh_parse_nicenum("999", &v), 0);
	assert_int_equal(v, 999);
	assert_int_equal(zh_parse_nicenum("1.56K", &v), 0);
	assert_int_equal(v, 1597); /* 1.56 * 1024, rounded down */
	assert_int_equal(zh_parse_nicenum("12K", &v), 0);
	assert_int_equal(v, 12288);
	assert_int_equal(zh_parse_nicenum("152M", &v), 0);
	assert_int_equal(v, 152ULL << 20);
	assert_int_equal(zh_parse_nicenum("0B", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(zh_parse_nicenum("1.00G", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(zh_parse_nicenum("2E", &v), 0);
	assert_int_equal(v, 2ULL << 60);
	assert_int_equal(zh_parse_nicenum("16E", &v), -1); /* beyond 64 bits */
	assert_int_equal(zh_parse_nicenum("", &v), -1);
	assert_int_equal(zh_parse_nicenum("K", &v), -1);
	assert_int_equal(zh_parse_nicenum("1.K", &v), -1);
	assert_int_equal(zh_parse_nicenum("12Q", &v), -1);
	assert_int_equal(zh_parse_nicenum("was", &v), -1);
}

static void ctime_dates_are_read_as_printed(void **state)
{
	(void)state;
	struct tm tm;
	assert_int_equal(zh_parse_ctime("Sun Nov 10 00:24:02 2024", &tm), 24);
	assert_int_equal(tm.tm_year, 124);
	assert_int_equal(tm.tm_mon, 10);
	assert_int_equal(tm.tm_mday, 10);
	assert_int_equal(tm.tm_hour, 0);
	assert_int_equal(tm.tm_min, 24);
	assert_int_equal(tm.tm_sec, 2);
	assert_int_equal(tm.tm_wday, 0);
	assert_int_equal(tm.tm_isdst, -1);
	/* the day of the month padded with a space, as ctime prints it */
	assert_int_equal(zh_parse_ctime("Tue Dec  1 20:59:06 2026\n", &tm), 24);
	assert_int_equal(tm.tm_mday, 1);
	assert_int_equal(tm.tm_mon, 11);
	assert_int_equal(zh_parse_ctime("Tue Dec 1 20:59:06 2026", &tm), 0);
	assert_int_equal(zh_parse_ctime("Xyz Dec  1 20:59:06 2026", &tm), 0);
	assert_int_equal(zh_parse_ctime("Tue Foo  1 20:59:06 2026", &tm), 0);
	assert_int_equal(zh_parse_ctime("Tue Dec  1 25:59:06 2026", &tm), 0);
	assert_int_equal(zh_parse_ctime("Tue Dec  1 20:59", &tm), 0);
}

static void local_dates_convert_under_the_process_zone(void **state)
{
	(void)state;
	char *old = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	struct zh_time t = { .set = true };
	assert_int_equal(zh_parse_ctime("Sun Nov 10 00:24:02 2024", &t.tm), 24);
	setenv("TZ", "UTC0", 1);
	tzset();
	assert_int_equal((long long)zh_time_epoch(&t), 1731198242LL);
	/* Central Europe in winter is UTC+1: the same printed time is an hour earlier */
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	assert_int_equal((long long)zh_time_epoch(&t), 1731198242LL - 3600);
	/* summer time: UTC+2 */
	assert_int_equal(zh_parse_ctime("Mon Jul  1 12:00:00 2024", &t.tm), 24);
	assert_int_equal((long long)zh_time_epoch(&t), 1719835200LL - 7200);
	struct zh_time e = { .set = true, .is_epoch = true, .epoch = 42 };
	assert_int_equal((long long)zh_time_epoch(&e), 42);
	struct zh_time unset = { 0 };
	assert_int_equal((long long)zh_time_epoch(&unset), -1);
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

/* The same scrub, printed by zpool under TZ=America/New_York and under UTC
 * (real captures): read under the same zone, both are one instant. */
static time_t scrub_end_of(const char *file, const char *tz)
{
	char *data = NULL;
	size_t len;
	assert_int_equal(read_file(file, &data, &len), 0);
	struct zh_status st = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(zh_parse_status(data, &st, &dl), 0);
	setenv("TZ", tz, 1);
	tzset();
	const struct zh_scan *sc = zh_pool_scrub(&st.pools[0]);
	assert_non_null(sc);
	time_t t = zh_time_epoch(&sc->end);
	zh_status_free(&st);
	free(data);
	return t;
}

static void dates_printed_in_two_zones_are_one_instant(void **state)
{
	(void)state;
	struct stat sb;
	if (stat("/usr/share/zoneinfo/America/New_York", &sb))
		skip(); /* no tzdata */
	char *old = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	time_t ny = scrub_end_of(DATA_DIR "/openzfs-2.1/scrub-completed-new-york.status", "America/New_York");
	time_t utc = scrub_end_of(DATA_DIR "/openzfs-2.1/scrub-completed.status", "UTC0");
	assert_true(ny > 0);
	assert_int_equal((long long)ny, (long long)utc);
	/* read under the wrong zone, the New York text is five hours off */
	time_t wrong = scrub_end_of(DATA_DIR "/openzfs-2.1/scrub-completed-new-york.status", "UTC0");
	assert_int_equal((long long)(utc - wrong), 5 * 3600LL);
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

/* ---- scan lines (synthetic: forms too slow or rare to capture) ---- */

static struct zh_status parse(const char *text)
{
	struct zh_status st = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(zh_parse_status(text, &st, &dl), 0);
	assert_int_equal(dl.n, 0);
	diag_list_free(&dl);
	return st;
}

static char *pool_with_scan(const char *scan)
{
	return xasprintf("  pool: tank\n state: ONLINE\n%s\nconfig:\n\n"
			 "\tNAME        STATE     READ WRITE CKSUM\n"
			 "\ttank        ONLINE       0     0     0\n"
			 "\t  sda       ONLINE       0     0     0\n\n"
			 "errors: No known data errors\n", scan);
}

static const struct zh_scan *only_scan(struct zh_status *st)
{
	assert_int_equal(st->n_pools, 1);
	assert_int_equal(st->pools[0].n_scans, 1);
	return &st->pools[0].scans[0];
}

static void scrub_longer_than_a_day_has_its_days(void **state)
{
	(void)state;
	char *t = pool_with_scan("  scan: scrub repaired 1.50M in 1 days 02:03:04 with 3 errors on Sun Nov 10 00:24:02 2024");
	struct zh_status st = parse(t);
	const struct zh_scan *sc = only_scan(&st);
	assert_int_equal(sc->func, ZH_SCAN_SCRUB);
	assert_int_equal(sc->state, ZH_SCAN_FINISHED);
	assert_int_equal(sc->duration_s, 86400 + 2 * 3600 + 3 * 60 + 4);
	assert_int_equal(sc->errors, 3);
	assert_int_equal(sc->repaired_bytes, 1572864);
	assert_true(sc->end.set);
	assert_int_equal(sc->end.tm.tm_mday, 10);
	assert_ptr_equal(zh_pool_scrub(&st.pools[0]), sc);
	assert_false(zh_pool_scan_active(&st.pools[0]));
	zh_status_free(&st);
	free(t);
}

static void openzfs_08_days_form_is_read(void **state)
{
	(void)state;
	char *t = pool_with_scan("  scan: scrub repaired 0B in 0 days 00:00:01 with 0 errors on Sun Nov 10 00:24:02 2024");
	struct zh_status st = parse(t);
	assert_int_equal(only_scan(&st)->duration_s, 1);
	zh_status_free(&st);
	free(t);
}

static void paused_scrub_has_pause_and_start_dates(void **state)
{
	(void)state;
	char *t = pool_with_scan("  scan: scrub paused since Mon Dec  1 10:00:00 2025\n"
				 "\tscrub started on Sun Nov 30 23:00:00 2025\n"
				 "\t1.20G / 3.40G scanned, 1.00G / 3.40G issued\n"
				 "\t0B repaired, 29.41% done");
	struct zh_status st = parse(t);
	const struct zh_scan *sc = only_scan(&st);
	assert_int_equal(sc->state, ZH_SCAN_PAUSED);
	assert_int_equal(sc->paused.tm.tm_hour, 10);
	assert_int_equal(sc->start.tm.tm_mday, 30);
	assert_true(sc->pct_done > 29.40 && sc->pct_done < 29.42);
	assert_true(zh_pool_scan_active(&st.pools[0]));
	zh_status_free(&st);
	free(t);
}

static void sequential_rebuild_names_its_vdev(void **state)
{
	(void)state;
	char *t = pool_with_scan("  scan: resilver (draid1:2d:5c:1s-0) in progress since Mon Dec  1 10:00:00 2025\n"
				 "\t120M / 400M scanned at 12.0M/s, 118M / 400M issued at 11.8M/s\n"
				 "\t120M resilvered, 30.00% done, 00:00:24 to go");
	struct zh_status st = parse(t);
	const struct zh_scan *sc = only_scan(&st);
	assert_int_equal(sc->func, ZH_SCAN_REBUILD);
	assert_int_equal(sc->state, ZH_SCAN_RUNNING);
	assert_string_equal(sc->vdev, "draid1:2d:5c:1s-0");
	assert_int_equal(sc->repaired_bytes, 120ULL << 20);
	assert_null(zh_pool_scrub(&st.pools[0]));
	zh_status_free(&st);
	free(t);
	t = pool_with_scan("  scan: resilver (mirror-0) canceled on Mon Dec  1 10:00:00 2025");
	st = parse(t);
	assert_int_equal(only_scan(&st)->state, ZH_SCAN_CANCELED);
	assert_int_equal(only_scan(&st)->func, ZH_SCAN_REBUILD);
	zh_status_free(&st);
	free(t);
}

static void error_scrub_of_openzfs_23_is_not_a_zfs_fuse_scrub(void **state)
{
	(void)state;
	char *t = pool_with_scan(" scrub: scrubbed 3 error blocks in 0 days 00:00:02 on Mon Dec  1 10:00:00 2025");
	struct zh_status st = parse(t);
	const struct zh_scan *sc = only_scan(&st);
	assert_int_equal(sc->func, ZH_SCAN_ERRORSCRUB);
	assert_int_equal(sc->state, ZH_SCAN_FINISHED);
	assert_int_equal(sc->duration_s, 2);
	assert_int_equal(sc->end.tm.tm_hour, 10);
	zh_status_free(&st);
	free(t);
}

static void zfs_fuse_scrub_hours_and_minutes_are_read(void **state)
{
	(void)state;
	char *t = pool_with_scan(" scrub: scrub completed after 2h13m with 4 errors on Tue Dec  1 20:59:06 2026");
	struct zh_status st = parse(t);
	const struct zh_scan *sc = only_scan(&st);
	assert_int_equal(sc->func, ZH_SCAN_SCRUB);
	assert_int_equal(sc->duration_s, 2 * 3600 + 13 * 60);
	assert_int_equal(sc->errors, 4);
	assert_int_equal(sc->end.tm.tm_hour, 20);
	zh_status_free(&st);
	free(t);
}

/* ---- redundancy ---- */

static const char *margin_table =
	"  pool: r\n state: DEGRADED\nconfig:\n\n"
	"\tNAME          STATE     READ WRITE CKSUM\n"
	"\tr             DEGRADED     0     0     0\n"
	"\t  mirror-0    DEGRADED     0     0     0\n"  /* 2-way, one lost */
	"\t    a         ONLINE       0     0     0\n"
	"\t    b         OFFLINE      0     0     0\n"
	"\t  mirror-1    DEGRADED     0     0     0\n"  /* 3-way, one lost */
	"\t    c         UNAVAIL      0     0     0  was /dev/c\n"
	"\t    d         ONLINE       0     0     0\n"
	"\t    e         ONLINE       0     0     0\n"
	"\t  raidz1-2    DEGRADED     0     0     0\n"
	"\t    f         FAULTED      0     0     0  too many errors\n"
	"\t    g         ONLINE       0     0     0\n"
	"\t    h         ONLINE       0     0     0\n"
	"\t  raidz2-3    DEGRADED     0     0     0\n"
	"\t    i         REMOVED      0     0     0\n"
	"\t    j         OFFLINE      0     0     0\n"
	"\t    k         ONLINE       0     0     0\n"
	"\t    l         ONLINE       0     0     0\n"
	"\t  raidz2-4    DEGRADED     0     0     0\n"
	"\t    m         OFFLINE      0     0     0\n"
	"\t    n         ONLINE       0     0     0\n"
	"\t    o         ONLINE       0     0     0\n"
	"\t    p         ONLINE       0     0     0\n"
	"\t  mirror-5    DEGRADED     0     0     0\n"  /* a leg replaced by a hot spare */
	"\t    spare-0   DEGRADED     0     0     0\n"
	"\t      q       FAULTED      0     0     0\n"
	"\t      s       ONLINE       0     0     0\n"
	"\t    t         ONLINE       0     0     0\n"
	"\t  u           ONLINE       0     0     0\n"  /* a single disk: never redundant */
	"\tlogs\n"
	"\t  mirror-7    DEGRADED     0     0     0\n"
	"\t    v         ONLINE       0     0     0\n"
	"\t    w         OFFLINE      0     0     0\n"
	"\tspares\n"
	"\t  s           INUSE     currently in use\n";

static int margin_of(const struct zh_pool *p, const char *name, bool full)
{
	for (size_t i = 0; i < p->n_vdevs; i++)
		if (!strcmp(p->vdevs[i].name, name))
			return zh_vdev_margin(p, i, full);
	fail_msg("no vdev %s", name);
	return -99;
}

static void redundancy_left_follows_the_layout(void **state)
{
	(void)state;
	struct zh_status st = parse(margin_table);
	const struct zh_pool *p = &st.pools[0];
	assert_int_equal(margin_of(p, "mirror-0", false), 0); /* 2-way missing one: none left */
	assert_int_equal(margin_of(p, "mirror-0", true), 1);
	assert_int_equal(margin_of(p, "mirror-1", false), 1); /* 3-way missing one: one left */
	assert_int_equal(margin_of(p, "mirror-1", true), 2);
	assert_int_equal(margin_of(p, "raidz1-2", false), 0);
	assert_int_equal(margin_of(p, "raidz1-2", true), 1);
	assert_int_equal(margin_of(p, "raidz2-3", false), 0); /* raidz2 missing two */
	assert_int_equal(margin_of(p, "raidz2-3", true), 2);
	assert_int_equal(margin_of(p, "raidz2-4", false), 1);
	assert_int_equal(margin_of(p, "mirror-5", false), 1); /* the spare stands in */
	assert_int_equal(margin_of(p, "mirror-5", true), 2);
	assert_int_equal(margin_of(p, "u", false), 0);
	assert_int_equal(margin_of(p, "u", true), 0);
	assert_int_equal(margin_of(p, "b", false), -1);
	struct zh_redundancy r;
	zh_pool_redundancy(p, &r);
	assert_true(r.critical);
	assert_string_equal(p->vdevs[r.critical_vdev].name, "mirror-0");
	assert_int_equal(r.min_margin, 0);
	assert_true(r.lost_redundancy);
	assert_true(r.log_degraded);
	/* the spare row of the spares section is not a data vdev */
	const struct zh_vdev *last = &p->vdevs[p->n_vdevs - 1];
	assert_int_equal(last->group, ZH_SPARES);
	assert_int_equal(last->state, ZH_INUSE);
	assert_false(last->has_counters);
	assert_string_equal(last->note, "currently in use");
	zh_status_free(&st);
}

static void resilvering_leg_is_not_counted_until_done(void **state)
{
	(void)state;
	struct zh_status st = parse("  pool: r\n state: ONLINE\nconfig:\n\n"
				    "\tr             ONLINE       0     0     0\n"
				    "\t  mirror-0    ONLINE       0     0     0\n"
				    "\t    a         ONLINE       0     0     0  (resilvering)\n"
				    "\t    b         ONLINE       0     0     0\n");
	const struct zh_pool *p = &st.pools[0];
	assert_int_equal(margin_of(p, "mirror-0", false), 0);
	struct zh_redundancy r;
	zh_pool_redundancy(p, &r);
	assert_true(r.critical);
	zh_status_free(&st);
}

static void redundant_pool_that_lost_a_leg_of_three_is_not_critical(void **state)
{
	(void)state;
	struct zh_status st = parse("  pool: r\n state: DEGRADED\nconfig:\n\n"
				    "\tr             DEGRADED     0     0     0\n"
				    "\t  mirror-0    DEGRADED     0     0     0\n"
				    "\t    a         OFFLINE      0     0     0\n"
				    "\t    b         ONLINE       0     0     0\n"
				    "\t    c         ONLINE       0     0     0\n"
				    "\t  d           ONLINE       0     0     0\n");
	struct zh_redundancy r;
	zh_pool_redundancy(&st.pools[0], &r);
	assert_true(r.lost_redundancy);
	assert_false(r.critical);
	assert_int_equal(r.min_margin, 0); /* the single disk d */
	zh_status_free(&st);
}

/* ---- text details ---- */

static void names_with_spaces_and_prose_rows_are_handled(void **state)
{
	(void)state;
	struct zh_status st = parse("   pool: x\n     id: 123\n  state: ONLINE\n action: The pool can be imported.\n"
				    " config:\n\n"
				    "\tx                     ONLINE\n"
				    "\t  /tmp/my disk/f1     ONLINE\n"
				    "\n"
				    "\tAdditional devices are known to be part of this pool, though their\n"
				    "\texact configuration cannot be determined.\n");
	const struct zh_pool *p = &st.pools[0];
	assert_string_equal(p->import_id, "123");
	assert_int_equal(p->n_vdevs, 2);
	assert_string_equal(p->vdevs[1].name, "/tmp/my disk/f1");
	assert_int_equal(p->vdevs[1].type, ZH_VDEV_FILE);
	assert_false(p->vdevs[1].has_counters);
	assert_null(p->vdevs[1].note);
	zh_status_free(&st);
}

static void data_errors_are_counted(void **state)
{
	(void)state;
	struct zh_status st = parse("  pool: a\n state: ONLINE\nerrors: 7 data errors, use '-v' for a list\n"
				    "\n  pool: b\n state: ONLINE\n"
				    "errors: Permanent errors have been detected in the following files:\n\n"
				    "        /b/file1\n        b/ds:<0x12>\n"
				    "\n  pool: c\n state: ONLINE\nerrors: No known data errors\n");
	assert_int_equal(st.n_pools, 3);
	assert_int_equal(st.pools[0].data_errors, 7);
	assert_int_equal(st.pools[1].data_errors, 2);
	assert_int_equal(st.pools[2].data_errors, 0);
	zh_status_free(&st);
}

static void healthy_and_empty_answers_have_no_pools(void **state)
{
	(void)state;
	const char *texts[] = { "all pools are healthy\n", "no pools available\n", "", "pool 'x' is healthy\n" };
	for (size_t i = 0; i < 4; i++) {
		struct zh_status st = parse(texts[i]);
		assert_int_equal(st.n_pools, 0);
		zh_status_free(&st);
	}
}

static void table_before_any_pool_is_an_error(void **state)
{
	(void)state;
	struct zh_status st = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(zh_parse_status("config:\n\tx ONLINE 0 0 0\n", &st, &dl), -1);
	assert_int_equal(dl.n, 1);
	assert_string_equal(dl.v[0].msg,
			    "unexpected output of 'zpool status': a config table before any 'pool:' line");
	zh_status_free(&st);
	diag_list_free(&dl);
}

/* Every prefix of a real text parses without a crash or a leak (ASan checks). */
static void truncated_texts_are_read_without_harm(void **state)
{
	(void)state;
	const char *files[] = { DATA_DIR "/zfs-fuse/mirrors-log-spare.status",
				DATA_DIR "/zfs-fuse/exported-missing-leg.import",
				DATA_DIR "/zfs-fuse/checksum-errors.status" };
	for (size_t f = 0; f < 3; f++) {
		char *data = NULL;
		size_t len = 0;
		assert_int_equal(read_file(files[f], &data, &len), 0);
		for (size_t cut = 0; cut <= len; cut++) {
			char *t = xstrndup(data, cut);
			struct zh_status st = { 0 };
			struct diag_list dl = { 0 };
			assert_int_equal(zh_parse_status(t, &st, &dl), 0);
			assert_true(st.n_pools <= 1);
			zh_status_free(&st);
			diag_list_free(&dl);
			free(t);
		}
		free(data);
	}
}

/* ---- JSON details (synthetic: states a test pool does not reach) ---- */

static void json_kernel_state_names_and_number_forms_are_read(void **state)
{
	(void)state;
	const char *j =
		"{\"output_version\":{\"command\":\"zpool status\",\"vers_major\":0,\"vers_minor\":1},"
		"\"pools\":{\"tank\":{\"name\":\"tank\",\"state\":\"DEGRADED\","
		"\"scan_stats\":{\"function\":\"SCRUB\",\"state\":\"FINISHED\",\"start_time\":1733000000,"
		"\"end_time\":\"1733000100\",\"errors\":\"0\",\"processed\":\"1.50M\"},"
		"\"vdevs\":{\"tank\":{\"name\":\"tank\",\"vdev_type\":\"root\",\"state\":\"DEGRADED\","
		"\"read_errors\":0,\"write_errors\":0,\"checksum_errors\":0,\"vdevs\":{"
		"\"mirror-0\":{\"name\":\"mirror-0\",\"vdev_type\":\"mirror\",\"state\":\"DEGRADED\","
		"\"read_errors\":\"0\",\"write_errors\":\"0\",\"checksum_errors\":\"1.48K\",\"vdevs\":{"
		"\"sda\":{\"name\":\"sda\",\"vdev_type\":\"disk\",\"state\":\"ONLINE\",\"read_errors\":\"0\","
		"\"write_errors\":\"0\",\"checksum_errors\":\"0\"},"
		"\"123\":{\"name\":\"123\",\"vdev_type\":\"disk\",\"state\":\"CANT_OPEN\",\"was\":\"/dev/sdb1\","
		"\"read_errors\":\"0\",\"write_errors\":\"0\",\"checksum_errors\":\"0\"}}}}}},"
		"\"error_count\":\"3\"}}}";
	struct zh_status st = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(zh_parse_status_json(j, &st, &dl), 0);
	const struct zh_pool *p = zh_pool_find(&st, "tank");
	assert_non_null(p);
	assert_int_equal(p->state, ZH_DEGRADED);
	assert_int_equal(p->data_errors, 3);
	assert_int_equal(p->n_vdevs, 4);
	assert_int_equal(p->vdevs[1].cksum_errors, 1515);
	assert_int_equal(p->vdevs[3].state, ZH_UNAVAIL);
	assert_string_equal(p->vdevs[3].note, "was /dev/sdb1");
	assert_int_equal(p->vdevs[3].parent, 1);
	const struct zh_scan *sc = zh_pool_scrub(p);
	assert_non_null(sc);
	assert_true(sc->end.is_epoch);
	assert_int_equal((long long)zh_time_epoch(&sc->end), 1733000100LL);
	assert_int_equal(sc->duration_s, 100);
	assert_int_equal(sc->repaired_bytes, 1572864);
	struct zh_redundancy r;
	zh_pool_redundancy(p, &r);
	assert_true(r.critical);
	zh_status_free(&st);
	assert_int_equal(zh_parse_status_json("{\"pools\": 3}", &st, &dl), -1);
	assert_int_equal(zh_parse_status_json("not json", &st, &dl), -1);
	assert_int_equal(dl.n, 2);
	assert_string_equal(dl.v[0].msg, "unexpected output of 'zpool status -j': no \"pools\" object");
	assert_non_null(strstr(dl.v[1].msg, "unexpected output of 'zpool status -j': "));
	assert_int_equal(st.n_pools, 0);
	diag_list_free(&dl);
}

/* ---- review helpers ---- */

static void print_one(const char *path, enum kind k, void *arg)
{
	(void)arg;
	char *exp = xasprintf("%s.expected", path);
	struct stat sb;
	if (stat(exp, &sb)) {
		char *err = NULL;
		char *s = summarize(path, k, &err);
		if (s) {
			write_file_atomic(exp, s, strlen(s), 0644);
			printf("wrote %s\n", exp);
		} else {
			printf("%s\n", err);
		}
		free(s);
		free(err);
	}
	free(exp);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--print")) {
		char *err = NULL;
		char *s = summarize(argv[2], fixture_kind(argv[2]) == K_JSON ? K_JSON : K_TEXT, &err);
		fputs(s ? s : err, s ? stdout : stderr);
		int rc = s ? 0 : 1;
		free(s);
		free(err);
		return rc;
	}
	if (argc == 2 && !strcmp(argv[1], "--write-missing")) {
		each_fixture(print_one, NULL);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fixture_matches_its_expected_summary),
		cmocka_unit_test(nicenum_counters_are_read_1024_based),
		cmocka_unit_test(ctime_dates_are_read_as_printed),
		cmocka_unit_test(local_dates_convert_under_the_process_zone),
		cmocka_unit_test(dates_printed_in_two_zones_are_one_instant),
		cmocka_unit_test(scrub_longer_than_a_day_has_its_days),
		cmocka_unit_test(openzfs_08_days_form_is_read),
		cmocka_unit_test(paused_scrub_has_pause_and_start_dates),
		cmocka_unit_test(sequential_rebuild_names_its_vdev),
		cmocka_unit_test(error_scrub_of_openzfs_23_is_not_a_zfs_fuse_scrub),
		cmocka_unit_test(zfs_fuse_scrub_hours_and_minutes_are_read),
		cmocka_unit_test(redundancy_left_follows_the_layout),
		cmocka_unit_test(resilvering_leg_is_not_counted_until_done),
		cmocka_unit_test(redundant_pool_that_lost_a_leg_of_three_is_not_critical),
		cmocka_unit_test(names_with_spaces_and_prose_rows_are_handled),
		cmocka_unit_test(data_errors_are_counted),
		cmocka_unit_test(healthy_and_empty_answers_have_no_pools),
		cmocka_unit_test(table_before_any_pool_is_an_error),
		cmocka_unit_test(truncated_texts_are_read_without_harm),
		cmocka_unit_test(json_kernel_state_names_and_number_forms_are_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
