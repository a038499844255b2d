#include "config/pve_config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/grammar.h"
#include "config/members.h"
#include "config/zfs_config.h"
#include "util/fs.h"
#include "formats/storage_cfg.h"

/* ---------- pure helpers ---------- */

/* A storage key or name as the key rule compares it: lower case, '-', '.' and '/' read as '_'. */
static char *storage_key(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (*p == '-' || *p == '.' || *p == '/')
			*p = '_';
	}
	return r;
}

int pve_storage_key_matches(const char *key, const char *pool, const char *name)
{
	char *k = storage_key(key);
	char *full = xasprintf("%s_%s", pool, name);
	char *d = storage_key(full);
	free(full);
	size_t kl = strlen(k);
	int r = 0;
	if (!strcmp(k, d))
		r = 2;
	else if (kl && !strncmp(k, d, kl) && d[kl] == '_')
		r = 1;
	free(k);
	free(d);
	return r;
}

void pve_resolve_storage_keys(const char *const *keys, const char *const *values, size_t n_keys,
			      const char *const *pools, const char *const *names, size_t n_ds, int *out)
{
	/* datasets matched exactly by some key */
	bool *exact = xcalloc(n_ds + 1, sizeof(*exact));
	for (size_t k = 0; k < n_keys; k++)
		for (size_t d = 0; d < n_ds; d++)
			if (pve_storage_key_matches(keys[k], pools[d], names[d]) == 2)
				exact[d] = true;
	for (size_t k = 0; k < n_keys; k++) {
		int found = -1, n_found = 0;
		for (size_t d = 0; d < n_ds; d++) {
			if (pve_storage_key_matches(keys[k], pools[d], names[d]) == 2) {
				found = (int)d;
				n_found = 1;
				break;
			}
		}
		if (n_found) {
			out[k] = found;
			continue;
		}
		int cands = 0, last = -1;
		for (size_t d = 0; d < n_ds; d++)
			if (pve_storage_key_matches(keys[k], pools[d], names[d]) == 1 && !exact[d]) {
				cands++;
				last = (int)d;
			}
		if (cands <= 1) {
			out[k] = cands ? last : -1;
			continue;
		}
		char *nv = storage_key(values[k] ? values[k] : "");
		int byval = -1, n_byval = 0;
		for (size_t d = 0; d < n_ds; d++) {
			if (pve_storage_key_matches(keys[k], pools[d], names[d]) != 1 || exact[d])
				continue;
			char *def = xasprintf("%s-%s", pools[d], names[d]);
			char *nd = storage_key(def);
			if (!strcmp(nd, nv)) {
				byval = (int)d;
				n_byval++;
			}
			free(def);
			free(nd);
		}
		free(nv);
		out[k] = n_byval == 1 ? byval : -2;
	}
	free(exact);
}

const char *const *pve_content_allowed(const char *type)
{
	static const char *const zfspool[] = { "images", "rootdir", NULL };
	static const char *const dir[] = { "images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import", NULL };
	if (!strcmp(type, "zfspool"))
		return zfspool;
	if (!strcmp(type, "dir") || !strcmp(type, "nfs"))
		return dir;
	return NULL;
}

bool pve_client_matches(const char *client, const char *addr, bool *checkable)
{
	*checkable = true;
	if (!strcmp(client, "*"))
		return true;
	struct in_addr a, c;
	if (inet_pton(AF_INET, addr, &a) != 1) {
		*checkable = false;
		return false;
	}
	const char *slash = strchr(client, '/');
	char *ip = slash ? xstrndup(client, (size_t)(slash - client)) : xstrdup(client);
	int ok = inet_pton(AF_INET, ip, &c);
	free(ip);
	if (ok != 1) {
		*checkable = false;
		return false;
	}
	uint32_t mask = 0xffffffffu;
	if (slash) {
		const char *m = slash + 1;
		struct in_addr mm;
		if (strchr(m, '.')) {
			if (inet_pton(AF_INET, m, &mm) != 1) {
				*checkable = false;
				return false;
			}
			mask = ntohl(mm.s_addr);
		} else {
			char *end;
			long bits = strtol(m, &end, 10);
			if (*end || bits < 0 || bits > 32) {
				*checkable = false;
				return false;
			}
			mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
		}
	}
	return (ntohl(a.s_addr) & mask) == (ntohl(c.s_addr) & mask);
}

/* ---------- loading ---------- */

static void storage_free(struct pve_storage_want *s)
{
	free(s->id);
	free(s->type);
	free(s->pool);
	free(s->path);
	free(s->server);
	free(s->export);
	free(s->options);
	free(s->content);
	free(s->blocksize);
	free(s->dataset);
	free(s->nodes);
	free(s->jpath);
}

static void mount_free(struct pve_mount_want *m)
{
	free(m->host_path);
	free(m->storage);
	free(m->ct_path);
	free(m->jpath);
}

