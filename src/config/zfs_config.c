#include "config/zfs_config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/grammar.h"
#include "config/members.h"
#include "config/zprops.h"
#include "config/zfs_vdevs.h"
#include "util/path.h"
#include "util/str.h"
#include "util/strbuf.h"

static void props_add(struct zcfg_props *ps, const char *name, const char *value, const char *norm,
		      const char *jpath)
{
	ps->v = xrealloc(ps->v, (ps->n + 1) * sizeof(*ps->v));
	ps->v[ps->n].name = xstrdup(name);
	ps->v[ps->n].value = xstrdup(value);
	ps->v[ps->n].norm = xstrdup(norm ? norm : value);
	ps->v[ps->n].jpath = xstrdup(jpath);
	ps->v[ps->n].inherit = norm && !strcmp(norm, ZPROP_INHERIT);
	ps->n++;
}

static void props_free(struct zcfg_props *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].name);
		free(ps->v[i].value);
		free(ps->v[i].norm);
		free(ps->v[i].jpath);
	}
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

const struct zcfg_prop *zcfg_props_get(const struct zcfg_props *props, const char *name)
{
	for (size_t i = 0; i < props->n; i++)
		if (!strcmp(props->v[i].name, name))
			return &props->v[i];
	return NULL;
}

/* JSON scalar as property text: strings as they are, numbers, booleans as on/off. */
static char *scalar_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "on" : "off");
	return NULL;
}

/*
 * sharenfs/sharesmb share a dataset through ZFS itself, past every check of the
 * nfs and samba sections: a warning (the nfs and samba loaders make it an error
 * when they manage the same path).
 */
static void lint_share_prop(const struct config_src *src, const char *jpath, const char *name,
			    const char *value, struct diag_list *dl)
{
	bool nfs = !strcmp(name, "sharenfs");
	if ((!nfs && strcmp(name, "sharesmb")) || !strcmp(value, "off") || !strcmp(value, ZPROP_INHERIT))
		return;
	cfg_diag(dl, src, DIAG_WARNING, jpath,
		 nfs ? "declare the export in nfs.exports instead (sharenfs=off keeps ZFS from sharing it)"
		     : "declare the share in samba.shares instead (sharesmb=off keeps ZFS from sharing it)",
		 "%s '%s' shares the dataset through ZFS, outside the %s section: none of its checks apply",
		 name, value, nfs ? "nfs" : "samba");
}

/* Validates one dataset property and adds it; returns 0 or -1 (error reported). */
static int add_dataset_prop(const struct config_src *src, struct zcfg_props *ps, const char *jpath,
			    const char *name, const char *value, bool is_volume, struct diag_list *dl)
{
	if (!*name) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "write properties as name=value",
			 "empty property name in '%s'", value);
		return -1;
	}
	if (zcfg_props_get(ps, name)) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "keep one value per property",
			 "property '%s' is given twice", name);
		return -1;
	}
	if (zprop_is_user(name) && !cfg_check_value(src, dl, jpath, GRAM_ZFS_USER_PROP, "user property name", name))
		return -1;
	if (!cfg_check_value(src, dl, jpath, GRAM_TEXT, NULL, value))
		return -1;
	if (gram_check(GRAM_ZFS_VALUE, value, NULL)) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "ZFS keeps property values of at most 8191 bytes",
			 "the value of '%s' is %zu bytes long", name, strlen(value));
		return -1;
	}
	const struct zprop_info *pi = zprop_lookup(name);
	if (pi && pi->filesystem_only && is_volume) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "remove it from this volume",
			 "property '%s' does not apply to volumes", name);
		return -1;
	}
	if (pi && pi->volume_only && !is_volume) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "remove it, or set \"type\": \"volume\"",
			 "property '%s' applies only to volumes", name);
		return -1;
	}
	if (!strcmp(name, "volsize")) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "give the size as the dataset's \"volsize\" member",
			 "'volsize' is not a property here");
		return -1;
	}
	char *why = NULL;
	char *norm = zprop_normalize(name, value, &why);
	if (!norm) {
		const char *hint = NULL;
		if (!pi && !zprop_is_user(name))
			hint = "check the spelling; user properties need a colon (module:name)";
		else if (pi && pi->readonly)
			hint = "remove it: ZFS measures it, it cannot be set";
		else if (pi && pi->noinherit && !strcmp(value, ZPROP_INHERIT))
			hint = !strcmp(name, "canmount") || pi->kind == ZP_KEYLOCATION || pi->create_only
				       ? "give it a value, or remove it from the config"
				       : "give it a value (none clears it), or remove it from the config";
		else if (pi && pi->kind == ZP_BLOCKSIZE)
			hint = "use a power of two such as 16K, 128K or 1M";
		else if (pi && pi->kind == ZP_SIZE)
			hint = "use a number with an optional suffix B, K, M, G, T, P or E, e.g. 1.4T";
		else if (pi && pi->kind == ZP_ENUM)
			hint = "use one of the valid values listed";
		else if (pi && pi->kind == ZP_KEYLOCATION)
			hint = "use file:///root/keys/NAME.key (a key file, checked at validate), or prompt";
		else if (pi && pi->kind == ZP_NUMBER)
			hint = "use a whole number, e.g. pbkdf2iters=350000";
		cfg_diag(dl, src, DIAG_ERROR, jpath, hint, "%s", why);
		free(why);
		return -1;
	}
	if (!strcmp(name, "mountpoint") && !cfg_check_value(src, dl, jpath, GRAM_MOUNTPOINT, "mountpoint", value)) {
		free(norm);
		return -1;
	}
	lint_share_prop(src, jpath, name, value, dl);
	props_add(ps, name, value, norm, jpath);
	free(norm);
	return 0;
}

