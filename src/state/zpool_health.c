#include "state/zpool_health.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* ---- names ---- */

static const char *const state_names[] = {
	[ZH_ONLINE] = "ONLINE", [ZH_DEGRADED] = "DEGRADED", [ZH_FAULTED] = "FAULTED",
	[ZH_OFFLINE] = "OFFLINE", [ZH_UNAVAIL] = "UNAVAIL", [ZH_REMOVED] = "REMOVED",
	[ZH_SUSPENDED] = "SUSPENDED", [ZH_AVAIL] = "AVAIL", [ZH_INUSE] = "INUSE",
	[ZH_STATE_UNKNOWN] = "UNKNOWN",
};

const char *zh_state_name(enum zh_state s)
{
	return s <= ZH_STATE_UNKNOWN ? state_names[s] : "UNKNOWN";
}

enum zh_state zh_state_parse(const char *s)
{
	for (int i = 0; i < ZH_STATE_UNKNOWN; i++)
		if (!strcmp(s, state_names[i]))
			return (enum zh_state)i;
	return ZH_STATE_UNKNOWN;
}

static const char *const group_names[] = {
	[ZH_DATA] = "data", [ZH_LOGS] = "logs", [ZH_CACHE] = "cache",
	[ZH_SPARES] = "spares", [ZH_SPECIAL] = "special", [ZH_DEDUP] = "dedup",
};

const char *zh_group_name(enum zh_group g)
{
	return g <= ZH_DEDUP ? group_names[g] : "?";
}

/* The group of a config table header word ("logs"), or -1. */
static int group_parse(const char *s)
{
	for (int i = ZH_LOGS; i <= ZH_DEDUP; i++)
		if (!strcmp(s, group_names[i]))
			return i;
	return -1;
}

const char *zh_vdev_type_name(enum zh_vdev_type t)
{
	static const char *const n[] = {
		[ZH_VDEV_ROOT] = "root", [ZH_VDEV_DISK] = "disk", [ZH_VDEV_FILE] = "file",
		[ZH_VDEV_MIRROR] = "mirror", [ZH_VDEV_RAIDZ] = "raidz", [ZH_VDEV_DRAID] = "draid",
		[ZH_VDEV_DRAID_SPARE] = "dspare", [ZH_VDEV_REPLACING] = "replacing",
		[ZH_VDEV_SPARE] = "spare", [ZH_VDEV_OTHER] = "other",
	};
	return t <= ZH_VDEV_OTHER ? n[t] : "?";
}

const char *zh_scan_func_name(enum zh_scan_func f)
{
	static const char *const n[] = { "none", "scrub", "resilver", "rebuild", "errorscrub" };
	return f <= ZH_SCAN_ERRORSCRUB ? n[f] : "?";
}

const char *zh_scan_state_name(enum zh_scan_state s)
{
	static const char *const n[] = { "never", "finished", "canceled", "running", "paused" };
	return s <= ZH_SCAN_PAUSED ? n[s] : "?";
}

/* ---- small readers ---- */

int zh_parse_nicenum(const char *s, uint64_t *v)
{
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return -1;
	uint64_t ip = 0;
	while (isdigit((unsigned char)*p)) {
		if (ip > (UINT64_MAX - 9) / 10)
			return -1;
		ip = ip * 10 + (uint64_t)(*p++ - '0');
	}
	/* Fraction kept in millionths: zfs_nicenum prints at most 2-3 decimals. */
	uint64_t frac = 0, scale = 1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (scale < 1000000) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
			p++;
		}
	}
	static const char units[] = "BKMGTPE";
	int shift = 0;
	if (*p) {
		const char *u = strchr(units, *p);
		if (!u)
			return -1;
		shift = (int)(u - units) * 10;
		p++;
		if (*p == 'B' && shift) /* "1.2KB" never printed, but harmless */
			p++;
	}
	if (*p)
		return -1;
	if (shift && ip >= (UINT64_C(1) << (64 - shift)))
		return -1;
	uint64_t whole = ip << shift;
	uint64_t part = shift ? ((frac << shift) / scale) : 0;
	*v = whole + part;
	return 0;
}

