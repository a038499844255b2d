#include "formats/exports.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/strbuf.h"

/*
 * Next token of an exports line: handles "quotes" and \ooo octal escapes.
 * With parens, white space inside "(...)" does not end it (a client's
 * options); a path is one word, '(' included, as exportfs reads it.
 */
static char *next_token(const char **pp, bool parens)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*pp = p;
		return NULL;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	bool quoted = false;
	int paren = 0;
	while (*p) {
		if (!quoted && !paren && (*p == ' ' || *p == '\t'))
			break;
		if (*p == '"') {
			quoted = !quoted;
			p++;
			continue;
		}
		if (!quoted && parens && *p == '(')
			paren++;
		if (!quoted && *p == ')' && paren)
			paren--;
		if (*p == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			sb_addc(&sb, (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0')));
			p += 4;
			continue;
		}
		sb_addc(&sb, *p++);
	}
	*pp = p;
	return sb_detach(&sb);
}

static void parse_export_line(const char *line, const char *file, int lineno, struct nfs_file *f)
{
	const char *p = line;
	char *path = next_token(&p, false);
	if (!path)
		return;
	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	struct nfs_file_export *e = &f->v[f->n++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->file = xstrdup(file ? file : "");
	e->line = lineno;
	char *defaults = xstrdup("");
	char *tok;
	while ((tok = next_token(&p, true))) {
		if (tok[0] == '-') {
			free(defaults);
			defaults = xstrdup(tok + 1);
		} else {
			char *lp = strchr(tok, '(');
			if (lp) {
				char *client = xstrndup(tok, (size_t)(lp - tok));
				size_t ol = strlen(lp + 1);
				if (ol && lp[ol] == ')')
					ol--;
				char *opts = xstrndup(lp + 1, ol);
				sv_push(&e->clients, *client ? client : "*");
				sv_push(&e->opts, opts);
				free(client);
				free(opts);
			} else {
				sv_push(&e->clients, tok);
				sv_push(&e->opts, defaults);
			}
		}
		free(tok);
	}
	free(defaults);
}

int nfs_parse_exports_file(const char *text, const char *file, struct nfs_file *f)
{
	const char *p = text ? text : "";
	int lineno = 0;
	struct strbuf logical = STRBUF_INIT;
	sb_init(&logical);
	int start = 1;
	while (*p) {
		size_t n = strcspn(p, "\n");
		lineno++;
		/* strip the comment (a '#' outside quotes) */
		bool quoted = false;
		size_t cut = n;
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '"')
				quoted = !quoted;
			else if (p[i] == '#' && !quoted) {
				cut = i;
				break;
			}
		}
		if (!logical.len)
			start = lineno;
		bool cont = cut == n && n && p[n - 1] == '\\';
		sb_add(&logical, p, cont ? n - 1 : cut);
		if (cont)
			sb_addc(&logical, ' ');
		p += n;
		if (*p == '\n')
			p++;
		if (!cont) {
			parse_export_line(logical.buf, file, start, f);
			sb_reset(&logical);
		}
	}
	if (logical.len)
		parse_export_line(logical.buf, file, start, f);
	sb_release(&logical);
	return 0;
}

void nfs_file_free(struct nfs_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].file);
		sv_free(&f->v[i].clients);
		sv_free(&f->v[i].opts);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

char *nfs_render_line(const char *path, const struct strvec *clients, const struct strvec *opts)
{
	/* '#' starts a comment anywhere in an exports line */
	if (!str_field_ok(path, "\"#\\"))
		return NULL;
	for (size_t i = 0; i < clients->n; i++)
		if (!str_field_ok(clients->v[i], "\"()#\\"))
			return NULL;
	for (size_t i = 0; i < opts->n; i++)
		if (!str_field_ok(opts->v[i], "\"(),#\\"))
			return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_adds(&sb, path);
	char *o = sv_join(opts, ",");
	for (size_t i = 0; i < clients->n; i++) {
		if (*o)
			sb_addf(&sb, " %s(%s)", clients->v[i], o);
		else
			sb_addf(&sb, " %s", clients->v[i]);
	}
	free(o);
	return sb_detach(&sb);
}
