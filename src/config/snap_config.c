#include "config/snap_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/tz.h"
#include "util/strbuf.h"

static const char *const policy_members[] = { "frequent_minutes", "keep", "timezone", "take", "prune", NULL };
static const char *const dataset_members[] = { "policy", "recursive", "exclude", NULL };

void snap_policy_init(struct snap_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->frequent_minutes = SNAP_FREQUENT_MINUTES_DEFAULT;
	p->take = true;
	p->prune = true;
}

const char *snap_policy_timezone(const struct snap_policy *p)
{
	return p->timezone ? p->timezone : "UTC";
}

void snap_policy_release(struct snap_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->timezone);
	free(p->jpath);
	p->name = p->timezone = p->jpath = NULL;
}

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static char *joined(const char *const *list)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; list[i]; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", list[i]);
	return sb_detach(&sb);
}

static void unknown_members(const struct config_src *src, json_t *obj, const char *jpath,
			    const char *const *known, const char *what, struct diag_list *dl)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (in_list(known, key))
			continue;
		char *list = joined(known);
		char *hint = xasprintf("known members: %s", list);
		cfg_diag_at(dl, src, DIAG_ERROR, jpath, key, hint, "unknown member '%s' in %s", key, what);
		free(hint);
		free(list);
	}
}

static void get_bool(const struct config_src *src, json_t *obj, const char *jpath, const char *key,
		     bool *out, struct diag_list *dl)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return;
	if (!json_is_boolean(v)) {
		cfg_diag_at(dl, src, DIAG_ERROR, jpath, key, "use true or false", "must be true or false");
		return;
	}
	*out = json_is_true(v);
}

static const char *policy_name_problem(const char *name)
{
	size_t n = strlen(name);
	if (n == 0)
		return "is empty";
	if (n > SNAP_POLICY_NAME_MAX)
		return "is longer than 64 characters";
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return "may contain only letters, digits, '_' and '-'";
	return NULL;
}

static void parse_keep(const struct config_src *src, json_t *pj, struct snap_policy *p,
		       struct diag_list *dl)
{
	json_t *keep = cfg_get_object(src, pj, p->jpath, "keep", false, dl);
	if (!json_object_get(pj, "keep")) {
		cfg_diag(dl, src, DIAG_ERROR, p->jpath, "add \"keep\": { \"hourly\": 48, \"daily\": 30 }",
			 "snapshot policy '%s' has no \"keep\"", p->name);
		return;
	}
	if (!keep)
		return;
	char *kp = xasprintf("%s.keep", p->jpath);
	size_t errors = diag_count(dl, DIAG_ERROR);
	const char *key;
	json_t *v;
	json_object_foreach(keep, key, v) {
		enum snap_class c;
		if (snap_class_parse(key, &c)) {
			cfg_diag_at(dl, src, DIAG_ERROR, kp, key,
				    "classes: frequent, hourly, daily, weekly, monthly, yearly",
				    "unknown snapshot class '%s'", key);
			continue;
		}
		cfg_get_uint(src, keep, kp, key, 0, SNAP_KEEP_MAX,
			 "the number of snapshots of this class to keep; 0 takes none", &p->keep[c], dl);
	}
	free(kp);
	unsigned total = 0;
	for (int c = 0; c < SNAP_NCLASSES; c++)
		total += p->keep[c] ? 1 : 0;
	if (!total && diag_count(dl, DIAG_ERROR) == errors)
		cfg_diag_at(dl, src, DIAG_WARNING, p->jpath, "keep", "set a count, e.g. \"daily\": 7",
			    "snapshot policy '%s' keeps nothing: it takes no snapshots and destroys every one it owns",
			    p->name);
}

static void parse_policy(const struct config_src *src, const char *name, json_t *pj,
			 struct snap_policy *p, struct diag_list *dl)
{
	snap_policy_init(p);
	p->name = xstrdup(name);
	p->jpath = xasprintf("zfs.snapshot_policies.%s", name);
	const char *prob = policy_name_problem(name);
	if (prob)
		cfg_diag(dl, src, DIAG_ERROR, p->jpath, "rename the policy, e.g. \"production\"",
			 "snapshot policy name '%s' %s", name, prob);
	if (!json_is_object(pj)) {
		cfg_diag(dl, src, DIAG_ERROR, p->jpath, "e.g. { \"keep\": { \"hourly\": 48, \"daily\": 30 } }",
			 "a snapshot policy must be an object");
		return;
	}
	unknown_members(src, pj, p->jpath, policy_members, "a snapshot policy", dl);
	cfg_get_uint(src, pj, p->jpath, "frequent_minutes", 1, SNAP_FREQUENT_MINUTES_MAX,
		 "minutes per frequent slot, counted from local midnight, e.g. 15", &p->frequent_minutes, dl);
	parse_keep(src, pj, p, dl);
	const char *tz = cfg_get_string(src, pj, p->jpath, "timezone", false, dl);
	if (tz) {
		const char *why = tz_name_problem(tz);
		if (why)
			cfg_diag_at(dl, src, DIAG_ERROR, p->jpath, "timezone",
				    "use an IANA zone name such as \"America/New_York\", or \"UTC\"",
				    "time zone name '%s' %s", tz, why);
		else
			p->timezone = xstrdup(tz);
	}
	get_bool(src, pj, p->jpath, "take", &p->take, dl);
	get_bool(src, pj, p->jpath, "prune", &p->prune, dl);
}

