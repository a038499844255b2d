/* Unit tests: the ZFS planner (pure: config + recorded state -> ordered actions) and config checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/ctx.h"
#include "config/zfs_config.h"
#include "plan/zfs_plan.h"
#include "state/zfs_state.h"

struct fixture {
	struct ph_ctx ctx;
	struct zfs_config cfg;
	struct zfs_state st;
	struct zfs_facts facts;
	struct strvec strings;
	struct diag_list dl;
	struct plan plan;
};

static const char *fuse_caps =
	"\tPROPERTY       EDIT  INHERIT   VALUES\n\n"
	"\tcompression     YES      YES   on | off | lzjb | gzip | gzip-[1-9] | zle\n"
	"\trecordsize      YES      YES   512 to 128k, power of 2\n"
	"\tquota           YES       NO   <size> | none\n"
	"\tatime           YES      YES   on | off\n"
	"\tmountpoint      YES      YES   <path> | legacy | none\n";

/* Loads config text and state (zfs get text + zpool status text) into a fresh fixture. */
static struct fixture *setup_fx(const char *json, const char *get, const char *status)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(config_src_parse(&f->ctx.main, "test.json", json, &f->dl), 0);
	zfs_config_load(&f->ctx.main, &f->cfg, &f->dl);
	assert_int_equal(diag_count(&f->dl, DIAG_ERROR), 0);
	zfs_parse_caps(fuse_caps, &f->st.caps);
	if (status)
		zpool_parse_status(status, &f->st, false, &f->dl);
	if (get)
		zfs_parse_get(get, &f->st, &f->dl);
	f->ctx.zcfg = &f->cfg;
	f->ctx.zst = &f->st;
	f->ctx.root = "";
	f->ctx.strings = &f->strings;
	return f;
}

static void teardown_fx(struct fixture *f)
{
	plan_free(&f->plan);
	zfs_config_free(&f->cfg);
	zfs_state_free(&f->st);
	zfs_facts_free(&f->facts);
	config_src_free(&f->ctx.main);
	sv_free(&f->strings);
	sv_free(&f->ctx.allow_wipe);
	diag_list_free(&f->dl);
	free(f);
}

static void add_disk_fact(struct fixture *f, const char *disk, const char *signature)
{
	f->facts.disks = realloc(f->facts.disks, (f->facts.n_disks + 1) * sizeof(*f->facts.disks));
	struct zfs_disk_fact *d = &f->facts.disks[f->facts.n_disks++];
	memset(d, 0, sizeof(*d));
	d->disk = strdup(disk);
	d->probe.exists = true;
	d->probe.signature = signature ? strdup(signature) : NULL;
}

static const char *status_tank =
	"  pool: tank\n state: ONLINE\nconfig:\n\n"
	"\tNAME        STATE     READ WRITE CKSUM\n"
	"\ttank        ONLINE       0     0     0\n"
	"\t  /d/a      ONLINE       0     0     0\n\n"
	"errors: No known data errors\n";

static const struct action *find_action(const struct plan *p, const char *kind, const char *target, size_t *idx)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].kind, kind) && !strcmp(p->v[i].target, target)) {
			if (idx)
				*idx = i;
			return &p->v[i];
		}
	return NULL;
}

static bool has_diag(const struct diag_list *dl, enum diag_level lvl, const char *part)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i].level == lvl && strstr(dl->v[i].msg, part))
			return true;
	return false;
}

static void plan_creates_parent_before_child(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
		"\"datasets\":[{\"name\":\"a/b/c\",\"pool\":\"tank\"},{\"name\":\"a/b\",\"pool\":\"tank\"},"
		"{\"name\":\"a\",\"pool\":\"tank\",\"properties\":\"quota=1G\"}]}}",
		"tank\ttype\tfilesystem\t-\ntank\tmountpoint\t/tank\tdefault\n", status_tank);
	zfs_plan_build(&f->ctx, &f->facts, &f->plan);
	plan_sort(&f->plan);
	size_t ia, ib, ic;
	assert_non_null(find_action(&f->plan, "create-dataset", "tank/a", &ia));
	assert_non_null(find_action(&f->plan, "create-dataset", "tank/a/b", &ib));
	assert_non_null(find_action(&f->plan, "create-dataset", "tank/a/b/c", &ic));
	assert_true(ia < ib && ib < ic);
	const struct action *a = &f->plan.v[ia];
	assert_string_equal(a->summary, "create dataset tank/a (quota=1G)");
	const char *want[] = { "zfs", "create", "-o", "phoenix:managed=true", "-o", "quota=1073741824", "tank/a", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(a->cmds[0].v[i], want[i]);
	assert_null(a->cmds[0].v[7]);
	teardown_fx(f);
}

