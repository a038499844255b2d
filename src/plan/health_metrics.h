/*
 * health_metrics: the metric families of the health model, for the
 * node_exporter textfile (formats/promtext renders them). Pure: the same
 * input the check evaluates, its verdict and the drift count in; samples in a
 * registry out. Labels follow zfs_exporter: `pool` for a pool, `name` for a
 * dataset; `vdev` and `device` for a vdev and a disk.
 *
 *   phoenix_storage_pool_health{pool,state}            1 for the pool's state, 0 for the others
 *   phoenix_storage_pool_present{pool}                 0: in the config, not imported
 *   phoenix_storage_pool_size_bytes / _allocated_bytes{pool}
 *   phoenix_storage_pool_capacity_ratio{pool}          0..1
 *   phoenix_storage_pool_data_errors{pool}
 *   phoenix_storage_vdev_errors_total{pool,vdev,kind}  kind read, write, checksum
 *   phoenix_storage_scrub_last_end_timestamp_seconds{pool}  only after a finished scrub
 *   phoenix_storage_scrub_errors{pool}                 errors of the last scrub
 *   phoenix_storage_scrub_in_progress{pool}            1 while a scrub runs or is paused
 *   phoenix_storage_disk_smart_known{pool,device}      0: no SMART data (file vdev, no smartctl)
 *   phoenix_storage_disk_wear_ratio{pool,device}       NVMe percentage_used / 100
 *   phoenix_storage_disk_available_spare_ratio{pool,device}
 *   phoenix_storage_disk_media_errors{pool,device}     NVMe media errors, ATA reallocated+pending+uncorrectable
 *   phoenix_storage_disk_smart_passed{pool,device}
 *   phoenix_storage_disk_temperature_celsius{pool,device}
 *   phoenix_storage_snapshot_newest_timestamp_seconds{name,class}
 *   phoenix_storage_snapshot_prune_pending{name}       snapshots the retention would destroy now
 *   phoenix_storage_job_last_success_timestamp_seconds{job}  last successful `run` of each job
 *   phoenix_storage_check_status                       0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
 *   phoenix_storage_check_problems{severity}
 *   phoenix_storage_drift_objects                      actions the plan would take (when known)
 */
#ifndef PH_HEALTH_METRICS_H
#define PH_HEALTH_METRICS_H
#include "formats/promtext.h"
#include "plan/health_check.h"

/*
 * Adds every family above that has data to reg. drift_objects < 0: unknown
 * (no sample). Returns 0, or -1 with an error in dl (a label the renderer
 * refuses, which a pool or device name cannot produce).
 */
int health_metrics(const struct hc_input *in, const struct hc_result *verdict, long drift_objects,
		   struct pt_registry *reg, struct diag_list *dl);

#endif