void pve_config_free(struct pve_config *pc)
{
	if (!pc)
		return;
	for (size_t i = 0; i < pc->n_storages; i++)
		storage_free(&pc->storages[i]);
	free(pc->storages);
	for (size_t i = 0; i < pc->n_cts; i++) {
		struct pve_ct_want *c = &pc->cts[i];
		for (size_t j = 0; j < c->n_mounts; j++)
			mount_free(&c->mounts[j]);
		free(c->mounts);
		free(c->name);
		free(c->storage_pool);
		free(c->jpath);
		guest_repl_free(c->repl);
	}
	free(pc->cts);
	for (size_t i = 0; i < pc->n_vms; i++) {
		struct pve_vm_want *v = &pc->vms[i];
		for (size_t j = 0; j < v->n_nfs; j++) {
			free(v->nfs[j].server);
			free(v->nfs[j].path);
			free(v->nfs[j].mount_point);
			free(v->nfs[j].options);
			free(v->nfs[j].jpath);
		}
		free(v->nfs);
		free(v->name);
		free(v->storage_pool);
		free(v->ip);
		free(v->jpath);
		guest_repl_free(v->repl);
	}
	free(pc->vms);
	memset(pc, 0, sizeof(*pc));
}

const struct pve_storage_want *pve_config_storage(const struct pve_config *pc, const char *id)
{
	for (size_t i = 0; i < pc->n_storages; i++)
		if (!strcmp(pc->storages[i].id, id))
			return &pc->storages[i];
	return NULL;
}

/* Checks a content list for a storage type; returns the normalised list or NULL (error reported). */
static char *check_content(const struct config_src *src, const char *jpath, const char *type,
			   const char *content, struct diag_list *dl)
{
	char *norm = pve_content_normalize(content);
	const char *const *allowed = pve_content_allowed(type);
	if (!*norm) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "list content types separated by commas, e.g. \"images,rootdir\"",
			 "empty content list");
		free(norm);
		return NULL;
	}
	bool bad = false;
	const char *p = norm;
	while (*p) {
		size_t n = strcspn(p, ",");
		char *it = xstrndup(p, n);
		bool ok = !strcmp(it, "none") && !strcmp(type, "dir") && !strcmp(norm, "none");
		for (size_t i = 0; allowed && allowed[i] && !ok; i++)
			ok = !strcmp(allowed[i], it);
		if (!ok) {
			struct strbuf h = STRBUF_INIT;
			sb_init(&h);
			sb_addf(&h, "a %s storage accepts:", type);
			for (size_t i = 0; allowed && allowed[i]; i++)
				sb_addf(&h, "%s %s", i ? "," : "", allowed[i]);
			if (!strcmp(type, "zfspool"))
				sb_adds(&h, " (use proxmox_storage_type \"dir\" for iso, vztmpl, backup, snippets)");
			cfg_diag(dl, src, DIAG_ERROR, jpath, h.buf, "content type '%s' is not valid for %s storage",
				 it, type);
			sb_release(&h);
			bad = true;
		}
		free(it);
		p += n;
		if (*p)
			p++;
	}
	if (bad) {
		free(norm);
		return NULL;
	}
	return norm;
}

static bool blocksize_valid(const char *s)
{
	char *end;
	if (!isdigit((unsigned char)*s) || *s == '0')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	return !*end && v >= 512 && v <= 16ULL << 20 && (v & (v - 1)) == 0;
}

static bool dir_path_valid(const char *p)
{
	if (p[0] != '/' || !p[1])
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-/_.@", *p))
			return false;
	return true;
}

bool pve_dir_path_check(const struct config_src *src, const char *jpath, const char *id, const char *mountpoint,
			const char *root, struct diag_list *dl)
{
	/* under --root the host sees the dataset at its path inside the root */
	char *path = root_strip(root, mountpoint);
	bool ok = dir_path_valid(path);
	if (!ok)
		cfg_diag(dl, src, DIAG_ERROR, jpath, "give the dataset a mountpoint such as /pool/name (letters, digits, -_.@)",
			 "dir storage '%s' needs a usable mountpoint, the dataset's is '%s'", id, path);
	free(path);
	return ok;
}

static struct pve_storage_want *add_storage(struct pve_config *pc)
{
	pc->storages = xrealloc(pc->storages, (pc->n_storages + 1) * sizeof(*pc->storages));
	struct pve_storage_want *s = &pc->storages[pc->n_storages++];
	memset(s, 0, sizeof(*s));
	s->sparse = -1;
	return s;
}

/* json value of a dataset of the config, found from its jpath "zfs.datasets[N]". */
static json_t *dataset_json(const struct config_src *src, const char *jpath)
{
	const char *b = strchr(jpath, '[');
	if (!b || !src->root)
		return NULL;
	size_t i = strtoul(b + 1, NULL, 10);
	json_t *zfs = json_object_get(src->root, "zfs");
	return json_array_get(json_object_get(zfs, "datasets"), i);
}

/* The datasets that become storages (proxmox_storage_type set, valid), as pools/names for the key rule. */
struct storage_datasets {
	const char **pools;
	const char **names;
	size_t *which;       /* index into zfs_config.datasets */
	size_t n;
};

static void storage_datasets_free(struct storage_datasets *sd)
{
	free(sd->pools);
	free(sd->names);
	free(sd->which);
}

