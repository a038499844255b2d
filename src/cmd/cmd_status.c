/* phoenix-storage status: pools, managed datasets, drift and everything else each subsystem reports. */
#include <stdlib.h>

#include "cmd/cmd.h"
#include "subsys/table.h"

int cmd_status(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	bool read = run_load(&ctx, &subsystems, &o->run, &dl) == 0 && run_discover(&ctx, &dl) == 0;
	json_t *out = json_object();
	if (read)
		run_status(&ctx, out, o->json ? NULL : stdout);
	if (o->json) {
		/* every subsystem's member as before, then the diagnostics (on a failure, only them) */
		json_object_set_new(out, "diagnostics", diags_json(&dl));
		print_json(out, false);
	}
	json_decref(out);
	print_diags(&dl);
	run_free(&ctx);
	diag_list_free(&dl);
	return read ? EXIT_OK : EXIT_ERROR;
}
