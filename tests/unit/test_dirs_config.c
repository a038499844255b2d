/* dirs_config and the mount-before-use check: sources, id mapping, merging, messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/dirs_config.h"
#include "config/lxc_config.h"
#include "config/zfs_config.h"
#include "plan/dirs_plan.h"
#include "plan/mounts.h"
#include "state/zfs_state.h"
#include "util/strbuf.h"

static void src_from(struct config_src *src, const char *name, const char *json)
{
	memset(src, 0, sizeof(*src));
	src->path = strdup(name);
	src->text = strdup(json);
	src->len = strlen(json);
	json_error_t je;
	src->root = json_loads(json, 0, &je);
	assert_non_null(src->root);
}

/* The configs of a test and the ZFS view the mount check reads. */
struct fixture {
	struct config_src main, lxc, vm;
	struct config_sources cs;
	struct lxc_config lc;       /* the one reader of lxc_configs and shared_volumes */
	struct zfs_config zcfg;
	struct zfs_view view;
};

static void ctx_init(struct fixture *ctx, const char *main_json, const char *lxc_json)
{
	memset(ctx, 0, sizeof(*ctx));
	src_from(&ctx->main, "main.json", main_json);
	if (lxc_json)
		src_from(&ctx->lxc, "lxc.json", lxc_json);
	ctx->cs = (struct config_sources){ &ctx->main, &ctx->lxc, &ctx->vm };
	struct diag_list dl = { 0 };
	assert_int_equal(lxc_config_load(&ctx->cs, &ctx->lc, &dl), 0);
	zfs_config_load(&ctx->main, &ctx->zcfg, &dl);
	diag_list_free(&dl);
	ctx->view = (struct zfs_view){ .cfg = &ctx->zcfg, .st = NULL, .root = "" };
}

static void ctx_done(struct fixture *ctx)
{
	config_src_free(&ctx->main);
	config_src_free(&ctx->lxc);
	lxc_config_free(&ctx->lc);
	zfs_config_free(&ctx->zcfg);
}

static const struct dir_want *find(const struct dirs_config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->v[i].path, path))
			return &cfg->v[i];
	return NULL;
}

static void modes_and_paths_are_parsed(void **state)
{
	(void)state;
	unsigned m;
	assert_int_equal(dirs_parse_mode("0750", &m), 0);
	assert_int_equal(m, 0750);
	assert_int_equal(dirs_parse_mode("2775", &m), 0);
	assert_int_equal(m, 02775);
	assert_int_equal(dirs_parse_mode("0980", &m), -1);
	assert_int_equal(dirs_parse_mode("07777", &m), -1);
	assert_int_equal(dirs_parse_mode("", &m), -1);
	char *err = NULL;
	char *p = dirs_normalize_path("1001/portainer//data/", "/quickOS/vm-persistent-data", &err);
	assert_string_equal(p, "/quickOS/vm-persistent-data/1001/portainer/data");
	free(p);
	assert_null(dirs_normalize_path("a/../b", "/x", &err));
	assert_string_equal(err, "path 'a/../b' contains '..'");
	free(err);
	assert_null(dirs_normalize_path("a", NULL, &err));
	assert_string_equal(err, "relative path 'a' needs persistent_storage.base");
	free(err);
}

