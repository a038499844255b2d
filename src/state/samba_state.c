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

#include "config/grammar.h"
#include "exec/exec.h"
#include "util/fs.h"

/* Lower-case, runs of white space collapsed to one space, trimmed. */
static char *norm_key(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isspace(c)) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sb_addc(&sb, ' ');
		space = false;
		sb_addc(&sb, (char)tolower(c));
	}
	return sb_detach(&sb);
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Key without case, spaces, '_' or '-': how Samba compares parameter names. */
static bool key_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '_' || *a == '-' || *a == '\t')
			a++;
		while (*b == ' ' || *b == '_' || *b == '-' || *b == '\t')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}

/* A section by name; a name seen before continues that section (as Samba does). */
static struct smb_section *add_section(struct smb_doc *doc, const char *name)
{
	for (size_t i = 0; i < doc->n; i++)
		if (!strcasecmp(doc->v[i].name, name))
			return &doc->v[i];
	doc->v = xrealloc(doc->v, (doc->n + 1) * sizeof(*doc->v));
	struct smb_section *s = &doc->v[doc->n++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	return s;
}

static void parse_line(struct smb_doc *doc, struct smb_section **cur, const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#' || *line == ';')
		return;
	if (*line == '[') {
		const char *end = strchr(line, ']');
		if (!end)
			return;
		char *name = trim_dup(line + 1, (size_t)(end - line - 1));
		*cur = add_section(doc, name);
		free(name);
		return;
	}
	const char *eq = strchr(line, '=');
	if (!eq)
		return;
	if (!*cur)
		*cur = add_section(doc, "global");
	struct smb_section *s = *cur;
	s->params = xrealloc(s->params, (s->n_params + 1) * sizeof(*s->params));
	s->params[s->n_params].key = norm_key(line, (size_t)(eq - line));
	s->params[s->n_params].value = trim_dup(eq + 1, strlen(eq + 1));
	s->n_params++;
}

void smbconf_parse(const char *text, struct smb_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
	struct smb_section *cur = NULL;
	struct strbuf logical = STRBUF_INIT;
	sb_init(&logical);
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t m = n;
		if (m && p[m - 1] == '\r')
			m--;
		if (m && p[m - 1] == '\\') {
			sb_add(&logical, p, m - 1);
		} else {
			sb_add(&logical, p, m);
			parse_line(doc, &cur, logical.buf);
			sb_reset(&logical);
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	if (logical.len)
		parse_line(doc, &cur, logical.buf);
	sb_release(&logical);
}

void smbconf_doc_free(struct smb_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n; i++) {
		struct smb_section *s = &doc->v[i];
		for (size_t j = 0; j < s->n_params; j++) {
			free(s->params[j].key);
			free(s->params[j].value);
		}
		free(s->params);
		free(s->name);
	}
	free(doc->v);
	memset(doc, 0, sizeof(*doc));
}

const struct smb_section *smbconf_section(const struct smb_doc *doc, const char *name)
{
	for (size_t i = 0; i < doc->n; i++)
		if (!strcasecmp(doc->v[i].name, name))
			return &doc->v[i];
	return NULL;
}

const char *smb_section_get(const struct smb_section *sec, const char *key)
{
	const char *v = NULL;
	for (size_t i = 0; i < sec->n_params; i++)
		if (key_eq(sec->params[i].key, key))
			v = sec->params[i].value;  /* the last one wins, as in Samba */
	return v;
}

size_t smbconf_count_include(const char *text, const char *path)
{
	size_t count = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		char *eq = strchr(line, '=');
		const char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (eq && *s != '#' && *s != ';') {
			*eq = '\0';
			char *value = trim_dup(eq + 1, strlen(eq + 1));
			if (key_eq(s, "include") && !strcmp(value, path))
				count++;
			free(value);
		}
		free(line);
		p += n;
		if (*p == '\n')
			p++;
	}
	return count;
}

int smbconf_with_include(const char *text, size_t len, const char *path, char **out, size_t *out_len)
{
	*out = NULL;
	size_t pl = strlen(path);
	if (!pl || !gram_line_ok(path) || path[pl - 1] == '\\')
		return -EINVAL;
	if (smbconf_count_include(text, path))
		return 0;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_add(&sb, text, len);
	if (len && text[len - 1] != '\n')
		sb_addc(&sb, '\n');
	/* A last line ending in '\' (before a '\r', as smbconf_parse reads it) would swallow ours: end it. */
	size_t e = sb.len ? sb.len - 1 : 0;
	if (e && sb.buf[e - 1] == '\r')
		e--;
	if (e && sb.buf[e - 1] == '\\')
		sb_addc(&sb, '\n');
	sb_addf(&sb, "include = %s\n", path);
	if (out_len)
		*out_len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

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

static char *first_line(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return xstrndup(s, strcspn(s, "\n"));
}

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
