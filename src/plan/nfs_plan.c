#include "plan/nfs_plan.h"

#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/str.h"
#include "util/strbuf.h"

/* ---- rendering ---------------------------------------------------------------- */

char *nfs_render_dropin(const struct nfs_config *cfg)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_adds(&sb, NFS_OWNED_MARK " from the nfs section of its config. Do not edit:\n"
		     "# apply rewrites this file. Exports written by hand belong in /etc/exports\n"
		     "# or in another file under /etc/exports.d.\n");
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		char *l = nfs_render_line(e->path, &e->clients, &e->options);
		if (!l) {
			sb_release(&sb);
			return NULL;
		}
		sb_addf(&sb, "%s\n", l);
		free(l);
	}
	return sb_detach(&sb);
}

long ganesha_default_id(const char *path)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		h ^= *c;
		h *= 16777619u;
	}
	return 1 + (long)(h % 60000u);
}

static bool id_taken(const long *ids, size_t n, const struct ganesha_exports *others, long id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	for (size_t i = 0; others && i < others->n; i++)
		if (others->v[i].id == id)
			return true;
	return false;
}

void ganesha_assign_ids(const struct nfs_config *cfg, const struct ganesha_exports *ours,
			const struct ganesha_exports *others, long *ids)
{
	size_t n = cfg->n_exports;
	for (size_t i = 0; i < n; i++)
		ids[i] = -1;
	/* First keep the ids the file already gives (unless taken or out of range). */
	for (size_t i = 0; i < n; i++) {
		const struct ganesha_export *b = ours ? ganesha_find(ours, cfg->exports[i].path) : NULL;
		if (b && b->id >= 1 && b->id <= 65535 && !id_taken(ids, n, others, b->id))
			ids[i] = b->id;
	}
	/* Then give new paths their default id, moved past taken ones. */
	for (size_t i = 0; i < n; i++) {
		if (ids[i] != -1)
			continue;
		long id = ganesha_default_id(cfg->exports[i].path);
		bool kept_elsewhere;
		do {
			kept_elsewhere = false;
			/* avoid ids the file holds for other paths still in the config */
			for (size_t j = 0; ours && j < ours->n; j++)
				if (ours->v[j].id == id && ours->v[j].path &&
				    strcmp(ours->v[j].path, cfg->exports[i].path))
					for (size_t k = 0; k < n; k++)
						if (!strcmp(cfg->exports[k].path, ours->v[j].path) && ids[k] == -1)
							kept_elsewhere = true;
			if (id_taken(ids, n, others, id) || kept_elsewhere)
				id = id % 65535 + 1;
			else
				break;
		} while (1);
		ids[i] = id;
	}
}

static bool ganesha_applies(const char *opt)
{
	static const char *const useful[] = { "rw", "ro", "root_squash", "no_root_squash", "all_squash",
					      "no_all_squash", "secure", "insecure", NULL };
	size_t k = strcspn(opt, "=");
	for (size_t i = 0; useful[i]; i++)
		if (!strcmp(opt, useful[i]))
			return true;
	if (!strncmp(opt, "anonuid", k) && k == 7)
		return true;
	if (!strncmp(opt, "anongid", k) && k == 7)
		return true;
	if (!strncmp(opt, "sec", k) && k == 3)
		return true;
	if (!strncmp(opt, "fsid", k) && k == 4) {
		const char *v = opt + k + 1;
		return strspn(v, "0123456789") == strlen(v) && strcmp(v, "0");
	}
	return false;
}

char *ganesha_ignored_options(const struct nfs_export *e)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < e->options.n; i++)
		if (!ganesha_applies(e->options.v[i]))
			sb_addf(&sb, "%s%s", sb.len ? ", " : "", e->options.v[i]);
	return sb_detach(&sb);
}

