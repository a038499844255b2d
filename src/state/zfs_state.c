#include "state/zfs_state.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config/zprops.h"
#include "exec/exec.h"
#include "util/fs.h"
#include "util/str.h"

const char *zfs_prog(void)
{
	return exec_program("zfs");
}

const char *zpool_prog(void)
{
	return exec_program("zpool");
}

/* ---- zfs get -H -p -r all ---- */

static struct zfs_dataset *add_dataset(struct zfs_state *st, const char *name)
{
	if ((st->n_datasets & (st->n_datasets - 1)) == 0) /* grow at powers of two */
		st->datasets = xrealloc(st->datasets, (st->n_datasets ? st->n_datasets * 2 : 1) * sizeof(*st->datasets));
	struct zfs_dataset *d = &st->datasets[st->n_datasets++];
	memset(d, 0, sizeof(*d));
	d->name = name;
	return d;
}

/* ---- a set of names (datasets, properties) pointing into the text, open addressing ---- */

struct nameset {
	struct span { const char *p; size_t n; } *v;
	size_t cap, n;
};

static size_t span_hash(const char *p, size_t n)
{
	size_t h = 1469598103934665603ull & SIZE_MAX;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * (1099511628211ull & SIZE_MAX);
	return h;
}

/* Adds p[0..n); returns false when it was there already. */
static bool nameset_add(struct nameset *s, const char *p, size_t n)
{
	if (2 * (s->n + 1) > s->cap) {
		struct nameset g = { xcalloc(s->cap ? s->cap * 2 : 64, sizeof(*g.v)), s->cap ? s->cap * 2 : 64, 0 };
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i].p)
				nameset_add(&g, s->v[i].p, s->v[i].n);
		free(s->v);
		*s = g;
	}
	for (size_t i = span_hash(p, n) % s->cap;; i = (i + 1) % s->cap) {
		if (!s->v[i].p) {
			s->v[i] = (struct span){ p, n };
			s->n++;
			return true;
		}
		if (s->v[i].n == n && !memcmp(s->v[i].p, p, n))
			return false;
	}
}

/* Empties the set, keeping its room. */
static void nameset_clear(struct nameset *s)
{
	if (s->cap)
		memset(s->v, 0, s->cap * sizeof(*s->v));
	s->n = 0;
}

static bool nameset_has(const struct nameset *s, const char *p, size_t n)
{
	for (size_t i = s->cap ? span_hash(p, n) % s->cap : 0; s->cap && s->v[i].p; i = (i + 1) % s->cap)
		if (s->v[i].n == n && !memcmp(s->v[i].p, p, n))
			return true;
	return false;
}

/* ---- zfs get -H -p: the tolerant reader ---- */

struct get_reader {
	struct zfs_state *st;
	const struct strvec *pools;
	struct nameset seen;          /* every dataset and snapshot name read so far */
	struct nameset props;         /* the properties read so far for the current name */
	const char *chain;            /* the current dataset (a snapshot's dataset), chain_n long */
	size_t chain_n;
	const char *name;             /* the name of the current records (dataset or snapshot) */
	size_t name_n;
	struct zfs_dataset *cur;      /* its dataset; NULL for a snapshot (not kept) */
	/* The pending record: from rec to rec_end, its last line starting at last. */
	char *rec, *rec_end, *last;
	char *prop;                   /* its property name, prop_n long */
	size_t prop_n;
};

static bool span_eq(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && !memcmp(a, b, an);
}

/* a (an long) is anc itself or one of its parents: "p" and "p/a" for "p/a". */
static bool is_self_or_parent(const char *a, size_t an, const char *anc, size_t ancn)
{
	return ancn >= an && !memcmp(a, anc, an) && (ancn == an || anc[an] == '/');
}

static bool is_pool_read(const struct get_reader *r, const char *p, size_t n)
{
	if (!r->pools)
		return true;
	for (size_t i = 0; i < r->pools->n; i++)
		if (span_eq(r->pools->v[i], strlen(r->pools->v[i]), p, n))
			return true;
	return false;
}

/* May a record of dataset or snapshot p[0..n) come next in `zfs get -r` order? */
static bool plausible_name(const struct get_reader *r, const char *p, size_t n)
{
	if (!n)
		return false;
	if (r->name && span_eq(p, n, r->name, r->name_n))
		return true;
	if (nameset_has(&r->seen, p, n))
		return false;
	size_t cut = n;
	while (cut && p[cut - 1] != '@' && p[cut - 1] != '#')
		cut--;
	if (!cut) {
		cut = n;
		while (cut && p[cut - 1] != '/')
			cut--;
	}
	if (!cut) /* a pool */
		return !memchr(p, '@', n) && is_pool_read(r, p, n);
	/* A child or snapshot of the current dataset or of one of its parents. */
	return r->chain && is_self_or_parent(p, cut - 1, r->chain, r->chain_n);
}

/* A property name as zfs prints it: [a-z][a-z0-9_:.@-]* (user properties have a ':'). */
static bool valid_prop(const char *p, size_t n)
{
	if (!n || p[0] < 'a' || p[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.' ||
		      c == '@' || c == '-'))
			return false;
	}
	return true;
}

