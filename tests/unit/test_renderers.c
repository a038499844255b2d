/*
 * Unit tests: every renderer of a foreign file refuses a value that would
 * break its line (storage.cfg, guest configs, the exports drop-in, ganesha
 * blocks and include lines, the Samba shares file and include line). Each
 * test loads a valid config, then plants a bad value the way a missed
 * validation check would let it through, and expects an error, no text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/nfs_config.h"
#include "config/samba_config.h"
#include "plan/nfs_plan.h"
#include "plan/samba_plan.h"
#include "formats/guest_conf.h"
#include "formats/storage_cfg.h"
#include "state/samba_state.h"
#include "util/strbuf.h"

static const char *const BAD[] = { "x\nnfs: evil", "x\rb", "x\tb", "x\x01y", "x\x7fy" };
#define N_BAD (sizeof(BAD) / sizeof(BAD[0]))

static struct config_src source(const char *json)
{
	struct config_src src;
	struct diag_list dl = { 0 };
	assert_int_equal(config_src_parse(&src, "t.json", json, &dl), 0);
	diag_list_free(&dl);
	return src;
}

static void replace(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

/* ---- storage.cfg ---- */

static void storage_cfg_refuses_control_characters_and_split_words(void **state)
{
	(void)state;
	const char *text = "dir: local\n\tpath /var/lib/vz\n\n";
	struct storage_cfg c;
	storage_cfg_parse(&c, text, strlen(text));
	const char *keys[] = { "server", "export" };
	for (size_t i = 0; i < N_BAD; i++) {
		const char *vals[] = { BAD[i], "/x" };
		assert_int_equal(storage_cfg_add(&c, "nfs", "n1", keys, vals, 2), -EINVAL);
		assert_int_equal(storage_cfg_set(&c, "local", "path", BAD[i]), -EINVAL);
		const char *ok[] = { "10.0.0.1", "/x" };
		assert_int_equal(storage_cfg_add(&c, "nfs", BAD[i], keys, ok, 2), -EINVAL);
	}
	const char *ok[] = { "10.0.0.1", "/x" };
	const char *spaced[] = { "ser ver", "export" };
	assert_int_equal(storage_cfg_add(&c, "nfs", "n1", spaced, ok, 2), -EINVAL);
	assert_int_equal(storage_cfg_add(&c, "nfs x", "n1", keys, ok, 2), -EINVAL);
	assert_int_equal(storage_cfg_add(&c, "nfs", "n 1", keys, ok, 2), -EINVAL);
	assert_int_equal(storage_cfg_set(&c, "local", "pa th", "/x"), -EINVAL);
	/* a word starting with '#' would be written as a comment and read back as nothing (found by tests/fuzz) */
	assert_int_equal(storage_cfg_set(&c, "local", "#path", "/x"), -EINVAL);
	assert_int_equal(storage_cfg_add(&c, "#nfs", "n1", keys, ok, 2), -EINVAL);
	char *out = storage_cfg_serialize(&c);
	assert_string_equal(out, text);   /* nothing was written */
	free(out);
	/* good values still go in */
	assert_int_equal(storage_cfg_add(&c, "nfs", "n1", keys, ok, 2), 0);
	assert_int_equal(storage_cfg_set(&c, "local", "content", "iso"), 0);
	out = storage_cfg_serialize(&c);
	assert_string_equal(out, "dir: local\n\tpath /var/lib/vz\n\tcontent iso\n\nnfs: n1\n\tserver 10.0.0.1\n\texport /x\n\n");
	free(out);
	storage_cfg_free(&c);
}

/* ---- guest configs ---- */

