/* Unit tests: pool layouts as data: the plan line and zpool argv of a layout, its comparison with zpool status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/zfs_config.h"
#include "plan/zfs_plan.h"
#include "plan/zfs_topo.h"
#include "state/zfs_state.h"

/* A config of one pool "tank" whose members (the layout) are given as JSON text. */
static void load_pool(const char *members, struct config_src *src, struct zfs_config *cfg, struct diag_list *dl)
{
	char *json = xasprintf("{\"zfs\":{\"pools\":[{\"name\":\"tank\",%s}]}}", members);
	assert_int_equal(config_src_parse(src, "test.json", json, dl), 0);
	free(json);
	zfs_config_load(src, cfg, dl);
	for (size_t i = 0; i < dl->n; i++)
		print_message("unexpected diagnostic: %s\n", dl->v[i].msg);
	assert_int_equal(dl->n, 0);
	assert_int_equal(cfg->n_pools, 1);
}

static const struct {
	const char *members;
	const char *line;   /* zfs_layout_describe */
	const char *argv;   /* zfs_layout_argv, words joined by spaces */
} layouts[] = {
	{ "\"raid_level\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"]", "mirror: /d/a, /d/b", "mirror /d/a /d/b" },
	{ "\"raid_level\":\"single\",\"disks\":[\"/d/a\"]", "stripe: /d/a", "/d/a" },
	{ "\"raid_level\":\"raidz\",\"disks\":[\"/d/a\",\"/d/b\",\"/d/c\"]", "raidz1: /d/a, /d/b, /d/c",
	  "raidz1 /d/a /d/b /d/c" },
	{ "\"vdevs\":[{\"type\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"]},{\"type\":\"mirror\",\"disks\":[\"/d/c\",\"/d/d\"]}],"
	  "\"log\":[{\"type\":\"mirror\",\"disks\":[\"/d/e\",\"/d/f\"]}],\"cache\":[{\"type\":\"stripe\",\"disks\":[\"/d/g\"]}],"
	  "\"special\":[{\"type\":\"mirror\",\"disks\":[\"/d/h\",\"/d/i\"]}],\"spares\":[\"/d/j\"]",
	  "2 x mirror: /d/a, /d/b | /d/c, /d/d; log mirror: /d/e, /d/f; cache: /d/g; special mirror: /d/h, /d/i; spare: /d/j",
	  "mirror /d/a /d/b mirror /d/c /d/d log mirror /d/e /d/f cache /d/g special mirror /d/h /d/i spare /d/j" },
	{ "\"vdevs\":[{\"type\":\"stripe\",\"disks\":[\"/d/a\",\"/d/b\"]},{\"type\":\"stripe\",\"disks\":[\"/d/c\"]}]",
	  "stripe: /d/a, /d/b, /d/c", "/d/a /d/b /d/c" },
	{ "\"vdevs\":[{\"type\":\"raidz2\",\"disks\":[\"/d/a\",\"/d/b\",\"/d/c\"]},"
	  "{\"type\":\"raidz2\",\"disks\":[\"/d/d\",\"/d/e\",\"/d/f\"]}],\"spares\":[\"/d/j\",\"/d/k\"]",
	  "2 x raidz2: /d/a, /d/b, /d/c | /d/d, /d/e, /d/f; spare: /d/j, /d/k",
	  "raidz2 /d/a /d/b /d/c raidz2 /d/d /d/e /d/f spare /d/j /d/k" },
	{ "\"raid_level\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"],\"log\":[{\"type\":\"stripe\",\"disks\":[\"/d/e\",\"/d/f\"]}],"
	  "\"cache\":[{\"type\":\"stripe\",\"disks\":[\"/d/g\",\"/d/h\"]}]",
	  "mirror: /d/a, /d/b; log: /d/e, /d/f; cache: /d/g, /d/h", "mirror /d/a /d/b log /d/e /d/f cache /d/g /d/h" },
	{ "\"raid_level\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"],"
	  "\"log\":[{\"type\":\"mirror\",\"disks\":[\"/d/e\",\"/d/f\"]},{\"type\":\"mirror\",\"disks\":[\"/d/g\",\"/d/h\"]}]",
	  "mirror: /d/a, /d/b; log 2 x mirror: /d/e, /d/f | /d/g, /d/h",
	  "mirror /d/a /d/b log mirror /d/e /d/f mirror /d/g /d/h" },
};