/* Reads properties given as "a=b,c=d" or as a JSON object. Returns the number of errors. */
static int parse_props(const struct config_src *src, json_t *v, const char *jpath, bool is_volume,
		       struct zcfg_props *ps, struct diag_list *dl)
{
	int errors = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		const char *s = cfg_string(src, v, jpath, dl);
		if (!s)
			return 1;
		char *copy = xstrdup(s);
		char *save = NULL;
		for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
			while (isspace((unsigned char)*item))
				item++;
			size_t l = strlen(item);
			while (l && isspace((unsigned char)item[l - 1]))
				item[--l] = '\0';
			if (!*item)
				continue;
			char *eq = strchr(item, '=');
			if (!eq || eq == item) {
				cfg_diag(dl, src, DIAG_ERROR, jpath,
					 "write properties as \"name=value,name=value\"",
					 "malformed property '%s'", item);
				errors++;
				continue;
			}
			*eq = '\0';
			errors += add_dataset_prop(src, ps, jpath, item, eq + 1, is_volume, dl) != 0;
		}
		free(copy);
		return errors;
	}
	if (json_is_object(v)) {
		errors += cfg_check_dup(src, jpath, NULL, dl);
		const char *key;
		json_t *val;
		json_object_foreach(v, key, val) {
			char *kp = xasprintf("%s.%s", jpath, key);
			char *text = scalar_text(val);
			if (!text) {
				cfg_diag(dl, src, DIAG_ERROR, kp, NULL, "property value must be a string, number or boolean");
				errors++;
			} else {
				errors += add_dataset_prop(src, ps, kp, key, text, is_volume, dl) != 0;
			}
			free(text);
			free(kp);
		}
		return errors;
	}
	cfg_diag(dl, src, DIAG_ERROR, jpath, "use \"recordsize=128K,quota=10G\" or {\"recordsize\": \"128K\"}",
		 "properties must be a string or an object");
	return 1;
}

static const char *const pool_prop_names[] = {
	"ashift", "autoexpand", "autoreplace", "autotrim", "cachefile", "comment", "compatibility",
	"delegation", "failmode", "listsnapshots", "multihost", "altroot", "bootfs", "dedupditto",
	"version", NULL,
};

static int parse_pool_props(const struct config_src *src, json_t *v, const char *jpath,
			    struct zcfg_props *ps, struct diag_list *dl)
{
	int errors = 0;
	if (!v)
		return 0;
	if (!json_is_object(v)) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "use {\"autotrim\": \"on\"}", "must be an object");
		return 1;
	}
	errors += cfg_check_dup(src, jpath, NULL, dl);
	const char *key;
	json_t *val;
	json_object_foreach(v, key, val) {
		char *kp = xasprintf("%s.%s", jpath, key);
		char *text = scalar_text(val);
		bool known = !strncmp(key, "feature@", 8);
		for (size_t i = 0; pool_prop_names[i] && !known; i++)
			known = !strcmp(pool_prop_names[i], key);
		if (!text) {
			cfg_diag(dl, src, DIAG_ERROR, kp, NULL, "value must be a string, number or boolean");
			errors++;
		} else if (!known) {
			cfg_diag(dl, src, DIAG_ERROR, kp, "see zpoolprops(7) for pool properties",
				 "unknown pool property '%s'", key);
			errors++;
		} else if (!strcmp(key, "ashift")) {
			cfg_diag(dl, src, DIAG_ERROR, kp, "use the pool's \"ashift\" member",
				 "give ashift as the pool's \"ashift\" member");
			errors++;
		} else if (!cfg_check_value(src, dl, kp, GRAM_TEXT, NULL, text) ||
			   !cfg_check_value(src, dl, kp, GRAM_TEXT, NULL, key)) {
			errors++;
		} else {
			props_add(ps, key, text, text, kp);
		}
		free(text);
		free(kp);
	}
	return errors;
}

