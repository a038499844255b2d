/* Samba share options and the samba config section: parsing, validation, rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/samba_config.h"
#include "plan/samba_plan.h"
#include "util/strbuf.h"

struct parsed {
	struct samba_option *opts;
	size_t n;
	char *err;
	const char *hint;
	int rc;
};

static struct parsed parse(const char *text)
{
	struct parsed r = { 0 };
	r.rc = samba_options_parse(text, &r.opts, &r.n, &r.err, &r.hint);
	return r;
}

static void parsed_free(struct parsed *r)
{
	samba_options_free(r->opts, r->n);
	free(r->err);
}

static void reference_options_parse_in_order(void **state)
{
	(void)state;
	struct parsed r = parse("browseable=yes writable=yes");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.opts[0].key, "browseable");
	assert_string_equal(r.opts[0].value, "yes");
	assert_string_equal(r.opts[1].key, "writable");
	assert_string_equal(r.opts[1].value, "yes");
	parsed_free(&r);
}

static void keys_are_matched_like_samba_does(void **state)
{
	(void)state;
	struct parsed r = parse("  Read_Only=No  create-mask=770 GUEST_OK=false  ");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.opts[0].key, "read only");
	assert_string_equal(r.opts[0].value, "no");
	assert_string_equal(r.opts[1].key, "create mask");
	assert_string_equal(r.opts[1].value, "0770");
	assert_string_equal(r.opts[2].key, "guest ok");
	assert_string_equal(r.opts[2].value, "no");
	parsed_free(&r);
}

static void quoted_values_may_hold_spaces(void **state)
{
	(void)state;
	struct parsed r = parse("comment=\"Production data\" inherit_owner=\"unix only\"");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.opts[0].value, "Production data");
	assert_string_equal(r.opts[1].key, "inherit owner");
	assert_string_equal(r.opts[1].value, "unix only");
	parsed_free(&r);
}

static void lists_are_normalised(void **state)
{
	(void)state;
	struct parsed r = parse("write_list=alice,@staff hosts_allow=10.0.0.0/24,127.0.0.1");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.opts[0].key, "write list");
	assert_string_equal(r.opts[0].value, "alice,@staff");
	assert_string_equal(r.opts[1].value, "10.0.0.0/24,127.0.0.1");
	parsed_free(&r);
}

static void unknown_option_is_rejected_with_hint(void **state)
{
	(void)state;
	struct parsed r = parse("browseable=yes bogus=1");
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err, "unknown share option 'bogus'");
	assert_non_null(strstr(r.hint, "supported: browseable, writable"));
	parsed_free(&r);
}

static void command_options_are_refused(void **state)
{
	(void)state;
	struct parsed r = parse("root_preexec=/bin/sh");
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err, "share option 'root preexec' is not allowed: it runs programs or reads other files");
	parsed_free(&r);
	r = parse("include=/etc/passwd");
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err, "share option 'include' is not allowed: it runs programs or reads other files");
	parsed_free(&r);
}

static void path_and_valid_users_have_their_own_fields(void **state)
{
	(void)state;
	struct parsed r = parse("path=/etc");
	assert_string_equal(r.err, "share option 'path' is not allowed in options");
	assert_string_equal(r.hint, "give the directory as the share's \"path\"");
	parsed_free(&r);
	r = parse("valid_users=bob");
	assert_string_equal(r.err, "share option 'valid users' is not allowed in options");
	parsed_free(&r);
}

static void bad_values_are_rejected(void **state)
{
	(void)state;
	struct parsed r = parse("browseable=maybe");
	assert_string_equal(r.err, "share option 'browseable': 'maybe' is not a boolean");
	assert_string_equal(r.hint, "use yes or no");
	parsed_free(&r);
	r = parse("create_mask=0999");
	assert_string_equal(r.err, "share option 'create mask': '0999' is not an octal mode");
	parsed_free(&r);
	r = parse("force_user=bad;name");
	assert_string_equal(r.err, "share option 'force user': invalid name 'bad;name'");
	parsed_free(&r);
	r = parse("comment=\"100%\"");
	assert_string_equal(r.err, "share option 'comment': invalid value '100%'");
	parsed_free(&r);
	r = parse("smb_encrypt=sometimes");
	assert_non_null(strstr(r.err, "share option 'smb encrypt': 'sometimes' is not one of default, off"));
	parsed_free(&r);
}

static void synonyms_of_one_parameter_conflict(void **state)
{
	(void)state;
	struct parsed r = parse("writable=yes read_only=yes");
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err, "share options 'writable' and 'read only' set the same Samba parameter");
	parsed_free(&r);
	r = parse("browseable=yes browseable=no");
	assert_string_equal(r.err, "share option 'browseable' is given twice");
	parsed_free(&r);
}

static void malformed_tokens_are_rejected(void **state)
{
	(void)state;
	struct parsed r = parse("browseable");
	assert_string_equal(r.err, "malformed share option 'browseable'");
	assert_string_equal(r.hint,
			    "write options as key=value separated by spaces, e.g. \"browseable=yes writable=yes\"");
	parsed_free(&r);
	r = parse("comment=\"open");
	assert_string_equal(r.err, "share option 'comment': missing closing quote");
	parsed_free(&r);
	r = parse("browseable=");
	assert_string_equal(r.err, "share option 'browseable' has no value");
	parsed_free(&r);
}

static void share_paths_are_normalised(void **state)
{
	(void)state;
	char *err = NULL;
	char *p = samba_share_path("quickOS/shared-prod-data", &err);
	assert_string_equal(p, "/quickOS/shared-prod-data");
	free(p);
	p = samba_share_path("//tank//a/", &err);
	assert_string_equal(p, "/tank/a");
	free(p);
	assert_null(samba_share_path("tank/../etc", &err));
	assert_string_equal(err, "share path 'tank/../etc' contains '..'");
	free(err);
	assert_null(samba_share_path("/home/%U", &err));
	assert_string_equal(err, "share path '/home/%U' contains '%' (smb.conf macros are not supported)");
	free(err);
	assert_null(samba_share_path("/", &err));
	free(err);
}

static void share_names_are_checked(void **state)
{
	(void)state;
	assert_true(samba_share_name_ok("shared-prod-data"));
	assert_true(samba_share_name_ok("hidden$"));
	assert_false(samba_share_name_ok("a]b"));
	assert_false(samba_share_name_ok("two words"));
	assert_false(samba_share_name_ok(""));
	assert_false(samba_share_name_ok("$"));
}

/* ---- the samba section ---- */

