#include "formats/storage_cfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"

/* Splits text into lines that keep their '\n'. */
static void split_lines(struct strvec *out, const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			char *l = xstrndup(text + start, i + 1 - start);
			sv_push(out, l);
			free(l);
			start = i + 1;
		}
	}
	if (start < len) {
		char *l = xstrndup(text + start, len - start);
		sv_push(out, l);
		free(l);
	}
}

/* The line without its line end. Caller frees. */
static char *bare(const char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	return xstrndup(line, n);
}

static bool is_comment(const char *l)
{
	while (*l == ' ' || *l == '\t')
		l++;
	return *l == '#';
}

/* Matches `^(\S+):\s*(\S+)\s*$` the way Perl's greedy match does. */
static bool parse_header(const char *l, char **type, char **id)
{
	if (!*l || str_is_space(*l))
		return false;
	size_t t = 0;
	while (l[t] && !str_is_space(l[t]))
		t++;
	const char *r = l + t;
	while (*r && str_is_space(*r))
		r++;
	if (!*r) {
		/* one token: TYPE:ID with the last ':' that leaves a non-empty id */
		const char *colon = NULL;
		for (size_t i = 1; i + 1 < t; i++)
			if (l[i] == ':')
				colon = l + i;
		if (!colon)
			return false;
		*type = xstrndup(l, (size_t)(colon - l));
		*id = xstrndup(colon + 1, t - (size_t)(colon - l) - 1);
		return true;
	}
	if (t < 2 || l[t - 1] != ':')
		return false;
	size_t idl = 0;
	while (r[idl] && !str_is_space(r[idl]))
		idl++;
	const char *e = r + idl;
	while (*e && str_is_space(*e))
		e++;
	if (*e)
		return false;
	*type = xstrndup(l, t - 1);
	*id = xstrndup(r, idl);
	return true;
}

/* Matches `^\s+(\S+)(\s+(.*\S))?\s*$`. */
static bool parse_prop(const char *l, char **key, char **value)
{
	if (!str_is_space(*l))
		return false;
	while (*l && str_is_space(*l))
		l++;
	if (!*l)
		return false;
	size_t k = 0;
	while (l[k] && !str_is_space(l[k]))
		k++;
	*key = xstrndup(l, k);
	const char *v = l + k;
	while (*v && str_is_space(*v))
		v++;
	size_t vl = strlen(v);
	while (vl && str_is_space(v[vl - 1]))
		vl--;
	*value = vl ? xstrndup(v, vl) : NULL;
	return true;
}

static void sections_free(struct storage_cfg *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct scfg_section *s = &c->v[i];
		free(s->type);
		free(s->id);
		for (size_t j = 0; j < s->n_props; j++) {
			free(s->props[j].key);
			free(s->props[j].value);
		}
		free(s->props);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* Rebuilds the section index from the lines. */
static void index_sections(struct storage_cfg *c)
{
	sections_free(c);
	size_t i = 0, n = c->lines.n;
	while (i < n) {
		char *l = bare(c->lines.v[i]);
		char *type = NULL, *id = NULL;
		if (!*l || is_comment(l) || !parse_header(l, &type, &id)) {
			free(l);
			i++;
			continue;
		}
		free(l);
		c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
		struct scfg_section *s = &c->v[c->n++];
		memset(s, 0, sizeof(*s));
		s->type = type;
		s->id = id;
		s->header = i;
		s->last = i;
		for (i++; i < n; i++) {
			char *pl = bare(c->lines.v[i]);
			if (!*pl) {
				free(pl);
				break;
			}
			char *k = NULL, *v = NULL;
			if (!is_comment(pl) && parse_prop(pl, &k, &v)) {
				s->props = xrealloc(s->props, (s->n_props + 1) * sizeof(*s->props));
				s->props[s->n_props++] = (struct scfg_prop){ k, v, i };
			}
			if (!is_comment(pl))
				s->last = i;
			free(pl);
		}
	}
}

void storage_cfg_parse(struct storage_cfg *c, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	split_lines(&c->lines, text, len);
	index_sections(c);
}

char *storage_cfg_serialize(const struct storage_cfg *c)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < c->lines.n; i++)
		sb_adds(&sb, c->lines.v[i]);
	return sb_detach(&sb);
}

void storage_cfg_free(struct storage_cfg *c)
{
	if (!c)
		return;
	sections_free(c);
	sv_free(&c->lines);
}

const struct scfg_section *storage_cfg_find(const struct storage_cfg *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].id, id))
			return &c->v[i];
	return NULL;
}

const char *scfg_get(const struct scfg_section *s, const char *key)
{
	for (size_t i = 0; i < s->n_props; i++)
		if (!strcmp(s->props[i].key, key))
			return s->props[i].value ? s->props[i].value : "1";
	return NULL;
}

/* Inserts line (copied) before index at. */
static void insert_line(struct strvec *sv, size_t at, const char *line)
{
	sv_push(sv, line);
	char *tmp = sv->v[sv->n - 1];
	memmove(&sv->v[at + 1], &sv->v[at], (sv->n - 1 - at) * sizeof(*sv->v));
	sv->v[at] = tmp;
}

