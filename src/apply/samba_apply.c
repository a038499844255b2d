#include "apply/samba_apply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "state/samba_state.h"
#include "util/fs.h"
#include "util/strbuf.h"

/* A private temporary directory (caller removes it with tmpdir_remove). */
static char *tmpdir_make(void)
{
	const char *base = getenv("TMPDIR");
	char *t = xasprintf("%s/phoenix-samba.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t)) {
		free(t);
		return NULL;
	}
	return t;
}

static void tmpdir_remove(char *dir, const char *const names[])
{
	if (!dir)
		return;
	for (size_t i = 0; names[i]; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(dir);
}

int samba_apply_shares(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	(void)ax;
	const struct samba_action_data *d = a->data;
	char *cur = NULL;
	size_t cur_len = 0;
	if (!read_file(d->shares_file, &cur, &cur_len) && !strcmp(cur, d->content)) {
		free(cur);
		return 0; /* an earlier action of this plan already wrote it */
	}
	free(cur);
	static const char *const names[] = { "phoenix-shares.conf", "smb.conf", NULL };
	char *dir = tmpdir_make();
	if (!dir) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "check that TMPDIR (or /tmp) is writable",
			 "%s failed: cannot create a temporary directory: %s", a->summary, strerror(errno));
		return -1;
	}
	char *cand = xasprintf("%s/phoenix-shares.conf", dir);
	char *conf = xasprintf("%s/smb.conf", dir);
	char *conf_text = xasprintf("[global]\n\tinclude = %s\n", cand);
	int rc = write_file_atomic(cand, d->content, strlen(d->content), 0600);
	if (!rc)
		rc = write_file_atomic(conf, conf_text, strlen(conf_text), 0600);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
			 "%s failed: cannot write the candidate file in '%s': %s", a->summary, dir,
			 strerror(-rc));
		rc = -1;
	} else {
		char *out = NULL, *err = NULL;
		if (samba_testparm(conf, &out, &err)) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
				 "nothing was written; fix the share options in the config",
				 "%s failed: testparm rejected the new shares file: %s", a->summary, err);
			rc = -1;
		}
		free(out);
		free(err);
	}
	if (!rc) {
		rc = write_file_atomic(d->shares_file, d->content, strlen(d->content), 0644);
		if (rc) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot write '%s': %s",
				 a->summary, d->shares_file, strerror(-rc));
			rc = -1;
		}
	}
	tmpdir_remove(dir, names);
	free(cand);
	free(conf);
	free(conf_text);
	return rc;
}

/*
 * Executor of AX_SAMBA_INCLUDE: appends "include = SHARES_FILE" to smb.conf
 * unless it is there, every other byte kept, after testparm accepted the
 * candidate in a private temporary directory; mode and owner are kept, a
 * symlinked smb.conf is refused. Returns 0, or -1 with an error in dl
 * (smb.conf then unchanged).
 */
int samba_apply_include(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	(void)ax;
	const struct samba_action_data *d = a->data;
	struct stat sb;
	if (lstat(d->smb_conf, &sb)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot read '%s': %s",
			 a->summary, d->smb_conf, strerror(errno));
		return -1;
	}
	if (S_ISLNK(sb.st_mode)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "set samba.smb_conf to the file the link points to",
			 "%s failed: '%s' is a symbolic link; refusing to replace it", a->summary, d->smb_conf);
		return -1;
	}
	char *text = NULL;
	size_t len = 0;
	int rc = read_file(d->smb_conf, &text, &len);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot read '%s': %s",
			 a->summary, d->smb_conf, strerror(-rc));
		return -1;
	}
	size_t new_len = 0;
	char *updated = NULL;
	rc = smbconf_with_include(text, len, d->shares_file, &updated, &new_len);
	free(text);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "fix samba.smb_conf in the config",
			 "%s failed: refusing to write an include line for a path that is not one line of printable text",
			 a->summary);
		return -1;
	}
	if (!updated)
		return 0;
	static const char *const names[] = { "smb.conf", NULL };
	char *dir = tmpdir_make();
	if (!dir) {
		free(updated);
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
			 "%s failed: cannot create a temporary directory: %s", a->summary, strerror(errno));
		return -1;
	}
	char *cand = xasprintf("%s/smb.conf", dir);
	rc = write_file_atomic(cand, updated, new_len, 0600);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot write '%s': %s",
			 a->summary, cand, strerror(-rc));
		rc = -1;
	} else {
		char *out = NULL, *err = NULL;
		/* Hand-written parts may carry unknown parameters: only hard errors block. */
		if (samba_testparm(cand, &out, &err) && strstr(err, "Error loading services")) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
				 "smb.conf was left as it was; check it with 'testparm -s'",
				 "%s failed: testparm rejected smb.conf with the include line: %s", a->summary,
				 err);
			rc = -1;
		}
		free(out);
		free(err);
	}
	if (!rc) {
		rc = write_file_atomic(d->smb_conf, updated, new_len, sb.st_mode & 07777);
		if (rc) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot write '%s': %s",
				 a->summary, d->smb_conf, strerror(-rc));
			rc = -1;
		} else if (chown(d->smb_conf, sb.st_uid, sb.st_gid)) {
			/* Not fatal: the content is in place; the owner is root on a normal host. */
			diag_add(dl, DIAG_WARNING, NULL, 0, 0, NULL, NULL, "cannot restore the owner of '%s': %s",
				 d->smb_conf, strerror(errno));
		}
	}
	tmpdir_remove(dir, names);
	free(cand);
	free(updated);
	return rc;
}

