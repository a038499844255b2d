#include "plan/health_html.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/strbuf.h"

void html_escape(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': sb_adds(sb, "&amp;"); break;
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&#39;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				sb_adds(sb, "\xef\xbf\xbd");
			else
				sb_addc(sb, (char)c);
		}
	}
}

/* Escaped text (html_escape). */
static void esc(struct strbuf *sb, const char *s)
{
	html_escape(sb, s);
}

static const char *const css =
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"background:#f3f5f8;color:#1d2733}"
	"header{background:#1d2733;color:#fff;padding:18px 32px;display:flex;align-items:center;gap:18px}"
	"header h1{font-size:20px;margin:0;font-weight:600}"
	"header .when{color:#aab6c4;font-size:13px;margin-left:auto}"
	"main{padding:20px 32px 40px;max-width:1200px}"
	"h2{font-size:15px;text-transform:uppercase;letter-spacing:.06em;color:#5a6878;margin:26px 0 10px}"
	".badge{display:inline-block;padding:2px 10px;border-radius:11px;font-weight:600;font-size:12px;"
	"letter-spacing:.04em;color:#fff;background:#2e8b57}"
	".badge.warning{background:#d98a00}.badge.critical{background:#c62828}.badge.unknown{background:#6b7785}"
	".problems{list-style:none;margin:0;padding:0}"
	".problems li{background:#fff;border-left:4px solid #d98a00;padding:7px 12px;margin:0 0 6px;border-radius:3px}"
	".problems li.critical{border-color:#c62828}.problems li.unknown{border-color:#6b7785}"
	".problems b{margin-right:6px}"
	".ok-note{background:#fff;border-left:4px solid #2e8b57;padding:7px 12px;border-radius:3px}"
	".pools{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}"
	".pool{background:#fff;border-radius:6px;padding:14px 16px;border-top:4px solid #2e8b57;overflow:hidden;"
	"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
	".pool.sev-warning{border-top-color:#d98a00}.pool.sev-critical,.pool.faulted,.pool.absent{border-top-color:#c62828}"
	".pool.sev-unknown{border-top-color:#6b7785}"
	".pool h3{margin:0 0 8px;font-size:16px;display:flex;align-items:center;gap:10px;word-break:break-all}"
	".bar{height:14px;background:#e3e8ee;border-radius:7px;overflow:hidden;margin:4px 0 2px}"
	".bar>span{display:block;height:100%;background:#2e8b57}"
	".bar>span.warning{background:#d98a00}.bar>span.critical{background:#c62828}"
	".meta{color:#5a6878;font-size:12px}"
	".row{margin:8px 0 0}"
	"table{border-collapse:collapse;width:100%;background:#fff;border-radius:6px;overflow:hidden;"
	"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
	"th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e8ecf1;vertical-align:middle}"
	"th{background:#e9edf2;font-weight:600;font-size:12px;color:#4a5868}"
	".vdevs{box-shadow:none;margin-top:10px;font-size:12px}"
	".vdevs td{padding:3px 6px}.vdevs th{padding:3px 6px}.vdevs td:first-child{word-break:break-all}"
	".vdevs tr.lost td{background:#fdecea;color:#8e1c1c;font-weight:600}"
	".vdevs tr.errors td{background:#fff6e0}"
	".num{text-align:right;font-variant-numeric:tabular-nums}"
	".wear{width:140px}"
	".ds{background:#fff;border-radius:6px;padding:10px 14px;margin:0 0 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}"
	".ds h3{margin:0 0 4px;font-size:14px;word-break:break-all}"
	"svg text{font:11px system-ui,-apple-system,'DejaVu Sans',sans-serif;fill:#4a5868}"
	"footer{color:#8593a3;font-size:12px;padding:0 32px 24px}";

static const char *sev_class(enum hc_severity s)
{
	return s == HC_CRITICAL ? "critical" : s == HC_WARNING ? "warning" : s == HC_UNKNOWN ? "unknown" : "ok";
}

/* "1.5 GiB" into buf. */
static void fmt_bytes(int64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)b;
	int u = 0;
	while (v >= 1024 && u < 5)
		v /= 1024, u++;
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static void fmt_utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, len, "@%" PRId64, t);
}

