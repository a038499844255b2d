/*
 * Fuzz target: the export table as `exportfs -v` prints it.
 *
 * Input: the program's output. Checks: every row has a path, a client and
 * options; a table written back in both layouts exportfs uses (short path:
 * "PATH<TAB>CLIENT(OPTS)", long path: "PATH\n\t\tCLIENT(OPTS)") reads back
 * row for row, for rows that layout can hold.
 */
#include "fuzz.h"

#include <ctype.h>
#include <stdbool.h>

#include "state/nfs_state.h"
#include "util/strbuf.h"

/* Can the row be printed the way exportfs prints it (and read back unchanged)? */
static bool printable_row(const struct nfs_table_entry *e)
{
	size_t pl = strlen(e->path), cl = strlen(e->client);
	if (!pl || strpbrk(e->path, "\t\n") || e->path[0] == ' ' || e->path[pl - 1] == ' ')
		return false;
	if (strpbrk(e->client, "(\n") || !strcmp(e->client, "<world>"))
		return false;
	if (cl && (isspace((unsigned char)e->client[0]) || isspace((unsigned char)e->client[cl - 1])))
		return false;
	if (!cl && !*e->opts)
		return false;
	return !strchr(e->opts, '\n');
}

static void write_back(const struct nfs_table *t, bool long_form)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct nfs_table_entry *e = &t->v[i];
		if (!printable_row(e))
			continue;
		const char *client = strcmp(e->client, "*") ? e->client : "<world>";
		if (long_form)
			sb_addf(&sb, "%s\n\t\t%s(%s)\n", e->path, client, e->opts);
		else
			sb_addf(&sb, "%-15s\t%s(%s)\n", e->path, client, e->opts);
		n++;
	}
	struct nfs_table r;
	nfs_parse_exportfs(sb.buf, &r);
	FUZZ_CHECK(r.n == n, "%zu rows written, %zu read back", n, r.n);
	for (size_t i = 0, k = 0; i < t->n; i++) {
		if (!printable_row(&t->v[i]))
			continue;
		fuzz_same_str("path", t->v[i].path, r.v[k].path);
		fuzz_same_str("client", t->v[i].client, r.v[k].client);
		fuzz_same_str("options", t->v[i].opts, r.v[k].opts);
		k++;
	}
	nfs_table_free(&r);
	sb_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct nfs_table t;
	nfs_parse_exportfs(text, &t);
	for (size_t i = 0; i < t.n; i++)
		FUZZ_CHECK(t.v[i].path && t.v[i].client && t.v[i].opts, "row %zu incomplete", i);
	write_back(&t, false);
	write_back(&t, true);
	nfs_table_free(&t);
	free(text);
	return 0;
}