/* The reference container 101: gid 33 passes through, everything else shifts by 100000. */
static void lxc_mount_points_map_through_the_container_id_map(void **state)
{
	(void)state;
	struct fixture ctx;
	ctx_init(&ctx, "{}",
		 "{\"lxc_configs\": {\"101\": {\"unprivileged\": true,"
		 " \"id_maps\": [{\"type\": \"gid\", \"host_id\": 33, \"container_id\": 33, \"size\": 1}],"
		 " \"mount_points\": ["
		 "  {\"host_path\": \"/q/lxc/101/logs\", \"container_path\": \"/var/log/nginx\", \"owner_uid\": 33, \"owner_gid\": 33},"
		 "  {\"host_path\": \"/q/lxc/103/ssl\", \"container_path\": \"/ssl\", \"owner_uid\": 0, \"owner_gid\": 0}]},"
		 " \"103\": {\"unprivileged\": true, \"mount_points\": [{\"host_path\": \"/q/lxc/103/ssl\", \"container_path\": \"/s\"}]},"
		 " \"911\": {\"mount_points\": [{\"host_path\": \"/q/lxc/911\", \"container_path\": \"/d\", \"owner_uid\": 7, \"owner_gid\": 8}]}}}");
	struct dirs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(dirs_config_load(&ctx.cs, &ctx.lc, &cfg, &dl), 0);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 0);
	assert_int_equal(cfg.n, 3);
	const struct dir_want *w = find(&cfg, "/q/lxc/101/logs");
	assert_non_null(w);
	assert_int_equal(w->uid, 100033);
	assert_int_equal(w->gid, 33);
	assert_string_equal(w->uid_note, "uid 33 in CT 101");
	assert_string_equal(w->origin, "lxc 101 mount_points[0]");
	/* Declared by 101 (with owner) and 103 (without): merged, no conflict. */
	w = find(&cfg, "/q/lxc/103/ssl");
	assert_int_equal(w->uid, 100000);
	assert_int_equal(w->gid, 100000);
	/* 911 has no "unprivileged": privileged, ids map 1:1. */
	w = find(&cfg, "/q/lxc/911");
	assert_int_equal(w->uid, 7);
	assert_int_equal(w->gid, 8);
	assert_null(w->uid_note);
	dirs_config_free(&cfg);
	diag_list_free(&dl);
	ctx_done(&ctx);
}

static void unmapped_and_conflicting_owners_are_errors(void **state)
{
	(void)state;
	struct fixture ctx;
	ctx_init(&ctx,
		 "{\"persistent_storage\": {\"directories\": [{\"path\": \"/q/shared\", \"owner\": 0}]}}",
		 "{\"lxc_configs\": {\"101\": {\"unprivileged\": true, \"mount_points\": ["
		 "  {\"host_path\": \"/q/shared\", \"container_path\": \"/s\", \"owner_uid\": 0},"
		 "  {\"host_path\": \"/q/big\", \"container_path\": \"/b\", \"owner_uid\": 70000}]}}}");
	struct dirs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(dirs_config_load(&ctx.cs, &ctx.lc, &cfg, &dl), -1);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 2);
	assert_string_equal(dl.v[0].msg, "conflicting owners for directory '/q/shared': uid 0 "
					  "(persistent_storage.directories[0]) and uid 100000 (lxc 101 mount_points[0])");
	assert_string_equal(dl.v[0].file, "lxc.json");
	assert_string_equal(dl.v[1].msg, "uid 70000 is not mapped in container 101");
	assert_string_equal(dl.v[1].jpath, "lxc_configs.101.mount_points[1].owner_uid");
	dirs_config_free(&cfg);
	diag_list_free(&dl);
	ctx_done(&ctx);
}

static void overlapping_id_maps_are_errors(void **state)
{
	(void)state;
	struct fixture ctx;
	ctx_init(&ctx, "{}",
		 "{\"lxc_configs\": {\"105\": {\"unprivileged\": true,"
		 " \"id_maps\": [{\"type\": \"uid\", \"host_id\": 1, \"container_id\": 0, \"size\": 10},"
		 "              {\"type\": \"uid\", \"host_id\": 50, \"container_id\": 9, \"size\": 1},"
		 "              {\"type\": \"both\", \"host_id\": 1, \"container_id\": 0, \"size\": 1}],"
		 " \"mount_points\": [{\"host_path\": \"/q/x\", \"container_path\": \"/x\", \"owner_uid\": 1}]}}}");
	struct dirs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(dirs_config_load(&ctx.cs, &ctx.lc, &cfg, &dl), -1);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 2);
	assert_string_equal(dl.v[0].msg, "id map entry overlaps an earlier uid entry");
	assert_string_equal(dl.v[0].jpath, "lxc_configs.105.id_maps[1]");
	assert_string_equal(dl.v[1].msg, "invalid id map entry");
	assert_int_equal(cfg.n, 0);
	dirs_config_free(&cfg);
	diag_list_free(&dl);
	ctx_done(&ctx);
}

