/*
 * Unit tests: several nodes. The one predicate (on_this_node) and the subset
 * rule as tables; a node's view of the zfs section (what is left out, and
 * the line that says so); a dataset's nodes outside its pool's; the lock id
 * of an /etc/pve file and the cluster lock's directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/zfs_config.h"
#include "util/lock.h"
#include "util/str.h"
#include "util/strbuf.h"

static const struct { const char *nodes, *node; bool on; } on_cases[] = {
	{ NULL, "pve1", true },           /* no list: every node */
	{ NULL, "", true },
	{ "pve1", "pve1", true },
	{ "pve1,pve2", "pve2", true },
	{ "pve1,pve2", "pve1", true },
	{ "pve1,pve2", "pve3", false },
	{ "pve1,pve2", "pve", false },    /* a whole name, never a prefix */
	{ "pve10", "pve1", false },
	{ "pve1", "pve10", false },
	{ "pve1,pve2", "pve1,pve2", false },
	{ "pve1", "", false },            /* a host without a name is on no list */
	{ "pve1", NULL, false },
};

static void on_this_node_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(on_cases) / sizeof(on_cases[0]); i++) {
		bool got = on_this_node(on_cases[i].nodes, on_cases[i].node);
		if (got != on_cases[i].on)
			fail_msg("on_this_node(%s, %s) is %d, expected %d", on_cases[i].nodes ? on_cases[i].nodes : "NULL",
				 on_cases[i].node ? on_cases[i].node : "NULL", got, on_cases[i].on);
	}
}

static const struct { const char *sub, *sup; bool ok; } subset_cases[] = {
	{ NULL, NULL, true },
	{ "pve1", NULL, true },
	{ "pve1,pve2", NULL, true },
	{ NULL, "pve1", false },          /* every node is more than pve1 */
	{ "pve1", "pve1", true },
	{ "pve2", "pve1,pve2", true },
	{ "pve2,pve1", "pve1,pve2", true },
	{ "pve1,pve3", "pve1,pve2", false },
	{ "pve1", "pve10", false },
};

static void nodes_subset_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(subset_cases) / sizeof(subset_cases[0]); i++) {
		bool got = nodes_subset(subset_cases[i].sub, subset_cases[i].sup);
		if (got != subset_cases[i].ok)
			fail_msg("nodes_subset(%s, %s) is %d", subset_cases[i].sub ? subset_cases[i].sub : "NULL",
				 subset_cases[i].sup ? subset_cases[i].sup : "NULL", got);
	}
}

#define CLUSTER "\"cluster\": { \"nodes\": { \"pve1\": { \"address\": \"10.0.0.13\" }, \"pve2\": { \"address\": \"10.0.0.14\" } } }, "

/* Loads text's zfs section; the errors, joined, go to errs (NULL: none expected). */
static void load(const char *text, struct config_src *src, struct zfs_config *all, char **errs)
{
	struct diag_list dl = { 0 };
	assert_int_equal(config_src_parse(src, "c.json", text, &dl), 0);
	int rc = zfs_config_load(src, all, &dl);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < dl.n; i++)
		sb_addf(&sb, "%s: %s\n", dl.v[i].jpath ? dl.v[i].jpath : "", dl.v[i].msg);
	if (!errs && rc)
		fail_msg("unexpected errors: %s", sb.buf);
	if (errs)
		*errs = sb_detach(&sb);
	else
		sb_release(&sb);
	diag_list_free(&dl);
}

