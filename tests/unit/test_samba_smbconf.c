/* smb.conf text: parsing, the include line (every other byte kept), pdbedit and smbcontrol output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apply/samba_apply.h"
#include "state/samba_state.h"
#include "util/strbuf.h"

#define INC "/etc/samba/phoenix-shares.conf"

static void include_is_appended_at_the_end_keeping_every_byte(void **state)
{
	(void)state;
	/* Tabs, CRLF, trailing spaces, comments and odd casing must all survive. */
	const char *text = "# Samba config\r\n[global]\n   workgroup = WORKGROUP  \n\tserver role=standalone server\n"
			   "; a comment\n\n[hand]\n\tpath = /srv/hand\n\tcomment = by hand";
	size_t n = 0;
	char *out = NULL;
	assert_int_equal(smbconf_with_include(text, strlen(text), INC, &out, &n), 0);
	assert_non_null(out);
	assert_int_equal(n, strlen(out));
	assert_memory_equal(out, text, strlen(text));
	assert_string_equal(out + strlen(text), "\ninclude = " INC "\n");
	free(out);
}

static void include_after_final_newline_adds_only_the_line(void **state)
{
	(void)state;
	const char *text = "[global]\n\tworkgroup = X\n";
	char *out = NULL;
	assert_int_equal(smbconf_with_include(text, strlen(text), INC, &out, NULL), 0);
	assert_string_equal(out, "[global]\n\tworkgroup = X\ninclude = " INC "\n");
	free(out);
}

static void present_include_line_changes_nothing(void **state)
{
	(void)state;
	const char *text = "[global]\n\tInclude=  " INC "   \n[x]\n\tpath = /x\n";
	char *out = (char *)"unchanged";
	assert_int_equal(smbconf_with_include(text, strlen(text), INC, &out, NULL), 0);
	assert_null(out);
	assert_int_equal(smbconf_count_include(text, INC), 1);
}

static void commented_or_other_includes_do_not_count(void **state)
{
	(void)state;
	const char *text = "[global]\n# include = " INC "\n;include = " INC "\n\tinclude = /etc/samba/other.conf\n";
	assert_int_equal(smbconf_count_include(text, INC), 0);
	char *out = NULL;
	assert_int_equal(smbconf_with_include(text, strlen(text), INC, &out, NULL), 0);
	assert_non_null(out);
	assert_int_equal(smbconf_count_include(out, INC), 1);
	free(out);
}

static void an_include_line_continued_from_the_one_before_does_not_count(void **state)
{
	(void)state;
	/* Samba reads "10.0.0.2 Include= ..." as part of hosts allow: nothing is included */
	const char *text = "[global]\n\thosts allow = 10.0.0.1 \\\n\t10.0.0.2\\\n\tInclude = " INC "\n";
	assert_int_equal(smbconf_count_include(text, INC), 0);
	char *out = NULL;
	assert_int_equal(smbconf_with_include(text, strlen(text), INC, &out, NULL), 0);
	assert_non_null(out);
	assert_int_equal(smbconf_count_include(out, INC), 1);
	free(out);
}

static void continuation_backslash_cannot_swallow_the_include(void **state)
{
	(void)state;
	const char *text = "[global]\n\thosts allow = 10.0.0.1 \\\n";
	char *out = NULL;
	assert_int_equal(smbconf_with_include(text, strlen(text), INC, &out, NULL), 0);
	assert_string_equal(out, "[global]\n\thosts allow = 10.0.0.1 \\\n\ninclude = " INC "\n");
	struct smb_doc doc;
	smbconf_parse(out, &doc);
	assert_int_equal(doc.n, 1);
	assert_string_equal(smb_section_get(&doc.v[0], "include"), INC);
	assert_string_equal(smb_section_get(&doc.v[0], "hosts allow"), "10.0.0.1");
	smbconf_doc_free(&doc);
	free(out);
}