char *ganesha_render_block(const struct nfs_export *e, long id)
{
	const struct nfs_opts *o = &e->eff;
	struct ganesha_block b = {
		.id = id, .path = e->path, .clients = &e->clients, .options = &e->options, .rw = o->rw,
		.squash = o->all_squash ? GANESHA_ALL_SQUASH : o->no_root_squash ? GANESHA_NO_ROOT_SQUASH
										  : GANESHA_ROOT_SQUASH,
		.sec = o->sec, .fsid = o->fsid, .anonuid = o->anonuid, .anongid = o->anongid,
	};
	return ganesha_block_render(&b);
}

char *ganesha_render_include(const struct nfs_config *cfg, const long *ids)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_adds(&sb, NFS_OWNED_MARK " from the nfs section of its config. Do not edit:\n"
		     "# apply rewrites this file and keeps each path's Export_Id. Other EXPORT\n"
		     "# blocks belong in the main ganesha config.\n");
	for (size_t i = 0; i < cfg->n_exports; i++) {
		char *b = ganesha_render_block(&cfg->exports[i], ids[i]);
		if (!b) {
			sb_release(&sb);
			return NULL;
		}
		sb_addf(&sb, "\n%s\n", b);
		free(b);
	}
	return sb_detach(&sb);
}

/* ---- state comparison ---------------------------------------------------------- */

const char *nfs_export_state_name(enum nfs_export_state s)
{
	switch (s) {
	case NFS_EXPORT_ACTIVE:
		return "active";
	case NFS_EXPORT_MISSING:
		return "missing";
	default:
		return "drifted";
	}
}

/* A client of the config against a client exportfs -v printed (hostnames may gain a domain). */
static bool client_matches(const char *want, const char *have)
{
	if (!strcasecmp(want, have))
		return true;
	enum nfs_client_kind k;
	if (nfs_client_check(want, &k) == 0 && k == NFS_CLIENT_HOST) {
		size_t n = strlen(want);
		return !strncasecmp(have, want, n) && have[n] == '.';
	}
	return false;
}

static void split_opts(const char *s, struct strvec *sv)
{
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n) {
			char *o = xstrndup(s, n);
			sv_push(sv, o);
			free(o);
		}
		s += n;
		if (*s == ',')
			s++;
	}
}

static bool foreign_has(const struct nfs_state *st, const char *path, const char *client)
{
	for (size_t i = 0; i < st->foreign.n; i++) {
		const struct nfs_file_export *f = &st->foreign.v[i];
		if (strcmp(f->path, path))
			continue;
		for (size_t j = 0; j < f->clients.n; j++)
			if (client_matches(f->clients.v[j], client))
				return true;
	}
	return false;
}

static enum nfs_export_state kernel_status(const struct nfs_export *e, const struct nfs_state *st,
					   char **detail)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	bool *used = xcalloc(st->table.n + 1, sizeof(bool));
	size_t rows = 0;
	for (size_t j = 0; j < st->table.n; j++)
		rows += !strcmp(st->table.v[j].path, e->path);
	for (size_t i = 0; rows && i < e->clients.n; i++) {
		const char *c = e->clients.v[i];
		size_t j;
		for (j = 0; j < st->table.n; j++)
			if (!used[j] && !strcmp(st->table.v[j].path, e->path) &&
			    client_matches(c, st->table.v[j].client))
				break;
		if (j == st->table.n) {
			sb_addf(&sb, "%sclient '%s' is not in the export table", sb.len ? "; " : "", c);
			continue;
		}
		used[j] = true;
		struct strvec sv = { 0 };
		split_opts(st->table.v[j].opts, &sv);
		struct nfs_opts have;
		nfs_opts_from_list((const char *const *)sv.v, sv.n, true, &have);
		sv_free(&sv);
		if (!nfs_opts_equal(&e->eff, &have))
			sb_addf(&sb, "%s'%s' is exported with (%s)", sb.len ? "; " : "", c, st->table.v[j].opts);
	}
	for (size_t j = 0; rows && j < st->table.n; j++)
		if (!used[j] && !strcmp(st->table.v[j].path, e->path) &&
		    !foreign_has(st, e->path, st->table.v[j].client))
			sb_addf(&sb, "%sextra client '%s'", sb.len ? "; " : "", st->table.v[j].client);
	free(used);
	enum nfs_export_state s = NFS_EXPORT_ACTIVE;
	if (!rows) {
		sb_adds(&sb, "not in the export table (exportfs -v)");
		s = NFS_EXPORT_MISSING;
	} else if (sb.len) {
		s = NFS_EXPORT_DRIFTED;
	}
	*detail = sb_detach(&sb);
	return s;
}