static void layout_line_and_argv_name_every_vdev(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		struct config_src src = { 0 };
		struct zfs_config cfg = { 0 };
		struct diag_list dl = { 0 };
		load_pool(layouts[i].members, &src, &cfg, &dl);
		const struct zcfg_pool *pc = &cfg.pools[0];
		char *line = zfs_layout_describe(pc, 0, pc->n_vdevs);
		assert_string_equal(line, layouts[i].line);
		struct strvec argv = { 0 };
		zfs_layout_argv(pc, 0, pc->n_vdevs, &argv);
		char *words = sv_join(&argv, " ");
		assert_string_equal(words, layouts[i].argv);
		free(words);
		sv_free(&argv);
		free(line);
		zfs_config_free(&cfg);
		config_src_free(&src);
		diag_list_free(&dl);
	}
}

/* zpool status text of pool tank with the given config lines (each "\t..." already). */
#define STATUS(lines) \
	"  pool: tank\n state: ONLINE\nconfig:\n\n\tNAME        STATE     READ WRITE CKSUM\n" \
	"\ttank        ONLINE       0     0     0\n" lines "\nerrors: No known data errors\n"

static const char *state_name(enum topo_state s)
{
	return s == TOPO_SAME ? "same" : s == TOPO_MISSING ? "missing" : "different";
}

/* The comparison as text: one line per wanted vdev, then the pool's vdevs the config does not list. */
static char *compare_model(const struct zcfg_pool *pc, const struct zpool *zp)
{
	static const struct disk_id none;
	const struct disk_id **ids = calloc(pc->n_disks + 1, sizeof(*ids));
	for (size_t k = 0; k < pc->n_disks; k++)
		ids[k] = &none;
	struct topo_cmp c;
	zfs_topo_compare(pc, ids, zp, &c);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < c.n_want; i++) {
		char *d = zfs_topo_want_describe(pc, &c.want[i]);
		sb_addf(&sb, "%s %s\n", state_name(c.want[i].state), d);
		free(d);
	}
	for (size_t i = 0; i < c.n_have; i++) {
		if (c.have[i].wanted)
			continue;
		char *d = zfs_topo_have_describe(&c.have[i]);
		sb_addf(&sb, "unlisted %s\n", d);
		free(d);
	}
	zfs_topo_free(&c);
	free(ids);
	return sb_detach(&sb);
}

