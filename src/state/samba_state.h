/*
 * samba_state: what Samba looks like now: smb.conf and the managed shares
 * file (raw text and parsed sections), the users in the passdb (pdbedit -L),
 * whether the system user exists, whether smbd runs (smbcontrol ping), and for
 * status the effective configuration as `testparm -s` prints it.
 *
 * The smb.conf text itself is read and edited by formats/smbconf.h; the
 * program output parsers here are pure (unit-tested); samba_discover(),
 * samba_testparm() and samba_testparm_shares() are the only parts that run
 * programs.
 */
#ifndef PH_SAMBA_STATE_H
#define PH_SAMBA_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/samba_config.h"
#include "formats/smbconf.h"
#include "util/diag.h"
#include "util/strbuf.h"

/* Names in pdbedit -L output ("user:uid:full name" per line), into users. */
void pdbedit_parse_users(const char *text, struct strvec *users);

/* PID in smbcontrol ping output ("PONG from pid 1234"), or 0. */
long smbcontrol_parse_pong(const char *text);

struct samba_state {
	char *smb_conf;            /* real path (with --root) */
	char *shares_file;         /* real path (with --root) */
	bool smb_conf_found;
	bool smb_conf_is_link;
	int smb_conf_errno;        /* why it could not be read (0 when found) */
	char *smb_conf_text;
	size_t smb_conf_len;
	mode_t smb_conf_mode;
	struct smb_doc conf_doc;   /* smb.conf's own sections (not following includes) */
	bool shares_found;
	char *shares_text;
	size_t shares_len;
	struct smb_doc shares_doc;
	bool include_present;
	bool passdb_read;          /* pdbedit -L ran */
	char *passdb_error;
	struct strvec passdb_users;
	bool user_exists;          /* samba.user is a system user (getpwnam) */
	struct strvec unknown_valid_users;  /* valid_users entries with no system user/group */
	int password_file_errno;   /* 0 when the password file can be read */
	mode_t password_file_mode;
	bool smbd_running;
	long smbd_pid;
};

/*
 * Reads the current state for cfg. root is --root ("" for none). Returns 0,
 * or -1 with an error in dl when a program that must work failed.
 * st must be freed with samba_state_free (accepts NULL).
 */
int samba_discover(const struct samba_config *cfg, const char *root, struct samba_state *st,
		   struct diag_list *dl);
void samba_state_free(struct samba_state *st);

bool samba_state_has_user(const struct samba_state *st, const char *user);

/*
 * Runs `testparm -s CONF`. Returns 0 when the configuration loads without
 * error or unknown parameter; *out gets stdout (the effective config), *err
 * testparm's complaint (both caller frees, never NULL).
 */
int samba_testparm(const char *conf, char **out, char **err);

/*
 * testparm's view of shares file text content: content is written with a
 * smb.conf that includes it into a private temporary directory (removed
 * again), and `testparm -s` reads them; doc gets the effective sections.
 * Returns samba_testparm's verdict, or -1 with *err when the temporary files
 * cannot be written. *err (caller frees) may be NULL on success.
 */
int samba_testparm_shares(const char *content, struct smb_doc *doc, char **err);

#endif
