/* Snapshot state: one `zfs get` over the datasets of the policies (see snap_state.h). */
#include "state/snap_state.h"

#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "exec/program.h"
#include "state/zfs_state.h"

static struct snap_ds *ds_get(struct snap_state *st, const char *name, size_t len)
{
	/* rows come grouped: the last dataset is the usual answer */
	for (size_t i = st->n; i-- > 0;)
		if (strlen(st->v[i].name) == len && !memcmp(st->v[i].name, name, len))
			return &st->v[i];
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		st->v = xrealloc(st->v, st->cap * sizeof(*st->v));
	}
	struct snap_ds *d = &st->v[st->n++];
	memset(d, 0, sizeof(*d));
	d->name = xstrndup(name, len);
	return d;
}

static struct snap_info *snap_get(struct snap_ds *d, const char *name)
{
	if (d->n && !strcmp(d->s[d->n - 1].name, name))
		return &d->s[d->n - 1];
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->s = xrealloc(d->s, d->cap * sizeof(*d->s));
	}
	struct snap_info *s = &d->s[d->n++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	return s;
}

/* One row: name, property, value (source is not needed). */
static void apply_row(struct snap_state *st, const char *name, const char *prop, const char *val)
{
	const char *at = strchr(name, '@');
	/* bookmarks, and names ZFS never prints (a second '@', an empty part) */
	if (strchr(name, '#') || (at && (strchr(at + 1, '@') || !at[1] || at == name)) || !*name)
		return;
	struct snap_ds *d = ds_get(st, name, at ? (size_t)(at - name) : strlen(name));
	if (!at) {
		bool set = strcmp(val, "-") != 0;
		if (!strcmp(prop, SNAP_MARKER_PROP) && set) {
			free(d->marker);
			d->marker = xstrdup(val);
		} else if (!strcmp(prop, REPL_FLAGS_PROP) && set) {
			free(d->repl_flags);
			d->repl_flags = xstrdup(val);
		} else if (!strcmp(prop, REPL_IDS_PROP) && set) {
			free(d->repl_ids);
			d->repl_ids = xstrdup(val);
		} else if (!strcmp(prop, REPL_LAST_PROP) && set) {
			d->repl_last = strtoll(val, NULL, 10);
		} else if (!strcmp(prop, "receive_resume_token") && set) {
			free(d->resume_token);
			d->resume_token = xstrdup(val);
		} else if (!strcmp(prop, "encryption")) {
			d->encrypted = set && strcmp(val, "off");
		}
		return;
	}
	struct snap_info *s = snap_get(d, at + 1);
	if (!strcmp(prop, "guid"))
		s->guid = strtoull(val, NULL, 10);
	else if (!strcmp(prop, "createtxg"))
		s->createtxg = strtoull(val, NULL, 10);
	else if (!strcmp(prop, "creation"))
		s->creation = strtoll(val, NULL, 10);
	else if (!strcmp(prop, "userrefs"))
		s->userrefs = strtoull(val, NULL, 10);
	else if (!strcmp(prop, "clones"))
		s->has_clones = *val && strcmp(val, "-");
}

int snap_state_parse(const char *text, struct snap_state *st, struct diag_list *dl)
{
	int lineno = 0;
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		lineno++;
		if (n) {
			char *line = xstrndup(l, n);
			char *f[4] = { line, NULL, NULL, NULL };
			int k = 1;
			for (char *p = line; *p && k < 4; p++)
				if (*p == '\t') {
					*p = '\0';
					f[k++] = p + 1;
				}
			if (k < 4) {
				diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
					 "zfs get: line %d is not 'name TAB property TAB value TAB source': '%s'",
					 lineno, f[0]);
				free(line);
				return -1;
			}
			apply_row(st, f[0], f[1], f[2]);
			free(line);
		}
		l = e ? e + 1 : l + n;
	}
	return 0;
}

/* The dataset a "cannot open 'X': dataset does not exist" line of err names (caller frees), or NULL. */
bool snap_state_drop_missing(struct strvec *ds, const char *err)
{
	for (size_t i = 0; i < ds->n; i++) {
		char *m = xasprintf("cannot open '%s': dataset does not exist", ds->v[i]);
		bool hit = strstr(err, m) != NULL;
		free(m);
		if (!hit)
			continue;
		struct strvec rest = { 0 };
		for (size_t k = 0; k < ds->n; k++)
			if (k != i)
				sv_push(&rest, ds->v[k]);
		sv_free(ds);
		*ds = rest;
		return true;
	}
	return false;
}

static void report(const char *const argv[], const struct exec_result *r, struct diag_list *dl)
{
	char *text = exec_failure_text(argv, r);
	diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, r->hint, "%s", text);
	free(text);
}