static const char raid10_members[] =
	"\"vdevs\":[{\"type\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"]},{\"type\":\"mirror\",\"disks\":[\"/d/c\",\"/d/d\"]}],"
	"\"log\":[{\"type\":\"mirror\",\"disks\":[\"/d/e\",\"/d/f\"]}],\"spares\":[\"/d/j\"]";

static const struct {
	const char *members;
	const char *status;
	const char *model;
} comparisons[] = {
	/* The pool is the config. */
	{ raid10_members,
	  STATUS("\t  mirror-0  ONLINE 0 0 0\n\t    /d/a  ONLINE 0 0 0\n\t    /d/b  ONLINE 0 0 0\n"
		 "\t  mirror-1  ONLINE 0 0 0\n\t    /d/c  ONLINE 0 0 0\n\t    /d/d  ONLINE 0 0 0\n"
		 "\tlogs\n\t  mirror-2  ONLINE 0 0 0\n\t    /d/e  ONLINE 0 0 0\n\t    /d/f  ONLINE 0 0 0\n"
		 "\tspares\n\t  /d/j      AVAIL\n"),
	  "same mirror: /d/a, /d/b\nsame mirror: /d/c, /d/d\nsame log mirror: /d/e, /d/f\nsame spare: /d/j\n" },
	/* A spare in use sits under the mirror it replaces: still the same layout. */
	{ raid10_members,
	  STATUS("\t  mirror-0  DEGRADED 0 0 0\n\t    /d/a  ONLINE 0 0 0\n\t    spare-1  DEGRADED 0 0 0\n"
		 "\t      /d/b  UNAVAIL 0 0 0\n\t      /d/j  ONLINE 0 0 0\n"
		 "\t  mirror-1  ONLINE 0 0 0\n\t    /d/c  ONLINE 0 0 0\n\t    /d/d  ONLINE 0 0 0\n"
		 "\tlogs\n\t  mirror-2  ONLINE 0 0 0\n\t    /d/e  ONLINE 0 0 0\n\t    /d/f  ONLINE 0 0 0\n"
		 "\tspares\n\t  /d/j      INUSE     currently in use\n"),
	  "same mirror: /d/a, /d/b\nsame mirror: /d/c, /d/d\nsame log mirror: /d/e, /d/f\nsame spare: /d/j\n" },
	/* The second mirror, the log and the spare are not there yet. */
	{ raid10_members, STATUS("\t  mirror-0  ONLINE 0 0 0\n\t    /d/a  ONLINE 0 0 0\n\t    /d/b  ONLINE 0 0 0\n"),
	  "same mirror: /d/a, /d/b\nmissing mirror: /d/c, /d/d\nmissing log mirror: /d/e, /d/f\nmissing spare: /d/j\n" },
	/* A single log where the config mirrors it; a spare the config does not know. */
	{ "\"raid_level\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"],\"log\":[{\"type\":\"mirror\",\"disks\":[\"/d/e\",\"/d/f\"]}]",
	  STATUS("\t  mirror-0  ONLINE 0 0 0\n\t    /d/a  ONLINE 0 0 0\n\t    /d/b  ONLINE 0 0 0\n"
		 "\tlogs\n\t  /d/e      ONLINE 0 0 0\n\tspares\n\t  /d/k      AVAIL\n"),
	  "same mirror: /d/a, /d/b\ndifferent log mirror: /d/e, /d/f\nunlisted spare: /d/k\n" },
	/* The config mirrors what the pool stripes. */
	{ "\"raid_level\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"]", STATUS("\t  /d/a      ONLINE 0 0 0\n"),
	  "different mirror: /d/a, /d/b\n" },
	/* A stripe of two where the pool has one disk: one same, one missing. */
	{ "\"vdevs\":[{\"type\":\"stripe\",\"disks\":[\"/d/a\",\"/d/b\"]}]", STATUS("\t  /d/a      ONLINE 0 0 0\n"),
	  "same stripe: /d/a\nmissing stripe: /d/b\n" },
	/* A disk the config has as a spare serves as a data disk: different, never "same". */
	{ "\"raid_level\":\"single\",\"disks\":[\"/d/a\"],\"spares\":[\"/d/b\"]",
	  STATUS("\t  /d/a      ONLINE 0 0 0\n\t  /d/b      ONLINE 0 0 0\n"),
	  "same stripe: /d/a\ndifferent spare: /d/b\n" },
	/* A raidz2 of the pool where the config says raidz1 over the same disks. */
	{ "\"raid_level\":\"raidz1\",\"disks\":[\"/d/a\",\"/d/b\",\"/d/c\"]",
	  STATUS("\t  raidz2-0  ONLINE 0 0 0\n\t    /d/a  ONLINE 0 0 0\n\t    /d/b  ONLINE 0 0 0\n\t    /d/c  ONLINE 0 0 0\n"),
	  "different raidz1: /d/a, /d/b, /d/c\n" },
	/* Cache devices the config does not list. */
	{ "\"raid_level\":\"single\",\"disks\":[\"/d/a\"]",
	  STATUS("\t  /d/a      ONLINE 0 0 0\n\tcache\n\t  /d/g      ONLINE 0 0 0\n"), "same stripe: /d/a\nunlisted cache: /d/g\n" },
};

