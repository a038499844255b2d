#include "apply/pve_apply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/guest_conf.h"
#include "state/pve_state.h"
#include "formats/storage_cfg.h"
#include "util/fs.h"
#include "util/lock.h"

/* Reads path (missing = empty). Returns 0 or -errno; *mode gets the file's mode (dflt when new). */
static int read_or_empty(const char *path, char **text, size_t *len, mode_t *mode, mode_t dflt)
{
	struct stat sb;
	*mode = stat(path, &sb) == 0 ? (sb.st_mode & 07777) : dflt;
	int r = read_file(path, text, len);
	if (r == -ENOENT) {
		*text = xstrdup("");
		*len = 0;
		return 0;
	}
	return r;
}

static int write_back(const char *path, const char *text, mode_t mode, const struct action *a,
		      struct diag_list *dl)
{
	int r = write_file_atomic(path, text, strlen(text), mode);
	if (r)
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, NULL, "%s failed: cannot write: %s", a->summary,
			 strerror(-r));
	return r ? -1 : 0;
}

/*
 * The one writer of Proxmox's section config files: storage.cfg (storage
 * edits) and replication.cfg (the PVE_EDIT_REPL_* edits). Re-reads the file,
 * makes e's edit byte-preserving (formats/storage_cfg) and writes it back
 * atomically. Proxmox's cluster lock for it is file-storage_cfg /
 * file-replication_cfg (/etc/pve/priv/lock/<id>). Returns 0 or -1 (dl).
 */
static int edit_section_cfg(const struct pve_edit *e, const struct action *a, const char *root,
			    struct diag_list *dl)
{
	bool job = e->kind == PVE_EDIT_REPL_ADD || e->kind == PVE_EDIT_REPL_SET;
	const char *what = job ? "replication job" : "storage";
	char *path = root_path(root, job ? PVE_REPLICATION_CFG : PVE_STORAGE_CFG);
	char *text;
	size_t len;
	mode_t mode;
	int r = read_or_empty(path, &text, &len, &mode, 0640);
	if (r) {
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, NULL, "%s failed: cannot read: %s", a->summary,
			 strerror(-r));
		free(path);
		return -1;
	}
	struct storage_cfg c;
	storage_cfg_parse(&c, text, len);
	free(text);
	int rc = 0;
	switch (e->kind) {
	case PVE_EDIT_STORAGE_ADD:
	case PVE_EDIT_REPL_ADD:
		rc = storage_cfg_add(&c, e->type, e->id, (const char *const *)e->keys.v,
				     (const char *const *)e->values.v, e->keys.n);
		if (rc == -1)
			diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, "run plan again",
				 "%s failed: %s '%s' appeared since the plan was made", a->summary, what, e->id);
		break;
	case PVE_EDIT_STORAGE_SET:
	case PVE_EDIT_REPL_SET:
		for (size_t i = 0; i < e->keys.n && !rc; i++) {
			const char *v = e->values.v[i];
			rc = *v ? storage_cfg_set(&c, e->id, e->keys.v[i], v) : storage_cfg_unset(&c, e->id, e->keys.v[i]);
		}
		if (rc == -1)
			diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, "run plan again",
				 "%s failed: %s '%s' disappeared since the plan was made", a->summary, what, e->id);
		break;
	case PVE_EDIT_STORAGE_REMOVE:
		storage_cfg_remove(&c, e->id); /* already gone is fine */
		break;
	default:
		break;
	}
	if (rc == -EINVAL)
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, "fix the value in the config: validate should have refused it",
			 "%s failed: refusing to write a name with white space or a value with a control character "
			 "(%s '%s'); the file is unchanged", a->summary, what, e->id);
	if (!rc) {
		char *out = storage_cfg_serialize(&c);
		rc = write_back(path, out, mode, a, dl);
		free(out);
	}
	storage_cfg_free(&c);
	free(path);
	return rc;
}

