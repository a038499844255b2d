#include "state/nfs_state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec/exec.h"
#include "util/fs.h"
#include "util/strbuf.h"

const char *nfs_exportfs_prog(void)
{
	return exec_program("exportfs");
}

/* ---- exportfs -v ------------------------------------------------------------ */

static void table_add(struct nfs_table *t, const char *path, const char *item)
{
	while (*item == ' ' || *item == '\t')
		item++;
	size_t n = strlen(item);
	while (n && isspace((unsigned char)item[n - 1]))
		n--;
	if (!n)
		return;
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	struct nfs_table_entry *e = &t->v[t->n++];
	const char *lp = memchr(item, '(', n);
	size_t cl = lp ? (size_t)(lp - item) : n;
	char *client = xstrndup(item, cl);
	if (!strcmp(client, "<world>")) {
		free(client);
		client = xstrdup("*");
	}
	e->client = client;
	e->path = xstrdup(path);
	if (lp) {
		const char *end = item + n;
		if (end > lp && end[-1] == ')')
			end--;
		e->opts = xstrndup(lp + 1, (size_t)(end - lp - 1));
	} else {
		e->opts = xstrdup("");
	}
}

int nfs_parse_exportfs(const char *text, struct nfs_table *t)
{
	memset(t, 0, sizeof(*t));
	char *pending = NULL;
	const char *p = text ? text : "";
	while (*p) {
		size_t n = strcspn(p, "\n");
		char *line = xstrndup(p, n);
		p += n;
		if (*p == '\n')
			p++;
		if (line[0] == '\t' || line[0] == ' ') {
			/* continuation of a long path: "\t\tCLIENT(opts)" */
			if (pending)
				table_add(t, pending, line);
		} else if (line[0]) {
			char *tab = strchr(line, '\t');
			size_t pl = tab ? (size_t)(tab - line) : strlen(line);
			while (pl && line[pl - 1] == ' ')
				pl--;
			free(pending);
			pending = xstrndup(line, pl);
			if (tab)
				table_add(t, pending, tab + 1);
		}
		free(line);
	}
	free(pending);
	return 0;
}

void nfs_table_free(struct nfs_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].client);
		free(t->v[i].opts);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- exports(5) files ------------------------------------------------------ */

/*
 * Next token of an exports line: handles "quotes" and \ooo octal escapes.
 * With parens, white space inside "(...)" does not end it (a client's
 * options); a path is one word, '(' included, as exportfs reads it.
 */
static char *next_token(const char **pp, bool parens)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*pp = p;
		return NULL;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	bool quoted = false;
	int paren = 0;
	while (*p) {
		if (!quoted && !paren && (*p == ' ' || *p == '\t'))
			break;
		if (*p == '"') {
			quoted = !quoted;
			p++;
			continue;
		}
		if (!quoted && parens && *p == '(')
			paren++;
		if (!quoted && *p == ')' && paren)
			paren--;
		if (*p == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			sb_addc(&sb, (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0')));
			p += 4;
			continue;
		}
		sb_addc(&sb, *p++);
	}
	*pp = p;
	return sb_detach(&sb);
}

static void parse_export_line(const char *line, const char *file, int lineno, struct nfs_file *f)
{
	const char *p = line;
	char *path = next_token(&p, false);
	if (!path)
		return;
	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	struct nfs_file_export *e = &f->v[f->n++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->file = xstrdup(file ? file : "");
	e->line = lineno;
	char *defaults = xstrdup("");
	char *tok;
	while ((tok = next_token(&p, true))) {
		if (tok[0] == '-') {
			free(defaults);
			defaults = xstrdup(tok + 1);
		} else {
			char *lp = strchr(tok, '(');
			if (lp) {
				char *client = xstrndup(tok, (size_t)(lp - tok));
				size_t ol = strlen(lp + 1);
				if (ol && lp[ol] == ')')
					ol--;
				char *opts = xstrndup(lp + 1, ol);
				sv_push(&e->clients, *client ? client : "*");
				sv_push(&e->opts, opts);
				free(client);
				free(opts);
			} else {
				sv_push(&e->clients, tok);
				sv_push(&e->opts, defaults);
			}
		}
		free(tok);
	}
	free(defaults);
}

int nfs_parse_exports_file(const char *text, const char *file, struct nfs_file *f)
{
	const char *p = text ? text : "";
	int lineno = 0;
	struct strbuf logical = STRBUF_INIT;
	sb_init(&logical);
	int start = 1;
	while (*p) {
		size_t n = strcspn(p, "\n");
		lineno++;
		/* strip the comment (a '#' outside quotes) */
		bool quoted = false;
		size_t cut = n;
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '"')
				quoted = !quoted;
			else if (p[i] == '#' && !quoted) {
				cut = i;
				break;
			}
		}
		if (!logical.len)
			start = lineno;
		bool cont = cut == n && n && p[n - 1] == '\\';
		sb_add(&logical, p, cont ? n - 1 : cut);
		if (cont)
			sb_addc(&logical, ' ');
		p += n;
		if (*p == '\n')
			p++;
		if (!cont) {
			parse_export_line(logical.buf, file, start, f);
			sb_reset(&logical);
		}
	}
	if (logical.len)
		parse_export_line(logical.buf, file, start, f);
	sb_release(&logical);
	return 0;
}