static void parse_policies(const struct config_src *src, json_t *zfs, struct snap_config *cfg,
			   struct diag_list *dl)
{
	json_t *pols = cfg_get_object(src, zfs, "zfs", "snapshot_policies", false, dl);
	if (!pols)
		return;
	cfg->policies = xcalloc(json_object_size(pols) + 1, sizeof(*cfg->policies));
	const char *name;
	json_t *pj;
	json_object_foreach(pols, name, pj)
		parse_policy(src, name, pj, &cfg->policies[cfg->n_policies++], dl);
}

const struct snap_policy *snap_config_policy(const struct snap_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_policies; i++)
		if (!strcmp(cfg->policies[i].name, name))
			return &cfg->policies[i];
	return NULL;
}

static void unknown_policy(const struct config_src *src, const struct snap_config *cfg,
			   const char *jpath, const char *name, struct diag_list *dl)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t k = 0; k < cfg->n_policies; k++)
		sb_addf(&sb, "%s'%s'", k ? ", " : "", cfg->policies[k].name);
	char *hint = xasprintf("define it in zfs.snapshot_policies or use one of: %s",
			       cfg->n_policies ? sb.buf : "(no policies defined)");
	cfg_diag_at(dl, src, DIAG_ERROR, jpath, "policy", hint, "unknown snapshot policy '%s'", name);
	free(hint);
	sb_release(&sb);
}

static void parse_exclude(const struct config_src *src, json_t *sj, struct snap_dataset_cfg *d,
			  struct diag_list *dl)
{
	json_t *ex = cfg_get_array(src, sj, d->jpath, "exclude", false, dl);
	if (!ex)
		return;
	if (!d->recursive && json_array_size(ex))
		cfg_diag_at(dl, src, DIAG_ERROR, d->jpath, "exclude", "add \"recursive\": true or remove exclude",
			    "exclude needs \"recursive\": true");
	d->exclude = xcalloc(json_array_size(ex) + 1, sizeof(*d->exclude));
	size_t i;
	json_t *e;
	json_array_foreach(ex, i, e) {
		char *ep = xasprintf("%s.exclude[%zu]", d->jpath, i);
		const char *s = json_string_value(e);
		size_t dl_len = strlen(d->dataset);
		if (!s) {
			cfg_diag(dl, src, DIAG_ERROR, ep, NULL, "must be a string");
		} else if (strncmp(s, d->dataset, dl_len) || s[dl_len] != '/' || !s[dl_len + 1]) {
			char *hint = xasprintf("name a dataset below it, relative to the pool, e.g. \"%s/tmp\"",
					       d->dataset);
			cfg_diag(dl, src, DIAG_ERROR, ep, hint, "'%s' is not below dataset '%s'", s, d->dataset);
			free(hint);
		} else {
			bool dup = false;
			for (size_t k = 0; k < d->n_exclude; k++)
				dup |= !strcmp(d->exclude[k], s);
			if (dup)
				cfg_diag(dl, src, DIAG_ERROR, ep, "remove the repeated entry", "'%s' is excluded twice", s);
			else
				d->exclude[d->n_exclude++] = xstrdup(s);
		}
		free(ep);
	}
}

static void parse_dataset(const struct config_src *src, json_t *dj, size_t i, struct snap_config *cfg,
			  struct diag_list *dl)
{
	json_t *sj = json_object_get(dj, "snapshots");
	const char *name = json_string_value(json_object_get(dj, "name"));
	if (!sj || json_is_null(sj) || !name)
		return;
	struct snap_dataset_cfg *d = &cfg->datasets[cfg->n_datasets++];
	d->config_index = i;
	d->dataset = xstrdup(name);
	const char *pool = json_string_value(json_object_get(dj, "pool"));
	d->pool = pool ? xstrdup(pool) : NULL;
	d->jpath = xasprintf("zfs.datasets[%zu].snapshots", i);
	if (json_is_string(sj) && !strcmp(json_string_value(sj), "none")) {
		d->none = true;
		return;
	}
	if (!json_is_object(sj)) {
		d->none = true;
		cfg_diag(dl, src, DIAG_ERROR, d->jpath,
			 "use \"snapshots\": { \"policy\": \"NAME\" } or \"snapshots\": \"none\"",
			 "\"snapshots\" must be \"none\" or an object with a policy");
		return;
	}
	unknown_members(src, sj, d->jpath, dataset_members, "\"snapshots\"", dl);
	const char *pol = cfg_get_string(src, sj, d->jpath, "policy", true, dl);
	if (pol) {
		d->policy = xstrdup(pol);
		const struct snap_policy *p = snap_config_policy(cfg, pol);
		if (p) {
			d->policy_index = (size_t)(p - cfg->policies);
			d->policy_known = true;
		} else {
			unknown_policy(src, cfg, d->jpath, pol, dl);
		}
	}
	get_bool(src, sj, d->jpath, "recursive", &d->recursive, dl);
	parse_exclude(src, sj, d, dl);
}

