#include "plan/pve_plan.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/zfs_config.h"
#include "plan/mounts.h"
#include "plan/zfs_plan.h"
#include "formats/guest_conf.h"
#include "formats/storage_cfg.h"
#include "state/zfs_state.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define SUB "pve"

/* ---------- the payload ---------- */

struct pve_edit *pve_edit_new(enum pve_edit_kind kind, const char *file, const char *type, const char *id)
{
	struct pve_edit *e = xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->file = file ? xstrdup(file) : NULL;
	e->type = type ? xstrdup(type) : NULL;
	e->id = id ? xstrdup(id) : NULL;
	return e;
}

void pve_edit_free(void *p)
{
	struct pve_edit *e = p;
	if (!e)
		return;
	free(e->file);
	free(e->type);
	free(e->id);
	free(e->fp_key);
	free(e->fp_value);
	sv_free(&e->keys);
	sv_free(&e->values);
	pve_mount_rec_free(&e->mount_add);
	pve_mount_rec_free(&e->mount_del);
	free(e);
}

bool pve_edit_owns(const struct pve_edit *e)
{
	return e->own || e->mount_add.source || e->mount_del.source;
}

static void mount_rec_set(struct pve_mount_rec *m, unsigned ct, const char *source, const char *target)
{
	m->ct = ct;
	m->source = xstrdup(source);
	m->target = xstrdup(target);
}

void pve_action_set_edit(struct action *a, struct pve_edit *e)
{
	if (pve_edit_owns(e))
		a->before = AX_PVE_INTENT;
	action_set_executor(a, AX_PVE_EDIT, e, pve_edit_free);
}

/* ---------- small helpers ---------- */

static char *size_str(uint64_t b)
{
	return pve_size_format(b);
}

static void argv_add(struct action *a, const char *first, ...)
{
	struct strvec v = { 0 };
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		sv_push(&v, s);
	va_end(ap);
	action_add_cmd(a, &v);
}

/* "/a//b/" -> "/a/b" (no validation: only for comparing paths). Caller frees. */
static char *norm_path(const char *p)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (const char *s = p; *s; s++)
		if (*s != '/' || (sb.len == 0 || sb.buf[sb.len - 1] != '/'))
			sb_addc(&sb, *s);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	return sb_detach(&sb);
}

/* What a storage id means after apply: the desired entry when the tool owns or will create it. */
struct sinfo {
	const char *type;
	const char *pool;     /* zfspool */
	const char *content;  /* as written, NULL = type default */
	bool exists_now;
	bool known;
};

static struct sinfo storage_info(const struct pve_config *pc, const struct pve_state *st, const char *id)
{
	struct sinfo s = { 0 };
	const struct scfg_section *sec = storage_cfg_find(&st->scfg, id);
	const struct pve_storage_want *w = pve_config_storage(pc, id);
	s.exists_now = sec != NULL;
	if (w && (!sec || pve_state_owns(st, id))) {
		s.type = w->type;
		s.pool = w->pool;
		s.content = w->content;
		s.known = true;
	} else if (sec) {
		s.type = sec->type;
		s.pool = scfg_get(sec, "pool");
		s.content = scfg_get(sec, "content");
		s.known = true;
	}
	return s;
}

static bool content_has(const struct sinfo *s, const char *what)
{
	const char *c = s->content;
	if (!c) {
		if (!strcmp(s->type, "nfs") || !strcmp(s->type, "cifs"))
			c = "images";
		else if (!strcmp(s->type, "zfspool") || !strcmp(s->type, "dir") || !strcmp(s->type, "lvmthin") ||
			 !strcmp(s->type, "zfs") || !strcmp(s->type, "rbd") || !strcmp(s->type, "btrfs"))
			c = "images,rootdir";
		else
			return true; /* unknown type: do not guess */
	}
	char *n = pve_content_normalize(c);
	bool has = false;
	const char *p = n;
	while (*p && !has) {
		size_t l = strcspn(p, ",");
		has = l == strlen(what) && !strncmp(p, what, l);
		p += l;
		if (*p)
			p++;
	}
	free(n);
	return has;
}

/* Storage part of a volume id ("store:vol" -> "store"). Caller frees; NULL for paths/devices. */
static char *volume_storage(const char *vol)
{
	if (!vol || vol[0] == '/')
		return NULL;
	const char *c = strchr(vol, ':');
	return c ? xstrndup(vol, (size_t)(c - vol)) : NULL;
}

/* Checks that a guest's storage exists (or will) and holds the content; errors/warnings to p. */
static bool check_guest_storage(const struct pve_config *pc, const struct pve_state *st, const char *id,
				const char *content, const char *who, const struct config_src *src,
				const char *jpath, struct plan *p)
{
	struct sinfo s = storage_info(pc, st, id);
	if (!s.known) {
		struct strbuf h = STRBUF_INIT;
		sb_init(&h);
		sb_adds(&h, "use a storage of storage.cfg or of the config:");
		size_t shown = 0;
		for (size_t i = 0; i < st->scfg.n && shown < 12; i++, shown++)
			sb_addf(&h, " %s", st->scfg.v[i].id);
		for (size_t i = 0; i < pc->n_storages && shown < 12; i++)
			if (!storage_cfg_find(&st->scfg, pc->storages[i].id)) {
				sb_addf(&h, " %s", pc->storages[i].id);
				shown++;
			}
		cfg_diag(&p->diags, src, DIAG_ERROR, jpath, h.buf, "%s: '%s' is not a Proxmox storage", who, id);
		sb_release(&h);
		return false;
	}
	if (!content_has(&s, content)) {
		char *hint = xasprintf("add %s to the content of storage '%s'", content, id);
		cfg_diag(&p->diags, src, DIAG_ERROR, jpath, hint, "%s: storage '%s' does not hold %s (content %s)", who,
			 id, content, s.content ? s.content : "default");
		free(hint);
		return false;
	}
	return true;
}

/* ---------- storages ---------- */

/* Keys and values of a new section, in the order Proxmox writes them. */
static void storage_lines(const struct pve_storage_want *w, struct strvec *k, struct strvec *v)
{
	if (!strcmp(w->type, "zfspool")) {
		sv_push(k, "pool"), sv_push(v, w->pool);
		if (w->blocksize)
			sv_push(k, "blocksize"), sv_push(v, w->blocksize);
		if (w->content)
			sv_push(k, "content"), sv_push(v, w->content);
		if (w->nodes)
			sv_push(k, "nodes"), sv_push(v, w->nodes);
		if (w->sparse >= 0)
			sv_push(k, "sparse"), sv_push(v, w->sparse ? "1" : "0");
	} else if (!strcmp(w->type, "dir")) {
		sv_push(k, "path"), sv_push(v, w->path);
		if (w->content)
			sv_push(k, "content"), sv_push(v, w->content);
		sv_push(k, "is_mountpoint"), sv_push(v, "yes");
		if (w->nodes)
			sv_push(k, "nodes"), sv_push(v, w->nodes);
	} else {
		sv_push(k, "export"), sv_push(v, w->export);
		sv_push(k, "path"), sv_push(v, w->path);
		sv_push(k, "server"), sv_push(v, w->server);
		if (w->content)
			sv_push(k, "content"), sv_push(v, w->content);
		if (w->options)
			sv_push(k, "options"), sv_push(v, w->options);
	}
}

