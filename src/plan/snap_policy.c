#include "plan/snap_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/civil.h"
#include "util/strbuf.h"

int64_t snap_class_period(enum snap_class c, unsigned frequent_minutes)
{
	switch (c) {
	case SNAP_FREQUENT: return (int64_t)frequent_minutes * 60;
	case SNAP_HOURLY: return 3600;
	case SNAP_DAILY: return 86400;
	case SNAP_WEEKLY: return 7 * 86400;
	case SNAP_MONTHLY: return 31 * 86400;
	case SNAP_YEARLY: return 31557600;   /* 365.25 d */
	default: return 0;
	}
}

/* ---- due ---------------------------------------------------------------- */

int64_t snap_period_start(enum snap_class c, unsigned frequent_minutes, const struct tz_zone *z,
			  int64_t now)
{
	struct civil lc, b;
	civil_from_secs(tz_local_secs(z, now), &lc);
	b = lc;
	b.sec = 0;
	bool subday = c == SNAP_FREQUENT || c == SNAP_HOURLY;
	switch (c) {
	case SNAP_FREQUENT: {
		unsigned fm = frequent_minutes ? frequent_minutes : 1;
		unsigned m = (unsigned)(lc.hour * 60 + lc.min);
		m -= m % fm;
		b.hour = (int)(m / 60);
		b.min = (int)(m % 60);
		break;
	}
	case SNAP_HOURLY:
		b.min = 0;
		break;
	case SNAP_WEEKLY: {
		int64_t days = civil_days_from_date(lc.year, lc.month, lc.day);
		days -= civil_iso_weekday(days) - 1;
		civil_date_from_days(days, &b.year, &b.month, &b.day);
		b.hour = b.min = 0;
		break;
	}
	case SNAP_YEARLY:
		b.month = 1;
		/* fall through */
	case SNAP_MONTHLY:
		b.day = 1;
		/* fall through */
	case SNAP_DAILY:
	default:
		b.hour = b.min = 0;
		break;
	}
	struct tz_resolved r;
	tz_resolve_local(z, civil_to_secs(&b), &r);
	/* sub-day periods: the occurrence of the start time we are in; longer ones: the first */
	int64_t start = r.first;
	if (subday && r.kind == TZ_FOLD && r.last <= now)
		start = r.last;
	return start <= now ? start : now;
}

void snap_due_eval(const struct snap_policy *p, const struct tz_zone *z, int64_t now,
		   const struct snap_info *s, size_t n, struct snap_due *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		int64_t t;
		enum snap_class c;
		if (snap_name_parse(s[i].name, &t, &c))
			continue;
		if (t > now)
			out->clock_skew = true;
		if (!out->has_newest[c] || t > out->newest[c]) {
			out->newest[c] = t;
			out->has_newest[c] = true;
		}
	}
	for (int c = 0; c < SNAP_NCLASSES; c++) {
		out->period_start[c] = snap_period_start((enum snap_class)c, p->frequent_minutes, z, now);
		if (out->clock_skew || !p->keep[c])
			continue;
		if (out->has_newest[c] && out->newest[c] >= out->period_start[c])
			continue;
		if (snap_name_format(now, (enum snap_class)c, out->name[c], sizeof(out->name[c])))
			continue;
		out->due[c] = true;
		out->n_due++;
	}
}

/* ---- retention ---------------------------------------------------------- */

struct rank_ctx {
	const struct snap_decision *d;
	const struct snap_info *s;
};

/* Class, then newest first: time desc, createtxg desc, name asc. */
static int cmp_rank(const void *a, const void *b, void *arg)
{
	const struct rank_ctx *x = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct snap_decision *di = &x->d[i], *dj = &x->d[j];
	if (di->cls != dj->cls)
		return di->cls < dj->cls ? -1 : 1;
	if (di->time != dj->time)
		return di->time > dj->time ? -1 : 1;
	if (x->s[i].createtxg != x->s[j].createtxg)
		return x->s[i].createtxg > x->s[j].createtxg ? -1 : 1;
	return strcmp(x->s[i].name, x->s[j].name);
}

static bool protected_guid(uint64_t guid, const struct snap_protect *prot, size_t n_prot, uint32_t *k)
{
	for (size_t i = 0; i < n_prot; i++)
		if (prot[i].guid == guid) {
			*k = (uint32_t)i;
			return true;
		}
	return false;
}

