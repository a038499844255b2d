/*
 * dirs_config: the persistent service directories the host must have, with
 * the owner, group and mode each needs. They come from four places:
 *
 *  - the `persistent_storage` section of the main config (extension):
 *      "persistent_storage": {
 *        "base": "/quickOS/vm-persistent-data",
 *        "directories": [
 *          { "path": "1001/portainer/data", "owner": 0, "group": 0, "mode": "0750" },
 *          { "service": "qdrant", "path": "1001/qdrant/storage", "owner": "root",
 *            "group": "root", "mode": "0750" },
 *          { "path": "/quickOS/lxc-persistent-data/101/logs", "ctid": 101,
 *            "owner": 33, "group": 33, "mode": "0750" },
 *          { "path": "/srv/scratch", "outside_zfs": true } ] }
 *    A relative path is below `base`. owner/group are numbers or names (names
 *    are looked up on this host); with `ctid` they are ids inside that LXC
 *    container and are mapped to host ids through its id map.
 *  - container bind mounts: lxc_configs.<ctid>.mount_points[].host_path with
 *    owner_uid/owner_gid (container ids, mapped like Proxmox maps them), and
 *    shared_volumes.<name>.host_path (config/lxc_config.h reads both);
 *  - VM NFS volumes: vms[].volumes[] with "type": "nfs" and "path";
 *  - Samba share paths (created when missing; the samba plan checks them).
 *
 * The same path declared more than once is merged; different owners, groups
 * or modes for one path are an error naming both declarations.
 */
#ifndef PH_DIRS_CONFIG_H
#define PH_DIRS_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "config/lxc_config.h"
#include "util/diag.h"

struct dir_want {
	char *path;            /* absolute, normalised, as in the config (without --root) */
	bool set_uid;
	uint32_t uid;          /* host uid (after id mapping) */
	char *uid_note;        /* "uid 33 in CT 101" when mapped, else NULL */
	bool set_gid;
	uint32_t gid;
	char *gid_note;
	bool set_mode;
	unsigned mode;         /* 07777 */
	bool outside_zfs;      /* deliberately not on a managed dataset */
	bool samba_only;       /* only implied by a Samba share path */
	char *nodes;           /* samba_only: the nodes of the shares that imply it, comma-joined; NULL: every node */
	char *service;         /* label from persistent_storage, or NULL */
	const struct config_src *src;   /* where it was first declared (not owned) */
	char *jpath;
	char *origin;          /* "persistent_storage.directories[0]", "lxc 101 mount_points[0]", ... */
};

/* Owns v; free with dirs_config_free (accepts NULL). Sorted by path. */
struct dirs_config {
	struct dir_want *v;
	size_t n;
	size_t n_away;         /* v[n .. n + n_away): on datasets of other nodes, left out here */
};

/*
 * Reads every source of directories from cs (main, lxc and vm configs) and
 * lc (the containers' bind mounts, read once by lxc_config_load);
 * problems go to dl (all at once). Returns 0 when no error was found. Runs no
 * program (user and group names are looked up with getpwnam/getgrnam).
 */
int dirs_config_load(const struct config_sources *cs, const struct lxc_config *lc, struct dirs_config *cfg,
		     struct diag_list *dl);
void dirs_config_free(struct dirs_config *cfg);

/* Parses "0750", "750" or "2775" (1-4 octal digits). Returns 0 or -1. */
int dirs_parse_mode(const char *s, unsigned *mode);

/*
 * Normalises a directory path: "a/b" below base (base may be NULL), "//x/" to
 * "/x". Returns NULL with *err (caller frees) for ".", "..", control
 * characters or a relative path without base.
 */
char *dirs_normalize_path(const char *path, const char *base, char **err);

#endif
