#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/fs.h"
#include "util/strbuf.h"

static int config_src_parse_loaded(struct config_src *src, struct diag_list *dl);
static void find_duplicates(struct config_src *src);

int config_src_load(struct config_src *src, const char *path, struct diag_list *dl)
{
	memset(src, 0, sizeof(*src));
	src->path = xstrdup(path);
	int rc = read_file(path, &src->text, &src->len);
	if (rc) {
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL,
			 rc == -ENOENT ? "pass the config file with -c FILE" : NULL,
			 "cannot read config: %s", strerror(-rc));
		return -1;
	}
	return config_src_parse_loaded(src, dl);
}

int config_src_parse(struct config_src *src, const char *path, const char *text, struct diag_list *dl)
{
	memset(src, 0, sizeof(*src));
	src->path = xstrdup(path);
	src->text = xstrdup(text);
	src->len = strlen(text);
	return config_src_parse_loaded(src, dl);
}

static int config_src_parse_loaded(struct config_src *src, struct diag_list *dl)
{
	const char *path = src->path;
	json_error_t je;
	/* duplicates are accepted here (last one wins); find_duplicates lists them for the readers */
	src->root = json_loadb(src->text, src->len, 0, &je);
	if (!src->root) {
		/* jansson quotes the bad token: a control character there is escaped, as in every message */
		char *why = str_escape(je.text);
		diag_add(dl, DIAG_ERROR, path, je.line, je.column, NULL,
			 "fix the JSON syntax at that position", "invalid JSON: %s", why);
		free(why);
		return -1;
	}
	if (!json_is_object(src->root)) {
		diag_add(dl, DIAG_ERROR, path, 1, 1, NULL, "the file must hold one JSON object",
			 "top-level value is not an object");
		json_decref(src->root);
		src->root = NULL;
		return -1;
	}
	find_duplicates(src);
	return 0;
}

void config_src_free(struct config_src *src)
{
	if (!src)
		return;
	free(src->path);
	free(src->text);
	json_decref(src->root);
	for (size_t i = 0; i < src->n_dups; i++) {
		free(src->dups[i].obj_path);
		free(src->dups[i].key);
	}
	free(src->dups);
	memset(src, 0, sizeof(*src));
}

/* A small scanner over the JSON text, used only to find source positions. */
struct scan {
	const char *s;
	size_t i;
};

static void skip_ws(struct scan *sc)
{
	while (sc->s[sc->i] && isspace((unsigned char)sc->s[sc->i]))
		sc->i++;
}

static int skip_string(struct scan *sc)
{
	if (sc->s[sc->i] != '"')
		return -1;
	sc->i++;
	while (sc->s[sc->i] && sc->s[sc->i] != '"') {
		if (sc->s[sc->i] == '\\' && sc->s[sc->i + 1])
			sc->i++;
		sc->i++;
	}
	if (!sc->s[sc->i])
		return -1;
	sc->i++;
	return 0;
}

static int skip_value(struct scan *sc)
{
	skip_ws(sc);
	char c = sc->s[sc->i];
	if (c == '"')
		return skip_string(sc);
	if (c == '{' || c == '[') {
		int depth = 0;
		while (sc->s[sc->i]) {
			char d = sc->s[sc->i];
			if (d == '"') {
				if (skip_string(sc))
					return -1;
				continue;
			}
			if (d == '{' || d == '[')
				depth++;
			else if (d == '}' || d == ']') {
				depth--;
				if (depth == 0) {
					sc->i++;
					return 0;
				}
			}
			sc->i++;
		}
		return -1;
	}
	while (sc->s[sc->i] && !strchr(",}] \t\r\n", sc->s[sc->i]))
		sc->i++;
	return 0;
}

/* Skips the value at sc and the comma after it; -1 at the end of the container. */
static int next_item(struct scan *sc)
{
	if (skip_value(sc))
		return -1;
	skip_ws(sc);
	if (sc->s[sc->i] != ',')
		return -1;
	sc->i++;
	return 0;
}

