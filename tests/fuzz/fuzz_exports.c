/*
 * Fuzz target: exports(5) files (/etc/exports, /etc/exports.d/ *.exports) and
 * the line renderer of the drop-in the tool owns.
 *
 * Input: the file. Checks: every export has a client list parallel to its
 * option lists and a line number inside the file; every export the renderer
 * accepts (one line per client) parses back to the same path, client and
 * options.
 */
#include "fuzz.h"

#include "plan/nfs_plan.h"
#include "state/nfs_state.h"
#include "util/strbuf.h"

/* Splits "a,b,c" into sv ("" gives nothing). */
static void split_commas(const char *s, struct strvec *sv)
{
	while (*s) {
		size_t n = strcspn(s, ",");
		char *item = xstrndup(s, n);
		sv_push(sv, item);
		free(item);
		s += n;
		if (*s == ',')
			s++;
		else
			break;
	}
	if (*s == '\0' && sv->n && s[-1] == ',')
		sv_push(sv, "");
}

/* Renders one client of e, parses the line again and compares. */
static void render_back(const struct nfs_file_export *e, size_t k)
{
	struct strvec clients = { 0 }, opts = { 0 };
	sv_push(&clients, e->clients.v[k]);
	split_commas(e->opts.v[k], &opts);
	char *line = nfs_render_line(e->path, &clients, &opts);
	if (line) {
		struct nfs_file f = { 0 };
		nfs_parse_exports_file(line, "rendered", &f);
		FUZZ_CHECK(f.n == 1, "rendered line '%s' reads as %zu exports", line, f.n);
		fuzz_same_str("rendered path", e->path, f.v[0].path);
		FUZZ_CHECK(f.v[0].clients.n == 1, "rendered line '%s' reads as %zu clients", line, f.v[0].clients.n);
		fuzz_same_str("rendered client", e->clients.v[k], f.v[0].clients.v[0]);
		fuzz_same_str("rendered options", e->opts.v[k], f.v[0].opts.v[0]);
		nfs_file_free(&f);
		free(line);
	}
	sv_free(&clients);
	sv_free(&opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	size_t lines = 1;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	struct nfs_file f = { 0 };
	nfs_parse_exports_file(text, "/etc/exports", &f);
	for (size_t i = 0; i < f.n; i++) {
		const struct nfs_file_export *e = &f.v[i];
		FUZZ_CHECK(e->path && e->clients.n == e->opts.n, "export %zu: clients and options not parallel", i);
		FUZZ_CHECK(e->line >= 1 && (size_t)e->line <= lines, "export %zu on line %d of %zu", i, e->line, lines);
		fuzz_same_str("file name", "/etc/exports", e->file);
		for (size_t k = 0; k < e->clients.n && k < 8; k++)
			render_back(e, k);
	}
	nfs_file_free(&f);
	free(text);
	return 0;
}