/* A bar pct wide (0..100), coloured ok / warning / critical at warn / crit (0: never). */
static void bar(struct strbuf *sb, int pct, int warn, int crit)
{
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	const char *cls = crit && pct >= crit ? "critical" : warn && pct >= warn ? "warning" : "ok";
	sb_addf(sb, "<div class=\"bar\" role=\"img\" aria-label=\"%d%%\"><span class=\"%s\" style=\"width:%d%%\"></span></div>",
		pct, cls, pct);
}

static bool lost(enum zh_state s)
{
	return s == ZH_OFFLINE || s == ZH_UNAVAIL || s == ZH_FAULTED || s == ZH_REMOVED || s == ZH_DEGRADED;
}

static void scrub_line(struct strbuf *sb, const struct hc_pool *hp, time_t now)
{
	const struct zh_scan *sc = zh_pool_scrub(hp->health);
	sb_adds(sb, "<div class=\"row\"><b>Scrub:</b> ");
	if (!sc) {
		sb_adds(sb, "never scrubbed");
	} else {
		esc(sb, zh_scan_state_name(sc->state));
		time_t end = zh_time_epoch(&sc->end);
		if (sc->state == ZH_SCAN_FINISHED && end > 0) {
			char *age = hc_format_duration(now - end);
			sb_adds(sb, ", ");
			esc(sb, age);
			sb_adds(sb, " ago");
			free(age);
		}
		if (sc->errors > 0)
			sb_addf(sb, ", %" PRId64 " errors", sc->errors);
		if (sc->pct_done >= 0 && (sc->state == ZH_SCAN_RUNNING || sc->state == ZH_SCAN_PAUSED))
			sb_addf(sb, ", %.1f%% done", sc->pct_done);
	}
	if (hp->scrub_interval_s > 0) {
		char *every = hc_format_duration(hp->scrub_interval_s);
		sb_adds(sb, " <span class=\"meta\">(due every ");
		esc(sb, every);
		sb_adds(sb, ")</span>");
		free(every);
	}
	sb_adds(sb, "</div>");
}

static void vdev_table(struct strbuf *sb, const struct zh_pool *p)
{
	if (p->n_vdevs < 2)
		return;
	sb_adds(sb, "<table class=\"vdevs\"><tr><th>vdev</th><th>state</th><th class=\"num\">read</th>"
		    "<th class=\"num\">write</th><th class=\"num\">cksum</th></tr>");
	for (size_t i = 1; i < p->n_vdevs; i++) {
		const struct zh_vdev *v = &p->vdevs[i];
		bool errs = v->read_errors || v->write_errors || v->cksum_errors;
		bool gone = lost(v->state) && v->group != ZH_SPARES;
		sb_addf(sb, "<tr class=\"%s\"><td style=\"padding-left:%dpx\">", gone ? "lost" : errs ? "errors" : "",
			6 + 14 * (v->depth > 0 ? v->depth - 1 : 0));
		esc(sb, v->name);
		sb_adds(sb, "</td><td>");
		esc(sb, v->state_text);
		if (v->has_counters)
			sb_addf(sb, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
				    "</td><td class=\"num\">%" PRIu64 "</td></tr>",
				v->read_errors, v->write_errors, v->cksum_errors);
		else
			sb_adds(sb, "</td><td></td><td></td><td></td></tr>");
	}
	sb_adds(sb, "</table>");
}

/* The worst severity the verdict gives object "pool NAME" (HC_OK when none). */
static enum hc_severity pool_severity(const struct hc_result *r, const char *name)
{
	enum hc_severity worst = HC_OK;
	for (size_t i = 0; i < r->n; i++) {
		const char *o = r->problems[i].object;
		if (strncmp(o, "pool ", 5) || strcmp(o + 5, name))
			continue;
		enum hc_severity s = r->problems[i].severity;
		if (s == HC_CRITICAL || (s == HC_WARNING && worst != HC_CRITICAL) || (s == HC_UNKNOWN && worst == HC_OK))
			worst = s;
	}
	return worst;
}