/* pools[].scrub: "debian", "weekly", "monthly", "off" or {"every_days": N}. */
static void parse_scrub(const struct config_src *src, json_t *v, const char *jp, struct zcfg_pool *pl,
			struct diag_list *dl)
{
	const char *hint = "use \"debian\", \"weekly\", \"monthly\", \"off\" or {\"every_days\": N} with N from 1 to 365";
	pl->scrub = ZSCRUB_DEBIAN;
	if (!v)
		return;
	if (json_is_object(v)) {
		json_t *n = json_object_get(v, "every_days");
		if (json_object_size(v) != 1 || !json_is_integer(n) || json_integer_value(n) < 1 ||
		    json_integer_value(n) > 365) {
			cfg_diag(dl, src, DIAG_ERROR, jp, hint, "scrub must name a schedule");
			return;
		}
		pl->scrub = ZSCRUB_EVERY;
		pl->scrub_days = (int)json_integer_value(n);
		return;
	}
	const char *s = json_is_string(v) ? cfg_string(src, v, jp, dl) : NULL;
	if (s && !strcmp(s, "debian"))
		pl->scrub = ZSCRUB_DEBIAN;
	else if (s && !strcmp(s, "weekly"))
		pl->scrub = ZSCRUB_EVERY, pl->scrub_days = 7;
	else if (s && !strcmp(s, "monthly"))
		pl->scrub = ZSCRUB_EVERY, pl->scrub_days = 30;
	else if (s && !strcmp(s, "off"))
		pl->scrub = ZSCRUB_OFF;
	else if (s)
		cfg_diag(dl, src, DIAG_ERROR, jp, hint, "unknown scrub schedule '%s'", s);
	else if (!json_is_string(v))
		cfg_diag(dl, src, DIAG_ERROR, jp, hint, "scrub must name a schedule");
}

/* pools[].trim: "debian", "auto", "weekly", "monthly" or "off". */
static void parse_trim(const struct config_src *src, json_t *v, const char *jp, struct zcfg_pool *pl,
		       struct diag_list *dl)
{
	const char *hint = "use \"debian\", \"auto\" (autotrim=on), \"weekly\", \"monthly\" or \"off\"";
	pl->trim = ZTRIM_DEBIAN;
	if (!v)
		return;
	const char *s = json_is_string(v) ? cfg_string(src, v, jp, dl) : NULL;
	if (s && !strcmp(s, "debian"))
		pl->trim = ZTRIM_DEBIAN;
	else if (s && !strcmp(s, "auto"))
		pl->trim = ZTRIM_AUTO;
	else if (s && !strcmp(s, "weekly"))
		pl->trim = ZTRIM_EVERY, pl->trim_days = 7;
	else if (s && !strcmp(s, "monthly"))
		pl->trim = ZTRIM_EVERY, pl->trim_days = 30;
	else if (s && !strcmp(s, "off"))
		pl->trim = ZTRIM_OFF;
	else if (s)
		cfg_diag(dl, src, DIAG_ERROR, jp, hint, "unknown trim schedule '%s'", s);
	else if (!json_is_string(v))
		cfg_diag(dl, src, DIAG_ERROR, jp, hint, "trim must be a string");
}

/*
 * trim "auto" is the pool property autotrim=on, converged like every pool
 * property (one mechanism): added to pl->properties when the config does not
 * set it. autotrim set otherwise beside "auto", or autotrim=on beside a TRIM
 * schedule of the tool's own (two mechanisms for one pool), is an error at
 * the property's path.
 */
static void trim_autotrim(const struct config_src *src, const char *tp, struct zcfg_pool *pl, struct diag_list *dl)
{
	const struct zcfg_prop *at = zcfg_props_get(&pl->properties, "autotrim");
	bool on = at && !strcmp(at->norm, "on");
	if (pl->trim == ZTRIM_AUTO && !at)
		props_add(&pl->properties, "autotrim", "on", "on", tp);
	else if (pl->trim == ZTRIM_AUTO && !on)
		cfg_diag(dl, src, DIAG_ERROR, at->jpath, "remove properties.autotrim (\"trim\": \"auto\" sets it on), or choose another trim",
			 "autotrim '%s' contradicts \"trim\": \"auto\" (autotrim=on)", at->value);
	else if (pl->trim == ZTRIM_EVERY && on)
		cfg_diag(dl, src, DIAG_ERROR, at->jpath, "use \"trim\": \"auto\" alone, or drop properties.autotrim for the schedule",
			 "autotrim=on and a TRIM schedule are two mechanisms for one pool");
}

int64_t zcfg_scrub_interval_s(const struct zcfg_pool *pc)
{
	switch (pc->scrub) {
	case ZSCRUB_EVERY: return (int64_t)pc->scrub_days * 86400;
	case ZSCRUB_OFF: return 0;
	default: return 31 * 86400;
	}
}

/*
 * zfs.pools[]: name, layout (zfs_parse_layout: raid_level and disks, or
 * vdevs, log, cache, special and spares), ashift, and the extensions
 * mountpoint, properties and options. Every problem goes to dl; a pool with
 * one is still added when its name is usable, so later checks can name it.
 * Returns false when a pool could not be read at all (zfs.pools or an entry
 * of the wrong type, a pool without a name): no dataset is then told that its
 * pool is unknown (the one type error says it all).
 */
