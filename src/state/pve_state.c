#include "state/pve_state.h"

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
#include "util/str.h"

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

static void intent_free(struct pve_intent *t)
{
	free(t->op);
	free(t->id);
	free(t->type);
	free(t->key);
	free(t->value);
}

void pve_owned_free(struct pve_owned *o)
{
	if (!o)
		return;
	sv_free(&o->storages);
	for (size_t i = 0; i < o->n_pending; i++)
		intent_free(&o->pending[i]);
	free(o->pending);
	memset(o, 0, sizeof(*o));
}

static char *opt_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void pve_owned_add_intent(struct pve_owned *o, const char *op, const char *id, const char *type,
			  const char *key, const char *value)
{
	o->pending = xrealloc(o->pending, (o->n_pending + 1) * sizeof(*o->pending));
	struct pve_intent *t = &o->pending[o->n_pending++];
	t->op = xstrdup(op);
	t->id = xstrdup(id);
	t->type = opt_dup(type);
	t->key = key && value ? xstrdup(key) : NULL;
	t->value = key && value ? xstrdup(value) : NULL;
}

void pve_owned_drop_intents(struct pve_owned *o, const char *id)
{
	size_t j = 0;
	for (size_t i = 0; i < o->n_pending; i++) {
		if (!strcmp(o->pending[i].id, id))
			intent_free(&o->pending[i]);
		else
			o->pending[j++] = o->pending[i];
	}
	o->n_pending = j;
}

static const char *jstr(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int pve_owned_parse(const char *text, struct pve_owned *o)
{
	memset(o, 0, sizeof(*o));
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	json_t *a = json_object_get(j, "storages");
	json_t *pend = json_object_get(j, "pending");
	if (!j || !json_is_array(a) || (pend && !json_is_array(pend))) {
		json_decref(j);
		return -1;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			sv_push(&o->storages, json_string_value(v));
	int rc = 0;
	json_array_foreach(pend, i, v) {
		const char *op = jstr(v, "op"), *id = jstr(v, "id");
		if (!op || !id || (strcmp(op, "add") && strcmp(op, "remove")) || (!strcmp(op, "add") && !jstr(v, "type"))) {
			rc = -1;
			break;
		}
		pve_owned_add_intent(o, op, id, jstr(v, "type"), jstr(v, "key"), jstr(v, "value"));
	}
	json_decref(j);
	if (rc)
		pve_owned_free(o);
	return rc;
}

char *pve_owned_format(const struct pve_owned *o)
{
	const struct strvec *ids = &o->storages;
	char **v = xcalloc(ids->n + 1, sizeof(*v));
	for (size_t i = 0; i < ids->n; i++)
		v[i] = ids->v[i];
	if (ids->n)
		qsort(v, ids->n, sizeof(*v), str_cmp_ptr);
	json_t *a = json_array();
	for (size_t i = 0; i < ids->n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			json_array_append_new(a, json_string(v[i]));
	free(v);
	json_t *j = json_pack("{s:s, s:o}", "comment",
			      "Proxmox storages created by phoenix-storage; it never changes or removes others",
			      "storages", a);
	if (o->n_pending) {
		json_t *p = json_array();
		for (size_t i = 0; i < o->n_pending; i++) {
			const struct pve_intent *t = &o->pending[i];
			json_t *e = json_pack("{s:s, s:s}", "op", t->op, "id", t->id);
			if (t->type)
				json_object_set_new(e, "type", json_string(t->type));
			if (t->key) {
				json_object_set_new(e, "key", json_string(t->key));
				json_object_set_new(e, "value", json_string(t->value));
			}
			json_array_append_new(p, e);
		}
		json_object_set_new(j, "pending", p);
	}
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	char *r = xasprintf("%s\n", s);
	free(s);
	return r;
}

/* True when the add of t reached storage.cfg: section id of its type, with its fixed property. */
static bool intent_add_done(const struct pve_intent *t, const struct storage_cfg *c)
{
	const struct scfg_section *sec = storage_cfg_find(c, t->id);
	if (!sec || strcmp(sec->type, t->type))
		return false;
	const char *v = t->key ? scfg_get(sec, t->key) : NULL;
	return !t->key || (v && !strcmp(v, t->value));
}

void pve_owned_resolve(struct pve_owned *o, const struct storage_cfg *c, struct strvec *notes)
{
	for (size_t i = 0; i < o->n_pending; i++) {
		const struct pve_intent *t = &o->pending[i];
		bool add = !strcmp(t->op, "add");
		bool done = add ? intent_add_done(t, c) : !storage_cfg_find(c, t->id);
		bool listed = false;
		for (size_t k = 0; k < o->storages.n; k++)
			listed |= !strcmp(o->storages.v[k], t->id);
		if (add && done && !listed)
			sv_push(&o->storages, t->id);
		if (!add && done && listed) {
			struct strvec keep = { 0 };
			for (size_t k = 0; k < o->storages.n; k++)
				if (strcmp(o->storages.v[k], t->id))
					sv_push(&keep, o->storages.v[k]);
			sv_free(&o->storages);
			o->storages = keep;
		}
		if (notes)
			sv_pushf(notes, add ? (done ? "storage '%s': its add was interrupted after storage.cfg changed: created by phoenix-storage"
						    : "storage '%s': its add was interrupted before storage.cfg changed: not recorded")
					    : (done ? "storage '%s': its removal was interrupted after storage.cfg changed: forgotten"
						    : "storage '%s': its removal was interrupted before storage.cfg changed: still owned"),
				 t->id);
	}
	for (size_t i = 0; i < o->n_pending; i++)
		intent_free(&o->pending[i]);
	free(o->pending);
	o->pending = NULL;
	o->n_pending = 0;
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

/*
 * The Proxmox state under root (see pve_state.h): the mode, storage.cfg, the
 * ownership record (intents resolved, what was found in owned_notes), the
 * guest configs of this node and of the others, which guests run. Returns 0,
 * or -1 with an error in dl. st is overwritten and owned by the caller
 * (pve_state_free).
 */
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
	struct pve_owned own = { 0 };
	if (r == 0 && pve_owned_parse(text, &own)) {
		diag_add(dl, DIAG_ERROR, p, 0, 0, NULL,
			 "restore it from a backup, or write {\"storages\": [...]} with the ids phoenix-storage created",
			 "the ownership file is not valid JSON of the expected form");
		rc = -1;
	} else if (r == 0) {
		/* intents of an interrupted apply: what happened is what storage.cfg says */
		pve_owned_resolve(&own, &st->scfg, &st->owned_notes);
		st->owned = own.storages;
		own.storages = (struct strvec){ 0 };
	} else if (r && r != -ENOENT) {
		diag_add(dl, DIAG_ERROR, p, 0, 0, NULL, NULL, "cannot read: %s", strerror(-r));
		rc = -1;
	}
	pve_owned_free(&own);
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
	sv_free(&st->owned_notes);
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