static void pool_card(struct strbuf *sb, const struct hc_pool *hp, const struct hh_model *m)
{
	const struct zh_pool *p = hp->health;
	const char *st = zh_state_name(p->state);
	const char *cls = p->state == ZH_ONLINE ? "online" : p->state == ZH_DEGRADED ? "degraded" : "faulted";
	enum hc_severity sev = pool_severity(m->verdict, p->name);
	const char *badge = p->state == ZH_ONLINE ? "" : p->state == ZH_DEGRADED && sev != HC_CRITICAL ? " warning" : " critical";
	sb_addf(sb, "<section class=\"pool %s sev-%s\" data-pool=\"", cls, sev_class(sev));
	esc(sb, p->name);
	sb_adds(sb, "\" data-state=\"");
	esc(sb, st);
	sb_adds(sb, "\"><h3>");
	esc(sb, p->name);
	sb_addf(sb, " <span class=\"badge%s\">", badge);
	esc(sb, st);
	sb_adds(sb, "</span></h3>");
	if (hp->capacity_pct >= 0) {
		char used[32], size[32];
		fmt_bytes(hp->used_bytes, used, sizeof(used));
		fmt_bytes(hp->size_bytes, size, sizeof(size));
		sb_addf(sb, "<div><b>Capacity:</b> %d%% <span class=\"meta\">(%s of %s)</span></div>", hp->capacity_pct,
			used, size);
		bar(sb, hp->capacity_pct, m->thresholds->capacity_warn_pct, m->thresholds->capacity_crit_pct);
	} else {
		sb_adds(sb, "<div><b>Capacity:</b> unknown</div>");
	}
	scrub_line(sb, hp, m->in->now);
	if (p->data_errors > 0)
		sb_addf(sb, "<div class=\"row\"><b>Data errors:</b> %" PRId64 "</div>", p->data_errors);
	vdev_table(sb, p);
	sb_adds(sb, "</section>");
}

static void disks_table(struct strbuf *sb, const struct hh_model *m)
{
	const struct hc_input *in = m->in;
	if (!in->n_disks)
		return;
	sb_adds(sb, "<h2>Disks</h2><table class=\"disks\"><tr><th>device</th><th>pool</th><th>SMART</th>"
		    "<th>wear</th><th class=\"num\">spare</th><th class=\"num\">media errors</th>"
		    "<th class=\"num\">temperature</th></tr>");
	for (size_t i = 0; i < in->n_disks; i++) {
		const struct smart_info *s = in->disks[i].smart;
		sb_adds(sb, "<tr data-device=\"");
		esc(sb, s->device);
		sb_adds(sb, "\"><td>");
		esc(sb, s->device);
		sb_adds(sb, "</td><td>");
		esc(sb, in->disks[i].pool ? in->disks[i].pool : "-");
		sb_adds(sb, "</td>");
		if (!s->known) {
			sb_adds(sb, "<td colspan=\"5\" class=\"meta\">unknown (");
			esc(sb, s->reason ? s->reason : "no SMART data");
			sb_adds(sb, ")</td></tr>");
			continue;
		}
		sb_addf(sb, "<td>%s</td><td class=\"wear\">", s->passed < 0 ? "-" : s->passed ? "passed" : "<b>FAILED</b>");
		if (s->percentage_used >= 0) {
			bar(sb, s->percentage_used, m->thresholds->nvme_used_warn_pct, m->thresholds->nvme_used_crit_pct);
			sb_addf(sb, "<span class=\"meta\">%d%% used</span>", s->percentage_used);
		} else {
			sb_adds(sb, "-");
		}
		sb_adds(sb, "</td>");
		if (s->available_spare >= 0)
			sb_addf(sb, "<td class=\"num\">%d%%</td>", s->available_spare);
		else
			sb_adds(sb, "<td class=\"num\">-</td>");
		int64_t media = s->media_errors;
		if (media < 0 && (s->reallocated >= 0 || s->pending >= 0 || s->uncorrectable >= 0))
			media = (s->reallocated > 0 ? s->reallocated : 0) + (s->pending > 0 ? s->pending : 0) +
				(s->uncorrectable > 0 ? s->uncorrectable : 0);
		if (media >= 0)
			sb_addf(sb, "<td class=\"num\">%" PRId64 "</td>", media);
		else
			sb_adds(sb, "<td class=\"num\">-</td>");
		if (s->has_temperature)
			sb_addf(sb, "<td class=\"num\">%d &#176;C</td></tr>", s->temperature_c);
		else
			sb_adds(sb, "<td class=\"num\">-</td></tr>");
	}
	sb_adds(sb, "</table>");
}