static void guest_conf_refuses_a_second_line(void **state)
{
	(void)state;
	const char *text = "arch: amd64\nhostname: ct\n";
	struct guest_conf g;
	guest_conf_parse(&g, text, strlen(text));
	assert_int_equal(gc_set(&g, "mp0", "/data,mp=/data\nlxc.apparmor.profile: unconfined"), -EINVAL);
	for (size_t i = 0; i < N_BAD; i++)
		assert_int_equal(gc_set(&g, "mp0", BAD[i]), -EINVAL);
	assert_int_equal(gc_set(&g, "mp0\nlxc.cgroup2.devices.allow", "a"), -EINVAL);
	assert_int_equal(gc_set(&g, "lxc.apparmor.profile", "unconfined"), -EINVAL);
	assert_int_equal(gc_set(&g, "Mp0", "/x"), -EINVAL);
	assert_int_equal(gc_set(&g, "mp0", ""), -EINVAL);
	char *out = guest_conf_serialize(&g);
	assert_string_equal(out, text);
	free(out);
	assert_int_equal(gc_set(&g, "mp0", "/data,mp=/data"), 0);
	out = guest_conf_serialize(&g);
	assert_string_equal(out, "arch: amd64\nhostname: ct\nmp0: /data,mp=/data\n");
	free(out);
	guest_conf_free(&g);
}

/* ---- NFS ---- */

static void load_nfs(const char *json, struct nfs_config *cfg)
{
	struct config_src src = source(json);
	struct diag_list dl = { 0 };
	assert_int_equal(nfs_config_load(&src, cfg, &dl), 0);
	diag_list_free(&dl);
	config_src_free(&src);
}

#define ONE_EXPORT(server)                                                                              \
	"{\"nfs\": {\"server\": \"" server "\", \"exports\": [{\"path\": \"/tank/a\", \"clients\": [\"10.0.0.1\"], " \
	"\"options\": [\"rw\", \"no_subtree_check\"]}]}}"

static void exports_line_refuses_bad_fields(void **state)
{
	(void)state;
	/*
	 * path, client, option: a control character, white space or a separator of the line;
	 * a '\\' (exportfs reads "\\101" as 'A', and a final '\\' joins the next line: found by tests/fuzz)
	 */
	const char *bad_path[] = { "/tank/a\n/ *(rw,no_root_squash)", "/tank/a b", "/tank/\"a", "/tank/a#", "/tank/\\101",
				   "/tank/a\\" };
	const char *bad_client[] = { "10.0.0.1\n/ *", "10.0.0.1 *", "10.0.0.1(rw)", "", "10.0.0.1#", "10.0.0.1\\" };
	const char *bad_opt[] = { "rw\n", "rw,no_root_squash", "rw)", "r w", "rw#", "mp=/a\\" };
	for (size_t k = 0; k < 3; k++) {
		const char *const *list = k == 0 ? bad_path : k == 1 ? bad_client : bad_opt;
		size_t n = 6;
		for (size_t i = 0; i < n; i++) {
			struct nfs_config cfg;
			load_nfs(ONE_EXPORT("kernel"), &cfg);
			struct nfs_export *e = &cfg.exports[0];
			char *line = nfs_render_line(e->path, &e->clients, &e->options);
			assert_string_equal(line, "/tank/a 10.0.0.1(rw,no_subtree_check)");
			free(line);
			replace(k == 0 ? &e->path : k == 1 ? &e->clients.v[0] : &e->options.v[0], list[i]);
			assert_null(nfs_render_line(e->path, &e->clients, &e->options));
			assert_null(nfs_render_dropin(&cfg));
			nfs_config_free(&cfg);
		}
	}
}

static void ganesha_block_and_include_refuse_bad_fields(void **state)
{
	(void)state;
	/* a '\\' escapes the closing quote of a ganesha string (found by tests/fuzz) */
	const char *bad_path[] = { "/tank/a\";\n\tPath = \"/", "/tank/a\nb", "/tank/a b", "/tank/a\\" };
	const char *bad_client[] = { "10.0.0.1, *", "10.0.0.1;", "10.0.0.1\n}", "10.0.0.1 x" };
	long ids[1] = { 7 };
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < 4u; i++) {
			struct nfs_config cfg;
			load_nfs(ONE_EXPORT("ganesha"), &cfg);
			struct nfs_export *e = &cfg.exports[0];
			char *b = ganesha_render_block(e, 7);
			assert_non_null(b);
			free(b);
			replace(k == 0 ? &e->path : &e->clients.v[0], k == 0 ? bad_path[i] : bad_client[i]);
			assert_null(ganesha_render_block(e, 7));
			assert_null(ganesha_render_include(&cfg, ids));
			nfs_config_free(&cfg);
		}
	}
	struct nfs_config cfg;
	load_nfs(ONE_EXPORT("ganesha"), &cfg);
	replace(&cfg.exports[0].options.v[1], "no_subtree_check\n}\nEXPORT {");
	assert_null(ganesha_render_block(&cfg.exports[0], 7));
	nfs_config_free(&cfg);
	/* the %include line of the main config */
	assert_null(ganesha_conf_add_include("x\n", "/etc/ganesha/p.conf\"\n%include \"/tmp/evil.conf"));
	assert_null(ganesha_conf_add_include("x\n", "/etc/ganesha/p\nx.conf"));
	assert_null(ganesha_conf_add_include("x\n", "/etc/ganesha/p x.conf"));
	assert_null(ganesha_conf_add_include("x\n", "/etc/ganesha/p.conf\\"));
	char *t = ganesha_conf_add_include("x\n", "/etc/ganesha/p.conf");
	assert_non_null(t);
	free(t);
}

