/*
 * tzif: time zones from TZif data (RFC 8536), evaluated without touching the
 * process environment (no TZ, tzset, localtime or mktime).
 *
 * Contract
 * - tzif_parse reads a TZif file image of version 1, 2, 3 (or 4 without leap
 *   seconds) already in memory. From version 2 on it uses the 64-bit data
 *   block and the footer's POSIX TZ string; the 32-bit block is skipped. Times
 *   before the first transition use time type 0; times at or after the last
 *   transition use the footer rule when there is one (a file without
 *   transitions but with a footer is governed by the footer everywhere, as
 *   glibc does), else the last transition's type. Files with leap-second
 *   records ("right/" zones) are refused. Every count and index is checked
 *   against the buffer before use: malformed input is rejected, never read
 *   out of bounds.
 * - tz_utc_to_local and tz_resolve_local are pure functions of the zone.
 *   Local to UTC: a local time that occurs once maps to that instant; one
 *   that occurs twice (a fold, clocks set back) has an earlier and a later
 *   instant; one that never occurs (a gap, clocks set forward) maps to the
 *   first valid instant after the gap, which is the transition instant.
 *   tz_local_to_utc picks the earlier instant of a fold.
 * - Ownership: a struct tz_zone owns every array it points to; release it
 *   with tz_zone_free (accepts a zeroed or already freed zone). Abbreviations
 *   returned by tz_utc_to_local point into the zone and live as long as it.
 * - Errors: parse functions return -1 and set *why to a static English
 *   message (never freed); the zone is left empty.
 *
 * Loading a zone by name from /usr/share/zoneinfo is I/O and lives in
 * config/tz.h; this module never opens a file.
 */
#ifndef PH_TZIF_H
#define PH_TZIF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/civil.h"

/* RFC 8536: UT offsets must lie in -89999..93599 seconds (-25 h .. +26 h). */
#define TZ_UTOFF_MIN (-89999)
#define TZ_UTOFF_MAX 93599
#define TZ_ABBR_MAX 15

struct tz_type {
	int32_t utoff;   /* seconds east of UTC */
	bool isdst;
	uint32_t abbr;   /* offset of a NUL-terminated abbreviation in tz_zone.chars */
};

/* A rule date of a POSIX TZ string: Jn, n or Mm.w.d, plus the local time of day. */
enum tz_rule_kind { TZ_RULE_JULIAN1, TZ_RULE_JULIAN0, TZ_RULE_MWD };
struct tz_rule_date {
	enum tz_rule_kind kind;
	int day;      /* Jn: 1..365 (Feb 29 never counted); n: 0..365 */
	int month;    /* Mm.w.d: 1..12 */
	int week;     /* 1..5 (5 = last) */
	int wday;     /* 0 = Sunday .. 6 */
	int32_t time; /* seconds after local midnight, -167 h .. 167 h (TZif v3) */
};

/* A POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0". */
struct tz_rule {
	int32_t std_utoff;
	char std_abbr[TZ_ABBR_MAX + 1];
	bool has_dst;
	int32_t dst_utoff;
	char dst_abbr[TZ_ABBR_MAX + 1];
	struct tz_rule_date start;  /* in standard time */
	struct tz_rule_date end;    /* in daylight time */
};

struct tz_zone {
	int64_t *at;            /* transition instants, strictly ascending */
	uint8_t *at_type;       /* type index of each transition */
	size_t n_at;
	struct tz_type *types;  /* at least one */
	size_t n_types;
	char *chars;            /* abbreviations */
	size_t n_chars;
	bool has_rule;          /* the footer's TZ string */
	struct tz_rule rule;
};

/* What a UTC instant is in a zone. */
struct tz_local {
	int32_t utoff;
	bool isdst;
	const char *abbr;   /* points into the zone */
};

enum tz_resolution { TZ_UNIQUE, TZ_FOLD, TZ_GAP };
struct tz_resolved {
	enum tz_resolution kind;
	int64_t first;   /* UNIQUE: the instant; FOLD: the earlier; GAP: the transition instant */
	int64_t last;    /* FOLD: the later instant; otherwise == first */
};

/*
 * Parses a TZif image. Returns 0 with *z filled, or -1 with *why set and *z
 * zeroed. The buffer is not kept.
 */
int tzif_parse(const void *buf, size_t len, struct tz_zone *z, const char **why);

/* Parses a POSIX TZ string (with the TZif v3 extensions). Returns 0 or -1 with *why. */
int tz_rule_parse(const char *s, struct tz_rule *r, const char **why);

/* Fills *z with UTC (offset 0, abbreviation "UTC", no transitions). */
void tz_zone_utc(struct tz_zone *z);
void tz_zone_free(struct tz_zone *z);

/* The offset, DST flag and abbreviation in effect at UTC instant t. */
void tz_utc_to_local(const struct tz_zone *z, int64_t t, struct tz_local *out);

/* Local wall-clock seconds (civil_to_secs of local time) of UTC instant t. */
int64_t tz_local_secs(const struct tz_zone *z, int64_t t);

/*
 * Every UTC instant whose local wall-clock time is `local` (seconds as
 * civil_to_secs counts them), with the gap and fold rules above.
 */
void tz_resolve_local(const struct tz_zone *z, int64_t local, struct tz_resolved *r);

/* tz_resolve_local(...).first of a broken-down local time (not range-checked). */
int64_t tz_local_to_utc(const struct tz_zone *z, const struct civil *c);

/*
 * The first transition strictly after t (from the table or the footer rule).
 * Returns true and sets *next, or false when there is none.
 */
bool tz_next_transition(const struct tz_zone *z, int64_t t, int64_t *next);

#endif
