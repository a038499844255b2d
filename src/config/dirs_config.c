#include "config/dirs_config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "config/members.h"
#include "config/grammar.h"
#include "config/samba_config.h"
#include "util/str.h"
#include "sys/idmap.h"
#include "util/path.h"
#include "util/strbuf.h"

int dirs_parse_mode(const char *s, unsigned *mode)
{
	size_t n = strlen(s);
	if (n < 1 || n > 4)
		return -1;
	unsigned m = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		m = m * 8 + (unsigned)(s[i] - '0');
	}
	*mode = m;
	return 0;
}

char *dirs_normalize_path(const char *path, const char *base, char **err)
{
	*err = NULL;
	if (!*path) {
		*err = xstrdup("path is empty");
		return NULL;
	}
	for (const char *s = path; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			*err = xasprintf("path '%s' contains a control character", path);
			return NULL;
		}
	if (path[0] != '/' && !base) {
		*err = xasprintf("relative path '%s' needs persistent_storage.base", path);
		return NULL;
	}
	const char *bad;
	size_t bad_len;
	char *clean = path_clean(path[0] != '/' ? base : NULL, path, &bad, &bad_len);
	if (!clean)
		*err = xasprintf("path '%s' contains '%.*s'", path, (int)bad_len, bad);
	return clean;
}

/* One container's id map, built once from the LXC config. */
struct ct_map {
	char *ctid;
	struct idmap map;
	bool ok;
};

struct loader {
	const struct config_sources *cs;
	const struct lxc_config *lc;
	struct dirs_config *cfg;
	struct diag_list *dl;
	int errors;
	struct ct_map *maps;
	size_t n_maps;
};

static void want_free(struct dir_want *w)
{
	free(w->path);
	free(w->uid_note);
	free(w->gid_note);
	free(w->service);
	free(w->nodes);
	free(w->jpath);
	free(w->origin);
}

static void conflict(struct loader *L, const struct dir_want *w, const char *what, const char *a,
		     const char *a_from, const char *b)
{
	cfg_diag(L->dl, w->src, DIAG_ERROR, w->jpath,
		 "declare the directory with one owner, group and mode, or use different paths",
		 "conflicting %s for directory '%s': %s (%s) and %s (%s)", what, w->path, a, a_from, b,
		 w->origin);
	L->errors++;
}

/* Adds w (taking its strings) or merges it into an earlier entry with the same path. */
static void want_add(struct loader *L, struct dir_want *w)
{
	struct dirs_config *cfg = L->cfg;
	for (size_t i = 0; i < cfg->n; i++) {
		struct dir_want *o = &cfg->v[i];
		if (strcmp(o->path, w->path))
			continue;
		char a[32], b[32];
		if (w->set_uid && o->set_uid && w->uid != o->uid) {
			snprintf(a, sizeof(a), "uid %u", o->uid);
			snprintf(b, sizeof(b), "uid %u", w->uid);
			conflict(L, w, "owners", a, o->origin, b);
		} else if (w->set_uid && !o->set_uid) {
			o->set_uid = true;
			o->uid = w->uid;
			o->uid_note = w->uid_note;
			w->uid_note = NULL;
		}
		if (w->set_gid && o->set_gid && w->gid != o->gid) {
			snprintf(a, sizeof(a), "gid %u", o->gid);
			snprintf(b, sizeof(b), "gid %u", w->gid);
			conflict(L, w, "groups", a, o->origin, b);
		} else if (w->set_gid && !o->set_gid) {
			o->set_gid = true;
			o->gid = w->gid;
			o->gid_note = w->gid_note;
			w->gid_note = NULL;
		}
		if (w->set_mode && o->set_mode && w->mode != o->mode) {
			snprintf(a, sizeof(a), "mode %04o", o->mode);
			snprintf(b, sizeof(b), "mode %04o", w->mode);
			conflict(L, w, "modes", a, o->origin, b);
		} else if (w->set_mode && !o->set_mode) {
			o->set_mode = true;
			o->mode = w->mode;
		}
		o->outside_zfs = o->outside_zfs || w->outside_zfs;
		/* A real declaration replaces a Samba-implied one as the place to report. */
		if (o->samba_only && !w->samba_only) {
			free(o->jpath);
			free(o->origin);
			o->jpath = w->jpath;
			o->origin = w->origin;
			o->src = w->src;
			w->jpath = w->origin = NULL;
		}
		o->samba_only = o->samba_only && w->samba_only;
		/* needed on every node one of its declarations is on: a list only while every one has one */
		if (!o->samba_only || !w->nodes || !o->nodes) {
			free(o->nodes);
			o->nodes = NULL;
		} else if (!nodes_subset(w->nodes, o->nodes)) {
			char *both = xasprintf("%s,%s", o->nodes, w->nodes);
			free(o->nodes);
			o->nodes = both;
		}
		if (!o->service && w->service) {
			o->service = w->service;
			w->service = NULL;
		}
		want_free(w);
		return;
	}
	cfg->v = xrealloc(cfg->v, (cfg->n + 1) * sizeof(*cfg->v));
	cfg->v[cfg->n++] = *w;
}

