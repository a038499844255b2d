/*
 * health: the front door of the health model (the `monitoring` section).
 * It reads what zfs discovery already read (each pool's zpool status model,
 * the root datasets' sizes) and, for `status` only, the SMART data of every
 * pool disk; never in plan or apply. cmd/status asks it for the check verdict
 * and the metrics.
 */
#ifndef PH_HEALTH_H
#define PH_HEALTH_H
#include <stdbool.h>

#include "engine/ctx.h"
#include "plan/health_check.h"

/*
 * The verdict of `status --check` at ctx->now (SMART read once, on first use).
 * out must be freed with hc_result_free. Always fills out.
 */
void health_check(struct ph_ctx *ctx, struct hc_result *out);

/*
 * The node_exporter textfile of the health model (and drift_objects when >= 0).
 * Returns the text (caller frees), or NULL with an error in dl.
 */
char *health_prometheus(struct ph_ctx *ctx, long drift_objects, struct diag_list *dl);

/*
 * The page of `status --html` (plan/health_html.h): the health model, its
 * verdict and each covered dataset's snapshot timeline, at ctx->now.
 * Returns the document (caller frees), or NULL when the run has no health door.
 */
char *health_html_page(struct ph_ctx *ctx);

/*
 * The file `status --prometheus` writes without FILE: monitoring.prometheus_file,
 * else the node_exporter default when its directory exists, else NULL.
 * Static or ctx storage.
 */
const char *health_prometheus_default(const struct ph_ctx *ctx);

#endif
