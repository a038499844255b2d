#include "state/samba_state.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/str.h"
#include "exec/exec.h"
#include "util/fs.h"

void pdbedit_parse_users(const char *text, struct strvec *users)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = memchr(p, ':', n);
		if (colon && colon > p)
			sv_pushf(users, "%.*s", (int)(colon - p), p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

long smbcontrol_parse_pong(const char *text)
{
	const char *s = strstr(text, "PONG from pid ");
	if (!s)
		return 0;
	s += strlen("PONG from pid ");
	/* Newer versions print "PONG from pid 0:1234". */
	const char *colon = strchr(s, ':');
	const char *nl = strchr(s, '\n');
	if (colon && (!nl || colon < nl))
		s = colon + 1;
	long pid = strtol(s, NULL, 10);
	return pid > 0 ? pid : 0;
}

static const int prog_timeout_ms = 30000;

/* Lines of testparm's stderr that say nothing about the files. */
static bool noise(const char *line)
{
	static const char *const prefixes[] = { "Load smb config files from", "Loaded services file OK",
						"Weak crypto is allowed", "Server role:", NULL };
	for (size_t i = 0; prefixes[i]; i++)
		if (!strncmp(line, prefixes[i], strlen(prefixes[i])))
			return true;
	return !*line;
}

int samba_testparm(const char *conf, char **out, char **err)
{
	const char *argv[] = { "testparm", "-s", conf, NULL };
	struct exec_opts o = { .timeout_ms = prog_timeout_ms };
	struct exec_result r;
	int rc = exec_run(argv, &o, &r);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	char *copy = xstrdup(r.err), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (isspace((unsigned char)*line))
			line++;
		if (noise(line))
			continue;
		sb_addf(&sb, "%s%s", sb.len ? "; " : "", line);
	}
	free(copy);
	bool unknown = strstr(r.err, "Unknown parameter encountered") != NULL;
	if (rc && r.status == -1) {
		sb_reset(&sb);
		sb_adds(&sb, "testparm could not be run (install samba-common-bin)");
	} else if (rc && !sb.len) {
		char *why = exec_describe_status(&r);
		sb_addf(&sb, "testparm %s", why);
		free(why);
	}
	*out = xstrdup(r.out);
	*err = sb_detach(&sb);
	exec_result_free(&r);
	return rc || unknown ? -1 : 0;
}

int samba_testparm_shares(const char *content, struct smb_doc *doc, char **err)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/phoenix-samba.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		*err = xasprintf("cannot create a temporary directory: %s", strerror(errno));
		free(dir);
		return -1;
	}
	char *cand = xasprintf("%s/phoenix-shares.conf", dir);
	char *conf = xasprintf("%s/smb.conf", dir);
	char *conf_text = xasprintf("[global]\n\tinclude = %s\n", cand);
	int rc = -1;
	char *out = NULL;
	*err = NULL;
	if (!write_file_atomic(cand, content, strlen(content), 0600) &&
	    !write_file_atomic(conf, conf_text, strlen(conf_text), 0600)) {
		rc = samba_testparm(conf, &out, err);
		smbconf_parse(out, doc);
	} else {
		*err = xstrdup("cannot write temporary files");
	}
	free(out);
	unlink(cand);
	unlink(conf);
	rmdir(dir);
	free(cand);
	free(conf);
	free(conf_text);
	free(dir);
	return rc;
}

static char *first_line(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return xstrndup(s, strcspn(s, "\n"));
}

/*
 * The Samba state for cfg under root (see samba_state.h): smb.conf and the
 * shares file (read and parsed), the system user and the valid users, the
 * password file's mode, then the passdb (pdbedit -L, a failure kept in
 * passdb_error) and whether smbd answers a ping. Returns 0, or -1 with an
 * error in dl when the shares file exists but cannot be read. st is owned by
 * the caller (samba_state_free).
 */