static char *storage_desc(const struct pve_storage_want *w)
{
	const char *c = w->content ? w->content : "Proxmox default";
	if (!strcmp(w->type, "zfspool"))
		return xasprintf("zfspool on %s, content %s%s%s%s", w->pool, c,
				 w->sparse == 1 ? ", sparse" : "", w->nodes ? ", nodes " : "", w->nodes ? w->nodes : "");
	if (!strcmp(w->type, "dir"))
		return xasprintf("dir %s (offline unless mounted), content %s%s%s", w->path, c, w->nodes ? ", nodes " : "",
				 w->nodes ? w->nodes : "");
	return xasprintf("nfs %s:%s at %s, content %s", w->server, w->export, w->path, c);
}

/* Differences of an owned entry that pvesm set can fix: keys/values to set ("" = delete). */
static void storage_drift(const struct pve_storage_want *w, const struct scfg_section *sec, struct strvec *k,
			  struct strvec *v, struct strbuf *why)
{
	if (w->content) {
		const char *cur = scfg_get(sec, "content");
		char *n = pve_content_normalize(cur ? cur : "");
		if (strcmp(n, w->content)) {
			sv_push(k, "content"), sv_push(v, w->content);
			sb_addf(why, "%scontent %s -> %s", why->len ? ", " : "", cur ? cur : "(default)", w->content);
		}
		free(n);
	}
	if (w->nodes) {
		const char *cur = scfg_get(sec, "nodes");
		if (!cur || strcmp(cur, w->nodes)) {
			sv_push(k, "nodes"), sv_push(v, w->nodes);
			sb_addf(why, "%snodes %s -> %s", why->len ? ", " : "", cur ? cur : "(every node)", w->nodes);
		}
	}
	if (!strcmp(w->type, "zfspool")) {
		if (w->sparse >= 0 && pve_bool(scfg_get(sec, "sparse")) != w->sparse &&
		    !(w->sparse == 0 && !scfg_get(sec, "sparse"))) {
			sv_push(k, "sparse"), sv_push(v, w->sparse ? "1" : "0");
			sb_addf(why, "%ssparse -> %d", why->len ? ", " : "", w->sparse);
		}
		const char *bs = scfg_get(sec, "blocksize");
		if (w->blocksize && (!bs || strcasecmp(bs, w->blocksize))) {
			sv_push(k, "blocksize"), sv_push(v, w->blocksize);
			sb_addf(why, "%sblocksize %s -> %s", why->len ? ", " : "", bs ? bs : "(default)", w->blocksize);
		}
	} else if (!strcmp(w->type, "dir")) {
		const char *im = scfg_get(sec, "is_mountpoint");
		if (!im || (pve_bool(im) != 1 && strcmp(im, w->path))) {
			sv_push(k, "is_mountpoint"), sv_push(v, "yes");
			sb_addf(why, "%sis_mountpoint %s -> yes", why->len ? ", " : "", im ? im : "(unset)");
		}
		if (pve_bool(scfg_get(sec, "shared")) == 1) {
			sv_push(k, "shared"), sv_push(v, "");
			sb_addf(why, "%sshared 1 removed (the directory is local to this node)", why->len ? ", " : "");
		}
	} else {
		const char *o = scfg_get(sec, "options");
		if (w->options && (!o || strcmp(o, w->options))) {
			sv_push(k, "options"), sv_push(v, w->options);
			sb_addf(why, "%soptions %s -> %s", why->len ? ", " : "", o ? o : "(none)", w->options);
		}
	}
}

/* The fixed properties (pool/path/server/export) that differ; empty when none. */
static void storage_fixed_drift(const struct pve_storage_want *w, const struct scfg_section *sec,
				struct strbuf *why)
{
	const char *keys[3] = { NULL };
	const char *vals[3] = { NULL };
	if (!strcmp(w->type, "zfspool")) {
		keys[0] = "pool", vals[0] = w->pool;
	} else if (!strcmp(w->type, "dir")) {
		keys[0] = "path", vals[0] = w->path;
	} else {
		keys[0] = "server", vals[0] = w->server;
		keys[1] = "export", vals[1] = w->export;
		keys[2] = "path", vals[2] = w->path;
	}
	for (size_t i = 0; i < 3 && keys[i]; i++) {
		const char *cur = scfg_get(sec, keys[i]);
		if (!cur || strcmp(cur, vals[i]))
			sb_addf(why, "%s%s %s (config: %s)", why->len ? ", " : "", keys[i], cur ? cur : "(unset)", vals[i]);
	}
}

/* Guests whose configs use volumes of storage id: "container 101 (mp0), vm 1001 (scsi0)". */
static size_t storage_users(const struct pve_state *st, const char *id, struct strbuf *who)
{
	size_t n = 0;
	size_t idl = strlen(id);
	for (size_t i = 0; i < st->n_guests; i++) {
		const struct pve_guest *g = &st->guests[i];
		struct strbuf keys = STRBUF_INIT;
		sb_init(&keys);
		for (size_t j = 0; j < g->conf.n; j++) {
			const struct gc_line *l = &g->conf.v[j];
			if (l->kind != GC_KEY)
				continue;
			struct pve_propstr ps;
			if (pve_propstr_parse(l->value, g->is_ct ? "volume" : "file", &ps))
				continue;
			if (ps.volume && !strncmp(ps.volume, id, idl) && ps.volume[idl] == ':') {
				bool dup = false;
				/* the same key in a snapshot is the same use */
				const char *k = keys.buf;
				while (*k && !dup) {
					size_t kl = strcspn(k, ",");
					dup = kl == strlen(l->key) && !strncmp(k, l->key, kl);
					k += kl;
					if (*k)
						k++;
				}
				if (!dup)
					sb_addf(&keys, "%s%s", keys.len ? "," : "", l->key);
			}
			pve_propstr_free(&ps);
		}
		if (keys.len) {
			sb_addf(who, "%s%s %u (%s)%s", who->len ? ", " : "", g->is_ct ? "container" : "vm", g->id, keys.buf,
				g->local ? "" : " on another node");
			n++;
		}
		sb_release(&keys);
	}
	return n;
}

/* An apply was killed between an ownership intent and its record: one action writes down what happened. */
static void plan_resolve_ownership(const struct pve_state *st, struct plan *p)
{
	if (!st->owned_notes.n)
		return;
	struct action *a = plan_add(p, PHASE_PVE_STORAGE, OP_CHANGE, SUB, "resolve-ownership", PVE_OWNED_FILE,
				    "complete the ownership record an interrupted apply left in %s", PVE_OWNED_FILE);
	a->depth = -1;
	for (size_t i = 0; i < st->owned_notes.n; i++)
		sv_push(&a->details, st->owned_notes.v[i]);
	struct pve_edit *e = pve_edit_new(PVE_EDIT_NONE, NULL, NULL, NULL);
	e->resolve = true;
	pve_action_set_edit(a, e);
}

/*
 * A storage of the config that storage.cfg does not have: a warning when
 * another storage already uses its pool or path, then the add action (pvesm
 * add, or the storage.cfg edit) with its ownership intent. zfs_mp: a dir
 * storage's dataset mountpoint as ZFS has it (NULL for other types).
 */