/* The verdict of one of ours once ranked. */
static void decide_ours(const struct snap_policy *p, int64_t now, const struct snap_info *s,
			const struct snap_protect *prot, size_t n_prot, struct snap_decision *d)
{
	unsigned keep = p->keep[d->cls];
	int64_t window = (int64_t)keep * snap_class_period(d->cls, p->frequent_minutes);
	enum snap_reason rule;
	if (keep == 0)
		rule = SNAP_R_NOT_KEPT;
	else if (d->rank <= keep)
		rule = SNAP_R_COUNT;
	else if (now - d->time <= window)
		rule = SNAP_R_AGE;
	else
		rule = SNAP_R_EXPIRED;
	d->expired = rule == SNAP_R_NOT_KEPT || rule == SNAP_R_EXPIRED;
	d->verdict = SNAP_KEEP;
	if (d->time > now)
		d->reason = SNAP_R_FUTURE;
	else if (s->userrefs > 0)
		d->reason = SNAP_R_HELD;
	else if (s->has_clones)
		d->reason = SNAP_R_CLONES;
	else if (protected_guid(s->guid, prot, n_prot, &d->protect))
		d->reason = SNAP_R_PROTECTED;
	else {
		d->reason = rule;
		if (d->expired)
			d->verdict = SNAP_DESTROY;
	}
}

void snap_retention_decide(const struct snap_policy *p, int64_t now, const struct snap_info *s,
			   size_t n, const struct snap_protect *prot, size_t n_prot,
			   struct snap_retention *out)
{
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	size_t *ours = xmalloc((n ? n : 1) * sizeof(*ours));
	size_t n_ours = 0;
	for (size_t i = 0; i < n; i++) {
		struct snap_decision *d = &out->v[i];
		if (snap_name_parse(s[i].name, &d->time, &d->cls)) {
			d->verdict = SNAP_FOREIGN;
			d->reason = SNAP_R_FOREIGN;
			d->time = s[i].creation;
			continue;
		}
		if (d->time > now)
			out->clock_skew = true;
		ours[n_ours++] = i;
	}
	struct rank_ctx ctx = { out->v, s };
	qsort_r(ours, n_ours, sizeof(*ours), cmp_rank, &ctx);
	uint32_t rank = 0;
	for (size_t k = 0; k < n_ours; k++) {
		struct snap_decision *d = &out->v[ours[k]];
		rank = k && out->v[ours[k - 1]].cls == d->cls ? rank + 1 : 1;
		d->rank = rank;
		decide_ours(p, now, &s[ours[k]], prot, n_prot, d);
		if (out->clock_skew && d->verdict == SNAP_DESTROY) {
			d->verdict = SNAP_KEEP;
			d->reason = SNAP_R_SKEW_PAUSED;
		}
	}
	free(ours);
	for (size_t i = 0; i < n; i++) {
		switch (out->v[i].verdict) {
		case SNAP_KEEP: out->n_keep++; break;
		case SNAP_DESTROY: out->n_destroy++; break;
		case SNAP_FOREIGN: out->n_foreign++; break;
		}
	}
}

void snap_retention_free(struct snap_retention *r)
{
	if (!r)
		return;
	free(r->v);
	memset(r, 0, sizeof(*r));
}

void snap_window_format(enum snap_class c, const struct snap_policy *p, char *buf, size_t len)
{
	unsigned long long k = p->keep[c];
	switch (c) {
	case SNAP_FREQUENT:
		snprintf(buf, len, "%llu min", k * p->frequent_minutes);
		break;
	case SNAP_HOURLY:
		snprintf(buf, len, "%llu h", k);
		break;
	case SNAP_YEARLY: {
		unsigned long long q = k * 36525;   /* hundredths of a day */
		unsigned long long frac = q % 100;
		if (!frac)
			snprintf(buf, len, "%llu d", q / 100);
		else if (frac % 10 == 0)
			snprintf(buf, len, "%llu.%llu d", q / 100, frac / 10);
		else
			snprintf(buf, len, "%llu.%02llu d", q / 100, frac);
		break;
	}
	default:
		snprintf(buf, len, "%llu d", k * (unsigned long long)(snap_class_period(c, 0) / 86400));
		break;
	}
}

