/*
 * zpool status -j (OpenZFS 2.3) into the zpool_health model. Numbers come as
 * strings ("0", "1.48K", "1733000000" with -p) or, with --json-int, as JSON
 * integers; times as epoch seconds (-p / --json-int) or as printed dates
 * ("Tue Dec  1 23:53:12 UTC 2026" without -p). Prefer `-j -p`: exact numbers
 * as strings; --json-int prints guids beyond 2^63 (read here as doubles).
 * Vdev states use the kernel's names (CANT_OPEN for UNAVAIL).
 */
#include "state/zpool_health.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* An unsigned number in any of the JSON forms; false when absent or not one. */
static bool jnum(json_t *o, const char *key, uint64_t *v)
{
	json_t *x = json_object_get(o, key);
	if (json_is_integer(x)) {
		json_int_t i = json_integer_value(x);
		if (i < 0)
			return false;
		*v = (uint64_t)i;
		return true;
	}
	if (json_is_real(x)) { /* decoded as real: see zh_parse_status_json */
		double d = json_real_value(x);
		if (d < 0 || d >= 18446744073709551616.0)
			return false;
		*v = (uint64_t)d;
		return true;
	}
	if (json_is_string(x))
		return zh_parse_nicenum(json_string_value(x), v) == 0;
	return false;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);
	return json_is_string(x) ? json_string_value(x) : NULL;
}

/* A time: epoch number (0 = unset) or a printed date. */
static void jtime(json_t *o, const char *key, struct zh_time *t)
{
	memset(t, 0, sizeof(*t));
	json_t *x = json_object_get(o, key);
	const char *s = json_is_string(x) ? json_string_value(x) : NULL;
	uint64_t v;
	if (json_is_number(x) || (s && zh_parse_nicenum(s, &v) == 0 && strspn(s, "0123456789") == strlen(s))) {
		if (!jnum(o, key, &v) || v == 0)
			return;
		t->set = true;
		t->is_epoch = true;
		t->epoch = (time_t)v;
		return;
	}
	if (s && zh_parse_ctime(s, &t->tm)) {
		t->set = true;
		t->is_epoch = false;
		return;
	}
	/* -j without -p: "Tue Dec  1 23:53:12 UTC 2026", the zone before the year.
	 * Read as the local time it is; the zone name is not interpreted. */
	const char *yr = s ? strrchr(s, ' ') : NULL;
	if (yr && strlen(s) > 20 && s[19] == ' ') {
		char *c = xasprintf("%.19s%s", s, yr);
		if (zh_parse_ctime(c, &t->tm)) {
			t->set = true;
			t->is_epoch = false;
		}
		free(c);
	}
}

/* Text as the text parser keeps it: each line without its leading tabs and
 * spaces, lines joined by one space (spacing inside a line stays). */
static char *squash(const char *s)
{
	if (!s)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_add_joined_lines(&sb, s, true);
	return sb_detach(&sb);
}

static enum zh_state vdev_state(const char *s)
{
	if (!s)
		return ZH_STATE_UNKNOWN;
	if (!strcmp(s, "CANT_OPEN"))
		return ZH_UNAVAIL;
	return zh_state_parse(s);
}

struct walk {
	struct zh_pool *p;
	bool resilvering; /* the pool's scan is a running resilver */
};

static void add_vdevs(struct walk *w, json_t *obj, int depth, int parent, enum zh_group g);

