/*
 * pve_config: what the config wants from Proxmox VE.
 *
 *  - storages: one per dataset with `proxmox_storage_type` (zfspool or dir)
 *    and one per NFS export carrying the `proxmox` extension object; ids come
 *    from `proxmox_storage_ids` (rule: pve_storage_key_matches) or default to
 *    "<pool>-<dataset>";
 *  - containers: `lxc_configs.<ctid>` of phoenix_lxc_configs.json (rootfs
 *    storage and size, `mount_points[]`, `zfs_volumes[]`) plus the mounts of
 *    `shared_volumes` in the main config, as config/lxc_config.h read them;
 *  - VMs: `vms[]` of phoenix_vm_configs.json (root disk storage and size,
 *    NFS `volumes[]`), with `vm_defaults`.
 *
 * Every record keeps its source file and JSON path for diagnostics.
 * Ownership: struct pve_config owns everything; pve_config_free releases it
 * (accepts a zeroed struct). The config_src pointers are borrowed from the
 * caller's config_sources.
 */
#ifndef PH_PVE_CONFIG_H
#define PH_PVE_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "config/lxc_config.h"
#include "config/zfs_config.h"
#include "util/diag.h"
#include "util/strbuf.h"

struct pve_storage_want {
	char *id;
	char *type;          /* "zfspool", "dir", "nfs" */
	char *pool;          /* zfspool: pool/dataset */
	char *path;          /* nfs: local mount path; dir: NULL (the planner resolves the dataset's
				mountpoint through the ZFS view; pve_dir_path_check) */
	char *server;        /* nfs */
	char *export;        /* nfs */
	char *options;       /* nfs mount options, NULL = none */
	char *content;       /* normalised ("images,rootdir"); NULL = Proxmox default */
	int sparse;          /* zfspool: -1 not configured, 0/1 */
	char *blocksize;     /* zfspool: NULL = not configured */
	char *dataset;       /* the dataset it comes from (full name), NULL for nfs */
	char *nodes;         /* the nodes line ("pve1,pve2"): its dataset's nodes, else its pool's; NULL: every node */
	bool away;           /* its dataset is on other nodes (zfs_config_away): configured, but planned
				there (the entry is the same from every node), never here */
	const struct config_src *src;
	char *jpath;         /* "zfs.datasets[3]" or "nfs.exports[0].proxmox" */
};

enum pve_mount_kind { PVE_MOUNT_BIND, PVE_MOUNT_VOLUME };

struct pve_mount_want {
	enum pve_mount_kind kind;
	char *host_path;     /* bind */
	char *storage;       /* volume: storage id */
	uint64_t size;       /* volume: bytes */
	char *ct_path;       /* path inside the container */
	struct lxc_mp_opts opts;   /* -1 = not configured (left as it is) */
	const struct config_src *src;
	char *jpath;
};

struct pve_ct_want {
	unsigned ctid;
	char *name;
	char *storage_pool;  /* NULL when not configured */
	uint64_t rootfs_size;/* bytes, 0 = not configured */
	struct pve_mount_want *mounts;
	size_t n_mounts;
	bool in_lxc_configs; /* false: only named by shared_volumes */
	struct guest_repl *repl; /* "replication" (pvesr job), NULL when not given */
	const struct config_src *src;
	char *jpath;
};

struct pve_nfs_mount {
	char *server;
	char *path;
	char *mount_point;
	char *options;       /* mount options for the guest's fstab line */
	char *jpath;
};

struct pve_vm_want {
	unsigned vmid;
	char *name;
	bool is_template;
	char *storage_pool;
	uint64_t disk_size;  /* bytes, 0 = not configured */
	char *ip;            /* address without prefix, NULL when dhcp/unknown */
	struct pve_nfs_mount *nfs;
	size_t n_nfs;
	struct guest_repl *repl; /* "replication" (pvesr job), NULL when not given */
	const struct config_src *src;
	char *jpath;
};

struct pve_config {
	struct pve_storage_want *storages;
	size_t n_storages;
	struct pve_ct_want *cts;    /* sorted by ctid */
	size_t n_cts;
	struct pve_vm_want *vms;    /* sorted by vmid */
	size_t n_vms;
	bool lxc_read;              /* the LXC config was read: cts lists every container mount of the configs */
	bool vm_read;               /* the VM config was read: vms lists every VM of the configs */
};

/*
 * Reads and checks everything above from cs (main and vm configs), lc (the
 * containers and their mounts, read once by lxc_config_load: its mistakes are
 * its own errors) and zcfg (the datasets; may be NULL). root is --root: a dir
 * storage's path is its dataset's mountpoint as seen inside it. All problems
 * go to dl at once. Returns 0 when no error was found; pc is filled with what
 * could be read either way.
 */
int pve_config_load(const struct config_sources *cs, const struct lxc_config *lc, const struct zfs_config *zcfg,
		    const char *root, struct pve_config *pc, struct diag_list *dl);
void pve_config_free(struct pve_config *pc);

const struct pve_storage_want *pve_config_storage(const struct pve_config *pc, const char *id);

/*
 * The proxmox_storage_ids key rule (pure, unit-tested). Both sides are
 * normalised: lower case, '-', '.' and '/' read as '_'. A key names the
 * dataset whose "<pool>_<name>" equals it (exact), or starts with it followed
 * by '_' (word prefix, e.g. "quickos_vm" for quickOS/vm-disks).
 * Returns 2 for an exact match, 1 for a prefix match, 0 otherwise.
 */
int pve_storage_key_matches(const char *key, const char *pool, const char *name);

/*
 * Resolves every key of a mapping to one dataset. keys/values: n_keys entries;
 * pools/names: n_ds datasets (only those that become storages). out[k] gets
 * the dataset index for key k, or -1 (no dataset) or -2 (ambiguous).
 * Tie-break, in order: an exact match wins; datasets matched exactly by
 * another key drop out; the dataset whose default id "<pool>-<name>" equals
 * the value (normalised) wins.
 */
void pve_resolve_storage_keys(const char *const *keys, const char *const *values, size_t n_keys,
			      const char *const *pools, const char *const *names, size_t n_ds, int *out);

/*
 * The path of a dir storage on a dataset mounted at mountpoint: the
 * mountpoint as the host sees it inside root (--root). An error at jpath of
 * src naming storage id when that path is not usable (absolute, not "/",
 * letters, digits and -_.@). Returns whether it is.
 */
bool pve_dir_path_check(const struct config_src *src, const char *jpath, const char *id, const char *mountpoint,
			const char *root, struct diag_list *dl);

/*
 * Content types a storage type accepts (NULL-terminated list), or NULL for a
 * type this tool does not create.
 */
const char *const *pve_content_allowed(const char *type);

/* True when addr (IPv4) is matched by the NFS client spec (IP or CIDR); *checkable false for hostnames/wildcards. */
bool pve_client_matches(const char *client, const char *addr, bool *checkable);

#endif
