#include "formats/modprobe.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* The zfs_arc_max value in a modprobe.d text, or 0 when it is not set there. */
uint64_t modprobe_zfs_arc_max(const char *text)
{
	uint64_t v = 0;
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *l = xstrndup(line, len);
		if (!strncmp(l, "options zfs ", 12)) {
			const char *k = strstr(l, "zfs_arc_max=");
			if (k)
				v = strtoull(k + 12, NULL, 10);
		}
		free(l);
		line = eol ? eol + 1 : line + len;
	}
	return v;
}

char *zfs_arc_modprobe_text(const char *text, uint64_t bytes)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	bool done = false;
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *l = xstrndup(line, len);
		if (!done && !strncmp(l, "options zfs ", 12)) {
			char *k = strstr(l, "zfs_arc_max=");
			if (k) {
				size_t vl = strspn(k + 12, "0123456789");
				sb_add(&sb, l, (size_t)(k - l));
				sb_addf(&sb, "zfs_arc_max=%" PRIu64 "%s", bytes, k + 12 + vl);
			} else {
				sb_addf(&sb, "%s zfs_arc_max=%" PRIu64, l, bytes);
			}
			done = true;
		} else {
			sb_adds(&sb, l);
		}
		sb_addc(&sb, '\n');
		free(l);
		line = eol ? eol + 1 : line + len;
	}
	if (!done)
		sb_addf(&sb, "options zfs zfs_arc_max=%" PRIu64 "\n", bytes);
	return sb_detach(&sb);
}
