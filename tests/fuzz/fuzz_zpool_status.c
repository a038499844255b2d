/*
 * Fuzz target: `zpool status [-P]` output (zfs-fuse, OpenZFS 2.1 and 2.3),
 * read by zpool_parse_status.
 *
 * Input: the program's output. Checks: every pool has a name, a layout and
 * is not importable; every vdev has a name, a state and a depth >= 0, and a
 * vdev deeper than the one before makes that one a group; the lookup finds
 * a pool of every name read.
 */
#include "fuzz.h"

#include <stdbool.h>

#include "state/zfs_state.h"

static void check_vdevs(const struct zpool *p, const struct vdev *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		FUZZ_CHECK(v[k].name && v[k].state && v[k].depth >= 0, "pool %s: vdev %zu incomplete", p->name, k);
		if (k + 1 < n && v[k + 1].depth > v[k].depth)
			FUZZ_CHECK(!v[k].leaf, "pool %s: vdev %s has children but is a leaf", p->name, v[k].name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct zfs_state st = { 0 };
	struct diag_list dl = { 0 };
	FUZZ_CHECK(zpool_parse_status(text, &st, false, &dl) == 0, "zpool_parse_status failed");
	for (size_t i = 0; i < st.n_pools; i++) {
		const struct zpool *p = &st.pools[i];
		FUZZ_CHECK(p->name && p->layout && !p->importable, "pool %zu incomplete", i);
		const struct zpool *f = zfs_state_pool(&st, p->name);
		FUZZ_CHECK(f && !strcmp(f->name, p->name), "pool %s not found", p->name);
		check_vdevs(p, p->vdevs, p->n_vdevs);
		check_vdevs(p, p->aux, p->n_aux);
		zpool_readable(p);
	}
	zfs_state_free(&st);
	diag_list_free(&dl);
	free(text);
	return 0;
}