void nfs_file_free(struct nfs_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].file);
		sv_free(&f->v[i].clients);
		sv_free(&f->v[i].opts);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* ---- ganesha configs --------------------------------------------------------- */

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Skips a comment or a quoted string at *i; returns true if it did. */
static bool skip_noise(const char *s, size_t *i)
{
	if (s[*i] == '#') {
		while (s[*i] && s[*i] != '\n')
			(*i)++;
		return true;
	}
	if (s[*i] == '"') {
		(*i)++;
		while (s[*i] && s[*i] != '"') {
			if (s[*i] == '\\' && s[*i + 1])
				(*i)++;
			(*i)++;
		}
		if (s[*i])
			(*i)++;
		return true;
	}
	return false;
}

/* A "key = value;" at depth 1 of block text; value unquoted. NULL when absent. */
static char *block_value(const char *blk, const char *key)
{
	size_t i = 0, kl = strlen(key);
	int depth = 0;
	while (blk[i]) {
		if (skip_noise(blk, &i))
			continue;
		char c = blk[i];
		if (c == '{') {
			depth++;
			i++;
			continue;
		}
		if (c == '}') {
			depth--;
			i++;
			continue;
		}
		if (depth == 1 && !strncasecmp(blk + i, key, kl) && (i == 0 || !ident_char(blk[i - 1])) &&
		    !ident_char(blk[i + kl])) {
			size_t j = i + kl;
			while (blk[j] == ' ' || blk[j] == '\t')
				j++;
			if (blk[j] == '=') {
				j++;
				while (blk[j] == ' ' || blk[j] == '\t')
					j++;
				struct strbuf sb = STRBUF_INIT;
				sb_init(&sb);
				if (blk[j] == '"') {
					j++;
					while (blk[j] && blk[j] != '"')
						sb_addc(&sb, blk[j++]);
				} else {
					while (blk[j] && blk[j] != ';' && blk[j] != '\n' && blk[j] != '}')
						sb_addc(&sb, blk[j++]);
					while (sb.len && isspace((unsigned char)sb.buf[sb.len - 1]))
						sb.buf[--sb.len] = '\0';
				}
				return sb_detach(&sb);
			}
		}
		i++;
	}
	return NULL;
}

/* "# phoenix: clients=A,B options=rw,sync" inside a block we wrote. */
static void block_comment(const char *blk, char **clients, char **options)
{
	const char *c = strstr(blk, "# phoenix: clients=");
	*clients = *options = NULL;
	if (!c)
		return;
	c += strlen("# phoenix: clients=");
	size_t n = strcspn(c, " \n");
	*clients = xstrndup(c, n);
	const char *o = c + n;
	if (!strncmp(o, " options=", 9)) {
		o += 9;
		*options = xstrndup(o, strcspn(o, " \n"));
	} else {
		*options = xstrdup("");
	}
}

int ganesha_parse_exports(const char *text, struct ganesha_exports *g)
{
	memset(g, 0, sizeof(*g));
	const char *s = text ? text : "";
	size_t i = 0;
	while (s[i]) {
		if (skip_noise(s, &i))
			continue;
		if (!strncasecmp(s + i, "EXPORT", 6) && (i == 0 || !ident_char(s[i - 1])) &&
		    !ident_char(s[i + 6])) {
			size_t j = i + 6;
			while (isspace((unsigned char)s[j]))
				j++;
			if (s[j] != '{') {
				i = j;
				continue;
			}
			int depth = 0;
			size_t k = j;
			while (s[k]) {
				if (skip_noise(s, &k))
					continue;
				if (s[k] == '{')
					depth++;
				else if (s[k] == '}' && --depth == 0)
					break;
				k++;
			}
			size_t end = s[k] ? k + 1 : k;
			g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
			struct ganesha_export *e = &g->v[g->n++];
			e->text = xstrndup(s + i, end - i);
			e->path = block_value(e->text + 6, "Path");
			char *id = block_value(e->text + 6, "Export_Id");
			char *endp = NULL;
			e->id = id && *id ? strtol(id, &endp, 10) : -1;
			if (id && endp && *endp)
				e->id = -1;
			free(id);
			block_comment(e->text, &e->clients, &e->options);
			i = end;
			continue;
		}
		i++;
	}
	return 0;
}