/* Reads a uid/gid: a number, digits, or (when names are allowed) a name. Returns 0 or -1. */
static int parse_id(struct loader *L, const struct config_src *src, json_t *v, const char *jpath,
		    bool is_group, bool names_ok, uint32_t *id)
{
	const char *what = is_group ? "group" : "owner";
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x < 0 || x >= 4294967295LL) {
			cfg_diag(L->dl, src, DIAG_ERROR, jpath, NULL, "%s id %lld is out of range", what,
				 (long long)x);
			L->errors++;
			return -1;
		}
		*id = (uint32_t)x;
		return 0;
	}
	if (!json_is_string(v) || !*json_string_value(v)) {
		cfg_diag(L->dl, src, DIAG_ERROR, jpath, is_group ? "use a gid or a group name" : "use a uid or a user name",
			 "%s must be a number or a name", what);
		L->errors++;
		return -1;
	}
	const char *s = cfg_string(src, v, jpath, L->dl);
	if (!s) {
		L->errors++;
		return -1;
	}
	char *end;
	errno = 0;
	unsigned long x = strtoul(s, &end, 10);
	if (!*end && isdigit((unsigned char)s[0]) && !errno && x < 4294967295UL) {
		*id = (uint32_t)x;
		return 0;
	}
	if (!names_ok) {
		cfg_diag(L->dl, src, DIAG_ERROR, jpath, "with \"ctid\", give the numeric id inside the container",
			 "%s '%s' must be a number", what, s);
		L->errors++;
		return -1;
	}
	if (is_group) {
		struct group *g = getgrnam(s);
		if (g) {
			*id = g->gr_gid;
			return 0;
		}
	} else {
		struct passwd *pw = getpwnam(s);
		if (pw) {
			*id = pw->pw_uid;
			return 0;
		}
	}
	cfg_diag(L->dl, src, DIAG_ERROR, jpath,
		 is_group ? "create the group on this host first, or give the numeric gid"
			  : "create the user on this host first, or give the numeric uid",
		 "unknown %s '%s'", is_group ? "group" : "user", s);
	L->errors++;
	return -1;
}

static json_t *lxc_configs(const struct config_sources *cs)
{
	json_t *all = cs->lxc->root ? json_object_get(cs->lxc->root, "lxc_configs") : NULL;
	return json_is_object(all) ? all : NULL;
}