static void delete_lines(struct strvec *sv, size_t from, size_t count)
{
	for (size_t i = from; i < from + count; i++)
		free(sv->v[i]);
	memmove(&sv->v[from], &sv->v[from + count], (sv->n - from - count) * sizeof(*sv->v));
	sv->n -= count;
	sv->v[sv->n] = NULL;
}

/* Makes sure line i ends with a newline (the last line of a file may not). */
static void terminate_line(struct strvec *sv, size_t i)
{
	size_t l = strlen(sv->v[i]);
	if (!l || sv->v[i][l - 1] != '\n') {
		char *t = xasprintf("%s\n", sv->v[i]);
		free(sv->v[i]);
		sv->v[i] = t;
	}
}

/* A section type, id or key: one word of printable text, not starting a comment. */
static bool word_ok(const char *s)
{
	if (!s || !*s || *s == '#' || !str_line_ok(s))
		return false;
	for (; *s; s++)
		if (str_is_space(*s))
			return false;
	return true;
}

/* A property value: absent, or the rest of one line. */
static bool value_ok(const char *v)
{
	return !v || str_line_ok(v);
}

int storage_cfg_add(struct storage_cfg *c, const char *type, const char *id,
		    const char *const *keys, const char *const *values, size_t n)
{
	if (!word_ok(type) || !word_ok(id))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!word_ok(keys[i]) || !value_ok(values[i]))
			return -EINVAL;
	if (storage_cfg_find(c, id))
		return -1;
	if (c->lines.n) {
		terminate_line(&c->lines, c->lines.n - 1);
		char *last = bare(c->lines.v[c->lines.n - 1]);
		if (*last)
			sv_push(&c->lines, "\n");
		free(last);
	}
	sv_pushf(&c->lines, "%s: %s\n", type, id);
	for (size_t i = 0; i < n; i++) {
		if (values[i] && *values[i])
			sv_pushf(&c->lines, "\t%s %s\n", keys[i], values[i]);
		else
			sv_pushf(&c->lines, "\t%s\n", keys[i]);
	}
	sv_push(&c->lines, "\n");
	index_sections(c);
	return 0;
}

int storage_cfg_set(struct storage_cfg *c, const char *id, const char *key, const char *value)
{
	if (!word_ok(key) || !value_ok(value))
		return -EINVAL;
	const struct scfg_section *s = storage_cfg_find(c, id);
	if (!s)
		return -1;
	char *line = value && *value ? xasprintf("\t%s %s\n", key, value) : xasprintf("\t%s\n", key);
	for (size_t i = 0; i < s->n_props; i++) {
		if (!strcmp(s->props[i].key, key)) {
			size_t at = s->props[i].line;
			free(c->lines.v[at]);
			c->lines.v[at] = line;
			index_sections(c);
			return 0;
		}
	}
	size_t after = s->n_props ? s->props[s->n_props - 1].line : s->header;
	terminate_line(&c->lines, after);
	insert_line(&c->lines, after + 1, line);
	free(line);
	index_sections(c);
	return 0;
}

int storage_cfg_unset(struct storage_cfg *c, const char *id, const char *key)
{
	const struct scfg_section *s = storage_cfg_find(c, id);
	if (!s)
		return -1;
	for (size_t i = s->n_props; i-- > 0;) {
		if (!strcmp(s->props[i].key, key)) {
			delete_lines(&c->lines, s->props[i].line, 1);
			index_sections(c);
			s = storage_cfg_find(c, id);
		}
	}
	return 0;
}

int storage_cfg_remove(struct storage_cfg *c, const char *id)
{
	const struct scfg_section *s = storage_cfg_find(c, id);
	if (!s)
		return -1;
	size_t from = s->header, end = s->last + 1;
	/* the section runs to its terminating empty line (comments inside included) */
	while (end < c->lines.n) {
		char *l = bare(c->lines.v[end]);
		bool empty = !*l;
		free(l);
		end++;
		if (empty)
			break;
	}
	delete_lines(&c->lines, from, end - from);
	index_sections(c);
	return 0;
}

char *pve_content_normalize(const char *content)
{
	struct strvec items = { 0 };
	const char *p = content ? content : "";
	while (*p) {
		size_t n = strcspn(p, ",");
		size_t s = 0, e = n;
		while (s < e && str_is_space(p[s]))
			s++;
		while (e > s && str_is_space(p[e - 1]))
			e--;
		if (e > s) {
			char *it = xstrndup(p + s, e - s);
			bool dup = false;
			for (size_t i = 0; i < items.n; i++)
				dup |= !strcmp(items.v[i], it);
			if (!dup)
				sv_push(&items, it);
			free(it);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (items.n)
		qsort(items.v, items.n, sizeof(*items.v), str_cmp_ptr);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < items.n; i++)
		sb_addf(&sb, "%s%s", i ? "," : "", items.v[i]);
	sv_free(&items);
	return sb_detach(&sb);
}
