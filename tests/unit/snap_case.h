/*
 * snap_case: reading the lines of the snapshot-policy case files shared by
 * the retention and due tests (header-only).
 *
 *   policy frequent_minutes=15 keep=4,48,30,8,12,0 [timezone=America/New_York]
 *   now 2026-03-15T12:00:00Z
 *   snap NAME GUID CREATETXG [held=N] [clones] [creation=TIME] | EXPECTED REASON [!]
 */
#ifndef PH_TEST_SNAP_CASE_H
#define PH_TEST_SNAP_CASE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/snap_config.h"
#include "util/civil.h"
#include "util/strbuf.h"

/* Parses "frequent_minutes=F keep=a,b,c,d,e,f [timezone=Z]" into p (p->timezone allocated). */
static inline int case_policy(const char *s, struct snap_policy *p)
{
	snap_policy_init(p);
	char tz[128] = "";
	unsigned k[6];
	int n = sscanf(s, "frequent_minutes=%u keep=%u,%u,%u,%u,%u,%u timezone=%127s", &p->frequent_minutes,
		       &k[0], &k[1], &k[2], &k[3], &k[4], &k[5], tz);
	if (n < 7)
		return -1;
	for (int c = 0; c < 6; c++)
		p->keep[c] = k[c];
	if (n == 8)
		p->timezone = xstrdup(tz);
	return 0;
}

static inline int64_t case_time(const char *s)
{
	int64_t t;
	if (civil_parse_utc(s, &t)) {
		fprintf(stderr, "bad time '%s' in a case file\n", s);
		abort();
	}
	return t;
}

static inline const char *case_after(const char *line, const char *word)
{
	size_t n = strlen(word);
	return !strncmp(line, word, n) && line[n] == ' ' ? line + n + 1 : NULL;
}

#endif