/* The id map of container ctid (built and checked once), or NULL when it has errors. */
static const struct idmap *ct_idmap(struct loader *L, const char *ctid, json_t *ct)
{
	for (size_t i = 0; i < L->n_maps; i++)
		if (!strcmp(L->maps[i].ctid, ctid))
			return L->maps[i].ok ? &L->maps[i].map : NULL;
	L->maps = xrealloc(L->maps, (L->n_maps + 1) * sizeof(*L->maps));
	struct ct_map *cm = &L->maps[L->n_maps++];
	cm->ctid = xstrdup(ctid);
	cm->ok = true;
	const struct config_src *src = L->cs->lxc;
	json_t *unpriv = json_object_get(ct, "unprivileged");
	char *jp = xasprintf("lxc_configs.%s.unprivileged", ctid);
	if (unpriv && !json_is_boolean(unpriv)) {
		cfg_diag(L->dl, src, DIAG_ERROR, jp, NULL, "must be true or false");
		L->errors++;
		cm->ok = false;
	}
	free(jp);
	/* Proxmox: a container without "unprivileged": true is privileged (ids map 1:1). */
	idmap_init(&cm->map, unpriv && json_is_true(unpriv));
	json_t *maps = json_object_get(ct, "id_maps");
	if (maps && !json_is_array(maps)) {
		jp = xasprintf("lxc_configs.%s.id_maps", ctid);
		cfg_diag(L->dl, src, DIAG_ERROR, jp, NULL, "must be an array");
		free(jp);
		L->errors++;
		cm->ok = false;
		return NULL;
	}
	size_t i;
	json_t *e;
	json_array_foreach(maps, i, e) {
		jp = xasprintf("lxc_configs.%s.id_maps[%zu]", ctid, i);
		json_t *type = json_object_get(e, "type");
		json_t *h = json_object_get(e, "host_id"), *c = json_object_get(e, "container_id"),
		       *sz = json_object_get(e, "size");
		enum idmap_kind kind;
		if (!json_is_object(e) || !json_is_string(type) ||
		    idmap_kind_parse(json_string_value(type), &kind) || !json_is_integer(h) ||
		    !json_is_integer(c) || !json_is_integer(sz) || json_integer_value(h) < 0 ||
		    json_integer_value(c) < 0 || json_integer_value(sz) < 1 ||
		    json_integer_value(h) > UINT32_MAX || json_integer_value(c) > UINT32_MAX ||
		    json_integer_value(sz) > UINT32_MAX) {
			cfg_diag(L->dl, src, DIAG_ERROR, jp,
				 "use {\"type\": \"gid\", \"container_id\": 33, \"host_id\": 33, \"size\": 1}",
				 "invalid id map entry");
			L->errors++;
			cm->ok = false;
		} else {
			int rc = idmap_add(&cm->map, kind, (uint32_t)json_integer_value(c),
					   (uint32_t)json_integer_value(h), (uint32_t)json_integer_value(sz));
			if (rc) {
				cfg_diag(L->dl, src, DIAG_ERROR, jp, "each container id may be mapped once",
					 rc == -EEXIST ? "id map entry overlaps an earlier %s entry"
						       : "id map entry for %s runs past 4294967295",
					 idmap_kind_name(kind));
				L->errors++;
				cm->ok = false;
			}
		}
		free(jp);
	}
	if (!cm->map.unprivileged && cm->map.n) {
		jp = xasprintf("lxc_configs.%s.id_maps", ctid);
		cfg_diag(L->dl, src, DIAG_WARNING, jp, "set \"unprivileged\": true or remove id_maps",
			 "id_maps of privileged container %s are ignored (ids map 1:1)", ctid);
		free(jp);
	}
	return cm->ok ? &cm->map : NULL;
}

/* Maps a container id; returns 0 or -1 (error reported at jpath). */
static int map_id(struct loader *L, const struct config_src *src, const char *jpath, const char *ctid,
		  const struct idmap *m, enum idmap_kind kind, uint32_t cid, uint32_t *hid, char **note)
{
	if (idmap_map(m, kind, cid, hid)) {
		cfg_diag(L->dl, src, DIAG_ERROR, jpath,
			 "add an id_maps entry for it (unprivileged containers map ids 0-65535 by default)",
			 "%s %u is not mapped in container %s", idmap_kind_name(kind), cid, ctid);
		L->errors++;
		return -1;
	}
	if (m->unprivileged)
		*note = xasprintf("%s %u in CT %s", idmap_kind_name(kind), cid, ctid);
	return 0;
}


/*
 * persistent_storage of the main config: base, then each entry of
 * directories (path, owner, group, mode, service, outside_zfs, ctid: owner and
 * group then are ids inside that container, mapped through its id map). Every
 * problem is an error in L->dl (counted in L->errors); an entry with one is
 * left out, the others are added (want_add merges repeated paths).
 */
