#include "config/zfs_vdevs.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strbuf.h"

const char *zcfg_group_name(enum zcfg_group g)
{
	static const char *const names[] = { "data", "log", "cache", "special", "spare" };
	return (unsigned)g < sizeof(names) / sizeof(names[0]) ? names[g] : "data";
}

/* Normalised type and disk counts of a raid level or vdev type, or NULL when it is unknown. */
static const char *layout_of(const char *level, size_t *min_disks, size_t *max_disks)
{
	static const struct {
		const char *in, *out;
		size_t min, max;
	} map[] = {
		{ "single", "stripe", 1, 1 }, { "stripe", "stripe", 1, 1000 },
		{ "mirror", "mirror", 2, 1000 }, { "raidz", "raidz1", 2, 1000 },
		{ "raidz1", "raidz1", 2, 1000 }, { "raidz2", "raidz2", 3, 1000 },
		{ "raidz3", "raidz3", 4, 1000 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(level, map[i].in)) {
			*min_disks = map[i].min;
			*max_disks = map[i].max;
			return map[i].out;
		}
	return NULL;
}

/* True when some pool of cfg already lists disk d: *o gets that pool, *where the entry's JSON path. */
static bool listed_before(const struct zfs_config *cfg, const char *d, const struct zcfg_pool **o,
			  const char **where)
{
	for (size_t q = 0; q < cfg->n_pools; q++)
		for (size_t r = 0; r < cfg->pools[q].n_disks; r++)
			if (!strcmp(cfg->pools[q].disks[r], d)) {
				*o = &cfg->pools[q];
				*where = cfg->pools[q].disk_jpaths[r];
				return true;
			}
	return false;
}

/* Is jpath an entry of pl's raid_level form ("zfs.pools[0].disks[1]")? */
static bool in_disks(const struct zcfg_pool *pl, const char *jpath)
{
	size_t n = strlen(pl->jpath);
	return !strncmp(jpath, pl->jpath, n) && !strncmp(jpath + n, ".disks[", 7);
}

/* One disk (JSON value dj at dk): a string, absolute, named once in the whole config; appended to pl. */
static void add_disk(const struct config_src *src, struct zfs_config *cfg, struct zcfg_pool *pl, json_t *dj,
		     const char *dk, struct diag_list *dl)
{
	if (!json_is_string(dj)) {
		cfg_diag(dl, src, DIAG_ERROR, dk, NULL, "a disk must be a string path");
		return;
	}
	const char *d = cfg_string(src, dj, dk, dl);
	if (!d)
		return;
	if (d[0] != '/')
		cfg_diag(dl, src, DIAG_ERROR, dk, "use a stable absolute path such as /dev/disk/by-id/nvme-...",
			 "disk path '%s' is not absolute", d);
	const struct zcfg_pool *o;
	const char *where;
	if (listed_before(cfg, d, &o, &where)) {
		if (o != pl)
			cfg_diag(dl, src, DIAG_ERROR, dk, "a disk can belong to one pool only",
				 "disk '%s' is already listed in pool '%s'", d, o->name);
		else if (in_disks(pl, where) && in_disks(pl, dk))
			cfg_diag(dl, src, DIAG_ERROR, dk, "a disk can belong to one pool only",
				 "disk '%s' is listed twice in pool '%s'", d, o->name);
		else
			cfg_diag(dl, src, DIAG_ERROR, dk,
				 "a disk has one place in a pool: one data vdev, log, cache, special or spares",
				 "disk '%s' is listed twice in pool '%s' (also at %s)", d, o->name, where);
	}
	pl->disks = xrealloc(pl->disks, (pl->n_disks + 1) * sizeof(*pl->disks));
	pl->disk_jpaths = xrealloc(pl->disk_jpaths, (pl->n_disks + 1) * sizeof(*pl->disk_jpaths));
	pl->disks[pl->n_disks] = xstrdup(d);
	pl->disk_jpaths[pl->n_disks++] = xstrdup(dk);
}

/* The disks of array arr (at dp) added to pl; returns how many entries arr has. */
static size_t add_disks(const struct config_src *src, struct zfs_config *cfg, struct zcfg_pool *pl, json_t *arr,
			const char *dp, struct diag_list *dl)
{
	size_t k;
	json_t *dj;
	json_array_foreach(arr, k, dj) {
		char *dk = xasprintf("%s[%zu]", dp, k);
		add_disk(src, cfg, pl, dj, dk, dl);
		free(dk);
	}
	return json_array_size(arr);
}

static void push_vdev(struct zcfg_pool *pl, enum zcfg_group g, const char *type, size_t first, const char *jpath)
{
	pl->vdevs = xrealloc(pl->vdevs, (pl->n_vdevs + 1) * sizeof(*pl->vdevs));
	pl->vdevs[pl->n_vdevs++] = (struct zcfg_vdev){ .group = g, .type = type, .first = first,
						       .n = pl->n_disks - first, .jpath = xstrdup(jpath) };
}

/*
 * n disks (at dp) for a vdev of type word (as written; what: "raid_level" or
 * "vdev type") that takes min to max disks: an error when outside.
 */
static void check_count(const struct config_src *src, struct diag_list *dl, const char *dp, const char *what,
			const char *word, size_t n, size_t min, size_t max)
{
	bool level = !strcmp(what, "raid_level");
	if (n >= min && n <= max)
		return;
	if (max == 1) {
		char *hint = xasprintf("use %s\"stripe\" for several disks without redundancy, or \"mirror\"",
				       level ? "raid_level " : "");
		cfg_diag(dl, src, DIAG_ERROR, dp, hint, "%s '%s' takes exactly 1 disk, %zu given", what, word, n);
		free(hint);
	} else {
		cfg_diag(dl, src, DIAG_ERROR, dp, level ? "add disks or choose another raid_level" : "add disks or choose another type",
			 "%s '%s' needs at least %zu disks, %zu given", what, word, min, n);
	}
}

/* The old form: raid_level and disks, one vdev (messages as they always were). */
static void parse_raid_level(const struct config_src *src, json_t *pj, struct zfs_config *cfg,
			     struct zcfg_pool *pl, struct diag_list *dl)
{
	const char *jp = pl->jpath;
	const char *level = cfg_get_string(src, pj, jp, "raid_level", true, dl);
	size_t min = 1, max = 1000;
	const char *layout = NULL;
	if (level) {
		layout = layout_of(level, &min, &max);
		if (!layout)
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "raid_level", "use single, stripe, mirror, raidz1, raidz2 or raidz3",
				    "unknown raid_level '%s'", level);
		pl->layout = xstrdup(layout ? layout : level);
	}
	json_t *disks = cfg_get_array(src, pj, jp, "disks", true, dl);
	if (!disks)
		return;
	char *dp = xasprintf("%s.disks", jp);
	size_t n = add_disks(src, cfg, pl, disks, dp, dl);
	push_vdev(pl, ZG_DATA, layout ? layout : "stripe", 0, jp);
	if (layout)
		check_count(src, dl, dp, "raid_level", level, n, min, max);
	free(dp);
}