/* Fills sd with the datasets that carry a usable proxmox_storage_type; the others are errors. */
static void find_storage_datasets(const struct config_src *src, const struct zfs_config *z,
				  struct storage_datasets *sd, struct diag_list *dl)
{
	sd->n = 0;
	sd->pools = xcalloc(z->n_datasets + 1, sizeof(*sd->pools));
	sd->names = xcalloc(z->n_datasets + 1, sizeof(*sd->names));
	sd->which = xcalloc(z->n_datasets + 1, sizeof(*sd->which));
	for (size_t i = 0; i < z->n_datasets; i++) {
		const struct zcfg_dataset *d = &z->datasets[i];
		if (!d->pve_type)
			continue;
		if (strcmp(d->pve_type, "zfspool") && strcmp(d->pve_type, "dir")) {
			cfg_diag_at(dl, src, DIAG_ERROR, d->jpath, "proxmox_storage_type",
				    "use \"zfspool\" (VM disks, container volumes) or \"dir\" (files)",
				    "unknown proxmox_storage_type '%s'", d->pve_type);
			continue;
		}
		if (d->is_volume) {
			cfg_diag_at(dl, src, DIAG_ERROR, d->jpath, "proxmox_storage_type",
				    "remove proxmox_storage_type from the volume", "a volume (zvol) cannot be a Proxmox storage");
			continue;
		}
		sd->pools[sd->n] = d->pool;
		sd->names[sd->n] = d->name;
		sd->which[sd->n++] = i;
	}
}

/*
 * proxmox_storage_ids: ids[i] gets the id a key gives storage dataset i (NULL
 * when none; caller frees each). Keys that match no dataset, or several, are
 * warnings; two keys giving one dataset two ids an error.
 */
static void resolve_storage_ids(const struct config_src *src, const struct storage_datasets *sd, char **ids,
				struct diag_list *dl)
{
	const char **idpath = xcalloc(sd->n + 1, sizeof(*idpath));
	struct strvec keyjp = { 0 };
	json_t *map = json_object_get(src->root, "proxmox_storage_ids");
	if (map && !json_is_object(map)) {
		cfg_diag(dl, src, DIAG_ERROR, "proxmox_storage_ids", "write an object {\"key\": \"storage-id\"}",
			 "proxmox_storage_ids must be an object");
		map = NULL;
	}
	cfg_check_dup(src, "proxmox_storage_ids", NULL, dl);
	size_t nk = map ? json_object_size(map) : 0;
	const char **keys = xcalloc(nk + 1, sizeof(*keys));
	const char **vals = xcalloc(nk + 1, sizeof(*vals));
	int *res = xcalloc(nk + 1, sizeof(*res));
	size_t k = 0;
	const char *key;
	json_t *val;
	json_object_foreach(map, key, val) {
		keys[k] = key;
		vals[k] = json_is_string(val) ? json_string_value(val) : NULL;
		sv_pushf(&keyjp, "proxmox_storage_ids.%s", key);
		if (!vals[k])
			cfg_diag(dl, src, DIAG_ERROR, keyjp.v[k], "write the storage id as a string", "storage id must be a string");
		else
			pve_storage_id_check(src, keyjp.v[k], vals[k], dl);
		k++;
	}
	pve_resolve_storage_keys(keys, vals, nk, sd->pools, sd->names, sd->n, res);
	for (k = 0; k < nk; k++) {
		if (res[k] == -1) {
			cfg_diag(dl, src, DIAG_WARNING, keyjp.v[k],
				 "name a dataset as <pool>_<dataset> (case and '-'/'_' do not matter), e.g. quickOS_vm_disks",
				 "key '%s' matches no dataset with a proxmox_storage_type; it is not used", keys[k]);
			continue;
		}
		if (res[k] == -2) {
			struct strbuf c = STRBUF_INIT;
			sb_init(&c);
			for (size_t d = 0; d < sd->n; d++)
				if (pve_storage_key_matches(keys[k], sd->pools[d], sd->names[d]))
					sb_addf(&c, "%s%s/%s", c.len ? ", " : "", sd->pools[d], sd->names[d]);
			cfg_diag(dl, src, DIAG_WARNING, keyjp.v[k], "write the full <pool>_<dataset> name as the key",
				 "key '%s' matches more than one dataset (%s); it is not used", keys[k], c.buf);
			sb_release(&c);
			continue;
		}
		if (!vals[k] || !pve_storage_id_valid(vals[k]))
			continue;
		int d = res[k];
		if (ids[d] && strcmp(ids[d], vals[k])) {
			cfg_diag(dl, src, DIAG_ERROR, keyjp.v[k], "keep one key per dataset",
				 "key '%s' gives %s/%s the id '%s', but %s already gives it '%s'", keys[k], sd->pools[d],
				 sd->names[d], vals[k], idpath[d], ids[d]);
			continue;
		}
		free(ids[d]);
		ids[d] = xstrdup(vals[k]);
		idpath[d] = keyjp.v[k];
	}
	free(idpath);
	sv_free(&keyjp);
	free(keys);
	free(vals);
	free(res);
}

