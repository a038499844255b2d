#include "plan/scrub_plan.h"

#include <stdlib.h>
#include <string.h>

#include "plan/health_check.h"
#include "util/strbuf.h"

/* "never scrubbed" or "last scrub ended 8d 2h ago"; NULL when not due. Caller frees. */
static char *due_reason(const struct zh_pool *h, int64_t interval, time_t now)
{
	const struct zh_scan *sc = zh_pool_scrub(h);
	time_t end = sc && sc->state == ZH_SCAN_FINISHED ? zh_time_epoch(&sc->end) : -1;
	if (end < 0)
		return xstrdup(sc && sc->state == ZH_SCAN_CANCELED ? "the last scrub was canceled" : "never scrubbed");
	if (now - end < interval)
		return NULL;
	char *age = hc_format_duration(now - end);
	char *r = xasprintf("last scrub ended %s ago", age);
	free(age);
	return r;
}

/* "never trimmed by this tool" or "last TRIM started 8d 2h ago"; NULL when not due. Caller frees. */
static char *trim_due_reason(const struct jobstate *jobs, const char *pool, int64_t interval, time_t now)
{
	int64_t at = jobs ? jobstate_get(jobs, "trim", pool) : -1;
	if (at < 0)
		return xstrdup("never trimmed by this tool");
	if (now - at < interval)
		return NULL;
	char *age = hc_format_duration(now - at);
	char *r = xasprintf("last TRIM started %s ago", age);
	free(age);
	return r;
}

static void trim_plan(const struct scrub_plan_in *in, struct plan *p)
{
	for (size_t i = 0; in->cfg && in->st && i < in->cfg->n_pools; i++) {
		const struct zcfg_pool *pc = &in->cfg->pools[i];
		const struct zpool *zp = zfs_state_pool(in->st, pc->name);
		if (pc->trim != ZTRIM_EVERY || !zp || zp->importable || !zpool_readable(zp))
			continue;
		if (!in->trim_supported) {
			diag_add(&p->diags, DIAG_NOTE, NULL, 0, 0, pc->jpath, NULL,
				 "pool '%s': TRIM not supported by this ZFS (its zpool has no trim command); not trimmed",
				 pc->name);
			continue;
		}
		char *why = trim_due_reason(in->jobs, pc->name, (int64_t)pc->trim_days * 86400, in->now);
		if (!why)
			continue;
		struct action *a = plan_add(p, PHASE_POOL_PROP, OP_CHANGE, "zfs", "trim-pool", pc->name,
					    "trim pool %s (%s; due every %d days)", pc->name, why, pc->trim_days);
		struct strvec argv = { 0 };
		sv_push(&argv, zpool_prog());
		sv_push(&argv, "trim");
		sv_push(&argv, pc->name);
		action_add_cmd(a, &argv);
		free(why);
	}
}

void scrub_plan_build(const struct scrub_plan_in *in, struct plan *p)
{
	bool both = !in->scrub && !in->trim;
	for (size_t i = 0; (both || in->scrub) && in->cfg && in->st && i < in->cfg->n_pools; i++) {
		const struct zcfg_pool *pc = &in->cfg->pools[i];
		const struct zpool *zp = zfs_state_pool(in->st, pc->name);
		if (pc->scrub != ZSCRUB_EVERY || !zp || zp->importable || !zpool_readable(zp))
			continue;
		if (zh_pool_scan_active(&zp->health)) {
			diag_add(&p->diags, DIAG_NOTE, NULL, 0, 0, pc->jpath, NULL,
				 "pool '%s': a scrub or resilver is running; not starting another", pc->name);
			continue;
		}
		char *why = due_reason(&zp->health, zcfg_scrub_interval_s(pc), in->now);
		if (!why)
			continue;
		struct action *a = plan_add(p, PHASE_POOL_PROP, OP_CHANGE, "zfs", "scrub-pool", pc->name,
					    "scrub pool %s (%s; due every %d days)", pc->name, why, pc->scrub_days);
		struct strvec argv = { 0 };
		sv_push(&argv, zpool_prog());
		sv_push(&argv, "scrub");
		sv_push(&argv, pc->name);
		action_add_cmd(a, &argv);
		free(why);
	}
	if (both || in->trim)
		trim_plan(in, p);
}
