#include "util/civil.h"

#include <stdio.h>

int64_t civil_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t civil_floor_mod(int64_t a, int64_t b)
{
	return a - civil_floor_div(a, b) * b;
}

/* Howard Hinnant's days_from_civil: eras of 400 years (146097 days) starting in March. */
int64_t civil_days_from_date(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = civil_floor_div(y, 400);
	int64_t yoe = y - era * 400;                                  /* 0..399 */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* 0..146096 */
	return era * 146097 + doe - 719468;
}

void civil_date_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = civil_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int civil_iso_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)civil_floor_mod(days + 3, 7) + 1;
}

bool civil_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int civil_days_in_month(int64_t y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && civil_is_leap(y) ? 29 : len[m - 1];
}

bool civil_valid(const struct civil *c)
{
	return c->month >= 1 && c->month <= 12 && c->day >= 1 &&
	       c->day <= civil_days_in_month(c->year, c->month) && c->hour >= 0 && c->hour <= 23 &&
	       c->min >= 0 && c->min <= 59 && c->sec >= 0 && c->sec <= 59;
}

int64_t civil_to_secs(const struct civil *c)
{
	return civil_days_from_date(c->year, c->month, c->day) * 86400 + c->hour * 3600 +
	       c->min * 60 + c->sec;
}

void civil_from_secs(int64_t secs, struct civil *c)
{
	int64_t days = civil_floor_div(secs, 86400);
	int64_t rem = secs - days * 86400;
	civil_date_from_days(days, &c->year, &c->month, &c->day);
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
}

/* The value of n decimal digits at s, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int civil_from_digits(const char *s, const int pos[6], int64_t *t)
{
	struct civil c;
	int y = digits(s + pos[0], 4);
	c.month = digits(s + pos[1], 2);
	c.day = digits(s + pos[2], 2);
	c.hour = digits(s + pos[3], 2);
	c.min = digits(s + pos[4], 2);
	c.sec = digits(s + pos[5], 2);
	if (y < 0 || c.month < 0 || c.day < 0 || c.hour < 0 || c.min < 0 || c.sec < 0)
		return -1;
	c.year = y;
	if (!civil_valid(&c))
		return -1;
	*t = civil_to_secs(&c);
	return 0;
}

int civil_parse_utc(const char *s, int64_t *t)
{
	/* YYYY-MM-DDTHH:MM:SSZ: separators at fixed offsets. */
	static const char layout[] = "0000-00-00T00:00:00Z";
	static const int pos[6] = { 0, 5, 8, 11, 14, 17 };
	for (size_t i = 0; i < sizeof(layout) - 1; i++) {
		if (!s[i])
			return -1;
		if (layout[i] != '0' && s[i] != layout[i])
			return -1;
	}
	if (s[sizeof(layout) - 1])
		return -1;
	return civil_from_digits(s, pos, t);
}

void civil_format_utc(int64_t t, char *buf, size_t len)
{
	struct civil c;
	civil_from_secs(t, &c);
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)c.year, c.month, c.day,
		 c.hour, c.min, c.sec);
}
