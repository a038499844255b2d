/*
 * Fuzz target: smb.conf, read (sections, parameters, continuations) and
 * edited in place (the one "include = FILE" line the tool adds).
 *
 * Input: an smb.conf. Checks: every section and parameter read is found by
 * the lookups; adding the include keeps every byte of the input and adds only
 * the include line (and the newlines that end the input's last line); the
 * edited text counts the include once, reads as a Samba parameter, keeps
 * every other parameter, and a second add changes nothing; a text that counts
 * as including the file reads as including it; refused paths change nothing.
 * Also: the pdbedit -L and smbcontrol ping readers on the same bytes.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include "state/samba_state.h"
#include "util/strbuf.h"

static const char INCLUDE[] = "/etc/samba/phoenix-shares.conf";

/* Is key "include" the way Samba compares names (no case, no ' ', '_', '-' or TAB)? */
static bool is_include(const char *key)
{
	char k[16];
	size_t n = 0;
	for (; *key && n < sizeof(k) - 1; key++)
		if (!strchr(" _-\t", *key))
			k[n++] = *key;
	k[n] = '\0';
	return !*key && !strcasecmp(k, "include");
}

/* Does a parameter of doc say "include = INCLUDE"? */
static bool doc_includes(const struct smb_doc *doc)
{
	for (size_t i = 0; i < doc->n; i++)
		for (size_t k = 0; k < doc->v[i].n_params; k++)
			if (is_include(doc->v[i].params[k].key) && !strcmp(doc->v[i].params[k].value, INCLUDE))
				return true;
	return false;
}

static void check_lookups(const struct smb_doc *doc)
{
	for (size_t i = 0; i < doc->n; i++) {
		const struct smb_section *s = smbconf_section(doc, doc->v[i].name);
		FUZZ_CHECK(s && !strcasecmp(s->name, doc->v[i].name), "section '%s' not found", doc->v[i].name);
		FUZZ_CHECK(s == &doc->v[i], "section '%s' read twice", doc->v[i].name);
		for (size_t k = 0; k < s->n_params; k++)
			FUZZ_CHECK(smb_section_get(s, s->params[k].key), "parameter '%s' not found", s->params[k].key);
	}
}

/* Every parameter of a is in b, in order, in the section of the same name. */
static void same_params(const struct smb_doc *a, const struct smb_doc *b)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct smb_section *s = &a->v[i], *t = smbconf_section(b, s->name);
		FUZZ_CHECK(t && t->n_params >= s->n_params, "section '%s' lost parameters", s->name);
		for (size_t k = 0; k < s->n_params; k++) {
			fuzz_same_str("parameter name", s->params[k].key, t->params[k].key);
			fuzz_same_str("parameter value", s->params[k].value, t->params[k].value);
		}
	}
}

static void add_include(const char *text, size_t len, const struct smb_doc *doc)
{
	char *out = NULL;
	size_t out_len = 0;
	size_t had = smbconf_count_include(text, INCLUDE);
	FUZZ_CHECK(!had || doc_includes(doc), "the text counts as including %s, Samba would not include it", INCLUDE);
	FUZZ_CHECK(smbconf_with_include(text, len, INCLUDE, &out, &out_len) == 0, "include refused");
	if (had) {
		FUZZ_CHECK(!out, "include added twice");
		return;
	}
	FUZZ_CHECK(out && out_len >= len + strlen("include = \n") + strlen(INCLUDE), "include not added");
	fuzz_same("input kept", text, len, out, len);
	const char *tail = out + len;
	tail += strspn(tail, "\n");
	FUZZ_CHECK(tail - (out + len) <= 2, "%zu newlines before the include", (size_t)(tail - (out + len)));
	char *line = xasprintf("include = %s\n", INCLUDE);
	fuzz_same("include line", line, strlen(line), tail, strlen(tail));
	free(line);
	FUZZ_CHECK(smbconf_count_include(out, INCLUDE) == 1, "include counted %zu times",
		   smbconf_count_include(out, INCLUDE));
	struct smb_doc after;
	smbconf_parse(out, &after);
	FUZZ_CHECK(doc_includes(&after), "the added include does not read as a parameter");
	same_params(doc, &after);
	smbconf_doc_free(&after);
	char *again = NULL;
	FUZZ_CHECK(smbconf_with_include(out, out_len, INCLUDE, &again, NULL) == 0 && !again, "second add changed the text");
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct smb_doc doc;
	smbconf_parse(text, &doc);
	check_lookups(&doc);
	/* A NUL byte ends the text for every reader here: the edit is checked on NUL-free input. */
	if (!memchr(data, '\0', size))
		add_include(text, size, &doc);
	char *out = NULL;
	FUZZ_CHECK(smbconf_with_include(text, size, "/a\nb", &out, NULL) == -EINVAL && !out, "newline accepted");
	FUZZ_CHECK(smbconf_with_include(text, size, "/a\\", &out, NULL) == -EINVAL && !out, "final '\\' accepted");
	FUZZ_CHECK(smbconf_with_include(text, size, "", &out, NULL) == -EINVAL && !out, "empty path accepted");
	smbconf_doc_free(&doc);

	struct strvec users = { 0 };
	pdbedit_parse_users(text, &users);
	for (size_t i = 0; i < users.n; i++)
		FUZZ_CHECK(*users.v[i] && !strchr(users.v[i], ':') && !strchr(users.v[i], '\n'), "user '%s'", users.v[i]);
	sv_free(&users);
	FUZZ_CHECK(smbcontrol_parse_pong(text) >= 0, "negative pid");
	free(text);
	return 0;
}