static bool valid_source(const char *p, size_t n)
{
	static const char *const fixed[] = { "-", "local", "default", "temporary", "received", "none" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (span_eq(p, n, fixed[i], strlen(fixed[i])))
			return true;
	return n > 15 && !memcmp(p, "inherited from ", 15);
}

/* Was prop p[0..n) read already for the current dataset or snapshot? */
static bool prop_seen(const struct get_reader *r, const char *p, size_t n)
{
	return nameset_has(&r->props, p, n);
}

/* Does the line [l, e) look like the start of a record? Fills its name and property. */
static bool record_start(const struct get_reader *r, const char *l, const char *e, size_t *name_n,
			 const char **prop, size_t *prop_n)
{
	const char *t1 = memchr(l, '\t', (size_t)(e - l));
	const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(e - t1 - 1)) : NULL;
	if (!t2)
		return false;
	*name_n = (size_t)(t1 - l);
	*prop = t1 + 1;
	*prop_n = (size_t)(t2 - t1 - 1);
	if (!valid_prop(*prop, *prop_n) || !plausible_name(r, l, *name_n))
		return false;
	return !span_eq(l, *name_n, r->name, r->name ? r->name_n : 0) || !prop_seen(r, *prop, *prop_n);
}

/* Is the pending record complete: its last line ends with TAB source, after the value's TAB? */
static bool record_complete(const struct get_reader *r)
{
	const char *t = NULL;
	for (const char *q = r->rec_end; q > r->last; q--)
		if (q[-1] == '\t') {
			t = q - 1;
			break;
		}
	return t && t > r->prop + r->prop_n && valid_source(t + 1, (size_t)(r->rec_end - t - 1));
}

static struct zprop *add_prop(struct zfs_dataset *d)
{
	if (d->n_props == d->cap_props) {
		d->cap_props = d->cap_props ? d->cap_props * 2 : 64;
		d->props = xrealloc(d->props, d->cap_props * sizeof(*d->props));
	}
	return &d->props[d->n_props++];
}

/* Splits the pending record in place into name, property, value and source; keeps it. */
static void record_finish(struct get_reader *r)
{
	if (!r->rec)
		return;
	bool complete = record_complete(r);
	*r->rec_end = '\0';
	r->prop[-1] = '\0';
	r->prop[r->prop_n] = '\0';
	char *value = r->prop + r->prop_n + 1;
	const char *source = "";
	if (complete) {
		char *t = strrchr(value, '\t');
		*t = '\0';
		source = t + 1;
	}
	if (r->cur) {
		struct zprop *z = add_prop(r->cur);
		*z = (struct zprop){ r->prop, value, source, false };
		for (const char *c = value; *c && !z->odd; c++)
			z->odd = (unsigned char)*c < 0x20 || *c == 0x7f;
		z->odd |= !complete;
		r->st->n_odd += z->odd;
	}
	r->rec = NULL;
}

/* Starts a record at line l (name_n, prop, prop_n from record_start). */
static void record_begin(struct get_reader *r, char *l, char *e, size_t name_n, const char *prop, size_t prop_n)
{
	if (!r->name || !span_eq(l, name_n, r->name, r->name_n)) {
		nameset_add(&r->seen, l, name_n);
		r->name = l;
		r->name_n = name_n;
		size_t at = strcspn(l, "@#\t");
		bool snap = at < name_n;
		r->chain = l;
		r->chain_n = snap ? at : name_n;
		/* The dataset's name is NUL-terminated when its first record is finished. */
		r->cur = snap ? NULL : add_dataset(r->st, l);
		nameset_clear(&r->props);
	}
	nameset_add(&r->props, prop, prop_n);
	r->rec = l;
	r->last = l;
	r->rec_end = e;
	r->prop = (char *)prop;
	r->prop_n = prop_n;
}

int zfs_parse_get(const char *text, const struct strvec *pools, struct zfs_state *st, struct diag_list *dl)
{
	(void)dl;
	char *buf = xstrdup(text);
	st->bufs = xrealloc(st->bufs, (st->n_bufs + 1) * sizeof(*st->bufs));
	st->bufs[st->n_bufs++] = buf;
	struct get_reader r = { .st = st, .pools = pools };
	for (char *line = buf; *line;) {
		char *eol = strchr(line, '\n');
		char *e = eol ? eol : line + strlen(line);
		size_t name_n = 0, prop_n = 0;
		const char *prop = NULL;
		bool pending_open = r.rec && !record_complete(&r);
		bool starts = !pending_open && record_start(&r, line, e, &name_n, &prop, &prop_n);
		if (starts) {
			record_finish(&r);
			record_begin(&r, line, e, name_n, prop, prop_n);
		} else if (r.rec) {
			/* A continuation: the value goes on, its newline kept (so it is odd). */
			r.rec_end = e;
			r.last = line;
		}
		/* else: a line before the first record; nothing to keep */
		if (!eol)
			break;
		line = eol + 1;
	}
	record_finish(&r);
	free(r.seen.v);
	free(r.props.v);
	return 0;
}

/* ---- zfs get -j -p (OpenZFS 2.3) ---- */

/* A copy of s[0..n) in the state's string chunks (freed with the state). */
static const char *keep_strn(struct zfs_state *st, const char *s, size_t n)
{
	if (n + 1 > st->chunk_left) {
		size_t sz = n + 1 > 65536 ? n + 1 : 65536;
		st->bufs = xrealloc(st->bufs, (st->n_bufs + 1) * sizeof(*st->bufs));
		st->chunk = st->bufs[st->n_bufs++] = xmalloc(sz);
		st->chunk_left = sz;
	}
	char *d = st->chunk;
	memcpy(d, s, n);
	d[n] = '\0';
	st->chunk += n + 1;
	st->chunk_left -= n + 1;
	return d;
}

