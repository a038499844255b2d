#include "state/zfs_state.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/zprops.h"
#include "exec/exec.h"

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

/*
 * Parses `zfs get -H -p` output: one copy of the text is kept and split in
 * place (tabs and newlines become NULs), so 45,000 lines cost one allocation
 * and a few array growths, not three allocations a line.
 */
int zfs_parse_get(const char *text, struct zfs_state *st, struct diag_list *dl)
{
	char *buf = xstrdup(text);
	st->bufs = xrealloc(st->bufs, (st->n_bufs + 1) * sizeof(*st->bufs));
	st->bufs[st->n_bufs++] = buf;
	struct zfs_dataset *cur = NULL;
	size_t lineno = 0;
	for (char *line = buf; *line;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		lineno++;
		if (*line) {
			/* Split on tabs only: names and values may contain spaces. */
			char *f[4] = { line, NULL, NULL, NULL };
			for (int k = 1; k < 4; k++) {
				char *t = strchr(f[k - 1], '\t');
				if (!t)
					break;
				*t = '\0';
				f[k] = t + 1;
			}
			if (!f[3]) {
				diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
					 "unexpected output of 'zfs get' at line %zu: '%s'", lineno, line);
				return -1;
			}
			if (!strpbrk(f[0], "@#")) {
				if (!cur || strcmp(cur->name, f[0]))
					cur = add_dataset(st, f[0]);
				if (cur->n_props == cur->cap_props) {
					cur->cap_props = cur->cap_props ? cur->cap_props * 2 : 64;
					cur->props = xrealloc(cur->props, cur->cap_props * sizeof(*cur->props));
				}
				cur->props[cur->n_props++] = (struct zprop){ f[1], f[2], f[3] };
			}
		}
		if (!eol)
			break;
		line = eol + 1;
	}
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

static char *second_word(const char *s)
{
	s = skip_spaces(s);
	while (*s && !isspace((unsigned char)*s))
		s++;
	return first_word(s);
}

static void add_vdev(struct zpool *p, const char *name, const char *state, int depth)
{
	p->vdevs = xrealloc(p->vdevs, (p->n_vdevs + 1) * sizeof(*p->vdevs));
	p->vdevs[p->n_vdevs].name = xstrdup(name);
	p->vdevs[p->n_vdevs].state = xstrdup(state);
	p->vdevs[p->n_vdevs].depth = depth;
	p->n_vdevs++;
}

static const char *layout_from_vdev(const char *name)
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

int zpool_parse_status(const char *text, struct zfs_state *st, bool importable, struct diag_list *dl)
{
	(void)dl;
	struct zpool *cur = NULL;
	bool in_config = false;
	bool in_aux = false;  /* logs, cache, spares, special sections */
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *l = xstrndup(line, len);
		const char *t = skip_spaces(l);
		if (!strncmp(t, "pool: ", 6)) {
			char *name = first_word(t + 6);
			/* An importable pool that is also imported is not listed twice. */
			bool dup = false;
			for (size_t i = 0; i < st->n_pools; i++)
				dup |= !strcmp(st->pools[i].name, name);
			if (dup && importable) {
				cur = NULL;
				free(name);
			} else {
				st->pools = xrealloc(st->pools, (st->n_pools + 1) * sizeof(*st->pools));
				cur = &st->pools[st->n_pools++];
				memset(cur, 0, sizeof(*cur));
				cur->name = name;
				cur->importable = importable;
				cur->layout = xstrdup("stripe");
			}
			in_config = false;
		} else if (cur && !strncmp(t, "state: ", 7) && !in_config) {
			free(cur->state);
			cur->state = first_word(t + 7);
		} else if (cur && !strncmp(t, "id: ", 4) && !in_config) {
			free(cur->import_id);
			cur->import_id = first_word(t + 4);
		} else if (cur && !strncmp(t, "config:", 7)) {
			in_config = true;
			in_aux = false;
		} else if (cur && !strncmp(t, "errors:", 7)) {
			free(cur->errors);
			cur->errors = xstrdup(skip_spaces(t + 7));
			in_config = false;
		} else if (cur && in_config && l[0] == '\t' && *t) {
			/* Depth: two spaces per level after the tab. */
			int sp = 0;
			while (l[1 + sp] == ' ')
				sp++;
			int depth = sp / 2;
			char *name = first_word(t);
			char *state = second_word(t);
			if (!strcmp(name, "NAME") && !strcmp(state, "STATE")) {
				/* header */
			} else if (depth <= 1 && (!strcmp(name, "logs") || !strcmp(name, "cache") ||
						  !strcmp(name, "spares") || !strcmp(name, "special") ||
						  !strcmp(name, "dedup"))) {
				/* Auxiliary vdev groups sit at the pool's own indentation. */
				in_aux = true;
			} else if (depth == 0) {
				in_aux = false;
			} else if (!in_aux) {
				if (depth == 1 && cur->n_vdevs == 0) {
					free(cur->layout);
					cur->layout = xstrdup(layout_from_vdev(name));
				}
				add_vdev(cur, name, state, depth - 1);
			}
			free(name);
			free(state);
		} else if (cur && in_config && *t == '\0') {
			/* blank line inside config: keep going */
		} else if (in_config && l[0] != '\t' && *t) {
			in_config = false;
		}
		free(l);
		line = eol ? eol + 1 : line + len;
	}
	return 0;
}

