#include "config/tz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/strbuf.h"

#define TZ_FILE_MAX (1u << 20)

const char *tz_name_problem(const char *name)
{
	size_t n = strlen(name);
	if (n == 0)
		return "is empty";
	if (n > 255)
		return "is longer than 255 bytes";
	if (name[0] == '/')
		return "must not start with '/'";
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_+-./", c)))
			return "may contain only letters, digits and _ + - . /";
	}
	for (const char *p = name; *p;) {
		const char *e = strchr(p, '/');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == 0)
			return "has an empty path component";
		if ((k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.'))
			return "must not contain '.' or '..' components";
		p += k;
		if (*p == '/') {
			p++;
			if (!*p)
				return "must not end with '/'";
		}
	}
	return NULL;
}

int tz_load(const char *name, const char *dir, struct tz_zone *z, char **why)
{
	memset(z, 0, sizeof(*z));
	const char *prob = tz_name_problem(name);
	if (prob) {
		*why = xasprintf("time zone name '%s' %s", name, prob);
		return -1;
	}
	if (!strcmp(name, "UTC")) {
		tz_zone_utc(z);
		return 0;
	}
	char *path = xasprintf("%s/%s", dir ? dir : TZ_ZONEINFO_DIR, name);
	char *data = NULL;
	size_t len = 0;
	int rc = read_file(path, &data, &len);
	if (rc) {
		*why = rc == -ENOENT ? xasprintf("unknown time zone '%s' (no file %s)", name, path)
				     : xasprintf("cannot read time zone '%s' from %s: %s", name, path, strerror(-rc));
		free(path);
		return -1;
	}
	const char *w = NULL;
	if (len > TZ_FILE_MAX)
		w = "file larger than 1 MiB";
	else
		rc = tzif_parse(data, len, z, &w);
	free(data);
	if (w || rc) {
		*why = xasprintf("time zone '%s' (%s): %s", name, path, w);
		free(path);
		tz_zone_free(z);
		return -1;
	}
	free(path);
	return 0;
}