static void plan_new_storage(const struct zfs_view *v, const struct pve_storage_want *w, const char *zfs_mp,
			     const struct pve_state *st, bool cli, struct plan *p)
{
	for (size_t j = 0; j < st->scfg.n; j++) {
		const struct scfg_section *o = &st->scfg.v[j];
		const char *op = scfg_get(o, "pool"), *opath = scfg_get(o, "path");
		if ((w->pool && op && !strcmp(op, w->pool) && !strcmp(o->type, "zfspool")) ||
		    (!strcmp(w->type, "dir") && opath && !strcmp(opath, w->path) && !strcmp(o->type, "dir")))
			cfg_diag(&p->diags, w->src, DIAG_WARNING, w->jpath,
				 "two storages on one place list the same volumes twice; keep one",
				 "storage '%s' would use %s, which storage '%s' already uses", w->id,
				 w->pool ? w->pool : w->path, o->id);
	}
	char *desc = storage_desc(w);
	struct action *a = plan_add(p, PHASE_PVE_STORAGE, OP_CREATE, SUB, "add-storage", w->id,
				    "add Proxmox storage '%s': %s", w->id, desc);
	free(desc);
	struct strvec k = { 0 }, vals = { 0 };
	storage_lines(w, &k, &vals);
	struct pve_edit *e = pve_edit_new(cli ? PVE_EDIT_NONE : PVE_EDIT_STORAGE_ADD, NULL, w->type, w->id);
	e->own = 1;
	/* the intent names what identifies the new section (pve_state.h: the ownership protocol) */
	e->fp_key = xstrdup(!strcmp(w->type, "zfspool") ? "pool" : !strcmp(w->type, "dir") ? "path" : "export");
	e->fp_value = xstrdup(!strcmp(w->type, "zfspool") ? w->pool : !strcmp(w->type, "dir") ? w->path : w->export);
	if (cli) {
		struct strvec argv = { 0 };
		sv_push(&argv, "pvesm"), sv_push(&argv, "add"), sv_push(&argv, w->type), sv_push(&argv, w->id);
		for (size_t j = 0; j < k.n; j++) {
			sv_pushf(&argv, "--%s", k.v[j]);
			sv_push(&argv, vals.v[j]);
		}
		action_add_cmd(a, &argv);
		sv_free(&k);
		sv_free(&vals);
	} else {
		e->keys = k;
		e->values = vals;
		sv_push(&a->details, "writes " PVE_STORAGE_CFG);
	}
	pve_action_set_edit(a, e);
	if (zfs_mp) {
		struct mount_verdict m;
		mount_guard(v, zfs_mp, false, &m);
		if (m.dataset && m.state != MOUNT_MOUNTED)
			sv_pushf(&a->details, "%s is not mounted yet: Proxmox shows the storage offline until it is",
				 w->path);
		mount_verdict_free(&m);
	}
}

/* A storage of the config that exists but was not created by the tool: listed, and a warning when it differs. */
static void warn_foreign_storage(const struct pve_storage_want *w, const struct scfg_section *sec, struct plan *p)
{
	sv_pushf(&p->unmanaged, "Proxmox storage '%s' (%s): not created by phoenix-storage", w->id, sec->type);
	struct strbuf why = STRBUF_INIT;
	sb_init(&why);
	if (strcmp(sec->type, w->type)) {
		sb_addf(&why, "type %s (config: %s)", sec->type, w->type);
	} else {
		struct strvec k = { 0 }, vals = { 0 };
		storage_fixed_drift(w, sec, &why);
		storage_drift(w, sec, &k, &vals, &why);
		sv_free(&k);
		sv_free(&vals);
	}
	if (why.len) {
		char *hint = xasprintf("phoenix-storage changes only storages it created: adjust '%s' in Proxmox, "
				       "or remove it there (pvesm remove %s) so that apply creates it",
				       w->id, w->id);
		cfg_diag(&p->diags, w->src, DIAG_WARNING, w->jpath, hint,
			 "storage '%s' exists, differs from the config (%s) and is left alone", w->id, why.buf);
		free(hint);
	}
	sb_release(&why);
}

/*
 * A storage the tool created: a type or fixed-property change is only warned
 * about (Proxmox cannot make it); what pvesm set can fix becomes one change
 * action (pvesm set, or the storage.cfg edit).
 */
static void plan_owned_storage(const struct pve_storage_want *w, const struct scfg_section *sec, bool cli,
			       struct plan *p)
{
	if (strcmp(sec->type, w->type)) {
		char *hint = xasprintf("drop it from the config, apply with --allow-destroy, then add it back as %s",
				       w->type);
		cfg_diag(&p->diags, w->src, DIAG_WARNING, w->jpath, hint,
			 "storage '%s' is a %s storage, the config says %s: Proxmox cannot change the type; left alone",
			 w->id, sec->type, w->type);
		free(hint);
		return;
	}
	struct strbuf why = STRBUF_INIT;
	sb_init(&why);
	storage_fixed_drift(w, sec, &why);
	if (why.len) {
		cfg_diag(&p->diags, w->src, DIAG_WARNING, w->jpath,
			 "Proxmox cannot change these; remove the storage (drop it, apply with --allow-destroy) and add it again",
			 "storage '%s' differs in fixed properties: %s; left as it is", w->id, why.buf);
		sb_reset(&why);
	}
	struct strvec k = { 0 }, vals = { 0 };
	storage_drift(w, sec, &k, &vals, &why);
	if (!k.n) {
		sb_release(&why);
		return;
	}
	struct action *a = plan_add(p, PHASE_PVE_STORAGE, OP_CHANGE, SUB, "change-storage", w->id,
				    "change Proxmox storage '%s': %s", w->id, why.buf);
	sb_release(&why);
	a->depth = 1;
	struct pve_edit *e = pve_edit_new(cli ? PVE_EDIT_NONE : PVE_EDIT_STORAGE_SET, NULL, w->type, w->id);
	if (!cli) {
		e->keys = k;
		e->values = vals;
		sv_push(&a->details, "writes " PVE_STORAGE_CFG);
		pve_action_set_edit(a, e);
		return;
	}
	struct strvec argv = { 0 };
	struct strbuf del = STRBUF_INIT;
	sb_init(&del);
	sv_push(&argv, "pvesm"), sv_push(&argv, "set"), sv_push(&argv, w->id);
	for (size_t j = 0; j < k.n; j++) {
		if (!*vals.v[j]) {
			sb_addf(&del, "%s%s", del.len ? "," : "", k.v[j]);
			continue;
		}
		sv_pushf(&argv, "--%s", k.v[j]);
		sv_push(&argv, vals.v[j]);
	}
	if (del.len)
		sv_push(&argv, "--delete"), sv_push(&argv, del.buf);
	sb_release(&del);
	action_add_cmd(a, &argv);
	sv_free(&k);
	sv_free(&vals);
	pve_edit_free(e);
}

