/*
 * Fuzz target: Proxmox guest configs (/etc/pve/lxc/N.conf, qemu-server/N.conf),
 * read and edited in place, with the property strings and disk sizes in them.
 *
 * Input: the file. Checks: serialize(parse(x)) == x byte for byte; a set
 * reads back (parsed again) with every other key and every snapshot or
 * pending section unchanged; a mount line found by its source and target is
 * that line, and removing it takes out exactly its bytes; setting a key the guest lacks and unsetting it
 * gives back the input (plus the newline that ends the last line, when the
 * input lacks it); refused values change nothing; property strings and sizes
 * read back as formatted; the free mount point slot is free.
 */
#include "fuzz.h"

#include <errno.h>

#include "formats/guest_conf.h"
#include "util/strbuf.h"

/* Aborts unless b holds the same main-section values as a (except key skip) and the same other sections. */
static void same_elsewhere(const char *what, const struct guest_conf *a, const char *skip, const struct guest_conf *b)
{
	for (size_t i = 0; i < a->n && a->v[i].section == 0; i++)
		if (a->v[i].kind == GC_KEY && strcmp(a->v[i].key, skip))
			fuzz_same_str(what, gc_get(a, a->v[i].key), gc_get(b, a->v[i].key));
	size_t ia = 0, ib = 0;
	while (ia < a->n && a->v[ia].section == 0)
		ia++;
	while (ib < b->n && b->v[ib].section == 0)
		ib++;
	FUZZ_CHECK(a->n - ia == b->n - ib, "%s: the sections after the main one changed", what);
	for (; ia < a->n; ia++, ib++)
		fuzz_same_str(what, a->v[ia].text, b->v[ib].text);
}

static char *reparse(const struct guest_conf *g, struct guest_conf *out)
{
	char *t = guest_conf_serialize(g);
	guest_conf_parse(out, t, strlen(t));
	return t;
}

/* Sets key to value on a fresh parse of text (orig: its parse) and checks what reads back; unsets it when it was new. */
static void set_key(const char *text, size_t len, const struct guest_conf *orig, const char *key, const char *value)
{
	struct guest_conf g, r;
	guest_conf_parse(&g, text, len);
	bool was = gc_get(&g, key) != NULL;
	FUZZ_CHECK(gc_set(&g, key, value) == 0, "set %s failed", key);
	char *t = reparse(&g, &r);
	fuzz_same_str("set reads back", value, gc_get(&r, key));
	same_elsewhere("set", orig, key, &r);
	guest_conf_free(&r);
	free(t);
	if (!was) {
		gc_unset(&g, key);
		char *back = guest_conf_serialize(&g);
		size_t bl = strlen(back);
		bool newline_added = len && text[len - 1] != '\n' && bl == len + 1 && back[len] == '\n';
		fuzz_same("set then unset", text, len, back, newline_added ? len : bl);
		free(back);
	}
	guest_conf_free(&g);
}

/* Every main-section mount line is found again by what it mounts; removing it removes its bytes only. */
static void mounts(const char *text, size_t len, const struct guest_conf *orig)
{
	for (size_t i = 0; i < orig->n && orig->v[i].section == 0; i++) {
		const struct gc_line *l = &orig->v[i];
		struct pve_propstr p;
		if (l->kind != GC_KEY || !gc_is_mount_key(l->key) || pve_propstr_parse(l->value, "volume", &p))
			continue;
		const char *mp = pve_propstr_get(&p, "mp");
		if (p.volume && mp) {
			long at = gc_find_mount(orig, p.volume, mp, false);
			FUZZ_CHECK(at >= 0 && at <= (long)i, "mount line %zu (%s) not found (%ld)", i, l->key, at);
			const struct gc_line *f = &orig->v[at];
			FUZZ_CHECK(f->section == 0 && f->kind == GC_KEY, "found a line that is not a main-section key");
			struct guest_conf g;
			guest_conf_parse(&g, text, len);
			size_t off = 0;
			for (long k = 0; k < at; k++)
				off += strlen(g.v[k].text);
			size_t cut = strlen(g.v[at].text);
			gc_remove_line(&g, (size_t)at);
			char *out = guest_conf_serialize(&g);
			FUZZ_CHECK(strlen(out) == len - cut && !memcmp(out, text, off) && !memcmp(out + off, text + off + cut, len - off - cut),
				   "removing line %ld moved other bytes", at);
			free(out);
			guest_conf_free(&g);
		}
		pve_propstr_free(&p);
		break; /* one per input keeps a run fast */
	}
}

