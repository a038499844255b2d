/*
 * Fuzz target: `zfs get -j -p -r all POOL...` output (OpenZFS 2.3), read by
 * zfs_parse_get_json.
 *
 * Input: the program's output. Checks: the reader returns 0 or -1 with one
 * error; no snapshot is kept; n_odd counts the values with a control
 * character; every property is found by the lookup the planner uses.
 */
#include "fuzz.h"

#include <stdbool.h>

#include "state/zfs_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct zfs_state st = { 0 };
	struct diag_list dl = { 0 };
	int rc = zfs_parse_get_json(text, &st, &dl);
	FUZZ_CHECK((rc == 0 && dl.n == 0) || (rc == -1 && dl.n == 1), "rc %d with %zu diagnostics", rc, dl.n);
	size_t odd = 0;
	for (size_t i = 0; i < st.n_datasets; i++) {
		const struct zfs_dataset *d = &st.datasets[i];
		FUZZ_CHECK(!strpbrk(d->name, "@#"), "snapshot or bookmark %s kept", d->name);
		for (size_t k = 0; k < d->n_props; k++) {
			const struct zprop *z = &d->props[k];
			FUZZ_CHECK(z->name && z->value && z->source, "%s: property %zu incomplete", d->name, k);
			bool ctrl = false;
			for (const char *c = z->value; *c; c++)
				ctrl |= (unsigned char)*c < 0x20 || *c == 0x7f;
			FUZZ_CHECK(ctrl == z->odd, "%s: %s odd is %d", d->name, z->name, z->odd);
			odd += z->odd;
			FUZZ_CHECK(zfs_dataset_prop(d, z->name) == z, "%s: property %s read twice", d->name, z->name);
		}
		zfs_dataset_is_managed(d);
	}
	FUZZ_CHECK(odd == st.n_odd, "%zu odd values, n_odd %zu", odd, st.n_odd);
	zfs_state_free(&st);
	diag_list_free(&dl);
	free(text);
	return 0;
}
