/* The dirs front door: persistent service directories (config, discovery, plan, status). */
#include <stdio.h>
#include <stdlib.h>

#include "config/dirs_config.h"
#include "config/zfs_config.h"
#include "engine/ctx.h"
#include "plan/dirs_plan.h"
#include "state/dirs_state.h"
#include "subsys/elsewhere.h"
#include "util/strbuf.h"

struct dirs_priv {
	struct dirs_config cfg;
	struct dir_seen *seen;
	struct strvec away;   /* plan lines of the directories left out: on datasets of other nodes */
};

/* A directory's fields for leave_out_elsewhere. */
static void dir_fields(const void *elem, const char **nodes, const char **path, const char **label)
{
	const struct dir_want *w = elem;
	*nodes = w->nodes;
	*path = w->path;
	*label = w->path;
}

static int dirs_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct dirs_priv *dp = xcalloc(1, sizeof(*dp));
	*priv = dp;
	struct config_sources cs = ctx_sources(ctx);
	int rc = dirs_config_load(&cs, &ctx->guests, &dp->cfg, dl);
	size_t n = dp->cfg.n;
	dp->cfg.n = leave_out_elsewhere(ctx, dp->cfg.v, n, sizeof(*dp->cfg.v), dir_fields, "dirs: directory",
					&dp->away);
	dp->cfg.n_away = n - dp->cfg.n;
	dp->seen = xcalloc(dp->cfg.n ? dp->cfg.n : 1, sizeof(*dp->seen));
	return rc;
}

static int dirs_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	(void)dl;
	struct dirs_priv *dp = priv;
	dirs_state_discover(&dp->cfg, ctx->root, dp->seen);
	return 0;
}

static void dirs_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	struct dirs_priv *dp = priv;
	dirs_plan_build(ctx->zfs, &dp->cfg, dp->seen, p);
	for (size_t i = 0; i < dp->away.n; i++)
		sv_push(&p->elsewhere, dp->away.v[i]);
}

static void dirs_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	(void)ctx;
	struct dirs_priv *dp = priv;
	json_t *arr = json_array();
	for (size_t i = 0; i < dp->cfg.n; i++) {
		const struct dir_want *w = &dp->cfg.v[i];
		const struct dir_seen *s = &dp->seen[i];
		const char *state;
		struct strbuf why = STRBUF_INIT;
		sb_init(&why);
		if (s->error) {
			state = "blocked";
			sb_adds(&why, s->error);
		} else if (!s->inspected) {
			state = "unknown";
		} else if (!s->exists) {
			state = "missing";
		} else {
			if (w->set_uid && s->uid != w->uid)
				sb_addf(&why, "%sowner %u, expected %u", why.len ? "; " : "", s->uid, w->uid);
			if (w->set_gid && s->gid != w->gid)
				sb_addf(&why, "%sgroup %u, expected %u", why.len ? "; " : "", s->gid, w->gid);
			if (w->set_mode && s->mode != w->mode)
				sb_addf(&why, "%smode %04o, expected %04o", why.len ? "; " : "", s->mode, w->mode);
			state = why.len ? "drifted" : "ok";
		}
		json_t *o = json_pack("{s:s, s:s, s:s}", "path", w->path, "state", state, "declared_by",
				      w->origin);
		if (s->exists) {
			char m[8];
			snprintf(m, sizeof(m), "%04o", s->mode);
			json_object_set_new(o, "owner", json_integer(s->uid));
			json_object_set_new(o, "group", json_integer(s->gid));
			json_object_set_new(o, "mode", json_string(m));
		}
		if (why.len)
			json_object_set_new(o, "detail", json_string(why.buf));
		json_array_append_new(arr, o);
		if (text) {
			if (s->exists)
				fprintf(text, "directory %s: %s (owner %u, group %u, mode %04o)%s%s\n", w->path,
					state, s->uid, s->gid, s->mode, why.len ? ": " : "", why.len ? why.buf : "");
			else
				fprintf(text, "directory %s: %s%s%s\n", w->path, state, why.len ? ": " : "",
					why.len ? why.buf : "");
		}
		sb_release(&why);
	}
	json_object_set_new(out, "directories", arr);
}

static void dirs_free(void *priv)
{
	struct dirs_priv *dp = priv;
	if (!dp)
		return;
	dirs_state_free(dp->seen, dp->cfg.n);
	free(dp->seen);
	dirs_config_free(&dp->cfg);
	sv_free(&dp->away);
	free(dp);
}

/* The ZFS view: a service directory must be on a mounted managed dataset. */
static const char *const needs[] = { "zfs", NULL };

const struct subsystem dirs_subsystem = {
	.name = "dirs",
	.needs = needs,
	.load = dirs_load,
	.discover = dirs_discover,
	.plan = dirs_plan,
	.status = dirs_status,
	.free = dirs_free,
};