static const char *keep_str(struct zfs_state *st, const char *s)
{
	return keep_strn(st, s, strlen(s));
}

/* The source as text output spells it, from {"type": "INHERITED", "data": "tank"}. */
static const char *json_source(struct zfs_state *st, json_t *src)
{
	const char *type = json_string_value(json_object_get(src, "type"));
	const char *data = json_string_value(json_object_get(src, "data"));
	static const char *const map[][2] = { { "NONE", "-" }, { "DEFAULT", "default" }, { "LOCAL", "local" },
					      { "TEMPORARY", "temporary" }, { "RECEIVED", "received" } };
	if (!type)
		return "-";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(type, map[i][0]))
			return map[i][1];
	if (!strcmp(type, "INHERITED")) {
		char *t = xasprintf("inherited from %s", data ? data : "-");
		const char *k = keep_str(st, t);
		free(t);
		return k;
	}
	char *low = xstrdup(type);
	for (char *c = low; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	const char *k = keep_str(st, low);
	free(low);
	return k;
}

/* A property value: a string, or a number (--json-int) printed as text. */
static const char *json_value(struct zfs_state *st, json_t *v)
{
	if (json_is_string(v))
		return keep_strn(st, json_string_value(v), json_string_length(v));
	if (json_is_integer(v)) {
		char b[32];
		snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return keep_str(st, b);
	}
	return "-";
}

int zfs_parse_get_json(const char *text, struct zfs_state *st, struct diag_list *dl)
{
	/* Nothing at all: none of the datasets asked for exists (they vanished since zpool status). */
	if (!text[strspn(text, " \t\r\n")])
		return 0;
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	json_t *dss = root ? json_object_get(root, "datasets") : NULL;
	if (!json_is_object(dss)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "report this with the output of 'zfs get -j -p all POOL'",
			 "unexpected output of 'zfs get -j': %s", root ? "no \"datasets\" object" : je.text);
		json_decref(root);
		return -1;
	}
	const char *key;
	json_t *ds;
	json_object_foreach(dss, key, ds) {
		if (strpbrk(key, "@#"))
			continue;
		struct zfs_dataset *d = add_dataset(st, keep_str(st, key));
		const char *pname;
		json_t *pv;
		json_t *props = json_object_get(ds, "properties");
		json_object_foreach(props, pname, pv) {
			struct zprop *z = add_prop(d);
			z->name = keep_str(st, pname);
			z->value = json_value(st, json_object_get(pv, "value"));
			z->source = json_source(st, json_object_get(pv, "source"));
			z->odd = false;
			for (const char *c = z->value; *c && !z->odd; c++)
				z->odd = (unsigned char)*c < 0x20 || *c == 0x7f;
			st->n_odd += z->odd;
		}
	}
	json_decref(root);
	return 0;
}

/* ---- zpool status / zpool import ---- */

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static char *first_word(const char *s)
{
	s = skip_spaces(s);
	size_t n = 0;
	while (s[n] && !isspace((unsigned char)s[n]))
		n++;
	return xstrndup(s, n);
}

/* Appends a vdev; the previous one is a group (not a leaf) when this one is deeper. */
static void add_vdev(struct vdev **v, size_t *n, const char *name, const char *state, const char *was, int depth)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	if (*n && (*v)[*n - 1].depth < depth)
		(*v)[*n - 1].leaf = false;
	struct vdev *x = &(*v)[(*n)++];
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(name);
	x->state = xstrdup(state);
	x->was = was ? xstrdup(was) : NULL;
	x->depth = depth;
	x->leaf = true;
}

const char *vdev_group_name(enum vdev_group g)
{
	static const char *const names[] = { "data", "logs", "cache", "spares", "special", "dedup" };
	return (unsigned)g < sizeof(names) / sizeof(names[0]) ? names[g] : "data";
}

const char *vdev_layout_of(const char *name)
{
	if (!strncmp(name, "mirror", 6))
		return "mirror";
	if (!strncmp(name, "raidz3", 6))
		return "raidz3";
	if (!strncmp(name, "raidz2", 6))
		return "raidz2";
	if (!strncmp(name, "raidz", 5))
		return "raidz1";
	if (!strncmp(name, "draid", 5))
		return "draid";
	return "stripe";
}

/* The first word of a "was PATH" note, or NULL. */
static char *was_path(const char *note)
{
	if (!note || strncmp(note, "was ", 4))
		return NULL;
	return first_word(note + 4);
}

/*
 * Fills zp from the health model h of one pool (which it takes over: h is
 * zeroed): name, state, layout of the first top-level data vdev, data and
 * auxiliary vdevs with their depth under the pool, the errors line.
 */
static void pool_from_health(struct zpool *zp, struct zh_pool *h, bool importable)
{
	memset(zp, 0, sizeof(*zp));
	zp->name = xstrdup(h->name);
	zp->state = h->state_text && h->state_text[0] ? xstrdup(h->state_text) : NULL;
	zp->import_id = h->import_id ? first_word(h->import_id) : NULL;
	zp->errors = h->errors_text ? xstrdup(h->errors_text) : NULL;
	zp->importable = importable;
	zp->layout = NULL;
	for (size_t i = 0; i < h->n_vdevs; i++) {
		const struct zh_vdev *v = &h->vdevs[i];
		if (v->depth == 0)
			continue;
		char *was = was_path(v->note);
		if (v->group == ZH_DATA) {
			if (v->depth == 1 && !zp->layout)
				zp->layout = xstrdup(vdev_layout_of(v->name));
			add_vdev(&zp->vdevs, &zp->n_vdevs, v->name, v->state_text, was, v->depth - 1);
		} else {
			add_vdev(&zp->aux, &zp->n_aux, v->name, v->state_text, was, v->depth - 1);
			/* enum zh_group and enum vdev_group list the sections in the same order */
			zp->aux[zp->n_aux - 1].group = (enum vdev_group)v->group;
		}
		free(was);
	}
	if (!zp->layout)
		zp->layout = xstrdup("stripe");
	zp->health = *h;
	memset(h, 0, sizeof(*h));
}