char *samba_password_from_file(const char *text, size_t len)
{
	size_t n = 0;
	while (n < len && text[n] != '\n' && text[n] != '\r')
		n++;
	if (!n)
		return NULL;
	return xstrndup(text, n);
}

static void wipe_free(char *s, size_t n)
{
	if (!s)
		return;
	explicit_bzero(s, n);
	free(s);
}

/*
 * Executor of AX_SAMBA_USER: adds data->user to the passdb unless pdbedit
 * lists it already, the password (from data->password_file, or the one
 * --samba-password-stdin carried in ax) fed twice on smbpasswd's stdin and
 * wiped from memory after. Returns 0, or -1 with an error naming the action in
 * dl (no password, unreadable or empty file, smbpasswd failed).
 */
int samba_apply_user(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	const struct samba_action_data *d = a->data;
	struct exec_opts o = { .timeout_ms = 30000 };
	struct exec_result r;
	const char *list[] = { "pdbedit", "-s", d->smb_conf, "-L", NULL };
	if (!exec_run(list, &o, &r)) {
		struct strvec users = { 0 };
		pdbedit_parse_users(r.out, &users);
		bool there = false;
		for (size_t i = 0; i < users.n; i++)
			there = there || !strcmp(users.v[i], d->user);
		sv_free(&users);
		if (there) {
			exec_result_free(&r);
			return 0;
		}
	}
	exec_result_free(&r);
	char *text = NULL;
	size_t len = 0;
	int rc;
	if (!d->password_file) {
		/* --samba-password-stdin: the command read it before anything ran. */
		const char *given = ax->samba_password;
		if (!given) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "pipe the password into apply --samba-password-stdin",
				 "%s failed: no password was given on stdin", a->summary);
			return -1;
		}
		text = xstrdup(given);
		len = strlen(text);
		rc = 0;
	} else {
		rc = read_file(d->password_file, &text, &len);
	}
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
			 "write the password on the first line of that file (chmod 600)",
			 "%s failed: cannot read password file '%s': %s", a->summary, d->password_file,
			 strerror(-rc));
		return -1;
	}
	char *pw = samba_password_from_file(text, len);
	wipe_free(text, len);
	if (!pw) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
			 "write the password on the first line of that file (chmod 600)",
			 "%s failed: password file '%s' is empty", a->summary, d->password_file);
		return -1;
	}
	/* smbpasswd -s reads the new password twice from stdin. */
	size_t pl = strlen(pw);
	size_t in_len = 2 * pl + 2;
	char *in = xmalloc(in_len + 1);
	memcpy(in, pw, pl);
	in[pl] = '\n';
	memcpy(in + pl + 1, pw, pl);
	in[2 * pl + 1] = '\n';
	in[in_len] = '\0';
	wipe_free(pw, pl);
	const char *add[] = { "smbpasswd", "-c", d->smb_conf, "-s", "-a", d->user, NULL };
	o.stdin_data = in;
	o.stdin_len = in_len;
	rc = exec_run(add, &o, &r);
	wipe_free(in, in_len);
	if (rc) {
		apply_exec_failed(dl, a->summary, add, &r, NULL);
		exec_result_free(&r);
		return -1;
	}
	exec_result_free(&r);
	return 0;
}