#define TL_W 1100
#define TL_LEFT 90
#define TL_RIGHT 250
#define TL_ROW 22

/*
 * Where a snapshot of age seconds sits on a timeline of span seconds: 0 at
 * the oldest, plot at now, on a logarithmic scale of the age (in 10-minute
 * steps), so that the hourly snapshots of the last day get as much room as
 * the monthly ones of a year.
 */
static int tl_x(int64_t age, int64_t span, int plot)
{
	if (age < 0)
		age = 0;
	if (age > span)
		age = span;
	double f = log1p((double)age / 600.0) / log1p((double)span / 600.0);
	return TL_LEFT + (int)((1.0 - f) * plot + 0.5);
}

/* The timeline of one dataset: from its oldest snapshot (at least a day back) to now. */
static void timeline(struct strbuf *sb, const struct hh_dataset *d, time_t now)
{
	int64_t oldest = (int64_t)now - 86400;
	for (size_t i = 0; i < d->n_snaps; i++)
		if (d->snaps[i].time < oldest)
			oldest = d->snaps[i].time;
	int64_t span = (int64_t)now - oldest;
	size_t rows = d->n_classes + 1; /* the classes, then the foreign ones */
	int h = (int)rows * TL_ROW + 26, plot = TL_W - TL_LEFT - TL_RIGHT;
	sb_adds(sb, "<div class=\"ds\" data-dataset=\"");
	esc(sb, d->name);
	sb_adds(sb, "\"><h3>");
	esc(sb, d->name);
	sb_adds(sb, " <span class=\"meta\">policy ");
	esc(sb, d->policy);
	char from[40];
	fmt_utc(oldest, from, sizeof(from));
	sb_addf(sb, ", %zu snapshot%s; the line runs from %s to now</span></h3>", d->n_snaps, d->n_snaps == 1 ? "" : "s",
		from);
	sb_addf(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" viewBox=\"0 0 %d %d\" role=\"img\" "
		    "aria-label=\"snapshot timeline\">", TL_W, h);
	/* the age marks: 1 h, 1 d, 7 d, 30 d, 1 y where the span reaches them */
	static const struct { int64_t age; const char *label; } marks[] = {
		{ 3600, "1h" }, { 86400, "1d" }, { 7 * 86400, "7d" }, { 30 * 86400, "30d" }, { 365 * 86400, "1y" },
	};
	int ya = (int)rows * TL_ROW + 16;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if (marks[i].age >= span)
			continue;
		int x = tl_x(marks[i].age, span, plot);
		sb_addf(sb, "<line x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\" stroke=\"#d5dbe2\" stroke-dasharray=\"2 3\"/>"
			    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, x, ya - 10, x, ya, marks[i].label);
	}
	for (size_t r = 0; r < rows; r++) {
		int y = (int)r * TL_ROW + 14;
		const char *label = r < d->n_classes ? d->classes[r] : "foreign";
		sb_addf(sb, "<text x=\"0\" y=\"%d\">", y + 4);
		esc(sb, label);
		sb_addf(sb, "</text><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e3e8ee\" stroke-width=\"8\" "
			    "stroke-linecap=\"round\"/>", TL_LEFT, y, TL_LEFT + plot, y);
		int64_t newest = -1;
		for (size_t i = 0; i < d->n_snaps; i++) {
			const struct hh_snap *s = &d->snaps[i];
			bool mine = r < d->n_classes ? s->cls == d->class_ids[r] : s->cls < 0;
			if (!mine)
				continue;
			if (s->time > newest)
				newest = s->time;
			int x = tl_x((int64_t)now - s->time, span, plot);
			sb_addf(sb, "<rect x=\"%d\" y=\"%d\" width=\"3\" height=\"14\" rx=\"1\" fill=\"%s\"/>", x - 1, y - 7,
				r < d->n_classes ? (s->time > (int64_t)now ? "#c62828" : "#2f6fb5") : "#9aa5b1");
		}
		sb_addf(sb, "<text x=\"%d\" y=\"%d\">", TL_LEFT + plot + 12, y + 4);
		if (newest < 0) {
			sb_adds(sb, r < d->n_classes ? "none yet" : "none");
		} else if (newest > (int64_t)now) {
			sb_adds(sb, "newest in the future (clock skew)");
		} else {
			char *age = hc_format_duration((int64_t)now - newest);
			sb_adds(sb, "newest ");
			esc(sb, age);
			sb_adds(sb, " ago");
			free(age);
		}
		sb_adds(sb, "</text>");
	}
	sb_addf(sb, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">now</text></svg></div>", TL_LEFT + plot, ya);
}

