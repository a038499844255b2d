/*
 * Unit tests: the page of status --html (src/plan/health_html.c). A model
 * with hostile names everywhere the host supplies text (pool, vdev, device,
 * dataset, policy, a check message): each shows escaped, nothing of it
 * becomes markup; the page is self-contained (no script, no external asset);
 * a degraded pool is marked; html_escape's table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plan/health_html.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define DATA "tests/unit/data/"
#define EVIL "<script>alert(\"x\")</script>&'<img src=x onerror=y>"
#define EVIL_ESC "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&lt;img src=x onerror=y&gt;"

static void escape_table(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	html_escape(&sb, "a<b>&\"'\x01\x7f\tz\n");
	assert_string_equal(sb_str(&sb), "a&lt;b&gt;&amp;&quot;&#39;\xef\xbf\xbd\xef\xbf\xbd\tz\n");
	sb_release(&sb);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void hostile_names_are_escaped_and_the_page_is_self_contained(void **state)
{
	(void)state;
	char *text = NULL;
	assert_int_equal(read_file(DATA "zpool/zfs-fuse/mirror2-offline.status", &text, NULL), 0);
	struct zh_status st = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(zh_parse_status(text, &st, &dl), 0);
	free(text);
	struct zh_pool *zp = &st.pools[0];
	assert_int_equal(zp->state, ZH_DEGRADED);
	free(zp->name);
	zp->name = xstrdup(EVIL);
	for (size_t i = 1; i < zp->n_vdevs; i++) {
		free(zp->vdevs[i].name);
		zp->vdevs[i].name = xstrdup(EVIL);
	}
	struct hc_pool pool = { .health = zp, .capacity_pct = 85, .scrub_interval_s = 7 * 86400, .size_bytes = 1 << 30,
				.used_bytes = 900 << 20 };
	struct smart_info smart;
	smart_unknown(EVIL, EVIL, &smart);
	struct hc_disk disk = { EVIL, &smart };
	const char *absent[] = { EVIL };
	struct hc_input in = { .pools = &pool, .n_pools = 1, .absent_pools = absent, .n_absent = 1, .disks = &disk,
			       .n_disks = 1, .now = 1796190000 };
	struct hc_thresholds th;
	hc_thresholds_default(&th);
	struct hc_result r;
	hc_evaluate(&in, &th, &r);
	assert_int_equal(r.status, HC_CRITICAL);
	const char *classes[] = { EVIL };
	const int ids[] = { 1 };
	const struct hh_snap snaps[] = { { 1796190000 - 3600, 1 }, { 1796190000 - 7200, -1 }, { 1796190000 + 60, 1 } };
	struct hh_dataset ds = { EVIL, EVIL, classes, ids, 1, snaps, 3 };
	struct hh_model m = { .host = EVIL, .in = &in, .verdict = &r, .thresholds = &th, .datasets = &ds, .n_datasets = 1 };
	char *page = health_html(&m);
	/* nothing hostile survives as markup, each name shows escaped */
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "<img"));
	assert_null(strstr(page, EVIL));
	assert_true(count(page, EVIL_ESC) >= 8);
	/* the escaped name sits whole inside its attribute */
	assert_non_null(strstr(page, "data-pool=\"" EVIL_ESC "\" data-state=\"DEGRADED\""));
	assert_non_null(strstr(page, "data-pool=\"" EVIL_ESC "\" data-state=\"ABSENT\""));
	assert_non_null(strstr(page, "data-dataset=\"" EVIL_ESC "\""));
	/* self-contained: no script, no reference outside the page */
	assert_null(strstr(page, "src=\""));
	assert_null(strstr(page, "href=\""));
	assert_null(strstr(page, "url("));
	assert_int_equal(count(page, "http"), 1); /* the SVG namespace */
	assert_non_null(strstr(page, "xmlns=\"http://www.w3.org/2000/svg\""));
	/* the degraded pool is marked, the capacity bar warns at 85 %, the timeline shows the skew */
	assert_non_null(strstr(page, "<section class=\"pool degraded sev-critical\""));
	assert_non_null(strstr(page, "<span class=\"warning\" style=\"width:85%\">"));
	assert_non_null(strstr(page, "newest in the future (clock skew)"));
	assert_int_equal(count(page, "<rect "), 3);
	assert_non_null(strstr(page, "<tr class=\"lost\">"));
	assert_int_equal(strncmp(page, "<!DOCTYPE html>\n", 16), 0);
	assert_non_null(strstr(page, "</html>\n"));
	free(page);
	hc_result_free(&r);
	smart_info_free(&smart);
	zh_status_free(&st);
	diag_list_free(&dl);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_table),
		cmocka_unit_test(hostile_names_are_escaped_and_the_page_is_self_contained),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