/* Storages the tool created that the config dropped: kept without --allow-destroy, removed when unused. */
static void plan_dropped_storages(const struct pve_config *pc, const struct pve_state *st, bool allow_destroy,
				  bool cli, struct plan *p)
{
	for (size_t i = 0; i < st->owned.n; i++) {
		const char *id = st->owned.v[i];
		const struct scfg_section *sec = storage_cfg_find(&st->scfg, id);
		if (!sec || pve_config_storage(pc, id))
			continue;
		if (!allow_destroy) {
			diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, NULL, "apply with --allow-destroy to remove it",
				 "storage '%s' (created by phoenix-storage) is no longer in the config; kept", id);
			continue;
		}
		struct strbuf who = STRBUF_INIT;
		sb_init(&who);
		if (storage_users(st, id, &who)) {
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, NULL,
				 "move or delete those volumes first (pct move-volume, qm disk move), then apply again",
				 "cannot remove storage '%s': still used by %s", id, who.buf);
			sb_release(&who);
			continue;
		}
		sb_release(&who);
		struct action *a = plan_add(p, PHASE_PVE_STORAGE, OP_REMOVE, SUB, "remove-storage", id,
					    "remove Proxmox storage '%s' (no longer in the config; the data on it stays)", id);
		a->depth = 2;
		struct pve_edit *e = pve_edit_new(cli ? PVE_EDIT_NONE : PVE_EDIT_STORAGE_REMOVE, NULL, sec->type, id);
		e->own = -1;
		if (cli)
			argv_add(a, "pvesm", "remove", id, NULL);
		else
			sv_push(&a->details, "writes " PVE_STORAGE_CFG);
		pve_action_set_edit(a, e);
	}
}

/*
 * The storage.cfg part of the plan, in named steps: the ownership record an
 * interrupted apply left, each storage of the config (new, foreign or the
 * tool's), the tool's storages the config dropped, and everything else
 * listed as unmanaged. A dir storage's path is resolved here through the ZFS
 * view: where its dataset is mounted after apply, seen inside --root.
 */
static void plan_storages(const struct zfs_view *v, const struct pve_config *pc, const struct pve_state *st,
			  bool allow_destroy, struct plan *p)
{
	bool cli = st->mode == PVE_MODE_CLI;
	plan_resolve_ownership(st, p);
	for (size_t i = 0; i < pc->n_storages; i++) {
		struct pve_storage_want w = pc->storages[i];
		if (w.away)
			continue;   /* planned by the nodes that have its dataset; still configured here */
		char *zfs_mp = NULL, *path = NULL;
		if (!strcmp(w.type, "dir")) {
			zfs_mp = zfs_view_mountpoint(v, w.dataset);
			w.path = path = root_strip(v->root, zfs_mp);
		}
		const struct scfg_section *sec = storage_cfg_find(&st->scfg, w.id);
		if (zfs_mp && !pve_dir_path_check(w.src, w.jpath, w.id, zfs_mp, v->root, &p->diags))
			; /* the dataset is mounted where no dir storage can be */
		else if (!sec)
			plan_new_storage(v, &w, zfs_mp, st, cli, p);
		else if (!pve_state_owns(st, w.id))
			warn_foreign_storage(&w, sec, p);
		else
			plan_owned_storage(&w, sec, cli, p);
		free(zfs_mp);
		free(path);
	}
	plan_dropped_storages(pc, st, allow_destroy, cli, p);
	/* everything else in storage.cfg is left alone */
	for (size_t i = 0; i < st->scfg.n; i++) {
		const struct scfg_section *s = &st->scfg.v[i];
		if (pve_config_storage(pc, s->id) || pve_state_owns(st, s->id))
			continue;
		sv_pushf(&p->unmanaged, "Proxmox storage '%s' (%s)", s->id, s->type);
	}
}

/* ---------- guests ---------- */

/* One guest being planned: its config, the promised mount slots and volumes. */
struct guest_plan {
	const struct zfs_view *zfs;
	const struct pve_config *pc;
	const struct pve_state *st;
	const struct pve_guest *g;
	struct plan *p;
	bool cli;
	int promised_mp[256];
	size_t n_promised;
	struct strvec promised_vols;
};

/* Dataset behind a zfspool volume "store:name" after apply, or NULL (reason in *why). Caller frees. */
static char *zfs_volume_dataset(const struct guest_plan *c, const char *volume, char **why)
{
	char *store = volume_storage(volume);
	if (!store) {
		*why = xasprintf("'%s' is not a storage volume", volume);
		return NULL;
	}
	struct sinfo s = storage_info(c->pc, c->st, store);
	char *r = NULL;
	if (!s.known)
		*why = xasprintf("storage '%s' is unknown", store);
	else if (strcmp(s.type, "zfspool") || !s.pool)
		*why = xasprintf("storage '%s' is of type %s; only zfspool volumes can be resized without Proxmox", store,
				 s.type);
	else
		r = xasprintf("%s/%s", s.pool, strchr(volume, ':') + 1);
	free(store);
	return r;
}

static const char *restart_note(const struct pve_guest *g)
{
	if (!g->running)
		return NULL;
	return g->is_ct ? "the container is running: this takes effect at its next restart"
			: "the vm is running: the guest sees this after its next restart";
}

/*
 * Grows a volume of a guest: cli -> pct/qm resize; files -> zfs set refquota/volsize + size= in the config.
 * key: rootfs, mpN, scsi0...; value: the config line's value.
 */
static void plan_grow(struct guest_plan *c, const char *key, const char *value, uint64_t cur, uint64_t want,
		      const char *what, const struct config_src *src, const char *jpath)
{
	const struct pve_guest *g = c->g;
	char *from = size_str(cur), *to = size_str(want);
	if (c->cli) {
		struct action *a = plan_add(c->p, PHASE_GUEST, OP_CHANGE, SUB, "resize", g->path, "grow %s of %s %u from %s to %s",
					    what, g->is_ct ? "container" : "vm", g->id, from, to);
		char *id = xasprintf("%u", g->id);
		argv_add(a, g->is_ct ? "pct" : "qm", "resize", id, key, to, NULL);
		free(id);
		if (!g->is_ct && restart_note(g))
			sv_push(&a->details, "qm resize grows the disk of the running vm at once");
		free(from);
		free(to);
		return;
	}
	struct pve_propstr ps;
	if (pve_propstr_parse(value, g->is_ct ? "volume" : "file", &ps)) {
		free(from);
		free(to);
		return;
	}
	char *why = NULL;
	char *ds = zfs_volume_dataset(c, ps.volume, &why);
	const struct zfs_dataset *zd = ds && c->zfs->st ? zfs_state_dataset(c->zfs->st, ds) : NULL;
	if (!ds || !zd) {
		char *msg = ds ? xasprintf("dataset %s does not exist", ds) : xstrdup(why);
		cfg_diag(&c->p->diags, src, DIAG_ERROR, jpath, "run apply on the Proxmox host, where pct/qm resize do this",
			 "cannot grow %s of %s %u from %s to %s by editing files: %s", what,
			 g->is_ct ? "container" : "vm", g->id, from, to, msg);
		free(msg);
		free(ds);
		free(why);
		pve_propstr_free(&ps);
		free(from);
		free(to);
		return;
	}
	bool subvol = zfs_dataset_prop(zd, "volsize") == NULL;
	struct action *a = plan_add(c->p, PHASE_GUEST, OP_CHANGE, SUB, "resize", g->path, "grow %s of %s %u from %s to %s",
				    what, g->is_ct ? "container" : "vm", g->id, from, to);
	char *prop = xasprintf("%s=%" PRIu64, subvol ? "refquota" : "volsize", want);
	argv_add(a, zfs_prog(), "set", prop, ds, NULL);
	free(prop);
	pve_propstr_set(&ps, "size", to);
	char *nv = pve_propstr_format(&ps);
	struct pve_edit *e = pve_edit_new(PVE_EDIT_GUEST_SET, g->path, NULL, NULL);
	sv_push(&e->keys, key);
	sv_push(&e->values, nv);
	sv_pushf(&a->details, "writes %s: %s: %s", g->path, key, nv);
	if (!subvol && restart_note(g))
		sv_push(&a->details, restart_note(g));
	pve_action_set_edit(a, e);
	free(nv);
	free(ds);
	pve_propstr_free(&ps);
	free(from);
	free(to);
}

