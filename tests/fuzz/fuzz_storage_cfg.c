/*
 * Fuzz target: /etc/pve/storage.cfg, read and edited in place.
 *
 * Input: the file. Checks: serialize(parse(x)) == x byte for byte; every
 * edit reads back as made when the result is parsed again, and touches no
 * other section; setting a new key and unsetting it again, or adding a
 * storage and removing it again, gives back the input (plus the newline and
 * the empty line that end the last section, when the input lacks them);
 * edits that must be refused leave the text unchanged.
 */
#include "fuzz.h"

#include <ctype.h>
#include <errno.h>
#include <sys/types.h>

#include "formats/storage_cfg.h"

/*
 * Aborts unless b has the sections of a with their properties unchanged, in
 * order, except a's section at: delta 0 (set) skips it, -1 (remove) expects it
 * gone, +1 (add) expects one more section at the end of b.
 */
static void same_sections(const char *what, const struct storage_cfg *a, size_t at, int delta,
			  const struct storage_cfg *b)
{
	FUZZ_CHECK(b->n == a->n + (size_t)(ssize_t)delta, "%s: %zu sections, then %zu", what, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		if (i == at)
			continue;
		const struct scfg_section *s = &a->v[i], *t = &b->v[delta < 0 && i > at ? i - 1 : i];
		fuzz_same_str(what, s->id, t->id);
		fuzz_same_str(what, s->type, t->type);
		FUZZ_CHECK(t->n_props == s->n_props, "%s: section '%s' has %zu properties, not %zu", what, s->id,
			   t->n_props, s->n_props);
		for (size_t k = 0; k < s->n_props; k++) {
			fuzz_same_str(what, s->props[k].key, t->props[k].key);
			fuzz_same_str(what, s->props[k].value, t->props[k].value);
		}
	}
}

/* The text of c, parsed again into out (caller frees both). */
static char *reparse(const struct storage_cfg *c, struct storage_cfg *out)
{
	char *t = storage_cfg_serialize(c);
	storage_cfg_parse(out, t, strlen(t));
	return t;
}

/* Sets a key the section lacks, checks it reads back, unsets it, checks the text is back. */
static void set_then_unset(const char *text, size_t len, const struct storage_cfg *orig, size_t si)
{
	struct storage_cfg c;
	storage_cfg_parse(&c, text, len);
	const struct scfg_section *s = &c.v[si];
	if (storage_cfg_find(&c, s->id) != s || scfg_get(s, "fuzzkey")) {
		storage_cfg_free(&c);
		return;
	}
	char *id = xstrdup(s->id);
	size_t after = s->n_props ? s->props[s->n_props - 1].line : s->header;
	bool adds_newline = after == c.lines.n - 1 && len && text[len - 1] != '\n';
	FUZZ_CHECK(storage_cfg_set(&c, id, "fuzzkey", "fuzz value") == 0, "set on '%s' failed", id);

	struct storage_cfg r;
	char *t = reparse(&c, &r);
	const struct scfg_section *rs = storage_cfg_find(&r, id);
	FUZZ_CHECK(rs, "storage '%s' lost by set", id);
	fuzz_same_str("set reads back", "fuzz value", scfg_get(rs, "fuzzkey"));
	same_sections("set", orig, si, 0, &r);
	storage_cfg_free(&r);
	free(t);

	FUZZ_CHECK(storage_cfg_unset(&c, id, "fuzzkey") == 0, "unset on '%s' failed", id);
	char *back = storage_cfg_serialize(&c);
	if (adds_newline) {
		char *want = xasprintf("%.*s\n", (int)len, text);
		fuzz_same("set then unset", want, len + 1, back, strlen(back));
		free(want);
	} else {
		fuzz_same("set then unset", text, len, back, strlen(back));
	}
	free(back);
	free(id);
	storage_cfg_free(&c);
}

/* Changes the section's first property and removes the section; checks both read back. */
static void change_and_remove(const char *text, size_t len, const struct storage_cfg *orig, size_t si)
{
	struct storage_cfg c, r;
	storage_cfg_parse(&c, text, len);
	const struct scfg_section *s = &c.v[si];
	if (storage_cfg_find(&c, s->id) != s) {
		storage_cfg_free(&c);
		return;
	}
	char *id = xstrdup(s->id);
	if (s->n_props) {
		char *key = xstrdup(s->props[0].key);
		/* a key as the file has it may be refused (a control character): then nothing changes */
		int rc = storage_cfg_set(&c, id, key, "changed");
		if (rc == 0) {
			char *t = reparse(&c, &r);
			fuzz_same_str("changed value reads back", "changed", scfg_get(storage_cfg_find(&r, id), key));
			storage_cfg_free(&r);
			free(t);
		} else {
			FUZZ_CHECK(rc == -EINVAL, "set of an existing key returned %d", rc);
			char *t = storage_cfg_serialize(&c);
			fuzz_same("refused set", text, len, t, strlen(t));
			free(t);
		}
		free(key);
	}
	storage_cfg_free(&c);

	storage_cfg_parse(&c, text, len);
	size_t before = 0;
	for (size_t i = 0; i < c.n; i++)
		before += !strcmp(c.v[i].id, id);
	FUZZ_CHECK(storage_cfg_remove(&c, id) == 0, "remove of '%s' failed", id);
	char *t = reparse(&c, &r);
	size_t after = 0;
	for (size_t i = 0; i < r.n; i++)
		after += !strcmp(r.v[i].id, id);
	FUZZ_CHECK(after + 1 == before, "remove of '%s': %zu sections with that id, then %zu", id, before, after);
	same_sections("remove", orig, si, -1, &r);
	storage_cfg_free(&r);
	free(t);
	storage_cfg_free(&c);
	free(id);
}

