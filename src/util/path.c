#include "util/path.h"

#include <string.h>

#include "util/strbuf.h"

size_t path_covers(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	if (!n || dir[0] != '/')
		return 0;
	if (!strcmp(dir, "/"))
		return 1;
	return !strncmp(dir, path, n) && (path[n] == '/' || path[n] == '\0') ? n : 0;
}

static int add_components(struct strbuf *sb, const char *p, const char **bad, size_t *bad_len)
{
	while (*p) {
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			*bad = p;
			*bad_len = n;
			return -1;
		}
		if (n) {
			sb_addc(sb, '/');
			sb_add(sb, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

char *path_clean(const char *prefix, const char *path, const char **bad, size_t *bad_len)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	const char *b = NULL;
	size_t bl = 0;
	if ((prefix && add_components(&sb, prefix, &b, &bl)) || add_components(&sb, path, &b, &bl)) {
		if (bad)
			*bad = b;
		if (bad_len)
			*bad_len = bl;
		sb_release(&sb);
		return NULL;
	}
	if (!sb.len)
		sb_addc(&sb, '/');
	return sb_detach(&sb);
}

char *path_dir(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s != path ? xstrndup(path, (size_t)(s - path)) : xstrdup("/");
}

int path_depth(const char *s)
{
	int d = 0;
	for (; *s; s++)
		d += *s == '/';
	return d;
}
