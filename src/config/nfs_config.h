/*
 * nfs_config: the desired NFS exports, read from the `nfs` section of
 * phoenix_hypervisor_config.json (`nfs.exports[]` with path, clients[] and
 * options[] as in the real file) plus extensions: `nfs.server`
 * ("kernel" | "ganesha"), `nfs.ganesha.{config_file,include_file,pid_file}`,
 * and per export `outside_zfs`, `owner`, `group`, `mode`.
 *
 * The option and client checks are pure functions (unit-tested); they also
 * give the effective meaning of an option list (struct nfs_opts), which is
 * how plan compares the config with what `exportfs -v` reports.
 */
#ifndef PH_NFS_CONFIG_H
#define PH_NFS_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "util/diag.h"
#include "util/strbuf.h"

enum nfs_server { NFS_SERVER_KERNEL, NFS_SERVER_GANESHA };

#define NFS_KERNEL_DROPIN "/etc/exports.d/phoenix.exports"
#define NFS_GANESHA_CONF "/etc/ganesha/ganesha.conf"
#define NFS_GANESHA_INCLUDE "/etc/ganesha/phoenix-exports.conf"
#define NFS_GANESHA_PIDFILE "/var/run/ganesha/ganesha.pid"
#define NFS_ANON_DEFAULT 65534

enum nfs_client_kind {
	NFS_CLIENT_IP,        /* 10.0.0.1, fe80::1 */
	NFS_CLIENT_CIDR,      /* 10.0.0.0/24, 10.0.0.0/255.255.255.0, fd00::/64 */
	NFS_CLIENT_HOST,      /* pve1.example.com */
	NFS_CLIENT_WILDCARD,  /* *.example.com, node?.lan */
	NFS_CLIENT_NETGROUP,  /* @trusted */
	NFS_CLIENT_WORLD,     /* * */
};

/*
 * The effective meaning of an export option list, defaults filled in the way
 * exportfs fills them. Compared field by field; insecure is only known when
 * secure_known (exportfs -v does not print it).
 */
struct nfs_opts {
	bool rw;
	bool async;
	bool no_wdelay;
	bool nohide;
	bool crossmnt;
	bool no_subtree_check;
	bool subtree_given;      /* subtree_check or no_subtree_check written */
	bool insecure;
	bool secure_known;
	bool insecure_locks;
	bool no_acl;
	bool nordirplus;
	bool security_label;
	bool pnfs;
	bool no_root_squash;
	bool all_squash;
	long long anonuid;       /* 65534 unless set */
	long long anongid;
	char fsid[40];           /* "" none, "0" for root, a number, or a lower-case uuid */
	bool mountpoint;
	char mountpoint_path[256]; /* "" for a bare `mountpoint` */
	char sec[64];            /* "sys" unless set; flavours joined with ':' */
};

struct nfs_export {
	char *path;
	struct strvec clients;
	struct strvec options;   /* as written */
	struct nfs_opts eff;
	bool outside_zfs;        /* extension: deliberately not on a ZFS dataset */
	char *owner;             /* extension: user name or number; NULL = leave alone */
	char *group;
	bool has_mode;
	mode_t mode;             /* extension: "0750" */
	char *nodes;             /* extension: the nodes that export it, comma-joined; NULL: every node */
	char *jpath;             /* "nfs.exports[2]" */
};

struct nfs_config {
	bool present;            /* the config has an nfs section */
	enum nfs_server server;
	struct nfs_export *exports;
	size_t n_exports;
	size_t n_away;           /* exports[n_exports .. n_exports + n_away): on other nodes, left out here */
	/* Host paths (not yet prefixed with --root). */
	char *dropin;            /* kernel: the drop-in file the tool owns */
	char *ganesha_conf;      /* ganesha: the main config that must %include ... */
	char *ganesha_include;   /* ... the EXPORT blocks file the tool owns */
	char *ganesha_pid_file;
};

/*
 * Parses and validates the nfs section of src: every error and every
 * security warning goes to dl (all at once). Returns 0 when no error was
 * found. cfg is always filled with what could be read; free it with
 * nfs_config_free (accepts a zeroed or NULL cfg).
 */
int nfs_config_load(const struct config_src *src, struct nfs_config *cfg, struct diag_list *dl);
void nfs_config_free(struct nfs_config *cfg);

/*
 * Checks one client spec. Returns 0 and sets *kind when valid; -1 otherwise.
 */
int nfs_client_check(const char *client, enum nfs_client_kind *kind);

/*
 * Checks one export option ("rw", "anonuid=1000", ...). Returns 0 when valid;
 * otherwise -1 with *msg (and *hint, may be NULL) set to new strings the
 * caller frees.
 */
int nfs_option_check(const char *opt, char **msg, char **hint);

/*
 * The effective options of a list of valid options. table_form: the list is
 * what `exportfs -v` printed, where a missing no_subtree_check means
 * subtree_check and secure/insecure is not shown.
 */
void nfs_opts_from_list(const char *const *opts, size_t n, bool table_form, struct nfs_opts *o);

/* True when a and b mean the same export (insecure compared only when both know it). */
bool nfs_opts_equal(const struct nfs_opts *a, const struct nfs_opts *b);

/* True when the client lets every host in (`*`, 0.0.0.0/0, ::/0). */
bool nfs_client_is_world(const char *client);

/*
 * Path check: 0 when path is absolute, normalised and one field of an
 * exports line (no white space, quote, backslash or '#'); otherwise -1 with
 * msg and hint (new strings, hint may be NULL) naming the problem.
 */
int nfs_path_check(const char *path, char **msg, char **hint);

#endif
