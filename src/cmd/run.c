#include "cmd/run.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/zfs_config.h"
#include "exec/exec.h"
#include "plan/zfs_plan.h"
#include "state/zfs_state.h"
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

int run_load(struct ph_ctx *ctx, const struct options *o, struct diag_list *dl)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->root = o->root ? o->root : "";
	ctx->allow_destroy = o->allow_destroy;
	ctx->samba_password_stdin = o->samba_password_stdin;
	ctx->samba_password = o->samba_password;
	ctx->strings = xcalloc(1, sizeof(*ctx->strings));
	for (size_t i = 0; i < o->allow_wipe.n; i++)
		sv_push(&ctx->allow_wipe, o->allow_wipe.v[i]);
	exec_set_trace(o->verbose);
	if (config_src_load(&ctx->main, o->config ? o->config : DEFAULT_CONFIG, dl))
		return -1;
	size_t before = diag_count(dl, DIAG_ERROR);
	load_guest_config(ctx, &ctx->lxc, o->lxc_config, "lxc_config_file", dl);
	load_guest_config(ctx, &ctx->vm, o->vm_config, "vm_config_file", dl);
	for (size_t i = 0; i < n_subsystems; i++)
		subsystems[i]->load(ctx, &ctx->sub[i], dl);
	diag_dedupe(dl);
	return diag_count(dl, DIAG_ERROR) > before ? -1 : 0;
}

int run_discover(struct ph_ctx *ctx, struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < n_subsystems; i++)
		if (subsystems[i]->discover && subsystems[i]->discover(ctx, ctx->sub[i], dl))
			rc = -1;
	return rc;
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
	for (size_t i = 0; i < n_subsystems; i++)
		if (subsystems[i]->plan)
			subsystems[i]->plan(ctx, ctx->sub[i], p);
	plan_sort(p);
	position_diags(ctx, &p->diags);
}

int run_to_plan(struct ph_ctx *ctx, const struct options *o, struct diag_list *dl, struct plan *p)
{
	if (run_load(ctx, o, dl) || run_discover(ctx, dl))
		return -1;
	run_plan(ctx, p);
	diag_move(dl, &p->diags);
	return 0;
}

void run_free(struct ph_ctx *ctx)
{
	for (size_t i = 0; i < n_subsystems; i++)
		if (subsystems[i]->free)
			subsystems[i]->free(ctx->sub[i]);
	config_src_free(&ctx->main);
	config_src_free(&ctx->lxc);
	config_src_free(&ctx->vm);
	zfs_config_free(ctx->zcfg);
	free(ctx->zcfg);
	zfs_state_free(ctx->zst);
	free(ctx->zst);
	zfs_facts_free(ctx->zfacts);
	free(ctx->zfacts);
	sv_free(&ctx->allow_wipe);
	if (ctx->strings)
		sv_free(ctx->strings);
	free(ctx->strings);
	memset(ctx, 0, sizeof(*ctx));
}

void print_diags(const struct diag_list *dl)
{
	diag_print(stderr, dl);
}