static void load_persistent(struct loader *L)
{
	const struct config_src *src = L->cs->main;
	json_t *ps = src->root ? json_object_get(src->root, "persistent_storage") : NULL;
	if (!ps || json_is_null(ps))
		return;
	if (!json_is_object(ps)) {
		cfg_diag(L->dl, src, DIAG_ERROR, "persistent_storage",
			 "use {\"base\": \"/quickOS/vm-persistent-data\", \"directories\": [...]}",
			 "must be an object");
		L->errors++;
		return;
	}
	size_t before = diag_count(L->dl, DIAG_ERROR);
	cfg_check_members(src, ps, "persistent_storage", CFG_PERSISTENT, L->dl);
	const char *base_s = cfg_get_string(src, ps, "persistent_storage", "base", false, L->dl);
	json_t *dirs = cfg_get_array(src, ps, "persistent_storage", "directories", false, L->dl);
	L->errors += (int)(diag_count(L->dl, DIAG_ERROR) - before);
	char *base = NULL;
	if (base_s) {
		char *err = NULL;
		if (base_s[0] != '/' || !(base = dirs_normalize_path(base_s, NULL, &err))) {
			cfg_diag(L->dl, src, DIAG_ERROR, "persistent_storage.base",
				 "use an absolute path such as /quickOS/vm-persistent-data",
				 "base '%s' is not an absolute path", base_s);
			L->errors++;
		}
		free(err);
	}
	size_t i;
	json_t *e;
	json_array_foreach(dirs, i, e) {
		char *jp = xasprintf("persistent_storage.directories[%zu]", i);
		if (!json_is_object(e)) {
			cfg_diag(L->dl, src, DIAG_ERROR, jp,
				 "use {\"path\": \"1001/portainer/data\", \"owner\": 0, \"group\": 0, \"mode\": \"0750\"}",
				 "directory must be an object");
			L->errors++;
			free(jp);
			continue;
		}
		L->errors += cfg_check_members(src, e, jp, CFG_PERSISTENT_DIR, L->dl);
		before = diag_count(L->dl, DIAG_ERROR);
		const char *path = cfg_get_string(src, e, jp, "path", true, L->dl);
		const char *service = cfg_get_string(src, e, jp, "service", false, L->dl);
		L->errors += (int)(diag_count(L->dl, DIAG_ERROR) - before);
		struct dir_want w;
		memset(&w, 0, sizeof(w));
		bool bad = !path;
		if (path) {
			char *err = NULL;
			char *pp = xasprintf("%s.path", jp);
			w.path = dirs_normalize_path(path, base, &err);
			if (!w.path) {
				cfg_diag(L->dl, src, DIAG_ERROR, pp,
					 base_s || path[0] == '/' ? "use a path without '.' or '..'"
								 : "set persistent_storage.base or use an absolute path",
					 "%s", err);
				L->errors++;
				bad = true;
			}
			free(err);
			free(pp);
		}
		/* ctid: owner and group are ids inside that container. */
		json_t *ctid_v = json_object_get(e, "ctid");
		char *ctid = NULL;
		const struct idmap *m = NULL;
		if (ctid_v) {
			char *cp = xasprintf("%s.ctid", jp);
			ctid = json_is_integer(ctid_v) ? xasprintf("%lld", (long long)json_integer_value(ctid_v))
			       : json_is_string(ctid_v) ? xstrdup(json_string_value(ctid_v)) : NULL;
			json_t *ct = ctid && lxc_configs(L->cs) ? json_object_get(lxc_configs(L->cs), ctid) : NULL;
			if (!ctid) {
				cfg_diag(L->dl, src, DIAG_ERROR, cp, NULL, "ctid must be a number");
				L->errors++;
				bad = true;
			} else if (!json_is_object(ct)) {
				cfg_diag(L->dl, src, DIAG_ERROR, cp, "check the ctid, or pass the LXC config with --lxc-config",
					 "container '%s' is not in the LXC config", ctid);
				L->errors++;
				bad = true;
			} else if (!(m = ct_idmap(L, ctid, ct))) {
				bad = true;
			}
			free(cp);
		}
		json_t *v;
		if ((v = json_object_get(e, "owner")) && !json_is_null(v)) {
			char *op = xasprintf("%s.owner", jp);
			uint32_t id;
			if (parse_id(L, src, v, op, false, !ctid, &id))
				bad = true;
			else if (m && map_id(L, src, op, ctid, m, IDMAP_UID, id, &w.uid, &w.uid_note))
				bad = true;
			else {
				w.set_uid = true;
				if (!m)
					w.uid = id;
			}
			free(op);
		}
		if ((v = json_object_get(e, "group")) && !json_is_null(v)) {
			char *gp = xasprintf("%s.group", jp);
			uint32_t id;
			if (parse_id(L, src, v, gp, true, !ctid, &id))
				bad = true;
			else if (m && map_id(L, src, gp, ctid, m, IDMAP_GID, id, &w.gid, &w.gid_note))
				bad = true;
			else {
				w.set_gid = true;
				if (!m)
					w.gid = id;
			}
			free(gp);
		}
		if ((v = json_object_get(e, "mode")) && !json_is_null(v)) {
			char *mp = xasprintf("%s.mode", jp);
			if (!json_is_string(v)) {
				cfg_diag(L->dl, src, DIAG_ERROR, mp, "write the mode as an octal string, e.g. \"0750\"",
					 "mode must be a string");
				L->errors++;
				bad = true;
			} else if (dirs_parse_mode(json_string_value(v), &w.mode)) {
				cfg_diag(L->dl, src, DIAG_ERROR, mp, "use up to four octal digits, e.g. \"0750\"",
					 "invalid mode '%s'", json_string_value(v));
				L->errors++;
				bad = true;
			} else {
				w.set_mode = true;
				if (w.path)
					cfg_lint_mode(src, L->dl, mp, w.mode, w.path);
			}
			free(mp);
		}
		if ((v = json_object_get(e, "outside_zfs")) && !json_is_boolean(v)) {
			char *op = xasprintf("%s.outside_zfs", jp);
			cfg_diag(L->dl, src, DIAG_ERROR, op, NULL, "must be true or false");
			free(op);
			L->errors++;
			bad = true;
		}
		w.outside_zfs = v && json_is_true(v);
		free(ctid);
		if (bad) {
			want_free(&w);
			free(jp);
			continue;
		}
		w.service = service ? xstrdup(service) : NULL;
		w.src = src;
		w.origin = xstrdup(jp);
		w.jpath = jp;
		want_add(L, &w);
	}
	free(base);
}

