#include "formats/modprobe.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* True when line (without its '\n') is "options zfs ..." as modprobe reads it: blanks around the words. */
static bool zfs_options_line(const char *line, size_t len)
{
	size_t i = strspn(line, " \t");
	if (len < i + 11 || strncmp(line + i, "options", 7) || !strchr(" \t", line[i + 7]))
		return false;
	i += 7 + strspn(line + i + 7, " \t");
	return i + 3 <= len && !strncmp(line + i, "zfs", 3) && (i + 3 == len || strchr(" \t", line[i + 3]));
}

/* The next "zfs_arc_max=" word of line[from, len) (at the start of a word), or NULL. */
static const char *arc_word(const char *line, size_t from, size_t len)
{
	for (size_t i = from; i + 12 <= len; i++)
		if ((line[i - 1] == ' ' || line[i - 1] == '\t') && !strncmp(line + i, "zfs_arc_max=", 12))
			return line + i;
	return NULL;
}

/*
 * The zfs_arc_max value the zfs module gets from a modprobe.d text: the last
 * zfs_arc_max= of its "options zfs" lines (modprobe passes them in order);
 * 0 when none sets it or the last value is not a decimal number.
 */
uint64_t modprobe_zfs_arc_max(const char *text)
{
	uint64_t v = 0;
	for (const char *line = text; line && *line;) {
		size_t len = strcspn(line, "\n");
		for (const char *w = zfs_options_line(line, len) ? arc_word(line, 1, len) : NULL; w;
		     w = arc_word(line, (size_t)(w - line) + 12, len)) {
			const char *val = w + 12;
			size_t vl = strcspn(val, " \t\n");
			v = vl && strspn(val, "0123456789") == vl ? strtoull(val, NULL, 10) : 0;
		}
		line += len + (line[len] == '\n');
	}
	return v;
}

char *zfs_arc_modprobe_text(const char *text, uint64_t bytes)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	const char *first = NULL; /* the first "options zfs" line we may add the parameter to */
	bool set = false;
	for (const char *line = text; line && *line;) {
		size_t len = strcspn(line, "\n");
		size_t done = 0;
		if (zfs_options_line(line, len)) {
			/* every zfs_arc_max= word gets the value: the last one is what the module uses */
			for (const char *w = arc_word(line, 1, len); w; w = arc_word(line, (size_t)(w - line) + 12, len)) {
				size_t at = (size_t)(w - line) + 12;
				sb_add(&sb, line + done, at - done);
				sb_addf(&sb, "%" PRIu64, bytes);
				done = at + strcspn(line + at, " \t\n");
				set = true;
			}
			if (!first && len && line[len - 1] != '\\')
				first = line;
		}
		sb_add(&sb, line + done, len - done);
		sb_addc(&sb, '\n');
		line += len + (line[len] == '\n');
	}
	if (set) {
		return sb_detach(&sb);
	}
	if (first) {
		/* no line sets it: add it to the end of the first "options zfs" line */
		size_t at = (size_t)(first - text) + strcspn(first, "\n");
		sb_reset(&sb);
		sb_add(&sb, text, at);
		sb_addf(&sb, " zfs_arc_max=%" PRIu64 "\n", bytes);
		sb_adds(&sb, text[at] ? text + at + 1 : "");
		if (sb.buf[sb.len - 1] != '\n')
			sb_addc(&sb, '\n');
		return sb_detach(&sb);
	}
	/* a last line ending in '\' would join ours: end it with an empty line */
	if (sb.len >= 2 && sb.buf[sb.len - 2] == '\\')
		sb_addc(&sb, '\n');
	sb_addf(&sb, "options zfs zfs_arc_max=%" PRIu64 "\n", bytes);
	return sb_detach(&sb);
}
