#include "plan/health_check.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

void hc_thresholds_from_config(const struct monitoring_config *c, struct hc_thresholds *t)
{
	t->capacity_warn_pct = c->capacity_warn_pct;
	t->capacity_crit_pct = c->capacity_crit_pct;
	t->scrub_warn_factor = c->scrub_warn_factor;
	t->scrub_crit_factor = c->scrub_crit_factor;
	t->snapshot_warn_factor = c->snapshot_warn_factor;
	t->snapshot_crit_factor = c->snapshot_crit_factor;
	t->nvme_used_warn_pct = c->nvme_used_warn_pct;
	t->nvme_used_crit_pct = c->nvme_used_crit_pct;
}

void hc_thresholds_default(struct hc_thresholds *t)
{
	struct monitoring_config c;
	monitoring_config_defaults(&c);
	hc_thresholds_from_config(&c, t);
}

const char *hc_severity_name(enum hc_severity s)
{
	switch (s) {
	case HC_OK: return "OK";
	case HC_WARNING: return "WARNING";
	case HC_CRITICAL: return "CRITICAL";
	default: return "UNKNOWN";
	}
}

/* Rank for ordering and the overall status: critical > warning > unknown > ok. */
static int rank(enum hc_severity s)
{
	return s == HC_CRITICAL ? 3 : s == HC_WARNING ? 2 : s == HC_UNKNOWN ? 1 : 0;
}

char *hc_format_duration(int64_t s)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		return xasprintf("%" PRId64 "d %" PRId64 "h", s / 86400, (s % 86400) / 3600);
	if (s >= 3600)
		return xasprintf("%" PRId64 "h %" PRId64 "m", s / 3600, (s % 3600) / 60);
	if (s >= 60)
		return xasprintf("%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
	return xasprintf("%" PRId64 "s", s);
}

/* A factor as people write it: "1.5", "4". */
static char *fmt_factor(double f)
{
	char *s = xasprintf("%.2f", f);
	size_t n = strlen(s);
	while (n && s[n - 1] == '0')
		s[--n] = '\0';
	if (n && s[n - 1] == '.')
		s[--n] = '\0';
	return s;
}

static void add(struct hc_result *r, enum hc_severity sev, const char *object, char *message)
{
	r->problems = xrealloc(r->problems, (r->n + 1) * sizeof(*r->problems));
	r->problems[r->n].severity = sev;
	r->problems[r->n].object = xstrdup(object);
	r->problems[r->n].message = message;
	r->n++;
}

static bool lost_state(enum zh_state s)
{
	return s == ZH_OFFLINE || s == ZH_UNAVAIL || s == ZH_FAULTED || s == ZH_REMOVED;
}

static bool is_leaf(const struct zh_pool *p, size_t i)
{
	return !(i + 1 < p->n_vdevs && p->vdevs[i + 1].parent == (int)i);
}

/* " (a OFFLINE, b UNAVAIL)": the pool's lost leaves, data and logs, at most 4. */
static void add_lost_leaves(struct strbuf *sb, const struct zh_pool *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_vdevs; i++) {
		const struct zh_vdev *v = &p->vdevs[i];
		if (v->depth == 0 || v->group == ZH_SPARES || v->group == ZH_CACHE || !is_leaf(p, i) ||
		    !lost_state(v->state))
			continue;
		if (n < 4)
			sb_addf(sb, "%s%s %s", n ? ", " : " (", v->name, v->state_text);
		n++;
	}
	if (n > 4)
		sb_addf(sb, ", %zu more", n - 4);
	if (n)
		sb_addc(sb, ')');
}