/*
 * Adds the pools of `zpool status` (or `zpool import`, importable) text to
 * st, read by the one parser of that text (zh_parse_status): each pool keeps
 * its full health model (zpool.health) and the view the planners use (name,
 * state, layout, data and auxiliary vdevs, the errors line). An importable
 * pool that is also imported is not listed twice. Never fails on unknown
 * lines; returns 0. The strings are owned by st.
 */
int zpool_parse_status(const char *text, struct zfs_state *st, bool importable, struct diag_list *dl)
{
	(void)dl;
	struct zh_status hs = { 0 };
	struct diag_list quiet = { 0 };
	zh_parse_status(text, &hs, &quiet);
	diag_list_free(&quiet);
	for (size_t k = 0; k < hs.n_pools; k++) {
		bool dup = false;
		for (size_t i = 0; i < st->n_pools; i++)
			dup |= !strcmp(st->pools[i].name, hs.pools[k].name);
		if (dup && importable)
			continue;
		st->pools = xrealloc(st->pools, (st->n_pools + 1) * sizeof(*st->pools));
		pool_from_health(&st->pools[st->n_pools++], &hs.pools[k], importable);
	}
	zh_status_free(&hs);
	return 0;
}

/* ---- zpool get ---- */

static struct zpool *pool_by_name(struct zfs_state *st, const char *name, size_t n)
{
	for (size_t i = 0; i < st->n_pools; i++)
		if (strlen(st->pools[i].name) == n && !strncmp(st->pools[i].name, name, n) && !st->pools[i].importable)
			return &st->pools[i];
	return NULL;
}

/* Splits one line of zpool get into its four fields (spans into l); false when it has fewer. */
static bool split_pool_get_line(const char *l, size_t len, bool header, const char *f[4], size_t fl[4])
{
	if (!header) {
		const char *p = l, *e = l + len;
		for (int k = 0; k < 3; k++) {
			const char *t = memchr(p, '\t', (size_t)(e - p));
			if (!t)
				return false;
			f[k] = p;
			fl[k] = (size_t)(t - p);
			p = t + 1;
		}
		/* The value may hold a TAB (a comment): the source is after the last one. */
		const char *last = e;
		while (last > p && last[-1] != '\t')
			last--;
		if (last > p) {
			fl[2] = (size_t)(last - 1 - f[2]);
			p = last;
		}
		f[3] = p;
		fl[3] = (size_t)(e - p);
		/* The property and the source are one word each ("local", "default", "-"). */
		for (int k = 1; k < 4; k += 2) {
			if (!fl[k])
				return false;
			for (size_t i = 0; i < fl[k]; i++)
				if (isspace((unsigned char)f[k][i]))
					return false;
		}
		return true;
	}
	const char *p = l, *e = l + len;
	for (int k = 0; k < 2; k++) {
		while (p < e && isspace((unsigned char)*p))
			p++;
		f[k] = p;
		while (p < e && !isspace((unsigned char)*p))
			p++;
		fl[k] = (size_t)(p - f[k]);
		if (!fl[k])
			return false;
	}
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	const char *s = e;
	while (s > p && !isspace((unsigned char)s[-1]))
		s--;
	if (s == e || s == p)
		return false;
	f[3] = s;
	fl[3] = (size_t)(e - s);
	while (p < s && isspace((unsigned char)*p))
		p++;
	const char *ve = s;
	while (ve > p && isspace((unsigned char)ve[-1]))
		ve--;
	f[2] = p;
	fl[2] = (size_t)(ve - p);
	return fl[2] > 0;
}

int zpool_parse_get(const char *text, bool header, struct zfs_state *st, struct diag_list *dl)
{
	bool first = true;
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *f[4];
		size_t fl[4];
		bool blank = true;
		for (size_t i = 0; i < len && blank; i++)
			blank = isspace((unsigned char)line[i]);
		if (blank) {
			/* nothing */
		} else if (header && first && !strncmp(line, "NAME", 4)) {
			/* the header line */
		} else if (!split_pool_get_line(line, len, header, f, fl)) {
			char *shown = xstrndup(line, len > 80 ? 80 : len);
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "cannot read zpool get output: '%s'", shown);
			free(shown);
			return -1;
		} else {
			struct zpool *zp = pool_by_name(st, f[0], fl[0]);
			if (zp) {
				zp->props = xrealloc(zp->props, (zp->n_props + 1) * sizeof(*zp->props));
				struct zpool_prop *pp = &zp->props[zp->n_props++];
				pp->name = xstrndup(f[1], fl[1]);
				pp->value = xstrndup(f[2], fl[2]);
				pp->source = xstrndup(f[3], fl[3]);
				zp->props_read = true;
			}
		}
		first = false;
		line = eol ? eol + 1 : line + len;
	}
	return 0;
}