/* "hourly #49, older than 48 h" (the count and age rules' verdict on an expired one) */
static void expired_text(const struct snap_decision *d, const struct snap_policy *p, char *buf,
			 size_t len)
{
	char w[32];
	if (d->reason == SNAP_R_NOT_KEPT || (d->reason == SNAP_R_SKEW_PAUSED && !p->keep[d->cls])) {
		snprintf(buf, len, "%s #%u, the policy keeps no %s", snap_class_name(d->cls), d->rank,
			 snap_class_name(d->cls));
		return;
	}
	snap_window_format(d->cls, p, w, sizeof(w));
	snprintf(buf, len, "%s #%u, older than %s", snap_class_name(d->cls), d->rank, w);
}

void snap_reason_format(const struct snap_decision *d, const struct snap_policy *p,
			const struct snap_protect *prot, char *buf, size_t len)
{
	char w[32], e[96];
	switch (d->reason) {
	case SNAP_R_FOREIGN:
		snprintf(buf, len, "foreign: left alone");
		break;
	case SNAP_R_FUTURE:
		snprintf(buf, len, "keep: in the future (clock skew)");
		break;
	case SNAP_R_HELD:
		snprintf(buf, len, "keep: held");
		break;
	case SNAP_R_CLONES:
		snprintf(buf, len, "keep: has clones");
		break;
	case SNAP_R_PROTECTED:
		snprintf(buf, len, "keep: newest in common with %s", prot ? prot[d->protect].label : "?");
		break;
	case SNAP_R_COUNT:
		snprintf(buf, len, "keep: %s #%u of %u", snap_class_name(d->cls), d->rank, p->keep[d->cls]);
		break;
	case SNAP_R_AGE:
		snap_window_format(d->cls, p, w, sizeof(w));
		snprintf(buf, len, "keep: %s #%u, at most %s old", snap_class_name(d->cls), d->rank, w);
		break;
	case SNAP_R_SKEW_PAUSED:
		expired_text(d, p, e, sizeof(e));
		snprintf(buf, len, "keep: pruning paused by clock skew (%s)", e);
		break;
	case SNAP_R_EXPIRED:
	case SNAP_R_NOT_KEPT:
		expired_text(d, p, e, sizeof(e));
		snprintf(buf, len, "destroy: %s", e);
		break;
	}
}

static int cmp_display(const void *a, const void *b, void *arg)
{
	const struct rank_ctx *x = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (x->d[i].time != x->d[j].time)
		return x->d[i].time < x->d[j].time ? -1 : 1;
	if (x->s[i].createtxg != x->s[j].createtxg)
		return x->s[i].createtxg < x->s[j].createtxg ? -1 : 1;
	return strcmp(x->s[i].name, x->s[j].name);
}

size_t *snap_retention_order(const struct snap_retention *r, const struct snap_info *s)
{
	size_t *idx = xmalloc((r->n ? r->n : 1) * sizeof(*idx));
	for (size_t i = 0; i < r->n; i++)
		idx[i] = i;
	struct rank_ctx ctx = { r->v, s };
	qsort_r(idx, r->n, sizeof(*idx), cmp_display, &ctx);
	return idx;
}

/* ---- policy-change guard ------------------------------------------------- */

size_t snap_policy_guard(const struct snap_policy *prev, const struct snap_policy *next, int64_t now,
			 const struct snap_info *s, size_t n, const struct snap_protect *prot,
			 size_t n_prot, size_t **idx)
{
	struct snap_retention a = { 0 }, b;
	if (prev)
		snap_retention_decide(prev, now, s, n, prot, n_prot, &a);
	snap_retention_decide(next, now, s, n, prot, n_prot, &b);
	size_t k = 0;
	*idx = NULL;
	for (size_t i = 0; i < n; i++) {
		if (b.v[i].verdict != SNAP_DESTROY || (prev && a.v[i].verdict != SNAP_KEEP))
			continue;
		if (!*idx)
			*idx = xmalloc(n * sizeof(**idx));
		(*idx)[k++] = i;
	}
	snap_retention_free(&a);
	snap_retention_free(&b);
	return k;
}
