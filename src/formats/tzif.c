#include "formats/tzif.h"

#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* ---- POSIX TZ strings ---------------------------------------------------- */

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* std or dst designation: 3+ letters, or <...> with letters, digits, '+' and '-'. */
static int parse_abbr(const char **pp, char *out)
{
	const char *p = *pp;
	size_t n = 0;
	if (*p == '<') {
		p++;
		while (*p && *p != '>') {
			if (!is_alpha(*p) && !is_digit(*p) && *p != '+' && *p != '-')
				return -1;
			if (n == TZ_ABBR_MAX)
				return -1;
			out[n++] = *p++;
		}
		if (*p != '>')
			return -1;
		p++;
	} else {
		while (is_alpha(*p)) {
			if (n == TZ_ABBR_MAX)
				return -1;
			out[n++] = *p++;
		}
	}
	if (n < 3)
		return -1;
	out[n] = '\0';
	*pp = p;
	return 0;
}

/* Up to max_digits decimal digits, at least one; -1 when none. */
static int parse_num(const char **pp, int max_digits)
{
	const char *p = *pp;
	int v = 0, k = 0;
	while (is_digit(*p) && k < max_digits) {
		v = v * 10 + (*p++ - '0');
		k++;
	}
	if (k == 0 || is_digit(*p))
		return -1;
	*pp = p;
	return v;
}

/* [+-]hh[:mm[:ss]] with hh <= max_hours; the sign is applied. */
static int parse_hms(const char **pp, int max_hours, int32_t *secs)
{
	const char *p = *pp;
	int sign = 1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	int h = parse_num(&p, 3);
	if (h < 0 || h > max_hours)
		return -1;
	int m = 0, s = 0;
	if (*p == ':') {
		p++;
		if ((m = parse_num(&p, 2)) < 0 || m > 59)
			return -1;
		if (*p == ':') {
			p++;
			if ((s = parse_num(&p, 2)) < 0 || s > 59)
				return -1;
		}
	}
	*secs = sign * (h * 3600 + m * 60 + s);
	*pp = p;
	return 0;
}

static int parse_rule_date(const char **pp, struct tz_rule_date *d)
{
	const char *p = *pp;
	memset(d, 0, sizeof(*d));
	if (*p == 'J') {
		p++;
		d->kind = TZ_RULE_JULIAN1;
		if ((d->day = parse_num(&p, 3)) < 1 || d->day > 365)
			return -1;
	} else if (*p == 'M') {
		p++;
		d->kind = TZ_RULE_MWD;
		if ((d->month = parse_num(&p, 2)) < 1 || d->month > 12 || *p++ != '.')
			return -1;
		if ((d->week = parse_num(&p, 1)) < 1 || d->week > 5 || *p++ != '.')
			return -1;
		if ((d->wday = parse_num(&p, 1)) < 0 || d->wday > 6)
			return -1;
	} else {
		d->kind = TZ_RULE_JULIAN0;
		if ((d->day = parse_num(&p, 3)) < 0 || d->day > 365)
			return -1;
	}
	d->time = 7200;
	if (*p == '/') {
		p++;
		if (parse_hms(&p, 167, &d->time))
			return -1;
	}
	*pp = p;
	return 0;
}

int tz_rule_parse(const char *s, struct tz_rule *r, const char **why)
{
	const char *p = s;
	int32_t off;
	memset(r, 0, sizeof(*r));
	*why = "bad TZ string";
	if (parse_abbr(&p, r->std_abbr))
		return -1;
	if (parse_hms(&p, 24, &off))
		return -1;
	r->std_utoff = -off;
	if (!*p)
		return 0;
	if (parse_abbr(&p, r->dst_abbr))
		return -1;
	r->has_dst = true;
	r->dst_utoff = r->std_utoff + 3600;
	if (*p && *p != ',') {
		if (parse_hms(&p, 24, &off))
			return -1;
		r->dst_utoff = -off;
	}
	if (*p != ',') {
		*why = "TZ string has daylight time without rules";
		return -1;
	}
	p++;
	if (parse_rule_date(&p, &r->start) || *p++ != ',' || parse_rule_date(&p, &r->end) || *p)
		return -1;
	return 0;
}

