/* Unit tests: members given twice (config_src_parse), unknown members and their suggestion (members.c), edit distance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/members.h"
#include "util/str.h"

static void edit_distance_counts_a_swap_as_one(void **state)
{
	(void)state;
	static const struct { const char *a, *b; size_t d; } cases[] = {
		{ "propertis", "properties", 1 }, { "ashfit", "ashift", 1 }, { "mountpont", "mountpoint", 1 },
		{ "", "abc", 3 },                  { "same", "same", 0 },     { "arc_max", "arc_max_gb", 3 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(str_edit_distance(cases[i].a, cases[i].b), cases[i].d);
}

/* Each text: the duplicates found, as "obj_path|key|line1:col1|line2:col2" joined by ';'. */
static void duplicates_are_found_with_both_positions(void **state)
{
	(void)state;
	static const struct { const char *text, *want; } cases[] = {
		{ "{\"a\": 1, \"b\": 2}", "" },
		{ "{\"a\": 1, \"a\": 2}", "|a|1:2|1:10" },
		{ "{\"x\": {\"k\": 1,\n \"k\": 2}}", "x|k|1:8|2:2" },
		{ "{\"l\": [{}, {\"q\": 1, \"q\": 2, \"q\": 3}]}", "l[1]|q|1:13|1:21;l[1]|q|1:13|1:29" },
		{ "{\"s\": \"{\\\"a\\\": 1, \\\"a\\\": 2}\"}", "" }, /* inside a string: not JSON */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config_src src;
		struct diag_list dl = { 0 };
		assert_int_equal(config_src_parse(&src, "t.json", cases[i].text, &dl), 0);
		char got[512] = "";
		for (size_t k = 0; k < src.n_dups; k++) {
			const struct cfg_dup *d = &src.dups[k];
			char one[128];
			snprintf(one, sizeof(one), "%s%s|%s|%d:%d|%d:%d", k ? ";" : "", d->obj_path, d->key, d->line1,
				 d->col1, d->line2, d->col2);
			strcat(got, one);
		}
		assert_string_equal(got, cases[i].want);
		config_src_free(&src);
		diag_list_free(&dl);
	}
}

/* A used member twice is an error (claimed), an unread one is left to config_report_duplicates (a warning). */
static void used_duplicates_are_errors_the_rest_warnings(void **state)
{
	(void)state;
	struct config_src src;
	struct diag_list dl = { 0 };
	assert_int_equal(config_src_parse(&src, "t.json",
					  "{\"name\": \"a\", \"raid_level\": \"single\", \"raid_level\": \"mirror\","
					  " \"note\": 1, \"note\": 2}", &dl), 0);
	json_t *pool = src.root;
	assert_int_equal(cfg_check_members(&src, pool, "", CFG_ZFS_POOL, &dl), 1);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 1);
	assert_string_equal(dl.v[dl.n - 1].msg, "member 'raid_level' is given twice (at 1:15 and 1:39)");
	size_t warns = diag_count(&dl, DIAG_WARNING); /* 'note' is unknown */
	assert_int_equal(warns, 1);
	config_report_duplicates(&src, &dl);
	assert_int_equal(diag_count(&dl, DIAG_WARNING), warns + 1);
	assert_string_equal(dl.v[dl.n - 1].msg, "member 'note' is given twice (at 1:63 and 1:74); the last one counts");
	config_report_duplicates(&src, &dl); /* once only */
	assert_int_equal(diag_count(&dl, DIAG_WARNING), warns + 1);
	config_src_free(&src);
	diag_list_free(&dl);
}

/* A used member twice with the same value: nothing to guess, a warning and no error. */
static void used_duplicates_with_the_same_value_are_warnings(void **state)
{
	(void)state;
	struct config_src src;
	struct diag_list dl = { 0 };
	assert_int_equal(config_src_parse(&src, "t.json", "{\"disks\": [\"/a\", \"/b\"], \"disks\": [ \"/a\",\"/b\" ]}",
					  &dl), 0);
	assert_int_equal(cfg_check_members(&src, src.root, "", CFG_ZFS_POOL, &dl), 0);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 0);
	assert_int_equal(diag_count(&dl, DIAG_WARNING), 1);
	assert_string_equal(dl.v[0].msg, "member 'disks' is given twice with the same value (at 1:2 and 1:25)");
	config_src_free(&src);
	diag_list_free(&dl);
}

/* Unknown members: the nearest used or known name, or the list of used ones; known ones are silent. */
static void unknown_members_get_the_nearest_name(void **state)
{
	(void)state;
	static const struct { enum cfg_kind kind; const char *key, *hint; } cases[] = {
		{ CFG_ZFS_DATASET, "propertis", "did you mean 'properties'?" },
		{ CFG_ZFS_POOL, "ashfit", "did you mean 'ashift'?" },
		{ CFG_ZFS_DATASET, "mountpont", "did you mean 'mountpoint'?" },
		{ CFG_ZFS_SETTINGS, "zzz", "the members this tool reads in zfs.settings: allow_destructive_operations" },
		{ CFG_CONTAINER, "memory_mb", NULL },  /* known, not read: silent */
		{ CFG_CONTAINER, "memroy_mb", "did you mean 'memory_mb'?" },
		{ CFG_NFS_EXPORT, "proxmox", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *o = json_object();
		json_object_set_new(o, cases[i].key, json_true());
		struct config_src src = { 0 };
		struct diag_list dl = { 0 };
		cfg_check_members(&src, o, "x", cases[i].kind, &dl);
		if (!cases[i].hint) {
			assert_int_equal(dl.n, 0);
		} else {
			assert_int_equal(dl.n, 1);
			assert_int_equal(dl.v[0].level, DIAG_WARNING);
			assert_string_equal(dl.v[0].hint, cases[i].hint);
		}
		json_decref(o);
		diag_list_free(&dl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edit_distance_counts_a_swap_as_one),
		cmocka_unit_test(duplicates_are_found_with_both_positions),
		cmocka_unit_test(used_duplicates_are_errors_the_rest_warnings),
		cmocka_unit_test(used_duplicates_with_the_same_value_are_warnings),
		cmocka_unit_test(unknown_members_get_the_nearest_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
