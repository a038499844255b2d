#include "config/lxc_config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/members.h"
#include "util/path.h"
#include "util/str.h"
#include "util/strbuf.h"

/* ---- values ------------------------------------------------------------------- */

bool pve_storage_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || !isalpha((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

bool pve_storage_id_check(const struct config_src *src, const char *jpath, const char *id, struct diag_list *dl)
{
	if (pve_storage_id_valid(id))
		return true;
	cfg_diag(dl, src, DIAG_ERROR, jpath, "a storage id starts with a letter and holds letters, digits, '-', '_' and '.'",
		 "invalid storage id '%s'", id);
	return false;
}

char *guest_norm_path(const char *p)
{
	return p && p[0] == '/' ? path_clean(NULL, p, NULL, NULL) : NULL;
}

char *guest_path_member(const struct config_src *src, json_t *o, const char *jpath, const char *key,
			enum gram_target target, struct diag_list *dl)
{
	const char *v = cfg_get_string(src, o, jpath, key, true, dl);
	if (!v)
		return NULL;
	char *kp = xasprintf("%s.%s", jpath, key);
	char *what = xstrdup(key);
	for (char *c = what; *c; c++)
		if (*c == '_')
			*c = ' ';
	bool fits = cfg_check_value(src, dl, kp, target, what, v);
	free(what);
	char *n = fits ? guest_norm_path(v) : NULL;
	if (fits && (!n || !strcmp(n, "/"))) {
		cfg_diag(dl, src, DIAG_ERROR, kp, "use an absolute path without '.' or '..' parts", "invalid path '%s'", v);
		free(n);
		n = NULL;
	}
	free(kp);
	return n;
}

/* The host directory of a bind mount: as guest_path_member, and a relative one says so. */
static char *host_path_member(const struct config_src *src, json_t *o, const char *jpath, struct diag_list *dl)
{
	const char *v = json_string_value(json_object_get(o, "host_path"));
	if (v && v[0] != '/' && !gram_check(GRAM_PVE_PROP, v, NULL)) {
		char *kp = xasprintf("%s.host_path", jpath);
		cfg_diag(dl, src, DIAG_ERROR, kp, "use an absolute host directory such as /quickOS/lxc-persistent-data/101/logs",
			 "host_path '%s' is not absolute", v);
		free(kp);
		return NULL;
	}
	return guest_path_member(src, o, jpath, "host_path", GRAM_PVE_PROP, dl);
}

/* A container id: digits, 100 and up. Returns 0 or -1. */
static int parse_guest_id(const char *s, unsigned *id)
{
	if (!*s || strlen(s) > 9)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	*id = (unsigned)strtoul(s, NULL, 10);
	return *id >= 100 ? 0 : -1;
}

static void read_mp_opts(const struct config_src *src, json_t *o, const char *jpath, struct lxc_mp_opts *m,
			 struct diag_list *dl)
{
	static const char *const mp_opt_keys[] = { "ro", "backup", "acl", "replicate", "shared" };
	int *slots[] = { &m->ro, &m->backup, &m->acl, &m->replicate, &m->shared };
	for (size_t i = 0; i < 5; i++) {
		*slots[i] = -1;
		json_t *v = json_object_get(o, mp_opt_keys[i]);
		if (!v)
			continue;
		if (!json_is_boolean(v)) {
			char *jp = xasprintf("%s.%s", jpath, mp_opt_keys[i]);
			cfg_diag(dl, src, DIAG_ERROR, jp, "write true or false", "%s must be a boolean", mp_opt_keys[i]);
			free(jp);
			continue;
		}
		*slots[i] = json_is_true(v);
	}
}

/* ---- replication (pvesr) ------------------------------------------------------------ */

static const char *const guest_repl_members[] = { "target", "schedule", "rate_mb", NULL };

void guest_repl_free(struct guest_repl *r)
{
	if (!r)
		return;
	free(r->target);
	free(r->schedule);
	free(r->jpath);
	free(r);
}

struct guest_repl *guest_repl_dup(const struct guest_repl *r)
{
	if (!r)
		return NULL;
	struct guest_repl *d = xcalloc(1, sizeof(*d));
	*d = *r;
	d->target = xstrdup(r->target);
	d->schedule = xstrdup(r->schedule);
	d->jpath = xstrdup(r->jpath);
	return d;
}

/* The names of cluster.nodes of main, "'pve1', 'pve2'" (caller frees). */
static char *node_list(json_t *nodes)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	const char *n;
	json_t *v;
	json_object_foreach(nodes, n, v)
		sb_addf(&sb, "%s'%s'", sb.len ? ", " : "", n);
	if (!sb.len)
		sb_adds(&sb, "(no nodes defined)");
	return sb_detach(&sb);
}

struct guest_repl *guest_repl_member(const struct config_src *src, json_t *o, const char *jpath,
				     const struct config_src *main, struct diag_list *dl)
{
	json_t *rj = json_object_get(o, "replication");
	if (!rj)
		return NULL;
	char *jp = xasprintf("%s.replication", jpath);
	if (!json_is_object(rj)) {
		cfg_diag(dl, src, DIAG_ERROR, jp, "write { \"target\": \"pve2\", \"schedule\": \"*/15\" }",
			 "replication must be an object");
		free(jp);
		return NULL;
	}
	size_t errors = diag_count(dl, DIAG_ERROR);
	cfg_reject_unknown(src, rj, jp, guest_repl_members, "a guest's replication", dl);
	const char *target = cfg_get_string(src, rj, jp, "target", true, dl);
	json_t *cl = main && main->root ? json_object_get(main->root, "cluster") : NULL;
	json_t *nodes = json_is_object(cl) ? json_object_get(cl, "nodes") : NULL;
	if (target && (!json_is_object(nodes) || !json_object_get(nodes, target))) {
		char *names = node_list(json_is_object(nodes) ? nodes : NULL);
		char *hint = xasprintf("name a node of cluster.nodes (in the main config): %s", names);
		cfg_diag_at(dl, src, DIAG_ERROR, jp, "target", hint, "unknown node '%s'", target);
		free(hint);
		free(names);
	}
	const char *schedule = GUEST_REPL_SCHEDULE_DEFAULT;
	json_t *sj = json_object_get(rj, "schedule");
	if (sj) {
		char *sjp = xasprintf("%s.schedule", jp);
		const char *s = cfg_string(src, sj, sjp, dl);
		const char *hint = "a pvesr calendar event such as \"*/15\", \"*/30\", \"mon..fri 22:00\" (man pvesr)";
		if (!json_is_string(sj))
			cfg_diag(dl, src, DIAG_ERROR, sjp, hint, "schedule must be a string");
		else if (s && (!*s || str_is_space(s[0]) || str_is_space(s[strlen(s) - 1])))
			cfg_diag(dl, src, DIAG_ERROR, sjp, hint, "schedule '%s' is empty or begins or ends with white space", s);
		else if (s && strlen(s) > GUEST_REPL_SCHEDULE_MAX)
			cfg_diag(dl, src, DIAG_ERROR, sjp, hint, "schedule is longer than %d characters", GUEST_REPL_SCHEDULE_MAX);
		schedule = s;
		free(sjp);
	}
	double rate = 0;
	json_t *rt = json_object_get(rj, "rate_mb");
	if (rt && (!json_is_number(rt) || json_number_value(rt) < 1 || json_number_value(rt) > 1e9))
		cfg_diag_at(dl, src, DIAG_ERROR, jp, "rate_mb", "a bandwidth limit in MB/s, 1 or more (e.g. 50); leave it out for none",
			    "rate_mb must be a number of at least 1");
	else if (rt)
		rate = json_number_value(rt);
	if (diag_count(dl, DIAG_ERROR) > errors || !target || !schedule) {
		free(jp);
		return NULL;
	}
	struct guest_repl *r = xcalloc(1, sizeof(*r));
	r->target = xstrdup(target);
	r->schedule = xstrdup(schedule);
	r->rate_mb = rate;
	r->src = src;
	r->jpath = jp;
	return r;
}

/* ---- records --------------------------------------------------------------------- */

static void mount_free(struct lxc_mount *m)
{
	free(m->host_path);
	free(m->storage);
	free(m->ct_path);
	free(m->jpath);
	free(m->origin);
}

void lxc_config_free(struct lxc_config *lc)
{
	if (!lc)
		return;
	for (size_t i = 0; i < lc->n_cts; i++) {
		free(lc->cts[i].name);
		free(lc->cts[i].storage_pool);
		free(lc->cts[i].jpath);
		guest_repl_free(lc->cts[i].repl);
	}
	free(lc->cts);
	for (size_t i = 0; i < lc->n_mounts; i++)
		mount_free(&lc->mounts[i]);
	free(lc->mounts);
	memset(lc, 0, sizeof(*lc));
}

const struct lxc_ct *lxc_config_ct(const struct lxc_config *lc, unsigned ctid)
{
	for (size_t i = 0; i < lc->n_cts; i++)
		if (lc->cts[i].ctid == ctid)
			return &lc->cts[i];
	return NULL;
}

/* Keeps m (taking its strings) when it is complete, else frees it. */
static void keep_mount(struct lxc_config *lc, struct lxc_mount *m, bool complete)
{
	if (!complete) {
		mount_free(m);
		return;
	}
	lc->mounts = xrealloc(lc->mounts, (lc->n_mounts + 1) * sizeof(*lc->mounts));
	lc->mounts[lc->n_mounts++] = *m;
}

/* ---- lxc_configs ------------------------------------------------------------------- */

/* A size in GiB from 1 to 1 TiB at o.key: bytes, or 0 (reported at the member, or at jpath when missing). */
static uint64_t read_size_gb(const struct config_src *src, json_t *o, const char *jpath, const char *key,
			     bool required, const char *example, struct diag_list *dl)
{
	json_t *g = json_object_get(o, key);
	if (!g && !required)
		return 0;
	if (json_is_integer(g) && json_integer_value(g) >= 1 && json_integer_value(g) <= 1048576)
		return (uint64_t)json_integer_value(g) << 30;
	char *sjp = xasprintf("%s.%s", jpath, key);
	char *hint = xasprintf("write the size in GiB as a whole number, e.g. %s", example);
	cfg_diag(dl, src, DIAG_ERROR, g ? sjp : jpath, hint, "%s must be a positive integer", key);
	free(hint);
	free(sjp);
	return 0;
}

/* mount_points[] of container ct: bind mounts. */
static void read_bind_mounts(const struct config_src *src, json_t *c, const struct lxc_ct *ct, struct lxc_config *lc,
			     struct diag_list *dl)
{
	json_t *mps = cfg_get_array(src, c, ct->jpath, "mount_points", false, dl);
	size_t i;
	json_t *m;
	json_array_foreach(mps, i, m) {
		struct lxc_mount w = { .kind = LXC_MOUNT_BIND, .ctid = ct->ctid, .json = m, .ct_json = c, .src = src };
		w.jpath = xasprintf("%s.mount_points[%zu]", ct->jpath, i);
		w.origin = xasprintf("lxc %s mount_points[%zu]", ct->key, i);
		if (!json_is_object(m)) {
			cfg_diag(dl, src, DIAG_ERROR, w.jpath, "write {\"host_path\": ..., \"container_path\": ...}",
				 "a mount point must be an object");
			keep_mount(lc, &w, false);
			continue;
		}
		cfg_check_members(src, m, w.jpath, CFG_BIND_MOUNT, dl);
		w.host_path = host_path_member(src, m, w.jpath, dl);
		w.ct_path = guest_path_member(src, m, w.jpath, "container_path", GRAM_PVE_PROP, dl);
		read_mp_opts(src, m, w.jpath, &w.opts, dl);
		keep_mount(lc, &w, w.host_path && w.ct_path);
	}
}

/* zfs_volumes[] of container ct: new volumes on a storage. */
static void read_volumes(const struct config_src *src, json_t *c, const struct lxc_ct *ct, struct lxc_config *lc,
			 struct diag_list *dl)
{
	json_t *vols = cfg_get_array(src, c, ct->jpath, "zfs_volumes", false, dl);
	size_t i;
	json_t *m;
	json_array_foreach(vols, i, m) {
		struct lxc_mount w = { .kind = LXC_MOUNT_VOLUME, .ctid = ct->ctid, .json = m, .ct_json = c, .src = src };
		w.jpath = xasprintf("%s.zfs_volumes[%zu]", ct->jpath, i);
		w.origin = xasprintf("lxc %s zfs_volumes[%zu]", ct->key, i);
		if (!json_is_object(m)) {
			cfg_diag(dl, src, DIAG_ERROR, w.jpath, "write {\"pool\": ..., \"size_gb\": ..., \"mount_point\": ...}",
				 "a volume must be an object");
			keep_mount(lc, &w, false);
			continue;
		}
		cfg_check_members(src, m, w.jpath, CFG_CT_VOLUME, dl);
		const char *pool = cfg_get_string(src, m, w.jpath, "pool", true, dl);
		char *pjp = xasprintf("%s.pool", w.jpath);
		if (pool && !pve_storage_id_check(src, pjp, pool, dl))
			pool = NULL;
		free(pjp);
		w.storage = pool ? xstrdup(pool) : NULL;
		w.ct_path = guest_path_member(src, m, w.jpath, "mount_point", GRAM_PVE_PROP, dl);
		w.size = read_size_gb(src, m, w.jpath, "size_gb", true, "50", dl);
		read_mp_opts(src, m, w.jpath, &w.opts, dl);
		keep_mount(lc, &w, w.storage && w.ct_path && w.size);
	}
}

/* The members of each id_maps entry of container c (dirs_config reads their values). */
static void check_id_map_members(const struct config_src *src, json_t *c, const char *jpath, struct diag_list *dl)
{
	json_t *maps = json_object_get(c, "id_maps");
	size_t i;
	json_t *m;
	json_array_foreach(maps, i, m) {
		char *jp = xasprintf("%s.id_maps[%zu]", jpath, i);
		cfg_check_members(src, m, jp, CFG_ID_MAP, dl);
		free(jp);
	}
}

/* One entry of lxc_configs: its own members, then its mounts. */
static void read_container(const struct config_src *src, const char *key, json_t *c,
			   const struct config_src *main, struct lxc_config *lc, struct diag_list *dl)
{
	char *jp = xasprintf("lxc_configs.%s", key);
	unsigned ctid;
	if (parse_guest_id(key, &ctid)) {
		cfg_diag(dl, src, DIAG_ERROR, jp, "container ids are numbers from 100 up", "invalid container id '%s'", key);
		free(jp);
		return;
	}
	if (!json_is_object(c)) {
		cfg_diag(dl, src, DIAG_ERROR, jp, NULL, "container %u: the entry must be an object", ctid);
		free(jp);
		return;
	}
	lc->cts = xrealloc(lc->cts, (lc->n_cts + 1) * sizeof(*lc->cts));
	struct lxc_ct *ct = &lc->cts[lc->n_cts++];
	memset(ct, 0, sizeof(*ct));
	ct->ctid = ctid;
	ct->key = key;
	ct->json = c;
	ct->src = src;
	ct->jpath = jp;
	cfg_check_members(src, c, jp, CFG_CONTAINER, dl);
	check_id_map_members(src, c, jp, dl);
	const char *name = cfg_get_string(src, c, jp, "name", false, dl);
	ct->name = name ? xstrdup(name) : NULL;
	const char *sp = cfg_get_string(src, c, jp, "storage_pool", false, dl);
	ct->storage_pool = sp ? xstrdup(sp) : NULL;
	ct->rootfs_size = read_size_gb(src, c, jp, "storage_size_gb", false, "32", dl);
	ct->repl = guest_repl_member(src, c, jp, main, dl);
	/* ct may move when cts grows: the readers take a copy of what they need */
	struct lxc_ct copy = *ct;
	read_bind_mounts(src, c, &copy, lc, dl);
	read_volumes(src, c, &copy, lc, dl);
}

/* ---- shared_volumes ---------------------------------------------------------------- */

/* One mount of shared volume name (host path host, already read) into container ck. */
static void read_shared_mount(const struct config_src *src, const char *name, json_t *vol, const char *host,
			      const struct lxc_mp_opts *opts, const char *ck, json_t *cp, const char *jp,
			      struct lxc_config *lc, struct diag_list *dl)
{
	char *mjp = xasprintf("%s.mounts.%s", jp, ck);
	unsigned ctid;
	if (parse_guest_id(ck, &ctid)) {
		cfg_diag(dl, src, DIAG_ERROR, mjp, "container ids are numbers from 100 up", "invalid container id '%s'", ck);
		free(mjp);
		return;
	}
	const char *cps = cfg_string(src, cp, mjp, dl);
	if (json_is_string(cp) && (!cps || !cfg_check_value(src, dl, mjp, GRAM_PVE_PROP, "container path", cps))) {
		free(mjp);
		return;
	}
	char *ctp = cps ? guest_norm_path(cps) : NULL;
	if (!ctp || !strcmp(ctp, "/")) {
		cfg_diag(dl, src, DIAG_ERROR, mjp, "use an absolute path without '.' or '..' parts", "invalid container path");
		free(ctp);
		free(mjp);
		return;
	}
	struct lxc_mount w = { .kind = LXC_MOUNT_BIND, .ctid = ctid, .ct_path = ctp, .opts = *opts, .volume = name,
			       .json = vol, .src = src, .jpath = mjp };
	w.origin = xstrdup(jp);
	w.host_path = host ? xstrdup(host) : NULL;
	keep_mount(lc, &w, host != NULL);
}

/* shared_volumes of the main config: one host directory bind-mounted into several containers. */
static void read_shared_volumes(const struct config_src *src, struct lxc_config *lc, struct diag_list *dl)
{
	json_t *sv = json_object_get(src->root, "shared_volumes");
	if (sv && !json_is_object(sv)) {
		cfg_diag(dl, src, DIAG_ERROR, "shared_volumes", "write {\"name\": {\"host_path\": ..., \"mounts\": {...}}}",
			 "shared_volumes must be an object");
		return;
	}
	const char *key;
	json_t *c;
	json_object_foreach(sv, key, c) {
		char *jp = xasprintf("shared_volumes.%s", key);
		json_t *hp = json_is_object(c) ? json_object_get(c, "host_path") : NULL;
		json_t *mounts = json_is_object(c) ? json_object_get(c, "mounts") : NULL;
		if (!hp && !mounts) {
			cfg_diag(dl, src, DIAG_NOTE, jp, NULL, "'%s' is not a shared volume (no host_path and mounts); skipped",
				 key);
			free(jp);
			continue;
		}
		cfg_check_members(src, c, jp, CFG_SHARED_VOLUME, dl);
		cfg_check_dup(src, "shared_volumes", key, dl);
		char *mjp = xasprintf("%s.mounts", jp);
		cfg_check_dup(src, mjp, NULL, dl);
		free(mjp);
		char *host = host_path_member(src, c, jp, dl);
		if (!json_is_object(mounts)) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "add \"mounts\": {\"<ctid>\": \"/path/in/container\"}",
				 "shared volume '%s' has no mounts object", key);
			free(host);
			free(jp);
			continue;
		}
		struct lxc_mp_opts opts;
		read_mp_opts(src, c, jp, &opts, dl);
		const char *ck;
		json_t *cp;
		json_object_foreach(mounts, ck, cp)
			read_shared_mount(src, key, c, host, &opts, ck, cp, jp, lc, dl);
		free(host);
		free(jp);
	}
}

int lxc_config_load(const struct config_sources *cs, struct lxc_config *lc, struct diag_list *dl)
{
	memset(lc, 0, sizeof(*lc));
	struct diag_list mine = { 0 };
	const struct config_src *src = cs->lxc;
	json_t *cfgs = src->root ? json_object_get(src->root, "lxc_configs") : NULL;
	if (cfgs && !json_is_object(cfgs)) {
		cfg_diag(&mine, src, DIAG_ERROR, "lxc_configs", "write {\"<ctid>\": {...}}", "lxc_configs must be an object");
		cfgs = NULL;
	}
	if (cfgs)
		cfg_check_dup(src, "lxc_configs", NULL, &mine);
	const char *key;
	json_t *c;
	json_object_foreach(cfgs, key, c)
		read_container(src, key, c, cs->main, lc, &mine);
	if (cs->main->root)
		read_shared_volumes(cs->main, lc, &mine);
	int rc = diag_count(&mine, DIAG_ERROR) ? -1 : 0;
	diag_move(dl, &mine);
	return rc;
}
