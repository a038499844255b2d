/* phoenix-storage validate: check the config, print every problem at once. */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "subsys/table.h"
#include "util/strbuf.h"

/*
 * " (errors in a.json, b.json)" naming the files other than main that hold
 * errors, or "" when every error is in main (or in no file). Caller frees.
 */
static char *error_files(const struct diag_list *dl, const char *main)
{
	struct strvec files = { 0 };
	bool elsewhere = false;
	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->v[i];
		if (d->level != DIAG_ERROR || !d->file)
			continue;
		bool seen = false;
		for (size_t k = 0; k < files.n && !seen; k++)
			seen = !strcmp(files.v[k], d->file);
		if (!seen)
			sv_push(&files, d->file);
		elsewhere |= !main || strcmp(d->file, main);
	}
	char *list = sv_join(&files, ", ");
	char *r = elsewhere ? xasprintf(" (errors in %s)", list) : xstrdup("");
	free(list);
	sv_free(&files);
	return r;
}

/* The names of the subsystems whose sections this run checked (every one without --only). */
static void checked_names(const struct ph_ctx *ctx, struct strvec *out)
{
	const struct subsystem_table *t = ctx->subsystems;
	for (size_t i = 0; t && ctx->doors && i < t->n; i++)
		if (ctx->doors[i].use != DOOR_UNUSED)
			sv_push(out, t->v[i]->name);
}

/* validate --json: {"config", "valid", "errors", "warnings", "checked", "diagnostics"} on stdout. */
static void print_validate_json(const char *path, bool valid, const struct diag_list *dl, const struct strvec *checked)
{
	json_t *names = json_array();
	for (size_t i = 0; i < checked->n; i++)
		json_array_append_new(names, json_string(checked->v[i]));
	json_t *j = json_pack("{s:s, s:b, s:I, s:I, s:o, s:o}", "config", path, "valid", valid, "errors",
			      (json_int_t)diag_count(dl, DIAG_ERROR), "warnings", (json_int_t)diag_count(dl, DIAG_WARNING),
			      "checked", names, "diagnostics", diags_json(dl));
	print_json(j, false);
	json_decref(j);
}

int cmd_validate(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	int rc = run_load(&ctx, &subsystems, &o->run, &dl);
	run_lint(&ctx, &dl);
	print_diags(&dl);
	size_t ne = diag_count(&dl, DIAG_ERROR), nw = diag_count(&dl, DIAG_WARNING);
	const char *path = ctx.main.path ? ctx.main.path : (o->run.config ? o->run.config : DEFAULT_CONFIG);
	bool valid = !rc && !ne;
	struct strvec checked = { 0 };
	checked_names(&ctx, &checked);
	char *list = sv_join(&checked, ", ");
	/* with --only, the line says which sections were checked: the others were not */
	char *scope = ctx.only ? xasprintf("; checked only: %s", list) : xstrdup("");
	if (o->json) {
		print_validate_json(path, valid, &dl, &checked);
	} else if (!valid) {
		char *where = error_files(&dl, ctx.main.path);
		printf("%s: invalid: %zu error%s, %zu warning%s%s%s\n", path, ne, ne == 1 ? "" : "s", nw,
		       nw == 1 ? "" : "s", where, scope);
		free(where);
	} else {
		printf("%s: valid (%zu warning%s)%s\n", path, nw, nw == 1 ? "" : "s", scope);
	}
	free(scope);
	free(list);
	sv_free(&checked);
	run_free(&ctx);
	diag_list_free(&dl);
	return valid ? EXIT_OK : EXIT_ERROR;
}