static enum nfs_export_state ganesha_status(const struct nfs_config *cfg, const struct nfs_state *st,
					    size_t i, const long *ids, char **detail)
{
	const struct nfs_export *e = &cfg->exports[i];
	const struct ganesha_export *b = st->include_ours ? ganesha_find(&st->include_blocks, e->path) : NULL;
	if (!b) {
		*detail = xasprintf("no EXPORT block in '%s'", cfg->ganesha_include);
		return NFS_EXPORT_MISSING;
	}
	char *want = ganesha_render_block(e, ids[i]);
	bool same = want && !strcmp(want, b->text);
	free(want);
	if (!same) {
		*detail = xasprintf("the EXPORT block in '%s' differs from the config", cfg->ganesha_include);
		return NFS_EXPORT_DRIFTED;
	}
	if (!st->conf_includes) {
		*detail = xasprintf("'%s' does not %%include '%s'", cfg->ganesha_conf, cfg->ganesha_include);
		return NFS_EXPORT_MISSING;
	}
	if (!st->ganesha_pid) {
		*detail = xasprintf("nfs-ganesha is not running (no live pid in '%s')", cfg->ganesha_pid_file);
		return NFS_EXPORT_MISSING;
	}
	*detail = xstrdup("");
	return NFS_EXPORT_ACTIVE;
}

enum nfs_export_state nfs_export_status(const struct nfs_config *cfg, const struct nfs_state *st,
					size_t i, const long *ids, char **detail)
{
	if (cfg->server == NFS_SERVER_KERNEL)
		return kernel_status(&cfg->exports[i], st, detail);
	return ganesha_status(cfg, st, i, ids, detail);
}

/* ---- planning ---------------------------------------------------------------------- */

static char *clients_str(const struct strvec *c)
{
	return sv_join(c, ", ");
}

void nfs_check_mounts(const struct zfs_view *v, const struct config_src *src, const struct nfs_config *cfg, bool *made,
		      struct plan *p)
{
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		if (e->outside_zfs || !e->path)
			continue;
		struct mount_verdict m;
		mount_guard(v, e->path, false, &m);
		char *jp = xasprintf("%s.path", e->jpath);
		if (m.state == MOUNT_NO_DATASET) {
			char *msg = xasprintf("export '%s' is not on a managed zfs dataset: expected dataset '%s' mounted at '%s'",
					      e->path, m.guess, e->path);
			char *h = xasprintf("declare '%s' in zfs.datasets (or mark an existing dataset "
					    "phoenix:managed=true), or set \"outside_zfs\": true on this export",
					    m.guess);
			cfg_diag(&p->diags, src, DIAG_ERROR, jp, h, "%s", msg);
			free(msg);
			free(h);
		} else if (m.state == MOUNT_NOT_MOUNTED) {
			char *msg = xasprintf("dataset '%s' that holds export '%s' is not mounted (mountpoint '%s')", m.dataset,
					      e->path, m.mountpoint);
			char *h = xasprintf("mount it with 'zfs mount %s' and run again", m.dataset);
			cfg_diag(&p->diags, src, DIAG_ERROR, jp, h, "%s", msg);
			free(msg);
			free(h);
		} else if (m.state == MOUNT_NOT_YET) {
			bool exists = zfs_view_exists(v, m.dataset);
			cfg_diag(&p->diags, src, DIAG_ERROR, jp,
				 "add zfs to --only, or apply it first: the export would show the filesystem underneath",
				 "dataset '%s' that holds export '%s' %s: the zfs part of the plan %s, and zfs is not in "
				 "this run (--only)", m.dataset, e->path,
				 exists ? "is not mounted there yet" : "does not exist yet",
				 exists ? "moves it there" : "creates it");
		} else if (m.state != MOUNT_MOUNTED && !strcmp(m.mountpoint, e->path)) {
			/* created or moved here by the zfs part of this plan: its mount makes the root */
			made[i] = true;
		}
		free(jp);
		mount_verdict_free(&m);
	}
}

