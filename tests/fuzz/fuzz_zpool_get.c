/*
 * Fuzz target: `zpool get -H -p all POOL...` output (OpenZFS) and the header
 * form of a zpool without -H (zfs-fuse), read by zpool_parse_get.
 *
 * Input: one byte choosing the form (odd: the header form), then the
 * program's output; the state knows the pools "tank" and "fast". Checks: 0,
 * or -1 with exactly one error; every property has a name, value and source
 * of one line, the name and source one word; props_read exactly when a pool
 * got properties; the lookup finds each name; the tabbed form written back as
 * `zpool get -H` lines reads back the same.
 */
#include "fuzz.h"

#include <ctype.h>
#include <stdbool.h>

#include "state/zfs_state.h"
#include "util/strbuf.h"

static bool one_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return false;
	return true;
}

static void add_pools(struct zfs_state *st)
{
	static const char *const names[] = { "tank", "fast" };
	st->pools = xcalloc(2, sizeof(*st->pools));
	for (size_t i = 0; i < 2; i++)
		st->pools[i].name = xstrdup(names[i]);
	st->n_pools = 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	bool header = data[0] & 1;
	char *text = fuzz_text(data + 1, size - 1);
	struct zfs_state st = { 0 };
	struct diag_list dl = { 0 };
	add_pools(&st);
	int rc = zpool_parse_get(text, header, &st, &dl);
	FUZZ_CHECK(rc == 0 ? dl.n == 0 : rc == -1 && dl.n == 1, "rc %d with %zu diagnostics", rc, dl.n);
	struct strbuf back = STRBUF_INIT;
	sb_init(&back);
	for (size_t i = 0; i < st.n_pools; i++) {
		const struct zpool *p = &st.pools[i];
		FUZZ_CHECK(p->props_read == (p->n_props > 0), "pool %s: props_read %d with %zu", p->name, p->props_read,
			   p->n_props);
		for (size_t k = 0; k < p->n_props; k++) {
			const struct zpool_prop *pp = &p->props[k];
			FUZZ_CHECK(one_word(pp->name) && one_word(pp->source), "pool %s: property %zu '%s' source '%s'",
				   p->name, k, pp->name, pp->source);
			FUZZ_CHECK(!strchr(pp->value, '\n'), "pool %s: %s value of two lines", p->name, pp->name);
			FUZZ_CHECK(zpool_get_prop(p, pp->name) != NULL, "pool %s: %s not found", p->name, pp->name);
			if (!header)
				sb_addf(&back, "%s\t%s\t%s\t%s\n", p->name, pp->name, pp->value, pp->source);
		}
	}
	if (!header && rc == 0) {
		struct zfs_state again = { 0 };
		struct diag_list dl2 = { 0 };
		add_pools(&again);
		FUZZ_CHECK(zpool_parse_get(back.buf, false, &again, &dl2) == 0, "written back, not read back");
		for (size_t i = 0; i < st.n_pools; i++) {
			FUZZ_CHECK(again.pools[i].n_props == st.pools[i].n_props, "pool %s: %zu properties, %zu read back",
				   st.pools[i].name, st.pools[i].n_props, again.pools[i].n_props);
			for (size_t k = 0; k < st.pools[i].n_props; k++) {
				const struct zpool_prop *a = &st.pools[i].props[k], *b = &again.pools[i].props[k];
				FUZZ_CHECK(!strcmp(a->name, b->name) && !strcmp(a->value, b->value) &&
						   !strcmp(a->source, b->source),
					   "pool %s: %s=%s (%s) read back as %s=%s (%s)", st.pools[i].name, a->name, a->value,
					   a->source, b->name, b->value, b->source);
			}
		}
		zfs_state_free(&again);
		diag_list_free(&dl2);
	}
	sb_release(&back);
	zfs_state_free(&st);
	diag_list_free(&dl);
	free(text);
	return 0;
}