static bool parse_pools(const struct config_src *src, json_t *zfs, struct zfs_config *cfg,
			struct diag_list *dl)
{
	json_t *pools = cfg_get_array(src, zfs, "zfs", "pools", false, dl);
	json_t *given = json_object_get(zfs, "pools");
	if (!pools)
		return !given || json_is_null(given);
	bool complete = true;
	cfg->pools = xcalloc(json_array_size(pools), sizeof(*cfg->pools));
	size_t i;
	json_t *pj;
	json_array_foreach(pools, i, pj) {
		char *jp = xasprintf("zfs.pools[%zu]", i);
		if (!json_is_object(pj)) {
			cfg_diag(dl, src, DIAG_ERROR, jp, NULL, "a pool must be an object with name, raid_level and disks");
			free(jp);
			complete = false;
			continue;
		}
		cfg_check_members(src, pj, jp, CFG_ZFS_POOL, dl);
		struct zcfg_pool *pl = &cfg->pools[cfg->n_pools++];
		pl->jpath = jp;
		pl->ashift = 12;
		const char *name = cfg_get_string(src, pj, jp, "name", true, dl);
		pl->name = xstrdup(name ? name : "");
		complete = complete && name != NULL;
		char *np = xasprintf("%s.name", jp);
		const char *why;
		if (name && (why = gram_check(GRAM_ZFS_POOL, name, NULL)))
			cfg_diag(dl, src, DIAG_ERROR, np, NULL, "pool name '%s' %s", name, why);
		for (size_t k = 0; name && k + 1 < cfg->n_pools; k++)
			if (!strcmp(cfg->pools[k].name, name))
				cfg_diag(dl, src, DIAG_ERROR, np, "give each pool a unique name",
					 "pool '%s' is declared twice (also at %s)", name, cfg->pools[k].jpath);
		free(np);

		zfs_parse_layout(src, pj, cfg, pl, dl);
		pl->nodes = cfg_get_nodes(src, pj, jp, dl, "pool");
		json_t *ash = json_object_get(pj, "ashift");
		if (ash) {
			char *ap = xasprintf("%s.ashift", jp);
			if (!json_is_integer(ash) || json_integer_value(ash) < 9 || json_integer_value(ash) > 16)
				cfg_diag(dl, src, DIAG_ERROR, ap, "use 12 for 4K-sector disks (the default), 13 for 8K",
					 "ashift must be an integer from 9 to 16");
			else
				pl->ashift = (int)json_integer_value(ash);
			free(ap);
		}
		const char *mp = cfg_get_string(src, pj, jp, "mountpoint", false, dl);
		if (mp) {
			/* as a dataset's mountpoint: the same normal form and the same grammar (no system directory) */
			char *mpp = xasprintf("%s.mountpoint", jp);
			char *w = NULL;
			char *norm = mp[0] == '/' || !strcmp(mp, "none") || !strcmp(mp, "legacy")
					     ? zprop_normalize("mountpoint", mp, &w) : NULL;
			if (!norm)
				cfg_diag(dl, src, DIAG_ERROR, mpp, "use an absolute path, none or legacy",
					 "mountpoint '%s' is not valid", mp);
			else if (cfg_check_value(src, dl, mpp, GRAM_MOUNTPOINT, "mountpoint", mp))
				pl->mountpoint = xstrdup(norm);
			free(norm);
			free(w);
			free(mpp);
		}
		char *pp = xasprintf("%s.properties", jp);
		parse_pool_props(src, json_object_get(pj, "properties"), pp, &pl->properties, dl);
		free(pp);
		char *op = xasprintf("%s.options", jp);
		parse_props(src, json_object_get(pj, "options"), op, false, &pl->options, dl);
		free(op);
		char *sp = xasprintf("%s.scrub", jp);
		parse_scrub(src, json_object_get(pj, "scrub"), sp, pl, dl);
		free(sp);
		char *tp = xasprintf("%s.trim", jp);
		parse_trim(src, json_object_get(pj, "trim"), tp, pl, dl);
		trim_autotrim(src, tp, pl, dl);
		free(tp);
	}
	return complete;
}

static int cmp_dataset_index(const void *a, const void *b, void *arg)
{
	const struct zfs_config *cfg = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(cfg->datasets[x].full, cfg->datasets[y].full);
	return c ? c : (x < y ? -1 : x > y);
}

