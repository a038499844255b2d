/*
 * Unit tests: the metric families of the health model (src/plan/health_metrics.c)
 * over recorded outputs: an OpenZFS 2.3 mirror with checksum errors after a
 * scrub, a zfs-fuse mirror with a device offline, a worn NVMe disk, a file
 * vdev, a pool of the config that is absent, one snapshot class (and its
 * pending prune count), the last success of two jobs.
 *   build-san/tests/test_health_metrics --write   rewrites the expected file
 *   (tests/unit/data/metrics/two-pools.prom); read its diff before committing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plan/health_metrics.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define DATA "tests/unit/data/"
static bool write_expected;

struct model {
	struct zh_status st[2];
	struct hc_pool pools[2];
	struct smart_info smart[2];
	struct hc_disk disks[2];
	struct hc_snapshots snap;
	struct hc_prune prune;
	struct hc_job jobs[2];
	const char *absent[1];
	struct hc_input in;
};

static char *slurp(const char *path)
{
	char *t = NULL;
	assert_int_equal(read_file(path, &t, NULL), 0);
	return t;
}

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	static const char *const status[] = { DATA "zpool/openzfs-2.3/checksum-errors.status",
					      DATA "zpool/zfs-fuse/mirror2-offline.status" };
	struct diag_list dl = { 0 };
	for (int i = 0; i < 2; i++) {
		char *t = slurp(status[i]);
		assert_int_equal(zh_parse_status(t, &m->st[i], &dl), 0);
		free(t);
		m->pools[i] = (struct hc_pool){ .health = &m->st[i].pools[0], .capacity_pct = 25,
						.scrub_interval_s = 7 * 86400, .size_bytes = 1 << 30,
						.used_bytes = 1 << 28 };
	}
	char *t = slurp(DATA "smart/nvme-worn-out-spare-low.json");
	smart_parse_json("/dev/nvme0n1", t, &m->smart[0]);
	free(t);
	smart_unknown("/tmp/x/vdev-k1", "a file, not a disk", &m->smart[1]);
	m->disks[0] = (struct hc_disk){ "t257cksum", &m->smart[0] };
	m->disks[1] = (struct hc_disk){ "t257cksum", &m->smart[1] };
	m->snap = (struct hc_snapshots){ "t257cksum/data", "daily", 1764633600, 86400 };
	m->prune = (struct hc_prune){ "t257cksum/data", 3 };
	m->jobs[0] = (struct hc_job){ "prune", 1764630000 };
	m->jobs[1] = (struct hc_job){ "snapshot", 1764639000 };
	m->absent[0] = "gone";
	m->in = (struct hc_input){ .pools = m->pools, .n_pools = 2, .absent_pools = m->absent, .n_absent = 1,
				   .snapshots = &m->snap, .n_snapshots = 1, .disks = m->disks, .n_disks = 2,
				   .prunes = &m->prune, .n_prunes = 1, .jobs = m->jobs, .n_jobs = 2, .now = 1764640000 };
	diag_list_free(&dl);
}

static void model_free(struct model *m)
{
	for (int i = 0; i < 2; i++) {
		zh_status_free(&m->st[i]);
		smart_info_free(&m->smart[i]);
	}
}

static char *render(const struct model *m, long drift)
{
	struct hc_thresholds th;
	hc_thresholds_default(&th);
	struct hc_result r = { 0 };
	hc_evaluate(&m->in, &th, &r);
	struct pt_registry reg = { 0 };
	struct diag_list dl = { 0 };
	assert_int_equal(health_metrics(&m->in, &r, drift, &reg, &dl), 0);
	assert_int_equal(dl.n, 0);
	char *s = pt_render(&reg);
	pt_free(&reg);
	hc_result_free(&r);
	return s;
}

static void metrics_of_two_recorded_pools_match_the_expected_file(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	char *s = render(&m, 3);
	const char *path = DATA "metrics/two-pools.prom";
	if (write_expected)
		assert_int_equal(write_file_atomic(path, s, strlen(s), 0644), 0);
	char *want = slurp(path);
	if (strcmp(s, want))
		fprintf(stderr, "got:\n%s\n", s);
	assert_string_equal(s, want);
	free(want);
	free(s);
	model_free(&m);
}

static void a_degraded_pool_and_checksum_errors_show_in_the_samples(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	char *s = render(&m, 0);
	assert_non_null(strstr(s, "phoenix_storage_pool_health{pool=\"t13549m2off\",state=\"DEGRADED\"} 1\n"));
	assert_non_null(strstr(s, "phoenix_storage_pool_health{pool=\"t13549m2off\",state=\"ONLINE\"} 0\n"));
	assert_non_null(strstr(s, "phoenix_storage_vdev_errors_total{kind=\"checksum\",pool=\"t257cksum\","
				  "vdev=\"/tmp/phoenix-it.dSHyM4/vdev-k2\"} 1259\n"));
	assert_non_null(strstr(s, "phoenix_storage_pool_present{pool=\"gone\"} 0\n"));
	assert_non_null(strstr(s, "phoenix_storage_check_status 2\n"));
	assert_non_null(strstr(s, "phoenix_storage_drift_objects 0\n"));
	/* an unknown disk has smart_known 0 and nothing else */
	assert_non_null(strstr(s, "phoenix_storage_disk_smart_known{device=\"/tmp/x/vdev-k1\",pool=\"t257cksum\"} 0\n"));
	assert_null(strstr(s, "phoenix_storage_disk_wear_ratio{device=\"/tmp/x/vdev-k1\""));
	free(s);
	model_free(&m);
}

static void unknown_drift_has_no_sample(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	char *s = render(&m, -1);
	assert_null(strstr(s, "phoenix_storage_drift_objects"));
	free(s);
	model_free(&m);
}

int main(int argc, char **argv)
{
	write_expected = argc > 1 && !strcmp(argv[1], "--write");
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_of_two_recorded_pools_match_the_expected_file),
		cmocka_unit_test(a_degraded_pool_and_checksum_errors_show_in_the_samples),
		cmocka_unit_test(unknown_drift_has_no_sample),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
