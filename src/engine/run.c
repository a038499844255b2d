#include "engine/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/members.h"
#include "exec/exec.h"
#include "util/fs.h"
#include "util/str.h"
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
	if (access(p, F_OK) == 0) {
		config_src_load(dst, p, dl);
	} else {
		char *kp = xasprintf("core_paths.%s", core_key);
		const char *what = strcmp(core_key, "vm_config_file") ? "container" : "VM";
		char *hint = xasprintf("create the file, fix core_paths.%s, or pass --%s FILE", core_key,
				       strcmp(core_key, "vm_config_file") ? "lxc-config" : "vm-config");
		cfg_diag(dl, &ctx->main, DIAG_WARNING, kp, hint, "%s config '%s' does not exist: no %s was checked", what,
			 p, what);
		free(hint);
		free(kp);
	}
	free(p);
}

/* The index of the front door called name in t, or -1. */
static long door_index(const struct subsystem_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i]->name, name))
			return (long)i;
	return -1;
}

/* Marks every door door i needs (and what they need) DOOR_NEEDED, unless selected. */
static void mark_needs(const struct subsystem_table *t, size_t i, struct door_run *doors)
{
	for (const char *const *n = t->v[i]->needs; n && *n; n++) {
		long k = door_index(t, *n);
		if (k < 0 || doors[k].use != DOOR_UNUSED)
			continue;
		doors[k].use = DOOR_NEEDED;
		mark_needs(t, (size_t)k, doors);
	}
}

/* Selects what door i is planned with (struct subsystem.with), and what they are planned with. */
static void mark_with(const struct subsystem_table *t, size_t i, struct door_run *doors)
{
	for (const char *const *n = t->v[i]->with; n && *n; n++) {
		long k = door_index(t, *n);
		if (k < 0 || doors[k].use == DOOR_SELECTED)
			continue;
		doors[k].use = DOOR_SELECTED;
		mark_with(t, (size_t)k, doors);
	}
}

/* One --only name into doors. Returns 0, or -1 with the error in dl. */
static int select_name(const struct subsystem_table *t, const char *name, struct door_run *doors,
		       struct diag_list *dl)
{
	long k = door_index(t, name);
	if (k >= 0) {
		doors[k].use = DOOR_SELECTED;
		mark_with(t, (size_t)k, doors);
		return 0;
	}
	struct strvec known = { 0 };
	for (size_t i = 0; i < t->n; i++)
		sv_push(&known, t->v[i]->name);
	char *list = sv_join(&known, ",");
	char *hint = xasprintf("name subsystems from this list, separated by commas: %s (e.g. --only %s)", list,
			       t->n ? t->v[0]->name : "zfs");
	if (*name)
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, hint, "--only: unknown subsystem '%s'", name);
	else
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, hint, "--only: an empty subsystem name");
	free(hint);
	free(list);
	sv_free(&known);
	return -1;
}

int run_select(const struct subsystem_table *t, const struct strvec *only, struct door_run *doors,
	       struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < t->n; i++)
		doors[i] = (struct door_run){ .use = only->n ? DOOR_UNUSED : DOOR_SELECTED };
	for (size_t i = 0; i < only->n; i++) {
		const char *s = only->v[i];
		for (;;) {
			size_t len = strcspn(s, ",");
			char *name = xstrndup(s, len);
			rc |= select_name(t, name, doors, dl);
			free(name);
			if (!s[len])
				break;
			s += len + 1;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		if (rc)
			doors[i].use = DOOR_UNUSED;   /* a bad list selects nothing */
		else if (doors[i].use == DOOR_SELECTED)
			mark_needs(t, i, doors);
	}
	return rc ? -1 : 0;
}

