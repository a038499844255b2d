/* Unit tests of the NFS subsystem's pure parts: validation, rendering, parsers, ids, diff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config/nfs_config.h"
#include "plan/nfs_plan.h"
#include "state/nfs_state.h"
#include "util/strbuf.h"

/* ---- helpers ---- */

static int load(const char *json, struct nfs_config *cfg, struct diag_list *dl)
{
	struct config_src src = { 0 };
	src.path = xstrdup("t.json");
	src.text = xstrdup(json);
	src.len = strlen(json);
	json_error_t je;
	src.root = json_loads(json, 0, &je);
	assert_non_null(src.root);
	int rc = nfs_config_load(&src, cfg, dl);
	config_src_free(&src);
	return rc;
}

static bool has_diag(const struct diag_list *dl, enum diag_level lvl, const char *msg)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i].level == lvl && !strcmp(dl->v[i].msg, msg))
			return true;
	return false;
}

static void print_diags_on_failure(const struct diag_list *dl)
{
	diag_print(stderr, dl);
}

static const char *option_error(const char *opt)
{
	static char buf[256];
	char *m = NULL, *h = NULL;
	if (nfs_option_check(opt, &m, &h) == 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%s | %s", m, h ? h : "");
	free(m);
	free(h);
	return buf;
}

/* ---- options ---- */

static void known_options_are_accepted(void **state)
{
	(void)state;
	const char *ok[] = { "rw", "ro", "sync", "async", "root_squash", "no_root_squash", "all_squash",
			     "no_all_squash", "subtree_check", "no_subtree_check", "secure", "insecure",
			     "wdelay", "no_wdelay", "hide", "nohide", "crossmnt", "anonuid=0",
			     "anongid=65534", "fsid=0", "fsid=root", "fsid=12",
			     "fsid=0a0b0c0d-0000-0000-0000-000000000001", "sec=sys", "sec=sys:krb5:krb5p",
			     "mountpoint", "mountpoint=/tank", "mp", "no_acl", "insecure_locks", NULL };
	for (size_t i = 0; ok[i]; i++)
		assert_null(option_error(ok[i]));
}

static void unknown_option_gets_a_suggestion(void **state)
{
	(void)state;
	assert_string_equal(option_error("no_subtre_check"),
			    "unknown export option 'no_subtre_check' | did you mean 'no_subtree_check'? (see exports(5))");
	assert_string_equal(option_error("rww"), "unknown export option 'rww' | did you mean 'rw'? (see exports(5))");
	const char *far = option_error("frobnicate");
	assert_non_null(far);
	assert_non_null(strstr(far, "known options: rw, ro, sync"));
}

static void option_values_are_checked(void **state)
{
	(void)state;
	assert_string_equal(option_error("anonuid=abc"),
			    "invalid value in 'anonuid=abc' | anonuid takes a numeric id, such as anonuid=65534");
	assert_string_equal(option_error("anongid=-1"),
			    "invalid value in 'anongid=-1' | anongid takes a numeric id, such as anongid=65534");
	assert_string_equal(option_error("fsid=xyz"), "invalid value in 'fsid=xyz' | fsid takes root, a number or a UUID");
	assert_string_equal(option_error("sec=sys:krb6"),
			    "unknown security flavour 'krb6' in 'sec=sys:krb6' | use sys, krb5, krb5i, krb5p or none, joined with ':' (sec=sys:krb5)");
	assert_string_equal(option_error("rw=yes"), "option 'rw' takes no value | write just 'rw'");
	assert_string_equal(option_error("anonuid"), "option 'anonuid' needs a value | write it as anonuid=VALUE");
	assert_string_equal(option_error("mountpoint=rel"),
			    "invalid value in 'mountpoint=rel' | mountpoint takes an absolute, normalised path");
}

/* ---- clients ---- */

static void client_kinds_are_recognised(void **state)
{
	(void)state;
	enum nfs_client_kind k;
	assert_int_equal(nfs_client_check("10.0.0.1", &k), 0);
	assert_int_equal(k, NFS_CLIENT_IP);
	assert_int_equal(nfs_client_check("fd00::1", &k), 0);
	assert_int_equal(k, NFS_CLIENT_IP);
	assert_int_equal(nfs_client_check("10.0.0.0/24", &k), 0);
	assert_int_equal(k, NFS_CLIENT_CIDR);
	assert_int_equal(nfs_client_check("10.0.0.0/255.255.255.0", &k), 0);
	assert_int_equal(nfs_client_check("fd00::/64", &k), 0);
	assert_int_equal(nfs_client_check("pve1.example.com", &k), 0);
	assert_int_equal(k, NFS_CLIENT_HOST);
	assert_int_equal(nfs_client_check("*.example.com", &k), 0);
	assert_int_equal(k, NFS_CLIENT_WILDCARD);
	assert_int_equal(nfs_client_check("@trusted", &k), 0);
	assert_int_equal(k, NFS_CLIENT_NETGROUP);
	assert_int_equal(nfs_client_check("*", &k), 0);
	assert_int_equal(k, NFS_CLIENT_WORLD);
}

static void bad_clients_are_rejected(void **state)
{
	(void)state;
	const char *bad[] = { "", "10.0.0.300", "10.0.0.0/33", "10.0.0.0/255.0.255.0", "bad host",
			      "-lead.example.com", "a..b", "@", "@bad group", "fd00::/129", "host.", NULL };
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(nfs_client_check(bad[i], NULL), -1);
	assert_true(nfs_client_is_world("*"));
	assert_true(nfs_client_is_world("0.0.0.0/0"));
	assert_false(nfs_client_is_world("10.0.0.0/8"));
}

static void paths_must_be_absolute_and_normalised(void **state)
{
	(void)state;
	char *m, *h;
	assert_int_equal(nfs_path_check("/tank/data", &m, &h), 0);
	assert_int_equal(nfs_path_check("/", &m, &h), 0);
	assert_int_equal(nfs_path_check("/tank//data/../x/./y/", &m, &h), -1);
	assert_string_equal(m, "path '/tank//data/../x/./y/' is not normalised");
	assert_string_equal(h, "write it as '/tank/x/y'");
	free(m);
	free(h);
	assert_int_equal(nfs_path_check("tank", &m, &h), -1);
	assert_string_equal(m, "path 'tank' is not absolute");
	free(m);
	free(h);
	assert_int_equal(nfs_path_check("/a b", &m, &h), -1);
	free(m);
	free(h);
	/* exports(5): '#' starts a comment; "/tank/a#x 10.0.0.1(rw)" would export /tank/a to every host */
	assert_int_equal(nfs_path_check("/tank/a#x", &m, &h), -1);
	assert_string_equal(m, "path '/tank/a#x' contains '#', which starts a comment in an exports line");
	free(m);
	free(h);
}

/* ---- config ---- */

static void config_reports_every_problem_at_once(void **state)
{
	(void)state;
	struct nfs_config cfg;
	struct diag_list dl = { 0 };
	int rc = load("{\"nfs\": {\"exports\": ["
		      "{\"path\": \"/t/a\", \"clients\": [\"10.0.0.300\"], \"options\": [\"rww\", \"rw\", \"ro\"]},"
		      "{\"path\": \"t/b\", \"clients\": []},"
		      "{\"path\": \"/t/a\", \"clients\": [\"*\"], \"options\": [\"rw\", \"no_root_squash\", \"insecure\"]}]}}",
		      &cfg, &dl);
	assert_int_equal(rc, -1);
	assert_true(has_diag(&dl, DIAG_ERROR, "invalid client '10.0.0.300'"));
	assert_true(has_diag(&dl, DIAG_ERROR, "unknown export option 'rww'"));
	assert_true(has_diag(&dl, DIAG_ERROR, "options 'rw' and 'ro' contradict each other"));
	assert_true(has_diag(&dl, DIAG_ERROR, "path 't/b' is not absolute"));
	assert_true(has_diag(&dl, DIAG_ERROR, "export has no clients"));
	assert_true(has_diag(&dl, DIAG_ERROR, "path '/t/a' is already exported by nfs.exports[0]"));
	assert_true(has_diag(&dl, DIAG_WARNING, "'no_root_squash' lets root on the clients act as root on '/t/a'"));
	assert_true(has_diag(&dl, DIAG_WARNING, "'insecure' accepts requests from unprivileged ports on '/t/a'"));
	assert_true(has_diag(&dl, DIAG_WARNING, "'/t/a' is writable by every host ('*')"));
	assert_true(has_diag(&dl, DIAG_WARNING, "'no_subtree_check' is missing on '/t/a'"));
	nfs_config_free(&cfg);
	diag_list_free(&dl);
}

static void config_defaults_and_extensions(void **state)
{
	(void)state;
	struct nfs_config cfg;
	struct diag_list dl = { 0 };
	int rc = load("{\"nfs\": {\"server\": \"ganesha\", \"ganesha\": {\"include_file\": \"/etc/g/x.conf\"},"
		      "\"exports\": [{\"path\": \"/t/a\", \"clients\": [\"10.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"],"
		      "\"outside_zfs\": true, \"owner\": \"nobody\", \"group\": 100, \"mode\": \"0750\"}]}}",
		      &cfg, &dl);
	if (rc)
		print_diags_on_failure(&dl);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg.server, NFS_SERVER_GANESHA);
	assert_string_equal(cfg.ganesha_include, "/etc/g/x.conf");
	assert_string_equal(cfg.ganesha_conf, NFS_GANESHA_CONF);
	assert_true(cfg.exports[0].outside_zfs);
	assert_string_equal(cfg.exports[0].owner, "nobody");
	assert_string_equal(cfg.exports[0].group, "100");
	assert_int_equal(cfg.exports[0].mode, 0750);
	nfs_config_free(&cfg);
	diag_list_free(&dl);
	rc = load("{\"nfs\": {\"server\": \"nfsd\", \"exports\": [{\"path\": \"/t\", \"clients\": [\"h\"], \"mode\": 750}]}}",
		  &cfg, &dl);
	assert_int_equal(rc, -1);
	assert_true(has_diag(&dl, DIAG_ERROR, "unknown nfs server 'nfsd'"));
	assert_true(has_diag(&dl, DIAG_ERROR, "mode must be a string"));
	nfs_config_free(&cfg);
	diag_list_free(&dl);
}

