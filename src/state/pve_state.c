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

void pve_mount_rec_free(struct pve_mount_rec *m)
{
	free(m->source);
	free(m->target);
	m->source = m->target = NULL;
}

static void mount_copy(struct pve_mount_rec *to, const struct pve_mount_rec *m)
{
	to->ct = m->ct;
	to->source = xstrdup(m->source);
	to->target = xstrdup(m->target);
}

static bool mount_same(const struct pve_mount_rec *a, const struct pve_mount_rec *b)
{
	return a->ct == b->ct && a->source && b->source && !strcmp(a->source, b->source) && !strcmp(a->target, b->target);
}

static bool is_mount_op(const char *op)
{
	return !strcmp(op, "add-mount") || !strcmp(op, "remove-mount");
}

static bool is_job_op(const char *op)
{
	return !strcmp(op, "add-job");
}

static void intent_free(struct pve_intent *t)
{
	free(t->op);
	free(t->id);
	free(t->type);
	free(t->key);
	free(t->value);
	pve_mount_rec_free(&t->mount);
}

void pve_owned_free(struct pve_owned *o)
{
	if (!o)
		return;
	sv_free(&o->storages);
	sv_free(&o->jobs);
	for (size_t i = 0; i < o->n_pending; i++)
		intent_free(&o->pending[i]);
	free(o->pending);
	for (size_t i = 0; i < o->n_mounts; i++)
		pve_mount_rec_free(&o->mounts[i]);
	free(o->mounts);
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
	memset(t, 0, sizeof(*t));
	t->op = xstrdup(op);
	t->id = xstrdup(id);
	t->type = opt_dup(type);
	t->key = key && value ? xstrdup(key) : NULL;
	t->value = key && value ? xstrdup(value) : NULL;
}

void pve_owned_add_mount_intent(struct pve_owned *o, const char *op, const struct pve_mount_rec *m)
{
	o->pending = xrealloc(o->pending, (o->n_pending + 1) * sizeof(*o->pending));
	struct pve_intent *t = &o->pending[o->n_pending++];
	memset(t, 0, sizeof(*t));
	t->op = xstrdup(op);
	mount_copy(&t->mount, m);
}

void pve_owned_drop_mount_intents(struct pve_owned *o, const struct pve_mount_rec *m)
{
	size_t j = 0;
	for (size_t i = 0; i < o->n_pending; i++) {
		if (is_mount_op(o->pending[i].op) && mount_same(&o->pending[i].mount, m))
			intent_free(&o->pending[i]);
		else
			o->pending[j++] = o->pending[i];
	}
	o->n_pending = j;
}

void pve_owned_add_mount(struct pve_owned *o, const struct pve_mount_rec *m)
{
	for (size_t i = 0; i < o->n_mounts; i++)
		if (mount_same(&o->mounts[i], m))
			return;
	o->mounts = xrealloc(o->mounts, (o->n_mounts + 1) * sizeof(*o->mounts));
	mount_copy(&o->mounts[o->n_mounts++], m);
}

void pve_owned_remove_mount(struct pve_owned *o, const struct pve_mount_rec *m)
{
	size_t j = 0;
	for (size_t i = 0; i < o->n_mounts; i++) {
		if (mount_same(&o->mounts[i], m))
			pve_mount_rec_free(&o->mounts[i]);
		else
			o->mounts[j++] = o->mounts[i];
	}
	o->n_mounts = j;
}

bool pve_mount_present(const struct guest_conf *g, const struct pve_mount_rec *m)
{
	return g && gc_find_mount(g, m->source, m->target, true) >= 0;
}

void pve_owned_resolve_mounts(struct pve_owned *o, pve_ct_conf_fn conf, void *arg, struct strvec *notes)
{
	size_t j = 0;
	for (size_t i = 0; i < o->n_pending; i++) {
		struct pve_intent *t = &o->pending[i];
		if (!is_mount_op(t->op)) {
			o->pending[j++] = *t;
			continue;
		}
		bool add = !strcmp(t->op, "add-mount");
		bool present = pve_mount_present(conf(arg, t->mount.ct), &t->mount);
		if (add && present)
			pve_owned_add_mount(o, &t->mount);
		if (!add && !present)
			pve_owned_remove_mount(o, &t->mount);
		if (notes)
			sv_pushf(notes, add ? (present ? "mount %s -> %s of container %u: its add was interrupted after the line was written: added by phoenix-storage"
						       : "mount %s -> %s of container %u: its add was interrupted before the line was written: not recorded")
					    : (present ? "mount %s -> %s of container %u: its removal was interrupted before the line went: still owned"
						       : "mount %s -> %s of container %u: its removal was interrupted after the line went: forgotten"),
				 t->mount.source, t->mount.target, t->mount.ct);
		intent_free(t);
	}
	o->n_pending = j;
	if (!j) {
		free(o->pending);
		o->pending = NULL;
	}
	/* a record whose line an operator removed is forgotten */
	size_t k = 0;
	for (size_t i = 0; i < o->n_mounts; i++) {
		const struct guest_conf *g = conf(arg, o->mounts[i].ct);
		if (g && !pve_mount_present(g, &o->mounts[i]))
			pve_mount_rec_free(&o->mounts[i]);
		else
			o->mounts[k++] = o->mounts[i];
	}
	o->n_mounts = k;
}