/* Adds a storage, checks it and the others read back, removes it, checks the text is back. */
static void add_then_remove(const char *text, size_t len, const struct storage_cfg *orig)
{
	struct storage_cfg c, r;
	storage_cfg_parse(&c, text, len);
	if (storage_cfg_find(&c, "fuzz-store")) {
		storage_cfg_free(&c);
		return;
	}
	struct strbuf want = STRBUF_INIT;
	sb_init(&want);
	sb_add(&want, text, len);
	if (len && text[len - 1] != '\n')
		sb_addc(&want, '\n');
	size_t ls = want.len ? want.len - 1 : 0;
	while (ls && want.buf[ls - 1] != '\n')
		ls--;
	bool blank = true; /* the last line holds nothing but line-end characters */
	for (size_t i = ls; i < want.len; i++)
		blank &= want.buf[i] == '\n' || want.buf[i] == '\r';
	if (want.len && !blank)
		sb_addc(&want, '\n');

	const char *keys[] = { "path", "content", "shared" };
	const char *vals[] = { "/srv/fuzz store", "iso,vztmpl", NULL };
	FUZZ_CHECK(storage_cfg_add(&c, "dir", "fuzz-store", keys, vals, 3) == 0, "add failed");
	char *t = reparse(&c, &r);
	const struct scfg_section *s = storage_cfg_find(&r, "fuzz-store");
	FUZZ_CHECK(s && !strcmp(s->type, "dir") && s->n_props == 3, "added storage does not read back");
	fuzz_same_str("added path", "/srv/fuzz store", scfg_get(s, "path"));
	fuzz_same_str("added content", "iso,vztmpl", scfg_get(s, "content"));
	fuzz_same_str("added boolean", "1", scfg_get(s, "shared"));
	same_sections("add", orig, SIZE_MAX, 1, &r);
	storage_cfg_free(&r);
	free(t);

	FUZZ_CHECK(storage_cfg_remove(&c, "fuzz-store") == 0, "remove of the added storage failed");
	char *back = storage_cfg_serialize(&c);
	fuzz_same("add then remove", want.buf, want.len, back, strlen(back));
	free(back);
	sb_release(&want);
	storage_cfg_free(&c);
}

/* Values that must be refused leave every byte as it was. */
static void refusals(const char *text, size_t len)
{
	struct storage_cfg c;
	storage_cfg_parse(&c, text, len);
	const char *id = c.n ? c.v[0].id : "none";
	FUZZ_CHECK(storage_cfg_set(&c, id, "two words", "v") == -EINVAL, "key with a space accepted");
	FUZZ_CHECK(storage_cfg_set(&c, id, "k", "a\nb") == -EINVAL, "value with a newline accepted");
	const char *keys[] = { "path" };
	const char *vals[] = { "/x\n\tcontent images" };
	FUZZ_CHECK(storage_cfg_add(&c, "dir", "fuzz-bad", keys, vals, 1) == -EINVAL, "value with a newline added");
	FUZZ_CHECK(storage_cfg_add(&c, "dir", "a b", keys, keys, 1) == -EINVAL, "id with a space added");
	char *t = storage_cfg_serialize(&c);
	fuzz_same("refused edits", text, len, t, strlen(t));
	free(t);
	for (size_t i = 0; i < c.n; i++) {
		const char *content = scfg_get(&c.v[i], "content");
		if (!content)
			continue;
		char *n1 = pve_content_normalize(content);
		char *n2 = pve_content_normalize(n1);
		fuzz_same_str("content normalisation is idempotent", n1, n2);
		/* items sorted, unique, not empty, no blank around them */
		const char *prev = NULL;
		size_t prev_n = 0;
		for (const char *p = n1; *p;) {
			size_t k = strcspn(p, ",");
			FUZZ_CHECK(k && !isspace((unsigned char)p[0]) && !isspace((unsigned char)p[k - 1]),
				   "normalised content '%s'", n1);
			if (prev) {
				int cmp = strncmp(prev, p, prev_n < k ? prev_n : k);
				FUZZ_CHECK(cmp < 0 || (cmp == 0 && prev_n < k), "normalised content '%s' not sorted", n1);
			}
			prev = p;
			prev_n = k;
			if (!p[k])
				break;
			p += k + 1;
		}
		free(n1);
		free(n2);
	}
	storage_cfg_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct storage_cfg c;
	storage_cfg_parse(&c, text, size);
	char *out = storage_cfg_serialize(&c);
	/* The model holds C strings: a NUL byte ends its line (out of scope for the round trips). */
	bool has_nul = memchr(data, '\0', size) != NULL;
	if (!has_nul)
		fuzz_same("parse then serialize", text, size, out, strlen(out));
	free(out);
	if (!has_nul) {
		for (size_t i = 0; i < c.n && i < 4; i++) {
			set_then_unset(text, size, &c, i);
			change_and_remove(text, size, &c, i);
		}
		add_then_remove(text, size, &c);
		refusals(text, size);
	}
	storage_cfg_free(&c);
	return 0;
}