/* Checks size of an existing volume line against the wanted size: grow, refuse shrink, or nothing. */
static void converge_size(struct guest_plan *c, const char *key, const char *value, uint64_t want, const char *what,
			  const struct config_src *src, const char *jpath)
{
	struct pve_propstr ps;
	const struct pve_guest *g = c->g;
	if (pve_propstr_parse(value, g->is_ct ? "volume" : "file", &ps))
		return;
	uint64_t cur = 0;
	const char *sz = pve_propstr_get(&ps, "size");
	if (!sz || pve_size_parse(sz, &cur)) {
		cfg_diag(&c->p->diags, src, DIAG_WARNING, jpath, "run `pct rescan` / `qm rescan` so Proxmox records the size",
			 "%s of %s %u has no size in %s; not resized", what, g->is_ct ? "container" : "vm", g->id, g->path);
		pve_propstr_free(&ps);
		return;
	}
	pve_propstr_free(&ps);
	if (cur > want) {
		char *a = size_str(cur), *b = size_str(want);
		char *hint = xasprintf("Proxmox cannot shrink volumes; set the size to %s or more", a);
		cfg_diag(&c->p->diags, src, DIAG_ERROR, jpath, hint, "refusing to shrink %s of %s %u from %s to %s", what,
			 g->is_ct ? "container" : "vm", g->id, a, b);
		free(hint);
		free(a);
		free(b);
		return;
	}
	if (cur < want)
		plan_grow(c, key, value, cur, want, what, src, jpath);
}

/* Effective value of a mount option (Proxmox defaults when absent): 1, 0 or -1 (unset). */
static int mp_opt_now(const struct pve_propstr *ps, const char *key)
{
	const char *v = pve_propstr_get(ps, key);
	if (v)
		return pve_bool(v);
	if (!strcmp(key, "replicate"))
		return 1;
	if (!strcmp(key, "acl"))
		return -1;
	return 0;
}

static void opts_converge(const struct lxc_mp_opts *o, struct pve_propstr *ps, struct strbuf *why)
{
	static const char *const names[] = { "ro", "backup", "acl", "replicate", "shared" };
	const int want[] = { o->ro, o->backup, o->acl, o->replicate, o->shared };
	for (size_t i = 0; i < 5; i++) {
		if (want[i] < 0)
			continue;
		int now = mp_opt_now(ps, names[i]);
		if (now == want[i])
			continue;
		sb_addf(why, "%s%s %s -> %d", why->len ? ", " : "", names[i], now < 0 ? "unset" : now ? "1" : "0", want[i]);
		pve_propstr_set(ps, names[i], want[i] ? "1" : "0");
	}
}

/* A free subvol-CTID-disk-N name on pool (not a dataset, not referenced by the guest, not promised). */
static char *free_subvol(struct guest_plan *c, const char *pool)
{
	for (unsigned n = 0;; n++) {
		char *name = xasprintf("subvol-%u-disk-%u", c->g->id, n);
		char *full = xasprintf("%s/%s", pool, name);
		bool used = c->zfs->st && zfs_state_dataset(c->zfs->st, full);
		for (size_t i = 0; i < c->promised_vols.n && !used; i++)
			used = !strcmp(c->promised_vols.v[i], full);
		for (size_t i = 0; i < c->g->conf.n && !used; i++) {
			const struct gc_line *l = &c->g->conf.v[i];
			used = l->kind == GC_KEY && strstr(l->value, name) != NULL;
		}
		free(full);
		if (!used)
			return name;
		free(name);
	}
}

/*
 * A volume for container files mode creates is marked, in the same `zfs create`,
 * with PVE_VOLUME_PROP = "ct<CTID>:<container path>": the intent record of the
 * mpN line written right after. When an apply is killed between the two, the
 * next one finds the marked dataset that no config line references and
 * completes the intent (writes the line) instead of leaking it and making a
 * second one.
 */
#define PVE_VOLUME_PROP "phoenix:volume-for"

/* The name (pool-relative, caller frees) of a marked volume of pool left for m by an interrupted apply, or NULL. */
static char *orphan_subvol(struct guest_plan *c, const char *pool, const struct pve_mount_want *m)
{
	if (!c->zfs->st)
		return NULL;
	char *want = xasprintf("ct%u:%s", c->g->id, m->ct_path);
	char *prefix = xasprintf("%s/subvol-%u-disk-", pool, c->g->id);
	char *found = NULL;
	for (size_t i = 0; i < c->zfs->st->n_datasets && !found; i++) {
		const struct zfs_dataset *ds = &c->zfs->st->datasets[i];
		if (strncmp(ds->name, prefix, strlen(prefix)))
			continue;
		const struct zprop *mark = zfs_dataset_prop(ds, PVE_VOLUME_PROP);
		const struct zprop *rq = zfs_dataset_prop(ds, "refquota");
		if (!mark || strcmp(mark->source, "local") || strcmp(mark->value, want) || !rq ||
		    strtoull(rq->value, NULL, 10) != m->size)
			continue;
		const char *name = ds->name + strlen(pool) + 1;
		bool used = false;
		for (size_t j = 0; j < c->promised_vols.n && !used; j++)
			used = !strcmp(c->promised_vols.v[j], ds->name);
		for (size_t j = 0; j < c->g->conf.n && !used; j++) {
			const struct gc_line *l = &c->g->conf.v[j];
			used = l->kind == GC_KEY && strstr(l->value, name) != NULL;
		}
		if (!used)
			found = xstrdup(name);
	}
	free(prefix);
	free(want);
	return found;
}

/*
 * A mount of the config that container c->g does not have: the first free
 * mpN slot (none left: an error), then for a bind mount the mpN line, for a
 * volume either pct's STORAGE:SIZE (cli) or, in files mode, the subvolume
 * (reusing one an interrupted apply left, else zfs create with its marker)
 * and the line. Errors go to c->p->diags; nothing is planned after one.
 */