/*
 * Owner, group and mode of the export roots: unknown users or groups and a
 * root that is not a directory are errors; a missing root is created (unless
 * the mount of a dataset this plan creates makes it, zfs_makes_root), an
 * existing one gets what differs. Pure; everything goes to p.
 */
static void plan_roots(const struct config_src *src, const struct nfs_config *cfg,
		       const struct nfs_state *st, const bool *zfs_makes_root, struct plan *p)
{
	for (size_t i = 0; i < cfg->n_exports && i < st->n_roots; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		const struct nfs_root *r = &st->roots[i];
		bool bad = false;
		if (!r->want_uid_ok) {
			cfg_diag_at(&p->diags, src, DIAG_ERROR, e->jpath, "owner",
				    "create the user first or give a numeric uid", "unknown user '%s'", e->owner);
			bad = true;
		}
		if (!r->want_gid_ok) {
			cfg_diag_at(&p->diags, src, DIAG_ERROR, e->jpath, "group",
				    "create the group first or give a numeric gid", "unknown group '%s'", e->group);
			bad = true;
		}
		if (r->exists && !r->is_dir) {
			cfg_diag_at(&p->diags, src, DIAG_ERROR, e->jpath, "path", "export the real directory",
				    "export root '%s' is not a directory (or is a symbolic link)", e->path);
			bad = true;
		}
		if (bad)
			continue;
		struct nfs_root_data *d = xcalloc(1, sizeof(*d));
		d->path = xstrdup(e->path);
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		if (!r->exists) {
			d->mkdir = true;
			d->set_uid = e->owner != NULL;
			d->uid = r->want_uid;
			d->set_gid = e->group != NULL;
			d->gid = r->want_gid;
			d->set_mode = e->has_mode;
			d->mode = e->mode;
			if (e->owner)
				sb_addf(&sb, ", owner %s", e->owner);
			if (e->group)
				sb_addf(&sb, ", group %s", e->group);
			if (e->has_mode)
				sb_addf(&sb, ", mode %04o", (unsigned)e->mode);
		} else {
			if (e->owner && r->uid != r->want_uid) {
				d->set_uid = true;
				d->uid = r->want_uid;
				sb_addf(&sb, ", owner %u -> %s", (unsigned)r->uid, e->owner);
			}
			if (e->group && r->gid != r->want_gid) {
				d->set_gid = true;
				d->gid = r->want_gid;
				sb_addf(&sb, ", group %u -> %s", (unsigned)r->gid, e->group);
			}
			if (e->has_mode && r->mode != e->mode) {
				d->set_mode = true;
				d->mode = e->mode;
				sb_addf(&sb, ", mode %04o -> %04o", (unsigned)r->mode, (unsigned)e->mode);
			}
			/* chown clears set-id bits: set the mode again after a chown */
			if ((d->set_uid || d->set_gid) && e->has_mode && !d->set_mode) {
				d->set_mode = true;
				d->mode = e->mode;
			}
		}
		struct action *a = NULL;
		if (d->mkdir && zfs_makes_root && zfs_makes_root[i] && !sb.len) {
			/* the dataset's mount makes it; nothing to set */
		} else if (d->mkdir) {
			a = plan_add(p, PHASE_NFS, OP_CREATE, "nfs", "export-root", e->path,
				     "nfs export root %s%s", e->path, sb.len ? sb.buf : "");
		} else if (d->set_uid || d->set_gid || d->set_mode) {
			a = plan_add(p, PHASE_NFS, OP_CHANGE, "nfs", "export-root", e->path,
				     "nfs export root %s%s", e->path, sb.len ? sb.buf + 1 : "");
		}
		sb_release(&sb);
		if (a) {
			action_set_executor(a, AX_NFS_ROOT, d, nfs_root_data_free);
		} else {
			nfs_root_data_free(d);
		}
	}
}