const struct zpool_prop *zpool_get_prop(const struct zpool *p, const char *name)
{
	for (size_t i = 0; i < p->n_props; i++)
		if (!strcmp(p->props[i].name, name))
			return &p->props[i];
	return NULL;
}

/* ---- capabilities from `zfs get` usage ---- */

/*
 * What this ZFS supports, from the usage text `zfs get` prints: property
 * names, compression values (gzip-N expanded), the largest recordsize, the
 * -t and -j options. Never fails; returns 0. caps owns its strings.
 */
int zfs_parse_caps(const char *usage, struct zfs_caps *caps)
{
	bool in_table = false;
	caps->max_recordsize = 128 << 10;
	for (const char *line = usage; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *l = xstrndup(line, len);
		const char *t = skip_spaces(l);
		if (!strncmp(t, "PROPERTY", 8)) {
			in_table = true;
		} else if (in_table && *t && l[0] == '\t') {
			char *name = first_word(t);
			/* VALUES start after the EDIT and INHERIT columns. */
			const char *v = t + strlen(name);
			bool col_no[2] = { false, false };
			for (int k = 0; k < 2; k++) {
				v = skip_spaces(v);
				col_no[k] = !strncmp(v, "NO", 2) && (!v[2] || isspace((unsigned char)v[2]));
				while (*v && !isspace((unsigned char)*v))
					v++;
			}
			v = skip_spaces(v);
			if (strstr(name, "@...") == NULL) {
				sv_push(&caps->props, name);
				if (col_no[0])
					sv_push(&caps->fixed, name);
				if (col_no[1])
					sv_push(&caps->noinherit, name);
				if (strchr(v, '|') && !strpbrk(v, "<[("))
					sv_pushf(&caps->enums, "%s\t%s", name, v);
			}
			if (!strcmp(name, "compression")) {
				const char *p = v;
				while (*p) {
					size_t n = strcspn(p, "|");
					size_t a = 0, b = n;
					while (a < b && isspace((unsigned char)p[a]))
						a++;
					while (b > a && isspace((unsigned char)p[b - 1]))
						b--;
					if (b > a) {
						char *val = xstrndup(p + a, b - a);
						sv_push(&caps->compression, val);
						free(val);
					}
					p += n;
					if (*p == '|')
						p++;
				}
			}
			if (!strcmp(name, "recordsize")) {
				const char *to = strstr(v, " to ");
				if (to) {
					char *mx = first_word(to + 4);
					size_t ml = strlen(mx);
					if (ml && mx[ml - 1] == ',')
						mx[ml - 1] = '\0';
					uint64_t n;
					if (!zfs_parse_size(mx, &n))
						caps->max_recordsize = n;
					free(mx);
				}
			}
			free(name);
		} else if (in_table && *t && l[0] != '\t') {
			in_table = false;
		}
		free(l);
		line = eol ? eol + 1 : line + len;
	}
	caps->known = caps->props.n > 0;
	caps->get_types = strstr(usage, "[-t type") != NULL;
	caps->get_json = strstr(usage, "[-j") != NULL;
	for (size_t i = 0; i < caps->compression.n; i++)
		if (!strcmp(caps->compression.v[i], "lz4"))
			caps->modern = true;
	return caps->known ? 0 : -1;
}

bool zfs_dataset_is_managed(const struct zfs_dataset *ds)
{
	const struct zprop *m = zfs_dataset_prop(ds, "phoenix:managed");
	return m && !strcmp(m->value, "true") && !strcmp(m->source, "local");
}

/* s is one of sv's strings (sv->v is NULL-terminated once pushed to). */
static bool sv_has(const struct strvec *sv, const char *s)
{
	return sv->v && str_in_list((const char *const *)sv->v, s, strlen(s));
}

bool zfs_caps_create_only(const struct zfs_caps *caps, const char *name)
{
	const struct zprop_info *pi = zprop_lookup(name);
	if (zprop_is_user(name) || (pi && pi->readonly))
		return false;
	if (caps->known)
		return sv_has(&caps->fixed, name);
	return pi && pi->create_only;
}

void zfs_caps_set_line(struct zfs_caps *caps, const char *module_version)
{
	unsigned major = 0, minor = 0;
	bool parsed = module_version && sscanf(module_version, "%u.%u", &major, &minor) == 2;
	caps->xattr_on = parsed && (major > 2 || (major == 2 && minor >= 2)) ? "sa" : "dir";
}

bool zfs_caps_value_eq(const struct zfs_caps *caps, const char *name, const char *a, const char *b)
{
	if (!strcmp(name, "xattr")) {
		const char *on = caps->xattr_on ? caps->xattr_on : "dir";
		a = strcmp(a, "on") ? a : on;
		b = strcmp(b, "on") ? b : on;
	}
	return zprop_value_eq(name, a, b);
}

bool zfs_caps_inheritable(const struct zfs_caps *caps, const char *name)
{
	if (zprop_is_user(name))
		return true;
	if (caps->known && sv_has(&caps->props, name))
		return !sv_has(&caps->noinherit, name);
	const struct zprop_info *pi = zprop_lookup(name);
	return pi && !pi->noinherit && !pi->readonly;
}

bool zfs_caps_enum_ok(const struct zfs_caps *caps, const char *name, const char *value, const char **list)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < caps->enums.n; i++) {
		const char *e = caps->enums.v[i];
		if (strncmp(e, name, nl) || e[nl] != '\t')
			continue;
		*list = e + nl + 1;
		for (const char *p = e + nl + 1; *p;) {
			p = skip_spaces(p);
			size_t n = strcspn(p, "|");
			while (n && isspace((unsigned char)p[n - 1]))
				n--;
			char *one = xstrndup(p, n);
			bool ok = *one && zfs_caps_value_eq(caps, name, value, one);
			free(one);
			if (ok)
				return true;
			p += strcspn(p, "|");
			if (*p)
				p++;
		}
		return false;
	}
	return true;
}

