/*
 * idmap: LXC user and group id mapping, as Proxmox sets it up for a container.
 * A privileged container maps every id 1:1. An unprivileged one shifts ids
 * below 65536 by +100000 (Proxmox's default "u 0 100000 65536" / "g 0 100000
 * 65536"), and explicit ranges (the container's id_maps) take precedence over
 * that default, e.g. {"type": "gid", "container_id": 33, "host_id": 33, "size": 1}
 * passes gid 33 through. Pure functions, no I/O.
 */
#ifndef PH_IDMAP_H
#define PH_IDMAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDMAP_DEFAULT_HOST_BASE 100000u
#define IDMAP_DEFAULT_SIZE 65536u

enum idmap_kind { IDMAP_UID, IDMAP_GID };

struct idmap_range {
	enum idmap_kind kind;
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

/* One container's map. Owns v; release with idmap_free. */
struct idmap {
	bool unprivileged;
	struct idmap_range *v;
	size_t n;
};

/* An empty map: 1:1 when !unprivileged, else the default shift. */
void idmap_init(struct idmap *m, bool unprivileged);

/*
 * Adds an explicit range. Returns 0; -EINVAL when size is 0 or a range end
 * passes 2^32-1; -EEXIST when the container ids overlap an earlier range of
 * the same kind (the map is unchanged on error).
 */
int idmap_add(struct idmap *m, enum idmap_kind kind, uint32_t container_id, uint32_t host_id,
	      uint32_t size);

/*
 * Maps a container id to the host id. Explicit ranges first, then the default
 * shift. Returns 0, or -ERANGE when the id is outside every range (only for
 * unprivileged containers: ids >= 65536 without an explicit range).
 */
int idmap_map(const struct idmap *m, enum idmap_kind kind, uint32_t container_id, uint32_t *host_id);

/* Parses "uid"/"gid" (also "u"/"g"). Returns 0 or -1. */
int idmap_kind_parse(const char *s, enum idmap_kind *kind);
const char *idmap_kind_name(enum idmap_kind kind);

/* Accepts NULL. */
void idmap_free(struct idmap *m);

#endif