/* zfspool storage s of dataset d: proxmox_sparse and proxmox_blocksize of its JSON object dj. */
static void read_zfspool_options(const struct config_src *src, const struct zcfg_dataset *d, json_t *dj,
				 struct pve_storage_want *s, struct diag_list *dl)
{
	s->pool = xstrdup(d->full);
	json_t *sp = json_object_get(dj, "proxmox_sparse");
	if (sp && !json_is_boolean(sp))
		cfg_diag_at(dl, src, DIAG_ERROR, d->jpath, "proxmox_sparse", "write true or false",
			    "proxmox_sparse must be a boolean");
	else if (sp)
		s->sparse = json_is_true(sp);
	json_t *bs = json_object_get(dj, "proxmox_blocksize");
	if (!bs)
		return;
	if (!json_is_string(bs) || !blocksize_valid(json_string_value(bs)))
		cfg_diag_at(dl, src, DIAG_ERROR, d->jpath, "proxmox_blocksize", "use a power of 2 from 512 to 16M, e.g. \"16k\"",
			    "invalid proxmox_blocksize");
	else
		s->blocksize = xstrdup(json_string_value(bs));
}

/* The storage of dataset d with id (taken; NULL: "<pool>-<name>"). */
static void add_dataset_storage(const struct config_src *src, const struct zfs_config *here,
				const struct zcfg_dataset *d, char *id, const char *root, struct pve_config *pc,
				struct diag_list *dl)
{
	const struct zfs_config *z = here->all ? here->all : here;
	if (!id)
		id = xasprintf("%s-%s", d->pool, d->name);
	for (char *p = id; *p; p++)
		if (*p == '/')
			*p = '-';
	if (!pve_storage_id_valid(id)) {
		cfg_diag(dl, src, DIAG_ERROR, d->jpath, "add a proxmox_storage_ids entry with a valid id for this dataset",
			 "the storage id '%s' derived from the dataset name is not a valid Proxmox storage id", id);
		free(id);
		return;
	}
	struct pve_storage_want *s = add_storage(pc);
	s->id = id;
	s->type = xstrdup(d->pve_type);
	s->dataset = xstrdup(d->full);
	const struct zcfg_pool *pl = zfs_config_pool(z, d->pool);
	const char *nodes = d->nodes ? d->nodes : pl ? pl->nodes : NULL;
	s->nodes = nodes ? xstrdup(nodes) : NULL;
	s->away = here != z && zfs_config_away(here, d->full);
	s->src = src;
	s->jpath = xstrdup(d->jpath);
	if (d->pve_content) {
		char *jp = xasprintf("%s.proxmox_content_type", d->jpath);
		s->content = check_content(src, jp, s->type, d->pve_content, dl);
		free(jp);
	}
	if (!strcmp(s->type, "zfspool")) {
		read_zfspool_options(src, d, dataset_json(src, d->jpath), s, dl);
		return;
	}
	/* dir: the planner resolves the path (the dataset may exist with its own mountpoint);
	   what the config makes it must already be usable (on the nodes that have it) */
	if (s->away)
		return;
	char *mp = zfs_config_mountpoint(z, d->full, NULL, NULL);
	pve_dir_path_check(src, d->jpath, id, mp, root, dl);
	free(mp);
}

/*
 * The storages of datasets with proxmox_storage_type, in named steps: which
 * datasets, the ids proxmox_storage_ids gives them, then one storage each.
 */
static void load_dataset_storages(const struct config_src *src, const struct zfs_config *here, const char *root,
				  struct pve_config *pc, struct diag_list *dl)
{
	/* every node's datasets: the ids are resolved over all of them, the same on every node */
	const struct zfs_config *z = here->all ? here->all : here;
	struct storage_datasets sd;
	find_storage_datasets(src, z, &sd, dl);
	char **ids = xcalloc(sd.n + 1, sizeof(*ids));
	resolve_storage_ids(src, &sd, ids, dl);
	for (size_t i = 0; i < sd.n; i++)
		add_dataset_storage(src, here, &z->datasets[sd.which[i]], ids[i], root, pc, dl);
	free(ids);
	storage_datasets_free(&sd);
}

/* The host's own addresses from the network section (for "is this export ours"). */
static void host_addresses(const struct config_src *src, struct strvec *out)
{
	json_t *net = json_object_get(src->root, "network");
	json_t *ns = json_object_get(net, "nfs_server");
	if (json_is_string(ns))
		sv_push(out, json_string_value(ns));
	json_t *ifs = json_object_get(net, "interfaces");
	json_t *list = json_is_array(ifs) ? ifs : NULL;
	size_t n = list ? json_array_size(list) : (ifs ? 1 : 0);
	for (size_t i = 0; i < n; i++) {
		json_t *it = list ? json_array_get(list, i) : ifs;
		json_t *a = json_object_get(it, "address");
		if (json_is_string(a)) {
			const char *s = json_string_value(a);
			sv_push(out, s);
			char *sl = strchr(out->v[out->n - 1], '/');
			if (sl)
				*sl = '\0';
		}
	}
	sv_push(out, "127.0.0.1");
	sv_push(out, "localhost");
}

static char *join_options(json_t *o)
{
	if (json_is_string(o))
		return xstrdup(json_string_value(o));
	if (!json_is_array(o))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	size_t i;
	json_t *v;
	json_array_foreach(o, i, v) {
		if (!json_is_string(v)) {
			sb_release(&sb);
			return NULL;
		}
		sb_addf(&sb, "%s%s", i ? "," : "", json_string_value(v));
	}
	return sb_detach(&sb);
}