/* Each later declaration of a dataset is an error naming the first (sorting: O(n log n)). */
static void report_duplicate_datasets(const struct config_src *src, const struct zfs_config *cfg,
				      struct diag_list *dl)
{
	size_t n = cfg->n_datasets;
	size_t *idx = xcalloc(n, sizeof(*idx));
	bool *dup_of_set = xcalloc(n, sizeof(bool));
	size_t *first = xcalloc(n, sizeof(*first));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_dataset_index, (void *)cfg);
	for (size_t i = 1; i < n; i++) {
		const struct zcfg_dataset *a = &cfg->datasets[idx[i - 1]], *b = &cfg->datasets[idx[i]];
		if (*b->name && *b->pool && !strcmp(a->full, b->full)) {
			first[idx[i]] = dup_of_set[idx[i - 1]] ? first[idx[i - 1]] : idx[i - 1];
			dup_of_set[idx[i]] = true;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (dup_of_set[i])
			cfg_diag_at(dl, src, DIAG_ERROR, cfg->datasets[i].jpath, "name", "remove one of the two entries",
				    "dataset '%s' is declared twice (also at %s)", cfg->datasets[i].full,
				    cfg->datasets[first[i]].jpath);
	free(idx);
	free(dup_of_set);
	free(first);
}

/*
 * zfs.datasets[]: name and pool (the pool must be in zfs.pools), type and
 * volsize, mountpoint, properties (normalised, see add_dataset_prop) and the
 * Proxmox members. Every problem goes to dl; a dataset whose name is unusable
 * or repeated is left out.
 */
static void parse_datasets(const struct config_src *src, json_t *zfs, struct zfs_config *cfg,
			   bool pools_complete, struct diag_list *dl)
{
	json_t *dss = cfg_get_array(src, zfs, "zfs", "datasets", false, dl);
	if (!dss)
		return;
	cfg->datasets = xcalloc(json_array_size(dss), sizeof(*cfg->datasets));
	size_t i;
	json_t *dj;
	json_array_foreach(dss, i, dj) {
		char *jp = xasprintf("zfs.datasets[%zu]", i);
		if (!json_is_object(dj)) {
			cfg_diag(dl, src, DIAG_ERROR, jp, NULL, "a dataset must be an object with name and pool");
			free(jp);
			continue;
		}
		cfg_check_members(src, dj, jp, CFG_ZFS_DATASET, dl);
		struct zcfg_dataset *ds = &cfg->datasets[cfg->n_datasets++];
		ds->jpath = jp;
		const char *name = cfg_get_string(src, dj, jp, "name", true, dl);
		const char *pool = cfg_get_string(src, dj, jp, "pool", true, dl);
		ds->name = xstrdup(name ? name : "");
		ds->pool = xstrdup(pool ? pool : "");
		ds->full = xasprintf("%s/%s", ds->pool, ds->name);
		const char *why;
		if (name && (why = gram_check(GRAM_ZFS_DATASET, name, NULL)))
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "name", "dataset names are relative to the pool, e.g. \"vm-disks\" or \"shared/iso\"",
				 "dataset name '%s' %s", name, why);
		else if (name && pool && !strncmp(name, pool, strlen(pool)) && name[strlen(pool)] == '/')
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "name", "remove the pool prefix; the pool is given by \"pool\"",
				 "dataset name '%s' repeats its pool name", name);
		if (pool && pools_complete && !zfs_config_pool(cfg, pool)) {
			struct strbuf sb = STRBUF_INIT;
			sb_init(&sb);
			for (size_t k = 0; k < cfg->n_pools; k++)
				sb_addf(&sb, "%s'%s'", k ? ", " : "", cfg->pools[k].name);
			char *hint = xasprintf("declare the pool in zfs.pools or use one of: %s",
					       cfg->n_pools ? sb.buf : "(no pools declared)");
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "pool", hint, "unknown pool '%s'", pool);
			free(hint);
			sb_release(&sb);
		}
		const char *type = cfg_get_string(src, dj, jp, "type", false, dl);
		if (type) {
			char *tp = xasprintf("%s.type", jp);
			if (!strcmp(type, "volume"))
				ds->is_volume = true;
			else if (strcmp(type, "filesystem"))
				cfg_diag(dl, src, DIAG_ERROR, tp, "use \"filesystem\" (the default) or \"volume\"",
					 "unknown dataset type '%s'", type);
			free(tp);
		}
		json_t *vs = json_object_get(dj, "volsize");
		if (vs && !ds->is_volume) {
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "volsize", "add \"type\": \"volume\" or remove volsize",
				 "volsize is only valid for volumes");
		} else if (ds->is_volume) {
			char *text = vs ? scalar_text(vs) : NULL;
			uint64_t n;
			if (!text)
				cfg_diag(dl, src, DIAG_ERROR, jp, "add \"volsize\": \"32G\"", "a volume needs a volsize");
			else if (zfs_parse_size(text, &n) || n == 0)
				cfg_diag_at(dl, src, DIAG_ERROR, jp, "volsize", "use a size such as 32G", "'%s' is not a valid volsize", text);
			else
				ds->volsize = xasprintf("%llu", (unsigned long long)n);
			free(text);
		}
		json_t *sp = json_object_get(dj, "sparse");
		if (sp && !json_is_boolean(sp))
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "sparse", "use true or false", "sparse must be a boolean");
		else if (sp && json_is_true(sp) && !ds->is_volume)
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "sparse", "add \"type\": \"volume\" or remove sparse",
				    "sparse is only valid for volumes");
		else if (sp)
			ds->sparse = json_is_true(sp);
		const char *mp = cfg_get_string(src, dj, jp, "mountpoint", false, dl);
		if (mp) {
			char *mpp = xasprintf("%s.mountpoint", jp);
			char *w = NULL;
			char *norm = zprop_normalize("mountpoint", mp, &w);
			if (ds->is_volume)
				cfg_diag(dl, src, DIAG_ERROR, mpp, "remove mountpoint from the volume", "a volume has no mountpoint");
			else if (!norm)
				cfg_diag(dl, src, DIAG_ERROR, mpp, "use an absolute path, none or legacy", "%s", w);
			else if (cfg_check_value(src, dl, mpp, GRAM_MOUNTPOINT, "mountpoint", mp))
				ds->mountpoint = xstrdup(norm);
			free(norm);
			free(w);
			free(mpp);
		}
		char *prp = xasprintf("%s.properties", jp);
		parse_props(src, json_object_get(dj, "properties"), prp, ds->is_volume, &ds->props, dl);
		if (ds->mountpoint && zcfg_props_get(&ds->props, "mountpoint"))
			cfg_diag(dl, src, DIAG_ERROR, prp, "keep one of the two",
				 "mountpoint is given both as a member and as a property");
		free(prp);
		const char *t = cfg_get_string(src, dj, jp, "proxmox_storage_type", false, dl);
		ds->pve_type = t ? xstrdup(t) : NULL;
		t = cfg_get_string(src, dj, jp, "proxmox_content_type", false, dl);
		ds->pve_content = t ? xstrdup(t) : NULL;
		t = cfg_get_string(src, dj, jp, "storage_class", false, dl);
		ds->storage_class = t ? xstrdup(t) : NULL;
		ds->nodes = cfg_get_nodes(src, dj, jp, dl, "dataset");
		const struct zcfg_pool *pl = pool ? zfs_config_pool(cfg, pool) : NULL;
		if (ds->nodes && pl && !nodes_subset(ds->nodes, pl->nodes)) {
			char *hint = xasprintf("name only nodes of pool '%s' (%s), or add the nodes to the pool", pl->name,
					       pl->nodes);
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "nodes", hint,
				    "a dataset's nodes must be nodes of its pool: '%s' is on %s only", pl->name, pl->nodes);
			free(hint);
		}
	}
	report_duplicate_datasets(src, cfg, dl);
	cfg->by_name = xcalloc(cfg->n_datasets, sizeof(*cfg->by_name));
	for (size_t k = 0; k < cfg->n_datasets; k++)
		cfg->by_name[k] = k;
	qsort_r(cfg->by_name, cfg->n_datasets, sizeof(*cfg->by_name), cmp_dataset_index, cfg);
}