static void layout_comparison_matches_vdev_by_vdev(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(comparisons) / sizeof(comparisons[0]); i++) {
		struct config_src src = { 0 };
		struct zfs_config cfg = { 0 };
		struct diag_list dl = { 0 };
		struct zfs_state st = { 0 };
		load_pool(comparisons[i].members, &src, &cfg, &dl);
		assert_int_equal(zpool_parse_status(comparisons[i].status, &st, false, &dl), 0);
		assert_int_equal(st.n_pools, 1);
		char *model = compare_model(&cfg.pools[0], &st.pools[0]);
		if (strcmp(model, comparisons[i].model))
			print_message("case %zu:\n%s", i, model);
		assert_string_equal(model, comparisons[i].model);
		free(model);
		zfs_state_free(&st);
		zfs_config_free(&cfg);
		config_src_free(&src);
		diag_list_free(&dl);
	}
}

/* The planner on an existing pool that lacks a data vdev: a warning without --allow-grow-pool, zpool add with it. */
static void missing_data_vdev_is_added_only_when_growing_is_allowed(void **state)
{
	(void)state;
	for (int grow = 0; grow < 2; grow++) {
		struct config_src src = { 0 };
		struct zfs_config cfg = { 0 };
		struct diag_list dl = { 0 };
		struct zfs_state st = { 0 };
		struct zfs_facts facts = { 0 };
		struct strvec wipe = { 0 };
		struct plan p = { 0 };
		load_pool("\"vdevs\":[{\"type\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"]},"
			  "{\"type\":\"mirror\",\"disks\":[\"/d/c\",\"/d/d\"]}]",
			  &src, &cfg, &dl);
		zpool_parse_status(STATUS("\t  mirror-0  ONLINE 0 0 0\n\t    /d/a  ONLINE 0 0 0\n\t    /d/b  ONLINE 0 0 0\n"),
				   &st, false, &dl);
		const char *disks[] = { "/d/a", "/d/b", "/d/c", "/d/d" };
		facts.disks = calloc(4, sizeof(*facts.disks));
		for (size_t k = 0; k < 4; k++) {
			facts.disks[k].disk = strdup(disks[k]);
			facts.disks[k].probe.exists = true;
		}
		facts.n_disks = 4;
		struct zfs_plan_in in = { .cfg = &cfg, .st = &st, .facts = &facts, .root = "", .allow_wipe = &wipe,
					  .allow_grow = grow };
		zfs_plan_build(&in, &p);
		const struct action *a = NULL;
		for (size_t i = 0; i < p.n; i++)
			if (!strcmp(p.v[i].kind, "add-vdev"))
				a = &p.v[i];
		bool warned = false;
		for (size_t i = 0; i < p.diags.n; i++)
			warned |= p.diags.v[i].level == DIAG_WARNING &&
				  !strcmp(p.diags.v[i].msg, "pool 'tank' lacks the config's mirror: /d/c, /d/d");
		if (!grow) {
			assert_null(a);
			assert_true(warned);
		} else {
			assert_non_null(a);
			assert_false(warned);
			assert_string_equal(a->summary, "add vdev mirror: /d/c, /d/d to pool tank");
			assert_int_equal(a->n_cmds, 1);
			char *words = sv_join(&a->cmds[0], " ");
			assert_string_equal(words, "zpool add tank mirror /d/c /d/d");
			free(words);
		}
		plan_free(&p);
		zfs_facts_free(&facts);
		zfs_state_free(&st);
		zfs_config_free(&cfg);
		config_src_free(&src);
		diag_list_free(&dl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout_line_and_argv_name_every_vdev),
		cmocka_unit_test(layout_comparison_matches_vdev_by_vdev),
		cmocka_unit_test(missing_data_vdev_is_added_only_when_growing_is_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