static void add_vdev(struct walk *w, const char *key, json_t *v, int depth, int parent, enum zh_group g)
{
	struct zh_pool *p = w->p;
	p->vdevs = xrealloc(p->vdevs, (p->n_vdevs + 1) * sizeof(*p->vdevs));
	size_t idx = p->n_vdevs++;
	struct zh_vdev *d = &p->vdevs[idx];
	memset(d, 0, sizeof(*d));
	const char *name = jstr(v, "name");
	d->name = xstrdup(name ? name : key);
	d->depth = depth;
	d->parent = depth >= 2 ? parent : -1;
	d->group = g;
	const char *st = jstr(v, "state");
	d->state_text = xstrdup(st ? st : "");
	d->state = vdev_state(st);
	uint64_t r, wr, c;
	if (jnum(v, "read_errors", &r) && jnum(v, "write_errors", &wr) && jnum(v, "checksum_errors", &c)) {
		d->has_counters = true;
		d->read_errors = r;
		d->write_errors = wr;
		d->cksum_errors = c;
	}
	const char *was = jstr(v, "was"), *aux = jstr(v, "aux");
	uint64_t proc = 0;
	if (was)
		d->note = xasprintf("was %s", was);
	else if (aux)
		d->note = xasprintf("aux %s", aux);
	else if (w->resilvering && jnum(v, "scan_processed", &proc) && proc)
		d->note = xstrdup("(resilvering)");
	/* Type: from vdev_type, parity from the name (raidz2-0, draid1:2d:5c:1s-0).
	 * 2.3 prints no vdev_type (nor state) for a dRAID vdev: the name decides. */
	const char *t = jstr(v, "vdev_type");
	const char *n = d->name;
	if (depth == 0 || (t && !strcmp(t, "root"))) {
		d->type = ZH_VDEV_ROOT;
	} else if (!t) {
		zh_vdev_classify(d);
	} else if (!strcmp(t, "mirror")) {
		d->type = ZH_VDEV_MIRROR;
	} else if (!strcmp(t, "raidz")) {
		d->type = ZH_VDEV_RAIDZ;
		d->parity = (!strncmp(n, "raidz", 5) && n[5] >= '1' && n[5] <= '3') ? n[5] - '0' : 1;
	} else if (!strcmp(t, "draid")) {
		d->type = ZH_VDEV_DRAID;
		d->parity = (!strncmp(n, "draid", 5) && n[5] >= '1' && n[5] <= '3') ? n[5] - '0' : 1;
	} else if (!strcmp(t, "dspare")) {
		d->type = ZH_VDEV_DRAID_SPARE;
	} else if (!strcmp(t, "replacing")) {
		d->type = ZH_VDEV_REPLACING;
	} else if (!strcmp(t, "spare")) {
		d->type = ZH_VDEV_SPARE;
	} else if (!strcmp(t, "file")) {
		d->type = ZH_VDEV_FILE;
	} else if (!strcmp(t, "disk")) {
		d->type = ZH_VDEV_DISK;
	} else {
		d->type = ZH_VDEV_OTHER;
	}
	json_t *kids = json_object_get(v, "vdevs");
	if (json_is_object(kids))
		add_vdevs(w, kids, depth + 1, (int)idx, g);
}

static void add_vdevs(struct walk *w, json_t *obj, int depth, int parent, enum zh_group g)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (json_is_object(v))
			add_vdev(w, key, v, depth, parent, g);
	}
}

static enum zh_scan_state scan_state(const char *s, bool paused)
{
	if (!s)
		return ZH_SCAN_NEVER;
	if (!strcmp(s, "SCANNING") || !strcmp(s, "ERRORSCRUBBING") || !strcmp(s, "ACTIVE"))
		return paused ? ZH_SCAN_PAUSED : ZH_SCAN_RUNNING;
	if (!strcmp(s, "FINISHED") || !strcmp(s, "COMPLETE"))
		return ZH_SCAN_FINISHED;
	if (!strcmp(s, "CANCELED"))
		return ZH_SCAN_CANCELED;
	return ZH_SCAN_NEVER;
}

static struct zh_scan *new_scan(struct zh_pool *p)
{
	p->scans = xrealloc(p->scans, (p->n_scans + 1) * sizeof(*p->scans));
	struct zh_scan *sc = &p->scans[p->n_scans++];
	memset(sc, 0, sizeof(*sc));
	sc->duration_s = -1;
	sc->errors = -1;
	sc->pct_done = -1;
	return sc;
}

static void finish_times(struct zh_scan *sc)
{
	if (sc->state == ZH_SCAN_FINISHED && sc->start.set && sc->end.set &&
	    sc->start.is_epoch == sc->end.is_epoch) {
		if (sc->start.is_epoch) {
			sc->duration_s = (int64_t)(sc->end.epoch - sc->start.epoch);
		} else {
			/* two local times: their wall-clock difference (off by the
			 * DST shift when one falls between them) */
			struct tm a = sc->start.tm, b = sc->end.tm;
			sc->duration_s = (int64_t)(timegm(&b) - timegm(&a));
		}
	}
	if (sc->state != ZH_SCAN_FINISHED && sc->state != ZH_SCAN_CANCELED)
		memset(&sc->end, 0, sizeof(sc->end));
}