/*
 * The host directories of container bind mounts (lxc_configs mount_points and
 * shared_volumes), from the one reader of them: what it refused it reported.
 * mount_points may give owner_uid/owner_gid (container ids, mapped through
 * the container's id map); both may say outside_zfs.
 */
static void load_bind_mounts(struct loader *L)
{
	for (size_t i = 0; i < L->lc->n_mounts; i++) {
		const struct lxc_mount *mp = &L->lc->mounts[i];
		if (mp->kind != LXC_MOUNT_BIND)
			continue;
		const struct config_src *src = mp->src;
		char *jp = mp->volume ? xasprintf("shared_volumes.%s", mp->volume) : xstrdup(mp->jpath);
		struct dir_want w;
		memset(&w, 0, sizeof(w));
		w.path = xstrdup(mp->host_path);
		bool bad = false;
		const struct lxc_ct *ct = mp->ct_json ? lxc_config_ct(L->lc, mp->ctid) : NULL;
		json_t *ou = ct ? json_object_get(mp->json, "owner_uid") : NULL;
		json_t *og = ct ? json_object_get(mp->json, "owner_gid") : NULL;
		const struct idmap *m = NULL;
		if ((ou || og) && !(m = ct_idmap(L, ct->key, ct->json)))
			bad = true;
		const char *names[2] = { "owner_uid", "owner_gid" };
		json_t *vals[2] = { ou, og };
		for (int k = 0; k < 2 && !bad; k++) {
			if (!vals[k] || json_is_null(vals[k]))
				continue;
			char *kp = xasprintf("%s.%s", jp, names[k]);
			json_int_t x = json_is_integer(vals[k]) ? json_integer_value(vals[k]) : -1;
			if (x < 0 || x > UINT32_MAX) {
				cfg_diag(L->dl, src, DIAG_ERROR, kp, "use the numeric id inside the container",
					 "%s must be a non-negative integer", names[k]);
				L->errors++;
				bad = true;
			} else if (k == 0) {
				bad = map_id(L, src, kp, ct->key, m, IDMAP_UID, (uint32_t)x, &w.uid, &w.uid_note) != 0;
				w.set_uid = !bad;
			} else {
				bad = map_id(L, src, kp, ct->key, m, IDMAP_GID, (uint32_t)x, &w.gid, &w.gid_note) != 0;
				w.set_gid = !bad;
			}
			free(kp);
		}
		json_t *oz = json_object_get(mp->json, "outside_zfs");
		if (oz && !json_is_boolean(oz)) {
			char *kp = xasprintf("%s.outside_zfs", jp);
			cfg_diag(L->dl, src, DIAG_ERROR, kp, NULL, "must be true or false");
			free(kp);
			L->errors++;
			bad = true;
		}
		w.outside_zfs = oz && json_is_true(oz);
		if (bad) {
			want_free(&w);
			free(jp);
			continue;
		}
		w.src = src;
		w.origin = xstrdup(mp->origin);
		w.jpath = jp;
		want_add(L, &w);
	}
}

