#include "formats/snap_name.h"

#include <stdio.h>
#include <string.h>

#include "util/civil.h"

static const char *const class_names[SNAP_NCLASSES] = {
	"frequent", "hourly", "daily", "weekly", "monthly", "yearly",
};

const char *snap_class_name(enum snap_class c)
{
	return (unsigned)c < SNAP_NCLASSES ? class_names[c] : "?";
}

int snap_class_parse(const char *s, enum snap_class *c)
{
	for (int i = 0; i < SNAP_NCLASSES; i++)
		if (!strcmp(s, class_names[i])) {
			*c = (enum snap_class)i;
			return 0;
		}
	return -1;
}

int snap_name_format(int64_t t, enum snap_class c, char *buf, size_t len)
{
	struct civil cv;
	civil_from_secs(t, &cv);
	if (cv.year < 0 || cv.year > 9999 || (unsigned)c >= SNAP_NCLASSES) {
		if (len)
			buf[0] = '\0';
		return -1;
	}
	snprintf(buf, len, SNAP_NAME_PREFIX "%04d-%02d-%02dT%02d%02d%02dZ_%s", (int)cv.year, cv.month,
		 cv.day, cv.hour, cv.min, cv.sec, class_names[c]);
	return 0;
}

int snap_name_parse(const char *name, int64_t *t, enum snap_class *c)
{
	/* phoenix_YYYY-MM-DDTHHMMSSZ_class: fixed offsets after the prefix */
	static const size_t P = sizeof(SNAP_NAME_PREFIX) - 1;
	if (strncmp(name, SNAP_NAME_PREFIX, P))
		return -1;
	const char *s = name + P;
	for (int i = 0; i < 19; i++)
		if (!s[i])
			return -1;
	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[17] != 'Z' || s[18] != '_')
		return -1;
	static const int pos[6] = { 0, 5, 8, 11, 13, 15 };
	if (snap_class_parse(s + 19, c) || civil_from_digits(s, pos, t))
		return -1;
	return 0;
}
