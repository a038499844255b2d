/* strbuf: growable NUL-terminated string. buf is never NULL after sb_init. */
#ifndef PH_STRBUF_H
#define PH_STRBUF_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void sb_init(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);
/*
 * Appends each non-empty line of s to sb with one space between them (and
 * one before the first when sb is not empty): a wrapped paragraph as one
 * line. trim: each line without the blanks (space, tab) at its ends first.
 */
void sb_add_joined_lines(struct strbuf *sb, const char *s, bool trim);
/* Returns the buffer (caller frees) and leaves sb empty but valid. */
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);
const char *sb_str(struct strbuf *sb);

/* Allocation helpers that abort on out-of-memory: callers never check. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Append p to a NULL-terminated growable array of strings (vector of char*). */
struct strvec {
	char **v;
	size_t n;
	size_t cap;
};
void sv_push(struct strvec *sv, const char *s);
void sv_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_free(struct strvec *sv);
/* The strings joined with sep between them ("" for none). Caller frees. */
char *sv_join(const struct strvec *sv, const char *sep);
/* Returns a NULL-terminated argv view (valid until the next push). */
const char *const *sv_argv(struct strvec *sv);

#endif