/* ---- effective options ---- */

static void table_options_match_the_config_meaning(void **state)
{
	(void)state;
	const char *want[] = { "rw", "sync", "root_squash", "no_subtree_check", "insecure" };
	const char *table[] = { "sync", "wdelay", "hide", "no_subtree_check", "sec=sys", "rw", "root_squash",
				"no_all_squash" };
	struct nfs_opts a, b;
	nfs_opts_from_list(want, 5, false, &a);
	nfs_opts_from_list(table, 8, true, &b);
	assert_true(nfs_opts_equal(&a, &b));
	/* ro in the table: differs */
	const char *table_ro[] = { "sync", "wdelay", "hide", "no_subtree_check", "sec=sys", "ro", "root_squash" };
	nfs_opts_from_list(table_ro, 7, true, &b);
	assert_false(nfs_opts_equal(&a, &b));
	/* missing no_subtree_check in the table means subtree_check */
	const char *table_st[] = { "sync", "wdelay", "hide", "sec=sys", "rw", "root_squash" };
	nfs_opts_from_list(table_st, 6, true, &b);
	assert_false(nfs_opts_equal(&a, &b));
	/* fsid=root is printed as fsid=0; anonuid only when not 65534 */
	const char *w2[] = { "ro", "fsid=root", "anonuid=65534", "no_subtree_check" };
	const char *t2[] = { "sync", "wdelay", "hide", "no_subtree_check", "fsid=0", "sec=sys", "ro", "root_squash" };
	nfs_opts_from_list(w2, 4, false, &a);
	nfs_opts_from_list(t2, 8, true, &b);
	assert_true(nfs_opts_equal(&a, &b));
}

