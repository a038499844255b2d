#include "sys/idmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

void idmap_init(struct idmap *m, bool unprivileged)
{
	memset(m, 0, sizeof(*m));
	m->unprivileged = unprivileged;
}

int idmap_add(struct idmap *m, enum idmap_kind kind, uint32_t container_id, uint32_t host_id,
	      uint32_t size)
{
	if (size == 0 || (uint64_t)container_id + size - 1 > UINT32_MAX ||
	    (uint64_t)host_id + size - 1 > UINT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < m->n; i++) {
		const struct idmap_range *r = &m->v[i];
		if (r->kind != kind)
			continue;
		uint64_t a0 = r->container_id, a1 = (uint64_t)r->container_id + r->size;
		uint64_t b0 = container_id, b1 = (uint64_t)container_id + size;
		if (a0 < b1 && b0 < a1)
			return -EEXIST;
	}
	m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	m->v[m->n++] = (struct idmap_range){ kind, container_id, host_id, size };
	return 0;
}

int idmap_map(const struct idmap *m, enum idmap_kind kind, uint32_t container_id, uint32_t *host_id)
{
	if (!m->unprivileged) {
		*host_id = container_id;
		return 0;
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct idmap_range *r = &m->v[i];
		if (r->kind == kind && container_id >= r->container_id &&
		    (uint64_t)container_id < (uint64_t)r->container_id + r->size) {
			*host_id = r->host_id + (container_id - r->container_id);
			return 0;
		}
	}
	if (container_id < IDMAP_DEFAULT_SIZE) {
		*host_id = IDMAP_DEFAULT_HOST_BASE + container_id;
		return 0;
	}
	return -ERANGE;
}

int idmap_kind_parse(const char *s, enum idmap_kind *kind)
{
	if (!strcmp(s, "uid") || !strcmp(s, "u")) {
		*kind = IDMAP_UID;
		return 0;
	}
	if (!strcmp(s, "gid") || !strcmp(s, "g")) {
		*kind = IDMAP_GID;
		return 0;
	}
	return -1;
}

const char *idmap_kind_name(enum idmap_kind kind)
{
	return kind == IDMAP_UID ? "uid" : "gid";
}

void idmap_free(struct idmap *m)
{
	if (!m)
		return;
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
