#include "plan/health_metrics.h"

#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static const enum zh_state pool_states[] = { ZH_ONLINE, ZH_DEGRADED, ZH_FAULTED, ZH_OFFLINE,
					     ZH_UNAVAIL, ZH_REMOVED, ZH_SUSPENDED };

static void declare(struct pt_registry *reg, struct diag_list *dl)
{
	static const struct { const char *n; enum pt_type t; const char *h; } fam[] = {
		{ "phoenix_storage_pool_health", PT_GAUGE, "1 for the state zpool status shows for the pool, 0 for the others." },
		{ "phoenix_storage_pool_present", PT_GAUGE, "1 when the pool is imported, 0 when the config names it and it is not." },
		{ "phoenix_storage_pool_size_bytes", PT_GAUGE, "Used plus available bytes of the pool's root dataset." },
		{ "phoenix_storage_pool_allocated_bytes", PT_GAUGE, "Used bytes of the pool's root dataset." },
		{ "phoenix_storage_pool_capacity_ratio", PT_GAUGE, "Used over used plus available of the pool's root dataset." },
		{ "phoenix_storage_pool_data_errors", PT_GAUGE, "Data errors zpool status reports for the pool." },
		{ "phoenix_storage_vdev_errors_total", PT_COUNTER, "READ, WRITE and CKSUM counters of each vdev since the pool was imported or cleared." },
		{ "phoenix_storage_scrub_last_end_timestamp_seconds", PT_GAUGE, "When the last finished scrub of the pool ended (Unix time)." },
		{ "phoenix_storage_scrub_errors", PT_GAUGE, "Errors the last scrub of the pool found." },
		{ "phoenix_storage_scrub_in_progress", PT_GAUGE, "1 while a scrub of the pool runs or is paused." },
		{ "phoenix_storage_disk_smart_known", PT_GAUGE, "1 when SMART data of the pool disk could be read." },
		{ "phoenix_storage_disk_wear_ratio", PT_GAUGE, "NVMe percentage_used over 100." },
		{ "phoenix_storage_disk_available_spare_ratio", PT_GAUGE, "NVMe available spare over 100." },
		{ "phoenix_storage_disk_media_errors", PT_GAUGE, "NVMe media errors, or ATA reallocated, pending and uncorrectable sectors." },
		{ "phoenix_storage_disk_smart_passed", PT_GAUGE, "1 when the disk's SMART overall health passed." },
		{ "phoenix_storage_disk_temperature_celsius", PT_GAUGE, "Disk temperature." },
		{ "phoenix_storage_snapshot_newest_timestamp_seconds", PT_GAUGE, "Time of the newest snapshot of a class of the dataset (the time in its name; Unix time)." },
		{ "phoenix_storage_snapshot_prune_pending", PT_GAUGE, "Snapshots of the dataset the retention rules would destroy now (pruned by the next run, or held back by the policy-change guard)." },
		{ "phoenix_storage_job_last_success_timestamp_seconds", PT_GAUGE, "When the job of phoenix-storage run last succeeded (Unix time)." },
		{ "phoenix_storage_check_status", PT_GAUGE, "Verdict of status --check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN." },
		{ "phoenix_storage_check_problems", PT_GAUGE, "Problems status --check reports, by severity." },
		{ "phoenix_storage_drift_objects", PT_GAUGE, "Actions the plan would take to converge the host." },
	};
	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		pt_family(reg, fam[i].n, fam[i].t, fam[i].h, dl);
}

/* The pool's families: health, size, errors, vdev counters, scrub. */
static void pool_metrics(const struct hc_pool *hp, struct pt_registry *reg, struct diag_list *dl)
{
	const struct zh_pool *p = hp->health;
	const char *n = p->name;
	for (size_t i = 0; i < sizeof(pool_states) / sizeof(pool_states[0]); i++)
		pt_samplef(reg, "phoenix_storage_pool_health", p->state == pool_states[i], dl, "pool", n, "state",
			   zh_state_name(pool_states[i]), NULL);
	pt_samplef(reg, "phoenix_storage_pool_present", 1, dl, "pool", n, NULL);
	if (hp->size_bytes > 0) {
		pt_samplef(reg, "phoenix_storage_pool_size_bytes", (double)hp->size_bytes, dl, "pool", n, NULL);
		pt_samplef(reg, "phoenix_storage_pool_allocated_bytes", (double)hp->used_bytes, dl, "pool", n, NULL);
		pt_samplef(reg, "phoenix_storage_pool_capacity_ratio", (double)hp->used_bytes / (double)hp->size_bytes,
			   dl, "pool", n, NULL);
	}
	if (p->data_errors >= 0)
		pt_samplef(reg, "phoenix_storage_pool_data_errors", (double)p->data_errors, dl, "pool", n, NULL);
	for (size_t i = 0; i < p->n_vdevs; i++) {
		const struct zh_vdev *v = &p->vdevs[i];
		if (!v->has_counters || v->depth == 0)
			continue;
		pt_samplef(reg, "phoenix_storage_vdev_errors_total", (double)v->read_errors, dl, "pool", n, "vdev",
			   v->name, "kind", "read", NULL);
		pt_samplef(reg, "phoenix_storage_vdev_errors_total", (double)v->write_errors, dl, "pool", n, "vdev",
			   v->name, "kind", "write", NULL);
		pt_samplef(reg, "phoenix_storage_vdev_errors_total", (double)v->cksum_errors, dl, "pool", n, "vdev",
			   v->name, "kind", "checksum", NULL);
	}
	const struct zh_scan *sc = zh_pool_scrub(p);
	bool running = sc && (sc->state == ZH_SCAN_RUNNING || sc->state == ZH_SCAN_PAUSED);
	pt_samplef(reg, "phoenix_storage_scrub_in_progress", running, dl, "pool", n, NULL);
	if (sc && sc->state == ZH_SCAN_FINISHED) {
		time_t end = zh_time_epoch(&sc->end);
		if (end > 0)
			pt_samplef(reg, "phoenix_storage_scrub_last_end_timestamp_seconds", (double)end, dl, "pool", n,
				   NULL);
		if (sc->errors >= 0)
			pt_samplef(reg, "phoenix_storage_scrub_errors", (double)sc->errors, dl, "pool", n, NULL);
	}
}

