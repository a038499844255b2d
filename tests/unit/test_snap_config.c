/*
 * Unit tests: the snapshot policy config model (config/snap_config.h).
 * Each tests/unit/data/snap_config/NN-name.json is read as a config file and
 * its diagnostics must print exactly as NN-name.expected (empty: none).
 * PHOENIX_UNIT_BLESS=1 rewrites the .expected files that differ.
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

static char *diags_of(const char *name, const char *text, struct snap_config *cfg, int *rc)
{
	struct config_src src;
	struct diag_list dl = { 0 };
	if (config_src_parse(&src, name, text, &dl))
		fail_msg("%s does not parse as JSON", name);
	*rc = snap_config_parse(&src, json_object_get(src.root, "zfs"), cfg, &dl);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	diag_print(f, &dl);
	fclose(f);
	diag_list_free(&dl);
	config_src_free(&src);
	return out;
}

static void run_case(void **state)
{
	const char *path = *state;
	const char *base = strrchr(path, '/') + 1;
	char *text = case_read(path);
	char *exp_path = xasprintf("%.*s.expected", (int)(strlen(path) - 5), path);
	char *want = case_read(exp_path);
	struct snap_config cfg;
	int rc;
	char *got = diags_of(base, text, &cfg, &rc);
	if (strcmp(got, want) && getenv("PHOENIX_UNIT_BLESS")) {
		/* after a deliberate change of messages: rewrite, then read the diff */
		FILE *f = fopen(exp_path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	} else if (strcmp(got, want))
		fail_msg("%s: diagnostics differ\n--- expected\n%s--- got\n%s", path, want, got);
	/* an error in the output <=> a failed parse */
	assert_int_equal(rc != 0, strstr(got, ": error: ") != NULL);
	snap_config_free(&cfg);
	free(got);
	free(want);
	free(exp_path);
	free(text);
}

static void valid_config_fills_the_model(void **state)
{
	(void)state;
	char *dir = case_dir("snap_config");
	char *path = xasprintf("%s/01-valid.json", dir);
	char *text = case_read(path);
	struct snap_config cfg;
	int rc;
	char *got = diags_of("01-valid.json", text, &cfg, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "");
	assert_int_equal(cfg.n_policies, 2);
	const struct snap_policy *p = snap_config_policy(&cfg, "production");
	assert_non_null(p);
	assert_int_equal(p->frequent_minutes, 15);
	assert_int_equal(p->keep[SNAP_FREQUENT], 4);
	assert_int_equal(p->keep[SNAP_HOURLY], 48);
	assert_int_equal(p->keep[SNAP_YEARLY], 0);
	assert_string_equal(snap_policy_timezone(p), "America/New_York");
	assert_true(p->take && p->prune);
	assert_string_equal(p->jpath, "zfs.snapshot_policies.production");
	const struct snap_policy *r = snap_config_policy(&cfg, "replica");
	assert_false(r->take);
	assert_true(r->prune);
	assert_int_equal(r->frequent_minutes, 15);
	assert_int_equal(r->keep[SNAP_HOURLY], 0);
	assert_int_equal(r->keep[SNAP_MONTHLY], 24);
	assert_string_equal(snap_policy_timezone(r), "UTC");
	assert_null(r->timezone);
	assert_null(snap_config_policy(&cfg, "nope"));
	assert_int_equal(cfg.destroy_batch, 50);
	assert_int_equal(cfg.n_datasets, 3);
	assert_string_equal(cfg.datasets[0].dataset, "shared-prod-data");
	assert_string_equal(cfg.datasets[0].pool, "quickOS");
	assert_int_equal(cfg.datasets[0].config_index, 0);
	assert_true(cfg.datasets[0].policy_known);
	assert_ptr_equal(&cfg.policies[cfg.datasets[0].policy_index], p);
	assert_true(cfg.datasets[0].recursive);
	assert_int_equal(cfg.datasets[0].n_exclude, 1);
	assert_string_equal(cfg.datasets[0].exclude[0], "shared-prod-data/tmp");
	assert_string_equal(cfg.datasets[0].jpath, "zfs.datasets[0].snapshots");
	assert_true(cfg.datasets[1].none);
	assert_int_equal(cfg.datasets[1].config_index, 2);
	assert_null(cfg.datasets[1].policy);
	assert_false(cfg.datasets[2].recursive);
	assert_string_equal(cfg.datasets[2].policy, "replica");
	/* zones: New York exists here */
	struct diag_list dl = { 0 };
	assert_int_equal(snap_config_check_zones(NULL, &cfg, NULL, &dl), 0);
	assert_int_equal(dl.n, 0);
	snap_config_free(&cfg);
	free(got);
	free(text);
	free(path);
	free(dir);
}

static void unknown_zone_is_reported_at_its_path(void **state)
{
	(void)state;
	const char *text = "{ \"zfs\": { \"snapshot_policies\": {\n"
			   "  \"p\": { \"timezone\": \"Mars/Olympus_Mons\", \"keep\": { \"daily\": 1 } } } } }\n";
	struct config_src src;
	struct diag_list dl = { 0 };
	assert_int_equal(config_src_parse(&src, "c.json", text, &dl), 0);
	struct snap_config cfg;
	assert_int_equal(snap_config_parse(&src, json_object_get(src.root, "zfs"), &cfg, &dl), 0);
	assert_int_equal(snap_config_check_zones(&src, &cfg, NULL, &dl), -1);
	assert_int_equal(dl.n, 1);
	assert_string_equal(dl.v[0].jpath, "zfs.snapshot_policies.p.timezone");
	assert_int_equal(dl.v[0].line, 2);
	assert_int_equal(dl.v[0].col, 22);
	assert_string_equal(dl.v[0].msg, "unknown time zone 'Mars/Olympus_Mons' (no file /usr/share/zoneinfo/Mars/Olympus_Mons)");
	snap_config_free(&cfg);
	diag_list_free(&dl);
	config_src_free(&src);
}

static void reference_config_has_no_snapshot_problems(void **state)
{
	(void)state;
	/* the copy in the tree (tests/data/reference/README says where it comes from); run from the top */
	struct config_src src = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(config_src_load(&src, "tests/data/reference/phoenix_hypervisor_config.json", &dl), 0);
	struct snap_config cfg;
	assert_int_equal(snap_config_parse(&src, json_object_get(src.root, "zfs"), &cfg, &dl), 0);
	assert_int_equal(dl.n, 0);
	assert_int_equal(cfg.n_policies, 0);
	assert_int_equal(cfg.n_datasets, 0);
	assert_int_equal(cfg.destroy_batch, 100);
	snap_config_free(&cfg);
	diag_list_free(&dl);
	config_src_free(&src);
}

int main(void)
{
	const struct CMUnitTest extra[] = {
		cmocka_unit_test(valid_config_fills_the_model),
		cmocka_unit_test(unknown_zone_is_reported_at_its_path),
		cmocka_unit_test(reference_config_has_no_snapshot_problems),
	};
	return case_run_suite("snap_config", ".json", run_case, extra, sizeof(extra) / sizeof(*extra), 10);
}