static int edit_guest(const struct pve_edit *e, const struct action *a, const char *root, struct diag_list *dl)
{
	char *path = root_path(root, e->file);
	char *text = NULL;
	size_t len = 0;
	struct stat sb;
	int r = read_file(path, &text, &len);
	if (r || stat(path, &sb)) {
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, "the guest must exist in Proxmox",
			 "%s failed: cannot read: %s", a->summary, strerror(r ? -r : errno));
		free(text);
		free(path);
		return -1;
	}
	struct guest_conf g;
	guest_conf_parse(&g, text, len);
	free(text);
	int rc = 0;
	if (e->kind == PVE_EDIT_GUEST_REMOVE_MOUNT) {
		long at = gc_find_mount(&g, e->mount_del.source, e->mount_del.target, false);
		if (at < 0) { /* already gone: nothing to write */
			guest_conf_free(&g);
			free(path);
			return 0;
		}
		gc_remove_line(&g, (size_t)at);
	}
	for (size_t i = 0; i < e->keys.n && !rc; i++) {
		if (!*e->values.v[i])
			gc_unset(&g, e->keys.v[i]);
		else if ((rc = gc_set(&g, e->keys.v[i], e->values.v[i])))
			diag_add(dl, DIAG_ERROR, path, 0, 0, NULL,
				 "fix the value in the config: validate should have refused it",
				 "%s failed: refusing to write '%s': the key or its value is not one line of "
				 "printable text; the file is unchanged", a->summary, e->keys.v[i]);
	}
	if (!rc) {
		char *out = guest_conf_serialize(&g);
		rc = write_back(path, out, sb.st_mode & 07777, a, dl);
		free(out);
	}
	guest_conf_free(&g);
	free(path);
	return rc;
}

enum owned_step { OWNED_INTENT, OWNED_RECORD, OWNED_ROLLBACK, OWNED_RESOLVE };

/* The container configs under a root, read once each for pve_owned_resolve_mounts. */
struct ct_confs {
	const char *root;
	unsigned *ids;
	struct guest_conf *confs;
	bool *exists;
	size_t n;
};

/* pve_ct_conf_fn: container ct's config under the root as it is now, or NULL when it has none. */
static const struct guest_conf *ct_conf_read(void *arg, unsigned ct)
{
	struct ct_confs *cc = arg;
	for (size_t i = 0; i < cc->n; i++)
		if (cc->ids[i] == ct)
			return cc->exists[i] ? &cc->confs[i] : NULL;
	cc->ids = xrealloc(cc->ids, (cc->n + 1) * sizeof(*cc->ids));
	cc->confs = xrealloc(cc->confs, (cc->n + 1) * sizeof(*cc->confs));
	cc->exists = xrealloc(cc->exists, (cc->n + 1) * sizeof(*cc->exists));
	size_t i = cc->n++;
	cc->ids[i] = ct;
	char *rel = pve_guest_path(ct, true);
	char *path = root_path(cc->root, rel);
	char *text = NULL;
	size_t len = 0;
	cc->exists[i] = read_file(path, &text, &len) == 0;
	guest_conf_parse(&cc->confs[i], cc->exists[i] ? text : "", cc->exists[i] ? len : 0);
	free(text);
	free(path);
	free(rel);
	return cc->exists[i] ? &cc->confs[i] : NULL;
}

static void ct_confs_free(struct ct_confs *cc)
{
	for (size_t i = 0; i < cc->n; i++)
		guest_conf_free(&cc->confs[i]);
	free(cc->ids);
	free(cc->confs);
	free(cc->exists);
}

/*
 * Rewrites the ownership file for one step of the protocol (pve/pve_state.h):
 * INTENT adds e's intent, RECORD makes e's change and drops its intent,
 * ROLLBACK only drops it (the change failed), RESOLVE changes nothing of e.
 * Intents other runs left are resolved against storage.cfg as it is now.
 * Returns 0, or -1 with an error in dl.
 */
