/*
 * Fuzz target: `zpool import -d DIR...` output (the pools on disks that are
 * not imported), read by zpool_parse_status after the imported pools, as
 * discovery reads them.
 *
 * Input: the program's output. Checks: a pool that is imported is not
 * listed again as importable; every importable pool is not readable
 * (planning never reads its datasets); pools, vdevs and lookups are whole.
 */
#include "fuzz.h"

#include <stdbool.h>

#include "state/zfs_state.h"

static const char IMPORTED[] =
	"  pool: tank\n state: ONLINE\nconfig:\n\n\tNAME        STATE     READ WRITE CKSUM\n"
	"\ttank        ONLINE       0     0     0\n\t  /tmp/v1   ONLINE       0     0     0\n\n"
	"errors: No known data errors\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct zfs_state st = { 0 };
	struct diag_list dl = { 0 };
	zpool_parse_status(IMPORTED, &st, false, &dl);
	FUZZ_CHECK(st.n_pools == 1, "the imported pool");
	FUZZ_CHECK(zpool_parse_status(text, &st, true, &dl) == 0, "zpool_parse_status failed");
	FUZZ_CHECK(!st.pools[0].importable && !strcmp(st.pools[0].name, "tank"), "imported pool changed");
	for (size_t i = 1; i < st.n_pools; i++) {
		const struct zpool *p = &st.pools[i];
		FUZZ_CHECK(p->name && p->layout && p->importable, "importable pool %zu incomplete", i);
		FUZZ_CHECK(strcmp(p->name, "tank"), "imported pool tank listed again as importable");
		FUZZ_CHECK(!zpool_readable(p), "importable pool %s is readable", p->name);
		for (size_t k = 0; k < p->n_vdevs + p->n_aux; k++) {
			const struct vdev *v = k < p->n_vdevs ? &p->vdevs[k] : &p->aux[k - p->n_vdevs];
			FUZZ_CHECK(v->name && v->state && v->depth >= 0, "pool %s: vdev %zu incomplete", p->name, k);
		}
	}
	FUZZ_CHECK(zfs_state_pool(&st, "tank") == &st.pools[0], "lookup of tank");
	zfs_state_free(&st);
	diag_list_free(&dl);
	free(text);
	return 0;
}