/* The datasets, without any that lies below another (zfs get -r reads it already). */
static void top_datasets(const struct strvec *in, struct strvec *out)
{
	for (size_t i = 0; i < in->n; i++) {
		bool below = false;
		for (size_t k = 0; k < in->n && !below; k++) {
			size_t n = strlen(in->v[k]);
			below = (k != i && !strncmp(in->v[i], in->v[k], n) && in->v[i][n] == '/') ||
				(k < i && !strcmp(in->v[i], in->v[k]));
		}
		if (!below)
			sv_push(out, in->v[i]);
	}
}

int snap_state_read(struct snap_state *st, const struct strvec *datasets, struct diag_list *dl)
{
	struct strvec ds = { 0 };
	top_datasets(datasets, &ds);
	if (!ds.n)
		return 0;
	struct exec_result r;
	if (!st->caps_read) {
		const char *caps_argv[] = { zfs_prog(), "get", NULL };
		exec_run(caps_argv, NULL, &r);
		st->programs++;
		struct zfs_caps caps = { 0 };
		if (zfs_parse_caps(r.err, &caps))
			zfs_parse_caps(r.out, &caps);
		exec_result_free(&r);
		st->get_types = caps.get_types;
		st->has_clones = caps.known && zfs_caps_has_prop(&caps, "clones");
		st->caps_read = true;
		zfs_caps_free(&caps);
	}
	int rc = 0;
	for (int attempt = 0; attempt < 2 && ds.n; attempt++) {
		struct strvec argv = { 0 };
		sv_push(&argv, zfs_prog());
		sv_push(&argv, "get");
		sv_push(&argv, "-H");
		sv_push(&argv, "-p");
		sv_push(&argv, "-r");
		if (st->get_types) {
			sv_push(&argv, "-t");
			sv_push(&argv, "filesystem,volume,snapshot");
		}
		sv_pushf(&argv, "guid,createtxg,creation,userrefs%s," SNAP_MARKER_PROP,
			 st->has_clones ? ",clones" : "");
		for (size_t i = 0; i < ds.n; i++)
			sv_push(&argv, ds.v[i]);
		int erc = exec_run(sv_argv(&argv), NULL, &r);
		st->programs++;
		if (!erc) {
			rc = snap_state_parse(r.out, st, dl);
			attempt = 2;
		} else if (attempt > 0 || !snap_state_drop_missing(&ds, r.err)) {
			report(sv_argv(&argv), &r, dl);
			rc = -1;
			attempt = 2;
		}
		exec_result_free(&r);
		sv_free(&argv);
	}
	sv_free(&ds);
	return rc;
}

int snap_state_read_cmd_caps(struct snap_state *st, struct diag_list *dl)
{
	(void)dl;
	if (st->cmd_caps_read)
		return 0;
	st->cmd_caps_read = true;
	struct exec_result r;
	const char *argv[] = { zfs_prog(), NULL };
	exec_run(argv, NULL, &r);
	st->programs++;
	const char *u = *r.err ? r.err : r.out;
	st->multi_snapshot = false;
	st->comma_destroy = false;
	for (const char *l = u; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		char *line = xstrndup(l, n);
		char *t = line + strspn(line, " \t");
		size_t tl = strlen(t);
		while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '\t'))
			t[--tl] = '\0';
		if (!strncmp(t, "snapshot ", 9) && tl > 3 && !strcmp(t + tl - 3, "..."))
			st->multi_snapshot = true;
		if (!strncmp(t, "destroy ", 8) && strstr(t, "[,...]"))
			st->comma_destroy = true;
		free(line);
		l = e ? e + 1 : l + n;
	}
	exec_result_free(&r);
	return 0;
}

char *snap_state_would_free(const char *dataset, const struct strvec *names)
{
	char *list = sv_join(names, ",");
	char *arg = xasprintf("%s@%s", dataset, list);
	const char *argv[] = { zfs_prog(), "destroy", "-n", "-v", "-p", arg, NULL };
	struct exec_result r;
	int rc = exec_run(argv, NULL, &r);
	const char *p = rc ? NULL : strstr(r.out, "reclaim\t");
	char *res = p ? xasprintf("%llu bytes", strtoull(p + 8, NULL, 10))
		      : xasprintf("unknown (zfs destroy -nvp: %s)", rc ? r.err : "no reclaim line");
	exec_result_free(&r);
	free(arg);
	free(list);
	return res;
}

const struct snap_ds *snap_state_find(const struct snap_state *st, const char *name)
{
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->v[i].name, name))
			return &st->v[i];
	return NULL;
}

void snap_state_free(struct snap_state *st)
{
	for (size_t i = 0; i < st->n; i++) {
		struct snap_ds *d = &st->v[i];
		for (size_t k = 0; k < d->n; k++)
			free((char *)d->s[k].name);
		free(d->s);
		free(d->name);
		free(d->marker);
		free(d->repl_flags);
		free(d->resume_token);
		free(d->repl_ids);
	}
	free(st->v);
	memset(st, 0, sizeof(*st));
}