static void plan_new_mount(struct guest_plan *c, const struct pve_mount_want *m)
{
	const struct pve_guest *g = c->g;
	int slot = gc_first_free_mp(&g->conf, c->promised_mp, c->n_promised);
	if (slot < 0) {
		cfg_diag(&c->p->diags, m->src, DIAG_ERROR, m->jpath, "Proxmox allows mp0 to mp255; remove unused mount points",
			 "container %u has no free mount point slot for '%s'", g->id, m->ct_path);
		return;
	}
	c->promised_mp[c->n_promised++] = slot;
	char key[16];
	snprintf(key, sizeof(key), "mp%d", slot & 0xff);
	struct pve_propstr ps = { 0 };
	struct strbuf why = STRBUF_INIT;
	sb_init(&why);
	char *id = xasprintf("%u", g->id);
	struct action *a;
	if (m->kind == PVE_MOUNT_BIND) {
		ps.volume = xstrdup(m->host_path);
		pve_propstr_set(&ps, "mp", m->ct_path);
		opts_converge(&m->opts, &ps, &why);
		a = plan_add(c->p, PHASE_GUEST, OP_CREATE, SUB, "add-mount", g->path,
			     "add mount point %s to container %u: %s -> %s", key, g->id, m->host_path, m->ct_path);
	} else {
		char *sz = size_str(m->size);
		a = plan_add(c->p, PHASE_GUEST, OP_CREATE, SUB, "add-volume", g->path,
			     "add mount point %s to container %u: new %s volume on %s -> %s", key, g->id, sz,
			     m->storage, m->ct_path);
		if (c->cli) {
			/* STORAGE:SIZE_IN_GiB asks Proxmox to allocate a new volume */
			ps.volume = xasprintf("%s:%" PRIu64, m->storage, m->size >> 30);
		} else {
			struct sinfo s = storage_info(c->pc, c->st, m->storage);
			bool zfspool = s.known && !strcmp(s.type, "zfspool") && s.pool;
			bool pool_ok = zfspool && ((c->zfs->st && zfs_state_dataset(c->zfs->st, s.pool)) ||
						   (c->zfs->cfg && zfs_config_dataset(c->zfs->cfg, s.pool)));
			if (!pool_ok) {
				cfg_diag(&c->p->diags, m->src, DIAG_ERROR, m->jpath,
					 "run apply on the Proxmox host, where pct allocates the volume",
					 zfspool ? "cannot allocate a volume for container %u on '%s' by editing files: "
						   "dataset %s does not exist"
						 : "cannot allocate a volume for container %u on '%s' by editing files: "
						   "only zfspool storages are supported%s",
					 g->id, m->storage, zfspool ? s.pool : "");
				free(sz);
				pve_propstr_free(&ps);
				sb_release(&why);
				free(id);
				return;
			}
			char *name = orphan_subvol(c, s.pool, m);
			char *full;
			if (name) {
				full = xasprintf("%s/%s", s.pool, name);
				sv_pushf(&a->details, "uses %s, which an interrupted apply created for it", full);
			} else {
				name = free_subvol(c, s.pool);
				full = xasprintf("%s/%s", s.pool, name);
				struct strvec argv = { 0 };
				sv_push(&argv, zfs_prog()), sv_push(&argv, "create");
				if (c->zfs->st && zfs_caps_has_prop(&c->zfs->st->caps, "acltype")) {
					sv_push(&argv, "-o"), sv_push(&argv, "acltype=posixacl");
					sv_push(&argv, "-o"), sv_push(&argv, "xattr=sa");
				}
				sv_push(&argv, "-o"), sv_pushf(&argv, "refquota=%" PRIu64, m->size);
				sv_push(&argv, "-o"), sv_pushf(&argv, PVE_VOLUME_PROP "=ct%u:%s", g->id, m->ct_path);
				sv_push(&argv, full);
				action_add_cmd(a, &argv);
			}
			sv_push(&c->promised_vols, full);
			ps.volume = xasprintf("%s:%s", m->storage, name);
			pve_propstr_set(&ps, "size", sz);
			free(name);
			free(full);
		}
		pve_propstr_set(&ps, "mp", m->ct_path);
		opts_converge(&m->opts, &ps, &why);
		free(sz);
	}
	char *val = pve_propstr_format(&ps);
	struct pve_edit *e = pve_edit_new(c->cli ? PVE_EDIT_NONE : PVE_EDIT_GUEST_SET, g->path, NULL, NULL);
	if (m->kind == PVE_MOUNT_BIND) /* the line's ownership record (pve_state.h), so that dropping it removes it */
		mount_rec_set(&e->mount_add, g->id, m->host_path, m->ct_path);
	if (c->cli) {
		char *opt = xasprintf("--%s", key);
		argv_add(a, "pct", "set", id, opt, val, NULL);
		free(opt);
	} else {
		sv_push(&e->keys, key);
		sv_push(&e->values, val);
		sv_pushf(&a->details, "writes %s: %s: %s", g->path, key, val);
	}
	if (c->cli && !pve_edit_owns(e))
		pve_edit_free(e);
	else
		pve_action_set_edit(a, e);
	if (restart_note(g))
		sv_push(&a->details, restart_note(g));
	free(val);
	free(id);
	sb_release(&why);
	pve_propstr_free(&ps);
}

/* The record of the tool for line i of g's config (a mount line it wrote), or NULL. */
static const struct pve_mount_rec *owned_line(const struct pve_state *st, const struct pve_guest *g, size_t i)
{
	for (size_t k = 0; k < st->n_mounts; k++) {
		const struct pve_mount_rec *r = &st->mounts[k];
		if (r->ct == g->id && gc_find_mount(&g->conf, r->source, r->target, false) == (long)i)
			return r;
	}
	return NULL;
}

/*
 * A mount of the config for container c->g: a new one goes to
 * plan_new_mount; an existing one at the same container path is converged in
 * place (host path, options, volume size), or left alone with a warning when
 * its kind or storage differs. Everything goes to c->p.
 */
static void plan_mount(struct guest_plan *c, const struct pve_mount_want *m)
{
	const struct pve_guest *g = c->g;
	/* existing mount point at the same container path */
	long at = gc_find_mount_at(&g->conf, m->ct_path);
	const struct gc_line *found = at >= 0 ? &g->conf.v[at] : NULL;
	struct pve_propstr ps = { 0 };
	if (found)
		pve_propstr_parse(found->value, "volume", &ps);
	if (!found) {
		plan_new_mount(c, m);
		return;
	}
	bool is_bind_now = ps.volume && (ps.volume[0] == '/');
	if ((m->kind == PVE_MOUNT_BIND) != is_bind_now) {
		char *hint = xasprintf("remove %s from %s in Proxmox if the config is right, then apply again", found->key,
				       g->path);
		cfg_diag(&c->p->diags, m->src, DIAG_WARNING, m->jpath, hint,
			 "container %u: %s already mounts %s at '%s' (the config wants a %s); left alone", g->id, found->key,
			 is_bind_now ? "a host directory" : "a storage volume", m->ct_path,
			 m->kind == PVE_MOUNT_BIND ? "bind mount" : "storage volume");
		free(hint);
		pve_propstr_free(&ps);
		return;
	}
	struct strbuf why = STRBUF_INIT;
	sb_init(&why);
	if (m->kind == PVE_MOUNT_BIND) {
		char *cur = norm_path(ps.volume);
		if (strcmp(cur, m->host_path)) {
			sb_addf(&why, "source %s -> %s", ps.volume, m->host_path);
			free(ps.volume);
			ps.volume = xstrdup(m->host_path);
		}
		free(cur);
	} else {
		char *store = volume_storage(ps.volume);
		if (!store || strcmp(store, m->storage)) {
			cfg_diag(&c->p->diags, m->src, DIAG_WARNING, m->jpath,
				 "move it with `pct move-volume` if the config is right",
				 "container %u: %s at '%s' is on storage '%s', the config says '%s'; left alone", g->id,
				 found->key, m->ct_path, store ? store : "?", m->storage);
			free(store);
			pve_propstr_free(&ps);
			sb_release(&why);
			return;
		}
		free(store);
	}
	opts_converge(&m->opts, &ps, &why);
	if (why.len) {
		char *val = pve_propstr_format(&ps);
		char *id = xasprintf("%u", g->id);
		struct action *a = plan_add(c->p, PHASE_GUEST, OP_CHANGE, SUB, "change-mount", g->path,
					    "change mount point %s of container %u (%s): %s", found->key, g->id, m->ct_path,
					    why.buf);
		struct pve_edit *e = pve_edit_new(c->cli ? PVE_EDIT_NONE : PVE_EDIT_GUEST_SET, g->path, NULL, NULL);
		/* a line the tool wrote stays the tool's under its new source */
		const struct pve_mount_rec *own = owned_line(c->st, g, (size_t)(found - g->conf.v));
		if (own && m->kind == PVE_MOUNT_BIND && strcmp(own->source, m->host_path)) {
			mount_rec_set(&e->mount_del, own->ct, own->source, own->target);
			mount_rec_set(&e->mount_add, g->id, m->host_path, own->target);
		}
		if (c->cli) {
			char *opt = xasprintf("--%s", found->key);
			argv_add(a, "pct", "set", id, opt, val, NULL);
			free(opt);
		} else {
			sv_push(&e->keys, found->key);
			sv_push(&e->values, val);
			sv_pushf(&a->details, "writes %s: %s: %s", g->path, found->key, val);
		}
		if (c->cli && !pve_edit_owns(e))
			pve_edit_free(e);
		else
			pve_action_set_edit(a, e);
		if (restart_note(g))
			sv_push(&a->details, restart_note(g));
		free(id);
		free(val);
	}
	if (m->kind == PVE_MOUNT_VOLUME) {
		char *what = xasprintf("%s (%s)", found->key, m->ct_path);
		char *cur_val = pve_propstr_format(&ps);
		converge_size(c, found->key, why.len ? cur_val : found->value, m->size, what, m->src, m->jpath);
		free(cur_val);
		free(what);
	}
	sb_release(&why);
	pve_propstr_free(&ps);
}

