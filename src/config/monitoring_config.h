/*
 * monitoring_config: the `monitoring` section of phoenix_hypervisor_config.json:
 * the thresholds of `status --check` and where the metrics go. Every member is
 * optional; absent members keep the defaults below.
 *
 *   capacity_warn_pct / capacity_crit_pct      80 / 90   (1-100, warn < crit)
 *   scrub_warn_factor / scrub_crit_factor      1.2 / 1.5 x the pool's scrub interval
 *   snapshot_warn_factor / snapshot_crit_factor 1.5 / 4  x a snapshot class's period
 *   nvme_used_warn_pct / nvme_used_crit_pct    80 / 95   (NVMe percentage_used)
 *   smart                                      true: read SMART of pool disks in status
 *   prometheus_file                            the textfile of `status --prometheus`
 *                                              without FILE (absolute path)
 */
#ifndef PH_MONITORING_CONFIG_H
#define PH_MONITORING_CONFIG_H
#include <stdbool.h>

#include "config/config.h"
#include "util/diag.h"

/* Where the textfile goes when the config names none (used only when its directory exists). */
#define MON_DEFAULT_PROM_FILE "/var/lib/prometheus/node-exporter/phoenix_storage.prom"

struct monitoring_config {
	bool present;
	int capacity_warn_pct, capacity_crit_pct;
	double scrub_warn_factor, scrub_crit_factor;
	double snapshot_warn_factor, snapshot_crit_factor;
	int nvme_used_warn_pct, nvme_used_crit_pct;
	bool smart;
	char *prometheus_file;   /* NULL: MON_DEFAULT_PROM_FILE */
};

/* cfg with every default of the table above (present false, smart on). */
void monitoring_config_defaults(struct monitoring_config *cfg);

/*
 * Reads the monitoring section of src into cfg (defaults for what is absent).
 * Every problem goes to dl at its JSON path. Returns 0, or -1 when an error
 * was found. cfg is always filled; free it with monitoring_config_free.
 */
int monitoring_config_load(const struct config_src *src, struct monitoring_config *cfg, struct diag_list *dl);
void monitoring_config_free(struct monitoring_config *cfg);

#endif
