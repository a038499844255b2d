#include "formats/ganesha.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"
#include "util/strbuf.h"

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Skips a comment or a quoted string at *i; returns true if it did. */
static bool skip_noise(const char *s, size_t *i)
{
	if (s[*i] == '#') {
		while (s[*i] && s[*i] != '\n')
			(*i)++;
		return true;
	}
	if (s[*i] == '"') {
		(*i)++;
		while (s[*i] && s[*i] != '"') {
			if (s[*i] == '\\' && s[*i + 1])
				(*i)++;
			(*i)++;
		}
		if (s[*i])
			(*i)++;
		return true;
	}
	return false;
}

/* A "key = value;" at depth 1 of block text; value unquoted. NULL when absent. */
static char *block_value(const char *blk, const char *key)
{
	size_t i = 0, kl = strlen(key);
	int depth = 0;
	while (blk[i]) {
		if (skip_noise(blk, &i))
			continue;
		char c = blk[i];
		if (c == '{') {
			depth++;
			i++;
			continue;
		}
		if (c == '}') {
			depth--;
			i++;
			continue;
		}
		if (depth == 1 && !strncasecmp(blk + i, key, kl) && (i == 0 || !ident_char(blk[i - 1])) &&
		    !ident_char(blk[i + kl])) {
			size_t j = i + kl;
			while (blk[j] == ' ' || blk[j] == '\t')
				j++;
			if (blk[j] == '=') {
				j++;
				while (blk[j] == ' ' || blk[j] == '\t')
					j++;
				struct strbuf sb = STRBUF_INIT;
				sb_init(&sb);
				if (blk[j] == '"') {
					j++;
					while (blk[j] && blk[j] != '"')
						sb_addc(&sb, blk[j++]);
				} else {
					while (blk[j] && blk[j] != ';' && blk[j] != '\n' && blk[j] != '}')
						sb_addc(&sb, blk[j++]);
					while (sb.len && isspace((unsigned char)sb.buf[sb.len - 1]))
						sb.buf[--sb.len] = '\0';
				}
				return sb_detach(&sb);
			}
		}
		i++;
	}
	return NULL;
}

/* "# phoenix: clients=A,B options=rw,sync" inside a block we wrote. */
static void block_comment(const char *blk, char **clients, char **options)
{
	const char *c = strstr(blk, "# phoenix: clients=");
	*clients = *options = NULL;
	if (!c)
		return;
	c += strlen("# phoenix: clients=");
	size_t n = strcspn(c, " \n");
	*clients = xstrndup(c, n);
	const char *o = c + n;
	if (!strncmp(o, " options=", 9)) {
		o += 9;
		*options = xstrndup(o, strcspn(o, " \n"));
	} else {
		*options = xstrdup("");
	}
}

int ganesha_parse_exports(const char *text, struct ganesha_exports *g)
{
	memset(g, 0, sizeof(*g));
	const char *s = text ? text : "";
	size_t i = 0;
	while (s[i]) {
		if (skip_noise(s, &i))
			continue;
		if (!strncasecmp(s + i, "EXPORT", 6) && (i == 0 || !ident_char(s[i - 1])) &&
		    !ident_char(s[i + 6])) {
			size_t j = i + 6;
			while (isspace((unsigned char)s[j]))
				j++;
			if (s[j] != '{') {
				i = j;
				continue;
			}
			int depth = 0;
			size_t k = j;
			while (s[k]) {
				if (skip_noise(s, &k))
					continue;
				if (s[k] == '{')
					depth++;
				else if (s[k] == '}' && --depth == 0)
					break;
				k++;
			}
			size_t end = s[k] ? k + 1 : k;
			g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
			struct ganesha_export *e = &g->v[g->n++];
			e->text = xstrndup(s + i, end - i);
			e->path = block_value(e->text + 6, "Path");
			char *id = block_value(e->text + 6, "Export_Id");
			char *endp = NULL;
			e->id = id && *id ? strtol(id, &endp, 10) : -1;
			if (id && endp && *endp)
				e->id = -1;
			free(id);
			block_comment(e->text, &e->clients, &e->options);
			i = end;
			continue;
		}
		i++;
	}
	return 0;
}

void ganesha_exports_free(struct ganesha_exports *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].path);
		free(g->v[i].text);
		free(g->v[i].clients);
		free(g->v[i].options);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

const struct ganesha_export *ganesha_find(const struct ganesha_exports *g, const char *path)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].path && !strcmp(g->v[i].path, path))
			return &g->v[i];
	return NULL;
}