static int name_index(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strncmp(s, names[i], 3))
			return i;
	return -1;
}

/* Reads up to max digits (at least 1) into *v; returns the count read, 0 if none. */
static size_t read_uint(const char *s, size_t max, int *v)
{
	size_t n = 0;
	int x = 0;
	while (n < max && isdigit((unsigned char)s[n]))
		x = x * 10 + (s[n++] - '0');
	*v = x;
	return n;
}

size_t zh_parse_ctime(const char *s, struct tm *tm)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	/* "Sun Nov 10 00:24:02 2024": fixed layout, the day padded with a space. */
	if (strlen(s) < 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[13] != ':' ||
	    s[16] != ':' || s[19] != ' ')
		return 0;
	int w = name_index(s, wd, 7), m = name_index(s + 4, mo, 12);
	if (w < 0 || m < 0)
		return 0;
	int day, h, mi, sec, year;
	const char *d = s[8] == ' ' ? s + 9 : s + 8;
	size_t nd = read_uint(d, 2, &day);
	if (!nd || d + nd != s + 10 || !read_uint(s + 11, 2, &h) || !read_uint(s + 14, 2, &mi) ||
	    !read_uint(s + 17, 2, &sec))
		return 0;
	size_t ny = read_uint(s + 20, 4, &year);
	if (ny != 4 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = year - 1900;
	tm->tm_mon = m;
	tm->tm_mday = day;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = sec;
	tm->tm_wday = w;
	tm->tm_isdst = -1;
	return 24;
}

