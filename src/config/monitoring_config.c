#include "config/monitoring_config.h"

#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

void monitoring_config_defaults(struct monitoring_config *c)
{
	memset(c, 0, sizeof(*c));
	c->capacity_warn_pct = 80;
	c->capacity_crit_pct = 90;
	c->scrub_warn_factor = 1.2;
	c->scrub_crit_factor = 1.5;
	c->snapshot_warn_factor = 1.5;
	c->snapshot_crit_factor = 4;
	c->nvme_used_warn_pct = 80;
	c->nvme_used_crit_pct = 95;
	c->smart = true;
}

/* An integer percentage 1-100 at monitoring.KEY into *v; false (and an error) when it is not one. */
static bool get_pct(const struct config_src *src, json_t *m, const char *key, int *v, struct diag_list *dl)
{
	json_t *j = json_object_get(m, key);
	if (!j)
		return true;
	if (!json_is_integer(j) || json_integer_value(j) < 1 || json_integer_value(j) > 100) {
		cfg_diag_at(dl, src, DIAG_ERROR, "monitoring", key, "give a whole number from 1 to 100",
			    "must be a percentage");
		return false;
	}
	*v = (int)json_integer_value(j);
	return true;
}

/* A factor of an interval (1-100, e.g. 1.5) at monitoring.KEY into *v. */
static bool get_factor(const struct config_src *src, json_t *m, const char *key, double *v, struct diag_list *dl)
{
	json_t *j = json_object_get(m, key);
	if (!j)
		return true;
	if (!json_is_number(j) || json_number_value(j) < 1 || json_number_value(j) > 100) {
		cfg_diag_at(dl, src, DIAG_ERROR, "monitoring", key, "give a number from 1 to 100, e.g. 1.5",
			    "must be a factor of the interval");
		return false;
	}
	*v = json_number_value(j);
	return true;
}

/* warn must stay below crit: an error at the crit key otherwise. */
static void check_order(const struct config_src *src, const char *crit_key, double warn, double crit,
			struct diag_list *dl)
{
	if (warn >= crit)
		cfg_diag_at(dl, src, DIAG_ERROR, "monitoring", crit_key,
			    "make the critical threshold larger than the warning one",
			    "must be larger than the warning threshold");
}

int monitoring_config_load(const struct config_src *src, struct monitoring_config *cfg, struct diag_list *dl)
{
	monitoring_config_defaults(cfg);
	json_t *m = src && src->root ? json_object_get(src->root, "monitoring") : NULL;
	if (!m)
		return 0;
	size_t before = diag_count(dl, DIAG_ERROR);
	if (!json_is_object(m)) {
		cfg_diag(dl, src, DIAG_ERROR, "monitoring", "write {\"capacity_warn_pct\": 80, ...}", "must be an object");
		return -1;
	}
	cfg->present = true;
	static const char *const known[] = { "capacity_warn_pct", "capacity_crit_pct", "scrub_warn_factor",
					     "scrub_crit_factor", "snapshot_warn_factor", "snapshot_crit_factor",
					     "nvme_used_warn_pct", "nvme_used_crit_pct", "smart", "prometheus_file",
					     NULL };
	const char *key;
	json_t *v;
	json_object_foreach(m, key, v) {
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = !strcmp(known[i], key);
		if (!ok)
			cfg_diag_at(dl, src, DIAG_WARNING, "monitoring", key, NULL, "unknown member '%s' (ignored)", key);
	}
	if (get_pct(src, m, "capacity_warn_pct", &cfg->capacity_warn_pct, dl) &&
	    get_pct(src, m, "capacity_crit_pct", &cfg->capacity_crit_pct, dl))
		check_order(src, "capacity_crit_pct", cfg->capacity_warn_pct, cfg->capacity_crit_pct, dl);
	if (get_factor(src, m, "scrub_warn_factor", &cfg->scrub_warn_factor, dl) &&
	    get_factor(src, m, "scrub_crit_factor", &cfg->scrub_crit_factor, dl))
		check_order(src, "scrub_crit_factor", cfg->scrub_warn_factor, cfg->scrub_crit_factor, dl);
	if (get_factor(src, m, "snapshot_warn_factor", &cfg->snapshot_warn_factor, dl) &&
	    get_factor(src, m, "snapshot_crit_factor", &cfg->snapshot_crit_factor, dl))
		check_order(src, "snapshot_crit_factor", cfg->snapshot_warn_factor, cfg->snapshot_crit_factor, dl);
	if (get_pct(src, m, "nvme_used_warn_pct", &cfg->nvme_used_warn_pct, dl) &&
	    get_pct(src, m, "nvme_used_crit_pct", &cfg->nvme_used_crit_pct, dl))
		check_order(src, "nvme_used_crit_pct", cfg->nvme_used_warn_pct, cfg->nvme_used_crit_pct, dl);
	json_t *sm = json_object_get(m, "smart");
	if (sm && !json_is_boolean(sm))
		cfg_diag_at(dl, src, DIAG_ERROR, "monitoring", "smart", "use true or false", "must be a boolean");
	else if (sm)
		cfg->smart = json_is_true(sm);
	const char *pf = cfg_get_string(src, m, "monitoring", "prometheus_file", false, dl);
	if (pf && pf[0] != '/')
		cfg_diag_at(dl, src, DIAG_ERROR, "monitoring", "prometheus_file",
			    "use an absolute path such as " MON_DEFAULT_PROM_FILE, "'%s' is not an absolute path", pf);
	else if (pf)
		cfg->prometheus_file = xstrdup(pf);
	return diag_count(dl, DIAG_ERROR) > before ? -1 : 0;
}

void monitoring_config_free(struct monitoring_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->prometheus_file);
	memset(cfg, 0, sizeof(*cfg));
}
