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
#include "util/str.h"
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
			qsort(names.v, names.n, sizeof(char *), str_cmp_ptr);
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

/*
 * The NFS state for cfg (see nfs_state.h): for the kernel the export table
 * (exportfs -v; a failure is kept in table_error, not an error here), the
 * drop-in and the other exports files; for ganesha its config, the include
 * file and the server's pid; for both each export root's owner and mode.
 * Returns 0, or -1 with an error in dl when a file exists but cannot be read.
 * st is overwritten and owned by the caller (nfs_state_free).
 */
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