static int edit_owned(const struct pve_edit *e, enum owned_step step, const struct action *a, const char *root,
		      struct diag_list *dl)
{
	char *path = root_path(root, PVE_OWNED_FILE);
	char *text;
	size_t len;
	mode_t mode;
	int r = read_or_empty(path, &text, &len, &mode, 0644);
	struct pve_owned o = { 0 };
	if (r || (len && pve_owned_parse(text, &o))) {
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, NULL, "%s failed: cannot read the ownership file%s%s",
			 a->summary, r ? ": " : " (invalid JSON)", r ? strerror(-r) : "");
		free(text);
		free(path);
		return -1;
	}
	free(text);
	char *cfg_path = root_path(root, PVE_STORAGE_CFG);
	char *cfg_text = NULL;
	size_t cfg_len = 0;
	if (read_file(cfg_path, &cfg_text, &cfg_len)) {
		free(cfg_text);
		cfg_text = xstrdup("");
		cfg_len = 0;
	}
	free(cfg_path);
	struct storage_cfg c;
	storage_cfg_parse(&c, cfg_text, cfg_len);
	free(cfg_text);
	if (e->own && e->id)
		pve_owned_drop_intents(&o, e->id);
	if (e->mount_add.source)
		pve_owned_drop_mount_intents(&o, &e->mount_add);
	if (e->mount_del.source)
		pve_owned_drop_mount_intents(&o, &e->mount_del);
	pve_owned_resolve(&o, &c, NULL);
	storage_cfg_free(&c);
	cfg_path = root_path(root, PVE_REPLICATION_CFG);
	cfg_text = NULL;
	cfg_len = 0;
	if (read_file(cfg_path, &cfg_text, &cfg_len)) {
		free(cfg_text);
		cfg_text = xstrdup("");
		cfg_len = 0;
	}
	free(cfg_path);
	storage_cfg_parse(&c, cfg_text, cfg_len);
	free(cfg_text);
	pve_owned_resolve_jobs(&o, &c, NULL);
	storage_cfg_free(&c);
	struct ct_confs cc = { .root = root };
	pve_owned_resolve_mounts(&o, ct_conf_read, &cc, NULL);
	ct_confs_free(&cc);
	if (step == OWNED_INTENT && e->own) {
		pve_owned_add_intent(&o, e->job ? "add-job" : e->own > 0 ? "add" : "remove", e->id,
				     e->own > 0 ? e->type : NULL, e->fp_key, e->fp_value);
	} else if (step == OWNED_INTENT) {
		/* a changed line's new source is an add: its old record goes with the record step */
		if (e->mount_add.source)
			pve_owned_add_mount_intent(&o, "add-mount", &e->mount_add);
		else if (e->mount_del.source)
			pve_owned_add_mount_intent(&o, "remove-mount", &e->mount_del);
	} else if (step == OWNED_RECORD && !e->own) {
		if (e->mount_del.source)
			pve_owned_remove_mount(&o, &e->mount_del);
		if (e->mount_add.source)
			pve_owned_add_mount(&o, &e->mount_add);
	} else if (step == OWNED_RECORD) {
		struct strvec *ids = e->job ? &o.jobs : &o.storages;
		struct strvec keep = { 0 };
		for (size_t i = 0; i < ids->n; i++)
			if (strcmp(ids->v[i], e->id))
				sv_push(&keep, ids->v[i]);
		if (e->own > 0)
			sv_push(&keep, e->id);
		sv_free(ids);
		*ids = keep;
	}
	char *out = pve_owned_format(&o);
	int rc = write_back(path, out, mode, a, dl);
	free(out);
	pve_owned_free(&o);
	free(path);
	return rc;
}

int pve_apply_intent(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	const struct pve_edit *e = a->data;
	return pve_edit_owns(e) ? edit_owned(e, OWNED_INTENT, a, ax->root, dl) : 0;
}

/* edit_section_cfg's arguments, for cfs_lock_file. */
struct section_edit_call {
	const struct pve_edit *e;
	const struct action *a;
	const char *root;
	struct diag_list *dl;
};

static int section_edit_locked(void *arg)
{
	const struct section_edit_call *c = arg;
	return edit_section_cfg(c->e, c->a, c->root, c->dl);
}

int pve_apply_edit(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	const struct pve_edit *e = a->data;
	const char *root = ax->root;
	int rc = 0;
	switch (e->kind) {
	case PVE_EDIT_STORAGE_ADD:
	case PVE_EDIT_STORAGE_SET:
	case PVE_EDIT_STORAGE_REMOVE:
	case PVE_EDIT_REPL_ADD:
	case PVE_EDIT_REPL_SET:
	{
		/* read, edit and write under the cluster's lock: another node's change is read, never lost */
		bool job = e->kind == PVE_EDIT_REPL_ADD || e->kind == PVE_EDIT_REPL_SET;
		struct section_edit_call c = { e, a, root, dl };
		rc = cfs_lock_file(root, job ? PVE_REPLICATION_CFG : PVE_STORAGE_CFG, section_edit_locked, &c, dl);
		break;
	}
	case PVE_EDIT_GUEST_SET:
	case PVE_EDIT_GUEST_REMOVE_MOUNT:
		rc = edit_guest(e, a, root, dl);
		break;
	case PVE_EDIT_NONE:
		break;
	}
	if (pve_edit_owns(e) && !rc)
		rc = edit_owned(e, OWNED_RECORD, a, root, dl);
	else if (pve_edit_owns(e))
		edit_owned(e, OWNED_ROLLBACK, a, root, dl); /* the edit failed: storage.cfg is as it was */
	else if (e->resolve)
		rc = edit_owned(e, OWNED_RESOLVE, a, root, dl);
	return rc;
}