void zfs_caps_free(struct zfs_caps *caps)
{
	sv_free(&caps->enums);
	sv_free(&caps->props);
	sv_free(&caps->compression);
	sv_free(&caps->fixed);
	sv_free(&caps->noinherit);
}

bool zfs_caps_has_prop(const struct zfs_caps *caps, const char *name)
{
	if (!caps->known || zprop_is_user(name))
		return true;
	for (size_t i = 0; i < caps->props.n; i++)
		if (!strcmp(caps->props.v[i], name))
			return true;
	return false;
}

/* ---- discovery ---- */

/* Adds the error of a failed program (its command, status and stderr) to dl. */
static void report_failure(const char *const argv[], struct exec_result *r, struct diag_list *dl)
{
	char *cmd = exec_argv_display(argv);
	char *why = exec_describe_status(r);
	size_t el = strlen(r->err);
	while (el && isspace((unsigned char)r->err[el - 1]))
		r->err[--el] = '\0';
	diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
		 r->status < 0 ? "install ZFS (zfsutils-linux, or zfs-fuse) or point PHOENIX_ZFS/PHOENIX_ZPOOL at it" : NULL,
		 "'%s' %s%s%s", cmd, why, el ? ": " : "", r->err);
	free(cmd);
	free(why);
}

/* Runs argv into r. Returns 0, or -1 with the error in dl (usage_ok: an exit status > 0 is fine). */
static int run_capture(const char *const argv[], struct exec_result *r, struct zfs_state *st,
		       struct diag_list *dl, bool usage_ok)
{
	int rc = exec_run(argv, NULL, r);
	st->invocations++;
	if (rc == 0 || (usage_ok && r->status > 0))
		return 0;
	report_failure(argv, r, dl);
	return -1;
}

static int cmp_ds(const void *a, const void *b)
{
	return strcmp(((const struct zfs_dataset *)a)->name, ((const struct zfs_dataset *)b)->name);
}

/*
 * zpool status, with -P (full vdev paths) where this zpool has it. zfs-fuse
 * has neither -P nor `zfs get -t`, and prints the paths it was given; OpenZFS
 * has both, so -P is tried when the `zfs get` usage just read lists -t. A
 * zpool that refuses it answers with its usage text (exit status 2), and
 * status is read again without it. Returns 0 or -1.
 */
static int read_status(struct zfs_state *st, struct diag_list *dl)
{
	struct exec_result r;
	const char *with_p[] = { zpool_prog(), "status", "-P", NULL };
	const char *plain[] = { zpool_prog(), "status", NULL };
	bool try_p = st->caps.get_types;
	int rc = exec_run(try_p ? with_p : plain, NULL, &r);
	st->invocations++;
	if (rc && try_p && r.status == 2 && strstr(r.err, "usage:")) {
		exec_result_free(&r);
		try_p = false;
		rc = exec_run(plain, NULL, &r);
		st->invocations++;
	}
	if (rc)
		report_failure(try_p ? with_p : plain, &r, dl);
	else
		zpool_parse_status(r.out, st, false, dl);
	st->status_paths = try_p && !rc;
	exec_result_free(&r);
	return rc ? -1 : 0;
}

/* Frees what one pool owns (not the pool struct itself). */
static void zpool_free_one(struct zpool *p)
{
	free(p->name);
	free(p->state);
	free(p->layout);
	free(p->errors);
	free(p->import_id);
	for (size_t k = 0; k < p->n_vdevs + p->n_aux; k++) {
		struct vdev *v = k < p->n_vdevs ? &p->vdevs[k] : &p->aux[k - p->n_vdevs];
		free(v->name);
		free(v->state);
		free(v->was);
	}
	free(p->vdevs);
	free(p->aux);
	for (size_t k = 0; k < p->n_props; k++) {
		free(p->props[k].name);
		free(p->props[k].value);
		free(p->props[k].source);
	}
	free(p->props);
	zh_pool_free(&p->health);
}

/*
 * Reading every pool (none configured), a pool another program destroyed or
 * exported between `zpool status` and `zfs get` is not an error: zfs get still
 * printed the others. True when every line of err is "cannot open 'P': dataset
 * does not exist" for a pool P of st; those pools are removed from st.
 */
static bool drop_vanished_pools(struct zfs_state *st, const char *err)
{
	struct strvec gone = { 0 };
	bool only = true;
	for (const char *l = err; *l && only;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		const char *tail = "': dataset does not exist";
		size_t tl = strlen(tail);
		if (n) {
			only = n > 13 + tl && !strncmp(l, "cannot open '", 13) && !strncmp(l + n - tl, tail, tl);
			if (only) {
				char *name = xstrndup(l + 13, n - 13 - tl);
				only = zfs_state_pool(st, name) != NULL;
				sv_push(&gone, name);
				free(name);
			}
		}
		l = e ? e + 1 : l + n;
	}
	only = only && gone.n;
	for (size_t g = 0; only && g < gone.n; g++)
		for (size_t i = 0; i < st->n_pools; i++)
			if (!strcmp(st->pools[i].name, gone.v[g])) {
				struct zpool *p = &st->pools[i];
				zpool_free_one(p);
				memmove(p, p + 1, (st->n_pools - i - 1) * sizeof(*p));
				st->n_pools--;
				break;
			}
	sv_free(&gone);
	return only;
}