/*
 * The NFS storages: each nfs.exports[] entry with a "proxmox" object becomes
 * a storage (storage_id, content, server: given or the host's own address
 * from the network section, mount path, mount options). Problems go to dl;
 * an entry with a missing id, server or path adds no storage.
 */
static void load_nfs_storages(const struct config_src *src, struct pve_config *pc, struct diag_list *dl)
{
	json_t *exports = json_object_get(json_object_get(src->root, "nfs"), "exports");
	size_t i;
	json_t *e;
	json_array_foreach(exports, i, e) {
		json_t *px = json_object_get(e, "proxmox");
		if (!px)
			continue;
		char *jp = xasprintf("nfs.exports[%zu].proxmox", i);
		if (!json_is_object(px)) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "write {\"storage_id\": \"...\", \"content\": \"...\"}",
				 "proxmox must be an object");
			free(jp);
			continue;
		}
		cfg_check_members(src, px, jp, CFG_NFS_PROXMOX, dl);
		const char *id = cfg_get_string(src, px, jp, "storage_id", true, dl);
		const char *content = cfg_get_string(src, px, jp, "content", false, dl);
		const char *server = cfg_get_string(src, px, jp, "server", false, dl);
		const char *path = cfg_get_string(src, px, jp, "path", false, dl);
		const char *epath = json_string_value(json_object_get(e, "path"));
		char *ijp = xasprintf("%s.storage_id", jp);
		if (id && !pve_storage_id_check(src, ijp, id, dl))
			id = NULL;
		free(ijp);
		struct strvec addrs = { 0 };
		host_addresses(src, &addrs);
		char *sjp = xasprintf("%s.server", jp);
		bool have_server = server || json_object_get(px, "server");
		if (!server && !have_server && addrs.n > 2) {
			server = addrs.v[0];
			free(sjp);
			sjp = xstrdup(json_is_string(json_object_get(json_object_get(src->root, "network"), "nfs_server"))
					      ? "network.nfs_server" : "network.interfaces");
		}
		if (!server && !have_server)
			cfg_diag(dl, src, DIAG_ERROR, jp, "set proxmox.server or network.nfs_server",
				 "no NFS server address for the Proxmox storage");
		if (!cfg_check_value(src, dl, sjp, GRAM_HOST, "NFS server", server))
			server = NULL;
		free(sjp);
		/* mount options: "vers=4.2,soft" or ["vers=4.2", "soft"], one field of storage.cfg */
		json_t *opt = json_object_get(px, "options");
		char *options = opt ? join_options(opt) : NULL;
		if (opt) {
			char *ojp = xasprintf("%s.options", jp);
			if (!options)
				cfg_diag(dl, src, DIAG_ERROR, ojp, "write \"vers=4.2,soft\" or [\"vers=4.2\", \"soft\"]",
					 "options must be a string or a list of strings");
			else if (!cfg_check_value(src, dl, ojp, GRAM_MOUNT_OPTIONS, "mount options", options)) {
				free(options);
				options = NULL;
			}
			free(ojp);
		}
		if (id && server && epath) {
			struct pve_storage_want *s = add_storage(pc);
			s->id = xstrdup(id);
			s->type = xstrdup("nfs");
			s->server = xstrdup(server);
			s->export = xstrdup(epath);
			s->path = path ? xstrdup(path) : xasprintf("/mnt/pve/%s", id);
			s->src = src;
			s->jpath = xstrdup(jp);
			s->options = options;
			options = NULL;
			if (content) {
				char *cjp = xasprintf("%s.content", jp);
				s->content = check_content(src, cjp, "nfs", content, dl);
				free(cjp);
			}
			if (!dir_path_valid(s->path))
				cfg_diag(dl, src, DIAG_ERROR, jp, "use an absolute path such as /mnt/pve/<id>",
					 "invalid mount path '%s'", s->path);
		}
		free(options);
		sv_free(&addrs);
		free(jp);
	}
}

static struct pve_ct_want *ct_get(struct pve_config *pc, unsigned ctid)
{
	for (size_t i = 0; i < pc->n_cts; i++)
		if (pc->cts[i].ctid == ctid)
			return &pc->cts[i];
	pc->cts = xrealloc(pc->cts, (pc->n_cts + 1) * sizeof(*pc->cts));
	struct pve_ct_want *c = &pc->cts[pc->n_cts++];
	memset(c, 0, sizeof(*c));
	c->ctid = ctid;
	return c;
}