/* The config's line as first written for a file entry we own (for "~" summaries). */
static char *file_entry_opts(const struct nfs_file_export *f)
{
	return xstrdup(f->opts.n ? f->opts.v[0] : "");
}

static const struct nfs_file_export *dropin_find(const struct nfs_state *st, const char *path)
{
	for (size_t i = 0; i < st->dropin.n; i++)
		if (!strcmp(st->dropin.v[i].path, path))
			return &st->dropin.v[i];
	return NULL;
}

static bool config_has(const struct nfs_config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->n_exports; i++)
		if (!strcmp(cfg->exports[i].path, path))
			return true;
	return false;
}

/* "+ nfs export P to C (O)" / "~ nfs export P clients A -> B, options (a) -> (b)". */
static struct action *plan_export_change(struct plan *p, const struct nfs_export *e,
					 const char *old_clients, const char *old_opts,
					 const char *why)
{
	char *cl = clients_str(&e->clients);
	char *op = sv_join(&e->options, ",");
	struct action *a;
	if (!old_clients) {
		a = plan_add(p, PHASE_NFS, OP_CREATE, "nfs", "export", e->path, "nfs export %s to %s (%s)",
			     e->path, cl, op);
	} else if (why) {
		a = plan_add(p, PHASE_NFS, OP_CHANGE, "nfs", "export", e->path,
			     "nfs export %s to %s (%s) (%s)", e->path, cl, op, why);
	} else {
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		if (strcmp(old_clients, cl))
			sb_addf(&sb, "clients %s -> %s", old_clients, cl);
		if (strcmp(old_opts, op))
			sb_addf(&sb, "%soptions (%s) -> (%s)", sb.len ? ", " : "", old_opts, op);
		if (!sb.len)
			sb_adds(&sb, "rewritten");
		a = plan_add(p, PHASE_NFS, OP_CHANGE, "nfs", "export", e->path, "nfs export %s %s",
			     e->path, sb.buf);
		sb_release(&sb);
	}
	free(cl);
	free(op);
	return a;
}

/*
 * The kernel server: the export table must be readable and the drop-in ours;
 * a warning for a path other exports files also export; per export an add or
 * change (against the drop-in and the live table), a remove for what the
 * drop-in has and the config dropped, the unmanaged lines of other files, and
 * one write of the drop-in followed by exportfs -ra when anything differs.
 * Pure; everything goes to p.
 */