/* A disk's families; unknown SMART data gives only smart_known 0. */
static void disk_metrics(const struct hc_disk *d, struct pt_registry *reg, struct diag_list *dl)
{
	const struct smart_info *s = d->smart;
	const char *pool = d->pool ? d->pool : "";
	const char *dev = s->device;
	pt_samplef(reg, "phoenix_storage_disk_smart_known", s->known, dl, "pool", pool, "device", dev, NULL);
	if (!s->known)
		return;
	if (s->percentage_used >= 0)
		pt_samplef(reg, "phoenix_storage_disk_wear_ratio", s->percentage_used / 100.0, dl, "pool", pool,
			   "device", dev, NULL);
	if (s->available_spare >= 0)
		pt_samplef(reg, "phoenix_storage_disk_available_spare_ratio", s->available_spare / 100.0, dl, "pool",
			   pool, "device", dev, NULL);
	int64_t media = s->media_errors;
	if (media < 0 && (s->reallocated >= 0 || s->pending >= 0 || s->uncorrectable >= 0))
		media = (s->reallocated > 0 ? s->reallocated : 0) + (s->pending > 0 ? s->pending : 0) +
			(s->uncorrectable > 0 ? s->uncorrectable : 0);
	if (media >= 0)
		pt_samplef(reg, "phoenix_storage_disk_media_errors", (double)media, dl, "pool", pool, "device", dev,
			   NULL);
	if (s->passed >= 0)
		pt_samplef(reg, "phoenix_storage_disk_smart_passed", s->passed, dl, "pool", pool, "device", dev, NULL);
	if (s->has_temperature)
		pt_samplef(reg, "phoenix_storage_disk_temperature_celsius", s->temperature_c, dl, "pool", pool,
			   "device", dev, NULL);
}

int health_metrics(const struct hc_input *in, const struct hc_result *verdict, long drift_objects,
		   struct pt_registry *reg, struct diag_list *dl)
{
	size_t before = diag_count(dl, DIAG_ERROR);
	declare(reg, dl);
	for (size_t i = 0; i < in->n_pools; i++)
		pool_metrics(&in->pools[i], reg, dl);
	for (size_t i = 0; i < in->n_absent; i++)
		pt_samplef(reg, "phoenix_storage_pool_present", 0, dl, "pool", in->absent_pools[i], NULL);
	for (size_t i = 0; i < in->n_disks; i++)
		disk_metrics(&in->disks[i], reg, dl);
	for (size_t i = 0; i < in->n_snapshots; i++)
		if (in->snapshots[i].newest >= 0)
			pt_samplef(reg, "phoenix_storage_snapshot_newest_timestamp_seconds",
				   (double)in->snapshots[i].newest, dl, "name", in->snapshots[i].dataset, "class",
				   in->snapshots[i].class_name, NULL);
	for (size_t i = 0; i < in->n_prunes; i++)
		pt_samplef(reg, "phoenix_storage_snapshot_prune_pending", (double)in->prunes[i].pending, dl, "name",
			   in->prunes[i].dataset, NULL);
	for (size_t i = 0; i < in->n_jobs; i++)
		pt_samplef(reg, "phoenix_storage_job_last_success_timestamp_seconds", (double)in->jobs[i].last_success,
			   dl, "job", in->jobs[i].job, NULL);
	if (verdict) {
		pt_samplef(reg, "phoenix_storage_check_status", verdict->status, dl, NULL);
		size_t count[4] = { 0 };
		for (size_t i = 0; i < verdict->n; i++)
			count[verdict->problems[i].severity & 3]++;
		static const enum hc_severity sev[] = { HC_WARNING, HC_CRITICAL, HC_UNKNOWN };
		for (size_t i = 0; i < 3; i++) {
			char *low = xstrdup(hc_severity_name(sev[i]));
			for (char *c = low; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			pt_samplef(reg, "phoenix_storage_check_problems", (double)count[sev[i]], dl, "severity", low, NULL);
			free(low);
		}
	}
	if (drift_objects >= 0)
		pt_samplef(reg, "phoenix_storage_drift_objects", (double)drift_objects, dl, NULL);
	return diag_count(dl, DIAG_ERROR) > before ? -1 : 0;
}
