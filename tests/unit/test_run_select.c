/*
 * Unit tests: which front doors a run uses (--only and what each needs), which
 * can be planned, and which layers hold the errors (the --only advice), on a
 * table of five fake subsystems: a; b needs a; c needs b; d; e is planned with d.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/run.h"
#include "util/strbuf.h"

static const char *const needs_a[] = { "a", NULL };
static const char *const needs_b[] = { "b", NULL };
static const struct subsystem door_a = { .name = "a" };
static const struct subsystem door_b = { .name = "b", .needs = needs_a };
static const struct subsystem door_c = { .name = "c", .needs = needs_b };
static const char *const with_d[] = { "d", NULL };
static const struct subsystem door_d = { .name = "d" };
static const struct subsystem door_e = { .name = "e", .with = with_d };
static const struct subsystem *const doors[] = { &door_a, &door_b, &door_c, &door_d, &door_e };
static const struct subsystem_table table = { doors, 5 };

/* The uses of the five doors as letters: S selected, N needed, U unused. */
static void uses(const struct door_run *d, char out[6])
{
	for (size_t i = 0; i < 5; i++)
		out[i] = d[i].use == DOOR_SELECTED ? 'S' : d[i].use == DOOR_NEEDED ? 'N' : 'U';
	out[5] = '\0';
}

static const struct {
	const char *only[3];   /* the --only values, NULL-terminated */
	int rc;
	const char *uses;
	const char *error;     /* the message when rc is -1 */
} select_cases[] = {
	{ { NULL }, 0, "SSSSS", NULL },
	{ { "c", NULL }, 0, "NNSUU", NULL },
	{ { "a,d", NULL }, 0, "SUUSU", NULL },
	{ { "b", "d", NULL }, 0, "NSUSU", NULL },
	{ { "c,a", NULL }, 0, "SNSUU", NULL },
	{ { "d,d", NULL }, 0, "UUUSU", NULL },
	{ { "e", NULL }, 0, "UUUSS", NULL },
	{ { "a,x", NULL }, -1, "UUUUU", "--only: unknown subsystem 'x'" },
	{ { "a,", NULL }, -1, "UUUUU", "--only: an empty subsystem name" },
	{ { "", NULL }, -1, "UUUUU", "--only: an empty subsystem name" },
};

static void select_picks_the_named_doors_and_what_they_need(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(select_cases) / sizeof(select_cases[0]); k++) {
		struct strvec only = { 0 };
		for (size_t i = 0; select_cases[k].only[i]; i++)
			sv_push(&only, select_cases[k].only[i]);
		struct door_run d[5];
		struct diag_list dl = { 0 };
		assert_int_equal(run_select(&table, &only, d, &dl), select_cases[k].rc);
		char got[6];
		uses(d, got);
		assert_string_equal(got, select_cases[k].uses);
		if (select_cases[k].error) {
			assert_int_equal(dl.n, 1);
			assert_string_equal(dl.v[0].msg, select_cases[k].error);
			assert_string_equal(dl.v[0].hint,
					    "name subsystems from this list, separated by commas: a,b,c,d,e (e.g. --only a)");
			assert_null(dl.v[0].scope);
		} else {
			assert_int_equal(dl.n, 0);
		}
		diag_list_free(&dl);
		sv_free(&only);
	}
}

/* A context over the fake table with the given uses and failed doors ("SSSSS", "..F.."). */
static void fake_ctx(struct ph_ctx *ctx, struct door_run *d, const char *use, const char *failed)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->subsystems = &table;
	ctx->doors = d;
	for (size_t i = 0; i < 5; i++) {
		d[i].use = use[i] == 'S' ? DOOR_SELECTED : use[i] == 'N' ? DOOR_NEEDED : DOOR_UNUSED;
		d[i].failed = failed[i] == 'F';
	}
}

static void plannable_means_selected_and_nothing_needed_failed(void **state)
{
	(void)state;
	struct ph_ctx ctx;
	struct door_run d[5];
	fake_ctx(&ctx, d, "SSSSS", "F....");
	assert_false(run_plannable(&ctx, 0));
	assert_false(run_plannable(&ctx, 1));
	assert_false(run_plannable(&ctx, 2));   /* needs b, which needs a */
	assert_true(run_plannable(&ctx, 3));
	assert_true(run_plannable(&ctx, 4));
	fake_ctx(&ctx, d, "NNSUU", ".....");
	assert_false(run_plannable(&ctx, 0));   /* needed, not planned */
	assert_true(run_plannable(&ctx, 2));
	assert_false(run_plannable(&ctx, 3));   /* unused */
	fake_ctx(&ctx, d, "SSSSS", "...F.");
	assert_false(run_plannable(&ctx, 4));   /* planned with d, which failed */
}

