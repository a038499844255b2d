/*
 * samba_apply: the Samba actions' callbacks. Each re-reads what it changes,
 * so running it when nothing is left to do changes nothing. Files are checked
 * with testparm before they are put in place and written atomically.
 */
#ifndef PH_SAMBA_APPLY_H
#define PH_SAMBA_APPLY_H
#include <sys/types.h>

#include "apply/apply.h"
#include "plan/plan.h"

/* What a Samba action needs; every path is the real one (with --root). Owned by the action. */
struct samba_action_data {
	char *smb_conf;
	char *shares_file;
	char *content;        /* the whole desired shares file */
	char *user;
	char *password_file;
};

struct samba_action_data *samba_action_data_new(const char *smb_conf, const char *shares_file,
						const char *content, const char *user,
						const char *password_file);
/* free_data for actions (accepts NULL). */
void samba_action_data_free(void *data);

/*
 * Writes the shares file when it differs from data->content, after testparm
 * accepted the candidate included from a temporary smb.conf (unknown
 * parameters count as errors). Returns 0 or -1 with an error in dl.
 */
int samba_apply_shares(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

/*
 * Appends "include = SHARES_FILE" to smb.conf unless it is there, keeping
 * every other byte; the candidate is checked with testparm first and the
 * file's mode is kept. Refuses a symlinked smb.conf. Returns 0 or -1.
 */
int samba_apply_include(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

/*
 * Adds data->user to the Samba passdb unless pdbedit lists it, with the
 * password from the first line of data->password_file fed on stdin to
 * `smbpasswd -s -a` (never in argv). Returns 0 or -1.
 */
int samba_apply_user(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

/* The password from a password file's text: first line, without CR/LF. NULL when empty. */
char *samba_password_from_file(const char *text, size_t len);

#endif
