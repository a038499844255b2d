#include "util/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

void diag_add(struct diag_list *dl, enum diag_level level, const char *file, int line,
	      int col, const char *jpath, const char *hint, const char *fmt, ...)
{
	if (dl->n == dl->cap) {
		dl->cap = dl->cap ? dl->cap * 2 : 8;
		dl->v = xrealloc(dl->v, dl->cap * sizeof(*dl->v));
	}
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	struct diag *d = &dl->v[dl->n++];
	d->level = level;
	d->file = file ? xstrdup(file) : NULL;
	d->line = line;
	d->col = col;
	d->jpath = jpath ? xstrdup(jpath) : NULL;
	d->msg = sb_detach(&sb);
	d->hint = hint ? xstrdup(hint) : NULL;
	d->scope = NULL;
}

size_t diag_count(const struct diag_list *dl, enum diag_level level)
{
	size_t n = 0;
	for (size_t i = 0; i < dl->n; i++)
		n += dl->v[i].level == level;
	return n;
}

static const char *level_name(enum diag_level l)
{
	switch (l) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

void diag_print_one(FILE *f, const struct diag *d)
{
	if (d->file) {
		fputs(d->file, f);
		if (d->line > 0)
			fprintf(f, ":%d:%d", d->line, d->col);
		fputs(": ", f);
	}
	fprintf(f, "%s: ", level_name(d->level));
	if (d->jpath && *d->jpath)
		fprintf(f, "%s: ", d->jpath);
	fprintf(f, "%s\n", d->msg);
	if (d->hint)
		fprintf(f, "  hint: %s\n", d->hint);
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *diag_to_json(const struct diag *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "level", json_string(level_name(d->level)));
	json_object_set_new(o, "severity", json_string(level_name(d->level)));
	json_object_set_new(o, "message", json_string(d->msg));
	json_object_set_new(o, "file", string_or_null(d->file));
	json_object_set_new(o, "line", d->line > 0 ? json_integer(d->line) : json_null());
	json_object_set_new(o, "column", d->line > 0 ? json_integer(d->col) : json_null());
	json_object_set_new(o, "path", string_or_null(d->jpath));
	json_object_set_new(o, "hint", string_or_null(d->hint));
	json_object_set_new(o, "subsystem", string_or_null(d->scope));
	return o;
}

void diag_print(FILE *f, const struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		diag_print_one(f, &dl->v[i]);
}

void diag_list_free(struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++) {
		free(dl->v[i].file);
		free(dl->v[i].jpath);
		free(dl->v[i].msg);
		free(dl->v[i].hint);
	}
	free(dl->v);
	dl->v = NULL;
	dl->n = dl->cap = 0;
}

void diag_move(struct diag_list *dst, struct diag_list *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (dst->n == dst->cap) {
			dst->cap = dst->cap ? dst->cap * 2 : 8;
			dst->v = xrealloc(dst->v, dst->cap * sizeof(*dst->v));
		}
		dst->v[dst->n++] = src->v[i];
	}
	free(src->v);
	src->v = NULL;
	src->n = src->cap = 0;
}