int run_select_within(const struct subsystem_table *t, const struct subsystem_table *all, const char *command,
		      const struct strvec *only, struct door_run *doors, struct diag_list *dl)
{
	int rc = 0;
	struct strvec known = { 0 };
	for (size_t i = 0; i < t->n; i++)
		sv_push(&known, t->v[i]->name);
	char *list = sv_join(&known, ",");
	for (size_t i = 0; i < only->n; i++) {
		const char *s = only->v[i];
		for (;;) {
			size_t len = strcspn(s, ",");
			char *name = xstrndup(s, len);
			if (door_index(t, name) < 0 && door_index(all, name) >= 0) {
				char *hint = xasprintf("name subsystems from this list, separated by commas: %s (e.g. --only %s); "
						       "plan, apply and status take --only %s",
						       list, t->n ? t->v[0]->name : "", name);
				diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, hint,
					 "--only: %s has no job for subsystem '%s' (%s does the jobs of: %s)", command,
					 name, command, list);
				free(hint);
				rc = -1;
			} else if (door_index(t, name) < 0)
				rc |= select_name(t, name, doors, dl);   /* unknown or empty: its error */
			free(name);
			if (!s[len])
				break;
			s += len + 1;
		}
	}
	free(list);
	sv_free(&known);
	if (rc) {
		for (size_t i = 0; i < t->n; i++)
			doors[i] = (struct door_run){ .use = DOOR_UNUSED };
		return -1;
	}
	return run_select(t, only, doors, dl);
}

/* Gives every diagnostic of dl from index from on that has no scope the scope name. */
static void scope_diags(struct diag_list *dl, size_t from, const char *name)
{
	for (size_t i = from; i < dl->n; i++)
		if (!dl->v[i].scope)
			dl->v[i].scope = name;
}

int run_load(struct ph_ctx *ctx, const struct subsystem_table *t, const struct run_opts *o,
	     struct diag_list *dl)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->root = o->root ? o->root : "";
	ctx->subsystems = t;
	ctx->priv = xcalloc(t->n ? t->n : 1, sizeof(*ctx->priv));
	ctx->doors = xcalloc(t->n ? t->n : 1, sizeof(*ctx->doors));
	ctx->only = o->only.n > 0;
	if (run_select(t, &o->only, ctx->doors, dl))
		return -1;
	ctx->allow_destroy = o->allow_destroy;
	ctx->allow_grow_pool = o->allow_grow_pool;
	ctx->now = o->now ? o->now : time(NULL);
	if (o->node)
		snprintf(ctx->node, sizeof(ctx->node), "%s", o->node);
	else if (gethostname(ctx->node, sizeof(ctx->node) - 1) == 0)
		ctx->node[strcspn(ctx->node, ".")] = '\0';
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
	for (size_t i = 0; i < t->n; i++) {
		if (ctx->doors[i].use == DOOR_UNUSED)
			continue;
		size_t from = dl->n, errors = diag_count(dl, DIAG_ERROR);
		t->v[i]->load(ctx, &ctx->priv[i], dl);
		ctx->doors[i].failed = diag_count(dl, DIAG_ERROR) > errors;
		scope_diags(dl, from, t->v[i]->name);
	}
	config_check_sources(&cs, dl);
	return diag_count(dl, DIAG_ERROR) > before ? -1 : 0;
}

int run_discover(struct ph_ctx *ctx, struct diag_list *dl)
{
	int rc = 0;
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; i < t->n; i++) {
		if (ctx->doors[i].use == DOOR_UNUSED || !t->v[i]->discover)
			continue;
		size_t from = dl->n;
		if (t->v[i]->discover(ctx, ctx->priv[i], dl)) {
			ctx->doors[i].failed = true;
			rc = -1;
		}
		scope_diags(dl, from, t->v[i]->name);
	}
	return rc;
}

/*
 * True when door i, or a door it needs or is planned with (transitively;
 * depth: what is left of the table, against a circle), passes test.
 */
static bool door_reaches(const struct subsystem_table *t, size_t i, size_t depth,
			 bool (*test)(const void *arg, size_t k), const void *arg)
{
	if (test(arg, i))
		return true;
	for (int w = 0; w < 2; w++)
		for (const char *const *n = w ? t->v[i]->with : t->v[i]->needs; depth && n && *n; n++) {
			long k = door_index(t, *n);
			if (k >= 0 && door_reaches(t, (size_t)k, depth - 1, test, arg))
				return true;
		}
	return false;
}

static bool door_failed(const void *arg, size_t k)
{
	return ((const struct ph_ctx *)arg)->doors[k].failed;
}

