/* The NFS front door: exports (config, discovery, the mount check, plan, status). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/zfs_config.h"
#include "engine/ctx.h"
#include "plan/nfs_plan.h"
#include "plan/mounts.h"
#include "state/nfs_state.h"
#include "subsys/elsewhere.h"
#include "util/strbuf.h"

/*
 * The nfs member of `status`: the server, its file, and per export its
 * clients, options and state (active, missing, drifted, with what differs);
 * text lines go to text when it is not NULL. Returns a new JSON object.
 */
static json_t *nfs_status_json(const struct nfs_config *cfg, const struct nfs_state *st, FILE *text)
{
	json_t *o = json_object();
	bool kernel = cfg->server == NFS_SERVER_KERNEL;
	json_object_set_new(o, "server", json_string(kernel ? "kernel" : "ganesha"));
	json_object_set_new(o, "file", json_string(kernel ? cfg->dropin : cfg->ganesha_include));
	if (!kernel)
		json_object_set_new(o, "running", json_boolean(st->ganesha_pid != 0));
	long *ids = xcalloc(cfg->n_exports + 1, sizeof(long));
	if (!kernel)
		ganesha_assign_ids(cfg, &st->include_blocks, &st->conf_blocks, ids);
	if (text) {
		fprintf(text, "nfs (%s, %s)", kernel ? "kernel" : "nfs-ganesha",
			kernel ? cfg->dropin : cfg->ganesha_include);
		if (!kernel)
			fprintf(text, st->ganesha_pid ? ", server running as pid %ld" : ", server not running",
				(long)st->ganesha_pid);
		if (kernel && !st->table_known)
			fprintf(text, ", export table unreadable: %s", st->table_error ? st->table_error : "?");
		fprintf(text, ":\n");
		if (!cfg->n_exports)
			fprintf(text, "  no exports configured\n");
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		char *detail = NULL;
		enum nfs_export_state s;
		if (kernel && !st->table_known) {
			s = NFS_EXPORT_MISSING;
			detail = xstrdup("the export table could not be read");
		} else {
			s = nfs_export_status(cfg, st, i, ids, &detail);
		}
		json_t *x = json_object();
		json_object_set_new(x, "path", json_string(e->path));
		json_t *cl = json_array();
		for (size_t k = 0; k < e->clients.n; k++)
			json_array_append_new(cl, json_string(e->clients.v[k]));
		json_object_set_new(x, "clients", cl);
		json_t *op = json_array();
		for (size_t k = 0; k < e->options.n; k++)
			json_array_append_new(op, json_string(e->options.v[k]));
		json_object_set_new(x, "options", op);
		json_object_set_new(x, "state", json_string(nfs_export_state_name(s)));
		if (*detail)
			json_object_set_new(x, "detail", json_string(detail));
		if (!kernel)
			json_object_set_new(x, "export_id", json_integer(ids[i]));
		json_array_append_new(arr, x);
		if (text) {
			char *line = nfs_render_line(e->path, &e->clients, &e->options);
			fprintf(text, "  %-8s %s%s%s\n", nfs_export_state_name(s), line ? line : "(not renderable)",
				*detail ? ": " : "", detail);
			free(line);
		}
		free(detail);
	}
	free(ids);
	json_object_set_new(o, "exports", arr);
	return o;
}

struct nfs_sub {
	struct nfs_config cfg;
	struct nfs_state st;
	struct strvec away;   /* plan lines of the exports left out: on other nodes */
};

/* An export's fields for leave_out_elsewhere. */
static void export_fields(const void *elem, const char **nodes, const char **path, const char **label)
{
	const struct nfs_export *e = elem;
	*nodes = e->nodes;
	*path = e->path;
	*label = e->path ? e->path : e->jpath;
}

static int sub_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct nfs_sub *s = xcalloc(1, sizeof(*s));
	*priv = s;
	int rc = nfs_config_load(&ctx->main, &s->cfg, dl);
	size_t n = s->cfg.n_exports;
	s->cfg.n_exports = leave_out_elsewhere(ctx, s->cfg.exports, n, sizeof(*s->cfg.exports), export_fields,
					       "nfs: export", &s->away);
	s->cfg.n_away = n - s->cfg.n_exports;
	for (size_t i = 0; i < s->cfg.n_exports; i++) {
		const struct nfs_export *e = &s->cfg.exports[i];
		if (zfs_config_double_share(&ctx->main, ctx->zfs->cfg, "sharenfs", e->path, e->jpath, "export", "exports", dl))
			rc = -1;
	}
	return rc;
}

static int sub_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	struct nfs_sub *s = priv;
	nfs_state_free(&s->st);
	return nfs_state_discover(&s->cfg, ctx->root, &s->st, dl);
}


static void sub_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	struct nfs_sub *s = priv;
	if (!s->cfg.present)
		return;
	bool *made = xcalloc(s->cfg.n_exports + 1, sizeof(bool));
	nfs_check_mounts(ctx->zfs, &ctx->main, &s->cfg, made, p);
	nfs_plan_build(&ctx->main, &s->cfg, &s->st, ctx->root, made, p);
	free(made);
	for (size_t i = 0; i < s->away.n; i++)
		sv_push(&p->elsewhere, s->away.v[i]);
}

static void sub_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	(void)ctx;
	struct nfs_sub *s = priv;
	if (!s->cfg.present)
		return;
	json_object_set_new(out, "nfs", nfs_status_json(&s->cfg, &s->st, text));
}

static void sub_free(void *priv)
{
	struct nfs_sub *s = priv;
	if (!s)
		return;
	nfs_config_free(&s->cfg);
	nfs_state_free(&s->st);
	sv_free(&s->away);
	free(s);
}

/* The ZFS view: sharenfs conflicts, and an export must be on a mounted managed dataset. */
static const char *const needs[] = { "zfs", NULL };

const struct subsystem nfs_subsystem = {
	.name = "nfs",
	.needs = needs,
	.load = sub_load,
	.discover = sub_discover,
	.plan = sub_plan,
	.status = sub_status,
	.free = sub_free,
};
