/* phoenix-storage status: pools, managed datasets, drift and everything else each subsystem reports. */
#include <stdlib.h>

#include "cmd/cmd.h"
#include "subsys/table.h"

int cmd_status(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	int code = EXIT_ERROR;
	if (run_load(&ctx, &subsystems, &o->run, &dl) || run_discover(&ctx, &dl)) {
		print_diags(&dl);
		goto out;
	}
	json_t *out = json_object();
	run_status(&ctx, out, o->json ? NULL : stdout);
	if (o->json) {
		char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
	}
	json_decref(out);
	print_diags(&dl);
	code = EXIT_OK;
out:
	run_free(&ctx);
	diag_list_free(&dl);
	return code;
}