void pve_owned_drop_intents(struct pve_owned *o, const char *id)
{
	size_t j = 0;
	for (size_t i = 0; i < o->n_pending; i++) {
		if (o->pending[i].id && !strcmp(o->pending[i].id, id))
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

/* {"ct": N, "source": S, "target": T} -> m (borrowed strings). Returns 0, or -1 when a member is missing. */
static int mount_parse(json_t *v, struct pve_mount_rec *m)
{
	json_t *ct = json_object_get(v, "ct");
	m->source = (char *)jstr(v, "source");
	m->target = (char *)jstr(v, "target");
	if (!json_is_integer(ct) || json_integer_value(ct) < 0 || json_integer_value(ct) > 999999999 || !m->source ||
	    !m->target)
		return -1;
	m->ct = (unsigned)json_integer_value(ct);
	return 0;
}

int pve_owned_parse(const char *text, struct pve_owned *o)
{
	memset(o, 0, sizeof(*o));
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	json_t *a = json_object_get(j, "storages");
	json_t *pend = json_object_get(j, "pending");
	json_t *mounts = json_object_get(j, "mounts");
	json_t *jobs = json_object_get(j, "jobs");
	if (!j || !json_is_array(a) || (pend && !json_is_array(pend)) || (mounts && !json_is_array(mounts)) ||
	    (jobs && !json_is_array(jobs))) {
		json_decref(j);
		return -1;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			sv_push(&o->storages, json_string_value(v));
	json_array_foreach(jobs, i, v)
		if (json_is_string(v))
			sv_push(&o->jobs, json_string_value(v));
	int rc = 0;
	json_array_foreach(mounts, i, v) {
		struct pve_mount_rec m;
		if (mount_parse(v, &m)) {
			rc = -1;
			break;
		}
		pve_owned_add_mount(o, &m);
	}
	json_array_foreach(pend, i, v) {
		const char *op = jstr(v, "op"), *id = jstr(v, "id");
		if (!rc && op && is_mount_op(op)) {
			struct pve_mount_rec m;
			if (mount_parse(v, &m)) {
				rc = -1;
				break;
			}
			pve_owned_add_mount_intent(o, op, &m);
			continue;
		}
		if (!op || !id || (strcmp(op, "add") && strcmp(op, "remove") && !is_job_op(op)) ||
		    (strcmp(op, "remove") && !jstr(v, "type"))) {
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

static int cmp_mount_ptr(const void *a, const void *b)
{
	const struct pve_mount_rec *x = *(const struct pve_mount_rec *const *)a, *y = *(const struct pve_mount_rec *const *)b;
	if (x->ct != y->ct)
		return x->ct < y->ct ? -1 : 1;
	int c = strcmp(x->target, y->target);
	return c ? c : strcmp(x->source, y->source);
}

/* A record (op NULL) or a mount intent as JSON. New reference. */
static json_t *mount_json(const struct pve_mount_rec *m, const char *op)
{
	json_t *e = op ? json_pack("{s:s}", "op", op) : json_object();
	json_object_set_new(e, "ct", json_integer(m->ct));
	json_object_set_new(e, "source", json_string(m->source));
	json_object_set_new(e, "target", json_string(m->target));
	return e;
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
	if (o->jobs.n) {
		struct strvec sj = { 0 };
		for (size_t i = 0; i < o->jobs.n; i++)
			sv_push(&sj, o->jobs.v[i]);
		qsort(sj.v, sj.n, sizeof(*sj.v), str_cmp_ptr);
		json_t *ja = json_array();
		for (size_t i = 0; i < sj.n; i++)
			if (!i || strcmp(sj.v[i], sj.v[i - 1]))
				json_array_append_new(ja, json_string(sj.v[i]));
		sv_free(&sj);
		json_object_set_new(j, "jobs", ja);
	}
	if (o->n_mounts) {
		const struct pve_mount_rec **m = xcalloc(o->n_mounts, sizeof(*m));
		for (size_t i = 0; i < o->n_mounts; i++)
			m[i] = &o->mounts[i];
		qsort(m, o->n_mounts, sizeof(*m), cmp_mount_ptr);
		json_t *ma = json_array();
		for (size_t i = 0; i < o->n_mounts; i++)
			json_array_append_new(ma, mount_json(m[i], NULL));
		free(m);
		json_object_set_new(j, "mounts", ma);
	}
	if (o->n_pending) {
		json_t *p = json_array();
		for (size_t i = 0; i < o->n_pending; i++) {
			const struct pve_intent *t = &o->pending[i];
			if (is_mount_op(t->op)) {
				json_array_append_new(p, mount_json(&t->mount, t->op));
				continue;
			}
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
		if (is_mount_op(t->op) || is_job_op(t->op))
			continue; /* pve_owned_resolve_mounts, pve_owned_resolve_jobs */
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
	size_t j = 0;
	for (size_t i = 0; i < o->n_pending; i++) {
		if (is_mount_op(o->pending[i].op) || is_job_op(o->pending[i].op))
			o->pending[j++] = o->pending[i];
		else
			intent_free(&o->pending[i]);
	}
	o->n_pending = j;
	if (!j) {
		free(o->pending);
		o->pending = NULL;
	}
}

void pve_owned_resolve_jobs(struct pve_owned *o, const struct storage_cfg *rc, struct strvec *notes)
{
	size_t j = 0;
	for (size_t i = 0; i < o->n_pending; i++) {
		struct pve_intent *t = &o->pending[i];
		if (!is_job_op(t->op)) {
			o->pending[j++] = *t;
			continue;
		}
		bool done = intent_add_done(t, rc);
		bool listed = false;
		for (size_t k = 0; k < o->jobs.n; k++)
			listed |= !strcmp(o->jobs.v[k], t->id);
		if (done && !listed)
			sv_push(&o->jobs, t->id);
		if (notes)
			sv_pushf(notes, done ? "replication job '%s': its add was interrupted after replication.cfg changed: created by phoenix-storage"
					     : "replication job '%s': its add was interrupted before replication.cfg changed: not recorded",
				 t->id);
		intent_free(t);
	}
	o->n_pending = j;
	if (!j) {
		free(o->pending);
		o->pending = NULL;
	}
	/* a record whose section is gone (pvesr removed it, or an operator did) is forgotten */
	struct strvec keep = { 0 };
	for (size_t k = 0; k < o->jobs.n; k++)
		if (storage_cfg_find(rc, o->jobs.v[k]))
			sv_push(&keep, o->jobs.v[k]);
	sv_free(&o->jobs);
	o->jobs = keep;
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

/* pve_ct_conf_fn over a pve_state: the config of local container ct, or NULL. */
static const struct guest_conf *local_ct_conf(void *arg, unsigned ct)
{
	const struct pve_guest *g = pve_state_guest(arg, ct, true);
	return g ? &g->conf : NULL;
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

	p = root_path(root, PVE_REPLICATION_CFG);
	text = NULL;
	len = 0;
	r = read_file(p, &text, &len);
	st->have_repl_cfg = r == 0;
	storage_cfg_parse(&st->rcfg, r == 0 ? text : "", r == 0 ? len : 0);
	if (r && r != -ENOENT) {
		diag_add(dl, DIAG_ERROR, p, 0, 0, NULL, NULL, "cannot read: %s", strerror(-r));
		rc = -1;
	}
	free(text);
	free(p);

	bool have_own = false;
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
		pve_owned_resolve_jobs(&own, &st->rcfg, &st->owned_notes);
		st->owned = own.storages;
		own.storages = (struct strvec){ 0 };
		st->owned_jobs = own.jobs;
		own.jobs = (struct strvec){ 0 };
		have_own = true;
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
	if (have_own) {
		/* the mount lines: what happened is what the containers' configs say */
		pve_owned_resolve_mounts(&own, local_ct_conf, st, &st->owned_notes);
		st->mounts = own.mounts;
		st->n_mounts = own.n_mounts;
		own.mounts = NULL;
		own.n_mounts = 0;
	}
	pve_owned_free(&own);
	return rc ? -1 : 0;
}

void pve_state_free(struct pve_state *st)
{
	if (!st)
		return;
	free(st->mode_why);
	storage_cfg_free(&st->scfg);
	storage_cfg_free(&st->rcfg);
	sv_free(&st->owned_jobs);
	sv_free(&st->owned);
	sv_free(&st->owned_notes);
	for (size_t i = 0; i < st->n_mounts; i++)
		pve_mount_rec_free(&st->mounts[i]);
	free(st->mounts);
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

bool pve_state_owns_job(const struct pve_state *st, const char *id)
{
	for (size_t i = 0; i < st->owned_jobs.n; i++)
		if (!strcmp(st->owned_jobs.v[i], id))
			return true;
	return false;
}

const struct pve_mount_rec *pve_state_mount(const struct pve_state *st, unsigned ct, const char *source,
					    const char *target)
{
	struct pve_mount_rec m = { ct, (char *)source, (char *)target };
	for (size_t i = 0; i < st->n_mounts; i++)
		if (mount_same(&st->mounts[i], &m))
			return &st->mounts[i];
	return NULL;
}