static void plan_sets_only_properties_that_differ(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
		"\"datasets\":[{\"name\":\"d\",\"pool\":\"tank\",\"properties\":\"quota=1.4T,recordsize=128K,compression=on\"}]}}",
		"tank\ttype\tfilesystem\t-\n"
		"tank/d\ttype\tfilesystem\t-\n"
		"tank/d\tquota\t1539316278886\tlocal\n"
		"tank/d\trecordsize\t16384\tlocal\n"
		"tank/d\tcompression\ton\tinherited from tank\n"
		"tank/d\tatime\toff\tlocal\n"
		"tank/d\tphoenix:managed\ttrue\tlocal\n",
		status_tank);
	zfs_plan_build(&f->ctx, &f->facts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	assert_string_equal(f->plan.v[0].kind, "set-property");
	assert_string_equal(f->plan.v[0].summary, "tank/d recordsize 16K -> 128K");
	assert_string_equal(f->plan.v[0].cmds[0].v[2], "recordsize=131072");
	teardown_fx(f);
}

static void unsupported_compression_is_a_plan_error(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
		"\"datasets\":[{\"name\":\"d\",\"pool\":\"tank\",\"properties\":\"compression=zstd,sync=always\"}]}}",
		"tank\ttype\tfilesystem\t-\n", status_tank);
	zfs_plan_build(&f->ctx, &f->facts, &f->plan);
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR, "dataset 'tank/d': compression 'zstd' is not supported by this ZFS"));
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR, "dataset 'tank/d': this ZFS does not support the property 'sync'"));
	teardown_fx(f);
}

static void signature_blocks_pool_unless_wipe_allowed(void **state)
{
	(void)state;
	const char *cfg = "{\"zfs\":{\"pools\":[{\"name\":\"new\",\"raid_level\":\"mirror\",\"disks\":[\"/d/x\",\"/d/y\"]}]}}";
	struct fixture *f = setup_fx(cfg, NULL, NULL);
	add_disk_fact(f, "/d/x", "gpt partition table");
	add_disk_fact(f, "/d/y", NULL);
	zfs_plan_build(&f->ctx, &f->facts, &f->plan);
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR, "cannot create pool 'new': disk '/d/x' is not empty (gpt partition table found)"));
	assert_null(find_action(&f->plan, "wipe-disk", "/d/x", NULL));
	teardown_fx(f);

	f = setup_fx(cfg, NULL, NULL);
	add_disk_fact(f, "/d/x", "gpt partition table");
	add_disk_fact(f, "/d/y", NULL);
	sv_push(&f->ctx.allow_wipe, "/d/x");
	zfs_plan_build(&f->ctx, &f->facts, &f->plan);
	plan_sort(&f->plan);
	assert_int_equal(diag_count(&f->plan.diags, DIAG_ERROR), 0);
	size_t iw, ic;
	const struct action *w = find_action(&f->plan, "wipe-disk", "/d/x", &iw);
	assert_non_null(w);
	assert_true(w->destructive);
	const struct action *c = find_action(&f->plan, "create-pool", "new", &ic);
	assert_true(iw < ic);
	const char *want[] = { "zpool", "create", "-f", "-o", "ashift=12", "new", "mirror", "/d/x", "/d/y", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(c->cmds[0].v[i], want[i]);
	assert_null(find_action(&f->plan, "wipe-disk", "/d/y", NULL));
	teardown_fx(f);
}

static void existing_pool_layout_drift_is_reported_not_fixed(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"]}]}}",
		"tank\ttype\tfilesystem\t-\n", status_tank);
	zfs_plan_build(&f->ctx, &f->facts, &f->plan);
	assert_int_equal(f->plan.n, 0);
	assert_true(has_diag(&f->plan.diags, DIAG_WARNING, "pool 'tank' drifted from the config: its layout is stripe, the config says mirror"));
	assert_true(has_diag(&f->plan.diags, DIAG_WARNING, "disks not in the pool: '/d/b'"));
	teardown_fx(f);
}

static void unmanaged_datasets_are_listed_only(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}]}}",
		"tank\ttype\tfilesystem\t-\ntank/mine\ttype\tfilesystem\t-\n"
		"tank/old\ttype\tfilesystem\t-\ntank/old\tphoenix:managed\ttrue\tlocal\n", status_tank);
	zfs_plan_build(&f->ctx, &f->facts, &f->plan);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.unmanaged.n, 2);
	assert_string_equal(f->plan.unmanaged.v[0], "tank/mine");
	assert_non_null(strstr(f->plan.unmanaged.v[1], "tank/old (marked phoenix:managed but no longer in the config"));
	teardown_fx(f);
}