/* Adds a mount to a container, refusing a container path used twice. */
static void add_mount(struct pve_ct_want *c, struct pve_mount_want *m, struct diag_list *dl)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		if (strcmp(c->mounts[i].ct_path, m->ct_path))
			continue;
		int line = 0, col = 0;
		if (c->mounts[i].src && c->mounts[i].src->text)
			config_locate(c->mounts[i].src->text, c->mounts[i].jpath, &line, &col);
		char *where = line ? xasprintf("%s:%d", c->mounts[i].src->path, line) : xstrdup(c->mounts[i].jpath);
		cfg_diag(dl, m->src, DIAG_ERROR, m->jpath, "give each mount of a container its own container path",
			 "container %u: '%s' is already mounted by %s (%s)", c->ctid, m->ct_path, c->mounts[i].jpath,
			 where);
		free(where);
		mount_free(m);
		return;
	}
	if (c->n_mounts == 256) {
		cfg_diag(dl, m->src, DIAG_ERROR, m->jpath, "Proxmox allows mp0 to mp255",
			 "container %u has more than 256 mount points", c->ctid);
		mount_free(m);
		return;
	}
	c->mounts = xrealloc(c->mounts, (c->n_mounts + 1) * sizeof(*c->mounts));
	c->mounts[c->n_mounts++] = *m;
}

/* The containers and their mounts, from the one reader of lxc_configs and shared_volumes. */
static void load_lxc(const struct lxc_config *lc, struct pve_config *pc, struct diag_list *dl)
{
	for (size_t i = 0; i < lc->n_cts; i++) {
		const struct lxc_ct *l = &lc->cts[i];
		struct pve_ct_want *ct = ct_get(pc, l->ctid);
		ct->in_lxc_configs = true;
		ct->src = l->src;
		ct->jpath = xstrdup(l->jpath);
		ct->name = l->name ? xstrdup(l->name) : NULL;
		ct->storage_pool = l->storage_pool ? xstrdup(l->storage_pool) : NULL;
		ct->rootfs_size = l->rootfs_size;
		ct->repl = guest_repl_dup(l->repl);
	}
	for (size_t i = 0; i < lc->n_mounts; i++) {
		const struct lxc_mount *m = &lc->mounts[i];
		struct pve_mount_want w = { 0 };
		w.kind = m->kind == LXC_MOUNT_BIND ? PVE_MOUNT_BIND : PVE_MOUNT_VOLUME;
		w.host_path = m->host_path ? xstrdup(m->host_path) : NULL;
		w.storage = m->storage ? xstrdup(m->storage) : NULL;
		w.size = m->size;
		w.ct_path = xstrdup(m->ct_path);
		w.opts = m->opts;
		w.src = m->src;
		w.jpath = xstrdup(m->jpath);
		add_mount(ct_get(pc, m->ctid), &w, dl);
	}
}

static int cmp_ct(const void *a, const void *b)
{
	const struct pve_ct_want *x = a, *y = b;
	return x->ctid < y->ctid ? -1 : x->ctid > y->ctid;
}

static int cmp_vm(const void *a, const void *b)
{
	const struct pve_vm_want *x = a, *y = b;
	return x->vmid < y->vmid ? -1 : x->vmid > y->vmid;
}

/* Adds _netdev and nofail to a mount option list. Caller frees. */
static char *guest_mount_options(const char *given)
{
	char *o = xstrdup(given && *given ? given : "defaults");
	const char *need[] = { "_netdev", "nofail" };
	for (size_t i = 0; i < 2; i++) {
		bool have = false;
		const char *p = o;
		while (*p) {
			size_t n = strcspn(p, ",");
			have |= n == strlen(need[i]) && !strncmp(p, need[i], n);
			p += n;
			if (*p)
				p++;
		}
		if (!have) {
			char *t = xasprintf("%s,%s", o, need[i]);
			free(o);
			o = t;
		}
	}
	return o;
}

/* False when nfs, nfs.exports or one of its entries has the wrong type (reported by the nfs reader). */
static bool nfs_exports_readable(json_t *root)
{
	json_t *nfs = json_object_get(root, "nfs");
	if (nfs && !json_is_null(nfs) && !json_is_object(nfs))
		return false;
	json_t *exports = json_object_get(nfs, "exports");
	if (exports && !json_is_null(exports) && !json_is_array(exports))
		return false;
	size_t i;
	json_t *e;
	json_array_foreach(exports, i, e)
		if (!json_is_object(e) || !json_is_string(json_object_get(e, "path")))
			return false;
	return true;
}

/*
 * Checks that the host exports m's path to vm when the server is this host
 * (addrs: its addresses): an error when no export serves it or none lists the
 * VM's address, a warning when a host name might; a note when not checkable.
 */
