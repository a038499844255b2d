/*
 * Fuzz target: `zfs get -H -p -r all POOL...` output, read by the tolerant
 * text reader (zfs_parse_get) that survives values with a newline or a TAB.
 *
 * Input: the program's output. Checks: dataset names are unique and not
 * empty, no property is read twice for one dataset, n_odd counts the odd
 * values, and every dataset and property is found by the lookups the
 * planner uses; when no value is odd, the state written back as `zfs get -H`
 * lines reads back the same, dataset by dataset and property by property.
 * The input is read once for every pool and once for the pools "tank" and
 * "rpool" only (the -r listing of named pools).
 */
#include "fuzz.h"

#include <stdbool.h>

#include "state/zfs_state.h"
#include "util/strbuf.h"

static int cmp_ds(const void *a, const void *b)
{
	return strcmp(((const struct zfs_dataset *)a)->name, ((const struct zfs_dataset *)b)->name);
}

static void check_state(const struct zfs_state *st)
{
	size_t odd = 0;
	for (size_t i = 0; i < st->n_datasets; i++) {
		const struct zfs_dataset *d = &st->datasets[i];
		FUZZ_CHECK(*d->name && !strpbrk(d->name, "\t\n@#"), "dataset name '%s'", d->name);
		for (size_t k = 0; k < d->n_props; k++) {
			const struct zprop *z = &d->props[k];
			odd += z->odd;
			FUZZ_CHECK(zfs_dataset_prop(d, z->name) == z, "%s: property %s read twice", d->name, z->name);
			bool ctrl = false;
			for (const char *c = z->value; *c; c++)
				ctrl |= (unsigned char)*c < 0x20 || *c == 0x7f;
			FUZZ_CHECK(!ctrl || z->odd, "%s: %s has a control character and is not odd", d->name, z->name);
		}
	}
	FUZZ_CHECK(odd == st->n_odd, "%zu odd values, n_odd %zu", odd, st->n_odd);
}

/* The datasets sorted by name (as discovery leaves them); every one found. */
static void check_lookups(struct zfs_state *st)
{
	if (st->n_datasets)
		qsort(st->datasets, st->n_datasets, sizeof(*st->datasets), cmp_ds);
	for (size_t i = 0; i < st->n_datasets; i++) {
		FUZZ_CHECK(i == 0 || strcmp(st->datasets[i - 1].name, st->datasets[i].name),
			   "dataset %s read twice", st->datasets[i].name);
		FUZZ_CHECK(zfs_state_dataset(st, st->datasets[i].name) == &st->datasets[i], "dataset %s not found",
			   st->datasets[i].name);
		zfs_dataset_is_managed(&st->datasets[i]);
	}
}

/* Writes st back as zfs get -H lines (datasets in read order) and compares the reading of that. */
static void write_back(const struct zfs_state *st, const struct strvec *pools)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < st->n_datasets; i++)
		for (size_t k = 0; k < st->datasets[i].n_props; k++) {
			const struct zprop *z = &st->datasets[i].props[k];
			sb_addf(&sb, "%s\t%s\t%s\t%s\n", st->datasets[i].name, z->name, z->value, z->source);
		}
	struct zfs_state r = { 0 };
	struct diag_list dl = { 0 };
	zfs_parse_get(sb.buf, pools, &r, &dl);
	FUZZ_CHECK(r.n_datasets == st->n_datasets && r.n_odd == 0, "%zu datasets written, %zu read back (%zu odd)",
		   st->n_datasets, r.n_datasets, r.n_odd);
	for (size_t i = 0; i < st->n_datasets; i++) {
		const struct zfs_dataset *a = &st->datasets[i], *b = &r.datasets[i];
		fuzz_same_str("dataset", a->name, b->name);
		FUZZ_CHECK(a->n_props == b->n_props, "%s: %zu properties written, %zu read back", a->name, a->n_props,
			   b->n_props);
		for (size_t k = 0; k < a->n_props; k++) {
			fuzz_same_str("property", a->props[k].name, b->props[k].name);
			fuzz_same_str("value", a->props[k].value, b->props[k].value);
			fuzz_same_str("source", a->props[k].source, b->props[k].source);
		}
	}
	zfs_state_free(&r);
	diag_list_free(&dl);
	sb_release(&sb);
}

static void read_with(const char *text, const struct strvec *pools)
{
	struct zfs_state st = { 0 };
	struct diag_list dl = { 0 };
	FUZZ_CHECK(zfs_parse_get(text, pools, &st, &dl) == 0 && dl.n == 0, "zfs_parse_get failed");
	check_state(&st);
	if (st.n_odd == 0)
		write_back(&st, pools);
	check_lookups(&st);
	zfs_state_free(&st);
	diag_list_free(&dl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	read_with(text, NULL);
	struct strvec pools = { 0 };
	sv_push(&pools, "tank");
	sv_push(&pools, "rpool");
	read_with(text, &pools);
	sv_free(&pools);
	free(text);
	return 0;
}