int zfs_config_load(const struct config_src *src, struct zfs_config *cfg, struct diag_list *dl)
{
	memset(cfg, 0, sizeof(*cfg));
	size_t before = diag_count(dl, DIAG_ERROR);
	json_t *zfs = src->root ? cfg_get_object(src, src->root, "", "zfs", false, dl) : NULL;
	if (!zfs)
		return diag_count(dl, DIAG_ERROR) > before ? -1 : 0;
	cfg->present = true;
	cfg_check_members(src, zfs, "zfs", CFG_ZFS, dl);
	/* a pool the reader could not read is not "unknown" to each of its datasets: one error, not one per dataset */
	bool pools_complete = parse_pools(src, zfs, cfg, dl);
	parse_datasets(src, zfs, cfg, pools_complete, dl);
	json_t *arc = json_object_get(zfs, "arc_max_gb");
	if (arc && !json_is_null(arc)) {
		if (!json_is_number(arc) || json_number_value(arc) <= 0 || json_number_value(arc) > 1 << 20)
			cfg_diag(dl, src, DIAG_ERROR, "zfs.arc_max_gb", "give the ARC limit in GiB, e.g. 32",
				 "arc_max_gb must be a positive number");
		else {
			cfg->has_arc = true;
			cfg->arc_max_bytes = (uint64_t)llround(json_number_value(arc) * 1073741824.0);
		}
	}
	json_t *settings = cfg_get_object(src, zfs, "zfs", "settings", false, dl);
	cfg_check_members(src, settings, "zfs.settings", CFG_ZFS_SETTINGS, dl);
	json_t *ad = settings ? json_object_get(settings, "allow_destructive_operations") : NULL;
	if (ad) {
		if (json_is_boolean(ad))
			cfg->allow_destructive = json_is_true(ad);
		else if (json_is_string(ad) && (!strcmp(json_string_value(ad), "true") || !strcmp(json_string_value(ad), "false")))
			cfg->allow_destructive = !strcmp(json_string_value(ad), "true");
		else
			cfg_diag(dl, src, DIAG_ERROR, "zfs.settings.allow_destructive_operations", "use true or false",
				 "must be a boolean");
	}
	return diag_count(dl, DIAG_ERROR) > before ? -1 : 0;
}