static void check_pool_state(const struct hc_pool *hp, const char *obj, struct hc_result *r)
{
	const struct zh_pool *p = hp->health;
	struct strbuf sb = STRBUF_INIT;
	switch (p->state) {
	case ZH_ONLINE:
		return;
	case ZH_FAULTED: case ZH_UNAVAIL: case ZH_SUSPENDED: case ZH_REMOVED: case ZH_OFFLINE:
		sb_addf(&sb, "%s", zh_state_name(p->state));
		add_lost_leaves(&sb, p);
		sb_adds(&sb, "; critical when FAULTED, UNAVAIL, SUSPENDED, REMOVED or OFFLINE");
		add(r, HC_CRITICAL, obj, sb_detach(&sb));
		return;
	case ZH_DEGRADED: {
		struct zh_redundancy red;
		zh_pool_redundancy(p, &red);
		if (red.critical) {
			sb_addf(&sb, "DEGRADED, %s has no redundancy left", p->vdevs[red.critical_vdev].name);
			add_lost_leaves(&sb, p);
			sb_adds(&sb, "; critical when a vdev survives no further device failure");
			add(r, HC_CRITICAL, obj, sb_detach(&sb));
		} else {
			sb_adds(&sb, "DEGRADED");
			if (red.lost_redundancy && red.worst_vdev >= 0) {
				/* the vdev that lost a device with the least redundancy left */
				int best = -1, bm = 0;
				for (size_t i = 0; i < p->n_vdevs; i++) {
					const struct zh_vdev *v = &p->vdevs[i];
					if (v->depth != 1 || v->group == ZH_LOGS || v->group == ZH_CACHE ||
					    v->group == ZH_SPARES)
						continue;
					int m = zh_vdev_margin(p, i, false);
					if (m < zh_vdev_margin(p, i, true) && (best < 0 || m < bm))
						best = (int)i, bm = m;
				}
				if (best >= 0)
					sb_addf(&sb, ", %s can lose %d more device%s", p->vdevs[best].name, bm,
						bm == 1 ? "" : "s");
			} else if (red.log_degraded) {
				sb_adds(&sb, ", a log device is lost");
			}
			add_lost_leaves(&sb, p);
			sb_adds(&sb, "; warning while every vdev has redundancy left");
			add(r, HC_WARNING, obj, sb_detach(&sb));
		}
		return;
	}
	default:
		sb_addf(&sb, "state '%s' is not one ZFS is known to report", p->state_text);
		add(r, HC_UNKNOWN, obj, sb_detach(&sb));
		return;
	}
}

static void check_errors(const struct hc_pool *hp, const char *obj, struct hc_result *r)
{
	const struct zh_pool *p = hp->health;
	for (size_t i = 0; i < p->n_vdevs; i++) {
		const struct zh_vdev *v = &p->vdevs[i];
		if (!v->has_counters || !(v->read_errors || v->write_errors || v->cksum_errors))
			continue;
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "vdev %s has", v->name);
		const char *sep = " ";
		if (v->read_errors)
			sb_addf(&sb, "%s%" PRIu64 " read", sep, v->read_errors), sep = ", ";
		if (v->write_errors)
			sb_addf(&sb, "%s%" PRIu64 " write", sep, v->write_errors), sep = ", ";
		if (v->cksum_errors)
			sb_addf(&sb, "%s%" PRIu64 " checksum", sep, v->cksum_errors);
		sb_addf(&sb, " errors; warning at any error ('zpool clear %s' resets the counters)", p->name);
		add(r, HC_WARNING, obj, sb_detach(&sb));
	}
	if (p->data_errors > 0)
		add(r, HC_WARNING, obj,
		    xasprintf("%" PRId64 " data error%s ('zpool status -v %s' lists the damaged files); warning at any data error",
			      p->data_errors, p->data_errors == 1 ? "" : "s", p->name));
}

static void check_capacity(const struct hc_pool *hp, const char *obj, const struct hc_thresholds *t,
			   struct hc_result *r)
{
	if (hp->capacity_pct < 0)
		return;
	if (hp->capacity_pct >= t->capacity_crit_pct)
		add(r, HC_CRITICAL, obj, xasprintf("%d%% full; critical at %d%%", hp->capacity_pct, t->capacity_crit_pct));
	else if (hp->capacity_pct >= t->capacity_warn_pct)
		add(r, HC_WARNING, obj, xasprintf("%d%% full; warning at %d%%", hp->capacity_pct, t->capacity_warn_pct));
}

/* "critical after 45d 0h (1.5 x every 30d 0h)"-style age checks; what: "last scrub finished". */
static void check_age(struct hc_result *r, const char *obj, int64_t age, int64_t period, double warn, double crit,
		      const char *what, const char *every)
{
	enum hc_severity sev = HC_OK;
	double f = 0;
	if ((double)age > crit * (double)period)
		sev = HC_CRITICAL, f = crit;
	else if ((double)age > warn * (double)period)
		sev = HC_WARNING, f = warn;
	if (sev == HC_OK)
		return;
	char *a = hc_format_duration(age), *lim = hc_format_duration((int64_t)(f * (double)period));
	char *per = hc_format_duration(period), *fs = fmt_factor(f);
	add(r, sev, obj, xasprintf("%s %s ago; %s after %s (%s x %s %s)", what, a,
				   sev == HC_CRITICAL ? "critical" : "warning", lim, fs, every, per));
	free(a);
	free(lim);
	free(per);
	free(fs);
}