static void plan_kernel(const struct config_src *src, const struct nfs_config *cfg,
			const struct nfs_state *st, const char *root, struct plan *p)
{
	char *shown = root_path(root, cfg->dropin);
	if (!st->table_known) {
		char *m = xasprintf("cannot read the kernel export table: %s",
				    st->table_error ? st->table_error : "exportfs failed");
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, "nfs",
			 "install nfs-kernel-server (or set PHOENIX_EXPORTFS to the exportfs program)", "%s", m);
		free(m);
		free(shown);
		return;
	}
	if (st->dropin_exists && !st->dropin_ours) {
		char *m = xasprintf("'%s' exists but was not written by phoenix-storage", shown);
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, "nfs",
			 "move its exports to another file under /etc/exports.d and remove it: the tool owns this file", "%s", m);
		free(m);
		free(shown);
		return;
	}
	for (size_t i = 0; i < cfg->n_exports; i++)
		for (size_t j = 0; j < st->foreign.n; j++)
			if (!strcmp(st->foreign.v[j].path, cfg->exports[i].path)) {
				char *jp = xasprintf("%s.path", cfg->exports[i].jpath);
				char *m = xasprintf("'%s' line %d also exports '%s'", st->foreign.v[j].file,
						    st->foreign.v[j].line, cfg->exports[i].path);
				cfg_diag(&p->diags, src, DIAG_WARNING, jp,
					 "remove one of the two: the server merges them and the result depends on their order", "%s", m);
				free(m);
				free(jp);
			}
	bool changed = false;
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		const struct nfs_file_export *old = dropin_find(st, e->path);
		char *detail = NULL;
		enum nfs_export_state s = kernel_status(e, st, &detail);
		if (!old) {
			plan_export_change(p, e, NULL, NULL, NULL);
			changed = true;
		} else {
			char *want = nfs_render_line(e->path, &e->clients, &e->options);
			struct strvec oldopts = { 0 };
			split_opts(old->opts.n ? old->opts.v[0] : "", &oldopts);
			char *have = nfs_render_line(old->path, &old->clients, &oldopts);
			sv_free(&oldopts);
			bool same_opts = true;
			for (size_t k = 1; k < old->opts.n; k++)
				if (strcmp(old->opts.v[k], old->opts.v[0]))
					same_opts = false;
			if (!have || strcmp(want, have) || !same_opts) {
				char *oc = clients_str(&old->clients);
				char *oo = file_entry_opts(old);
				plan_export_change(p, e, oc, oo, NULL);
				free(oc);
				free(oo);
				changed = true;
			} else if (s != NFS_EXPORT_ACTIVE) {
				char *why = xasprintf("%s in the server: %s", nfs_export_state_name(s), detail);
				plan_export_change(p, e, "", "", why);
				free(why);
				changed = true;
			}
			free(want);
			free(have);
		}
		free(detail);
	}
	for (size_t j = 0; j < st->dropin.n; j++) {
		const struct nfs_file_export *old = &st->dropin.v[j];
		if (config_has(cfg, old->path))
			continue;
		struct action *a = plan_add(p, PHASE_NFS, OP_REMOVE, "nfs", "export", old->path,
					    "nfs export %s", old->path);
		char *oc = clients_str(&old->clients);
		char *oo = file_entry_opts(old);
		sv_pushf(&a->details, "was: to %s (%s)", oc, oo);
		free(oc);
		free(oo);
		changed = true;
	}
	for (size_t j = 0; j < st->table.n; j++) {
		const struct nfs_table_entry *t = &st->table.v[j];
		if (config_has(cfg, t->path) || dropin_find(st, t->path))
			continue;
		bool seen = false;
		for (size_t k = 0; k < j; k++)
			if (!strcmp(st->table.v[k].path, t->path))
				seen = true;
		if (!seen)
			sv_pushf(&p->unmanaged, "nfs export %s (not in the config)", t->path);
	}
	char *text = nfs_render_dropin(cfg);
	bool file_same = st->dropin_exists && !strcmp(text, st->dropin_text);
	if (changed || !file_same) {
		struct nfs_write_data *d = xcalloc(1, sizeof(*d));
		d->path = xstrdup(shown);
		d->text = text;
		d->run_exportfs = true;
		text = NULL;
		struct action *a = plan_add(p, PHASE_NFS, st->dropin_exists ? OP_CHANGE : OP_CREATE, "nfs",
					    "write-exports", cfg->dropin,
					    "nfs write %s (%zu export%s) and run exportfs -ra", shown,
					    cfg->n_exports, cfg->n_exports == 1 ? "" : "s");
		a->depth = 1;
		action_set_executor(a, AX_NFS_WRITE, d, nfs_write_data_free);
	}
	free(text);
	free(shown);
}

/*
 * nfs-ganesha: the main config must exist and the include file be ours;
 * Export_Ids kept stable (ganesha_assign_ids); per export an add or change of
 * its EXPORT block, a remove for blocks the config dropped, one write of the
 * include file, the %include line when missing, and a SIGHUP reload when the
 * server runs (else a warning). Pure; everything goes to p.
 */