/* The types a vdev of group g may have, for messages; NULL when every type is allowed. */
static const char *allowed_types(enum zcfg_group g)
{
	return g == ZG_CACHE ? "stripe" : g == ZG_LOG || g == ZG_SPECIAL ? "stripe or mirror" : NULL;
}

/* One entry of a vdev list (at vp): { "type", "disks" }, checked for its group. */
static void parse_vdev(const struct config_src *src, json_t *vj, const char *vp, enum zcfg_group g,
		       struct zfs_config *cfg, struct zcfg_pool *pl, struct diag_list *dl)
{
	if (!json_is_object(vj)) {
		cfg_diag(dl, src, DIAG_ERROR, vp, "write { \"type\": \"mirror\", \"disks\": [ ... ] }",
			 "a vdev must be an object with type and disks");
		return;
	}
	const char *type = cfg_get_string(src, vj, vp, "type", true, dl);
	size_t min = 1, max = 1000;
	const char *t = type ? layout_of(type, &min, &max) : NULL;
	if (type && !t)
		cfg_diag_at(dl, src, DIAG_ERROR, vp, "type", "use stripe, mirror, raidz1, raidz2 or raidz3",
			    "unknown vdev type '%s'", type);
	const char *allowed = allowed_types(g);
	if (t && allowed && !strstr(allowed, t)) {
		char *hint = g == ZG_CACHE ? xstrdup("cache devices are never redundant: use \"type\": \"stripe\"")
					   : xasprintf("use \"mirror\" for a redundant %s vdev, or \"stripe\"", zcfg_group_name(g));
		cfg_diag_at(dl, src, DIAG_ERROR, vp, "type", hint, "a %s vdev is %s, not '%s'", zcfg_group_name(g),
			    allowed, type);
		free(hint);
		t = NULL;
	}
	json_t *disks = cfg_get_array(src, vj, vp, "disks", true, dl);
	if (!disks)
		return;
	char *dp = xasprintf("%s.disks", vp);
	size_t first = pl->n_disks;
	size_t n = add_disks(src, cfg, pl, disks, dp, dl);
	push_vdev(pl, g, t ? t : "stripe", first, vp);
	if (t)
		check_count(src, dl, dp, "vdev type", type, n, min, max);
	free(dp);
}