/* True when door i or anything it needs or is planned with failed. */
static bool door_blocked(const struct ph_ctx *ctx, size_t i, size_t depth)
{
	return door_reaches(ctx->subsystems, i, depth, door_failed, ctx);
}

bool run_selected(const struct ph_ctx *ctx, const char *name)
{
	long k = door_index(ctx->subsystems, name);
	return k >= 0 && (!ctx->doors || ctx->doors[k].use == DOOR_SELECTED);
}

bool run_plannable(const struct ph_ctx *ctx, size_t i)
{
	return ctx->doors[i].use == DOOR_SELECTED && !door_blocked(ctx, i, ctx->subsystems->n);
}

/* The names in bad, and the table they index: arg of door_is_bad. */
struct bad_names {
	const struct subsystem_table *t;
	const char *const *names;
};

static bool door_is_bad(const void *arg, size_t k)
{
	const struct bad_names *b = arg;
	return str_in_list(b->names, b->t->v[k]->name, strlen(b->t->v[k]->name));
}

/* True when door i, or what it needs or is planned with, is one of the names in bad. */
static bool door_needs_any(const struct subsystem_table *t, size_t i, const char *const *bad, size_t depth)
{
	struct bad_names b = { t, bad };
	return door_reaches(t, i, depth, door_is_bad, &b);
}

void run_blame(const struct ph_ctx *ctx, const struct diag_list *dl, struct strvec *in, struct strvec *others)
{
	const struct subsystem_table *t = ctx->subsystems;
	bool unscoped = false;
	struct strvec bad = { 0 };
	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i].level == DIAG_ERROR)
			unscoped |= !dl->v[i].scope;
	for (size_t i = 0; t && i < t->n; i++) {
		bool has = ctx->doors[i].failed;
		for (size_t k = 0; k < dl->n && !has; k++)
			has = dl->v[k].level == DIAG_ERROR && dl->v[k].scope && !strcmp(dl->v[k].scope, t->v[i]->name);
		if (has)
			sv_push(&bad, t->v[i]->name);
	}
	for (size_t i = 0; i < bad.n; i++)
		sv_push(in, bad.v[i]);
	for (size_t i = 0; t && !unscoped && i < t->n; i++)
		if (ctx->doors[i].use == DOOR_SELECTED && !door_needs_any(t, i, sv_argv(&bad), t->n))
			sv_push(others, t->v[i]->name);
	sv_free(&bad);
}

void run_lint(struct ph_ctx *ctx, struct diag_list *dl)
{
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; t && ctx->doors && i < t->n; i++) {
		if (ctx->doors[i].use == DOOR_UNUSED || !ctx->priv[i] || !t->v[i]->lint)
			continue;
		size_t from = dl->n;
		t->v[i]->lint(ctx, ctx->priv[i], dl);
		scope_diags(dl, from, t->v[i]->name);
	}
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
	for (size_t i = 0; i < t->n; i++) {
		if (!t->v[i]->plan || !run_plannable(ctx, i))
			continue;
		size_t from = p->diags.n;
		t->v[i]->plan(ctx, ctx->priv[i], p);
		scope_diags(&p->diags, from, t->v[i]->name);
	}
	plan_sort(p);
	position_diags(ctx, &p->diags);
}

void run_status(struct ph_ctx *ctx, json_t *out, FILE *text)
{
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->status && ctx->doors[i].use == DOOR_SELECTED)
			t->v[i]->status(ctx, ctx->priv[i], out, text);
}

int run_to_plan(struct ph_ctx *ctx, const struct subsystem_table *t, const struct run_opts *o,
		struct diag_list *dl, struct plan *p)
{
	if (run_load(ctx, t, o, dl))
		return -1;
	if (run_discover(ctx, dl)) {
		bool any = false;
		for (size_t i = 0; i < t->n && !any; i++)
			any = run_plannable(ctx, i);
		if (!any)
			return -1;
	}
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
	free(ctx->doors);
	config_src_free(&ctx->main);
	config_src_free(&ctx->lxc);
	config_src_free(&ctx->vm);
	lxc_config_free(&ctx->guests);
	sv_free(&ctx->allow_wipe);
	memset(ctx, 0, sizeof(*ctx));
}
