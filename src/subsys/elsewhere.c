/* The one partition of objects on other nodes (see elsewhere.h). */
#include "subsys/elsewhere.h"

#include <stdlib.h>
#include <string.h>

#include "config/zfs_config.h"
#include "plan/mounts.h"

size_t leave_out_elsewhere(const struct ph_ctx *ctx, void *base, size_t n, size_t size, elsewhere_fields_fn *fields,
			   const char *what, struct strvec *lines)
{
	if (!n)
		return 0;   /* base may be NULL */
	const struct zfs_config *here = ctx->zfs ? ctx->zfs->cfg : NULL;
	char *v = base, *here_v = xcalloc(n + 1, size), *away = xcalloc(n + 1, size);
	size_t k = 0, a = 0;
	for (size_t i = 0; i < n; i++) {
		const char *nodes, *path, *label;
		fields(v + i * size, &nodes, &path, &label);
		char *why = zfs_config_elsewhere(here, nodes, ctx->node, path);
		if (why)
			sv_pushf(lines, "%s %s %s", what, label, why);
		memcpy(why ? away + a++ * size : here_v + k++ * size, v + i * size, size);
		free(why);
	}
	memcpy(v, here_v, k * size);
	memcpy(v + k * size, away, a * size);
	free(here_v);
	free(away);
	return k;
}