void zfs_config_free(struct zfs_config *cfg)
{
	if (!cfg)
		return;
	if (cfg->all) {
		free(cfg->pools);
		free(cfg->datasets);
		free(cfg->by_name);
		sv_free(&cfg->away_pools);
		sv_free(&cfg->away_datasets);
		sv_free(&cfg->away_lines);
		memset(cfg, 0, sizeof(*cfg));
		return;
	}
	for (size_t i = 0; i < cfg->n_pools; i++) {
		struct zcfg_pool *p = &cfg->pools[i];
		free(p->name);
		zfs_layout_free(p);
		free(p->mountpoint);
		props_free(&p->properties);
		props_free(&p->options);
		free(p->jpath);
		free(p->nodes);
	}
	free(cfg->pools);
	for (size_t i = 0; i < cfg->n_datasets; i++) {
		struct zcfg_dataset *d = &cfg->datasets[i];
		free(d->name);
		free(d->full);
		free(d->pool);
		free(d->volsize);
		free(d->mountpoint);
		props_free(&d->props);
		free(d->pve_type);
		free(d->pve_content);
		free(d->storage_class);
		free(d->nodes);
		free(d->jpath);
	}
	free(cfg->datasets);
	free(cfg->by_name);
	memset(cfg, 0, sizeof(*cfg));
}

const struct zcfg_pool *zfs_config_pool(const struct zfs_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_pools; i++)
		if (!strcmp(cfg->pools[i].name, name))
			return &cfg->pools[i];
	return NULL;
}

const struct zcfg_dataset *zfs_config_dataset(const struct zfs_config *cfg, const char *full)
{
	if (cfg->by_name) {
		size_t lo = 0, hi = cfg->n_datasets;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const struct zcfg_dataset *d = &cfg->datasets[cfg->by_name[mid]];
			int c = strcmp(d->full, full);
			if (!c) {
				/* the first declaration of a name, as the linear search would find */
				while (mid > 0 && !strcmp(cfg->datasets[cfg->by_name[mid - 1]].full, full))
					mid--;
				return &cfg->datasets[cfg->by_name[mid]];
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return NULL;
	}
	for (size_t i = 0; i < cfg->n_datasets; i++)
		if (!strcmp(cfg->datasets[i].full, full))
			return &cfg->datasets[i];
	return NULL;
}

char *zfs_config_mountpoint(const struct zfs_config *cfg, const char *full, zfs_current_mountpoint current,
			    const void *arg)
{
	const struct zcfg_dataset *dc = cfg ? zfs_config_dataset(cfg, full) : NULL;
	if (dc && dc->mountpoint)
		return xstrdup(dc->mountpoint);
	const struct zcfg_prop *mp = dc ? zcfg_props_get(&dc->props, "mountpoint") : NULL;
	if (mp)
		return xstrdup(mp->norm);
	const char *now = current ? current(arg, full) : NULL;
	if (now)
		return xstrdup(now);
	const char *slash = strrchr(full, '/');
	if (!slash) {
		const struct zcfg_pool *pc = cfg ? zfs_config_pool(cfg, full) : NULL;
		if (pc && pc->mountpoint)
			return xstrdup(pc->mountpoint);
		return xasprintf("/%s", full);
	}
	char *parent = xstrndup(full, (size_t)(slash - full));
	char *pm = zfs_config_mountpoint(cfg, parent, current, arg);
	free(parent);
	char *r;
	if (!strcmp(pm, "none") || !strcmp(pm, "legacy"))
		r = xstrdup(pm);
	else
		r = xasprintf("%s/%s", strcmp(pm, "/") ? pm : "", slash + 1);
	free(pm);
	return r;
}

/* prop of props when it shares (set, and not "off"). */
static const struct zcfg_prop *sharing(const struct zcfg_props *props, const char *prop)
{
	const struct zcfg_prop *pr = zcfg_props_get(props, prop);
	return pr && !pr->inherit && strcmp(pr->norm, "off") ? pr : NULL;
}

const struct zcfg_prop *zfs_config_shares_path(const struct zfs_config *z, const char *prop, const char *path,
					       const char **dataset)
{
	for (size_t i = 0; z && i < z->n_pools + z->n_datasets; i++) {
		bool pool = i < z->n_pools;
		const char *name = pool ? z->pools[i].name : z->datasets[i - z->n_pools].full;
		const struct zcfg_prop *pr = sharing(pool ? &z->pools[i].options : &z->datasets[i - z->n_pools].props, prop);
		if (!pr)
			continue;
		char *mp = zfs_config_mountpoint(z, name, NULL, NULL);
		bool same = !strcmp(mp, path);
		free(mp);
		if (same) {
			*dataset = name;
			return pr;
		}
	}
	return NULL;
}

bool zfs_config_double_share(const struct config_src *src, const struct zfs_config *cfg, const char *prop,
			     const char *path, const char *jpath, const char *noun, const char *verb,
			     struct diag_list *dl)
{
	const char *ds = NULL;
	const struct zcfg_prop *pr = path ? zfs_config_shares_path(cfg, prop, path, &ds) : NULL;
	if (!pr)
		return false;
	char *hint = xasprintf("remove %s from dataset '%s': %s manages this %s", prop, ds, jpath, noun);
	cfg_diag(dl, src, DIAG_ERROR, pr->jpath, hint, "dataset '%s' shares '%s' through %s, and %s %s it too", ds,
		 path, prop, jpath, verb);
	free(hint);
	return true;
}

/* "pve2 only", "pve2, pve3 only": a node list as plan lines show it. Caller frees. */
static char *nodes_display(const char *csv)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (const char *p = csv; *p; p++)
		*p == ',' ? sb_addf(&sb, ", ") : sb_addf(&sb, "%c", *p);
	sb_addf(&sb, " only");
	return sb_detach(&sb);
}

