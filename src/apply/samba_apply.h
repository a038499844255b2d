/*
 * samba_apply: the executors of the Samba actions (payload: struct
 * samba_action_data, plan/samba_plan.h). Each re-reads what it changes,
 * so running it when nothing is left to do changes nothing. Files are checked
 * with testparm before they are put in place and written atomically.
 */
#ifndef PH_SAMBA_APPLY_H
#define PH_SAMBA_APPLY_H
#include "apply/apply.h"
#include "plan/samba_plan.h"

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