/*
 * zfs-fuse (no `zfs get -t`): the filesystems and volumes of pools, in zfs
 * order, with `zfs list -H -o name -t filesystem,volume -r POOLS`. A pool
 * that vanished meanwhile is dropped when every pool was asked for (any).
 * Returns 0, or -1 with the error in dl.
 */
static int list_datasets(struct zfs_state *st, struct strvec *pools, bool any, struct strvec *names,
			 struct diag_list *dl)
{
	struct strvec argv = { 0 };
	sv_push(&argv, zfs_prog());
	sv_push(&argv, "list");
	sv_push(&argv, "-H");
	sv_push(&argv, "-o");
	sv_push(&argv, "name");
	sv_push(&argv, "-t");
	sv_push(&argv, "filesystem,volume");
	sv_push(&argv, "-r");
	for (size_t i = 0; i < pools->n; i++)
		sv_push(&argv, pools->v[i]);
	struct exec_result r;
	int erc = exec_run(sv_argv(&argv), NULL, &r);
	st->invocations++;
	int rc = 0;
	if (erc && !(r.status == 1 && any && drop_vanished_pools(st, r.err))) {
		report_failure(sv_argv(&argv), &r, dl);
		rc = -1;
	}
	for (const char *l = r.out; !rc && *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		if (n) {
			char *name = xstrndup(l, n);
			size_t pl = strcspn(name, "/");
			/* only the pools still read (a vanished one was dropped above) */
			for (size_t i = 0; i < st->n_pools; i++)
				if (strlen(st->pools[i].name) == pl && !strncmp(st->pools[i].name, name, pl)) {
					sv_push(names, name);
					break;
				}
			free(name);
		}
		l = e ? e + 1 : l + n;
	}
	exec_result_free(&r);
	sv_free(&argv);
	return rc;
}

/*
 * Reads st with three programs (four on zfs-fuse; see zfs_state.h): the capabilities, zpool
 * status of the pools (pools, or all), and every property of their datasets
 * (-j where it exists, else the tolerant text reader). Returns 0, or -1 with
 * an error naming the program in dl. st is owned by the caller
 * (zfs_state_free).
 */
int zfs_state_discover(struct zfs_state *st, const struct strvec *pools, struct diag_list *dl)
{
	struct exec_result r;
	const char *caps_argv[] = { zfs_prog(), "get", NULL };
	if (run_capture(caps_argv, &r, st, dl, true)) {
		exec_result_free(&r);
		return -1;
	}
	/* The usage text goes to stderr (older zfs) or stdout. */
	if (zfs_parse_caps(r.err, &st->caps))
		zfs_parse_caps(r.out, &st->caps);
	exec_result_free(&r);
	/* the kernel module's line (no program, not under --root): what xattr=on means */
	char *ver = NULL;
	if (read_file("/sys/module/zfs/version", &ver, NULL))
		ver = NULL;
	zfs_caps_set_line(&st->caps, ver);
	free(ver);

	if (read_status(st, dl))
		return -1;

	struct strvec wanted = { 0 };
	for (size_t i = 0; i < st->n_pools; i++) {
		/* A pool that cannot be opened has no datasets to read; asking would fail the whole read. */
		if (!zpool_readable(&st->pools[i]))
			continue;
		bool want = !pools;
		for (size_t k = 0; pools && k < pools->n && !want; k++)
			want = !strcmp(pools->v[k], st->pools[i].name);
		if (want)
			sv_push(&wanted, st->pools[i].name);
	}
	/*
	 * One program for every property of every dataset: JSON where zfs has it
	 * (exact values); -t keeps snapshots out. Without `get -t` (zfs-fuse) the
	 * filesystems and volumes are listed first and asked for by name, so
	 * snapshots never cost the layout a line (one more program, not one per
	 * dataset).
	 */
	struct strvec names = { 0 };
	if (wanted.n && !st->caps.get_types && list_datasets(st, &wanted, pools == NULL, &names, dl)) {
		sv_free(&wanted);
		return -1;
	}
	struct strvec argv = { 0 };
	sv_push(&argv, zfs_prog());
	sv_push(&argv, "get");
	sv_push(&argv, st->caps.get_json ? "-j" : "-H");
	sv_push(&argv, "-p");
	if (st->caps.get_types) {
		sv_push(&argv, "-r");
		sv_push(&argv, "-t");
		sv_push(&argv, "filesystem,volume");
	}
	sv_push(&argv, "all");
	size_t fixed = argv.n;
	const struct strvec *ask = st->caps.get_types ? &wanted : &names;
	for (size_t i = 0; i < ask->n; i++)
		sv_push(&argv, ask->v[i]);
	sv_free(&names);
	int rc = 0;
	if (argv.n > fixed) {
		int erc = exec_run(sv_argv(&argv), NULL, &r);
		st->invocations++;
		if (erc && !(r.status == 1 && !pools && drop_vanished_pools(st, r.err))) {
			report_failure(sv_argv(&argv), &r, dl);
			rc = -1;
		} else if (st->caps.get_json)
			rc = zfs_parse_get_json(r.out, st, dl);
		else
			rc = zfs_parse_get(r.out, &wanted, st, dl);
		exec_result_free(&r);
		if (!rc && st->n_datasets)
			qsort(st->datasets, st->n_datasets, sizeof(*st->datasets), cmp_ds);
	}
	sv_free(&argv);
	sv_free(&wanted);
	return rc;
}