/* The nodes of the configured dataset at or above full (itself first) that leave node out, or NULL. */
static const char *dataset_away_nodes(const struct zfs_config *all, const char *full, bool self, const char *node)
{
	char *name = xstrdup(full);
	const char *r = NULL;
	for (char *slash = NULL; !r;) {
		const struct zcfg_dataset *d = self || slash ? zfs_config_dataset(all, name) : NULL;
		if (d && !on_this_node(d->nodes, node))
			r = d->nodes;
		if (!(slash = strrchr(name, '/')))
			break;
		*slash = '\0';
	}
	free(name);
	return r;
}

void zfs_config_for_node(const struct zfs_config *all, const char *node, struct zfs_config *here)
{
	memset(here, 0, sizeof(*here));
	here->all = all;
	here->has_arc = all->has_arc;
	here->arc_max_bytes = all->arc_max_bytes;
	here->allow_destructive = all->allow_destructive;
	here->present = all->present;
	here->pools = xcalloc(all->n_pools + 1, sizeof(*here->pools));
	for (size_t i = 0; i < all->n_pools; i++) {
		const struct zcfg_pool *pl = &all->pools[i];
		if (on_this_node(pl->nodes, node)) {
			here->pools[here->n_pools++] = *pl;
			continue;
		}
		sv_push(&here->away_pools, pl->name);
		char *why = zfs_config_elsewhere(NULL, pl->nodes, node, NULL);
		sv_pushf(&here->away_lines, "pool %s %s", pl->name, why);
		free(why);
	}
	here->datasets = xcalloc(all->n_datasets + 1, sizeof(*here->datasets));
	for (size_t i = 0; i < all->n_datasets; i++) {
		const struct zcfg_dataset *d = &all->datasets[i];
		const struct zcfg_pool *pl = zfs_config_pool(all, d->pool);
		if (pl && !on_this_node(pl->nodes, node))
			continue;
		const char *nodes = dataset_away_nodes(all, d->full, true, node);
		if (!nodes) {
			here->datasets[here->n_datasets++] = *d;
			continue;
		}
		sv_push(&here->away_datasets, d->full);
		if (dataset_away_nodes(all, d->full, false, node))
			continue;
		char *why = zfs_config_elsewhere(NULL, nodes, node, NULL);
		sv_pushf(&here->away_lines, "dataset %s %s", d->full, why);
		free(why);
	}
	here->by_name = xcalloc(here->n_datasets + 1, sizeof(*here->by_name));
	for (size_t k = 0; k < here->n_datasets; k++)
		here->by_name[k] = k;
	qsort_r(here->by_name, here->n_datasets, sizeof(*here->by_name), cmp_dataset_index, here);
}

/* name, when full is name or below it; else NULL. */
static const char *at_or_below(const char *name, const char *full)
{
	size_t n = strlen(name);
	return !strncmp(full, name, n) && (!full[n] || full[n] == '/') ? name : NULL;
}

const char *zfs_config_away(const struct zfs_config *here, const char *full)
{
	const char *r = NULL;
	for (size_t i = 0; !r && i < here->away_pools.n; i++)
		r = at_or_below(here->away_pools.v[i], full);
	for (size_t i = 0; !r && i < here->away_datasets.n; i++)
		r = at_or_below(here->away_datasets.v[i], full);
	return r;
}

/* Keeps name as *best when its mountpoint (config alone) holds path more closely than *best_len. */
static void closer(const struct zfs_config *all, const char *name, const char *path, const char **best,
		   size_t *best_len)
{
	char *mp = zfs_config_mountpoint(all, name, NULL, NULL);
	size_t n = mp[0] == '/' ? path_covers(mp, path) : 0;
	if (n && n > *best_len)
		*best = name, *best_len = n;
	free(mp);
}

const char *zfs_config_away_for_path(const struct zfs_config *here, const char *path)
{
	if (!here->all || (!here->away_pools.n && !here->away_datasets.n))
		return NULL;
	const struct zfs_config *all = here->all;
	const char *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < all->n_pools; i++)
		closer(all, all->pools[i].name, path, &best, &best_len);
	for (size_t i = 0; i < all->n_datasets; i++)
		closer(all, all->datasets[i].full, path, &best, &best_len);
	return best ? zfs_config_away(here, best) : NULL;
}

char *zfs_config_elsewhere(const struct zfs_config *here, const char *nodes_csv, const char *node, const char *path)
{
	const char *me = node && *node ? node : "(no name)";
	if (!on_this_node(nodes_csv, node)) {
		char *on = nodes_display(nodes_csv);
		char *r = xasprintf("is on %s (not this node, %s)", on, me);
		free(on);
		return r;
	}
	const char *away = here && path ? zfs_config_away_for_path(here, path) : NULL;
	if (away)
		return xasprintf("is on %s %s, which is on other nodes (not this node, %s)", strchr(away, '/') ? "dataset" : "pool",
				 away, me);
	return NULL;
}
