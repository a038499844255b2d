/*
 * Unit tests: the snapshot jobs (plan/snap_plan.h) and the snapshot state
 * reader (state/snap_state.h), as data. Each tests/unit/data/snap_plan/NN-name.case
 * holds sections:
 *   --- config     the main config (JSON; only its zfs section is read)
 *   --- state      `zfs get -H -p -r ...` output (TABs written as "\t")
 *   --- args       lines: now UTC-TIME | multi | comma | take | prune | allow-destroy
 *   --- expected   the jobs as printed below, exactly
 * Printed: "take: ARGV", "mark: ARGV", "destroy: ARGV" (each call), then
 * "held back: N", then each diagnostic "warning: MESSAGE".
 * PHOENIX_UNIT_BLESS=1 rewrites the expected section of a case that differs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "case_file.h"
#include "config/snap_config.h"
#include "plan/snap_plan.h"
#include "util/civil.h"

/* The text of section name in text (caller frees), or NULL. */
static char *section(const char *text, const char *name)
{
	char *hdr = xasprintf("--- %s\n", name);
	const char *p = strstr(text, hdr);
	char *out = NULL;
	if (p) {
		p += strlen(hdr);
		const char *e = strstr(p, "\n--- ");
		out = e ? xstrndup(p, (size_t)(e - p) + 1) : xstrdup(p);
	}
	free(hdr);
	return out;
}

/* The case text before its expected section (caller frees). */
__attribute__((noinline)) static char *before_expected(const char *text)
{
	const char *e = strstr(text, "--- expected\n");
	return e ? xstrndup(text, (size_t)(e - text)) : xstrdup(text);
}

static char *unescape_tabs(const char *s)
{
	struct strbuf sb;
	sb_init(&sb);
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 't') {
			sb_addc(&sb, '\t');
			s++;
		} else
			sb_addc(&sb, *s);
	}
	return sb_detach(&sb);
}

static void print_argv(struct strbuf *sb, const char *what, const struct strvec *v)
{
	sb_addf(sb, "%s:", what);
	for (size_t i = 0; i < v->n; i++)
		sb_addf(sb, " %s", v->v[i]);
	sb_addc(sb, '\n');
}

static char *jobs_text(const struct snap_jobs *j)
{
	struct strbuf sb;
	sb_init(&sb);
	for (size_t i = 0; i < j->n_take; i++)
		print_argv(&sb, "take", &j->take[i]);
	for (size_t i = 0; i < j->n_mark; i++)
		print_argv(&sb, "mark", &j->mark[i]);
	for (size_t i = 0; i < j->n; i++)
		for (size_t k = 0; k < j->v[i].destroy.n; k++)
			print_argv(&sb, "destroy", &j->v[i].destroy.v[k].argv);
	sb_addf(&sb, "held back: %zu\n", j->n_held_back);
	for (size_t i = 0; i < j->diags.n; i++)
		sb_addf(&sb, "%s: %s\n", j->diags.v[i].level == DIAG_ERROR ? "error" : "warning", j->diags.v[i].msg);
	return sb_detach(&sb);
}