/*
 * The host directories of VM NFS volumes (vms[].volumes[] with "type": "nfs").
 * pve_config reads every member of a volume and reports what is wrong; a
 * path that is not a usable absolute directory is left out here quietly, so
 * one mistake makes one error.
 */
static void load_vm(struct loader *L)
{
	const struct config_src *src = L->cs->vm;
	json_t *vms = src->root ? json_object_get(src->root, "vms") : NULL;
	if (!json_is_array(vms))
		return;
	size_t i;
	json_t *vm;
	json_array_foreach(vms, i, vm) {
		json_t *vols = json_is_object(vm) ? json_object_get(vm, "volumes") : NULL;
		if (!json_is_array(vols))
			continue;
		json_t *id = json_object_get(vm, "vmid");
		char *vmid = json_is_integer(id) ? xasprintf("%lld", (long long)json_integer_value(id))
			     : json_is_string(id) ? xstrdup(json_string_value(id)) : xasprintf("#%zu", i);
		size_t j;
		json_t *vol;
		json_array_foreach(vols, j, vol) {
			json_t *type = json_object_get(vol, "type");
			const char *path = json_string_value(json_object_get(vol, "path"));
			if (!json_is_string(type) || strcmp(json_string_value(type), "nfs") || !path || path[0] != '/' ||
			    !str_line_ok(path))
				continue;
			char *err = NULL;
			struct dir_want w;
			memset(&w, 0, sizeof(w));
			w.path = dirs_normalize_path(path, NULL, &err);
			free(err);
			if (!w.path)
				continue;
			w.src = src;
			w.origin = xasprintf("vm %s volumes[%zu]", vmid, j);
			w.jpath = xasprintf("vms[%zu].volumes[%zu].path", i, j);
			want_add(L, &w);
		}
		free(vmid);
	}
}

static void load_samba(struct loader *L)
{
	const struct config_src *src = L->cs->main;
	json_t *s = src->root ? json_object_get(src->root, "samba") : NULL;
	json_t *shares = json_is_object(s) ? json_object_get(s, "shares") : NULL;
	if (!json_is_array(shares))
		return;
	size_t i;
	json_t *sh;
	json_array_foreach(shares, i, sh) {
		json_t *p = json_is_object(sh) ? json_object_get(sh, "path") : NULL;
		if (!json_is_string(p))
			continue;
		char *err = NULL;
		char *path = samba_share_path(json_string_value(p), &err);
		free(err);
		if (!path)
			continue; /* the samba subsystem reports it */
		struct dir_want w;
		memset(&w, 0, sizeof(w));
		w.path = path;
		w.samba_only = true;
		json_t *oz = json_object_get(sh, "outside_zfs");
		w.outside_zfs = json_is_true(oz);
		w.src = src;
		w.jpath = xasprintf("samba.shares[%zu].path", i);
		/* the share's nodes: its errors are the samba subsystem's to report */
		struct diag_list quiet = { 0 };
		char *sjp = xasprintf("samba.shares[%zu]", i);
		w.nodes = cfg_get_nodes(src, sh, sjp, &quiet, "share");
		free(sjp);
		diag_list_free(&quiet);
		w.origin = xasprintf("samba.shares[%zu]", i);
		want_add(L, &w);
	}
}

static int cmp_want(const void *a, const void *b)
{
	return strcmp(((const struct dir_want *)a)->path, ((const struct dir_want *)b)->path);
}

int dirs_config_load(const struct config_sources *cs, const struct lxc_config *lc, struct dirs_config *cfg,
		     struct diag_list *dl)
{
	memset(cfg, 0, sizeof(*cfg));
	struct loader L = { cs, lc, cfg, dl, 0, NULL, 0 };
	load_persistent(&L);
	load_bind_mounts(&L);
	load_vm(&L);
	load_samba(&L);
	for (size_t i = 0; i < L.n_maps; i++) {
		free(L.maps[i].ctid);
		idmap_free(&L.maps[i].map);
	}
	free(L.maps);
	if (cfg->n)
		qsort(cfg->v, cfg->n, sizeof(*cfg->v), cmp_want);
	return L.errors ? -1 : 0;
}

void dirs_config_free(struct dirs_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n + cfg->n_away; i++)
		want_free(&cfg->v[i]);
	free(cfg->v);
	memset(cfg, 0, sizeof(*cfg));
}
