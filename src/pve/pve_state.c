#include "pve/pve_state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "util/fs.h"

char *pve_guest_path(unsigned id, bool is_ct)
{
	return xasprintf("/etc/pve/%s/%u.conf", is_ct ? "lxc" : "qemu-server", id);
}

/* True when exec would find prog (its PHOENIX_ variable, or the trusted path). */
static bool have_program(const char *prog)
{
	char *f = exec_resolve(prog, NULL);
	bool ok = f && access(f, X_OK) == 0;
	free(f);
	return ok;
}

static bool pve_mounted(void)
{
	char *m = NULL;
	if (read_file("/proc/self/mounts", &m, NULL))
		return false;
	bool found = false;
	for (char *line = m; line && *line && !found;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *sp = strchr(line, ' ');
		if (sp) {
			char *mp = sp + 1;
			size_t n = strcspn(mp, " ");
			found = n == 8 && !strncmp(mp, "/etc/pve", 8);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(m);
	return found;
}

static int decide_mode(struct pve_state *st, const char *root, struct diag_list *dl)
{
	const char *env = getenv("PHOENIX_PVE_MODE");
	if (env && *env) {
		if (!strcmp(env, "cli")) {
			st->mode = PVE_MODE_CLI;
		} else if (!strcmp(env, "files")) {
			st->mode = PVE_MODE_FILES;
		} else {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "set it to \"cli\" or \"files\", or unset it",
				 "invalid PHOENIX_PVE_MODE '%s'", env);
			return -1;
		}
		st->mode_why = xasprintf("PHOENIX_PVE_MODE=%s", env);
		return 0;
	}
	if (root && *root) {
		st->mode = PVE_MODE_FILES;
		st->mode_why = xstrdup("--root given");
	} else if (have_program("pvesm") && have_program("pct") && have_program("qm") && pve_mounted()) {
		st->mode = PVE_MODE_CLI;
		st->mode_why = xstrdup("pvesm, pct and qm found, /etc/pve mounted");
	} else {
		st->mode = PVE_MODE_FILES;
		st->mode_why = xstrdup("not a Proxmox host (pvesm/pct/qm or the /etc/pve mount missing)");
	}
	return 0;
}

int pve_owned_parse(const char *text, struct strvec *ids)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	json_t *a = json_object_get(j, "storages");
	if (!j || !json_is_array(a)) {
		json_decref(j);
		return -1;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			sv_push(ids, json_string_value(v));
	json_decref(j);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *pve_owned_format(const struct strvec *ids)
{
	char **v = xcalloc(ids->n + 1, sizeof(*v));
	for (size_t i = 0; i < ids->n; i++)
		v[i] = ids->v[i];
	if (ids->n)
		qsort(v, ids->n, sizeof(*v), cmp_str);
	json_t *a = json_array();
	for (size_t i = 0; i < ids->n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			json_array_append_new(a, json_string(v[i]));
	free(v);
	json_t *j = json_pack("{s:s, s:o}", "comment",
			      "Proxmox storages created by phoenix-storage; it never changes or removes others",
			      "storages", a);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	char *r = xasprintf("%s\n", s);
	free(s);
	return r;
}

static bool is_conf_name(const char *n, unsigned *id)
{
	size_t l = strlen(n);
	if (l < 6 || strcmp(n + l - 5, ".conf"))
		return false;
	for (size_t i = 0; i < l - 5; i++)
		if (!isdigit((unsigned char)n[i]))
			return false;
	*id = (unsigned)strtoul(n, NULL, 10);
	return true;
}

static int cmp_guest(const void *a, const void *b)
{
	const struct pve_guest *x = a, *y = b;
	if (x->is_ct != y->is_ct)
		return x->is_ct ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->local ? -1 : y->local;
}

static bool running(const char *root, unsigned id, bool is_ct)
{
	if (is_ct) {
		static const char *const dirs[] = { "/sys/fs/cgroup/lxc/%u", "/sys/fs/cgroup/pids/lxc/%u" };
		for (size_t i = 0; i < 2; i++) {
			char *rel = xasprintf(dirs[i], id);
			char *p = root_path(root, rel);
			struct stat sb;
			bool ok = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
			free(rel);
			free(p);
			if (ok)
				return true;
		}
		return false;
	}
	char *rel = xasprintf("/var/run/qemu-server/%u.pid", id);
	char *p = root_path(root, rel);
	char *pid = NULL;
	bool ok = read_file(p, &pid, NULL) == 0;
	if (ok && (!root || !*root)) {
		/* on the real host the pid must be alive */
		char *proc = xasprintf("/proc/%ld", strtol(pid, NULL, 10));
		ok = access(proc, F_OK) == 0;
		free(proc);
	}
	free(pid);
	free(rel);
	free(p);
	return ok;
}

/* Reads the configs in one directory (host path dir, relative to root). */
static int read_dir(struct pve_state *st, const char *root, const char *dir, bool is_ct, bool local,
		    struct strvec *seen, struct diag_list *dl)
{
	char *full = root_path(root, dir);
	DIR *d = opendir(full);
	if (!d) {
		free(full);
		return 0;
	}
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		unsigned id;
		if (!is_conf_name(e->d_name, &id))
			continue;
		char *p = xasprintf("%s/%s", full, e->d_name);
		char real[PATH_MAX];
		const char *key = realpath(p, real) ? real : p;
		bool dup = false;
		for (size_t i = 0; i < seen->n; i++)
			dup |= !strcmp(seen->v[i], key);
		if (dup) {
			free(p);
			continue;
		}
		sv_push(seen, key);
		char *text = NULL;
		size_t len = 0;
		int r = read_file(p, &text, &len);
		if (r) {
			diag_add(dl, DIAG_ERROR, p, 0, 0, NULL, NULL, "cannot read guest config: %s", strerror(-r));
			free(p);
			rc = -1;
			continue;
		}
		st->guests = xrealloc(st->guests, (st->n_guests + 1) * sizeof(*st->guests));
		struct pve_guest *g = &st->guests[st->n_guests++];
		memset(g, 0, sizeof(*g));
		g->id = id;
		g->is_ct = is_ct;
		g->local = local;
		g->path = xasprintf("%s/%s", dir, e->d_name);
		guest_conf_parse(&g->conf, text, len);
		g->running = local && running(root, id, is_ct);
		free(text);
		free(p);
	}
	closedir(d);
	free(full);
	return rc;
}

int pve_state_discover(struct pve_state *st, const char *root, struct diag_list *dl)
{
	memset(st, 0, sizeof(*st));
	if (decide_mode(st, root, dl))
		return -1;
	int rc = 0;
	char *p = root_path(root, PVE_STORAGE_CFG);
	char *text = NULL;
	size_t len = 0;
	int r = read_file(p, &text, &len);
	if (r == 0) {
		st->have_storage_cfg = true;
		storage_cfg_parse(&st->scfg, text, len);
	} else {
		storage_cfg_parse(&st->scfg, "", 0);
		if (r != -ENOENT) {
			diag_add(dl, DIAG_ERROR, p, 0, 0, NULL, NULL, "cannot read: %s", strerror(-r));
			rc = -1;
		}
	}
	free(text);
	free(p);

	p = root_path(root, PVE_OWNED_FILE);
	text = NULL;
	r = read_file(p, &text, NULL);
	if (r == 0 && pve_owned_parse(text, &st->owned)) {
		diag_add(dl, DIAG_ERROR, p, 0, 0, NULL,
			 "restore it from a backup, or write {\"storages\": [...]} with the ids phoenix-storage created",
			 "the ownership file is not valid JSON of the expected form");
		rc = -1;
	} else if (r && r != -ENOENT) {
		diag_add(dl, DIAG_ERROR, p, 0, 0, NULL, NULL, "cannot read: %s", strerror(-r));
		rc = -1;
	}
	free(text);
	free(p);

	struct strvec seen = { 0 };
	rc |= read_dir(st, root, "/etc/pve/lxc", true, true, &seen, dl);
	rc |= read_dir(st, root, "/etc/pve/qemu-server", false, true, &seen, dl);
	char *nodes = root_path(root, "/etc/pve/nodes");
	DIR *d = opendir(nodes);
	if (d) {
		struct dirent *e;
		struct strvec names = { 0 };
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				sv_push(&names, e->d_name);
		closedir(d);
		for (size_t i = 0; i < names.n; i++) {
			char *lx = xasprintf("/etc/pve/nodes/%s/lxc", names.v[i]);
			char *qm = xasprintf("/etc/pve/nodes/%s/qemu-server", names.v[i]);
			rc |= read_dir(st, root, lx, true, false, &seen, dl);
			rc |= read_dir(st, root, qm, false, false, &seen, dl);
			free(lx);
			free(qm);
		}
		sv_free(&names);
	}
	free(nodes);
	sv_free(&seen);
	if (st->n_guests)
		qsort(st->guests, st->n_guests, sizeof(*st->guests), cmp_guest);
	return rc ? -1 : 0;
}

void pve_state_free(struct pve_state *st)
{
	if (!st)
		return;
	free(st->mode_why);
	storage_cfg_free(&st->scfg);
	sv_free(&st->owned);
	for (size_t i = 0; i < st->n_guests; i++) {
		free(st->guests[i].path);
		guest_conf_free(&st->guests[i].conf);
	}
	free(st->guests);
	memset(st, 0, sizeof(*st));
}

const struct pve_guest *pve_state_guest(const struct pve_state *st, unsigned id, bool is_ct)
{
	for (size_t i = 0; i < st->n_guests; i++)
		if (st->guests[i].id == id && st->guests[i].is_ct == is_ct && st->guests[i].local)
			return &st->guests[i];
	return NULL;
}

bool pve_state_owns(const struct pve_state *st, const char *id)
{
	for (size_t i = 0; i < st->owned.n; i++)
		if (!strcmp(st->owned.v[i], id))
			return true;
	return false;
}
