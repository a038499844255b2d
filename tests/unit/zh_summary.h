/*
 * A canonical text summary of a parsed zpool health model, for the
 * data-driven fixture tests: tests/unit/data/zpool/LINE/FILE.expected holds
 * the summary of FILE. Included by the unit test and by tests/tools/zh-summary
 * (which prints the summary of a file, to review a new fixture).
 */
#ifndef PH_TEST_ZH_SUMMARY_H
#define PH_TEST_ZH_SUMMARY_H
#include <inttypes.h>
#include <stdio.h>

#include "state/zpool_health.h"
#include "util/strbuf.h"

static void zhs_time(struct strbuf *sb, const char *key, const struct zh_time *t)
{
	if (!t->set)
		return;
	if (t->is_epoch)
		sb_addf(sb, " %s=@%lld", key, (long long)t->epoch);
	else
		sb_addf(sb, " %s=%04d-%02d-%02d %02d:%02d:%02d", key, t->tm.tm_year + 1900,
			t->tm.tm_mon + 1, t->tm.tm_mday, t->tm.tm_hour, t->tm.tm_min, t->tm.tm_sec);
}

static void zhs_text(struct strbuf *sb, const char *key, const char *v)
{
	if (v)
		sb_addf(sb, "  %s: %s\n", key, v);
}

/* Returns the summary (caller frees). */
static char *zh_summary(const struct zh_status *st)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "pools %zu\n", st->n_pools);
	for (size_t i = 0; i < st->n_pools; i++) {
		const struct zh_pool *p = &st->pools[i];
		sb_addf(&sb, "pool %s\n", p->name);
		sb_addf(&sb, "  state %s (%s)\n", zh_state_name(p->state), p->state_text);
		zhs_text(&sb, "id", p->import_id);
		zhs_text(&sb, "status", p->status);
		zhs_text(&sb, "action", p->action);
		zhs_text(&sb, "see", p->see);
		for (size_t k = 0; k < p->n_scans; k++) {
			const struct zh_scan *sc = &p->scans[k];
			sb_addf(&sb, "  scan %s %s", zh_scan_func_name(sc->func), zh_scan_state_name(sc->state));
			zhs_time(&sb, "start", &sc->start);
			zhs_time(&sb, "paused", &sc->paused);
			zhs_time(&sb, "end", &sc->end);
			if (sc->duration_s >= 0)
				sb_addf(&sb, " duration=%" PRId64 "s", sc->duration_s);
			if (sc->repaired_bytes)
				sb_addf(&sb, " repaired=%" PRIu64, sc->repaired_bytes);
			if (sc->errors >= 0)
				sb_addf(&sb, " errors=%" PRId64, sc->errors);
			if (sc->pct_done >= 0)
				sb_addf(&sb, " done=%.2f%%", sc->pct_done);
			if (sc->vdev)
				sb_addf(&sb, " vdev=%s", sc->vdev);
			sb_addc(&sb, '\n');
		}
		sb_addf(&sb, "  data_errors %" PRId64 "%s%s%s\n", p->data_errors,
			p->errors_text ? " (" : "", p->errors_text ? p->errors_text : "",
			p->errors_text ? ")" : "");
		for (size_t k = 0; k < p->n_vdevs; k++) {
			const struct zh_vdev *v = &p->vdevs[k];
			sb_addf(&sb, "  %*svdev %s [%s %s", v->depth * 2, "", v->name,
				zh_group_name(v->group), zh_vdev_type_name(v->type));
			if (v->parity)
				sb_addf(&sb, "%d", v->parity);
			sb_addf(&sb, "] %s", zh_state_name(v->state));
			if (v->has_counters)
				sb_addf(&sb, " %" PRIu64 "/%" PRIu64 "/%" PRIu64, v->read_errors,
					v->write_errors, v->cksum_errors);
			if (v->note)
				sb_addf(&sb, " note=\"%s\"", v->note);
			sb_addc(&sb, '\n');
		}
		for (size_t k = 0; k < p->n_vdevs; k++)
			if (p->vdevs[k].depth == 1 && p->vdevs[k].group != ZH_SPARES &&
			    p->vdevs[k].group != ZH_CACHE)
				sb_addf(&sb, "  margin %s %d of %d\n", p->vdevs[k].name,
					zh_vdev_margin(p, k, false), zh_vdev_margin(p, k, true));
		struct zh_redundancy r;
		zh_pool_redundancy(p, &r);
		sb_addf(&sb, "  redundancy min=%d lost=%s critical=%s%s%s logs=%s\n", r.min_margin,
			r.lost_redundancy ? "yes" : "no", r.critical ? "yes" : "no",
			r.critical ? " at " : "", r.critical ? p->vdevs[r.critical_vdev].name : "",
			r.log_degraded ? "degraded" : "ok");
	}
	return sb_detach(&sb);
}

#endif