int zfs_state_read_pool_props(struct zfs_state *st, const struct strvec *pools, struct diag_list *dl)
{
	struct strvec argv = { 0 };
	bool header = !st->caps.get_types;
	for (int attempt = 0; attempt < 2; attempt++) {
		sv_free(&argv);
		sv_push(&argv, zpool_prog());
		sv_push(&argv, "get");
		if (!header) {
			sv_push(&argv, "-H");
			sv_push(&argv, "-p");
		}
		sv_push(&argv, "all");
		for (size_t i = 0; i < pools->n; i++)
			sv_push(&argv, pools->v[i]);
		struct exec_result r;
		int rc = exec_run(sv_argv(&argv), NULL, &r);
		st->invocations++;
		if (rc && !header && r.status == 2 && strstr(r.err, "usage:")) {
			exec_result_free(&r);
			header = true;
			continue;
		}
		if (rc)
			report_failure(sv_argv(&argv), &r, dl);
		else
			rc = zpool_parse_get(r.out, header, st, dl);
		exec_result_free(&r);
		sv_free(&argv);
		return rc ? -1 : 0;
	}
	sv_free(&argv);
	return -1;
}

bool zpool_readable(const struct zpool *p)
{
	return !p->importable && !(p->state && (!strcmp(p->state, "UNAVAIL") || !strcmp(p->state, "FAULTED")));
}

/* Resolves one vdev: its printed name (or, when unavailable, its last path) to a device. */
static void resolve_vdev(struct vdev *v, const struct strvec *dirs, const char *sys)
{
	if (!v->leaf)
		return;
	char *path = disk_vdev_path(v->was && v->name[0] != '/' ? v->was : v->name, dirs);
	if (path && disk_id_resolve(path, sys, &v->id))
		memset(&v->id, 0, sizeof(v->id));
	free(path);
}

void zfs_state_resolve_vdevs(struct zfs_state *st, const struct strvec *dirs, const char *sys)
{
	for (size_t i = 0; i < st->n_pools; i++) {
		struct zpool *p = &st->pools[i];
		const struct strvec *d = p->importable ? dirs : NULL;
		for (size_t k = 0; k < p->n_vdevs; k++)
			resolve_vdev(&p->vdevs[k], d, sys);
		for (size_t k = 0; k < p->n_aux; k++)
			resolve_vdev(&p->aux[k], d, sys);
	}
}

int zfs_state_scan_importable(struct zfs_state *st, const struct strvec *import_dirs, struct diag_list *dl)
{
	struct exec_result r;
	if (import_dirs && import_dirs->n) {
		struct strvec argv = { 0 };
		sv_push(&argv, zpool_prog());
		sv_push(&argv, "import");
		for (size_t i = 0; i < import_dirs->n; i++) {
			sv_push(&argv, "-d");
			sv_push(&argv, import_dirs->v[i]);
		}
		/* Exit status 1 with "no pools available" is the normal empty answer. */
		exec_run(sv_argv(&argv), NULL, &r);
		st->invocations++;
		zpool_parse_status(r.out, st, true, dl);
		exec_result_free(&r);
		sv_free(&argv);
	}
	return 0;
}

void zfs_state_free(struct zfs_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_pools; i++)
		zpool_free_one(&st->pools[i]);
	free(st->pools);
	for (size_t i = 0; i < st->n_datasets; i++)
		free(st->datasets[i].props);
	free(st->datasets);
	for (size_t i = 0; i < st->n_bufs; i++)
		free(st->bufs[i]);
	free(st->bufs);
	zfs_caps_free(&st->caps);
	memset(st, 0, sizeof(*st));
}

const struct zpool *zfs_state_pool(const struct zfs_state *st, const char *name)
{
	for (size_t i = 0; i < st->n_pools; i++)
		if (!strcmp(st->pools[i].name, name))
			return &st->pools[i];
	return NULL;
}

const struct zfs_dataset *zfs_state_dataset(const struct zfs_state *st, const char *name)
{
	struct zfs_dataset key = { .name = name };
	return st->n_datasets ? bsearch(&key, st->datasets, st->n_datasets, sizeof(key), cmp_ds) : NULL;
}

const struct zprop *zfs_dataset_prop(const struct zfs_dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->n_props; i++)
		if (!strcmp(ds->props[i].name, name))
			return &ds->props[i];
	return NULL;
}

bool zpool_usage_has(const char *usage, const char *cmd)
{
	size_t n = strlen(cmd);
	for (const char *l = usage; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (l[0] == '\t' && !strncmp(l + 1, cmd, n) && (l[1 + n] == ' ' || l[1 + n] == '\t' ||
								  l[1 + n] == '\n' || !l[1 + n]))
			return true;
	return false;
}

int zpool_read_has_trim(bool *has, struct diag_list *dl)
{
	const char *argv[] = { zpool_prog(), NULL };
	struct exec_result r;
	exec_run(argv, NULL, &r);
	*has = false;
	if (r.status < 0) {
		report_failure(argv, &r, dl);
		exec_result_free(&r);
		return -1;
	}
	/* the usage goes to stderr (exit status 2 on OpenZFS, 0 on zfs-fuse) */
	*has = zpool_usage_has(r.err, "trim") || zpool_usage_has(r.out, "trim");
	exec_result_free(&r);
	return 0;
}