time_t zh_time_epoch(const struct zh_time *t)
{
	if (!t || !t->set)
		return (time_t)-1;
	if (t->is_epoch)
		return t->epoch;
	struct tm tm = t->tm;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Sets *t from the ctime date at s; false when s does not start with one. */
static bool read_date(const char *s, struct zh_time *t)
{
	struct tm tm;
	if (!s || !zh_parse_ctime(s, &tm))
		return false;
	t->set = true;
	t->is_epoch = false;
	t->tm = tm;
	return true;
}

/* "02:03:04", "1 days 02:03:04" (0.8 also prints "0 days ..."); -1 if neither. */
static int64_t read_dhms(const char *s)
{
	int64_t days = 0;
	const char *p = s;
	int v;
	size_t n = read_uint(p, 9, &v);
	if (n && !strncmp(p + n, " days ", 6)) {
		days = v;
		p += n + 6;
	}
	int h, m, sec;
	size_t a = read_uint(p, 9, &h);
	if (!a || p[a] != ':')
		return -1;
	size_t b = read_uint(p + a + 1, 2, &m);
	if (b != 2 || p[a + 1 + b] != ':')
		return -1;
	if (read_uint(p + a + b + 2, 2, &sec) != 2)
		return -1;
	return days * 86400 + (int64_t)h * 3600 + m * 60 + sec;
}

/* zfs-fuse "0h5m" → seconds, -1 if not. */
static int64_t read_hm(const char *s)
{
	int h, m;
	size_t a = read_uint(s, 9, &h);
	if (!a || s[a] != 'h')
		return -1;
	size_t b = read_uint(s + a + 1, 2, &m);
	if (!b || s[a + 1 + b] != 'm')
		return -1;
	return (int64_t)h * 3600 + (int64_t)m * 60;
}

/* The nicenum word at s (up to a space) into *v; false if it is not one. */
static bool read_nicenum_word(const char *s, uint64_t *v)
{
	size_t n = strcspn(s, " ,");
	char *w = xstrndup(s, n);
	bool ok = zh_parse_nicenum(w, v) == 0;
	free(w);
	return ok;
}

/* The decimal number before "% done" in s, or -1. */
static double read_pct_done(const char *s)
{
	const char *d = strstr(s, "% done");
	if (!d)
		return -1;
	const char *b = d;
	while (b > s && (isdigit((unsigned char)b[-1]) || b[-1] == '.'))
		b--;
	if (b == d)
		return -1;
	return strtod(b, NULL);
}

/* ---- scan lines ---- */

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* After "with N errors on DATE": errors and end date. */
static void read_with_errors_on(const char *s, struct zh_scan *sc)
{
	const char *w = strstr(s, " with ");
	if (w) {
		char *e;
		long long n = strtoll(w + 6, &e, 10);
		if (e != w + 6 && !strncmp(e, " errors", 7))
			sc->errors = n;
	}
	const char *on = strstr(s, " errors on ");
	if (on)
		read_date(on + 11, &sc->end);
}

/* "(VDEV) " at s: the rebuild's vdev name; returns the text after it. */
static const char *read_rebuild_vdev(const char *s, struct zh_scan *sc)
{
	if (*s != '(')
		return s;
	const char *close = strchr(s, ')');
	if (!close)
		return s;
	sc->func = ZH_SCAN_REBUILD;
	sc->vdev = xstrndup(s + 1, (size_t)(close - s - 1));
	return close[1] == ' ' ? close + 2 : close + 1;
}

/* OpenZFS "scan:" text: first line, then the progress lines. */
static void parse_openzfs_scan(const char *first, const char *rest, struct zh_scan *sc)
{
	const char *s = first;
	if (starts(s, "none requested")) {
		sc->state = ZH_SCAN_NEVER;
		return;
	}
	if (starts(s, "scrub ")) {
		sc->func = ZH_SCAN_SCRUB;
		s += 6;
	} else if (starts(s, "resilvered ")) {
		sc->func = ZH_SCAN_RESILVER;
		s = read_rebuild_vdev(s + 11, sc);
		sc->state = ZH_SCAN_FINISHED;
		read_nicenum_word(s, &sc->repaired_bytes);
		const char *in = strstr(s, " in ");
		if (in)
			sc->duration_s = read_dhms(in + 4);
		read_with_errors_on(s, sc);
		return;
	} else if (starts(s, "resilver ")) {
		sc->func = ZH_SCAN_RESILVER;
		s = read_rebuild_vdev(s + 9, sc);
	} else {
		sc->func = ZH_SCAN_NONE;
		return;
	}
	if (starts(s, "repaired ")) {
		sc->state = ZH_SCAN_FINISHED;
		read_nicenum_word(s + 9, &sc->repaired_bytes);
		const char *in = strstr(s, " in ");
		if (in)
			sc->duration_s = read_dhms(in + 4);
		read_with_errors_on(s, sc);
	} else if (starts(s, "canceled on ")) {
		sc->state = ZH_SCAN_CANCELED;
		read_date(s + 12, &sc->end);
	} else if (starts(s, "in progress since ")) {
		sc->state = ZH_SCAN_RUNNING;
		read_date(s + 18, &sc->start);
	} else if (starts(s, "paused since ")) {
		sc->state = ZH_SCAN_PAUSED;
		read_date(s + 13, &sc->paused);
	}
	/* Progress lines: "scrub started on DATE", "X repaired, 12.34% done, ...". */
	for (const char *l = rest; l && *l;) {
		const char *eol = strchr(l, '\n');
		size_t n = eol ? (size_t)(eol - l) : strlen(l);
		char *line = xstrndup(l, n);
		const char *t = line;
		if (starts(t, "scrub started on "))
			read_date(t + 17, &sc->start);
		double pct = read_pct_done(t);
		if (pct >= 0) {
			sc->pct_done = pct;
			read_nicenum_word(t, &sc->repaired_bytes);
		}
		free(line);
		l = eol ? eol + 1 : NULL;
	}
}

/* zfs-fuse " scrub:" text, or the OpenZFS 2.3 error scrub that shares the key. */
static void parse_scrub_key(const char *first, const char *rest, struct zh_scan *sc)
{
	const char *s = first;
	if (starts(s, "none requested")) {
		sc->state = ZH_SCAN_NEVER;
		return;
	}
	if (starts(s, "scrubbed ") || starts(s, "error scrub ")) {
		/* OpenZFS 2.3: "scrubbed N error blocks in X on DATE", "error scrub ..." */
		sc->func = ZH_SCAN_ERRORSCRUB;
		if (starts(s, "scrubbed ")) {
			sc->state = ZH_SCAN_FINISHED;
			const char *in = strstr(s, " in ");
			if (in)
				sc->duration_s = read_dhms(in + 4);
			const char *on = strstr(s, " on ");
			while (on && !read_date(on + 4, &sc->end))
				on = strstr(on + 1, " on ");
		} else if (starts(s + 12, "canceled on ")) {
			sc->state = ZH_SCAN_CANCELED;
			read_date(s + 24, &sc->end);
		} else if (starts(s + 12, "in progress since ")) {
			sc->state = ZH_SCAN_RUNNING;
			read_date(s + 30, &sc->start);
		} else if (starts(s + 12, "paused since ")) {
			sc->state = ZH_SCAN_PAUSED;
			read_date(s + 25, &sc->paused);
		}
		if (rest && read_pct_done(rest) >= 0)
			sc->pct_done = read_pct_done(rest);
		return;
	}
	if (starts(s, "scrub "))
		sc->func = ZH_SCAN_SCRUB, s += 6;
	else if (starts(s, "resilver "))
		sc->func = ZH_SCAN_RESILVER, s += 9;
	else
		return;
	if (starts(s, "completed after ") || starts(s, "stopped after ")) {
		sc->state = s[0] == 'c' ? ZH_SCAN_FINISHED : ZH_SCAN_CANCELED;
		sc->duration_s = read_hm(strstr(s, "after ") + 6);
		read_with_errors_on(s, sc);
	} else if (starts(s, "in progress for ")) {
		sc->state = ZH_SCAN_RUNNING;
		sc->duration_s = read_hm(s + 16); /* elapsed so far */
		sc->pct_done = read_pct_done(s);
	}
}

/* ---- the text parser ---- */

enum section { SEC_NONE, SEC_STATUS, SEC_ACTION, SEC_SEE, SEC_SCAN, SEC_SCRUB, SEC_ERRORS, SEC_OTHER };

struct parser {
	struct zh_status *out;
	struct zh_pool *cur;
	enum section sec;
	struct strbuf first;  /* the key's text on its own line */
	struct strbuf cont;   /* continuation lines, "\n"-joined */
	bool in_config;
	enum zh_group group;
	int stack[64];        /* last row index per depth */
	int n_listed;         /* errors: lines listed after "Permanent errors" */
};

static void scan_init(struct zh_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->duration_s = -1;
	sc->errors = -1;
	sc->pct_done = -1;
}

static struct zh_scan *add_scan(struct zh_pool *p)
{
	p->scans = xrealloc(p->scans, (p->n_scans + 1) * sizeof(*p->scans));
	struct zh_scan *sc = &p->scans[p->n_scans++];
	scan_init(sc);
	return sc;
}

/* The section's first line and its continuation lines, as one line. */
static char *joined(struct parser *ps)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, sb_str(&ps->first));
	sb_add_joined_lines(&sb, sb_str(&ps->cont), false);
	return sb_detach(&sb);
}

