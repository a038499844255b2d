/* phoenix-storage validate: check the config, print every problem at once. */
#include <stdlib.h>

#include "cmd/cmd.h"
#include "subsys/table.h"

int cmd_validate(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	int rc = run_load(&ctx, &subsystems, &o->run, &dl);
	run_lint(&ctx, &dl);
	print_diags(&dl);
	size_t ne = diag_count(&dl, DIAG_ERROR), nw = diag_count(&dl, DIAG_WARNING);
	const char *path = ctx.main.path ? ctx.main.path : (o->run.config ? o->run.config : DEFAULT_CONFIG);
	if (rc || ne)
		printf("%s: invalid: %zu error%s, %zu warning%s\n", path, ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
	else
		printf("%s: valid (%zu warning%s)\n", path, nw, nw == 1 ? "" : "s");
	run_free(&ctx);
	diag_list_free(&dl);
	return (rc || ne) ? EXIT_ERROR : EXIT_OK;
}