static void plan_is_deterministic(void **state)
{
	(void)state;
	const char *cfg = "{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
			  "\"datasets\":[{\"name\":\"z\",\"pool\":\"tank\"},{\"name\":\"y/x\",\"pool\":\"tank\"},"
			  "{\"name\":\"y\",\"pool\":\"tank\",\"properties\":{\"atime\":false}}]}}";
	char *first = NULL;
	for (int round = 0; round < 2; round++) {
		struct fixture *f = setup_fx(cfg, "tank\ttype\tfilesystem\t-\n", status_tank);
		zfs_plan_build(&f->ctx, &f->facts, &f->plan);
		plan_sort(&f->plan);
		json_t *j = plan_to_json(&f->plan);
		char *s = json_dumps(j, JSON_SORT_KEYS);
		json_decref(j);
		if (!first)
			first = s;
		else {
			assert_string_equal(first, s);
			free(s);
		}
		teardown_fx(f);
	}
	assert_non_null(strstr(first, "atime=off"));
	free(first);
}

static void arc_line_is_merged_into_modprobe_file(void **state)
{
	(void)state;
	char *s = zfs_arc_modprobe_text(NULL, 1024);
	assert_string_equal(s, "options zfs zfs_arc_max=1024\n");
	free(s);
	s = zfs_arc_modprobe_text("# keep\noptions zfs zfs_arc_max=5 zfs_arc_min=1\nblacklist x\n", 1024);
	assert_string_equal(s, "# keep\noptions zfs zfs_arc_max=1024 zfs_arc_min=1\nblacklist x\n");
	free(s);
	s = zfs_arc_modprobe_text("options zfs l2arc_noprefetch=0", 7);
	assert_string_equal(s, "options zfs l2arc_noprefetch=0 zfs_arc_max=7\n");
	free(s);
}

static void path_maps_to_deepest_managed_dataset(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"],\"mountpoint\":\"/srv/tank\"}],"
		"\"datasets\":[{\"name\":\"shared\",\"pool\":\"tank\"},{\"name\":\"shared/iso\",\"pool\":\"tank\"},"
		"{\"name\":\"elsewhere\",\"pool\":\"tank\",\"mountpoint\":\"/mnt/pve/x\"}]}}",
		"tank\ttype\tfilesystem\t-\ntank\tmountpoint\t/srv/tank\tlocal\n"
		"tank/shared\ttype\tfilesystem\t-\ntank/shared\tmountpoint\t/srv/tank/shared\tinherited from tank\n"
		"tank/shared\tmounted\tyes\t-\n", status_tank);
	const char *mp = NULL;
	bool mounted = true;
	assert_string_equal(zfs_dataset_for_path(&f->ctx, "/srv/tank/shared/iso/t", &mp, &mounted), "tank/shared/iso");
	assert_string_equal(mp, "/srv/tank/shared/iso");
	assert_false(mounted); /* to be created by the plan */
	assert_string_equal(zfs_dataset_for_path(&f->ctx, "/srv/tank/shared/x", &mp, &mounted), "tank/shared");
	assert_true(mounted);
	assert_string_equal(zfs_dataset_for_path(&f->ctx, "/mnt/pve/x/101", &mp, &mounted), "tank/elsewhere");
	assert_null(zfs_dataset_for_path(&f->ctx, "/srv/tankx", &mp, &mounted));
	assert_null(zfs_dataset_for_path(&f->ctx, "/mnt/pve/quickOS/x", &mp, &mounted));
	teardown_fx(f);
}

static void locate_finds_nested_json_paths(void **state)
{
	(void)state;
	const char *text = "{\n  \"a\": [\n    {\"b\": 1},\n    {\"b\": \"x,y\", \"c\": {\"d\": true}}\n  ]\n}\n";
	int line, col;
	assert_int_equal(config_locate(text, "a[1].c.d", &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 29);
	assert_int_equal(config_locate(text, "a[1].b", &line, &col), 0);
	assert_int_equal(col, 11);
	/* a missing member points at its deepest existing parent */
	assert_int_equal(config_locate(text, "a[0].zz", &line, &col), -1);
	assert_int_equal(line, 3);
	assert_int_equal(col, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_creates_parent_before_child),
		cmocka_unit_test(plan_sets_only_properties_that_differ),
		cmocka_unit_test(unsupported_compression_is_a_plan_error),
		cmocka_unit_test(signature_blocks_pool_unless_wipe_allowed),
		cmocka_unit_test(existing_pool_layout_drift_is_reported_not_fixed),
		cmocka_unit_test(unmanaged_datasets_are_listed_only),
		cmocka_unit_test(plan_is_deterministic),
		cmocka_unit_test(arc_line_is_merged_into_modprobe_file),
		cmocka_unit_test(path_maps_to_deepest_managed_dataset),
		cmocka_unit_test(locate_finds_nested_json_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