/* ---- capabilities from `zfs get` usage ---- */

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
			for (int k = 0; k < 2; k++) {
				v = skip_spaces(v);
				while (*v && !isspace((unsigned char)*v))
					v++;
			}
			v = skip_spaces(v);
			if (strstr(name, "@...") == NULL)
				sv_push(&caps->props, name);
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

static int run_capture(const char *const argv[], struct exec_result *r, struct zfs_state *st,
		       struct diag_list *dl, bool usage_ok)
{
	int rc = exec_run(argv, NULL, r);
	st->invocations++;
	if (rc == 0 || (usage_ok && r->status > 0))
		return 0;
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
	return -1;
}

static int cmp_ds(const void *a, const void *b)
{
	return strcmp(((const struct zfs_dataset *)a)->name, ((const struct zfs_dataset *)b)->name);
}

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

	const char *status_argv[] = { zpool_prog(), "status", NULL };
	if (run_capture(status_argv, &r, st, dl, false)) {
		exec_result_free(&r);
		return -1;
	}
	zpool_parse_status(r.out, st, false, dl);
	exec_result_free(&r);

	struct strvec argv = { 0 };
	sv_push(&argv, zfs_prog());
	sv_push(&argv, "get");
	sv_push(&argv, "-H");
	sv_push(&argv, "-p");
	sv_push(&argv, "-r");
	if (st->caps.get_types) {
		sv_push(&argv, "-t");
		sv_push(&argv, "filesystem,volume");
	}
	sv_push(&argv, "all");
	size_t fixed = argv.n;
	for (size_t i = 0; i < st->n_pools; i++) {
		bool wanted = !pools;
		for (size_t k = 0; pools && k < pools->n && !wanted; k++)
			wanted = !strcmp(pools->v[k], st->pools[i].name);
		if (wanted)
			sv_push(&argv, st->pools[i].name);
	}
	int rc = 0;
	if (argv.n > fixed) {
		if (run_capture(sv_argv(&argv), &r, st, dl, false))
			rc = -1;
		else
			rc = zfs_parse_get(r.out, st, dl);
		exec_result_free(&r);
		if (!rc)
			qsort(st->datasets, st->n_datasets, sizeof(*st->datasets), cmp_ds);
	}
	sv_free(&argv);
	return rc;
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
	for (size_t i = 0; i < st->n_pools; i++) {
		struct zpool *p = &st->pools[i];
		free(p->name);
		free(p->state);
		free(p->layout);
		free(p->errors);
		free(p->import_id);
		for (size_t k = 0; k < p->n_vdevs; k++) {
			free(p->vdevs[k].name);
			free(p->vdevs[k].state);
		}
		free(p->vdevs);
	}
	free(st->pools);
	for (size_t i = 0; i < st->n_datasets; i++)
		free(st->datasets[i].props);
	free(st->datasets);
	for (size_t i = 0; i < st->n_bufs; i++)
		free(st->bufs[i]);
	free(st->bufs);
	sv_free(&st->caps.props);
	sv_free(&st->caps.compression);
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
