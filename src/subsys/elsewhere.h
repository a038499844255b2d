/* elsewhere: what the nfs, samba and dirs front doors leave out because it lives on other nodes. */
#ifndef PH_ELSEWHERE_H
#define PH_ELSEWHERE_H
#include <stddef.h>

#include "engine/ctx.h"
#include "util/strbuf.h"

/* An element's node list (NULL: every node), its path (NULL: none) and its name for the plan line. */
typedef void elsewhere_fields_fn(const void *elem, const char **nodes, const char **path, const char **label);

/*
 * Stable partition of the n elements of size bytes at base: those that
 * zfs_config_elsewhere places on other nodes (by their own nodes, or the
 * dataset their path lives on) go behind the others, both in their order,
 * each with the plan line "WHAT LABEL WHY" in lines. Returns how many stay
 * in front.
 */
size_t leave_out_elsewhere(const struct ph_ctx *ctx, void *base, size_t n, size_t size, elsewhere_fields_fn *fields,
			   const char *what, struct strvec *lines);

#endif
