#include "formats/smbconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"
#include "util/strbuf.h"

/* A parameter name as Samba reads it: lower case, runs of white space one space, trimmed. */
static char *param_name(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isspace(c)) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sb_addc(&sb, ' ');
		space = false;
		sb_addc(&sb, (char)tolower(c));
	}
	return sb_detach(&sb);
}

/* Key without case, spaces, '_' or '-': how Samba compares parameter names. */
static bool key_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '_' || *a == '-' || *a == '\t')
			a++;
		while (*b == ' ' || *b == '_' || *b == '-' || *b == '\t')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}

/* A section by name; a name seen before continues that section (as Samba does). */
static struct smb_section *add_section(struct smb_doc *doc, const char *name)
{
	for (size_t i = 0; i < doc->n; i++)
		if (!strcasecmp(doc->v[i].name, name))
			return &doc->v[i];
	doc->v = xrealloc(doc->v, (doc->n + 1) * sizeof(*doc->v));
	struct smb_section *s = &doc->v[doc->n++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	return s;
}

static void parse_line(struct smb_doc *doc, struct smb_section **cur, const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#' || *line == ';')
		return;
	if (*line == '[') {
		const char *end = strchr(line, ']');
		if (!end)
			return;
		char *name = str_trim_dup(line + 1, (size_t)(end - line - 1));
		*cur = add_section(doc, name);
		free(name);
		return;
	}
	const char *eq = strchr(line, '=');
	if (!eq)
		return;
	if (!*cur)
		*cur = add_section(doc, "global");
	struct smb_section *s = *cur;
	s->params = xrealloc(s->params, (s->n_params + 1) * sizeof(*s->params));
	s->params[s->n_params].key = param_name(line, (size_t)(eq - line));
	s->params[s->n_params].value = str_trim_dup(eq + 1, strlen(eq + 1));
	s->n_params++;
}

void smbconf_parse(const char *text, struct smb_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
	struct smb_section *cur = NULL;
	struct strbuf logical = STRBUF_INIT;
	sb_init(&logical);
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t m = n;
		if (m && p[m - 1] == '\r')
			m--;
		if (m && p[m - 1] == '\\') {
			sb_add(&logical, p, m - 1);
		} else {
			sb_add(&logical, p, m);
			parse_line(doc, &cur, logical.buf);
			sb_reset(&logical);
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	if (logical.len)
		parse_line(doc, &cur, logical.buf);
	sb_release(&logical);
}

void smbconf_doc_free(struct smb_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n; i++) {
		struct smb_section *s = &doc->v[i];
		for (size_t j = 0; j < s->n_params; j++) {
			free(s->params[j].key);
			free(s->params[j].value);
		}
		free(s->params);
		free(s->name);
	}
	free(doc->v);
	memset(doc, 0, sizeof(*doc));
}

const struct smb_section *smbconf_section(const struct smb_doc *doc, const char *name)
{
	for (size_t i = 0; i < doc->n; i++)
		if (!strcasecmp(doc->v[i].name, name))
			return &doc->v[i];
	return NULL;
}

const char *smb_section_get(const struct smb_section *sec, const char *key)
{
	const char *v = NULL;
	for (size_t i = 0; i < sec->n_params; i++)
		if (key_eq(sec->params[i].key, key))
			v = sec->params[i].value;  /* the last one wins, as in Samba */
	return v;
}

size_t smbconf_count_include(const char *text, const char *path)
{
	/* read as Samba reads it: a line continued from the one before ('\\') is no include of its own */
	struct smb_doc doc;
	smbconf_parse(text, &doc);
	size_t count = 0;
	for (size_t i = 0; i < doc.n; i++)
		for (size_t k = 0; k < doc.v[i].n_params; k++)
			count += key_eq(doc.v[i].params[k].key, "include") && !strcmp(doc.v[i].params[k].value, path);
	smbconf_doc_free(&doc);
	return count;
}

int smbconf_with_include(const char *text, size_t len, const char *path, char **out, size_t *out_len)
{
	*out = NULL;
	size_t pl = strlen(path);
	if (!pl || !str_line_ok(path) || path[pl - 1] == '\\')
		return -EINVAL;
	if (smbconf_count_include(text, path))
		return 0;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_add(&sb, text, len);
	if (len && text[len - 1] != '\n')
		sb_addc(&sb, '\n');
	/* A last line ending in '\' (before a '\r', as smbconf_parse reads it) would swallow ours: end it. */
	size_t e = sb.len ? sb.len - 1 : 0;
	if (e && sb.buf[e - 1] == '\r')
		e--;
	if (e && sb.buf[e - 1] == '\\')
		sb_addc(&sb, '\n');
	sb_addf(&sb, "include = %s\n", path);
	if (out_len)
		*out_len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

bool smbconf_value_ok(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	return n && str_line_ok(v) && v[n - 1] != '\\';
}
