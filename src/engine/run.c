#include "engine/run.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "util/fs.h"
#include "util/strbuf.h"

/* Loads an optional guest config: explicit path (must exist) or core_paths under --root. */
static void load_guest_config(struct ph_ctx *ctx, struct config_src *dst, const char *explicit_path,
			      const char *core_key, struct diag_list *dl)
{
	if (explicit_path) {
		config_src_load(dst, explicit_path, dl);
		return;
	}
	json_t *cp = ctx->main.root ? json_object_get(ctx->main.root, "core_paths") : NULL;
	json_t *v = json_is_object(cp) ? json_object_get(cp, core_key) : NULL;
	char *jp = xasprintf("core_paths.%s", core_key);
	const char *path = cfg_string(&ctx->main, v, jp, dl);
	free(jp);
	if (!path)
		return;
	char *p = root_path(ctx->root, path);
	if (access(p, F_OK) == 0)
		config_src_load(dst, p, dl);
	free(p);
}

int run_load(struct ph_ctx *ctx, const struct subsystem_table *t, const struct run_opts *o,
	     struct diag_list *dl)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->root = o->root ? o->root : "";
	ctx->subsystems = t;
	ctx->priv = xcalloc(t->n ? t->n : 1, sizeof(*ctx->priv));
	ctx->allow_destroy = o->allow_destroy;
	ctx->now = o->now ? o->now : time(NULL);
	ctx->samba_password_stdin = o->samba_password_stdin;
	for (size_t i = 0; i < o->allow_wipe.n; i++)
		sv_push(&ctx->allow_wipe, o->allow_wipe.v[i]);
	exec_set_trace(o->verbose);
	if (config_src_load(&ctx->main, o->config ? o->config : DEFAULT_CONFIG, dl))
		return -1;
	size_t before = diag_count(dl, DIAG_ERROR);
	load_guest_config(ctx, &ctx->lxc, o->lxc_config, "lxc_config_file", dl);
	load_guest_config(ctx, &ctx->vm, o->vm_config, "vm_config_file", dl);
	struct config_sources cs = ctx_sources(ctx);
	lxc_config_load(&cs, &ctx->guests, dl);
	for (size_t i = 0; i < t->n; i++)
		t->v[i]->load(ctx, &ctx->priv[i], dl);
	return diag_count(dl, DIAG_ERROR) > before ? -1 : 0;
}

int run_discover(struct ph_ctx *ctx, struct diag_list *dl)
{
	int rc = 0;
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->discover && t->v[i]->discover(ctx, ctx->priv[i], dl))
			rc = -1;
	return rc;
}

void run_lint(struct ph_ctx *ctx, struct diag_list *dl)
{
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; t && i < t->n; i++)
		if (t->v[i]->lint)
			t->v[i]->lint(ctx, ctx->priv[i], dl);
}

/* Planners name JSON paths; give those that point into the main config its file and position. */
static void position_diags(const struct ph_ctx *ctx, struct diag_list *dl)
{
	for (size_t i = 0; ctx->main.text && i < dl->n; i++) {
		struct diag *d = &dl->v[i];
		int line, col;
		if (d->file || !d->jpath || config_locate(ctx->main.text, d->jpath, &line, &col))
			continue;
		d->file = xstrdup(ctx->main.path);
		d->line = line;
		d->col = col;
	}
}

void run_plan(struct ph_ctx *ctx, struct plan *p)
{
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->plan)
			t->v[i]->plan(ctx, ctx->priv[i], p);
	plan_sort(p);
	position_diags(ctx, &p->diags);
}

void run_status(struct ph_ctx *ctx, json_t *out, FILE *text)
{
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->status)
			t->v[i]->status(ctx, ctx->priv[i], out, text);
}

int run_to_plan(struct ph_ctx *ctx, const struct subsystem_table *t, const struct run_opts *o,
		struct diag_list *dl, struct plan *p)
{
	if (run_load(ctx, t, o, dl) || run_discover(ctx, dl))
		return -1;
	run_plan(ctx, p);
	diag_move(dl, &p->diags);
	return 0;
}

void run_free(struct ph_ctx *ctx)
{
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; t && ctx->priv && i < t->n; i++)
		if (t->v[i]->free)
			t->v[i]->free(ctx->priv[i]);
	free(ctx->priv);
	config_src_free(&ctx->main);
	config_src_free(&ctx->lxc);
	config_src_free(&ctx->vm);
	lxc_config_free(&ctx->guests);
	sv_free(&ctx->allow_wipe);
	memset(ctx, 0, sizeof(*ctx));
}
