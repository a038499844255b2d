/*
 * nfs_state: the current NFS state. For the kernel server: the export table
 * as `exportfs -v` prints it, the drop-in file the tool owns and every other
 * exports file (/etc/exports, /etc/exports.d/ *.exports). For nfs-ganesha:
 * the include file the tool owns, the main ganesha.conf and the server's pid.
 * For both: the owner and mode of every export root.
 *
 * The parsers are pure functions over text (unit-tested); nfs_state_discover()
 * is the only part that reads files and runs programs.
 */
#ifndef PH_NFS_STATE_H
#define PH_NFS_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/nfs_config.h"
#include "formats/exports.h"
#include "formats/ganesha.h"
#include "util/diag.h"
#include "util/strbuf.h"

/* First line of every file the tool writes; a file without it is not ours. */
#define NFS_OWNED_MARK "# Managed by phoenix-storage"

/* One row of `exportfs -v`: path, client ("*" for <world>), option list. */
struct nfs_table_entry {
	char *path;
	char *client;
	char *opts;   /* "sync,wdelay,hide,...", "" when absent */
};

struct nfs_table {
	struct nfs_table_entry *v;
	size_t n;
};

/* What discovery found about one export root (index as in the config). */
struct nfs_root {
	bool exists;
	bool is_dir;
	uid_t uid;
	gid_t gid;
	mode_t mode;      /* permission bits (07777) */
	bool want_uid_ok; /* owner resolved (or not asked for) */
	bool want_gid_ok;
	uid_t want_uid;
	gid_t want_gid;
};

struct nfs_state {
	/* kernel */
	bool table_known;
	char *table_error;         /* why exportfs -v failed */
	struct nfs_table table;
	bool dropin_exists;
	bool dropin_ours;
	char *dropin_text;
	struct nfs_file dropin;
	struct nfs_file foreign;   /* /etc/exports and the other drop-ins */
	/* ganesha */
	bool conf_exists;
	char *conf_text;
	bool conf_includes;        /* the main config already %includes our file */
	struct ganesha_exports conf_blocks;
	bool include_exists;
	bool include_ours;
	char *include_text;
	struct ganesha_exports include_blocks;
	pid_t ganesha_pid;         /* 0 when not running */
	/* export roots */
	struct nfs_root *roots;
	size_t n_roots;
	unsigned invocations;
};

/*
 * Parses `exportfs -v` output: "PATH<spaces>\tCLIENT(opts)" for short paths,
 * "PATH\n\t\tCLIENT(opts)" for long ones. <world> becomes "*". Returns 0.
 */
int nfs_parse_exportfs(const char *text, struct nfs_table *t);
void nfs_table_free(struct nfs_table *t);

/*
 * Reads the state for cfg: runs `exportfs -v` (kernel), reads the files
 * (prefixed with root), finds the ganesha pid, stats export roots and
 * resolves owner/group names. Problems that make planning impossible go to
 * dl as errors. Returns 0 or -1. st must be freed with nfs_state_free.
 */
int nfs_state_discover(const struct nfs_config *cfg, const char *root, struct nfs_state *st,
		       struct diag_list *dl);
void nfs_state_free(struct nfs_state *st);

/* The pid of the running ganesha.nfsd named by pidfile, or 0. */
pid_t nfs_ganesha_pid(const char *pidfile);

/* $PHOENIX_EXPORTFS or "exportfs" (exec_program). */
const char *nfs_exportfs_prog(void);

#endif