int samba_discover(const struct samba_config *cfg, const char *root, struct samba_state *st,
		   struct diag_list *dl)
{
	memset(st, 0, sizeof(*st));
	st->smb_conf = root_path(root, cfg->smb_conf);
	st->shares_file = root_path(root, cfg->shares_file);
	int rc = 0;
	struct stat sb;
	if (!lstat(st->smb_conf, &sb) && S_ISLNK(sb.st_mode))
		st->smb_conf_is_link = true;
	int e = read_file(st->smb_conf, &st->smb_conf_text, &st->smb_conf_len);
	if (e) {
		st->smb_conf_errno = -e;
	} else {
		st->smb_conf_found = true;
		if (!stat(st->smb_conf, &sb))
			st->smb_conf_mode = sb.st_mode & 07777;
		smbconf_parse(st->smb_conf_text, &st->conf_doc);
		st->include_present = smbconf_count_include(st->smb_conf_text, st->shares_file) > 0;
	}
	e = read_file(st->shares_file, &st->shares_text, &st->shares_len);
	if (!e) {
		st->shares_found = true;
		smbconf_parse(st->shares_text, &st->shares_doc);
	} else if (e != -ENOENT) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "cannot read '%s': %s", st->shares_file,
			 strerror(-e));
		rc = -1;
	}
	if (cfg->user) {
		errno = 0;
		st->user_exists = getpwnam(cfg->user) != NULL;
	}
	for (size_t i = 0; i < cfg->n_shares; i++)
		for (size_t j = 0; j < cfg->shares[i].n_valid_users; j++) {
			const char *u = cfg->shares[i].valid_users[j];
			bool group = false;
			while (*u == '@' || *u == '+' || *u == '&') {
				u++;
				group = true;
			}
			bool known = group ? getgrnam(u) != NULL : getpwnam(u) != NULL;
			bool seen = false;
			for (size_t k = 0; k < st->unknown_valid_users.n; k++)
				seen = seen || !strcmp(st->unknown_valid_users.v[k], cfg->shares[i].valid_users[j]);
			if (!known && !seen)
				sv_push(&st->unknown_valid_users, cfg->shares[i].valid_users[j]);
		}
	if (cfg->password_file) {
		char *pf = root_path(root, cfg->password_file);
		if (stat(pf, &sb))
			st->password_file_errno = errno;
		else if (!S_ISREG(sb.st_mode))
			st->password_file_errno = EISDIR;
		else if (access(pf, R_OK))
			st->password_file_errno = errno;
		else
			st->password_file_mode = sb.st_mode & 07777;
		free(pf);
	}
	if (!st->smb_conf_found)
		return rc;
	struct exec_opts o = { .timeout_ms = prog_timeout_ms };
	struct exec_result r;
	if (cfg->user) {
		const char *argv[] = { "pdbedit", "-s", st->smb_conf, "-L", NULL };
		if (exec_run(argv, &o, &r)) {
			char *why = r.status == -1 ? xstrdup("could not be run (install samba)")
						   : exec_describe_status(&r);
			char *line = first_line(r.err);
			st->passdb_error = xasprintf("'pdbedit -L' %s%s%s", why, *line ? ": " : "", line);
			free(why);
			free(line);
		} else {
			st->passdb_read = true;
			pdbedit_parse_users(r.out, &st->passdb_users);
		}
		exec_result_free(&r);
	}
	const char *ping[] = { "smbcontrol", "-s", st->smb_conf, "-t", "5", "smbd", "ping", NULL };
	o.timeout_ms = 15000;
	if (!exec_run(ping, &o, &r)) {
		st->smbd_pid = smbcontrol_parse_pong(r.out);
		st->smbd_running = true;
	}
	exec_result_free(&r);
	return rc;
}

bool samba_state_has_user(const struct samba_state *st, const char *user)
{
	for (size_t i = 0; i < st->passdb_users.n; i++)
		if (!strcmp(st->passdb_users.v[i], user))
			return true;
	return false;
}

void samba_state_free(struct samba_state *st)
{
	if (!st)
		return;
	free(st->smb_conf);
	free(st->shares_file);
	free(st->smb_conf_text);
	smbconf_doc_free(&st->conf_doc);
	free(st->shares_text);
	smbconf_doc_free(&st->shares_doc);
	free(st->passdb_error);
	sv_free(&st->passdb_users);
	sv_free(&st->unknown_valid_users);
	memset(st, 0, sizeof(*st));
}
