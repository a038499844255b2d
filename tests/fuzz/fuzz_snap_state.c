/*
 * Fuzz target: the snapshot jobs' `zfs get -H -p -r ... guid,createtxg,
 * creation,userrefs[,clones],phoenix:snapshot-policy DATASETS` output, read by
 * snap_state_parse.
 *
 * Input: the program's output. Checks: every dataset name is non-empty and
 * has no '@' or '#', every snapshot name is non-empty and has no '@', each
 * dataset is found by snap_state_find, and reading the same text twice gives
 * the same state.
 */
#include "fuzz.h"

#include "state/snap_state.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct snap_state a = { 0 }, b = { 0 };
	struct diag_list dl = { 0 };
	int ra = snap_state_parse(text, &a, &dl);
	int rb = snap_state_parse(text, &b, &dl);
	FUZZ_CHECK(ra == rb && a.n == b.n, "two readings differ");
	for (size_t i = 0; i < a.n; i++) {
		const struct snap_ds *d = &a.v[i];
		FUZZ_CHECK(*d->name && !strpbrk(d->name, "@#"), "dataset name '%s'", d->name);
		FUZZ_CHECK(snap_state_find(&a, d->name) == d, "dataset '%s' not found by name", d->name);
		FUZZ_CHECK(d->n == b.v[i].n, "%s: snapshot counts differ", d->name);
		for (size_t k = 0; k < d->n; k++) {
			FUZZ_CHECK(*d->s[k].name && !strchr(d->s[k].name, '@'), "%s: snapshot name '%s'", d->name,
				   d->s[k].name);
			FUZZ_CHECK(!strcmp(d->s[k].name, b.v[i].s[k].name) && d->s[k].guid == b.v[i].s[k].guid,
				   "%s: snapshot %zu differs", d->name, k);
		}
	}
	snap_state_free(&a);
	snap_state_free(&b);
	diag_list_free(&dl);
	free(text);
	return 0;
}