static void mnt_pve_path_names_the_dataset_and_both_fixes(void **state)
{
	(void)state;
	struct fixture ctx;
	ctx_init(&ctx,
		 "{\"zfs\": {\"pools\": [{\"name\": \"quickOS\", \"raid_level\": \"single\", \"disks\": [\"/dev/x\"]}],"
		 " \"datasets\": [{\"name\": \"lxc-persistent-data\", \"pool\": \"quickOS\"}]}}",
		 NULL);
	const char *ds;
	char *msg, *hint;
	assert_int_equal(dirs_mount_check(&ctx.view, "/mnt/pve/quickOS/lxc-persistent-data/101/logs", "directory", &ds,
					  &msg, &hint), -1);
	assert_string_equal(msg, "directory '/mnt/pve/quickOS/lxc-persistent-data/101/logs' is not on a mounted "
				 "managed ZFS dataset: dataset 'quickOS/lxc-persistent-data' is mounted at "
				 "'/quickOS/lxc-persistent-data'");
	assert_string_equal(hint, "set the mountpoint of dataset 'quickOS/lxc-persistent-data' to "
				  "'/mnt/pve/quickOS/lxc-persistent-data', or change the path to "
				  "'/quickOS/lxc-persistent-data/101/logs'");
	free(msg);
	free(hint);
	/* On the dataset (created by this plan): fine. */
	assert_int_equal(dirs_mount_check(&ctx.view, "/quickOS/lxc-persistent-data/101/logs", "directory", &ds, &msg,
					  &hint), 0);
	assert_string_equal(ds, "quickOS/lxc-persistent-data");
	/* Below a configured pool but no dataset: name the one that should be there. */
	assert_int_equal(dirs_mount_check(&ctx.view, "/quickOS/shared-prod-data", "share path", &ds, &msg, &hint), -1);
	assert_string_equal(msg, "share path '/quickOS/shared-prod-data' is not on a managed ZFS dataset "
				 "(expected dataset 'quickOS/shared-prod-data')");
	free(msg);
	free(hint);
	ctx_done(&ctx);
}

/* The repro of the review's appendix: one bad host_path of a mount point is one error (it used to be two). */
static void a_bad_host_path_is_one_error(void **state)
{
	(void)state;
	struct config_src main_src, lxc_src, vm_src;
	memset(&vm_src, 0, sizeof(vm_src));
	src_from(&main_src, "main.json", "{\"zfs\":{\"pools\":[],\"datasets\":[]}}");
	src_from(&lxc_src, "lxc.json",
		 "{\"lxc_configs\":{\"101\":{\"mount_points\":[{\"host_path\":\"rel/dir\",\"container_path\":\"/data\"}]}}}");
	struct config_sources cs = { &main_src, &lxc_src, &vm_src };
	struct lxc_config lc;
	struct dirs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(lxc_config_load(&cs, &lc, &dl), -1);
	assert_int_equal(dirs_config_load(&cs, &lc, &cfg, &dl), 0);
	assert_int_equal(dl.n, 1);
	assert_string_equal(dl.v[0].file, "lxc.json");
	assert_string_equal(dl.v[0].jpath, "lxc_configs.101.mount_points[0].host_path");
	assert_string_equal(dl.v[0].msg, "host_path 'rel/dir' is not absolute");
	assert_int_equal(lc.n_mounts, 0);
	assert_int_equal(cfg.n, 0);
	dirs_config_free(&cfg);
	lxc_config_free(&lc);
	diag_list_free(&dl);
	config_src_free(&main_src);
	config_src_free(&lxc_src);
}