/* Days since the epoch of a rule date in year y. */
static int64_t rule_day(const struct tz_rule_date *d, int64_t y)
{
	int64_t jan1 = civil_days_from_date(y, 1, 1);
	switch (d->kind) {
	case TZ_RULE_JULIAN1: {
		int64_t n = d->day - 1;
		if (civil_is_leap(y) && d->day >= 60)
			n++;
		return jan1 + n;
	}
	case TZ_RULE_JULIAN0:
		return jan1 + d->day;
	case TZ_RULE_MWD:
	default: {
		int64_t first = civil_days_from_date(y, d->month, 1);
		int wd_first = civil_iso_weekday(first) % 7;   /* 0 = Sunday */
		int day = 1 + (d->wday - wd_first + 7) % 7 + 7 * (d->week - 1);
		int len = civil_days_in_month(y, d->month);
		while (day > len)
			day -= 7;
		return first + day - 1;
	}
	}
}

struct rule_event {
	int64_t at;
	bool dst;   /* the state from this instant on */
};

/* The rule's events of years y0..y0+nyears-1, in time order (stable for ties). */
static size_t rule_events(const struct tz_rule *r, int64_t y0, int nyears, struct rule_event *ev)
{
	size_t n = 0;
	for (int64_t y = y0; y < y0 + nyears; y++) {
		int64_t s = rule_day(&r->start, y) * 86400 + r->start.time - r->std_utoff;
		int64_t e = rule_day(&r->end, y) * 86400 + r->end.time - r->dst_utoff;
		if (s <= e) {
			ev[n++] = (struct rule_event){ s, true };
			ev[n++] = (struct rule_event){ e, false };
		} else {
			ev[n++] = (struct rule_event){ e, false };
			ev[n++] = (struct rule_event){ s, true };
		}
	}
	/* insertion sort: stable, so an end and the next year's start at one instant keep their order */
	for (size_t i = 1; i < n; i++) {
		struct rule_event x = ev[i];
		size_t j = i;
		while (j > 0 && ev[j - 1].at > x.at) {
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = x;
	}
	return n;
}

static int64_t year_of(int64_t t)
{
	int64_t y;
	int m, d;
	civil_date_from_days(civil_floor_div(t, 86400), &y, &m, &d);
	return y;
}

static bool rule_is_dst(const struct tz_rule *r, int64_t t)
{
	if (!r->has_dst)
		return false;
	struct rule_event ev[8];
	size_t n = rule_events(r, year_of(t + r->std_utoff) - 2, 4, ev);
	bool dst = false;
	for (size_t i = 0; i < n && ev[i].at <= t; i++)
		dst = ev[i].dst;
	return dst;
}

static bool rule_next(const struct tz_rule *r, int64_t t, int64_t *next)
{
	if (!r->has_dst)
		return false;
	struct rule_event ev[8];
	size_t n = rule_events(r, year_of(t + r->std_utoff) - 1, 4, ev);
	for (size_t i = 0; i < n; i++)
		if (ev[i].at > t) {
			*next = ev[i].at;
			return true;
		}
	return false;
}

/* ---- TZif ---------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_header {
	int version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

#define TZIF_HEADER_LEN 44

static int read_header(const uint8_t *p, size_t avail, struct tzif_header *h, const char **why)
{
	if (avail < TZIF_HEADER_LEN) {
		*why = "truncated TZif header";
		return -1;
	}
	if (memcmp(p, "TZif", 4)) {
		*why = "not a TZif file (bad magic)";
		return -1;
	}
	switch (p[4]) {
	case 0: h->version = 1; break;
	case '2': h->version = 2; break;
	case '3': h->version = 3; break;
	case '4': h->version = 4; break;
	default:
		*why = "unsupported TZif version";
		return -1;
	}
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return 0;
}

/* Size of the data block that follows a header; time_len is 4 (v1) or 8. */
static uint64_t block_len(const struct tzif_header *h, unsigned time_len)
{
	return (uint64_t)h->timecnt * (time_len + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
	       (uint64_t)h->leapcnt * (time_len + 4) + h->isstdcnt + h->isutcnt;
}

/* Validates and copies one data block into z. */
static int read_block(const uint8_t *p, const struct tzif_header *h, unsigned time_len,
		      struct tz_zone *z, const char **why)
{
	if (h->typecnt == 0 || h->typecnt > 256) {
		*why = "TZif time type count out of range";
		return -1;
	}
	if (h->charcnt == 0) {
		*why = "TZif file has no abbreviations";
		return -1;
	}
	if ((h->isstdcnt && h->isstdcnt != h->typecnt) || (h->isutcnt && h->isutcnt != h->typecnt)) {
		*why = "TZif standard/UT indicator count does not match the type count";
		return -1;
	}
	if (h->leapcnt) {
		*why = "TZif leap-second records are not supported (use a zone outside right/)";
		return -1;
	}
	const uint8_t *times = p;
	const uint8_t *idx = times + (size_t)h->timecnt * time_len;
	const uint8_t *types = idx + h->timecnt;
	const uint8_t *chars = types + (size_t)h->typecnt * 6;

	z->n_at = h->timecnt;
	z->at = xcalloc(h->timecnt ? h->timecnt : 1, sizeof(*z->at));
	z->at_type = xcalloc(h->timecnt ? h->timecnt : 1, 1);
	for (uint32_t i = 0; i < h->timecnt; i++) {
		int64_t t = time_len == 8 ? be64(times + 8 * (size_t)i) : (int32_t)be32(times + 4 * (size_t)i);
		if (i && t <= z->at[i - 1]) {
			*why = "TZif transition times are not ascending";
			return -1;
		}
		if (idx[i] >= h->typecnt) {
			*why = "TZif transition refers to a missing time type";
			return -1;
		}
		z->at[i] = t;
		z->at_type[i] = idx[i];
	}
	z->n_chars = h->charcnt;
	z->chars = xmalloc(h->charcnt);
	memcpy(z->chars, chars, h->charcnt);
	z->n_types = h->typecnt;
	z->types = xcalloc(h->typecnt, sizeof(*z->types));
	for (uint32_t i = 0; i < h->typecnt; i++) {
		const uint8_t *t = types + 6 * (size_t)i;
		int32_t off = (int32_t)be32(t);
		if (off < TZ_UTOFF_MIN || off > TZ_UTOFF_MAX) {
			*why = "TZif UT offset out of range";
			return -1;
		}
		if (t[4] > 1) {
			*why = "TZif DST flag is neither 0 nor 1";
			return -1;
		}
		if (t[5] >= h->charcnt) {
			*why = "TZif abbreviation index out of range";
			return -1;
		}
		if (!memchr(z->chars + t[5], '\0', h->charcnt - t[5])) {
			*why = "TZif abbreviation is not terminated";
			return -1;
		}
		z->types[i] = (struct tz_type){ off, t[4] == 1, t[5] };
	}
	return 0;
}

int tzif_parse(const void *buf, size_t len, struct tz_zone *z, const char **why)
{
	const uint8_t *p = buf;
	struct tzif_header h;
	memset(z, 0, sizeof(*z));
	if (read_header(p, len, &h, why))
		return -1;
	uint64_t l1 = block_len(&h, 4);
	if (l1 > len - TZIF_HEADER_LEN) {
		*why = "truncated TZif data";
		return -1;
	}
	if (h.version == 1) {
		if (read_block(p + TZIF_HEADER_LEN, &h, 4, z, why))
			goto bad;
		return 0;
	}
	size_t off = TZIF_HEADER_LEN + (size_t)l1;
	struct tzif_header h2;
	if (read_header(p + off, len - off, &h2, why))
		goto bad;
	if (h2.version != h.version) {
		*why = "TZif headers disagree on the version";
		goto bad;
	}
	off += TZIF_HEADER_LEN;
	uint64_t l2 = block_len(&h2, 8);
	if (l2 > len - off) {
		*why = "truncated TZif data";
		goto bad;
	}
	if (read_block(p + off, &h2, 8, z, why))
		goto bad;
	off += (size_t)l2;
	/* footer: "\n" TZ-string "\n" */
	if (off >= len || p[off] != '\n') {
		*why = "TZif footer missing";
		goto bad;
	}
	const uint8_t *s = p + off + 1;
	const uint8_t *nl = memchr(s, '\n', len - off - 1);
	if (!nl) {
		*why = "TZif footer not terminated";
		goto bad;
	}
	size_t slen = (size_t)(nl - s);
	if (slen) {
		if (memchr(s, '\0', slen)) {
			*why = "bad TZ string in the TZif footer";
			goto bad;
		}
		char *str = xstrndup((const char *)s, slen);
		const char *w;
		int rc = tz_rule_parse(str, &z->rule, &w);
		free(str);
		if (rc) {
			*why = "bad TZ string in the TZif footer";
			goto bad;
		}
		z->has_rule = true;
	}
	return 0;
bad:
	tz_zone_free(z);
	return -1;
}

void tz_zone_utc(struct tz_zone *z)
{
	memset(z, 0, sizeof(*z));
	z->n_types = 1;
	z->types = xcalloc(1, sizeof(*z->types));
	z->n_chars = 4;
	z->chars = xstrdup("UTC");
}

void tz_zone_free(struct tz_zone *z)
{
	if (!z)
		return;
	free(z->at);
	free(z->at_type);
	free(z->types);
	free(z->chars);
	memset(z, 0, sizeof(*z));
}

/* ---- evaluation ---------------------------------------------------------- */

/* Index of the last transition <= t, or -1. */
static long last_at(const struct tz_zone *z, int64_t t)
{
	size_t lo = 0, hi = z->n_at;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* True when the footer rule decides t. */
static bool ruled(const struct tz_zone *z, int64_t t)
{
	return z->has_rule && (z->n_at == 0 || t >= z->at[z->n_at - 1]);
}

void tz_utc_to_local(const struct tz_zone *z, int64_t t, struct tz_local *out)
{
	if (ruled(z, t)) {
		const struct tz_rule *r = &z->rule;
		bool dst = rule_is_dst(r, t);
		out->utoff = dst ? r->dst_utoff : r->std_utoff;
		out->isdst = dst;
		out->abbr = dst ? r->dst_abbr : r->std_abbr;
		return;
	}
	long k = last_at(z, t);
	const struct tz_type *ty = &z->types[k < 0 ? 0 : z->at_type[k]];
	out->utoff = ty->utoff;
	out->isdst = ty->isdst;
	out->abbr = z->chars + ty->abbr;
}

int64_t tz_local_secs(const struct tz_zone *z, int64_t t)
{
	struct tz_local l;
	tz_utc_to_local(z, t, &l);
	return t + l.utoff;
}

bool tz_next_transition(const struct tz_zone *z, int64_t t, int64_t *next)
{
	if (z->n_at && t < z->at[z->n_at - 1]) {
		*next = z->at[last_at(z, t) + 1];
		return true;
	}
	return z->has_rule && rule_next(&z->rule, t, next);
}

void tz_resolve_local(const struct tz_zone *z, int64_t local, struct tz_resolved *r)
{
	/* A candidate t = local - utoff lies within [local - 93600, local + 90000]:
	 * walk the constant-offset segments that cover this window. */
	int64_t a = local - (TZ_UTOFF_MAX + 1);
	int64_t end = local - TZ_UTOFF_MIN + 1;
	bool found = false, gap = false;
	int64_t first = 0, last = 0, gap_at = 0;
	struct tz_local l;
	tz_utc_to_local(z, a, &l);
	int32_t off = l.utoff;
	while (a <= end) {
		int64_t b;
		bool more = tz_next_transition(z, a, &b);
		int64_t c = local - off;
		if (c >= a && (!more || c < b)) {
			if (!found)
				first = c;
			last = c;
			found = true;
		}
		if (!more)
			break;
		tz_utc_to_local(z, b, &l);
		/* local time skipped at b: the old offset never reached it, the new one starts past it */
		if (!gap && local >= b + off && local < b + l.utoff) {
			gap = true;
			gap_at = b;
		}
		a = b;
		off = l.utoff;
	}
	if (found) {
		r->kind = first == last ? TZ_UNIQUE : TZ_FOLD;
		r->first = first;
		r->last = last;
	} else if (gap) {
		r->kind = TZ_GAP;
		r->first = r->last = gap_at;
	} else {
		/* unreachable for consistent data; stay total */
		tz_utc_to_local(z, local, &l);
		r->kind = TZ_UNIQUE;
		r->first = r->last = local - l.utoff;
	}
}

int64_t tz_local_to_utc(const struct tz_zone *z, const struct civil *c)
{
	struct tz_resolved r;
	tz_resolve_local(z, civil_to_secs(c), &r);
	return r.first;
}
