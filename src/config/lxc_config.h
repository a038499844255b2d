/*
 * lxc_config: the one reader of what the configs say about containers:
 * `lxc_configs.<ctid>` of phoenix_lxc_configs.json (name, rootfs storage and
 * size, `mount_points[]` bind mounts, `zfs_volumes[]`) and the bind mounts of
 * `shared_volumes` in the main config. Every value is checked here, once, so
 * a mistake is reported once; dirs_config (the host directories of bind
 * mounts) and pve_config (the mpN lines) read the records.
 *
 *   "lxc_configs": { "101": { "name": "web", "storage_pool": "tank-ct", "storage_size_gb": 8,
 *       "mount_points": [ { "host_path": "/tank/www", "container_path": "/srv/www", "ro": true } ],
 *       "zfs_volumes": [ { "pool": "tank-ct", "size_gb": 50, "mount_point": "/data" } ] } }
 *   "shared_volumes": { "certs": { "host_path": "/tank/certs", "ro": true,
 *       "mounts": { "101": "/certs", "102": "/etc/ssl/certs" } } }
 *
 * Ownership: struct lxc_config owns its records; the json_t pointers are
 * borrowed from the config_src they were read from. lxc_config_free accepts
 * a zeroed struct.
 */
#ifndef PH_LXC_CONFIG_H
#define PH_LXC_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "config/config.h"
#include "config/grammar.h"
#include "util/diag.h"

enum lxc_mount_kind { LXC_MOUNT_BIND, LXC_MOUNT_VOLUME };

/* Mount point options (ro, backup, acl, replicate, shared); -1 = not configured (left as it is). */
struct lxc_mp_opts {
	int ro, backup, acl, replicate, shared;
};

/* One mount into a container: a bind mount of a host directory or a new storage volume. */
struct lxc_mount {
	enum lxc_mount_kind kind;
	unsigned ctid;
	char *host_path;           /* bind: absolute, normalised */
	char *storage;             /* volume: the storage id */
	uint64_t size;             /* volume: bytes */
	char *ct_path;             /* inside the container: absolute, normalised, not "/" */
	struct lxc_mp_opts opts;
	const char *volume;        /* shared_volumes: the volume's name (borrowed), else NULL */
	json_t *json;              /* the object that names the host path: the mount point, or the shared
				      volume (borrowed; its other members are its readers' business) */
	json_t *ct_json;           /* mount_points and zfs_volumes: the container's object (borrowed), else NULL */
	const struct config_src *src;
	char *jpath;               /* "lxc_configs.101.mount_points[0]", "shared_volumes.certs.mounts.101" */
	char *origin;              /* where it is declared, for messages: "lxc 101 mount_points[0]", "shared_volumes.certs" */
};

/*
 * A guest's "replication" (extension): a job of Proxmox's own replication
 * (pvesr, /etc/pve/replication.cfg) for a container of lxc_configs or a VM
 * of vms[]:
 *   "replication": { "target": "pve2", "schedule": "STAR/15", "rate_mb": 50 }
 * (STAR: '*', which cannot be written next to '/' in a C comment)
 * target: a node of cluster.nodes (that it is not this node is the plan's
 * check: the config serves every node); schedule: a pvesr calendar event,
 * default GUEST_REPL_SCHEDULE_DEFAULT; rate_mb: MB/s, 1 or more (Proxmox's minimum), optional.
 */
#define GUEST_REPL_SCHEDULE_DEFAULT "*/15"
#define GUEST_REPL_SCHEDULE_MAX 128   /* Proxmox's maxLength of schedule */

struct guest_repl {
	char *target;
	char *schedule;
	double rate_mb;            /* 0: no limit */
	const struct config_src *src;
	char *jpath;               /* "lxc_configs.101.replication", "vms[0].replication" */
};

/*
 * The "replication" member of guest object o (at jpath of src); main is the
 * main config (its cluster.nodes names the targets). Returns a new record
 * (caller frees with guest_repl_free), or NULL when absent or bad (every
 * problem reported at its JSON path).
 */
struct guest_repl *guest_repl_member(const struct config_src *src, json_t *o, const char *jpath,
				     const struct config_src *main, struct diag_list *dl);
struct guest_repl *guest_repl_dup(const struct guest_repl *r);
void guest_repl_free(struct guest_repl *r);

/* One entry of lxc_configs. */
struct lxc_ct {
	unsigned ctid;
	const char *key;           /* as written (borrowed) */
	json_t *json;              /* its object (borrowed) */
	char *name;                /* NULL when not given */
	char *storage_pool;        /* NULL when not given */
	uint64_t rootfs_size;      /* bytes; 0 when not given */
	struct guest_repl *repl;   /* NULL when not given */
	const struct config_src *src;
	char *jpath;               /* "lxc_configs.101" */
};

struct lxc_config {
	struct lxc_ct *cts;        /* lxc_configs, in file order */
	size_t n_cts;
	/* every mount in file order: per container its mount_points then its zfs_volumes, then shared_volumes */
	struct lxc_mount *mounts;
	size_t n_mounts;
};

/*
 * Reads lxc_configs from cs->lxc and shared_volumes from cs->main; every
 * problem goes to dl at once, and a mount with a bad value is left out.
 * Returns 0 when no error was found; lc is filled with what could be read
 * either way (free it with lxc_config_free).
 */
int lxc_config_load(const struct config_sources *cs, struct lxc_config *lc, struct diag_list *dl);
void lxc_config_free(struct lxc_config *lc);

/* The container of lxc_configs with that id, or NULL. */
const struct lxc_ct *lxc_config_ct(const struct lxc_config *lc, unsigned ctid);

/*
 * A path member key of object o (at jpath of src) for a guest: a string,
 * absolute, normalised, not "/", and fitting the grammar of where it is
 * written (GRAM_PVE_PROP: an mpN property string; GRAM_FSTAB_FIELD: a guest's
 * fstab line). Returns it (caller frees), or NULL when absent or bad
 * (reported).
 */
char *guest_path_member(const struct config_src *src, json_t *o, const char *jpath, const char *key,
			enum gram_target target, struct diag_list *dl);

/* "/a//b/" -> "/a/b"; NULL when p is NULL, not absolute or holds "." or ".." parts. Caller frees. */
char *guest_norm_path(const char *p);

/* True when s is a valid Proxmox storage id ([a-z][a-z0-9._-]*[a-z0-9], any case). */
bool pve_storage_id_valid(const char *s);
/* Reports id at jpath of src when it is not a valid storage id; returns whether it is. */
bool pve_storage_id_check(const struct config_src *src, const char *jpath, const char *id, struct diag_list *dl);

#endif