static void check_scrub(const struct hc_pool *hp, const char *obj, const struct hc_thresholds *t, time_t now,
			struct hc_result *r)
{
	if (hp->scrub_interval_s <= 0)
		return;
	const struct zh_pool *p = hp->health;
	const struct zh_scan *scrub = zh_pool_scrub(p), *last_full = NULL;
	if (zh_pool_scan_active(p))
		return; /* a scrub, resilver or rebuild is reading the pool now */
	if (scrub && scrub->state == ZH_SCAN_FINISHED)
		last_full = scrub;
	for (size_t i = 0; !scrub && i < p->n_scans; i++)
		if (p->scans[i].func == ZH_SCAN_RESILVER && p->scans[i].state == ZH_SCAN_FINISHED)
			last_full = &p->scans[i];
	char *per = hc_format_duration(hp->scrub_interval_s);
	if (!last_full || !last_full->end.set) {
		bool scanned = false;
		for (size_t i = 0; i < p->n_scans; i++)
			scanned |= p->scans[i].state != ZH_SCAN_NEVER;
		if (scrub && scrub->state == ZH_SCAN_CANCELED)
			add(r, HC_WARNING, obj, xasprintf("the last scrub was canceled and none finished since; "
							  "scrubs are due every %s", per));
		else if (scanned)
			add(r, HC_WARNING, obj, xasprintf("no finished scrub shown; scrubs are due every %s", per));
		else if (hp->created > 0 && (double)(now - hp->created) <= t->scrub_warn_factor * (double)hp->scrub_interval_s)
			; /* a new pool: its first scrub is not late yet */
		else
			add(r, HC_WARNING, obj, xasprintf("never scrubbed; scrubs are due every %s", per));
		free(per);
		return;
	}
	free(per);
	time_t end = zh_time_epoch(&last_full->end);
	if (end > now) {
		add(r, HC_WARNING, obj, xstrdup("the last scrub ended in the future (clock skew?)"));
		return;
	}
	check_age(r, obj, (int64_t)(now - end), hp->scrub_interval_s, t->scrub_warn_factor, t->scrub_crit_factor,
		  last_full == scrub ? "last scrub finished" : "no scrub shown; last resilver finished", "every");
}

static void check_snapshots(const struct hc_snapshots *s, const struct hc_thresholds *t, time_t now,
			    struct hc_result *r)
{
	char *obj = xasprintf("dataset %s", s->dataset);
	char *per = hc_format_duration(s->period_s);
	if (s->newest < 0) {
		add(r, HC_WARNING, obj, xasprintf("no %s snapshot yet; one is due every %s", s->class_name, per));
	} else if (s->newest > now) {
		add(r, HC_WARNING, obj, xasprintf("the newest %s snapshot is dated in the future (clock skew?)",
						  s->class_name));
	} else if (s->period_s > 0) {
		char *what = xasprintf("newest %s snapshot taken", s->class_name);
		check_age(r, obj, (int64_t)(now - s->newest), s->period_s, t->snapshot_warn_factor,
			  t->snapshot_crit_factor, what, "every");
		free(what);
	}
	free(per);
	free(obj);
}

static void check_disk(const struct hc_disk *d, const struct hc_thresholds *t, struct hc_result *r)
{
	const struct smart_info *s = d->smart;
	if (!s || !s->known)
		return; /* unknown: a file vdev, no smartctl, a virtual disk */
	char *obj = d->pool ? xasprintf("disk %s (pool %s)", s->device, d->pool) : xasprintf("disk %s", s->device);
	if (s->percentage_used >= t->nvme_used_crit_pct)
		add(r, HC_CRITICAL, obj, xasprintf("%d%% of its rated endurance used; critical at %d%%",
						   s->percentage_used, t->nvme_used_crit_pct));
	else if (s->percentage_used >= t->nvme_used_warn_pct)
		add(r, HC_WARNING, obj, xasprintf("%d%% of its rated endurance used; warning at %d%%",
						  s->percentage_used, t->nvme_used_warn_pct));
	bool spare_low = s->available_spare >= 0 && s->available_spare_threshold >= 0 &&
			 s->available_spare < s->available_spare_threshold;
	if (spare_low)
		add(r, HC_CRITICAL, obj, xasprintf("available spare %d%% is below its threshold %d%%; critical below the threshold",
						   s->available_spare, s->available_spare_threshold));
	int cw = s->critical_warning > 0 ? s->critical_warning & ~(spare_low ? SMART_CW_SPARE : 0) : 0;
	if (cw) {
		struct strbuf sb = STRBUF_INIT;
		sb_adds(&sb, "critical warning:");
		const char *sep = " ";
		for (int bit = 1; bit <= 0x80; bit <<= 1) {
			if (!(cw & bit))
				continue;
			const char *txt = smart_critical_warning_text(bit);
			if (txt)
				sb_addf(&sb, "%s%s", sep, txt);
			else
				sb_addf(&sb, "%sbit 0x%02x", sep, bit);
			sep = ", ";
		}
		sb_adds(&sb, "; critical at any critical warning");
		add(r, HC_CRITICAL, obj, sb_detach(&sb));
	} else if (s->passed == 0 && s->critical_warning <= 0) {
		add(r, HC_CRITICAL, obj, xstrdup("SMART overall-health self-assessment FAILED; critical when failed"));
	}
	if (s->media_errors > 0)
		add(r, HC_WARNING, obj, xasprintf("%" PRId64 " media and data integrity error%s; warning at any",
						  s->media_errors, s->media_errors == 1 ? "" : "s"));
	if (s->reallocated > 0 || s->pending > 0 || s->uncorrectable > 0) {
		struct strbuf sb = STRBUF_INIT;
		const char *sep = "";
		if (s->reallocated > 0)
			sb_addf(&sb, "%" PRId64 " reallocated (5)", s->reallocated), sep = ", ";
		if (s->pending > 0)
			sb_addf(&sb, "%s%" PRId64 " pending (197)", sep, s->pending), sep = ", ";
		if (s->uncorrectable > 0)
			sb_addf(&sb, "%s%" PRId64 " offline uncorrectable (198)", sep, s->uncorrectable);
		sb_adds(&sb, " sectors; warning at any");
		add(r, HC_WARNING, obj, sb_detach(&sb));
	}
	free(obj);
}