void ganesha_exports_free(struct ganesha_exports *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].path);
		free(g->v[i].text);
		free(g->v[i].clients);
		free(g->v[i].options);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

const struct ganesha_export *ganesha_find(const struct ganesha_exports *g, const char *path)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].path && !strcmp(g->v[i].path, path))
			return &g->v[i];
	return NULL;
}

bool ganesha_conf_includes(const char *text, const char *path)
{
	const char *p = text ? text : "";
	size_t pl = strlen(path);
	while (*p) {
		size_t n = strcspn(p, "\n");
		const char *l = p;
		while (l < p + n && (*l == ' ' || *l == '\t'))
			l++;
		if (!strncmp(l, "%include", 8) && (l[8] == ' ' || l[8] == '\t')) {
			const char *a = l + 8;
			while (*a == ' ' || *a == '\t')
				a++;
			bool q = *a == '"';
			if (q)
				a++;
			if ((size_t)(p + n - a) >= pl && !strncmp(a, path, pl)) {
				const char *r = a + pl;
				if (q && *r == '"')
					r++;
				while (r < p + n && (*r == ' ' || *r == '\t' || *r == '\r'))
					r++;
				if (r == p + n || *r == '#')
					return true;
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/* ---- discovery ----------------------------------------------------------------- */

static int read_optional(const char *path, char **text, bool *exists)
{
	size_t len;
	int rc = read_file(path, text, &len);
	*exists = rc == 0;
	if (rc == -ENOENT) {
		*text = NULL;
		return 0;
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_foreign(const struct nfs_config *cfg, const char *root, struct nfs_state *st,
			 struct diag_list *dl)
{
	char *main_exports = root_path(root, "/etc/exports");
	char *text = NULL;
	bool exists;
	if (read_optional(main_exports, &text, &exists) == 0 && exists)
		nfs_parse_exports_file(text, "/etc/exports", &st->foreign);
	free(text);
	free(main_exports);
	char *dir = root_path(root, "/etc/exports.d");
	DIR *d = opendir(dir);
	if (d) {
		struct strvec names = { 0 };
		struct dirent *de;
		const char *ours = strrchr(cfg->dropin, '/') + 1;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			if (n > 8 && !strcmp(de->d_name + n - 8, ".exports") && strcmp(de->d_name, ours))
				sv_push(&names, de->d_name);
		}
		closedir(d);
		if (names.n)
			qsort(names.v, names.n, sizeof(char *), cmp_str);
		for (size_t i = 0; i < names.n; i++) {
			char *full = xasprintf("%s/%s", dir, names.v[i]);
			char *shown = xasprintf("/etc/exports.d/%s", names.v[i]);
			if (read_optional(full, &text, &exists) == 0 && exists)
				nfs_parse_exports_file(text, shown, &st->foreign);
			else if (!exists)
				diag_add(dl, DIAG_WARNING, NULL, 0, 0, NULL, NULL, "cannot read '%s'", full);
			free(text);
			text = NULL;
			free(full);
			free(shown);
		}
		sv_free(&names);
	}
	free(dir);
}

pid_t nfs_ganesha_pid(const char *pidfile)
{
	char *text = NULL;
	size_t len;
	if (read_file(pidfile, &text, &len))
		return 0;
	char *end;
	long pid = strtol(text, &end, 10);
	free(text);
	if (pid <= 1 || pid > 1 << 30)
		return 0;
	if (kill((pid_t)pid, 0) && errno != EPERM)
		return 0;
	char *commf = xasprintf("/proc/%ld/comm", pid);
	char *comm = NULL;
	int rc = read_file(commf, &comm, &len);
	free(commf);
	bool match = rc == 0 && !strncmp(comm, "ganesha.nfsd", 12);
	free(comm);
	return match ? (pid_t)pid : 0;
}

static bool resolve_user(const char *s, uid_t *out)
{
	char *end;
	if (isdigit((unsigned char)s[0])) {
		*out = (uid_t)strtoul(s, &end, 10);
		return !*end;
	}
	struct passwd *pw = getpwnam(s);
	if (!pw)
		return false;
	*out = pw->pw_uid;
	return true;
}

static bool resolve_group(const char *s, gid_t *out)
{
	char *end;
	if (isdigit((unsigned char)s[0])) {
		*out = (gid_t)strtoul(s, &end, 10);
		return !*end;
	}
	struct group *gr = getgrnam(s);
	if (!gr)
		return false;
	*out = gr->gr_gid;
	return true;
}

int nfs_state_discover(const struct nfs_config *cfg, const char *root, struct nfs_state *st,
		       struct diag_list *dl)
{
	memset(st, 0, sizeof(*st));
	int ret = 0;
	if (!cfg->present)
		return 0;
	if (cfg->server == NFS_SERVER_KERNEL) {
		const char *argv[] = { nfs_exportfs_prog(), "-v", NULL };
		struct exec_result r;
		st->invocations++;
		if (exec_run(argv, NULL, &r) == 0) {
			st->table_known = true;
			nfs_parse_exportfs(r.out, &st->table);
		} else {
			char *why = exec_describe_status(&r);
			st->table_error = xasprintf("'%s -v' %s%s%s", argv[0], why, *r.err ? ": " : "", r.err);
			size_t n = strlen(st->table_error);
			while (n && isspace((unsigned char)st->table_error[n - 1]))
				st->table_error[--n] = '\0';
			free(why);
		}
		exec_result_free(&r);
		char *dp = root_path(root, cfg->dropin);
		int rc = read_optional(dp, &st->dropin_text, &st->dropin_exists);
		if (rc) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "cannot read '%s': %s", dp, strerror(-rc));
			ret = -1;
		}
		if (st->dropin_exists) {
			st->dropin_ours = !strncmp(st->dropin_text, NFS_OWNED_MARK, strlen(NFS_OWNED_MARK));
			nfs_parse_exports_file(st->dropin_text, cfg->dropin, &st->dropin);
		}
		free(dp);
		read_foreign(cfg, root, st, dl);
	} else {
		char *cp = root_path(root, cfg->ganesha_conf);
		int rc = read_optional(cp, &st->conf_text, &st->conf_exists);
		if (rc) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "cannot read '%s': %s", cp, strerror(-rc));
			ret = -1;
		}
		if (st->conf_exists) {
			st->conf_includes = ganesha_conf_includes(st->conf_text, cfg->ganesha_include);
			ganesha_parse_exports(st->conf_text, &st->conf_blocks);
		}
		free(cp);
		char *ip = root_path(root, cfg->ganesha_include);
		rc = read_optional(ip, &st->include_text, &st->include_exists);
		if (rc) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "cannot read '%s': %s", ip, strerror(-rc));
			ret = -1;
		}
		if (st->include_exists) {
			st->include_ours = !strncmp(st->include_text, NFS_OWNED_MARK, strlen(NFS_OWNED_MARK));
			ganesha_parse_exports(st->include_text, &st->include_blocks);
		}
		free(ip);
		char *pp = root_path(root, cfg->ganesha_pid_file);
		st->ganesha_pid = nfs_ganesha_pid(pp);
		free(pp);
	}
	st->n_roots = cfg->n_exports;
	st->roots = xcalloc(cfg->n_exports ? cfg->n_exports : 1, sizeof(*st->roots));
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		struct nfs_root *r = &st->roots[i];
		struct stat sbuf;
		if (e->path && lstat(e->path, &sbuf) == 0) {
			r->exists = true;
			r->is_dir = S_ISDIR(sbuf.st_mode);
			r->uid = sbuf.st_uid;
			r->gid = sbuf.st_gid;
			r->mode = sbuf.st_mode & 07777;
		}
		r->want_uid_ok = !e->owner || resolve_user(e->owner, &r->want_uid);
		r->want_gid_ok = !e->group || resolve_group(e->group, &r->want_gid);
	}
	return ret;
}

void nfs_state_free(struct nfs_state *st)
{
	if (!st)
		return;
	free(st->table_error);
	nfs_table_free(&st->table);
	free(st->dropin_text);
	nfs_file_free(&st->dropin);
	nfs_file_free(&st->foreign);
	free(st->conf_text);
	ganesha_exports_free(&st->conf_blocks);
	free(st->include_text);
	ganesha_exports_free(&st->include_blocks);
	free(st->roots);
	memset(st, 0, sizeof(*st));
}
