/*
 * civil: proleptic Gregorian calendar arithmetic on plain integers, with no
 * time zone and no libc time functions (no TZ, no tzset, no timegm).
 *
 * Contract: a "civil" value is a broken-down date and time; "seconds" are
 * counted from 1970-01-01T00:00:00 of the same clock (UTC when the value is
 * UTC, local wall-clock seconds when it is local time). No leap seconds.
 * Every function is pure and total on the documented range; nothing
 * allocates. Years are 64-bit so any int64 second count converts without
 * overflow.
 */
#ifndef PH_CIVIL_H
#define PH_CIVIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct civil {
	int64_t year;
	int month;   /* 1..12 */
	int day;     /* 1..31 */
	int hour;    /* 0..23 */
	int min;     /* 0..59 */
	int sec;     /* 0..59 */
};

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31; not range-checked). */
int64_t civil_days_from_date(int64_t y, int m, int d);
/* Inverse of civil_days_from_date. */
void civil_date_from_days(int64_t days, int64_t *y, int *m, int *d);
/* ISO weekday of a day count: 1 = Monday .. 7 = Sunday. */
int civil_iso_weekday(int64_t days);
bool civil_is_leap(int64_t y);
int civil_days_in_month(int64_t y, int m);
/* True when every field is in range (Feb 29 only in leap years, no second 60). */
bool civil_valid(const struct civil *c);

/* Seconds since the epoch of the same clock. */
int64_t civil_to_secs(const struct civil *c);
void civil_from_secs(int64_t secs, struct civil *c);

/* Floor division and modulo (the result of mod is in 0..b-1 for b > 0). */
int64_t civil_floor_div(int64_t a, int64_t b);
int64_t civil_floor_mod(int64_t a, int64_t b);

/*
 * Reads a four-digit year at s + pos[0] and two-digit month, day, hour,
 * minute and second at s + pos[1..5] (the caller has checked the length and
 * the separators). Returns 0 and sets *t (UTC seconds) when every field is a
 * digit and in range, else -1.
 */
int civil_from_digits(const char *s, const int pos[6], int64_t *t);

/*
 * Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (UTC, four-digit year, every field
 * in range). Returns 0 and sets *t, or -1 (t untouched).
 */
int civil_parse_utc(const char *s, int64_t *t);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least CIVIL_UTC_LEN + 1 bytes). */
#define CIVIL_UTC_LEN 20
void civil_format_utc(int64_t t, char *buf, size_t len);

#endif