static void check_vm_nfs(const struct config_sources *cs, const struct pve_vm_want *vm, const struct pve_nfs_mount *m,
			 const struct strvec *addrs, struct diag_list *dl)
{
	const struct config_src *vsrc = cs->vm;
	bool local = false;
	for (size_t i = 0; i < addrs->n; i++)
		local |= !strcmp(addrs->v[i], m->server);
	if (!local) {
		cfg_diag(dl, vsrc, DIAG_NOTE, m->jpath, NULL,
			 "vm %u: NFS server %s is not this host (network.nfs_server); its exports are not checked",
			 vm->vmid, m->server);
		return;
	}
	json_t *exports = json_object_get(json_object_get(cs->main->root, "nfs"), "exports");
	if (!nfs_exports_readable(cs->main->root))
		return; /* the nfs section's own error says why; no follow-on error per VM volume */
	json_t *best = NULL;
	size_t best_len = 0, best_i = 0, i;
	json_t *e;
	json_array_foreach(exports, i, e) {
		const char *ep = json_string_value(json_object_get(e, "path"));
		char *np = guest_norm_path(ep);
		if (!np)
			continue;
		size_t l = strlen(np);
		bool covers = !strcmp(np, "/") || (!strncmp(m->path, np, l) && (m->path[l] == '\0' || m->path[l] == '/'));
		if (covers && l >= best_len) {
			best = e;
			best_len = l;
			best_i = i;
		}
		free(np);
	}
	if (!best) {
		cfg_diag(dl, vsrc, DIAG_ERROR, m->jpath, "add an export of this path (or a parent) to nfs.exports",
			 "vm %u mounts '%s' from this host, but no entry of nfs.exports serves it", vm->vmid, m->path);
		return;
	}
	if (!vm->ip) {
		cfg_diag(dl, vsrc, DIAG_NOTE, m->jpath, NULL,
			 "vm %u has no fixed address (network_config.ip); not checked against the clients of nfs.exports[%zu]",
			 vm->vmid, best_i);
		return;
	}
	json_t *clients = json_object_get(best, "clients");
	bool matched = false, unknown = false;
	json_t *cl;
	json_array_foreach(clients, i, cl) {
		if (!json_is_string(cl))
			continue;
		bool checkable;
		if (pve_client_matches(json_string_value(cl), vm->ip, &checkable))
			matched = true;
		else if (!checkable)
			unknown = true;
	}
	if (matched)
		return;
	const char *ep = json_string_value(json_object_get(best, "path"));
	char *hint = xasprintf("add \"%s\" to nfs.exports[%zu].clients", vm->ip, best_i);
	cfg_diag(dl, vsrc, unknown ? DIAG_WARNING : DIAG_ERROR, m->jpath, hint,
		 unknown ? "vm %u (%s) mounts '%s', but the export '%s' may not list it (host names are not resolved)"
			 : "vm %u (%s) mounts '%s', but the export '%s' does not list it as a client",
		 vm->vmid, vm->ip, m->path, ep);
	free(hint);
}

/*
 * vms[] of the VM config, with vm_defaults: vmid (unique across containers
 * and VMs), storage_pool, disk_size_gb, the fixed address, and the NFS
 * volumes (server, path, mount point, options for the guest's fstab line,
 * checked against the exports this host serves). Problems go to dl; a VM
 * with a bad vmid and a volume with a bad field are left out.
 */