/* ---- exportfs -v ---- */

static void exportfs_output_with_short_and_wrapped_paths(void **state)
{
	(void)state;
	const char *text =
		"/s            \t127.0.0.1(sync,wdelay,hide,no_subtree_check,sec=sys,rw,root_squash,no_all_squash)\n"
		"/tank/a-very-long-export-path\n"
		"\t\t10.0.0.0/24(sync,wdelay,hide,no_subtree_check,sec=sys,ro,root_squash,no_all_squash)\n"
		"/tank/a-very-long-export-path\n"
		"\t\t<world>(async,wdelay,hide,no_subtree_check,fsid=0,sec=krb5p:sys,ro,root_squash,no_all_squash)\n";
	struct nfs_table t;
	assert_int_equal(nfs_parse_exportfs(text, &t), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0].path, "/s");
	assert_string_equal(t.v[0].client, "127.0.0.1");
	assert_string_equal(t.v[0].opts, "sync,wdelay,hide,no_subtree_check,sec=sys,rw,root_squash,no_all_squash");
	assert_string_equal(t.v[1].path, "/tank/a-very-long-export-path");
	assert_string_equal(t.v[1].client, "10.0.0.0/24");
	assert_string_equal(t.v[2].client, "*");
	assert_string_equal(t.v[2].opts, "async,wdelay,hide,no_subtree_check,fsid=0,sec=krb5p:sys,ro,root_squash,no_all_squash");
	nfs_table_free(&t);
	assert_int_equal(nfs_parse_exportfs("", &t), 0);
	assert_int_equal(t.n, 0);
	nfs_table_free(&t);
}