static void set_text(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* Data errors from the errors: text; listed = file lines seen after it. */
static int64_t data_errors_of(const char *s, int listed)
{
	if (starts(s, "No known data errors"))
		return 0;
	char *e;
	long long n = strtoll(s, &e, 10);
	if (e != s && starts(e, " data error"))
		return n;
	if (starts(s, "Permanent errors have been detected"))
		return listed > 0 ? listed : 1;
	return -1;
}

/* Ends the current header section: stores what it collected in the pool. */
static void flush_section(struct parser *ps)
{
	struct zh_pool *p = ps->cur;
	if (p) {
		switch (ps->sec) {
		case SEC_STATUS: set_text(&p->status, joined(ps)); break;
		case SEC_ACTION: set_text(&p->action, joined(ps)); break;
		case SEC_SEE: set_text(&p->see, joined(ps)); break;
		case SEC_SCAN:
		case SEC_SCRUB: {
			struct zh_scan *sc = add_scan(p);
			const char *first = sb_str(&ps->first);
			const char *rest = sb_str(&ps->cont);
			if (ps->sec == SEC_SCAN)
				parse_openzfs_scan(first, rest, sc);
			else
				parse_scrub_key(first, rest, sc);
			struct strbuf t = STRBUF_INIT;
			sb_adds(&t, first);
			if (*rest) {
				sb_addc(&t, '\n');
				sb_adds(&t, rest);
			}
			sc->text = sb_detach(&t);
			break;
		}
		case SEC_ERRORS:
			set_text(&p->errors_text, xstrdup(sb_str(&ps->first)));
			p->data_errors = data_errors_of(sb_str(&ps->first), ps->n_listed);
			break;
		default: break;
		}
	}
	ps->sec = SEC_NONE;
	sb_reset(&ps->first);
	sb_reset(&ps->cont);
	ps->n_listed = 0;
}

static struct zh_pool *add_pool(struct zh_status *st, const char *name)
{
	st->pools = xrealloc(st->pools, (st->n_pools + 1) * sizeof(*st->pools));
	struct zh_pool *p = &st->pools[st->n_pools++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->state = ZH_STATE_UNKNOWN;
	p->state_text = xstrdup("");
	p->data_errors = -1;
	return p;
}

/* A header key at the start of t: "pool:", " state:"... Length of the key or 0. */
static size_t header_key(const char *t, char *key, size_t keysz)
{
	size_t n = 0;
	while (islower((unsigned char)t[n]) && n + 1 < keysz)
		n++;
	if (!n || t[n] != ':' || (t[n + 1] && t[n + 1] != ' '))
		return 0;
	memcpy(key, t, n);
	key[n] = '\0';
	return n + 1;
}

static bool is_lost(enum zh_state s)
{
	return s == ZH_OFFLINE || s == ZH_UNAVAIL || s == ZH_FAULTED || s == ZH_REMOVED;
}

void zh_vdev_classify(struct zh_vdev *v)
{
	const char *n = v->name;
	int par = 0;
	if (v->depth == 0) {
		v->type = ZH_VDEV_ROOT;
	} else if (starts(n, "mirror-")) {
		v->type = ZH_VDEV_MIRROR;
	} else if (starts(n, "replacing-")) {
		v->type = ZH_VDEV_REPLACING;
	} else if (starts(n, "spare-")) {
		v->type = ZH_VDEV_SPARE;
	} else if (starts(n, "raidz") && (isdigit((unsigned char)n[5]) || n[5] == '-')) {
		v->type = ZH_VDEV_RAIDZ;
		par = isdigit((unsigned char)n[5]) ? n[5] - '0' : 1;
	} else if (starts(n, "draid") && isdigit((unsigned char)n[5])) {
		par = n[5] - '0';
		/* draid1:2d:5c:1s-0 is the vdev, draid1-0-0 a distributed spare */
		v->type = n[6] == ':' ? ZH_VDEV_DRAID : ZH_VDEV_DRAID_SPARE;
		if (v->type == ZH_VDEV_DRAID_SPARE)
			par = 0;
	} else {
		/* A leaf. A missing one is printed as its guid with "was PATH". */
		const char *path = n;
		if (v->note && starts(v->note, "was "))
			path = v->note + 4;
		v->type = (path[0] == '/' && !starts(path, "/dev/")) ? ZH_VDEV_FILE : ZH_VDEV_DISK;
	}
	v->parity = par;
}

/* Splits "NAME  STATE  R W C  note": name may hold spaces; the state is the
 * first known state word after it. Returns false when the row has no state. */
static bool read_row(const char *t, struct zh_vdev *v)
{
	const char *p = t;
	const char *name_end = NULL, *state = NULL;
	size_t state_len = 0;
	while (*p) {
		const char *w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (w != t) {
			char *word = xstrndup(w, (size_t)(p - w));
			bool known = zh_state_parse(word) != ZH_STATE_UNKNOWN;
			free(word);
			if (known) {
				state = w;
				state_len = (size_t)(p - w);
				break;
			}
		}
		name_end = p;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (!state || !name_end)
		return false;
	v->name = xstrndup(t, (size_t)(name_end - t));
	v->state_text = xstrndup(state, state_len);
	v->state = zh_state_parse(v->state_text);
	p = state + state_len;
	/* Three counters, when the listing has them. */
	const char *save = p;
	uint64_t c[3];
	int k = 0;
	for (; k < 3; k++) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		char *word = xstrndup(w, (size_t)(p - w));
		int bad = zh_parse_nicenum(word, &c[k]);
		free(word);
		if (bad)
			break;
	}
	if (k == 3) {
		v->has_counters = true;
		v->read_errors = c[0];
		v->write_errors = c[1];
		v->cksum_errors = c[2];
	} else {
		p = save;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	v->note = n ? xstrndup(p, n) : NULL;
	return true;
}

/* One line of the config table (after the leading tab). */
static void config_row(struct parser *ps, const char *row)
{
	size_t sp = 0;
	while (row[sp] == ' ')
		sp++;
	int depth = (int)(sp / 2);
	const char *t = row + sp;
	if (!*t)
		return;
	struct zh_pool *p = ps->cur;
	char first[32];
	size_t wl = strcspn(t, " \t");
	if (depth == 0 && wl < sizeof(first)) {
		memcpy(first, t, wl);
		first[wl] = '\0';
		if (!strcmp(first, "NAME"))
			return; /* header */
		int g = group_parse(first);
		if (g >= 0 && !t[wl + strspn(t + wl, " \t")]) {
			ps->group = (enum zh_group)g;
			return;
		}
	}
	struct zh_vdev v;
	memset(&v, 0, sizeof(v));
	if (!read_row(t, &v)) {
		/* `zpool import` lists cache devices by name only; anything else
		 * without a state is prose ("Additional devices are known..."). */
		if (depth == 0 || t[strcspn(t, " \t")])
			return;
		v.name = xstrdup(t);
		v.state_text = xstrdup("");
		v.state = ZH_STATE_UNKNOWN;
	}
	if (depth >= (int)(sizeof(ps->stack) / sizeof(ps->stack[0])))
		depth = (int)(sizeof(ps->stack) / sizeof(ps->stack[0])) - 1;
	if (depth == 0)
		ps->group = ZH_DATA;
	v.depth = depth;
	v.group = ps->group;
	v.parent = depth >= 2 ? ps->stack[depth - 1] : -1;
	zh_vdev_classify(&v);
	p->vdevs = xrealloc(p->vdevs, (p->n_vdevs + 1) * sizeof(*p->vdevs));
	p->vdevs[p->n_vdevs] = v;
	ps->stack[depth] = (int)p->n_vdevs;
	p->n_vdevs++;
}

/* Rows named like interior vdevs but without children are "other". */
static void fix_types(struct zh_pool *p)
{
	for (size_t i = 0; i < p->n_vdevs; i++) {
		struct zh_vdev *v = &p->vdevs[i];
		bool interior = v->type == ZH_VDEV_MIRROR || v->type == ZH_VDEV_RAIDZ ||
				v->type == ZH_VDEV_DRAID || v->type == ZH_VDEV_REPLACING ||
				v->type == ZH_VDEV_SPARE;
		bool kids = i + 1 < p->n_vdevs && p->vdevs[i + 1].parent == (int)i;
		if (interior && !kids)
			v->type = ZH_VDEV_OTHER;
	}
}

static void parse_line(struct parser *ps, const char *l, struct diag_list *dl, int *rc)
{
	const char *t = l;
	while (*t == ' ')
		t++;
	char key[16];
	size_t kl = (l[0] != '\t') ? header_key(t, key, sizeof(key)) : 0;
	if (kl) {
		const char *val = t + kl;
		while (*val == ' ')
			val++;
		flush_section(ps);
		ps->in_config = false;
		if (!strcmp(key, "pool")) {
			if (ps->cur)
				fix_types(ps->cur);
			ps->cur = add_pool(ps->out, val);
			ps->group = ZH_DATA;
			return;
		}
		if (!strcmp(key, "config")) {
			ps->in_config = true;
			ps->group = ZH_DATA;
			return;
		}
		if (!ps->cur)
			return; /* "errors: ..." without a pool: nothing to attach it to */
		if (!strcmp(key, "state")) {
			size_t n = strcspn(val, " ");
			set_text(&ps->cur->state_text, xstrndup(val, n));
			ps->cur->state = zh_state_parse(ps->cur->state_text);
		} else if (!strcmp(key, "id")) {
			set_text(&ps->cur->import_id, xstrdup(val));
		} else {
			static const struct { const char *k; enum section s; } keys[] = {
				{ "status", SEC_STATUS }, { "action", SEC_ACTION }, { "see", SEC_SEE },
				{ "scan", SEC_SCAN }, { "scrub", SEC_SCRUB }, { "errors", SEC_ERRORS },
			};
			ps->sec = SEC_OTHER;
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (!strcmp(key, keys[i].k))
					ps->sec = keys[i].s;
			sb_adds(&ps->first, val);
		}
		return;
	}
	if (ps->in_config) {
		if (l[0] == '\t') {
			if (!ps->cur) {
				diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
					 "unexpected output of 'zpool status': a config table before any 'pool:' line");
				*rc = -1;
				ps->in_config = false;
				return;
			}
			config_row(ps, l + 1);
		}
		return;
	}
	if (ps->sec == SEC_ERRORS) {
		/* -v: the damaged files, indented, after a blank line */
		if (*t)
			ps->n_listed++;
		return;
	}
	if (ps->sec != SEC_NONE && l[0] == '\t') {
		if (ps->cont.len)
			sb_addc(&ps->cont, '\n');
		sb_adds(&ps->cont, l + 1);
		return;
	}
	if (!*t)
		return;
	/* Another line ("all pools are healthy"): ends the section. */
	flush_section(ps);
}

int zh_parse_status(const char *text, struct zh_status *out, struct diag_list *dl)
{
	struct parser ps;
	memset(&ps, 0, sizeof(ps));
	ps.out = out;
	sb_init(&ps.first);
	sb_init(&ps.cont);
	int rc = 0;
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--; /* "\tspecial\t", "AVAIL   " */
		char *l = xstrndup(line, len);
		parse_line(&ps, l, dl, &rc);
		free(l);
		line = eol ? eol + 1 : NULL;
	}
	flush_section(&ps);
	if (ps.cur)
		fix_types(ps.cur);
	sb_release(&ps.first);
	sb_release(&ps.cont);
	return rc;
}

/* ---- queries ---- */

const struct zh_pool *zh_pool_find(const struct zh_status *st, const char *name)
{
	for (size_t i = 0; st && i < st->n_pools; i++)
		if (!strcmp(st->pools[i].name, name))
			return &st->pools[i];
	return NULL;
}

const struct zh_scan *zh_pool_scrub(const struct zh_pool *p)
{
	for (size_t i = 0; i < p->n_scans; i++)
		if (p->scans[i].func == ZH_SCAN_SCRUB)
			return &p->scans[i];
	return NULL;
}

bool zh_pool_scan_active(const struct zh_pool *p)
{
	for (size_t i = 0; i < p->n_scans; i++)
		if (p->scans[i].state == ZH_SCAN_RUNNING || p->scans[i].state == ZH_SCAN_PAUSED)
			return true;
	return false;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* A leaf being resilvered does not hold a full copy yet: OpenZFS marks it
 * "(resilvering)", zfs-fuse "12M resilvered" (also after the end, so only
 * while the pool's resilver runs). */
static bool resilver_running(const struct zh_pool *p)
{
	for (size_t i = 0; i < p->n_scans; i++)
		if ((p->scans[i].func == ZH_SCAN_RESILVER || p->scans[i].func == ZH_SCAN_REBUILD) &&
		    p->scans[i].state == ZH_SCAN_RUNNING)
			return true;
	return false;
}

/* Also the new device of replacing-N or the spare of spare-N (their last
 * child) while a resilver runs, marked or not (OpenZFS marks a leaf only once
 * it has received data). */
static bool resilvering(const struct zh_pool *p, size_t i)
{
	const struct zh_vdev *v = &p->vdevs[i];
	if (v->note && (strstr(v->note, "resilvering") || strstr(v->note, "awaiting resilver")))
		return true;
	if (!resilver_running(p))
		return false;
	if (v->note && strstr(v->note, " resilvered"))
		return true;
	if (v->parent < 0)
		return false;
	enum zh_vdev_type pt = p->vdevs[v->parent].type;
	bool last = !(i + 1 < p->n_vdevs && p->vdevs[i + 1].parent == v->parent);
	return last && (pt == ZH_VDEV_REPLACING || pt == ZH_VDEV_SPARE);
}

int zh_vdev_margin(const struct zh_pool *p, size_t i, bool full)
{
	const struct zh_vdev *v = &p->vdevs[i];
	size_t n = 0;
	for (size_t j = i + 1; j < p->n_vdevs && p->vdevs[j].depth > v->depth; j++)
		if (p->vdevs[j].parent == (int)i)
			n++;
	if (n == 0)
		return (!full && (is_lost(v->state) || resilvering(p, i))) ? -1 : 0;
	if (!full && is_lost(v->state))
		return -1;
	/* cost[k]: failures needed to lose child k (0 when already lost) */
	int *cost = xcalloc(n, sizeof(*cost));
	size_t k = 0, lost = 0;
	for (size_t j = i + 1; j < p->n_vdevs && p->vdevs[j].depth > v->depth; j++) {
		if (p->vdevs[j].parent != (int)i)
			continue;
		cost[k] = zh_vdev_margin(p, j, full) + 1;
		lost += cost[k] == 0;
		k++;
	}
	int m;
	if (v->type == ZH_VDEV_RAIDZ || v->type == ZH_VDEV_DRAID) {
		size_t par = (size_t)v->parity;
		if (lost > par) {
			m = -1;
		} else {
			/* the cheapest (par - lost + 1) live children decide */
			qsort(cost, n, sizeof(*cost), cmp_int);
			size_t need = par - lost + 1;
			int sum = 0;
			for (size_t c = lost; c < n && need; c++, need--)
				sum += cost[c];
			m = sum - 1;
		}
	} else {
		/* mirror-like: lost when every child is lost */
		int sum = 0;
		for (size_t c = 0; c < n; c++)
			sum += cost[c];
		m = sum - 1;
	}
	free(cost);
	return m;
}

void zh_pool_redundancy(const struct zh_pool *p, struct zh_redundancy *r)
{
	memset(r, 0, sizeof(*r));
	r->min_margin = 0;
	r->worst_vdev = -1;
	r->critical_vdev = -1;
	bool any = false;
	for (size_t i = 0; i < p->n_vdevs; i++) {
		const struct zh_vdev *v = &p->vdevs[i];
		if (v->depth != 1 || v->group == ZH_CACHE || v->group == ZH_SPARES)
			continue;
		int m = zh_vdev_margin(p, i, false), f = zh_vdev_margin(p, i, true);
		if (v->group == ZH_LOGS) {
			r->log_degraded |= m < f;
			continue;
		}
		if (!any || m < r->min_margin) {
			r->min_margin = m;
			r->worst_vdev = (int)i;
		}
		any = true;
		if (m < f) {
			r->lost_redundancy = true;
			if (m <= 0 && !r->critical) {
				r->critical = true;
				r->critical_vdev = (int)i;
			}
		}
	}
}

/* ---- free ---- */

static void scan_free(struct zh_scan *sc)
{
	free(sc->vdev);
	free(sc->text);
}

void zh_pool_free(struct zh_pool *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->state_text);
	free(p->import_id);
	free(p->status);
	free(p->action);
	free(p->see);
	free(p->errors_text);
	for (size_t k = 0; k < p->n_scans; k++)
		scan_free(&p->scans[k]);
	free(p->scans);
	for (size_t k = 0; k < p->n_vdevs; k++) {
		free(p->vdevs[k].name);
		free(p->vdevs[k].state_text);
		free(p->vdevs[k].note);
	}
	free(p->vdevs);
	memset(p, 0, sizeof(*p));
}

void zh_status_free(struct zh_status *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_pools; i++)
		zh_pool_free(&st->pools[i]);
	free(st->pools);
	st->pools = NULL;
	st->n_pools = 0;
}