static void view_leaves_out_pools_and_datasets_of_other_nodes(void **state)
{
	(void)state;
	struct config_src src = { 0 };
	struct zfs_config all, here;
	load("{ " CLUSTER "\"zfs\": { \"pools\": ["
	     "{ \"name\": \"quickOS\", \"raid_level\": \"single\", \"disks\": [\"/dev/sda\"] },"
	     "{ \"name\": \"fastData\", \"nodes\": [\"pve2\"], \"raid_level\": \"single\", \"disks\": [\"/dev/sdb\"] } ],"
	     " \"datasets\": [ { \"name\": \"a\", \"pool\": \"quickOS\" },"
	     "   { \"name\": \"b\", \"pool\": \"fastData\" },"
	     "   { \"name\": \"c\", \"pool\": \"quickOS\", \"nodes\": [\"pve2\"] },"
	     "   { \"name\": \"c/d\", \"pool\": \"quickOS\" },"
	     "   { \"name\": \"e\", \"pool\": \"quickOS\", \"nodes\": [\"pve1\", \"pve2\"] } ] } }",
	     &src, &all, NULL);
	zfs_config_for_node(&all, "pve1", &here);
	assert_int_equal(here.n_pools, 1);
	assert_string_equal(here.pools[0].name, "quickOS");
	assert_int_equal(here.n_datasets, 2);
	assert_string_equal(here.datasets[0].full, "quickOS/a");
	assert_string_equal(here.datasets[1].full, "quickOS/e");
	assert_non_null(zfs_config_dataset(&here, "quickOS/e"));
	assert_null(zfs_config_dataset(&here, "quickOS/c"));
	assert_int_equal(here.away_lines.n, 2);   /* the pool and quickOS/c; not fastData/b nor quickOS/c/d */
	assert_string_equal(here.away_lines.v[0], "pool fastData is on pve2 only (not this node, pve1)");
	assert_string_equal(here.away_lines.v[1], "dataset quickOS/c is on pve2 only (not this node, pve1)");
	assert_string_equal(zfs_config_away(&here, "fastData/b/x"), "fastData");
	assert_string_equal(zfs_config_away(&here, "quickOS/c/d"), "quickOS/c");
	assert_null(zfs_config_away(&here, "quickOS/a"));
	assert_null(zfs_config_away(&here, "quickOS/cc"));
	assert_string_equal(zfs_config_away_for_path(&here, "/quickOS/c/d/svc"), "quickOS/c");
	assert_string_equal(zfs_config_away_for_path(&here, "/fastData"), "fastData");
	assert_null(zfs_config_away_for_path(&here, "/quickOS/a/svc"));
	assert_null(zfs_config_away_for_path(&here, "/srv/elsewhere"));
	char *why = zfs_config_elsewhere(&here, NULL, "pve1", "/quickOS/c/x");
	assert_string_equal(why, "is on dataset quickOS/c, which is on other nodes (not this node, pve1)");
	free(why);
	why = zfs_config_elsewhere(&here, "pve1,pve2", "pve1", "/quickOS/a");
	assert_null(why);
	why = zfs_config_elsewhere(NULL, "pve2,pve3", "pve1", NULL);
	assert_string_equal(why, "is on pve2, pve3 only (not this node, pve1)");
	free(why);
	zfs_config_free(&here);
	/* the other node has all of it */
	zfs_config_for_node(&all, "pve2", &here);
	assert_int_equal(here.n_pools, 2);
	assert_int_equal(here.n_datasets, 5);
	assert_int_equal(here.away_lines.n, 0);
	zfs_config_free(&here);
	zfs_config_free(&all);
	config_src_free(&src);
}

static const struct { const char *datasets; const char *error; } subset_errors[] = {
	{ "{ \"name\": \"x\", \"pool\": \"p\", \"nodes\": [\"pve2\"] }",
	  "zfs.datasets[0].nodes: a dataset's nodes must be nodes of its pool: 'p' is on pve1 only\n" },
	{ "{ \"name\": \"x\", \"pool\": \"p\", \"nodes\": [\"pve1\"] }", "" },
	{ "{ \"name\": \"x\", \"pool\": \"p\", \"nodes\": [] }", "zfs.datasets[0].nodes: a dataset's nodes must not be empty\n" },
	{ "{ \"name\": \"x\", \"pool\": \"p\", \"nodes\": [\"pve9\"] }", "zfs.datasets[0].nodes[0]: unknown node 'pve9'\n" },
	{ "{ \"name\": \"x\", \"pool\": \"p\", \"nodes\": [\"pve1\", \"pve1\"] }",
	  "zfs.datasets[0].nodes[1]: node 'pve1' is listed twice\n" },
	{ "{ \"name\": \"x\", \"pool\": \"p\", \"nodes\": [\"a b\"] }",
	  "zfs.datasets[0].nodes[0]: a node name must be a string of letters, digits and '-'\n" },
};