static void exports_file_with_comments_continuations_and_quotes(void **state)
{
	(void)state;
	const char *text = "# comment\n"
			   "/srv/a 10.0.0.1(rw,sync) 10.0.0.2 # trailing\n"
			   "\n"
			   "\"/srv/with space\" -ro,no_subtree_check host1 \\\n"
			   "   host2(rw)\n"
			   "/srv/oct\\040al *(ro)\n";
	struct nfs_file f = { 0 };
	nfs_parse_exports_file(text, "/etc/exports", &f);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.v[0].path, "/srv/a");
	assert_int_equal(f.v[0].line, 2);
	assert_int_equal(f.v[0].clients.n, 2);
	assert_string_equal(f.v[0].opts.v[0], "rw,sync");
	assert_string_equal(f.v[0].opts.v[1], "");
	assert_string_equal(f.v[1].path, "/srv/with space");
	assert_int_equal(f.v[1].line, 4);
	assert_string_equal(f.v[1].clients.v[0], "host1");
	assert_string_equal(f.v[1].opts.v[0], "ro,no_subtree_check");
	assert_string_equal(f.v[1].clients.v[1], "host2");
	assert_string_equal(f.v[1].opts.v[1], "rw");
	assert_string_equal(f.v[2].path, "/srv/oct al");
	nfs_file_free(&f);
}

/* A path is one word, '(' included, as exportfs reads it (found by tests/fuzz); a config may export it. */
static void exports_path_with_a_paren_reads_back(void **state)
{
	(void)state;
	struct nfs_file f = { 0 };
	nfs_parse_exports_file("/tank/a(b 10.0.0.1(rw) 10.0.0.2\n", "x", &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].path, "/tank/a(b");
	assert_int_equal(f.v[0].clients.n, 2);
	assert_string_equal(f.v[0].clients.v[0], "10.0.0.1");
	assert_string_equal(f.v[0].opts.v[0], "rw");
	assert_string_equal(f.v[0].clients.v[1], "10.0.0.2");
	nfs_file_free(&f);
	struct nfs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(load("{\"nfs\": {\"exports\": [{\"path\": \"/tank/a(b\", \"clients\": [\"10.0.0.1\"], "
			      "\"options\": [\"rw\", \"no_subtree_check\"], \"outside_zfs\": true}]}}",
			      &cfg, &dl),
			 0);
	char *t = nfs_render_dropin(&cfg);
	nfs_parse_exports_file(t, "x", &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].path, "/tank/a(b");
	assert_string_equal(f.v[0].clients.v[0], "10.0.0.1");
	assert_string_equal(f.v[0].opts.v[0], "rw,no_subtree_check");
	nfs_file_free(&f);
	free(t);
	nfs_config_free(&cfg);
	diag_list_free(&dl);
}