static void run_case(void **state)
{
	const char *path = *state;
	char *text = case_read(path);
	char *cfg_text = section(text, "config"), *st_raw = section(text, "state");
	char *args = section(text, "args"), *want = section(text, "expected");
	assert_non_null(cfg_text);
	assert_non_null(want);
	struct config_src src;
	struct diag_list dl = { 0 };
	if (config_src_parse(&src, "config.json", cfg_text, &dl))
		fail_msg("%s: config does not parse", path);
	struct snap_config cfg;
	if (snap_config_parse(&src, json_object_get(src.root, "zfs"), &cfg, &dl))
		fail_msg("%s: config has errors", path);
	struct snap_state st = { 0 };
	char *st_text = unescape_tabs(st_raw ? st_raw : "");
	if (snap_state_parse(st_text, &st, &dl))
		fail_msg("%s: state does not parse", path);
	struct snap_plan_in in = { .cfg = &cfg, .st = &st, .prog = "zfs" };
	struct strvec lines = { 0 };
	case_lines(args ? args : xstrdup(""), &lines);
	for (size_t i = 0; i < lines.n; i++) {
		const char *l = lines.v[i];
		if (!strncmp(l, "now ", 4))
			assert_int_equal(civil_parse_utc(l + 4, &in.now), 0);
		else if (!strcmp(l, "multi"))
			st.multi_snapshot = true;
		else if (!strcmp(l, "comma"))
			st.comma_destroy = true;
		else if (!strcmp(l, "take"))
			in.take = true;
		else if (!strcmp(l, "prune"))
			in.prune = true;
		else if (!strcmp(l, "allow-destroy"))
			in.allow_destroy = true;
		else
			fail_msg("%s: unknown args line '%s'", path, l);
	}
	struct tz_zone *zones = xcalloc(cfg.n_policies + 1, sizeof(*zones));
	for (size_t i = 0; i < cfg.n_policies; i++)
		tz_zone_utc(&zones[i]);
	in.zones = zones;
	struct snap_jobs j;
	snap_plan_build(&in, &j);
	char *got = jobs_text(&j);
	if (strcmp(got, want) && getenv("PHOENIX_UNIT_BLESS")) {
		char *head = before_expected(text);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%s--- expected\n%s", head, got);
		free(head);
		fclose(f);
	} else if (strcmp(got, want))
		fail_msg("%s: jobs differ\n--- expected\n%s--- got\n%s", path, want, got);
	snap_jobs_free(&j);
	for (size_t i = 0; i < cfg.n_policies; i++)
		tz_zone_free(&zones[i]);
	free(zones);
	snap_state_free(&st);
	snap_config_free(&cfg);
	config_src_free(&src);
	diag_list_free(&dl);
	sv_free(&lines);
	free(got);
	free(st_text);
	free(st_raw);
	free(args);
	free(want);
	free(cfg_text);
	free(text);
}

/* The reader: datasets with spaces, bookmarks skipped, a dataset's marker, snapshot numbers. */
static void state_reader_reads_rows(void **state)
{
	(void)state;
	const char *text = "tank/a b\tguid\t11\t-\n"
			   "tank/a b\tphoenix:snapshot-policy\tv1 frequent_minutes=15 keep=0,1,0,0,0,0 timezone=UTC\tlocal\n"
			   "tank/a b@s1\tguid\t22\t-\n"
			   "tank/a b@s1\tcreatetxg\t7\t-\n"
			   "tank/a b@s1\tcreation\t1700000000\t-\n"
			   "tank/a b@s1\tuserrefs\t2\t-\n"
			   "tank/a b@s1\tclones\ttank/c\t-\n"
			   "tank/a b#bm\tguid\t33\t-\n"
			   "tank/c\tphoenix:snapshot-policy\t-\t-\n";
	struct snap_state st = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(snap_state_parse(text, &st, &dl), 0);
	assert_int_equal(st.n, 2);
	const struct snap_ds *d = snap_state_find(&st, "tank/a b");
	assert_non_null(d);
	assert_string_equal(d->marker, "v1 frequent_minutes=15 keep=0,1,0,0,0,0 timezone=UTC");
	assert_int_equal(d->n, 1);
	assert_string_equal(d->s[0].name, "s1");
	assert_int_equal(d->s[0].guid, 22);
	assert_int_equal(d->s[0].createtxg, 7);
	assert_int_equal(d->s[0].creation, 1700000000);
	assert_int_equal(d->s[0].userrefs, 2);
	assert_true(d->s[0].has_clones);
	assert_null(snap_state_find(&st, "tank/c")->marker);
	snap_state_free(&st);
	assert_int_equal(snap_state_parse("tank/a\tguid\n", &st, &dl), -1);
	assert_int_equal(dl.n, 1);
	assert_string_equal(dl.v[0].msg, "zfs get: line 1 is not 'name TAB property TAB value TAB source': 'tank/a'");
	snap_state_free(&st);
	diag_list_free(&dl);
}

int main(void)
{
	const struct CMUnitTest extra[] = { cmocka_unit_test(state_reader_reads_rows) };
	return case_run_suite("snap_plan", ".case", run_case, extra, 1, 5);
}
