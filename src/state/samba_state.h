/*
 * samba_state: what Samba looks like now: smb.conf and the managed shares
 * file (raw text and parsed sections), the users in the passdb (pdbedit -L),
 * whether the system user exists, whether smbd runs (smbcontrol ping), and for
 * status the effective configuration as `testparm -s` prints it.
 *
 * The smb.conf text functions are pure (unit-tested); samba_discover() and
 * samba_testparm() are the only parts that run programs.
 */
#ifndef PH_SAMBA_STATE_H
#define PH_SAMBA_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/samba_config.h"
#include "util/diag.h"
#include "util/strbuf.h"

/* One "key = value" line. key is lower-case with single spaces; value trimmed. */
struct smb_param {
	char *key;
	char *value;
};

struct smb_section {
	char *name;              /* as written between the brackets, trimmed */
	struct smb_param *params;
	size_t n_params;
};

/* A parsed smb.conf-style text. Owns everything; free with smbconf_doc_free. */
struct smb_doc {
	struct smb_section *v;
	size_t n;
};

/*
 * Parses smb.conf text: [sections], "key = value" lines, comments (# ;),
 * continuation lines ending in '\'. Parameters before the first section go to
 * a section named "global"; a section name seen again continues the earlier
 * section, as Samba does. Never fails; unparsable lines are skipped.
 */
void smbconf_parse(const char *text, struct smb_doc *doc);
void smbconf_doc_free(struct smb_doc *doc);
/* Section by name (case-insensitive), or NULL. */
const struct smb_section *smbconf_section(const struct smb_doc *doc, const char *name);
/* Value of key in a section (key compared without case and spaces), or NULL. */
const char *smb_section_get(const struct smb_section *sec, const char *key);

/* Number of lines "include = path" (any case and spacing; comments do not count). */
size_t smbconf_count_include(const char *text, const char *path);

/*
 * *out gets a new text (caller frees) that is text with the line
 * "include = path" appended at the end, or NULL when text already has such a
 * line. Every existing byte is kept: a newline is added first only when the
 * text does not end with one (or ends in a continuation backslash).
 * Returns 0, or -EINVAL (*out NULL) when path would not stay on that line
 * (a control character, or a final '\' that joins the next line).
 */
int smbconf_with_include(const char *text, size_t len, const char *path, char **out, size_t *out_len);

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

#endif