/* ---- rendering ---- */

static void dropin_has_header_and_one_line_per_export(void **state)
{
	(void)state;
	struct nfs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(load("{\"nfs\": {\"exports\": ["
			      "{\"path\": \"/tank/data\", \"clients\": [\"127.0.0.1\", \"10.0.0.0/24\"], \"options\": [\"rw\", \"sync\", \"no_subtree_check\"]},"
			      "{\"path\": \"/tank/b\", \"clients\": [\"@grp\"], \"options\": [\"no_subtree_check\", \"ro\"]}]}}",
			      &cfg, &dl),
			 0);
	char *t = nfs_render_dropin(&cfg);
	assert_string_equal(t, "# Managed by phoenix-storage from the nfs section of its config. Do not edit:\n"
			       "# apply rewrites this file. Exports written by hand belong in /etc/exports\n"
			       "# or in another file under /etc/exports.d.\n"
			       "/tank/data 127.0.0.1(rw,sync,no_subtree_check) 10.0.0.0/24(rw,sync,no_subtree_check)\n"
			       "/tank/b @grp(no_subtree_check,ro)\n");
	/* what we write parses back to the same exports */
	struct nfs_file f = { 0 };
	nfs_parse_exports_file(t, "x", &f);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.v[0].path, "/tank/data");
	assert_string_equal(f.v[0].clients.v[1], "10.0.0.0/24");
	nfs_file_free(&f);
	free(t);
	nfs_config_free(&cfg);
	diag_list_free(&dl);
}

static void ganesha_block_maps_options(void **state)
{
	(void)state;
	struct nfs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(load("{\"nfs\": {\"server\": \"ganesha\", \"exports\": ["
			      "{\"path\": \"/tank/data\", \"clients\": [\"127.0.0.1\", \"10.0.0.0/24\"], "
			      "\"options\": [\"rw\", \"sync\", \"all_squash\", \"anonuid=1000\", \"sec=sys:krb5\", \"insecure\", \"fsid=5\"]}]}}",
			      &cfg, &dl),
			 0);
	char *b = ganesha_render_block(&cfg.exports[0], 42);
	assert_string_equal(b, "EXPORT {\n"
			       "\t# phoenix: clients=127.0.0.1,10.0.0.0/24 options=rw,sync,all_squash,anonuid=1000,sec=sys:krb5,insecure,fsid=5\n"
			       "\tExport_Id = 42;\n"
			       "\tPath = \"/tank/data\";\n"
			       "\tPseudo = \"/tank/data\";\n"
			       "\tProtocols = 3, 4;\n"
			       "\tAccess_Type = None;\n"
			       "\tSquash = All_Squash;\n"
			       "\tSecType = sys, krb5;\n"
			       "\tFilesystem_Id = 5.5;\n"
			       "\tFSAL {\n\t\tName = VFS;\n\t}\n"
			       "\tCLIENT {\n"
			       "\t\tClients = 127.0.0.1, 10.0.0.0/24;\n"
			       "\t\tAccess_Type = RW;\n"
			       "\t\tSquash = All_Squash;\n"
			       "\t\tAnonymous_Uid = 1000;\n"
			       "\t\tAnonymous_Gid = 65534;\n"
			       "\t\tPrivilegedPort = false;\n"
			       "\t}\n}");
	char *ign = ganesha_ignored_options(&cfg.exports[0]);
	assert_string_equal(ign, "sync");
	free(ign);
	/* the block parses back: path, id and our comment */
	long ids[1] = { 42 };
	char *inc = ganesha_render_include(&cfg, ids);
	struct ganesha_exports g;
	ganesha_parse_exports(inc, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.v[0].path, "/tank/data");
	assert_int_equal(g.v[0].id, 42);
	assert_string_equal(g.v[0].clients, "127.0.0.1,10.0.0.0/24");
	assert_string_equal(g.v[0].text, b);
	ganesha_exports_free(&g);
	free(inc);
	free(b);
	nfs_config_free(&cfg);
	diag_list_free(&dl);
}