/* Positions sc at the value of member key (object at sc). 0 if found. */
static int find_member(struct scan *sc, const char *key, size_t keylen)
{
	skip_ws(sc);
	if (sc->s[sc->i] != '{')
		return -1;
	sc->i++;
	for (;;) {
		skip_ws(sc);
		if (sc->s[sc->i] != '"')
			return -1;
		size_t ks = sc->i + 1;
		if (skip_string(sc))
			return -1;
		size_t ke = sc->i - 1;
		skip_ws(sc);
		if (sc->s[sc->i] != ':')
			return -1;
		sc->i++;
		skip_ws(sc);
		if (ke - ks == keylen && !memcmp(sc->s + ks, key, keylen))
			return 0;
		if (next_item(sc))
			return -1;
	}
}

static int find_index(struct scan *sc, long idx)
{
	skip_ws(sc);
	if (sc->s[sc->i] != '[')
		return -1;
	sc->i++;
	for (long k = 0;; k++) {
		skip_ws(sc);
		if (sc->s[sc->i] == ']')
			return -1;
		if (k == idx)
			return 0;
		if (next_item(sc))
			return -1;
	}
}

static void offset_to_pos(const char *s, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && s[i]; i++) {
		if (s[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

int config_locate(const char *text, const char *jpath, int *line, int *col)
{
	struct scan sc = { text, 0 };
	size_t good = 0;
	skip_ws(&sc);
	good = sc.i;
	const char *p = jpath ? jpath : "";
	int rc = 0;
	while (*p) {
		if (*p == '.')
			p++;
		if (*p == '[') {
			char *end;
			long idx = strtol(p + 1, &end, 10);
			if (*end != ']') {
				rc = -1;
				break;
			}
			p = end + 1;
			if (find_index(&sc, idx)) {
				rc = -1;
				break;
			}
		} else {
			size_t n = strcspn(p, ".[");
			if (find_member(&sc, p, n)) {
				rc = -1;
				break;
			}
			p += n;
		}
		skip_ws(&sc);
		good = sc.i;
	}
	offset_to_pos(text, good, line, col);
	return rc;
}

/* ---- members given twice ------------------------------------------------------- */

struct key_at {
	const char *s; /* the key's text inside the quotes (escapes as written) */
	size_t n;
	size_t off;    /* offset of its opening quote */
	size_t v0, v1; /* its value's text: [v0, v1) */
};

/* True when the JSON texts at [a0, a1) and [b0, b1) of text hold the same value. */
static bool same_json(const char *text, size_t a0, size_t a1, size_t b0, size_t b1)
{
	json_t *a = json_loadb(text + a0, a1 - a0, JSON_DECODE_ANY, NULL);
	json_t *b = json_loadb(text + b0, b1 - b0, JSON_DECODE_ANY, NULL);
	bool same = a && b && json_equal(a, b);
	json_decref(a);
	json_decref(b);
	return same;
}

static int cmp_key_at(const void *a, const void *b)
{
	const struct key_at *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static void scan_dups_value(struct config_src *src, struct scan *sc, struct strbuf *path);

/* Cuts path back to its first base bytes (the parent's path). */
static void path_cut(struct strbuf *path, size_t base)
{
	path->len = base;
	path->buf[base] = '\0';
}

/* The object at sc (text known to be valid JSON): records its repeated keys, then walks its values. */
static void scan_dups_object(struct config_src *src, struct scan *sc, struct strbuf *path)
{
	struct key_at *keys = NULL;
	size_t n = 0, cap = 0;
	size_t base = path->len;
	sc->i++; /* '{' */
	for (;;) {
		skip_ws(sc);
		if (sc->s[sc->i] != '"')
			break;
		size_t off = sc->i;
		if (skip_string(sc))
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			keys = xrealloc(keys, cap * sizeof(*keys));
		}
		keys[n++] = (struct key_at){ src->text + off + 1, sc->i - off - 2, off, 0, 0 };
		skip_ws(sc);
		if (sc->s[sc->i] != ':')
			break;
		sc->i++;
		skip_ws(sc);
		sb_addf(path, "%s%.*s", base ? "." : "", (int)keys[n - 1].n, keys[n - 1].s);
		keys[n - 1].v0 = sc->i;
		scan_dups_value(src, sc, path);
		keys[n - 1].v1 = sc->i;
		path_cut(path, base);
		skip_ws(sc);
		if (sc->s[sc->i] != ',')
			break;
		sc->i++;
	}
	if (sc->s[sc->i] == '}')
		sc->i++;
	if (n > 1) /* never qsort(NULL, 0): an empty object has no keys array */
		qsort(keys, n, sizeof(*keys), cmp_key_at);
	for (size_t i = 1; i < n; i++) {
		if (keys[i].n != keys[i - 1].n || memcmp(keys[i].s, keys[i - 1].s, keys[i].n))
			continue;
		size_t first = i - 1;
		while (first > 0 && keys[first - 1].n == keys[i].n && !memcmp(keys[first - 1].s, keys[i].s, keys[i].n))
			first--;
		src->dups = xrealloc(src->dups, (src->n_dups + 1) * sizeof(*src->dups));
		struct cfg_dup *d = &src->dups[src->n_dups++];
		memset(d, 0, sizeof(*d));
		d->obj_path = xstrndup(path->buf, base);
		d->key = xstrndup(keys[i].s, keys[i].n);
		d->same_value = same_json(src->text, keys[first].v0, keys[first].v1, keys[i].v0, keys[i].v1);
		offset_to_pos(src->text, keys[first].off, &d->line1, &d->col1);
		offset_to_pos(src->text, keys[i].off, &d->line2, &d->col2);
	}
	free(keys);
}

static void scan_dups_value(struct config_src *src, struct scan *sc, struct strbuf *path)
{
	skip_ws(sc);
	if (sc->s[sc->i] == '{') {
		scan_dups_object(src, sc, path);
		return;
	}
	if (sc->s[sc->i] != '[') {
		skip_value(sc);
		return;
	}
	size_t base = path->len;
	sc->i++;
	for (size_t k = 0;; k++) {
		skip_ws(sc);
		if (!sc->s[sc->i] || sc->s[sc->i] == ']')
			break;
		sb_addf(path, "[%zu]", k);
		scan_dups_value(src, sc, path);
		path_cut(path, base);
		skip_ws(sc);
		if (sc->s[sc->i] != ',')
			break;
		sc->i++;
	}
	if (sc->s[sc->i] == ']')
		sc->i++;
}

/* Lists in src->dups every key given twice in one object, with the positions of both. */
static void find_duplicates(struct config_src *src)
{
	struct scan sc = { src->text, 0 };
	struct strbuf path = STRBUF_INIT;
	sb_init(&path);
	scan_dups_value(src, &sc, &path);
	sb_release(&path);
}

void config_report_duplicates(const struct config_src *src, struct diag_list *dl)
{
	for (size_t i = 0; src && i < src->n_dups; i++) {
		struct cfg_dup *d = &src->dups[i];
		if (d->reported)
			continue;
		d->reported = true;
		char *jp = *d->obj_path ? xasprintf("%s.%s", d->obj_path, d->key) : xstrdup(d->key);
		char *j = str_escape(jp);
		char *k = str_escape(d->key);
		diag_add(dl, DIAG_WARNING, src->path, d->line2, d->col2, j,
			 "remove one of them (this tool does not read it; jq and the original scripts take the last one)",
			 "member '%s' is given twice (at %d:%d and %d:%d); the last one counts", k, d->line1,
			 d->col1, d->line2, d->col2);
		free(k);
		free(j);
		free(jp);
	}
}

void cfg_diag(struct diag_list *dl, const struct config_src *src, enum diag_level level,
	      const char *jpath, const char *hint, const char *fmt, ...)
{
	int line = 0, col = 0;
	if (src && src->text)
		config_locate(src->text, jpath, &line, &col);
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* Config values quoted in a message never break its line: control characters are escaped. */
	char *m = str_escape(sb_str(&sb));
	char *h = hint ? str_escape(hint) : NULL;
	char *j = jpath ? str_escape(jpath) : NULL;
	diag_add(dl, level, src ? src->path : NULL, line, col, j, h, "%s", m);
	free(m);
	free(h);
	free(j);
	sb_release(&sb);
}

void cfg_diag_at(struct diag_list *dl, const struct config_src *src, enum diag_level level,
		 const char *jpath, const char *member, const char *hint, const char *fmt, ...)
{
	char *path = jpath && *jpath ? xasprintf("%s.%s", jpath, member) : xstrdup(member);
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	cfg_diag(dl, src, level, path, hint, "%s", sb_str(&sb));
	sb_release(&sb);
	free(path);
}

static json_t *get_typed(const struct config_src *src, json_t *obj, const char *jpath,
			 const char *key, bool required, struct diag_list *dl, json_type type,
			 const char *tname)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if ((!v || json_is_null(v)) && !required)
		return NULL;
	if (v && !json_is_null(v) && json_typeof(v) == type)
		return v;
	/* the fix, written as the member should look */
	const char *shape = type == JSON_ARRAY ? "[ ... ]" : type == JSON_OBJECT ? "{ ... }" : type == JSON_STRING ? "\"...\"" : "a value";
	char *hint = xasprintf("write \"%s\": %s", key, shape);
	if (!v || json_is_null(v))
		cfg_diag(dl, src, DIAG_ERROR, jpath, hint, "missing required member '%s' (%s)", key, tname);
	else
		cfg_diag_at(dl, src, DIAG_ERROR, jpath, key, hint, "must be %s", tname);
	free(hint);
	return NULL;
}

const char *cfg_string(const struct config_src *src, json_t *v, const char *jpath, struct diag_list *dl)
{
	if (!json_is_string(v))
		return NULL;
	const char *s = json_string_value(v);
	const char *why = str_ctrl_problem(s);
	if (!why)
		return s;
	/* cfg_diag writes the control characters of the value escaped */
	cfg_diag(dl, src, DIAG_ERROR, jpath, str_ctrl_hint, "'%s' %s", s, why);
	return NULL;
}

int cfg_get_uint(const struct config_src *src, json_t *obj, const char *jpath, const char *key, unsigned lo,
		 unsigned hi, const char *hint, unsigned *out, struct diag_list *dl)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return 0;
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
	if (!json_is_integer(v) || n < (json_int_t)lo || n > (json_int_t)hi) {
		cfg_diag_at(dl, src, DIAG_ERROR, jpath, key, hint, "must be a whole number from %u to %u", lo, hi);
		return -1;
	}
	*out = (unsigned)n;
	return 1;
}

const char *cfg_get_string(const struct config_src *src, json_t *obj, const char *jpath,
			   const char *key, bool required, struct diag_list *dl)
{
	json_t *v = get_typed(src, obj, jpath, key, required, dl, JSON_STRING, "a string");
	if (!v || str_line_ok(json_string_value(v)))
		return v ? json_string_value(v) : NULL;
	char *path = jpath && *jpath ? xasprintf("%s.%s", jpath, key) : xstrdup(key);
	const char *s = cfg_string(src, v, path, dl);
	free(path);
	return s;
}

json_t *cfg_get_array(const struct config_src *src, json_t *obj, const char *jpath,
		      const char *key, bool required, struct diag_list *dl)
{
	return get_typed(src, obj, jpath, key, required, dl, JSON_ARRAY, "an array");
}

json_t *cfg_get_object(const struct config_src *src, json_t *obj, const char *jpath,
		       const char *key, bool required, struct diag_list *dl)
{
	return get_typed(src, obj, jpath, key, required, dl, JSON_OBJECT, "an object");
}

char *cfg_get_nodes(const struct config_src *src, json_t *obj, const char *jpath, struct diag_list *dl,
		    const char *what)
{
	json_t *nodes = cfg_get_array(src, obj, jpath, "nodes", false, dl);
	if (!nodes)
		return NULL;
	json_t *cl = src->root ? json_object_get(src->root, "cluster") : NULL;
	json_t *known = json_is_object(cl) ? json_object_get(cl, "nodes") : NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	size_t i;
	json_t *nj;
	bool ok = json_array_size(nodes) > 0;
	if (!ok)
		cfg_diag_at(dl, src, DIAG_ERROR, jpath, "nodes", "name at least one node, or leave \"nodes\" out (every node)",
			    "a %s's nodes must not be empty", what);
	json_array_foreach(nodes, i, nj) {
		char *jp = xasprintf("%s.nodes[%zu]", jpath, i);
		const char *n = json_string_value(nj);
		bool valid = n && *n && strlen(n) < 64 &&
			     strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen(n);
		if (!valid) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "use the node's host name, e.g. \"pve1\"",
				 "a node name must be a string of letters, digits and '-'");
			ok = false;
		} else if (json_is_object(known) && !json_object_get(known, n)) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "define it in cluster.nodes", "unknown node '%s'", n);
			ok = false;
		} else if (on_this_node(sb.len ? sb.buf : NULL, n) && sb.len) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "name each node once", "node '%s' is listed twice", n);
			ok = false;
		} else {
			sb_addf(&sb, "%s%s", sb.len ? "," : "", n);
		}
		free(jp);
	}
	if (ok)
		return sb_detach(&sb);
	sb_release(&sb);
	return NULL;
}