/*
 * One container of the config: its rootfs and volume storages must exist and
 * hold rootdir; a missing container or a template is a warning or note and
 * nothing more; else the rootfs size and every mount are converged.
 * Everything goes to p.
 */
static void plan_ct(const struct zfs_view *zv, const struct pve_config *pc, const struct pve_state *st,
		    const struct pve_ct_want *ct, struct plan *p)
{
	const struct pve_guest *g = pve_state_guest(st, ct->ctid, true);
	const struct config_src *src = ct->src ? ct->src : ct->n_mounts ? ct->mounts[0].src : NULL;
	const char *jpath = ct->jpath ? ct->jpath : ct->n_mounts ? ct->mounts[0].jpath : NULL;
	if (ct->storage_pool)
		check_guest_storage(pc, st, ct->storage_pool, "rootdir", "container rootfs", src, jpath, p);
	bool *skip = xcalloc(ct->n_mounts + 1, sizeof(*skip));
	for (size_t i = 0; i < ct->n_mounts; i++)
		if (ct->mounts[i].kind == PVE_MOUNT_VOLUME)
			skip[i] = !check_guest_storage(pc, st, ct->mounts[i].storage, "rootdir", "container volume",
						       ct->mounts[i].src, ct->mounts[i].jpath, p);
	if (!g) {
		char *path = pve_guest_path(ct->ctid, true);
		char *hint = xasprintf("create container %u in Proxmox first (pct create / pct clone), then apply again",
				       ct->ctid);
		struct strbuf what = STRBUF_INIT;
		sb_init(&what);
		if (ct->n_mounts)
			sb_addf(&what, "%zu mount point%s", ct->n_mounts, ct->n_mounts == 1 ? "" : "s");
		if (ct->rootfs_size)
			sb_addf(&what, "%sthe rootfs size", what.len ? " and " : "");
		cfg_diag(&p->diags, src, DIAG_WARNING, jpath, hint, "container %u does not exist (no %s): %s not applied",
			 ct->ctid, path, what.len ? what.buf : "nothing");
		sb_release(&what);
		free(hint);
		free(path);
		free(skip);
		return;
	}
	if (pve_bool(gc_get(&g->conf, "template")) == 1) {
		cfg_diag(&p->diags, src, DIAG_NOTE, jpath, NULL,
			 "container %u is a template: Proxmox does not change templates; its clones get the mounts", ct->ctid);
		free(skip);
		return;
	}
	struct guest_plan c = { .zfs = zv, .pc = pc, .st = st, .g = g, .p = p, .cli = st->mode == PVE_MODE_CLI };
	if (ct->rootfs_size) {
		const char *rootfs = gc_get(&g->conf, "rootfs");
		if (!rootfs) {
			cfg_diag(&p->diags, src, DIAG_WARNING, jpath, NULL, "container %u has no rootfs in %s; size not checked",
				 ct->ctid, g->path);
		} else {
			struct pve_propstr ps;
			if (!pve_propstr_parse(rootfs, "volume", &ps)) {
				char *store = volume_storage(ps.volume);
				if (ct->storage_pool && store && strcmp(store, ct->storage_pool))
					cfg_diag(&p->diags, src, DIAG_WARNING, jpath,
						 "move it with `pct move-volume` if the config is right",
						 "container %u: rootfs is on storage '%s', the config says '%s'", ct->ctid, store,
						 ct->storage_pool);
				free(store);
				pve_propstr_free(&ps);
			}
			char *sjp = ct->jpath ? xasprintf("%s.storage_size_gb", ct->jpath) : NULL;
			converge_size(&c, "rootfs", rootfs, ct->rootfs_size, "rootfs", src, sjp ? sjp : jpath);
			free(sjp);
		}
	}
	for (size_t i = 0; i < ct->n_mounts; i++)
		if (!skip[i])
			plan_mount(&c, &ct->mounts[i]);
	free(skip);
	sv_free(&c.promised_vols);
}

static bool is_disk_key(const char *k)
{
	static const char *const pre[] = { "scsi", "virtio", "sata", "ide" };
	for (size_t i = 0; i < 4; i++) {
		size_t l = strlen(pre[i]);
		if (!strncmp(k, pre[i], l) && isdigit((unsigned char)k[l]))
			return true;
	}
	return false;
}

bool pve_vm_disk_value(const char *v)
{
	struct pve_propstr ps;
	if (pve_propstr_parse(v, "file", &ps))
		return false;
	const char *media = pve_propstr_get(&ps, "media");
	bool ok = ps.volume && strcmp(ps.volume, "none") && !(media && !strcmp(media, "cdrom")) &&
		  !strstr(ps.volume, ":cloudinit") && !strstr(ps.volume, "cloudinit,");
	pve_propstr_free(&ps);
	return ok;
}

