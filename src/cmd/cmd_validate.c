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

int cmd_validate(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	int rc = run_load(&ctx, &subsystems, &o->run, &dl);
	run_lint(&ctx, &dl);
	print_diags(&dl);
	size_t ne = diag_count(&dl, DIAG_ERROR), nw = diag_count(&dl, DIAG_WARNING);
	const char *path = ctx.main.path ? ctx.main.path : (o->run.config ? o->run.config : DEFAULT_CONFIG);
	if (rc || ne) {
		char *where = error_files(&dl, ctx.main.path);
		printf("%s: invalid: %zu error%s, %zu warning%s%s\n", path, ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s",
		       where);
		free(where);
	}
	else
		printf("%s: valid (%zu warning%s)\n", path, nw, nw == 1 ? "" : "s");
	run_free(&ctx);
	diag_list_free(&dl);
	return (rc || ne) ? EXIT_ERROR : EXIT_OK;
}