/* Property strings: what is formatted reads back the same; sizes too. */
static void propstrings(const struct guest_conf *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct gc_line *l = &g->v[i];
		if (l->kind != GC_KEY)
			continue;
		struct pve_propstr p, q;
		if (pve_propstr_parse(l->value, "volume", &p))
			continue;
		/* a volume with '=' cannot be written without its key (config values never hold one) */
		if (!p.volume || !strchr(p.volume, '=')) {
			char *f = pve_propstr_format(&p);
			FUZZ_CHECK(pve_propstr_parse(f, "volume", &q) == 0, "formatted property string '%s' refused", f);
			fuzz_same_str("volume reads back", p.volume, q.volume);
			FUZZ_CHECK(p.n_opts == q.n_opts, "'%s': %zu options, then %zu", f, p.n_opts, q.n_opts);
			for (size_t k = 0; k < p.n_opts; k++)
				fuzz_same_str("option reads back", p.opts[k].value, pve_propstr_get(&q, p.opts[k].key));
			char *f2 = pve_propstr_format(&q);
			fuzz_same_str("format is stable", f, f2);
			free(f2);
			free(f);
			pve_propstr_free(&q);
		}
		pve_propstr_set(&p, "mp", "/fuzz/mp");
		fuzz_same_str("propstr set", "/fuzz/mp", pve_propstr_get(&p, "mp"));
		pve_propstr_set(&p, "mp", NULL);
		FUZZ_CHECK(!pve_propstr_get(&p, "mp"), "propstr unset left mp");
		const char *size = pve_propstr_get(&p, "size");
		uint64_t b, b2;
		if (size && pve_size_parse(size, &b) == 0) {
			char *s = pve_size_format(b);
			FUZZ_CHECK(pve_size_parse(s, &b2) == 0 && b2 == b, "size %s formatted as %s", size, s);
			free(s);
		}
		pve_propstr_free(&p);
		pve_bool(l->value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct guest_conf g;
	guest_conf_parse(&g, text, size);
	char *out = guest_conf_serialize(&g);
	/* The model holds C strings: a NUL byte ends its line (out of scope for the round trips). */
	bool has_nul = memchr(data, '\0', size) != NULL;
	if (!has_nul)
		fuzz_same("parse then serialize", text, size, out, strlen(out));
	free(out);
	if (has_nul) {
		guest_conf_free(&g);
		return 0;
	}
	propstrings(&g);
	mounts(text, size, &g);
	int mp = gc_first_free_mp(&g, (const int[]){ 0, 2 }, 2);
	FUZZ_CHECK(mp >= -1 && mp < 256 && mp != 0 && mp != 2, "free slot %d", mp);
	if (mp >= 0) {
		char k[8];
		snprintf(k, sizeof(k), "mp%d", mp);
		FUZZ_CHECK(!gc_get(&g, k), "free slot %s is taken", k);
	}

	/* Edits: fixed keys (sorting first, among, last; new or not) and up to 4 keys the file has. */
	static const char *const fixed[] = { "aaa", "mp0", "zzz" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		set_key(text, size, &g, fixed[i], i % 2 ? "fuzz:vol,mp=/x,size=8G" : "1024");
	size_t edited = 0;
	for (size_t i = 0; i < g.n && g.v[i].section == 0 && edited < 4; i++)
		if (g.v[i].kind == GC_KEY) {
			set_key(text, size, &g, g.v[i].key, "changed");
			edited++;
		}

	/* Refusals leave every byte as it was. */
	FUZZ_CHECK(gc_set(&g, "Bad", "v") == -EINVAL, "key 'Bad' accepted");
	FUZZ_CHECK(gc_set(&g, "mp0", "a\nmp1: b") == -EINVAL, "value with a newline accepted");
	FUZZ_CHECK(gc_set(&g, "mp0", "") == -EINVAL, "empty value accepted");
	gc_unset(&g, "fuzz-absent-key");
	out = guest_conf_serialize(&g);
	fuzz_same("refused edits", text, size, out, strlen(out));
	free(out);
	guest_conf_free(&g);
	return 0;
}