/* The boot disk key of a VM config ("scsi0"), or NULL. */
static const char *vm_boot_disk(const struct guest_conf *g, char *buf, size_t bufsz)
{
	const char *boot = gc_get(g, "boot");
	if (boot && !strncmp(boot, "order=", 6)) {
		const char *p = boot + 6;
		while (*p) {
			size_t n = strcspn(p, ";,");
			if (n < bufsz) {
				memcpy(buf, p, n);
				buf[n] = '\0';
				const char *v = gc_get(g, buf);
				if (is_disk_key(buf) && v && pve_vm_disk_value(v))
					return buf;
			}
			p += n;
			if (*p == ',')
				break;
			if (*p)
				p++;
		}
	}
	const char *bd = gc_get(g, "bootdisk");
	if (bd && is_disk_key(bd) && gc_get(g, bd) && pve_vm_disk_value(gc_get(g, bd)) && strlen(bd) < bufsz) {
		strcpy(buf, bd);
		return buf;
	}
	static const char *const dflt[] = { "scsi0", "virtio0", "sata0", "ide0" };
	for (size_t i = 0; i < 4; i++)
		if (gc_get(g, dflt[i]) && pve_vm_disk_value(gc_get(g, dflt[i]))) {
			snprintf(buf, bufsz, "%s", dflt[i]);
			return buf;
		}
	return NULL;
}

static void plan_vm(const struct zfs_view *zv, const struct pve_config *pc, const struct pve_state *st,
		    const struct pve_vm_want *vm, struct plan *p)
{
	if (vm->storage_pool)
		check_guest_storage(pc, st, vm->storage_pool, "images", "vm disk", vm->src, vm->jpath, p);
	if (!vm->disk_size)
		return;
	const struct pve_guest *g = pve_state_guest(st, vm->vmid, false);
	if (!g) {
		char *path = pve_guest_path(vm->vmid, false);
		char *hint = xasprintf("create vm %u in Proxmox first (qm create / qm clone), then apply again", vm->vmid);
		cfg_diag(&p->diags, vm->src, DIAG_WARNING, vm->jpath, hint, "vm %u does not exist (no %s): disk size not applied",
			 vm->vmid, path);
		free(hint);
		free(path);
		return;
	}
	if (vm->is_template || pve_bool(gc_get(&g->conf, "template")) == 1) {
		cfg_diag(&p->diags, vm->src, DIAG_NOTE, vm->jpath, NULL,
			 "vm %u is a template: Proxmox does not resize template disks; clones get disk_size_gb", vm->vmid);
		return;
	}
	char buf[32];
	const char *key = vm_boot_disk(&g->conf, buf, sizeof(buf));
	if (!key) {
		cfg_diag(&p->diags, vm->src, DIAG_WARNING, vm->jpath, NULL, "vm %u has no boot disk in %s; size not checked",
			 vm->vmid, g->path);
		return;
	}
	const char *val = gc_get(&g->conf, key);
	struct pve_propstr ps;
	if (!pve_propstr_parse(val, "file", &ps)) {
		char *store = volume_storage(ps.volume);
		if (vm->storage_pool && store && strcmp(store, vm->storage_pool))
			cfg_diag(&p->diags, vm->src, DIAG_WARNING, vm->jpath, "move it with `qm disk move` if the config is right",
				 "vm %u: %s is on storage '%s', the config says '%s'", vm->vmid, key, store, vm->storage_pool);
		free(store);
		pve_propstr_free(&ps);
	}
	struct guest_plan c = { .zfs = zv, .pc = pc, .st = st, .g = g, .p = p, .cli = st->mode == PVE_MODE_CLI };
	char *what = xasprintf("disk %s", key);
	converge_size(&c, key, val, vm->disk_size, what, vm->src, vm->jpath);
	free(what);
}


/* True when the config mounts something at target in container ct (paths compared as paths). */
static bool config_mounts_at(const struct pve_config *pc, unsigned ct, const char *target)
{
	for (size_t i = 0; i < pc->n_cts; i++) {
		if (pc->cts[i].ctid != ct)
			continue;
		char *t = norm_path(target);
		bool found = false;
		for (size_t j = 0; j < pc->cts[i].n_mounts && !found; j++)
			found = !strcmp(pc->cts[i].mounts[j].ct_path, t);
		free(t);
		return found;
	}
	return false;
}

/*
 * The mount point lines the tool wrote (st->mounts) whose target the config
 * no longer mounts: one destructive removal each (pct set --delete mpN, or
 * the edit that removes exactly that line, found again by source and target
 * at apply time), an error without --allow-destroy, and while the container
 * runs a "waits for a stop" line instead of the action. Nothing when the LXC
 * config was not read (its mounts would all look dropped), for a container
 * without a config here, a template, or a line only [pve:pending] has.
 */
static void plan_dropped_mounts(const struct pve_config *pc, const struct pve_state *st, bool allow_destroy,
				struct plan *p)
{
	bool cli = st->mode == PVE_MODE_CLI;
	for (size_t i = 0; i < st->n_mounts; i++) {
		const struct pve_mount_rec *r = &st->mounts[i];
		const struct pve_guest *g = pve_state_guest(st, r->ct, true);
		long at = g ? gc_find_mount(&g->conf, r->source, r->target, false) : -1;
		if (at < 0 || config_mounts_at(pc, r->ct, r->target) || pve_bool(gc_get(&g->conf, "template")) == 1)
			continue;
		if (!pc->lxc_read) {
			diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, NULL, "give the LXC config (--lxc-config or core_paths)",
				 "container %u: mount point %s -> %s (added by phoenix-storage) is not checked: "
				 "the LXC config was not read", r->ct, r->source, r->target);
			continue;
		}
		const char *key = g->conf.v[at].key;
		char *what = xasprintf("remove mount point %s of container %u: %s -> %s (added by phoenix-storage, no "
				       "longer in the config", key, r->ct, r->source, r->target);
		if (!allow_destroy)
			diag_add(&p->diags, DIAG_ERROR, NULL, 0, 0, NULL,
				 "apply with --allow-destroy to remove it, or put the mount back in the config",
				 "container %u: removing mount point %s (%s -> %s) needs --allow-destroy", r->ct, key,
				 r->source, r->target);
		if (g->running) {
			sv_pushf(&p->waiting, "%s; container %u is running)", what, r->ct);
			free(what);
			continue;
		}
		char *target = xasprintf("container %u: %s -> %s", r->ct, r->source, r->target);
		struct action *a = plan_add(p, PHASE_GUEST, OP_REMOVE, SUB, "remove-mount", target, "%s)", what);
		a->destructive = true;
		free(target);
		free(what);
		struct pve_edit *e = pve_edit_new(cli ? PVE_EDIT_NONE : PVE_EDIT_GUEST_REMOVE_MOUNT, g->path, NULL, NULL);
		mount_rec_set(&e->mount_del, r->ct, r->source, r->target);
		if (cli) {
			char *id = xasprintf("%u", r->ct);
			argv_add(a, "pct", "set", id, "--delete", key, NULL);
			free(id);
		} else {
			sv_pushf(&a->details, "removes from %s the line %s: %s (the other lines stay as they are)", g->path,
				 key, g->conf.v[at].value);
		}
		pve_action_set_edit(a, e);
	}
}

void pve_plan_build(const struct zfs_view *v, const struct pve_config *pc, const struct pve_state *st,
		    bool allow_destroy, struct plan *p)
{
	plan_storages(v, pc, st, allow_destroy, p);
	for (size_t i = 0; i < pc->n_cts; i++)
		plan_ct(v, pc, st, &pc->cts[i], p);
	plan_dropped_mounts(pc, st, allow_destroy, p);
	for (size_t i = 0; i < pc->n_vms; i++)
		plan_vm(v, pc, st, &pc->vms[i], p);
}
