#include "formats/jobstate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static bool kind_ok(const char *k, size_t n)
{
	return (n == 3 && !memcmp(k, "job", 3)) || (n == 4 && !memcmp(k, "trim", 4));
}

static bool name_ok(const char *s, size_t n)
{
	if (!n || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

/* The index of (kind, name), or where it goes (*found false). */
static size_t find(const struct jobstate *js, const char *kind, const char *name, bool *found)
{
	size_t lo = 0, hi = js->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(js->v[mid].kind, kind);
		if (!c)
			c = strcmp(js->v[mid].name, name);
		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

int jobstate_set(struct jobstate *js, const char *kind, const char *name, int64_t at)
{
	if (!kind_ok(kind, strlen(kind)) || !name_ok(name, strlen(name)) || at < 0 || at > JOBSTATE_MAX_EPOCH)
		return -1;
	bool found;
	size_t i = find(js, kind, name, &found);
	if (found) {
		js->v[i].at = at;
		return 0;
	}
	js->v = xrealloc(js->v, (js->n + 1) * sizeof(*js->v));
	memmove(&js->v[i + 1], &js->v[i], (js->n - i) * sizeof(*js->v));
	js->v[i] = (struct jobstate_rec){ xstrdup(kind), xstrdup(name), at };
	js->n++;
	return 0;
}

int64_t jobstate_get(const struct jobstate *js, const char *kind, const char *name)
{
	bool found;
	size_t i = find(js, kind, name, &found);
	return found ? js->v[i].at : -1;
}

/* "123" (at most 12 digits, <= the maximum) -> *at. Returns 0 or -1. */
static int parse_epoch(const char *s, size_t n, int64_t *at)
{
	if (!n || n > 12)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > JOBSTATE_MAX_EPOCH)
		return -1;
	*at = v;
	return 0;
}

/* One record line (without its newline). Returns 0 or -1. */
static int parse_line(const char *l, size_t n, struct jobstate *js)
{
	const char *sp1 = memchr(l, ' ', n);
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l)) : NULL;
	if (!sp2)
		return -1;
	size_t kn = (size_t)(sp1 - l), nn = (size_t)(sp2 - sp1 - 1), en = n - (size_t)(sp2 + 1 - l);
	int64_t at;
	if (!kind_ok(l, kn) || !name_ok(sp1 + 1, nn) || parse_epoch(sp2 + 1, en, &at))
		return -1;
	char *kind = xstrndup(l, kn), *name = xstrndup(sp1 + 1, nn);
	int rc = jobstate_set(js, kind, name, at);
	free(kind);
	free(name);
	return rc;
}

int jobstate_parse(const char *text, const char *file, struct jobstate *js, struct diag_list *dl)
{
	unsigned line = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		line++;
		if (n && p[0] != '#' && parse_line(p, n, js)) {
			diag_add(dl, DIAG_ERROR, file, line, 1, NULL,
				 "the file is the tool's own; remove it and the next run of each job writes it again",
				 "line %u is not 'job|trim NAME EPOCH'", line);
			return -1;
		}
		p += n + (p[n] == '\n');
	}
	return 0;
}

char *jobstate_render(const struct jobstate *js)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "# phoenix-storage jobs v1 (written by phoenix-storage run; times are Unix seconds)\n");
	for (size_t i = 0; i < js->n; i++)
		sb_addf(&sb, "%s %s %lld\n", js->v[i].kind, js->v[i].name, (long long)js->v[i].at);
	return sb_detach(&sb);
}

void jobstate_free(struct jobstate *js)
{
	for (size_t i = 0; js && i < js->n; i++) {
		free(js->v[i].kind);
		free(js->v[i].name);
	}
	if (js) {
		free(js->v);
		js->v = NULL;
		js->n = 0;
	}
}