/* The vdev list pj.key of group g (absent: nothing); data vdevs must not be empty. */
static void parse_vdev_list(const struct config_src *src, json_t *pj, const char *key, enum zcfg_group g,
			    struct zfs_config *cfg, struct zcfg_pool *pl, struct diag_list *dl)
{
	json_t *list = cfg_get_array(src, pj, pl->jpath, key, false, dl);
	if (!list)
		return;
	if (g == ZG_DATA && !json_array_size(list))
		cfg_diag_at(dl, src, DIAG_ERROR, pl->jpath, key, "add a vdev: { \"type\": \"mirror\", \"disks\": [ ... ] }",
			    "a pool needs at least one data vdev");
	size_t i;
	json_t *vj;
	json_array_foreach(list, i, vj) {
		char *vp = xasprintf("%s.%s[%zu]", pl->jpath, key, i);
		parse_vdev(src, vj, vp, g, cfg, pl, dl);
		free(vp);
	}
}

/* Data vdevs of mixed types: zpool create refuses them (mismatched replication level). */
static void check_data_types(const struct config_src *src, const struct zcfg_pool *pl, struct diag_list *dl)
{
	const struct zcfg_vdev *first = NULL;
	for (size_t i = 0; i < pl->n_vdevs; i++) {
		const struct zcfg_vdev *v = &pl->vdevs[i];
		if (v->group != ZG_DATA)
			continue;
		if (!first)
			first = v;
		else if (strcmp(v->type, first->type))
			cfg_diag_at(dl, src, DIAG_ERROR, v->jpath, "type",
				    "give every data vdev of a pool the same type (zpool refuses mixed redundancy)",
				    "data vdev type '%s' differs from '%s' at %s", v->type, first->type, first->jpath);
	}
}

void zfs_parse_layout(const struct config_src *src, json_t *pj, struct zfs_config *cfg, struct zcfg_pool *pl,
		      struct diag_list *dl)
{
	json_t *vdevs = json_object_get(pj, "vdevs");
	if (vdevs && (json_object_get(pj, "raid_level") || json_object_get(pj, "disks"))) {
		cfg_diag_at(dl, src, DIAG_ERROR, pl->jpath, "vdevs",
			    "keep one form: move raid_level and disks into a vdevs entry { \"type\": ..., \"disks\": [ ... ] }, or drop vdevs",
			    "give either raid_level and disks (one vdev) or vdevs, not both");
		return;
	}
	if (vdevs) {
		parse_vdev_list(src, pj, "vdevs", ZG_DATA, cfg, pl, dl);
		for (size_t i = 0; i < pl->n_vdevs && !pl->layout; i++)
			pl->layout = xstrdup(pl->vdevs[i].type);
		if (!pl->layout)
			pl->layout = xstrdup("stripe");
	} else {
		parse_raid_level(src, pj, cfg, pl, dl);
	}
	parse_vdev_list(src, pj, "log", ZG_LOG, cfg, pl, dl);
	parse_vdev_list(src, pj, "cache", ZG_CACHE, cfg, pl, dl);
	parse_vdev_list(src, pj, "special", ZG_SPECIAL, cfg, pl, dl);
	json_t *spares = cfg_get_array(src, pj, pl->jpath, "spares", false, dl);
	if (spares && json_array_size(spares)) {
		char *sp = xasprintf("%s.spares", pl->jpath);
		size_t first = pl->n_disks;
		add_disks(src, cfg, pl, spares, sp, dl);
		push_vdev(pl, ZG_SPARE, "stripe", first, sp);
		free(sp);
	}
	check_data_types(src, pl, dl);
}

void zfs_layout_free(struct zcfg_pool *pl)
{
	for (size_t k = 0; k < pl->n_disks; k++) {
		free(pl->disks[k]);
		free(pl->disk_jpaths[k]);
	}
	free(pl->disks);
	free(pl->disk_jpaths);
	for (size_t k = 0; k < pl->n_vdevs; k++)
		free(pl->vdevs[k].jpath);
	free(pl->vdevs);
	free(pl->layout);
}