static void ganesha_conf_include_is_detected_and_appended(void **state)
{
	(void)state;
	assert_true(ganesha_conf_includes("a\n  %include \"/etc/ganesha/p.conf\"\n", "/etc/ganesha/p.conf"));
	assert_true(ganesha_conf_includes("%include /etc/ganesha/p.conf # ours\n", "/etc/ganesha/p.conf"));
	assert_false(ganesha_conf_includes("#%include \"/etc/ganesha/p.conf\"\n", "/etc/ganesha/p.conf"));
	assert_false(ganesha_conf_includes("%include \"/etc/ganesha/p.conf.old\"\n", "/etc/ganesha/p.conf"));
	char *t = ganesha_conf_add_include("EXPORT { Export_Id = 1; }", "/x.conf");
	assert_string_equal(t, "EXPORT { Export_Id = 1; }\n\n# Added by phoenix-storage: the exports of its nfs section.\n%include \"/x.conf\"\n");
	assert_true(ganesha_conf_includes(t, "/x.conf"));
	free(t);
}

static void ganesha_parser_skips_comments_and_nested_blocks(void **state)
{
	(void)state;
	const char *text = "# EXPORT { Export_Id = 9; }\n"
			   "EXPORT_DEFAULTS { Access_Type = RO; }\n"
			   "export {\n  Export_Id = 3; Path = /a;  # Path = /wrong\n"
			   "  CLIENT { Clients = \"x}\"; Path = /nested; }\n  FSAL { Name = VFS; }\n}\n"
			   "EXPORT{Path=\"/b\";}\n";
	struct ganesha_exports g;
	ganesha_parse_exports(text, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].path, "/a");
	assert_int_equal(g.v[0].id, 3);
	assert_null(g.v[0].clients);
	assert_string_equal(g.v[1].path, "/b");
	assert_int_equal(g.v[1].id, -1);
	ganesha_exports_free(&g);
}

/* ---- export ids ---- */

