/*
 * Benchmark driver (not a test): the retention engine deciding 1,000,000
 * synthetic snapshots spread over many datasets, as one prune run would.
 * Each dataset gets a long unpruned history of the reference "production"
 * policy (frequent, hourly, daily, weekly, monthly, yearly in proportion),
 * 2% foreign names and 1% held snapshots. Prints one machine-readable line:
 *   stats: snapshots=N datasets=N decide_ms=N reasons_ms=N due_ms=N keep=N destroy=N foreign=N max_rss_kb=N
 * decide_ms is the CPU time (user+sys) of snap_retention_decide over every
 * dataset; reasons_ms adds formatting every reason text; due_ms is
 * snap_due_eval over every dataset.
 * Usage: retention_1m [DATASETS] [SNAPSHOTS-PER-DATASET]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "formats/tzif.h"
#include "plan/snap_policy.h"
#include "config/tz.h"

static long cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
}

int main(int argc, char **argv)
{
	size_t n_ds = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	size_t per = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
	const int64_t now = 1773576000;   /* 2026-03-15T12:00:00Z */
	struct snap_policy p;
	snap_policy_init(&p);
	const unsigned keep[6] = { 4, 48, 30, 8, 12, 2 };
	memcpy(p.keep, keep, sizeof(p.keep));
	p.timezone = "America/New_York";
	struct tz_zone z;
	char *why = NULL;
	if (tz_load("America/New_York", NULL, &z, &why)) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}

	/* one arena for every name: what a state reader would hold */
	size_t total = n_ds * per;
	char *arena = malloc(total * SNAP_NAME_MAX);
	struct snap_info *s = calloc(total, sizeof(*s));
	if (!arena || !s)
		return 1;
	/* shares of each class per dataset, in per-mille */
	static const unsigned share[6] = { 400, 300, 200, 50, 30, 10 };
	uint64_t x = 2463534242ULL;
	for (size_t d = 0; d < n_ds; d++) {
		size_t k = 0;
		for (int c = 0; c < SNAP_NCLASSES && k < per; c++) {
			size_t cnt = per * share[c] / 1000;
			for (size_t i = 0; i < cnt && k < per; i++, k++) {
				struct snap_info *si = &s[d * per + k];
				char *name = arena + (d * per + k) * SNAP_NAME_MAX;
				int64_t t = now - (int64_t)i * snap_class_period((enum snap_class)c, 15) - (int64_t)(d % 60);
				x ^= x << 13; x ^= x >> 17; x ^= x << 5;
				if (x % 50 == 0)
					snprintf(name, SNAP_NAME_MAX, "autosnap_%06u_%06u", (unsigned)(d % 1000000), (unsigned)(k % 1000000)); /* 2% foreign */
				else
					snap_name_format(t, (enum snap_class)c, name, SNAP_NAME_MAX);
				si->name = name;
				si->guid = x;
				si->createtxg = (uint64_t)(t / 5);
				si->creation = t;
				si->userrefs = x % 100 == 1;   /* 1% held */
			}
		}
		for (; k < per; k++) {
			char *name = arena + (d * per + k) * SNAP_NAME_MAX;
			snprintf(name, SNAP_NAME_MAX, "manual-%06u", (unsigned)(k % 1000000));
			s[d * per + k].name = name;
		}
	}

	size_t keep_n = 0, destroy_n = 0, foreign_n = 0;
	long t0 = cpu_ms();
	for (size_t d = 0; d < n_ds; d++) {
		struct snap_retention r;
		snap_retention_decide(&p, now, s + d * per, per, NULL, 0, &r);
		keep_n += r.n_keep;
		destroy_n += r.n_destroy;
		foreign_n += r.n_foreign;
		snap_retention_free(&r);
	}
	long t1 = cpu_ms();
	size_t text_bytes = 0;
	for (size_t d = 0; d < n_ds; d++) {
		struct snap_retention r;
		snap_retention_decide(&p, now, s + d * per, per, NULL, 0, &r);
		char buf[128];
		for (size_t i = 0; i < r.n; i++) {
			snap_reason_format(&r.v[i], &p, NULL, buf, sizeof(buf));
			text_bytes += strlen(buf);
		}
		snap_retention_free(&r);
	}
	long t2 = cpu_ms();
	size_t due_n = 0;
	for (size_t d = 0; d < n_ds; d++) {
		struct snap_due due;
		snap_due_eval(&p, &z, now, s + d * per, per, &due);
		due_n += due.n_due;
	}
	long t3 = cpu_ms();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("stats: snapshots=%zu datasets=%zu decide_ms=%ld reasons_ms=%ld due_ms=%ld keep=%zu destroy=%zu "
	       "foreign=%zu due=%zu reason_bytes=%zu max_rss_kb=%ld\n",
	       total, n_ds, t1 - t0, t2 - t1, t3 - t2, keep_n, destroy_n, foreign_n, due_n, text_bytes, ru.ru_maxrss);
	free(arena);
	free(s);
	tz_zone_free(&z);
	return 0;
}