static void dataset_nodes_are_checked_against_the_pool_and_the_cluster(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(subset_errors) / sizeof(subset_errors[0]); i++) {
		char *text = xasprintf("{ " CLUSTER "\"zfs\": { \"pools\": [ { \"name\": \"p\", \"nodes\": [\"pve1\"], "
				       "\"raid_level\": \"single\", \"disks\": [\"/dev/sda\"] } ], \"datasets\": [ %s ] } }",
				       subset_errors[i].datasets);
		struct config_src src = { 0 };
		struct zfs_config all;
		char *errs = NULL;
		load(text, &src, &all, &errs);
		assert_string_equal(errs, subset_errors[i].error);
		free(errs);
		zfs_config_free(&all);
		config_src_free(&src);
		free(text);
	}
}

static void without_cluster_nodes_only_the_shape_is_checked(void **state)
{
	(void)state;
	struct config_src src = { 0 };
	struct zfs_config all;
	char *errs = NULL;
	load("{ \"zfs\": { \"pools\": [ { \"name\": \"p\", \"nodes\": [\"pve7\"], \"raid_level\": \"single\", "
	     "\"disks\": [\"/dev/sda\"] } ], \"datasets\": [ { \"name\": \"x\", \"pool\": \"p\", \"nodes\": [7] } ] } }",
	     &src, &all, &errs);
	assert_string_equal(errs, "zfs.datasets[0].nodes[0]: a node name must be a string of letters, digits and '-'\n");
	assert_string_equal(all.pools[0].nodes, "pve7");
	free(errs);
	zfs_config_free(&all);
	config_src_free(&src);
}

static int wrote;
static int write_something(void *arg)
{
	const char *lockdir = arg;
	struct stat sb;
	wrote = stat(lockdir, &sb) == 0 ? 1 : 2;   /* 1: the lock was held while fn ran */
	return 7;
}

static void cluster_lock_is_a_directory_held_while_fn_runs(void **state)
{
	(void)state;
	char *id = cfs_lock_id("storage.cfg");
	assert_string_equal(id, "file-storage_cfg");
	free(id);
	id = cfs_lock_id("/etc/pve/replication.cfg");
	assert_string_equal(id, "file-replication_cfg");
	free(id);
	id = cfs_lock_id("nodes/pve1/lxc.conf");
	assert_string_equal(id, "file-nodes_pve1_lxc_conf");
	free(id);
	char root[] = "/tmp/phoenix-cfs-XXXXXX";
	assert_non_null(mkdtemp(root));
	struct diag_list dl = { 0 };
	/* no priv: no cluster, no lock */
	wrote = 0;
	assert_int_equal(cfs_lock_file(root, "storage.cfg", write_something, (void *)"/nonexistent", &dl), 7);
	assert_int_equal(wrote, 2);
	char *priv = xasprintf("%s/etc/pve/priv", root);
	char *cmd = xasprintf("%s/etc", root);
	assert_int_equal(mkdir(cmd, 0755), 0);
	free(cmd);
	cmd = xasprintf("%s/etc/pve", root);
	assert_int_equal(mkdir(cmd, 0755), 0);
	assert_int_equal(mkdir(priv, 0700), 0);
	char *lock = xasprintf("%s/lock/file-storage_cfg", priv);
	wrote = 0;
	assert_int_equal(cfs_lock_file(root, "storage.cfg", write_something, lock, &dl), 7);
	assert_int_equal(wrote, 1);
	struct stat sb;
	assert_int_not_equal(stat(lock, &sb), 0);   /* released */
	assert_int_equal(dl.n, 0);
	char *lockdir = xasprintf("%s/lock", priv);
	rmdir(lockdir);
	rmdir(priv);
	rmdir(cmd);
	free(cmd);
	cmd = xasprintf("%s/etc", root);
	rmdir(cmd);
	rmdir(root);
	free(cmd);
	free(lockdir);
	free(lock);
	free(priv);
	diag_list_free(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(on_this_node_table),
		cmocka_unit_test(nodes_subset_table),
		cmocka_unit_test(view_leaves_out_pools_and_datasets_of_other_nodes),
		cmocka_unit_test(dataset_nodes_are_checked_against_the_pool_and_the_cluster),
		cmocka_unit_test(without_cluster_nodes_only_the_shape_is_checked),
		cmocka_unit_test(cluster_lock_is_a_directory_held_while_fn_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