static int cmp_problem(const void *a, const void *b)
{
	const struct hc_problem *x = a, *y = b;
	return rank(y->severity) - rank(x->severity);
}

void hc_evaluate(const struct hc_input *in, const struct hc_thresholds *t, struct hc_result *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->n_unknown; i++)
		add(out, HC_UNKNOWN, "check", xstrdup(in->unknown[i]));
	for (size_t i = 0; i < in->n_absent; i++) {
		char *obj = xasprintf("pool %s", in->absent_pools[i]);
		add(out, HC_CRITICAL, obj, xstrdup("not imported (configured, not found by zpool status); critical when absent"));
		free(obj);
	}
	for (size_t i = 0; i < in->n_pools; i++) {
		const struct hc_pool *hp = &in->pools[i];
		if (!hp->health)
			continue;
		char *obj = xasprintf("pool %s", hp->health->name);
		check_pool_state(hp, obj, out);
		check_errors(hp, obj, out);
		check_capacity(hp, obj, t, out);
		check_scrub(hp, obj, t, in->now, out);
		free(obj);
		out->n_pools++;
	}
	for (size_t i = 0; i < in->n_snapshots; i++)
		check_snapshots(&in->snapshots[i], t, in->now, out);
	out->n_snapshots = in->n_snapshots;
	for (size_t i = 0; i < in->n_disks; i++) {
		check_disk(&in->disks[i], t, out);
		out->n_disks++;
	}
	for (size_t i = 0; i < in->n_keys; i++)
		if (!in->keys[i].loaded) {
			char *obj = xasprintf("dataset %s", in->keys[i].dataset);
			add(out, HC_WARNING, obj, xstrdup("encryption key not loaded (keystatus unavailable): "
							 "not mounted; warning while the key is missing"));
			free(obj);
		}
	/* Stable: the input order stays within one severity (insertion sort). */
	for (size_t i = 1; i < out->n; i++) {
		struct hc_problem x = out->problems[i];
		size_t j = i;
		while (j > 0 && cmp_problem(&out->problems[j - 1], &x) > 0) {
			out->problems[j] = out->problems[j - 1];
			j--;
		}
		out->problems[j] = x;
	}
	out->status = HC_OK;
	for (size_t i = 0; i < out->n; i++)
		if (rank(out->problems[i].severity) > rank(out->status))
			out->status = out->problems[i].severity;
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

char *hc_render(const struct hc_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t c = 0, w = 0, u = 0;
	for (size_t i = 0; i < r->n; i++) {
		c += r->problems[i].severity == HC_CRITICAL;
		w += r->problems[i].severity == HC_WARNING;
		u += r->problems[i].severity == HC_UNKNOWN;
	}
	sb_addf(&sb, "%s: ", hc_severity_name(r->status));
	if (!r->n)
		sb_adds(&sb, "no problems");
	else
		sb_addf(&sb, "%zu critical, %zu warning, %zu unknown", c, w, u);
	sb_addf(&sb, " in %zu %s, %zu %s, %zu snapshot %s\n", r->n_pools, plural(r->n_pools, "pool", "pools"),
		r->n_disks, plural(r->n_disks, "disk", "disks"), r->n_snapshots,
		plural(r->n_snapshots, "class", "classes"));
	for (size_t i = 0; i < r->n; i++)
		sb_addf(&sb, "%s %s: %s\n", hc_severity_name(r->problems[i].severity), r->problems[i].object,
			r->problems[i].message);
	return sb_detach(&sb);
}

int hc_exit_status(const struct hc_result *r)
{
	return (int)r->status;
}

void hc_result_free(struct hc_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->problems[i].object);
		free(r->problems[i].message);
	}
	free(r->problems);
	memset(r, 0, sizeof(*r));
}