static void plan_ganesha(const struct config_src *src, const struct nfs_config *cfg,
			 const struct nfs_state *st, const char *root, struct plan *p)
{
	char *conf = root_path(root, cfg->ganesha_conf);
	char *inc = root_path(root, cfg->ganesha_include);
	if (!st->conf_exists) {
		char *m = xasprintf("nfs-ganesha config '%s' not found", conf);
		cfg_diag(&p->diags, src, DIAG_ERROR, "nfs.server", "install nfs-ganesha or set nfs.ganesha.config_file", "%s", m);
		free(m);
		goto out;
	}
	if (st->include_exists && !st->include_ours) {
		char *m = xasprintf("'%s' exists but was not written by phoenix-storage", inc);
		diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, "nfs",
			 "move its EXPORT blocks into the main ganesha config and remove it, or set nfs.ganesha.include_file", "%s", m);
		free(m);
		goto out;
	}
	for (size_t i = 0; i < cfg->n_exports; i++)
		if (ganesha_find(&st->conf_blocks, cfg->exports[i].path)) {
			char *jp = xasprintf("%s.path", cfg->exports[i].jpath);
			char *m = xasprintf("'%s' also has an EXPORT block for '%s'", conf, cfg->exports[i].path);
			cfg_diag(&p->diags, src, DIAG_WARNING, jp, "remove one of the two", "%s", m);
			free(m);
			free(jp);
		}
	long *ids = xcalloc(cfg->n_exports + 1, sizeof(long));
	ganesha_assign_ids(cfg, &st->include_blocks, &st->conf_blocks, ids);
	bool changed = false;
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		const struct ganesha_export *b = ganesha_find(&st->include_blocks, e->path);
		char *want = ganesha_render_block(e, ids[i]);
		struct action *a = NULL;
		if (!b) {
			a = plan_export_change(p, e, NULL, NULL, NULL);
		} else if (strcmp(want, b->text)) {
			char *cl = clients_str(&e->clients);
			char *op = sv_join(&e->options, ",");
			struct strvec ocv = { 0 };
			split_opts(b->clients ? b->clients : "?", &ocv);
			char *oc = clients_str(&ocv);
			sv_free(&ocv);
			if (!strcmp(oc, cl) && b->options && !strcmp(b->options, op) && b->id != ids[i])
				a = plan_add(p, PHASE_NFS, OP_CHANGE, "nfs", "export", e->path,
					     "nfs export %s Export_Id %ld -> %ld", e->path, b->id, ids[i]);
			else
				a = plan_export_change(p, e, oc, b->options ? b->options : "?", NULL);
			free(oc);
			free(cl);
			free(op);
		}
		if (a) {
			sv_pushf(&a->details, "Export_Id %ld", ids[i]);
			char *ign = ganesha_ignored_options(e);
			if (*ign)
				sv_pushf(&a->details, "no nfs-ganesha equivalent (ignored): %s", ign);
			free(ign);
			changed = true;
		}
		free(want);
	}
	for (size_t j = 0; j < st->include_blocks.n; j++) {
		const struct ganesha_export *b = &st->include_blocks.v[j];
		if (!b->path || config_has(cfg, b->path))
			continue;
		struct action *a = plan_add(p, PHASE_NFS, OP_REMOVE, "nfs", "export", b->path,
					    "nfs export %s", b->path);
		sv_pushf(&a->details, "Export_Id %ld; other exports keep serving", b->id);
		changed = true;
	}
	char *text = ganesha_render_include(cfg, ids);
	bool file_same = st->include_exists && !strcmp(text, st->include_text);
	bool wrote = false;
	if (changed || !file_same) {
		struct nfs_write_data *d = xcalloc(1, sizeof(*d));
		d->path = xstrdup(inc);
		d->text = text;
		text = NULL;
		struct action *a = plan_add(p, PHASE_NFS, st->include_exists ? OP_CHANGE : OP_CREATE, "nfs",
					    "write-exports", cfg->ganesha_include, "nfs write %s (%zu export%s)",
					    inc, cfg->n_exports, cfg->n_exports == 1 ? "" : "s");
		a->depth = 1;
		action_set_executor(a, AX_NFS_WRITE, d, nfs_write_data_free);
		wrote = true;
	}
	free(text);
	if (!st->conf_includes) {
		struct nfs_include_data *d = xcalloc(1, sizeof(*d));
		d->conf = xstrdup(conf);
		d->include = xstrdup(cfg->ganesha_include);
		struct action *a = plan_add(p, PHASE_NFS, OP_CHANGE, "nfs", "ganesha-include", cfg->ganesha_conf,
					    "nfs add '%%include \"%s\"' to %s (every other line kept)",
					    cfg->ganesha_include, conf);
		a->depth = 2;
		action_set_executor(a, AX_NFS_INCLUDE, d, nfs_include_data_free);
		wrote = true;
	}
	if (wrote && st->ganesha_pid) {
		struct nfs_reload_data *d = xcalloc(1, sizeof(*d));
		d->pid_file = root_path(root, cfg->ganesha_pid_file);
		struct action *a = plan_add(p, PHASE_NFS, OP_CHANGE, "nfs", "reload", "nfs-ganesha",
					    "nfs reload nfs-ganesha (SIGHUP to pid %ld; other exports keep serving)",
					    (long)st->ganesha_pid);
		a->depth = 3;
		action_set_executor(a, AX_NFS_RELOAD, d, nfs_reload_data_free);
	} else if (wrote || cfg->n_exports) {
		if (!st->ganesha_pid) {
			char *m = xasprintf("nfs-ganesha is not running (no live pid in '%s'): the exports take effect when it starts",
					    cfg->ganesha_pid_file);
			diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, "nfs", "start nfs-ganesha (systemctl start nfs-ganesha)", "%s", m);
			free(m);
		}
	}
	free(ids);