/* scan_stats: the scrub or resilver; rebuild_stats: sequential resilvers. */
static void add_scans(struct zh_pool *p, json_t *ss)
{
	const char *fn = jstr(ss, "function");
	if (fn && strcmp(fn, "NONE")) {
		struct zh_scan *sc = new_scan(p);
		sc->func = !strcmp(fn, "SCRUB") ? ZH_SCAN_SCRUB
			 : !strcmp(fn, "RESILVER") ? ZH_SCAN_RESILVER
			 : !strcmp(fn, "ERRORSCRUB") ? ZH_SCAN_ERRORSCRUB : ZH_SCAN_NONE;
		jtime(ss, "scrub_pause", &sc->paused);
		sc->state = scan_state(jstr(ss, "state"), sc->paused.set);
		if (sc->state != ZH_SCAN_PAUSED)
			memset(&sc->paused, 0, sizeof(sc->paused));
		jtime(ss, "start_time", &sc->start);
		jtime(ss, "end_time", &sc->end);
		uint64_t v, tot, skip = 0, iss;
		if (jnum(ss, "processed", &v))
			sc->repaired_bytes = v;
		if (jnum(ss, "errors", &v))
			sc->errors = (int64_t)v;
		if ((sc->state == ZH_SCAN_RUNNING || sc->state == ZH_SCAN_PAUSED) &&
		    jnum(ss, "to_examine", &tot) && jnum(ss, "issued", &iss)) {
			jnum(ss, "skipped", &skip);
			if (tot > skip)
				sc->pct_done = 100.0 * (double)iss / (double)(tot - skip);
		}
		finish_times(sc);
		if (sc->state == ZH_SCAN_RUNNING || sc->state == ZH_SCAN_PAUSED)
			sc->errors = -1; /* the text shows no count while it runs */
	}
	json_t *rb = json_object_get(ss, "rebuild_stats");
	const char *key;
	json_t *v;
	json_object_foreach(rb, key, v) {
		struct zh_scan *sc = new_scan(p);
		sc->func = ZH_SCAN_REBUILD;
		sc->vdev = xstrdup(key);
		sc->state = scan_state(jstr(v, "state"), false);
		jtime(v, "start_time", &sc->start);
		jtime(v, "end_time", &sc->end);
		uint64_t x, tot;
		if (jnum(v, "rebuilt", &x))
			sc->repaired_bytes = x;
		if (jnum(v, "errors", &x))
			sc->errors = (int64_t)x;
		if (sc->state == ZH_SCAN_RUNNING && jnum(v, "scanned", &x) && jnum(v, "to_scan", &tot) && tot)
			sc->pct_done = 100.0 * (double)x / (double)tot;
		finish_times(sc);
	}
}

static void add_pool(struct zh_status *out, const char *key, json_t *pj)
{
	out->pools = xrealloc(out->pools, (out->n_pools + 1) * sizeof(*out->pools));
	struct zh_pool *p = &out->pools[out->n_pools++];
	memset(p, 0, sizeof(*p));
	const char *name = jstr(pj, "name");
	p->name = xstrdup(name ? name : key);
	const char *st = jstr(pj, "state");
	p->state_text = xstrdup(st ? st : "");
	p->state = zh_state_parse(p->state_text);
	p->status = squash(jstr(pj, "status"));
	p->action = squash(jstr(pj, "action"));
	p->see = squash(jstr(pj, "moreinfo"));
	if (p->status && !*p->status) {
		free(p->status);
		p->status = NULL;
	}
	if (p->action && !*p->action) {
		free(p->action);
		p->action = NULL;
	}
	json_t *ss = json_object_get(pj, "scan_stats");
	if (json_is_object(ss))
		add_scans(p, ss);
	struct walk w = { p, false };
	for (size_t i = 0; i < p->n_scans; i++)
		w.resilvering |= p->scans[i].func == ZH_SCAN_RESILVER && p->scans[i].state == ZH_SCAN_RUNNING;
	add_vdevs(&w, json_object_get(pj, "vdevs"), 0, -1, ZH_DATA);
	static const struct { const char *k; enum zh_group g; } classes[] = {
		{ "dedup", ZH_DEDUP }, { "special", ZH_SPECIAL }, { "logs", ZH_LOGS },
		{ "l2cache", ZH_CACHE }, { "spares", ZH_SPARES },
	};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		json_t *c = json_object_get(pj, classes[i].k);
		if (json_is_object(c))
			add_vdevs(&w, c, 1, -1, classes[i].g);
	}
	uint64_t n;
	p->data_errors = jnum(pj, "error_count", &n) ? (int64_t)n : -1;
}

int zh_parse_status_json(const char *text, struct zh_status *out, struct diag_list *dl)
{
	json_error_t e;
	json_t *root = json_loads(text, 0, &e);
	/* --json-int prints guids above 2^63, which jansson refuses as integers:
	 * then every number is read as a double (exact up to 2^53). */
	if (!root && json_error_code(&e) == json_error_numeric_overflow)
		root = json_loads(text, JSON_DECODE_INT_AS_REAL, &e);
	if (!root) {
		diag_add(dl, DIAG_ERROR, NULL, e.line, e.column, NULL, NULL,
			 "unexpected output of 'zpool status -j': %s", e.text);
		return -1;
	}
	json_t *pools = json_object_get(root, "pools");
	if (!json_is_object(pools)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
			 "unexpected output of 'zpool status -j': no \"pools\" object");
		json_decref(root);
		return -1;
	}
	const char *key;
	json_t *pj;
	json_object_foreach(pools, key, pj) {
		if (json_is_object(pj))
			add_pool(out, key, pj);
	}
	json_decref(root);
	return 0;
}