bool ganesha_conf_includes(const char *text, const char *path)
{
	const char *p = text ? text : "";
	size_t pl = strlen(path);
	while (*p) {
		size_t n = strcspn(p, "\n");
		const char *l = p;
		while (l < p + n && (*l == ' ' || *l == '\t'))
			l++;
		if (!strncmp(l, "%include", 8) && (l[8] == ' ' || l[8] == '\t')) {
			const char *a = l + 8;
			while (*a == ' ' || *a == '\t')
				a++;
			bool q = *a == '"';
			if (q)
				a++;
			if ((size_t)(p + n - a) >= pl && !strncmp(a, path, pl)) {
				const char *r = a + pl;
				if (q && *r == '"')
					r++;
				while (r < p + n && (*r == ' ' || *r == '\t' || *r == '\r'))
					r++;
				if (r == p + n || *r == '#')
					return true;
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return false;
}

char *ganesha_block_render(const struct ganesha_block *e)
{
	/* in a quoted ganesha string '\\' escapes the next character: the closing quote too */
	if (!str_field_ok(e->path, "\"\\") || !str_line_ok(e->sec) || !str_line_ok(e->fsid))
		return NULL;
	for (size_t i = 0; i < e->clients->n; i++)
		if (!str_field_ok(e->clients->v[i], "\",;{}\\"))
			return NULL;
	for (size_t i = 0; i < e->options->n; i++)
		if (!str_field_ok(e->options->v[i], ""))
			return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	char *clients = sv_join(e->clients, ",");
	char *opts = sv_join(e->options, ",");
	const char *squash = e->squash == GANESHA_ALL_SQUASH ? "All_Squash"
			     : e->squash == GANESHA_NO_ROOT_SQUASH ? "No_Root_Squash" : "Root_Squash";
	sb_addf(&sb, "EXPORT {\n\t# phoenix: clients=%s options=%s\n", clients, opts);
	sb_addf(&sb, "\tExport_Id = %ld;\n\tPath = \"%s\";\n\tPseudo = \"%s\";\n", e->id, e->path, e->path);
	sb_adds(&sb, "\tProtocols = 3, 4;\n\tAccess_Type = None;\n");
	sb_addf(&sb, "\tSquash = %s;\n", squash);
	struct strbuf sec = STRBUF_INIT;
	sb_init(&sec);
	for (const char *p = e->sec; *p; p++)
		if (*p == ':')
			sb_adds(&sec, ", ");
		else
			sb_addc(&sec, *p);
	sb_addf(&sb, "\tSecType = %s;\n", sec.buf);
	sb_release(&sec);
	if (e->fsid[0] && strcmp(e->fsid, "0") && strspn(e->fsid, "0123456789") == strlen(e->fsid))
		sb_addf(&sb, "\tFilesystem_Id = %s.%s;\n", e->fsid, e->fsid);
	sb_adds(&sb, "\tFSAL {\n\t\tName = VFS;\n\t}\n");
	sb_adds(&sb, "\tCLIENT {\n");
	sb_adds(&sb, "\t\tClients = ");
	for (size_t i = 0; i < e->clients->n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", e->clients->v[i]);
	sb_adds(&sb, ";\n");
	sb_addf(&sb, "\t\tAccess_Type = %s;\n\t\tSquash = %s;\n", e->rw ? "RW" : "RO", squash);
	/* always written: ganesha's own default differs from the kernel's 65534 */
	sb_addf(&sb, "\t\tAnonymous_Uid = %lld;\n\t\tAnonymous_Gid = %lld;\n", e->anonuid, e->anongid);
	for (size_t i = 0; i < e->options->n; i++) {
		if (!strcmp(e->options->v[i], "secure"))
			sb_adds(&sb, "\t\tPrivilegedPort = true;\n");
		if (!strcmp(e->options->v[i], "insecure"))
			sb_adds(&sb, "\t\tPrivilegedPort = false;\n");
	}
	sb_adds(&sb, "\t}\n}");
	free(clients);
	free(opts);
	return sb_detach(&sb);
}

char *ganesha_conf_add_include(const char *text, const char *include)
{
	if (!str_field_ok(include, "\"\\"))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_adds(&sb, text ? text : "");
	if (sb.len && sb.buf[sb.len - 1] != '\n')
		sb_addc(&sb, '\n');
	sb_addf(&sb, "\n# Added by phoenix-storage: the exports of its nfs section.\n%%include \"%s\"\n", include);
	return sb_detach(&sb);
}