int snap_config_parse(const struct config_src *src, const json_t *zfs_c, struct snap_config *cfg,
		      struct diag_list *dl)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->destroy_batch = SNAP_DESTROY_BATCH_DEFAULT;
	/* jansson's iteration API takes non-const pointers; nothing here modifies the tree */
	json_t *zfs = (json_t *)zfs_c;
	if (!json_is_object(zfs))
		return 0;
	size_t errors = diag_count(dl, DIAG_ERROR);
	parse_policies(src, zfs, cfg, dl);
	cfg_get_uint(src, zfs, "zfs", "snapshot_destroy_batch", 1, SNAP_DESTROY_BATCH_MAX,
		 "names per zfs destroy call; the default is 100", &cfg->destroy_batch, dl);
	json_t *dss = json_object_get(zfs, "datasets");
	if (json_is_array(dss)) {
		cfg->datasets = xcalloc(json_array_size(dss) + 1, sizeof(*cfg->datasets));
		size_t i;
		json_t *dj;
		json_array_foreach(dss, i, dj)
			if (json_is_object(dj))
				parse_dataset(src, dj, i, cfg, dl);
	}
	return diag_count(dl, DIAG_ERROR) > errors ? -1 : 0;
}

void snap_config_free(struct snap_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_policies; i++)
		snap_policy_release(&cfg->policies[i]);
	free(cfg->policies);
	for (size_t i = 0; i < cfg->n_datasets; i++) {
		struct snap_dataset_cfg *d = &cfg->datasets[i];
		free(d->dataset);
		free(d->pool);
		free(d->policy);
		for (size_t k = 0; k < d->n_exclude; k++)
			free(d->exclude[k]);
		free(d->exclude);
		free(d->jpath);
	}
	free(cfg->datasets);
	memset(cfg, 0, sizeof(*cfg));
}

int snap_config_check_zones(const struct config_src *src, const struct snap_config *cfg,
			    const char *dir, struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < cfg->n_policies; i++) {
		const struct snap_policy *p = &cfg->policies[i];
		if (!p->timezone)
			continue;
		struct tz_zone z;
		char *why = NULL;
		if (tz_load(p->timezone, dir, &z, &why)) {
			cfg_diag_at(dl, src, DIAG_ERROR, p->jpath, "timezone",
				    "use a name from /usr/share/zoneinfo such as \"America/New_York\" (is tzdata installed?)",
				    "%s", why);
			free(why);
			rc = -1;
		}
		tz_zone_free(&z);
	}
	return rc;
}

/* ---- canonical text and digest ---- */

char *snap_policy_canonical(const struct snap_policy *p)
{
	return xasprintf("v1 frequent_minutes=%u keep=%u,%u,%u,%u,%u,%u timezone=%s", p->frequent_minutes,
			 p->keep[SNAP_FREQUENT], p->keep[SNAP_HOURLY], p->keep[SNAP_DAILY],
			 p->keep[SNAP_WEEKLY], p->keep[SNAP_MONTHLY], p->keep[SNAP_YEARLY],
			 snap_policy_timezone(p));
}

int snap_policy_from_canonical(const char *text, struct snap_policy *p, const char **why)
{
	snap_policy_init(p);
	unsigned k[SNAP_NCLASSES], fm;
	int used = 0;
	*why = "not a canonical snapshot policy (v1 frequent_minutes=N keep=N,N,N,N,N,N timezone=NAME)";
	if (sscanf(text, "v1 frequent_minutes=%u keep=%u,%u,%u,%u,%u,%u timezone=%n", &fm, &k[0], &k[1],
		   &k[2], &k[3], &k[4], &k[5], &used) != 7 || !used)
		return -1;
	const char *tz = text + used;
	if (fm < 1 || fm > SNAP_FREQUENT_MINUTES_MAX || tz_name_problem(tz))
		return -1;
	for (int c = 0; c < SNAP_NCLASSES; c++) {
		if (k[c] > SNAP_KEEP_MAX)
			return -1;
		p->keep[c] = k[c];
	}
	p->frequent_minutes = fm;
	p->timezone = xstrdup(tz);
	/* the text must be exactly what snap_policy_canonical writes */
	char *again = snap_policy_canonical(p);
	bool same = !strcmp(again, text);
	free(again);
	if (!same) {
		snap_policy_release(p);
		return -1;
	}
	*why = NULL;
	return 0;
}

void snap_policy_digest(const struct snap_policy *p, char *out)
{
	char *text = snap_policy_canonical(p);
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		h ^= *s;
		h *= 0x100000001b3ULL;
	}
	free(text);
	snprintf(out, SNAP_DIGEST_LEN + 1, "%08x", (unsigned)(h >> 32));
}