out:
	free(conf);
	free(inc);
}

void nfs_plan_build(const struct config_src *src, const struct nfs_config *cfg,
		    const struct nfs_state *st, const char *root, const bool *zfs_makes_root,
		    struct plan *p)
{
	if (!cfg->present)
		return;
	/* The renderers refuse a value that would break its line: nothing is planned then. */
	bool renderable = true;
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		bool kernel = cfg->server == NFS_SERVER_KERNEL;
		char *r = kernel ? nfs_render_line(e->path, &e->clients, &e->options) : ganesha_render_block(e, 1);
		if (!r) {
			char *m = xasprintf("refusing to write export '%s' into %s: a value is not one field of printable text",
					    e->path ? e->path : "?", kernel ? cfg->dropin : cfg->ganesha_include);
			cfg_diag(&p->diags, src, DIAG_ERROR, e->jpath, "fix the export in the config: validate should have refused it", "%s", m);
			free(m);
			renderable = false;
		}
		free(r);
	}
	if (!renderable)
		return;
	plan_roots(src, cfg, st, zfs_makes_root, p);
	if (cfg->server == NFS_SERVER_KERNEL)
		plan_kernel(src, cfg, st, root, p);
	else
		plan_ganesha(src, cfg, st, root, p);
}

void nfs_write_data_free(void *p)
{
	struct nfs_write_data *d = p;
	if (!d)
		return;
	free(d->path);
	free(d->text);
	free(d);
}

void nfs_include_data_free(void *p)
{
	struct nfs_include_data *d = p;
	if (!d)
		return;
	free(d->conf);
	free(d->include);
	free(d);
}

void nfs_reload_data_free(void *p)
{
	struct nfs_reload_data *d = p;
	if (!d)
		return;
	free(d->pid_file);
	free(d);
}

void nfs_root_data_free(void *p)
{
	struct nfs_root_data *d = p;
	if (!d)
		return;
	free(d->path);
	free(d);
}