/* ---- Samba ---- */

static void load_samba(struct samba_config *cfg)
{
	struct config_src src = source("{\"samba\": {\"shares\": [{\"name\": \"a\", \"path\": \"/tank/a\", "
				       "\"options\": \"comment=x writable=yes\", \"valid_users\": [\"heads\"]}]}}");
	struct diag_list dl = { 0 };
	assert_int_equal(samba_config_load(&src, cfg, &dl), 0);
	diag_list_free(&dl);
	config_src_free(&src);
}

static void shares_file_refuses_bad_names_paths_options_and_users(void **state)
{
	(void)state;
	struct {
		int field; /* 0 name, 1 path, 2 option value, 3 option key, 4 user */
		const char *v;
	} bad[] = {
		{ 0, "a]\n[global]" }, { 0, "a]x" }, { 0, "a\nb" }, { 1, "/tank/a\n\tpreexec = /bin/sh" },
		{ 1, "/tank/a\\" }, { 2, "x\n\troot preexec = /bin/sh" }, { 2, "x\\" }, { 2, "x\ty" },
		{ 3, "comment = x\npreexec" }, { 3, "com=ment" }, { 4, "heads\n\tpath = /" }, { 4, "heads,root" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct samba_config cfg;
		load_samba(&cfg);
		struct samba_share *sh = &cfg.shares[0];
		char *ok = samba_render_shares(&cfg, "");
		assert_non_null(ok);
		free(ok);
		char **slot = bad[i].field == 0   ? &sh->name
			      : bad[i].field == 1 ? &sh->path
			      : bad[i].field == 2 ? &sh->opts[0].value
			      : bad[i].field == 3 ? &sh->opts[0].key
						  : &sh->valid_users[0];
		replace(slot, bad[i].v);
		if (samba_render_shares(&cfg, ""))
			fail_msg("case %zu was rendered", i);
		samba_config_free(&cfg);
	}
}

static void smb_conf_include_line_refuses_a_path_that_breaks_it(void **state)
{
	(void)state;
	char *out = (char *)"unchanged";
	assert_int_equal(smbconf_with_include("[global]\n", 9, "/etc/samba/p.conf\n[evil]", &out, NULL), -EINVAL);
	assert_null(out);
	assert_int_equal(smbconf_with_include("[global]\n", 9, "/etc/samba/p.conf\\", &out, NULL), -EINVAL);
	assert_int_equal(smbconf_with_include("[global]\n", 9, "", &out, NULL), -EINVAL);
	assert_int_equal(smbconf_with_include("[global]\n", 9, "/etc/samba/p.conf", &out, NULL), 0);
	assert_string_equal(out, "[global]\ninclude = /etc/samba/p.conf\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(storage_cfg_refuses_control_characters_and_split_words),
		cmocka_unit_test(guest_conf_refuses_a_second_line),
		cmocka_unit_test(exports_line_refuses_bad_fields),
		cmocka_unit_test(ganesha_block_and_include_refuse_bad_fields),
		cmocka_unit_test(shares_file_refuses_bad_names_paths_options_and_users),
		cmocka_unit_test(smb_conf_include_line_refuses_a_path_that_breaks_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