static void load_vms(const struct config_sources *cs, struct pve_config *pc, struct diag_list *dl)
{
	const struct config_src *src = cs->vm;
	if (!src->root)
		return;
	json_t *defs = json_object_get(src->root, "vm_defaults");
	const char *def_pool = cfg_string(src, json_object_get(defs, "storage_pool"), "vm_defaults.storage_pool", dl);
	json_t *def_size = json_object_get(defs, "disk_size_gb");
	if (def_size && (!json_is_integer(def_size) || json_integer_value(def_size) < 1)) {
		cfg_diag(dl, src, DIAG_ERROR, "vm_defaults.disk_size_gb", "write the size in GiB as a whole number",
			 "disk_size_gb must be a positive integer");
		def_size = NULL;
	}
	struct strvec addrs = { 0 };
	host_addresses(cs->main, &addrs);
	json_t *vms = cfg_get_array(src, src->root, "", "vms", false, dl);
	size_t i;
	json_t *v;
	json_array_foreach(vms, i, v) {
		char *jp = xasprintf("vms[%zu]", i);
		cfg_check_members(src, v, jp, CFG_VM, dl);
		json_t *idj = json_object_get(v, "vmid");
		if (!json_is_integer(idj) || json_integer_value(idj) < 100 || json_integer_value(idj) > 999999999) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "give every vm a numeric vmid from 100 up", "missing or invalid vmid");
			free(jp);
			continue;
		}
		unsigned vmid = (unsigned)json_integer_value(idj);
		bool dup = false;
		for (size_t k = 0; k < pc->n_vms; k++)
			dup |= pc->vms[k].vmid == vmid;
		for (size_t k = 0; k < pc->n_cts; k++)
			dup |= pc->cts[k].ctid == vmid && pc->cts[k].in_lxc_configs;
		if (dup) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "guest ids are unique across containers and vms",
				 "id %u is used twice", vmid);
			free(jp);
			continue;
		}
		pc->vms = xrealloc(pc->vms, (pc->n_vms + 1) * sizeof(*pc->vms));
		struct pve_vm_want *w = &pc->vms[pc->n_vms++];
		memset(w, 0, sizeof(*w));
		w->vmid = vmid;
		w->src = src;
		w->jpath = jp;
		char *njp = xasprintf("%s.name", jp);
		const char *name = cfg_string(src, json_object_get(v, "name"), njp, dl);
		free(njp);
		w->name = name ? xstrdup(name) : NULL;
		w->is_template = json_is_true(json_object_get(v, "is_template"));
		const char *sp = cfg_get_string(src, v, jp, "storage_pool", false, dl);
		if (!sp)
			sp = def_pool;
		w->storage_pool = sp ? xstrdup(sp) : NULL;
		json_t *sz = json_object_get(v, "disk_size_gb");
		if (sz && (!json_is_integer(sz) || json_integer_value(sz) < 1)) {
			char *sjp = xasprintf("%s.disk_size_gb", jp);
			cfg_diag(dl, src, DIAG_ERROR, sjp, "write the size in GiB as a whole number",
				 "disk_size_gb must be a positive integer");
			free(sjp);
			sz = NULL;
		} else if (!sz) {
			sz = def_size;
		}
		if (sz)
			w->disk_size = (uint64_t)json_integer_value(sz) << 30;
		w->repl = guest_repl_member(src, v, jp, cs->main, dl);
		char *ijp = xasprintf("%s.network_config.ip", jp);
		const char *ip = cfg_string(src, json_object_get(json_object_get(v, "network_config"), "ip"), ijp, dl);
		free(ijp);
		if (ip && strcmp(ip, "dhcp")) {
			w->ip = xstrdup(ip);
			char *sl = strchr(w->ip, '/');
			if (sl)
				*sl = '\0';
		}
		json_t *vols = cfg_get_array(src, v, jp, "volumes", false, dl);
		size_t k;
		json_t *m;
		json_array_foreach(vols, k, m) {
			char *mjp = xasprintf("%s.volumes[%zu]", jp, k);
			cfg_check_members(src, m, mjp, CFG_VM_VOLUME, dl);
			const char *type = json_string_value(json_object_get(m, "type"));
			if (!type || strcmp(type, "nfs")) {
				cfg_diag(dl, src, DIAG_WARNING, mjp, "only \"type\": \"nfs\" volumes are handled",
					 "vm %u: volume of type '%s' skipped", vmid, type ? type : "(none)");
				free(mjp);
				continue;
			}
			const char *server = cfg_get_string(src, m, mjp, "server", true, dl);
			char *sjp = xasprintf("%s.server", mjp);
			if (!cfg_check_value(src, dl, sjp, GRAM_HOST, "NFS server", server))
				server = NULL;
			free(sjp);
			char *path = guest_path_member(src, m, mjp, "path", GRAM_FSTAB_FIELD, dl);
			char *mp = guest_path_member(src, m, mjp, "mount_point", GRAM_FSTAB_FIELD, dl);
			bool mdup = false;
			for (size_t j = 0; mp && j < w->n_nfs; j++)
				if (!strcmp(w->nfs[j].mount_point, mp)) {
					cfg_diag(dl, src, DIAG_ERROR, mjp, "give each volume its own mount_point",
						 "vm %u: '%s' is already mounted by %s", vmid, mp, w->nfs[j].jpath);
					mdup = true;
				}
			if (!server || !path || !mp || mdup) {
				free(path);
				free(mp);
				free(mjp);
				continue;
			}
			w->nfs = xrealloc(w->nfs, (w->n_nfs + 1) * sizeof(*w->nfs));
			struct pve_nfs_mount *nm = &w->nfs[w->n_nfs++];
			nm->server = xstrdup(server);
			nm->path = path;
			nm->mount_point = mp;
			char *opts = join_options(json_object_get(m, "options"));
			char *ojp = xasprintf("%s.options", mjp);
			if (opts && !cfg_check_value(src, dl, ojp, GRAM_MOUNT_OPTIONS, "mount options", opts)) {
				free(opts);
				opts = NULL;
			}
			free(ojp);
			nm->options = guest_mount_options(opts);
			free(opts);
			nm->jpath = mjp;
			check_vm_nfs(cs, w, nm, &addrs, dl);
		}
	}
	sv_free(&addrs);
}

int pve_config_load(const struct config_sources *cs, const struct lxc_config *lc, const struct zfs_config *zcfg,
		    const char *root, struct pve_config *pc, struct diag_list *dl)
{
	memset(pc, 0, sizeof(*pc));
	pc->lxc_read = cs->lxc && cs->lxc->root;
	pc->vm_read = cs->vm && cs->vm->root;
	struct diag_list mine = { 0 };
	if (cs->main->root) {
		if (zcfg)
			load_dataset_storages(cs->main, zcfg, root, pc, &mine);
		load_nfs_storages(cs->main, pc, &mine);
	}
	/* one id, one storage */
	for (size_t i = 0; i < pc->n_storages; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(pc->storages[i].id, pc->storages[j].id)) {
				cfg_diag(&mine, pc->storages[i].src, DIAG_ERROR, pc->storages[i].jpath,
					 "give each dataset its own id in proxmox_storage_ids",
					 "storage id '%s' is used by %s and %s", pc->storages[i].id,
					 pc->storages[j].dataset ? pc->storages[j].dataset : pc->storages[j].jpath,
					 pc->storages[i].dataset ? pc->storages[i].dataset : pc->storages[i].jpath);
				break;
			}
	load_lxc(lc, pc, &mine);
	if (pc->n_cts)
		qsort(pc->cts, pc->n_cts, sizeof(*pc->cts), cmp_ct);
	load_vms(cs, pc, &mine);
	if (pc->n_vms)
		qsort(pc->vms, pc->n_vms, sizeof(*pc->vms), cmp_vm);
	int rc = diag_count(&mine, DIAG_ERROR) ? -1 : 0;
	diag_move(dl, &mine);
	return rc;
}