char *health_html(const struct hh_model *m)
{
	struct strbuf sb = STRBUF_INIT;
	const struct hc_input *in = m->in;
	char when[40];
	fmt_utc(in->now, when, sizeof(when));
	sb_adds(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>phoenix-storage");
	if (m->host) {
		sb_adds(&sb, " &#8212; ");
		esc(&sb, m->host);
	}
	sb_addf(&sb, "</title><style>%s</style></head>\n<body>", css);
	const char *vc = sev_class(m->verdict->status);
	sb_adds(&sb, "<header><h1>phoenix-storage");
	if (m->host) {
		sb_adds(&sb, " &#8212; ");
		esc(&sb, m->host);
	}
	sb_addf(&sb, "</h1><span class=\"badge %s\" id=\"verdict\">%s</span><span class=\"when\">%s</span></header>\n<main>",
		vc, hc_severity_name(m->verdict->status), when);
	sb_addf(&sb, "<h2>Check</h2>");
	if (!m->verdict->n) {
		sb_addf(&sb, "<div class=\"ok-note\">No problems in %zu pool%s, %zu disk%s, %zu snapshot class%s.</div>",
			m->verdict->n_pools, m->verdict->n_pools == 1 ? "" : "s", m->verdict->n_disks,
			m->verdict->n_disks == 1 ? "" : "s", m->verdict->n_snapshots, m->verdict->n_snapshots == 1 ? "" : "es");
	} else {
		sb_adds(&sb, "<ul class=\"problems\">");
		for (size_t i = 0; i < m->verdict->n; i++) {
			const struct hc_problem *p = &m->verdict->problems[i];
			sb_addf(&sb, "<li class=\"%s\"><b>%s</b>", sev_class(p->severity), hc_severity_name(p->severity));
			esc(&sb, p->object);
			sb_adds(&sb, ": ");
			esc(&sb, p->message);
			sb_adds(&sb, "</li>");
		}
		sb_adds(&sb, "</ul>");
	}
	sb_adds(&sb, "\n<h2>Pools</h2><div class=\"pools\">");
	for (size_t i = 0; i < in->n_pools; i++)
		if (in->pools[i].health)
			pool_card(&sb, &in->pools[i], m);
	for (size_t i = 0; i < in->n_absent; i++) {
		sb_adds(&sb, "<section class=\"pool absent\" data-pool=\"");
		esc(&sb, in->absent_pools[i]);
		sb_adds(&sb, "\" data-state=\"ABSENT\"><h3>");
		esc(&sb, in->absent_pools[i]);
		sb_adds(&sb, " <span class=\"badge critical\">NOT IMPORTED</span></h3>"
			     "<div class=\"meta\">in the config, not found by zpool status</div></section>");
	}
	if (!in->n_pools && !in->n_absent)
		sb_adds(&sb, "<div class=\"meta\">no pool</div>");
	sb_adds(&sb, "</div>\n");
	disks_table(&sb, m);
	if (m->n_datasets) {
		sb_adds(&sb, "\n<h2>Snapshots</h2>");
		for (size_t i = 0; i < m->n_datasets; i++)
			timeline(&sb, &m->datasets[i], in->now);
	}
	sb_addf(&sb, "\n</main><footer>Written by phoenix-storage status --html at %s. "
		     "Nothing on this page is live: run it again (or from a timer) to refresh.</footer></body></html>\n",
		when);
	return sb_detach(&sb);
}
