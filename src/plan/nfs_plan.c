#include "plan/nfs_plan.h"

#include <stdlib.h>
#include <string.h>

#include "apply/nfs_apply.h"
#include "cmd/ctx.h"
#include "config/grammar.h"
#include "config/zfs_config.h"
#include "plan/zfs_plan.h"
#include "state/zfs_state.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strbuf.h"

/* ---- rendering ---------------------------------------------------------------- */

/* One field of an exports line or a ganesha list: printable, no white space and none of bad. */
static bool field_ok(const char *s, const char *bad)
{
	if (!s || !*s || !gram_line_ok(s))
		return false;
	for (; *s; s++)
		if (*s == ' ' || strchr(bad, *s))
			return false;
	return true;
}

char *nfs_render_line(const char *path, const struct strvec *clients, const struct strvec *opts)
{
	/* '#' starts a comment anywhere in an exports line; '\\' starts an octal escape or joins the next line */
	if (!field_ok(path, "\"#\\"))
		return NULL;
	for (size_t i = 0; i < clients->n; i++)
		if (!field_ok(clients->v[i], "\"()#\\"))
			return NULL;
	for (size_t i = 0; i < opts->n; i++)
		if (!field_ok(opts->v[i], "\"(),#\\"))
			return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_adds(&sb, path);
	char *o = nfs_join(opts, ",");
	for (size_t i = 0; i < clients->n; i++) {
		if (*o)
			sb_addf(&sb, " %s(%s)", clients->v[i], o);
		else
			sb_addf(&sb, " %s", clients->v[i]);
	}
	free(o);
	return sb_detach(&sb);
}

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
	/* in a quoted ganesha string '\\' escapes the next character: the closing quote too */
	if (!field_ok(e->path, "\"\\") || !gram_line_ok(o->sec) || !gram_line_ok(o->fsid))
		return NULL;
	for (size_t i = 0; i < e->clients.n; i++)
		if (!field_ok(e->clients.v[i], "\",;{}\\"))
			return NULL;
	for (size_t i = 0; i < e->options.n; i++)
		if (!field_ok(e->options.v[i], ""))
			return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	char *clients = nfs_join(&e->clients, ",");
	char *opts = nfs_join(&e->options, ",");
	const char *squash = o->all_squash ? "All_Squash" : o->no_root_squash ? "No_Root_Squash" : "Root_Squash";
	sb_addf(&sb, "EXPORT {\n\t# phoenix: clients=%s options=%s\n", clients, opts);
	sb_addf(&sb, "\tExport_Id = %ld;\n\tPath = \"%s\";\n\tPseudo = \"%s\";\n", id, e->path, e->path);
	sb_adds(&sb, "\tProtocols = 3, 4;\n\tAccess_Type = None;\n");
	sb_addf(&sb, "\tSquash = %s;\n", squash);
	struct strbuf sec = STRBUF_INIT;
	sb_init(&sec);
	for (const char *p = o->sec; *p; p++)
		if (*p == ':')
			sb_adds(&sec, ", ");
		else
			sb_addc(&sec, *p);
	sb_addf(&sb, "\tSecType = %s;\n", sec.buf);
	sb_release(&sec);
	if (o->fsid[0] && strcmp(o->fsid, "0") && strspn(o->fsid, "0123456789") == strlen(o->fsid))
		sb_addf(&sb, "\tFilesystem_Id = %s.%s;\n", o->fsid, o->fsid);
	sb_adds(&sb, "\tFSAL {\n\t\tName = VFS;\n\t}\n");
	sb_adds(&sb, "\tCLIENT {\n");
	sb_adds(&sb, "\t\tClients = ");
	for (size_t i = 0; i < e->clients.n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", e->clients.v[i]);
	sb_adds(&sb, ";\n");
	sb_addf(&sb, "\t\tAccess_Type = %s;\n\t\tSquash = %s;\n", o->rw ? "RW" : "RO", squash);
	/* always written: ganesha's own default differs from the kernel's 65534 */
	sb_addf(&sb, "\t\tAnonymous_Uid = %lld;\n\t\tAnonymous_Gid = %lld;\n", o->anonuid, o->anongid);
	for (size_t i = 0; i < e->options.n; i++) {
		if (!strcmp(e->options.v[i], "secure"))
			sb_adds(&sb, "\t\tPrivilegedPort = true;\n");
		if (!strcmp(e->options.v[i], "insecure"))
			sb_adds(&sb, "\t\tPrivilegedPort = false;\n");
	}
	sb_adds(&sb, "\t}\n}");
	free(clients);
	free(opts);
	return sb_detach(&sb);
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

char *ganesha_conf_add_include(const char *text, const char *include)
{
	if (!field_ok(include, "\"\\"))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_adds(&sb, text ? text : "");
	if (sb.len && sb.buf[sb.len - 1] != '\n')
		sb_addc(&sb, '\n');
	sb_addf(&sb, "\n# Added by phoenix-storage: the exports of its nfs section.\n%%include \"%s\"\n", include);
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
	return nfs_join(c, ", ");
}

static void pdiag(struct plan *p, const struct config_src *src, enum diag_level lvl, const char *jpath,
		  const char *hint, const char *msg)
{
	if (src)
		cfg_diag(&p->diags, src, lvl, jpath, hint, "%s", msg);
	else
		diag_add(&p->diags, lvl, NULL, 0, 0, jpath, hint, "%s", msg);
}

/* Owner, group and mode of the export roots. */
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
			a->fn = nfs_apply_root;
			a->data = d;
			a->free_data = nfs_root_data_free;
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
	char *op = nfs_join(&e->options, ",");
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

static void plan_kernel(const struct config_src *src, const struct nfs_config *cfg,
			const struct nfs_state *st, const char *root, struct plan *p)
{
	char *shown = root_path(root, cfg->dropin);
	if (!st->table_known) {
		char *m = xasprintf("cannot read the kernel export table: %s",
				    st->table_error ? st->table_error : "exportfs failed");
		pdiag(p, NULL, DIAG_ERROR, "nfs",
		      "install nfs-kernel-server (or set PHOENIX_EXPORTFS to the exportfs program)", m);
		free(m);
		free(shown);
		return;
	}
	if (st->dropin_exists && !st->dropin_ours) {
		char *m = xasprintf("'%s' exists but was not written by phoenix-storage", shown);
		pdiag(p, NULL, DIAG_ERROR, "nfs",
		      "move its exports to another file under /etc/exports.d and remove it: the tool owns this file", m);
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
				pdiag(p, src, DIAG_WARNING, jp,
				      "remove one of the two: the server merges them and the result depends on their order", m);
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
		a->fn = nfs_apply_write;
		a->data = d;
		a->free_data = nfs_write_data_free;
	}
	free(text);
	free(shown);
}

static void plan_ganesha(const struct config_src *src, const struct nfs_config *cfg,
			 const struct nfs_state *st, const char *root, struct plan *p)
{
	char *conf = root_path(root, cfg->ganesha_conf);
	char *inc = root_path(root, cfg->ganesha_include);
	if (!st->conf_exists) {
		char *m = xasprintf("nfs-ganesha config '%s' not found", conf);
		pdiag(p, src, DIAG_ERROR, "nfs.server", "install nfs-ganesha or set nfs.ganesha.config_file", m);
		free(m);
		goto out;
	}
	if (st->include_exists && !st->include_ours) {
		char *m = xasprintf("'%s' exists but was not written by phoenix-storage", inc);
		pdiag(p, NULL, DIAG_ERROR, "nfs",
		      "move its EXPORT blocks into the main ganesha config and remove it, or set nfs.ganesha.include_file", m);
		free(m);
		goto out;
	}
	for (size_t i = 0; i < cfg->n_exports; i++)
		if (ganesha_find(&st->conf_blocks, cfg->exports[i].path)) {
			char *jp = xasprintf("%s.path", cfg->exports[i].jpath);
			char *m = xasprintf("'%s' also has an EXPORT block for '%s'", conf, cfg->exports[i].path);
			pdiag(p, src, DIAG_WARNING, jp, "remove one of the two", m);
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
			char *op = nfs_join(&e->options, ",");
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
		a->fn = nfs_apply_write;
		a->data = d;
		a->free_data = nfs_write_data_free;
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
		a->fn = nfs_apply_include;
		a->data = d;
		a->free_data = nfs_include_data_free;
		wrote = true;
	}
	if (wrote && st->ganesha_pid) {
		struct nfs_reload_data *d = xcalloc(1, sizeof(*d));
		d->pid_file = root_path(root, cfg->ganesha_pid_file);
		struct action *a = plan_add(p, PHASE_NFS, OP_CHANGE, "nfs", "reload", "nfs-ganesha",
					    "nfs reload nfs-ganesha (SIGHUP to pid %ld; other exports keep serving)",
					    (long)st->ganesha_pid);
		a->depth = 3;
		a->fn = nfs_apply_reload;
		a->data = d;
		a->free_data = nfs_reload_data_free;
	} else if (wrote || cfg->n_exports) {
		if (!st->ganesha_pid) {
			char *m = xasprintf("nfs-ganesha is not running (no live pid in '%s'): the exports take effect when it starts",
					    cfg->ganesha_pid_file);
			pdiag(p, NULL, DIAG_WARNING, "nfs", "start nfs-ganesha (systemctl start nfs-ganesha)", m);
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
			pdiag(p, src, DIAG_ERROR, e->jpath, "fix the export in the config: validate should have refused it", m);
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

/* ---- status -------------------------------------------------------------------------- */

json_t *nfs_status_json(const struct nfs_config *cfg, const struct nfs_state *st, FILE *text)
{
	json_t *o = json_object();
	bool kernel = cfg->server == NFS_SERVER_KERNEL;
	json_object_set_new(o, "server", json_string(kernel ? "kernel" : "ganesha"));
	json_object_set_new(o, "file", json_string(kernel ? cfg->dropin : cfg->ganesha_include));
	if (!kernel)
		json_object_set_new(o, "running", json_boolean(st->ganesha_pid != 0));
	long *ids = xcalloc(cfg->n_exports + 1, sizeof(long));
	if (!kernel)
		ganesha_assign_ids(cfg, &st->include_blocks, &st->conf_blocks, ids);
	if (text) {
		fprintf(text, "nfs (%s, %s)", kernel ? "kernel" : "nfs-ganesha",
			kernel ? cfg->dropin : cfg->ganesha_include);
		if (!kernel)
			fprintf(text, st->ganesha_pid ? ", server running as pid %ld" : ", server not running",
				(long)st->ganesha_pid);
		if (kernel && !st->table_known)
			fprintf(text, ", export table unreadable: %s", st->table_error ? st->table_error : "?");
		fprintf(text, ":\n");
		if (!cfg->n_exports)
			fprintf(text, "  no exports configured\n");
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		char *detail = NULL;
		enum nfs_export_state s;
		if (kernel && !st->table_known) {
			s = NFS_EXPORT_MISSING;
			detail = xstrdup("the export table could not be read");
		} else {
			s = nfs_export_status(cfg, st, i, ids, &detail);
		}
		json_t *x = json_object();
		json_object_set_new(x, "path", json_string(e->path));
		json_t *cl = json_array();
		for (size_t k = 0; k < e->clients.n; k++)
			json_array_append_new(cl, json_string(e->clients.v[k]));
		json_object_set_new(x, "clients", cl);
		json_t *op = json_array();
		for (size_t k = 0; k < e->options.n; k++)
			json_array_append_new(op, json_string(e->options.v[k]));
		json_object_set_new(x, "options", op);
		json_object_set_new(x, "state", json_string(nfs_export_state_name(s)));
		if (*detail)
			json_object_set_new(x, "detail", json_string(detail));
		if (!kernel)
			json_object_set_new(x, "export_id", json_integer(ids[i]));
		json_array_append_new(arr, x);
		if (text) {
			char *line = nfs_render_line(e->path, &e->clients, &e->options);
			fprintf(text, "  %-8s %s%s%s\n", nfs_export_state_name(s), line ? line : "(not renderable)",
				*detail ? ": " : "", detail);
			free(line);
		}
		free(detail);
	}
	free(ids);
	json_object_set_new(o, "exports", arr);
	return o;
}

/* ---- the subsystem ----------------------------------------------------------------------- */

struct nfs_sub {
	struct nfs_config cfg;
	struct nfs_state st;
};

static int sub_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct nfs_sub *s = xcalloc(1, sizeof(*s));
	*priv = s;
	int rc = nfs_config_load(&ctx->main, &s->cfg, dl);
	for (size_t i = 0; i < s->cfg.n_exports; i++) {
		const struct nfs_export *e = &s->cfg.exports[i];
		const char *ds = NULL;
		const struct zcfg_prop *pr = e->path ? zfs_config_shares_path(ctx, "sharenfs", e->path, &ds) : NULL;
		if (!pr)
			continue;
		char *hint = xasprintf("remove sharenfs from dataset '%s': %s manages this export", ds, e->jpath);
		cfg_diag(dl, &ctx->main, DIAG_ERROR, pr->jpath, hint,
			 "dataset '%s' shares '%s' through sharenfs, and %s exports it too", ds, e->path, e->jpath);
		free(hint);
		rc = -1;
	}
	return rc;
}

static int sub_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	struct nfs_sub *s = priv;
	nfs_state_free(&s->st);
	return nfs_state_discover(&s->cfg, ctx->root, &s->st, dl);
}


/* The dataset that should hold path: below the deepest dataset (or pool) whose mountpoint covers it. */
static char *guess_dataset(const struct ph_ctx *ctx, const char *path)
{
	const char *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; ctx->zst && i < ctx->zst->n_datasets; i++) {
		const struct zprop *m = zfs_dataset_prop(&ctx->zst->datasets[i], "mountpoint");
		size_t l = m ? path_covers(m->value, path) : 0;
		if (l > best_len) {
			best_len = l;
			best = ctx->zst->datasets[i].name;
		}
	}
	for (size_t i = 0; ctx->zcfg && i < ctx->zcfg->n_pools; i++) {
		const struct zcfg_pool *pc = &ctx->zcfg->pools[i];
		char *mp = pc->mountpoint ? xstrdup(pc->mountpoint) : xasprintf("/%s", pc->name);
		size_t l = path_covers(mp, path);
		free(mp);
		if (l > best_len) {
			best_len = l;
			best = pc->name;
		}
	}
	if (!best)
		return xstrdup(path + 1);
	const char *rest = path + (best_len == 1 ? 0 : best_len);
	return xasprintf("%s%s", best, rest);
}

/* Mount-before-use: every export (unless outside_zfs) lives on a mounted managed dataset. */
static void check_mounts(struct ph_ctx *ctx, const struct nfs_config *cfg, bool *made, struct plan *p)
{
	for (size_t i = 0; i < cfg->n_exports; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		if (e->outside_zfs || !e->path)
			continue;
		const char *mp = NULL;
		bool mounted = false;
		const char *ds = zfs_dataset_for_path(ctx, e->path, &mp, &mounted);
		char *jp = xasprintf("%s.path", e->jpath);
		if (!ds) {
			char *want = guess_dataset(ctx, e->path);
			char *m = xasprintf("export '%s' is not on a managed zfs dataset: expected dataset '%s' mounted at '%s'",
					    e->path, want, e->path);
			char *h = xasprintf("declare '%s' in zfs.datasets (or mark an existing dataset "
					    "phoenix:managed=true), or set \"outside_zfs\": true on this export",
					    want);
			free(want);
			pdiag(p, &ctx->main, DIAG_ERROR, jp, h, m);
			free(m);
			free(h);
		} else if (!mounted) {
			const struct zfs_dataset *zd = ctx->zst ? zfs_state_dataset(ctx->zst, ds) : NULL;
			const struct zprop *mnt = zd ? zfs_dataset_prop(zd, "mounted") : NULL;
			/* mounted elsewhere: the zfs part of this plan moves its mountpoint */
			if (zd && !(mnt && !strcmp(mnt->value, "yes"))) {
				char *m = xasprintf("dataset '%s' that holds export '%s' is not mounted (mountpoint '%s')",
						    ds, e->path, mp ? mp : "?");
				char *h = xasprintf("mount it with 'zfs mount %s' and run again", ds);
				pdiag(p, &ctx->main, DIAG_ERROR, jp, h, m);
				free(m);
				free(h);
			} else if (mp && !strcmp(mp, e->path)) {
				made[i] = true;
			}
		}
		free(jp);
	}
}

static void sub_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	struct nfs_sub *s = priv;
	if (!s->cfg.present)
		return;
	bool *made = xcalloc(s->cfg.n_exports + 1, sizeof(bool));
	check_mounts(ctx, &s->cfg, made, p);
	nfs_plan_build(&ctx->main, &s->cfg, &s->st, ctx->root, made, p);
	free(made);
}

static void sub_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	(void)ctx;
	struct nfs_sub *s = priv;
	if (!s->cfg.present)
		return;
	json_object_set_new(out, "nfs", nfs_status_json(&s->cfg, &s->st, text));
}

static void sub_free(void *priv)
{
	struct nfs_sub *s = priv;
	if (!s)
		return;
	nfs_config_free(&s->cfg);
	nfs_state_free(&s->st);
	free(s);
}

const struct subsystem nfs_subsystem = {
	.name = "nfs",
	.load = sub_load,
	.discover = sub_discover,
	.plan = sub_plan,
	.status = sub_status,
	.free = sub_free,
};