/* A CRLF file: the '\\' before "\r\n" continues the line too (found by tests/fuzz). */
static void continuation_before_crlf_cannot_swallow_the_include(void **state)
{
	(void)state;
	static const char *const texts[] = { "[global]\r\n\thosts allow = 10.0.0.1 \\\r\n",
					     "[global]\r\n\thosts allow = 10.0.0.1 \\\r" };
	for (size_t i = 0; i < 2; i++) {
		char *out = NULL;
		assert_int_equal(smbconf_with_include(texts[i], strlen(texts[i]), INC, &out, NULL), 0);
		struct smb_doc doc;
		smbconf_parse(out, &doc);
		assert_int_equal(doc.n, 1);
		assert_string_equal(smb_section_get(&doc.v[0], "include"), INC);
		assert_string_equal(smb_section_get(&doc.v[0], "hosts allow"), "10.0.0.1");
		smbconf_doc_free(&doc);
		free(out);
	}
}

static void empty_file_gets_just_the_line(void **state)
{
	(void)state;
	char *out = NULL;
	assert_int_equal(smbconf_with_include("", 0, INC, &out, NULL), 0);
	assert_string_equal(out, "include = " INC "\n");
	free(out);
}

static void parser_reads_sections_params_and_continuations(void **state)
{
	(void)state;
	const char *text = "workgroup = W\n"
			   "[global]\n  Server   Role = standalone server\n"
			   "# comment = no\n"
			   "[ data ]\n\tpath = /tank/data\n\tvalid users = a, \\\n b\n\tread only = No\n"
			   "[Other]\n\tpath=/x\n";
	struct smb_doc doc;
	smbconf_parse(text, &doc);
	assert_int_equal(doc.n, 3);
	assert_string_equal(doc.v[0].name, "global");
	assert_string_equal(smb_section_get(&doc.v[0], "workgroup"), "W");
	assert_null(smbconf_section(&doc, "comment"));
	const struct smb_section *d = smbconf_section(&doc, "DATA");
	assert_non_null(d);
	assert_string_equal(d->name, "data");
	assert_string_equal(smb_section_get(d, "valid_users"), "a,  b");
	assert_string_equal(smb_section_get(d, "readonly"), "No");
	assert_string_equal(smb_section_get(smbconf_section(&doc, "other"), "path"), "/x");
	/* A section named again continues the first one. */
	assert_string_equal(smb_section_get(&doc.v[0], "server role"), "standalone server");
	smbconf_doc_free(&doc);
	smbconf_doc_free(NULL);
}

static void pdbedit_users_are_listed(void **state)
{
	(void)state;
	struct strvec users = { 0 };
	pdbedit_parse_users("heads:1001:Heads\nbob:1002:\n\n", &users);
	assert_int_equal(users.n, 2);
	assert_string_equal(users.v[0], "heads");
	assert_string_equal(users.v[1], "bob");
	sv_free(&users);
}

static void smbcontrol_pong_gives_the_pid(void **state)
{
	(void)state;
	assert_int_equal(smbcontrol_parse_pong("PONG from pid 8253\n"), 8253);
	assert_int_equal(smbcontrol_parse_pong("PONG from pid 0:8253\n"), 8253);
	assert_int_equal(smbcontrol_parse_pong("Can't find pid for destination 'smbd'\n"), 0);
}

static void password_is_the_first_line(void **state)
{
	(void)state;
	char *pw = samba_password_from_file("s3cret\nignored\n", 15);
	assert_string_equal(pw, "s3cret");
	free(pw);
	pw = samba_password_from_file("with space\r\n", 12);
	assert_string_equal(pw, "with space");
	free(pw);
	assert_null(samba_password_from_file("\n", 1));
	assert_null(samba_password_from_file("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(include_is_appended_at_the_end_keeping_every_byte),
		cmocka_unit_test(include_after_final_newline_adds_only_the_line),
		cmocka_unit_test(present_include_line_changes_nothing),
		cmocka_unit_test(commented_or_other_includes_do_not_count),
		cmocka_unit_test(an_include_line_continued_from_the_one_before_does_not_count),
		cmocka_unit_test(continuation_backslash_cannot_swallow_the_include),
		cmocka_unit_test(continuation_before_crlf_cannot_swallow_the_include),
		cmocka_unit_test(empty_file_gets_just_the_line),
		cmocka_unit_test(parser_reads_sections_params_and_continuations),
		cmocka_unit_test(pdbedit_users_are_listed),
		cmocka_unit_test(smbcontrol_pong_gives_the_pid),
		cmocka_unit_test(password_is_the_first_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
