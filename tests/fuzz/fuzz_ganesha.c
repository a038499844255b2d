/*
 * Fuzz target: nfs-ganesha configs: the EXPORT block reader, the %include
 * check and edit of the main config, and the block renderer.
 *
 * Input: a ganesha config. Checks: every block found is EXPORT { ... } text
 * of the input, and ganesha_find finds it by its path; adding the include
 * keeps every byte of the input, adds exactly the comment and the %include
 * line, and reads back as included, and the blocks of the input are still
 * the same blocks; a block rendered from a block the tool wrote (clients and
 * options from its "# phoenix:" comment) reads back with its path, id,
 * clients and options, and leaves the block after it a block of its own.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <strings.h>

#include "config/nfs_config.h"
#include "plan/nfs_plan.h"
#include "state/nfs_state.h"
#include "util/strbuf.h"

static const char INCLUDE[] = "/etc/ganesha/phoenix-exports.conf";

static void split_commas(const char *s, struct strvec *sv)
{
	while (*s) {
		size_t n = strcspn(s, ",");
		char *item = xstrndup(s, n);
		sv_push(sv, item);
		free(item);
		s += n + (s[n] == ',');
	}
}

static void check_blocks(const char *text, const struct ganesha_exports *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct ganesha_export *e = &g->v[i];
		FUZZ_CHECK(!strncasecmp(e->text, "EXPORT", 6) && strstr(text, e->text), "block %zu is not input text", i);
		if (e->path) {
			const struct ganesha_export *f = ganesha_find(g, e->path);
			FUZZ_CHECK(f && !strcmp(f->path, e->path), "block with path '%s' not found", e->path);
		}
	}
}

/* The main config with the include added, checked against the input. */
static void add_include(const char *text, const struct ganesha_exports *g)
{
	char *out = ganesha_conf_add_include(text, INCLUDE);
	FUZZ_CHECK(out, "include refused");
	size_t tl = strlen(text);
	bool nl = tl && text[tl - 1] != '\n';
	char *want = xasprintf("%s%s\n# Added by phoenix-storage: the exports of its nfs section.\n%%include \"%s\"\n", text,
			       nl ? "\n" : "", INCLUDE);
	fuzz_same("add include", want, strlen(want), out, strlen(out));
	FUZZ_CHECK(ganesha_conf_includes(out, INCLUDE), "added include not found");
	/*
	 * An unclosed block, quote or comment at the end swallows what follows (ganesha refuses such a
	 * config anyway); otherwise the blocks are the same. Closed: a block after the text is its own.
	 */
	char *probe = xasprintf("%s\nEXPORT {}\n", text);
	struct ganesha_exports pg;
	ganesha_parse_exports(probe, &pg);
	bool closed = pg.n == g->n + 1;
	ganesha_exports_free(&pg);
	free(probe);
	if (closed) {
		struct ganesha_exports h;
		ganesha_parse_exports(out, &h);
		FUZZ_CHECK(h.n == g->n, "%zu blocks before the include, %zu after", g->n, h.n);
		for (size_t i = 0; i < g->n; i++)
			fuzz_same_str("block after the include", g->v[i].text, h.v[i].text);
		ganesha_exports_free(&h);
	}
	free(want);
	free(out);
	FUZZ_CHECK(!ganesha_conf_add_include(text, "/a\"b"), "include with a quote accepted");
}

/* Renders a block from what a block of ours records and reads it back. */
static void render_back(const struct ganesha_export *b)
{
	if (!b->path || !b->clients || !b->options)
		return;
	struct nfs_export e = { 0 };
	e.path = b->path;
	split_commas(b->clients, &e.clients);
	split_commas(b->options, &e.options);
	nfs_opts_from_list((const char *const *)e.options.v, e.options.n, false, &e.eff);
	long id = b->id >= 1 && b->id <= 65535 ? b->id : ganesha_default_id(b->path);
	FUZZ_CHECK(id >= 1 && id <= 65535, "default id %ld", id);
	char *blk = ganesha_render_block(&e, id);
	if (blk) {
		/* a block after it must stay a block of its own (nothing in ours opens a string or a block) */
		char *two = xasprintf("%s\nEXPORT { Path = \"/fuzz-sentinel\"; }\n", blk);
		struct ganesha_exports r;
		ganesha_parse_exports(two, &r);
		FUZZ_CHECK(r.n == 2 && r.v[1].path && !strcmp(r.v[1].path, "/fuzz-sentinel"),
			   "the block after a rendered one was swallowed (%zu blocks)", r.n);
		free(two);
		fuzz_same_str("rendered block text", blk, r.v[0].text);
		fuzz_same_str("rendered path", b->path, r.v[0].path);
		FUZZ_CHECK(r.v[0].id == id, "rendered id %ld reads as %ld", id, r.v[0].id);
		char *c = sv_join(&e.clients, ","), *o = sv_join(&e.options, ",");
		fuzz_same_str("rendered clients", c, r.v[0].clients);
		fuzz_same_str("rendered options", o, r.v[0].options);
		free(c);
		free(o);
		ganesha_exports_free(&r);
		free(blk);
	}
	sv_free(&e.clients);
	sv_free(&e.options);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct ganesha_exports g;
	ganesha_parse_exports(text, &g);
	check_blocks(text, &g);
	if (!ganesha_conf_includes(text, INCLUDE))
		add_include(text, &g);
	for (size_t i = 0; i < g.n && i < 8; i++)
		render_back(&g.v[i]);
	ganesha_exports_free(&g);
	free(text);
	return 0;
}
