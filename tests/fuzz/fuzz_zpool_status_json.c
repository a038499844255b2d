/*
 * Fuzz target: `zpool status -j [-p] [--json-int]` output (OpenZFS 2.3),
 * read by zh_parse_status_json into the health model.
 *
 * Input: the program's output. Checks: 0 or -1 with an error; every pool has
 * a name; every vdev a name, a depth >= 0 and a parent that comes before it;
 * the redundancy of every pool can be computed.
 */
#include "fuzz.h"

#include "state/zpool_health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct zh_status st = { 0 };
	struct diag_list dl = { 0 };
	int rc = zh_parse_status_json(text, &st, &dl);
	FUZZ_CHECK(rc == 0 || (rc == -1 && dl.n > 0), "rc %d with %zu diagnostics", rc, dl.n);
	for (size_t i = 0; i < st.n_pools; i++) {
		const struct zh_pool *p = &st.pools[i];
		FUZZ_CHECK(p->name, "pool %zu has no name", i);
		for (size_t k = 0; k < p->n_vdevs; k++) {
			const struct zh_vdev *v = &p->vdevs[k];
			FUZZ_CHECK(v->name && v->depth >= 0, "pool %s: vdev %zu incomplete", p->name, k);
			FUZZ_CHECK(v->parent < (int)k, "pool %s: vdev %s has a later parent", p->name, v->name);
		}
		struct zh_redundancy r;
		zh_pool_redundancy(p, &r);
		zh_pool_scrub(p);
	}
	zh_status_free(&st);
	diag_list_free(&dl);
	free(text);
	return 0;
}
