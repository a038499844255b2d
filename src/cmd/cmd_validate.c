/* phoenix-storage validate: check the config, print every problem at once. */
#include <stdlib.h>

#include "cmd/run.h"
#include "config/zfs_config.h"
#include "plan/zfs_plan.h"
#include "state/zfs_state.h"
#include "util/strbuf.h"

int cmd_validate(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	int rc = run_load(&ctx, o, &dl);
	/* Capacity lint needs the pools' sizes: read them when ZFS answers, quietly skip otherwise. */
	if (ctx.zcfg && ctx.zcfg->n_pools && !o->json) {
		struct diag_list quiet = { 0 };
		ctx.zst = xcalloc(1, sizeof(*ctx.zst));
		struct strvec pools = { 0 };
		for (size_t i = 0; i < ctx.zcfg->n_pools; i++)
			sv_push(&pools, ctx.zcfg->pools[i].name);
		int drc = zfs_state_discover(ctx.zst, &pools, &quiet);
		sv_free(&pools);
		if (drc == 0)
			zfs_lint_capacity(&ctx, &dl);
		diag_list_free(&quiet);
	}
	print_diags(&dl);
	size_t ne = diag_count(&dl, DIAG_ERROR), nw = diag_count(&dl, DIAG_WARNING);
	const char *path = ctx.main.path ? ctx.main.path : (o->config ? o->config : DEFAULT_CONFIG);
	if (rc || ne)
		printf("%s: invalid: %zu error%s, %zu warning%s\n", path, ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
	else
		printf("%s: valid (%zu warning%s)\n", path, nw, nw == 1 ? "" : "s");
	run_free(&ctx);
	diag_list_free(&dl);
	return (rc || ne) ? EXIT_ERROR : EXIT_OK;
}