static int load(const char *json, struct samba_config *cfg, struct diag_list *dl)
{
	struct config_src src = { 0 };
	src.path = strdup("test.json");
	src.text = strdup(json);
	src.len = strlen(json);
	json_error_t je;
	src.root = json_loads(json, 0, &je);
	assert_non_null(src.root);
	int rc = samba_config_load(&src, cfg, dl);
	config_src_free(&src);
	return rc;
}

static void reference_section_loads(void **state)
{
	(void)state;
	struct samba_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(load("{\"samba\": {\"user\": \"heads\", \"shares\": [{\"name\": \"shared-prod-data\","
			      " \"path\": \"quickOS/shared-prod-data\", \"options\": \"browseable=yes writable=yes\","
			      " \"valid_users\": [\"heads\"]}]}}", &cfg, &dl), 0);
	assert_int_equal(dl.n, 0);
	assert_true(cfg.present);
	assert_string_equal(cfg.user, "heads");
	assert_string_equal(cfg.smb_conf, "/etc/samba/smb.conf");
	assert_string_equal(cfg.shares_file, "/etc/samba/phoenix-shares.conf");
	assert_int_equal(cfg.n_shares, 1);
	assert_string_equal(cfg.shares[0].path, "/quickOS/shared-prod-data");
	char *sum = samba_share_summary(&cfg.shares[0]);
	assert_string_equal(sum, "browseable=yes, writable=yes, valid users=heads");
	free(sum);
	samba_config_free(&cfg);
	diag_list_free(&dl);
}

