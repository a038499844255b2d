/*
 * samba_config: the desired Samba state, read from the `samba` section of
 * phoenix_hypervisor_config.json:
 *
 *   "samba": { "user": "heads",
 *              "password_file": "/root/samba-heads.pass",      (extension)
 *              "smb_conf": "/etc/samba/smb.conf",              (extension)
 *              "shares": [ { "name": "shared-prod-data",
 *                            "path": "quickOS/shared-prod-data",
 *                            "options": "browseable=yes writable=yes",
 *                            "valid_users": ["heads"],
 *                            "outside_zfs": false } ] }        (extension)
 *
 * `path` may be relative (meaning below "/") or absolute. `options` is a
 * space-separated list of key=value (values may be double-quoted); every key
 * is checked against the share parameters smb.conf knows and values against
 * their type. Passwords are never read from the config.
 */
#ifndef PH_SAMBA_CONFIG_H
#define PH_SAMBA_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "util/diag.h"

#define SAMBA_DEFAULT_SMB_CONF "/etc/samba/smb.conf"
#define SAMBA_SHARES_FILE_NAME "phoenix-shares.conf"

/* One share parameter, ready for smb.conf. */
struct samba_option {
	char *key;      /* smb.conf parameter name as written in the file ("browseable") */
	char *value;    /* normalised value ("yes", "0770", "a, b") */
	int group;      /* parameters with the same group are the same Samba setting */
};

struct samba_share {
	char *name;
	char *path;            /* absolute, normalised, as in the config (without --root) */
	struct samba_option *opts;
	size_t n_opts;
	char **valid_users;
	size_t n_valid_users;
	bool outside_zfs;
	char *nodes;           /* extension: the nodes that share it, comma-joined; NULL: every node */
	char *jpath;           /* "samba.shares[0]" */
};

struct samba_config {
	bool present;          /* the config has a samba section */
	char *user;            /* NULL when not given: no Samba user is managed */
	char *password_file;   /* absolute, without --root; NULL when not given */
	char *smb_conf;        /* absolute, without --root */
	char *shares_file;     /* beside smb_conf: DIR/phoenix-shares.conf */
	struct samba_share *shares;
	size_t n_shares;
	size_t n_away;         /* shares[n_shares .. n_shares + n_away): on other nodes, left out here */
};

/*
 * Parses and validates the samba section of src; every problem goes to dl (all
 * at once). Returns 0 when no error was found. cfg is always filled with what
 * could be read; free with samba_config_free (accepts NULL).
 */
int samba_config_load(const struct config_src *src, struct samba_config *cfg, struct diag_list *dl);
void samba_config_free(struct samba_config *cfg);

/*
 * Parses a share's options string ("browseable=yes writable=yes") into opts.
 * Returns 0, or -1 with *err (caller frees) and *hint (static or NULL) set.
 * opts/n_opts are appended to; the caller frees them with samba_options_free.
 */
int samba_options_parse(const char *text, struct samba_option **opts, size_t *n_opts, char **err,
			const char **hint);
void samba_options_free(struct samba_option *opts, size_t n);

/*
 * A share path from the config as an absolute normalised path: "a/b" and
 * "/a/b/" give "/a/b". Returns NULL (with *err, caller frees) for paths with
 * "." or "..", control characters, '%' (smb.conf macros), surrounding spaces or
 * a final backslash (smb.conf would join the next line to it).
 */
char *samba_share_path(const char *text, char **err);

/* True for a valid share name (1-80 of A-Z a-z 0-9 . _ - and an optional final $). */
bool samba_share_name_ok(const char *name);

/* The share as one line for plans: "browseable=yes, writable=yes, valid users=heads". */
char *samba_share_summary(const struct samba_share *sh);

#endif