static void export_ids_are_deterministic_and_kept_from_the_file(void **state)
{
	(void)state;
	struct nfs_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(load("{\"nfs\": {\"server\": \"ganesha\", \"exports\": ["
			      "{\"path\": \"/t/a\", \"clients\": [\"h\"]}, {\"path\": \"/t/b\", \"clients\": [\"h\"]},"
			      "{\"path\": \"/t/c\", \"clients\": [\"h\"]}]}}",
			      &cfg, &dl),
			 0);
	long ids[3], again[3];
	struct ganesha_exports none = { 0 };
	ganesha_assign_ids(&cfg, &none, &none, ids);
	ganesha_assign_ids(&cfg, &none, &none, again);
	assert_memory_equal(ids, again, sizeof(ids));
	assert_int_equal(ids[0], ganesha_default_id("/t/a"));
	assert_true(ids[0] >= 1 && ids[0] <= 60000);
	assert_true(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
	/* the file holds /t/b as 500 and /t/gone as the default id of /t/c; the main config uses /t/a's id */
	char *ours_text = xasprintf("EXPORT { Export_Id = 500; Path = \"/t/b\"; }\n"
				    "EXPORT { Export_Id = %ld; Path = \"/t/gone\"; }\n",
				    ganesha_default_id("/t/c"));
	char *other_text = xasprintf("EXPORT { Export_Id = %ld; Path = \"/srv\"; }\n", ganesha_default_id("/t/a"));
	struct ganesha_exports ours, others;
	ganesha_parse_exports(ours_text, &ours);
	ganesha_parse_exports(other_text, &others);
	ganesha_assign_ids(&cfg, &ours, &others, ids);
	assert_int_equal(ids[1], 500);
	assert_int_equal(ids[0], ganesha_default_id("/t/a") % 65535 + 1);  /* moved past the main config's id */
	assert_int_equal(ids[2], ganesha_default_id("/t/c"));           /* /t/gone leaves: its id is free */
	ganesha_exports_free(&ours);
	ganesha_exports_free(&others);
	free(ours_text);
	free(other_text);
	nfs_config_free(&cfg);
	diag_list_free(&dl);
}

/* ---- the diff ---- */

struct fixture {
	struct nfs_config cfg;
	struct nfs_state st;
	struct plan p;
	struct diag_list dl;
};

static void kernel_fixture(struct fixture *f, const char *exports_json, const char *dropin, const char *table)
{
	memset(f, 0, sizeof(*f));
	char *json = xasprintf("{\"nfs\": {\"exports\": %s}}", exports_json);
	assert_int_equal(load(json, &f->cfg, &f->dl), 0);
	free(json);
	f->st.table_known = true;
	nfs_parse_exportfs(table, &f->st.table);
	if (dropin) {
		f->st.dropin_exists = true;
		f->st.dropin_ours = !strncmp(dropin, NFS_OWNED_MARK, strlen(NFS_OWNED_MARK));
		f->st.dropin_text = xstrdup(dropin);
		nfs_parse_exports_file(dropin, NFS_KERNEL_DROPIN, &f->st.dropin);
	}
	f->st.n_roots = f->cfg.n_exports;
	f->st.roots = xcalloc(f->cfg.n_exports + 1, sizeof(*f->st.roots));
	for (size_t i = 0; i < f->cfg.n_exports; i++) {
		f->st.roots[i].exists = f->st.roots[i].is_dir = true;
		f->st.roots[i].mode = 0755;
		f->st.roots[i].want_uid_ok = f->st.roots[i].want_gid_ok = true;
	}
	nfs_plan_build(NULL, &f->cfg, &f->st, "", NULL, &f->p);
}

static void fixture_free(struct fixture *f)
{
	plan_free(&f->p);
	nfs_state_free(&f->st);
	nfs_config_free(&f->cfg);
	diag_list_free(&f->dl);
}

static const char *summary(const struct fixture *f, size_t i)
{
	assert_true(i < f->p.n);
	return f->p.v[i].summary;
}

#define EXP_A "[{\"path\": \"/tank/a\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"]}]"
#define ROW_A "/tank/a\n\t\t127.0.0.1(sync,wdelay,hide,no_subtree_check,sec=sys,rw,root_squash,no_all_squash)\n"

static void diff_creates_a_new_export_and_the_file(void **state)
{
	(void)state;
	struct fixture f;
	kernel_fixture(&f, EXP_A, NULL, "");
	assert_int_equal(f.p.n, 2);
	assert_string_equal(summary(&f, 0), "nfs export /tank/a to 127.0.0.1 (rw,no_subtree_check)");
	assert_int_equal(f.p.v[0].op, OP_CREATE);
	assert_string_equal(summary(&f, 1), "nfs write /etc/exports.d/phoenix.exports (1 export) and run exportfs -ra");
	fixture_free(&f);
}

static void diff_is_empty_when_file_and_table_match(void **state)
{
	(void)state;
	struct fixture f0;
	kernel_fixture(&f0, EXP_A, NULL, "");
	char *text = nfs_render_dropin(&f0.cfg);
	fixture_free(&f0);
	struct fixture f;
	kernel_fixture(&f, EXP_A, text, ROW_A);
	assert_int_equal(f.p.n, 0);
	assert_int_equal(f.p.diags.n, 0);
	fixture_free(&f);
	free(text);
}

static void diff_sees_table_drift_even_when_the_file_matches(void **state)
{
	(void)state;
	struct fixture f0;
	kernel_fixture(&f0, EXP_A, NULL, "");
	char *text = nfs_render_dropin(&f0.cfg);
	fixture_free(&f0);
	struct fixture f;
	kernel_fixture(&f, EXP_A, text,
		       "/tank/a\n\t\t127.0.0.1(sync,wdelay,hide,no_subtree_check,sec=sys,ro,root_squash,no_all_squash)\n");
	assert_int_equal(f.p.n, 2);
	assert_string_equal(summary(&f, 0),
			    "nfs export /tank/a to 127.0.0.1 (rw,no_subtree_check) (drifted in the server: '127.0.0.1' is exported with "
			    "(sync,wdelay,hide,no_subtree_check,sec=sys,ro,root_squash,no_all_squash))");
	char *detail;
	assert_int_equal(nfs_export_status(&f.cfg, &f.st, 0, NULL, &detail), NFS_EXPORT_DRIFTED);
	free(detail);
	fixture_free(&f);
	free(text);
}

static void diff_changes_and_removes_owned_exports_only(void **state)
{
	(void)state;
	const char *old = NFS_OWNED_MARK " x\n"
			  "/tank/a 127.0.0.1(ro,no_subtree_check)\n"
			  "/tank/old 10.0.0.1(rw,no_subtree_check)\n";
	struct fixture f;
	kernel_fixture(&f, EXP_A, old,
		       ROW_A "/srv/hand\n\t\t10.0.0.9(sync,wdelay,hide,no_subtree_check,sec=sys,ro,root_squash,no_all_squash)\n");
	assert_int_equal(f.p.n, 3);
	assert_string_equal(summary(&f, 0), "nfs export /tank/a options (ro,no_subtree_check) -> (rw,no_subtree_check)");
	assert_string_equal(summary(&f, 1), "nfs export /tank/old");
	assert_int_equal(f.p.v[1].op, OP_REMOVE);
	assert_false(f.p.v[1].destructive);
	assert_string_equal(f.p.v[1].details.v[0], "was: to 10.0.0.1 (rw,no_subtree_check)");
	assert_int_equal(f.p.unmanaged.n, 1);
	assert_string_equal(f.p.unmanaged.v[0], "nfs export /srv/hand (not in the config)");
	fixture_free(&f);
}

static void diff_refuses_a_dropin_it_did_not_write(void **state)
{
	(void)state;
	struct fixture f;
	kernel_fixture(&f, EXP_A, "/srv 10.0.0.1(rw)\n", "");
	assert_int_equal(f.p.n, 0);
	assert_true(has_diag(&f.p.diags, DIAG_ERROR, "'/etc/exports.d/phoenix.exports' exists but was not written by phoenix-storage"));
	fixture_free(&f);
}

static void diff_sets_owner_and_mode_only_when_asked(void **state)
{
	(void)state;
	struct fixture f;
	kernel_fixture(&f, "[{\"path\": \"/tank/a\", \"clients\": [\"h\"], \"options\": [\"no_subtree_check\"], \"mode\": \"0750\"},"
			   "{\"path\": \"/tank/b\", \"clients\": [\"h\"], \"options\": [\"no_subtree_check\"]}]",
		       NULL, "");
	assert_string_equal(summary(&f, 0), "nfs export root /tank/a mode 0755 -> 0750");
	for (size_t i = 1; i < f.p.n; i++)
		assert_null(strstr(f.p.v[i].summary, "root /tank/b"));
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_options_are_accepted),
		cmocka_unit_test(unknown_option_gets_a_suggestion),
		cmocka_unit_test(option_values_are_checked),
		cmocka_unit_test(client_kinds_are_recognised),
		cmocka_unit_test(bad_clients_are_rejected),
		cmocka_unit_test(paths_must_be_absolute_and_normalised),
		cmocka_unit_test(config_reports_every_problem_at_once),
		cmocka_unit_test(config_defaults_and_extensions),
		cmocka_unit_test(table_options_match_the_config_meaning),
		cmocka_unit_test(exportfs_output_with_short_and_wrapped_paths),
		cmocka_unit_test(exports_file_with_comments_continuations_and_quotes),
		cmocka_unit_test(exports_path_with_a_paren_reads_back),
		cmocka_unit_test(dropin_has_header_and_one_line_per_export),
		cmocka_unit_test(ganesha_block_maps_options),
		cmocka_unit_test(ganesha_conf_include_is_detected_and_appended),
		cmocka_unit_test(ganesha_parser_skips_comments_and_nested_blocks),
		cmocka_unit_test(export_ids_are_deterministic_and_kept_from_the_file),
		cmocka_unit_test(diff_creates_a_new_export_and_the_file),
		cmocka_unit_test(diff_is_empty_when_file_and_table_match),
		cmocka_unit_test(diff_sees_table_drift_even_when_the_file_matches),
		cmocka_unit_test(diff_changes_and_removes_owned_exports_only),
		cmocka_unit_test(diff_refuses_a_dropin_it_did_not_write),
		cmocka_unit_test(diff_sets_owner_and_mode_only_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