static void shares_file_renders_every_share(void **state)
{
	(void)state;
	struct samba_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(load("{\"samba\": {\"smb_conf\": \"/srv/smb/smb.conf\", \"shares\": ["
			      "{\"name\": \"a\", \"path\": \"tank/a\", \"options\": \"browseable=yes writable=yes\","
			      " \"valid_users\": [\"heads\", \"@staff\"]},"
			      "{\"name\": \"b\", \"path\": \"/tank/b\"}]}}", &cfg, &dl), 0);
	assert_string_equal(cfg.shares_file, "/srv/smb/phoenix-shares.conf");
	char *text = samba_render_shares(&cfg, "/tmp/r");
	const char *expect =
		"# Samba shares managed by phoenix-storage from the samba section of the\n"
		"# hypervisor config. Do not edit: apply rewrites this file. smb.conf\n"
		"# includes it with one \"include =\" line.\n"
		"\n[a]\n\tpath = /tmp/r/tank/a\n\tbrowseable = yes\n\twritable = yes\n\tvalid users = heads,@staff\n"
		"\n[b]\n\tpath = /tmp/r/tank/b\n";
	assert_string_equal(text, expect);
	free(text);
	samba_config_free(&cfg);
	diag_list_free(&dl);
}

static void every_problem_is_reported_at_its_position(void **state)
{
	(void)state;
	struct samba_config cfg;
	struct diag_list dl = { 0 };
	const char *json = "{\"samba\": {\n"
			   "  \"user\": \"heads\",\n"
			   "  \"password\": \"secret\",\n"
			   "  \"shares\": [\n"
			   "    {\"name\": \"a\", \"path\": \"tank/a\", \"options\": \"browseable=yes bogus=1\"},\n"
			   "    {\"name\": \"A\", \"path\": \"tank/b\"},\n"
			   "    {\"name\": \"global\", \"path\": \"tank/../c\"}\n"
			   "  ]}}";
	assert_int_equal(load(json, &cfg, &dl), -1);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 5);
	assert_string_equal(dl.v[0].msg, "passwords are never read from the config");
	assert_string_equal(dl.v[0].jpath, "samba.password");
	assert_int_equal(dl.v[0].line, 3);
	assert_string_equal(dl.v[1].msg, "unknown share option 'bogus'");
	assert_string_equal(dl.v[1].jpath, "samba.shares[0].options");
	assert_int_equal(dl.v[1].line, 5);
	assert_string_equal(dl.v[2].msg, "share 'A' is defined twice (also samba.shares[0])");
	assert_string_equal(dl.v[3].msg, "share name 'global' is reserved by Samba");
	assert_string_equal(dl.v[4].msg, "share path 'tank/../c' contains '..'");
	samba_config_free(&cfg);
	diag_list_free(&dl);
}

static void absent_section_is_not_present(void **state)
{
	(void)state;
	struct samba_config cfg;
	struct diag_list dl = { 0 };
	assert_int_equal(load("{\"zfs\": {}}", &cfg, &dl), 0);
	assert_false(cfg.present);
	samba_config_free(&cfg);
	samba_config_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_options_parse_in_order),
		cmocka_unit_test(keys_are_matched_like_samba_does),
		cmocka_unit_test(quoted_values_may_hold_spaces),
		cmocka_unit_test(lists_are_normalised),
		cmocka_unit_test(unknown_option_is_rejected_with_hint),
		cmocka_unit_test(command_options_are_refused),
		cmocka_unit_test(path_and_valid_users_have_their_own_fields),
		cmocka_unit_test(bad_values_are_rejected),
		cmocka_unit_test(synonyms_of_one_parameter_conflict),
		cmocka_unit_test(malformed_tokens_are_rejected),
		cmocka_unit_test(share_paths_are_normalised),
		cmocka_unit_test(share_names_are_checked),
		cmocka_unit_test(reference_section_loads),
		cmocka_unit_test(shares_file_renders_every_share),
		cmocka_unit_test(every_problem_is_reported_at_its_position),
		cmocka_unit_test(absent_section_is_not_present),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
