#include "util/str.h"

#include <ctype.h>
#include <string.h>

#include "util/strbuf.h"

const char str_ctrl_hint[] =
	"a value must be one line of printable text: it is written into a line of a file or one argument of a command";

long str_ctrl_at(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return (long)(c - (const unsigned char *)s);
	return -1;
}

bool str_line_ok(const char *s)
{
	return s && str_ctrl_at(s) < 0;
}

const char *str_ctrl_problem(const char *s)
{
	long at = str_ctrl_at(s);
	if (at < 0)
		return NULL;
	switch (s[at]) {
	case '\n':
		return "contains a newline";
	case '\r':
		return "contains a carriage return";
	case '\t':
		return "contains a tab";
	default:
		return "contains a control character";
	}
}

char *str_escape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '\n')
			sb_adds(&sb, "\\n");
		else if (*c == '\r')
			sb_adds(&sb, "\\r");
		else if (*c == '\t')
			sb_adds(&sb, "\\t");
		else if (*c < 0x20 || *c == 0x7f)
			sb_addf(&sb, "\\x%02x", *c);
		else
			sb_addc(&sb, (char)*c);
	}
	return sb_detach(&sb);
}

bool str_field_ok(const char *s, const char *bad)
{
	if (!s || !*s || !str_line_ok(s))
		return false;
	for (; *s; s++)
		if (*s == ' ' || strchr(bad, *s))
			return false;
	return true;
}

bool str_is_space(char c)
{
	return isspace((unsigned char)c) != 0;
}

char *str_trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

char *str_rtrim_dup(const char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

bool str_in_list(const char *const *list, const char *s, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], s, n))
			return true;
	return false;
}

size_t str_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t d[41][41];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			/* "ashfit" for "ashift": two neighbours swapped is one edit */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

int str_cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool on_this_node(const char *nodes_csv, const char *node)
{
	if (!nodes_csv)
		return true;
	size_t n = node ? strlen(node) : 0;
	if (!n)
		return false;
	for (const char *p = nodes_csv;;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, node, n))
			return true;
		if (!p[len])
			return false;
		p += len + 1;
	}
}

bool nodes_subset(const char *sub_csv, const char *sup_csv)
{
	if (!sup_csv)
		return true;
	if (!sub_csv)
		return false;
	for (const char *p = sub_csv;;) {
		size_t len = strcspn(p, ",");
		char name[256];
		if (len >= sizeof(name))
			return false;
		memcpy(name, p, len);
		name[len] = '\0';
		if (!on_this_node(sup_csv, name))
			return false;
		if (!p[len])
			return true;
		p += len + 1;
	}
}