/* shared_volumes are bind mounts like mount_points: their host directory passes the same guard. */
static void shared_volume_on_an_unmounted_or_unmanaged_path_is_refused(void **state)
{
	(void)state;
	struct fixture ctx;
	ctx_init(&ctx,
		 "{\"zfs\": {\"pools\": [{\"name\": \"tank\", \"raid_level\": \"single\", \"disks\": [\"/d/a\"]}],"
		 " \"datasets\": [{\"name\": \"shared\", \"pool\": \"tank\"}, {\"name\": \"new\", \"pool\": \"tank\"}]},"
		 " \"shared_volumes\": {"
		 "  \"certs\": {\"host_path\": \"/tank/shared/certs\", \"mounts\": {\"101\": \"/certs\", \"102\": \"/certs\"}},"
		 "  \"logs\": {\"host_path\": \"/srv/logs\", \"mounts\": {\"101\": \"/logs\"}},"
		 "  \"models\": {\"host_path\": \"/tank/new/models\", \"mounts\": {\"102\": \"/models\"}}}}",
		 NULL);
	/* tank/shared exists and is not mounted; tank/new does not exist yet (the plan creates it) */
	struct zfs_state st = { 0 };
	struct diag_list sdl = { 0 };
	zfs_parse_get("tank\ttype\tfilesystem\t-\ntank\tmountpoint\t/tank\tdefault\n"
		      "tank/shared\ttype\tfilesystem\t-\ntank/shared\tmountpoint\t/tank/shared\tdefault\n"
		      "tank/shared\tmounted\tno\t-\ntank/shared\tphoenix:managed\ttrue\tlocal\n",
		      NULL, &st, &sdl);
	ctx.view.st = &st;
	struct dirs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(dirs_config_load(&ctx.cs, &ctx.lc, &cfg, &dl), 0);
	assert_int_equal(cfg.n, 3);
	assert_string_equal(find(&cfg, "/tank/shared/certs")->origin, "shared_volumes.certs");
	struct dir_seen *seen = calloc(cfg.n, sizeof(*seen));
	struct plan p = { 0 };
	dirs_plan_build(&ctx.view, &cfg, seen, &p);
	assert_int_equal(diag_count(&p.diags, DIAG_ERROR), 2);
	/* sorted by path: /srv/logs, /tank/new/models, /tank/shared/certs */
	assert_string_equal(p.diags.v[0].jpath, "shared_volumes.logs");
	assert_string_equal(p.diags.v[0].file, "main.json");
	assert_string_equal(p.diags.v[0].msg, "directory '/srv/logs' is not on a managed ZFS dataset");
	assert_string_equal(p.diags.v[1].jpath, "shared_volumes.certs");
	assert_string_equal(p.diags.v[1].msg, "directory '/tank/shared/certs' is on dataset 'tank/shared', which is "
					      "not mounted (mountpoint '/tank/shared')");
	assert_string_equal(p.diags.v[1].hint, "mount it first (zfs mount tank/shared): anything written now would "
					       "land on the filesystem underneath");
	plan_free(&p);
	free(seen);
	dirs_config_free(&cfg);
	diag_list_free(&dl);
	diag_list_free(&sdl);
	zfs_state_free(&st);
	ctx_done(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modes_and_paths_are_parsed),
		cmocka_unit_test(lxc_mount_points_map_through_the_container_id_map),
		cmocka_unit_test(unmapped_and_conflicting_owners_are_errors),
		cmocka_unit_test(overlapping_id_maps_are_errors),
		cmocka_unit_test(mnt_pve_path_names_the_dataset_and_both_fixes),
		cmocka_unit_test(a_bad_host_path_is_one_error),
		cmocka_unit_test(shared_volume_on_an_unmounted_or_unmanaged_path_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