static const struct {
	const char *use, *failed;
	const char *scopes;   /* the error diagnostics' scopes, one letter each ('-': no scope) */
	const char *in, *others;
} blame_cases[] = {
	{ "SSSSS", ".....", "", "", "a,b,c,d,e" },
	{ "SSSSS", ".....", "b", "b", "a,d,e" },
	{ "SSSSS", ".....", "bb", "b", "a,d,e" },
	{ "SSSSS", ".....", "a", "a", "d,e" },
	{ "SSSSS", ".....", "db", "b,d", "a" },
	{ "SSSSS", ".....", "-b", "b", "" },
	{ "SSSSS", "..F..", "", "c", "a,b,d,e" },
	{ "SSSSS", ".....", "e", "e", "a,b,c,d" },
	{ "NNSUU", ".....", "a", "a", "" },
	{ "SUUSU", ".....", "d", "d", "a" },
};

static void blame_names_the_layers_with_errors_and_the_others(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(blame_cases) / sizeof(blame_cases[0]); k++) {
		struct ph_ctx ctx;
		struct door_run d[5];
		fake_ctx(&ctx, d, blame_cases[k].use, blame_cases[k].failed);
		struct diag_list dl = { 0 };
		static const char *const names[] = { "a", "b", "c", "d", "e" };
		diag_add(&dl, DIAG_WARNING, NULL, 0, 0, NULL, NULL, "a warning of c blames no one");
		dl.v[0].scope = "c";
		for (const char *s = blame_cases[k].scopes; *s; s++) {
			diag_add(&dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "an error");
			dl.v[dl.n - 1].scope = *s == '-' ? NULL : names[*s - 'a'];
		}
		struct strvec in = { 0 }, others = { 0 };
		run_blame(&ctx, &dl, &in, &others);
		char *a = sv_join(&in, ","), *b = sv_join(&others, ",");
		assert_string_equal(a, blame_cases[k].in);
		assert_string_equal(b, blame_cases[k].others);
		free(a);
		free(b);
		sv_free(&in);
		sv_free(&others);
		diag_list_free(&dl);
	}
}

/* run's --only: a table of jobs (d alone) within all five; the errors, each name once. */
static const struct subsystem *const job_doors[] = { &door_d };
static const struct subsystem_table jobs = { job_doors, 1 };

static const struct {
	const char *only[3];
	int rc;
	char use;                 /* d's use: S or U */
	const char *errors[2];    /* message, hint; message, hint... */
	const char *hints[2];
} within_cases[] = {
	{ { NULL }, 0, 'S', { NULL }, { NULL } },
	{ { "d", NULL }, 0, 'S', { NULL }, { NULL } },
	{ { "d,a", NULL }, -1, 'U', { "--only: run has no job for subsystem 'a' (run does the jobs of: d)" },
	  { "name subsystems from this list, separated by commas: d (e.g. --only d); plan, apply and status take --only a" } },
	{ { "x", NULL }, -1, 'U', { "--only: unknown subsystem 'x'" },
	  { "name subsystems from this list, separated by commas: d (e.g. --only d)" } },
	{ { "b", "x,d", NULL }, -1, 'U',
	  { "--only: run has no job for subsystem 'b' (run does the jobs of: d)", "--only: unknown subsystem 'x'" },
	  { "name subsystems from this list, separated by commas: d (e.g. --only d); plan, apply and status take --only b",
	    "name subsystems from this list, separated by commas: d (e.g. --only d)" } },
};

static void within_names_a_subsystem_without_a_job_and_an_unknown_one(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(within_cases) / sizeof(within_cases[0]); k++) {
		struct strvec only = { 0 };
		for (size_t i = 0; within_cases[k].only[i]; i++)
			sv_push(&only, within_cases[k].only[i]);
		struct door_run d[1];
		struct diag_list dl = { 0 };
		assert_int_equal(run_select_within(&jobs, &table, "run", &only, d, &dl), within_cases[k].rc);
		assert_int_equal(d[0].use == DOOR_SELECTED ? 'S' : 'U', within_cases[k].use);
		size_t n = 0;
		while (n < 2 && within_cases[k].errors[n])
			n++;
		assert_int_equal(dl.n, n);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(dl.v[i].msg, within_cases[k].errors[i]);
			assert_string_equal(dl.v[i].hint, within_cases[k].hints[i]);
		}
		diag_list_free(&dl);
		sv_free(&only);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(select_picks_the_named_doors_and_what_they_need),
		cmocka_unit_test(plannable_means_selected_and_nothing_needed_failed),
		cmocka_unit_test(blame_names_the_layers_with_errors_and_the_others),
		cmocka_unit_test(within_names_a_subsystem_without_a_job_and_an_unknown_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
