#include "formats/guest_conf.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"
#include "util/strbuf.h"

/* Classifies one line (text without its line end). */
static void classify(struct gc_line *l, const char *t)
{
	size_t n = strlen(t);
	const char *p = t;
	while (*p && str_is_space(*p))
		p++;
	if (!*p) {
		l->kind = GC_BLANK;
		return;
	}
	if (t[0] == '[') {
		const char *e = t + n;
		while (e > t && str_is_space(e[-1]))
			e--;
		if (e - t > 2 && e[-1] == ']') {
			l->kind = GC_SECTION;
			l->key = xstrndup(t + 1, (size_t)(e - t - 2));
			return;
		}
	}
	if (t[0] == '#') {
		l->kind = GC_COMMENT;
		return;
	}
	if (!strncmp(t, "lxc.", 4)) {
		size_t k = 4;
		while (t[k] && (islower((unsigned char)t[k]) || isdigit((unsigned char)t[k]) ||
				t[k] == '_' || t[k] == '-' || t[k] == '.'))
			k++;
		size_t s = k;
		while (t[s] == ' ' || t[s] == '\t')
			s++;
		if (t[k] == ':' || t[s] == '=') {
			size_t v = t[k] == ':' ? k + 1 : s + 1;
			l->kind = GC_LXC;
			l->key = xstrndup(t, k);
			l->value = str_trim_dup(t + v, n - v);
			return;
		}
	}
	if (islower((unsigned char)t[0])) {
		size_t k = 1;
		while (islower((unsigned char)t[k]) || t[k] == '_' || t[k] == '-')
			k++;
		while (isdigit((unsigned char)t[k]))
			k++;
		if (t[k] == ':') {
			char *v = str_trim_dup(t + k + 1, n - k - 1);
			if (*v) {
				l->kind = GC_KEY;
				l->key = xstrndup(t, k);
				l->value = v;
				return;
			}
			free(v);
		}
	}
	l->kind = GC_OTHER;
}

static void line_init(struct gc_line *l, const char *raw, int section)
{
	memset(l, 0, sizeof(*l));
	l->text = xstrdup(raw);
	size_t n = strlen(raw);
	while (n && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
		n--;
	char *t = xstrndup(raw, n);
	classify(l, t);
	free(t);
	l->section = section;
}

static void line_free(struct gc_line *l)
{
	free(l->text);
	free(l->key);
	free(l->value);
}

void guest_conf_parse(struct guest_conf *g, const char *text, size_t len)
{
	memset(g, 0, sizeof(*g));
	size_t start = 0;
	int section = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		size_t end = i < len ? i + 1 : len;
		char *raw = xstrndup(text + start, end - start);
		g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
		struct gc_line *l = &g->v[g->n];
		line_init(l, raw, section);
		if (l->kind == GC_SECTION)
			l->section = ++section;
		g->n++;
		free(raw);
		start = end;
	}
}

char *guest_conf_serialize(const struct guest_conf *g)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < g->n; i++)
		sb_adds(&sb, g->v[i].text);
	return sb_detach(&sb);
}

void guest_conf_free(struct guest_conf *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		line_free(&g->v[i]);
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

const char *gc_get(const struct guest_conf *g, const char *key)
{
	for (size_t i = 0; i < g->n && g->v[i].section == 0; i++)
		if (g->v[i].kind == GC_KEY && !strcmp(g->v[i].key, key))
			return g->v[i].value;
	return NULL;
}

static void insert_at(struct guest_conf *g, size_t at, const char *raw)
{
	g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
	memmove(&g->v[at + 1], &g->v[at], (g->n - at) * sizeof(*g->v));
	line_init(&g->v[at], raw, 0);
	g->n++;
}

static void terminate(struct gc_line *l)
{
	size_t n = strlen(l->text);
	if (!n || l->text[n - 1] != '\n') {
		char *t = xasprintf("%s\n", l->text);
		free(l->text);
		l->text = t;
	}
}

/* A key Proxmox reads back as a key: [a-z][a-z_-]*[0-9]* (what classify() accepts). */
static bool key_ok(const char *k)
{
	size_t i = 0;
	if (!islower((unsigned char)k[0]))
		return false;
	while (islower((unsigned char)k[i]) || k[i] == '_' || k[i] == '-')
		i++;
	while (isdigit((unsigned char)k[i]))
		i++;
	return k[i] == '\0';
}

int gc_set(struct guest_conf *g, const char *key, const char *value)
{
	if (!key_ok(key) || !str_line_ok(value) || !*value)
		return -EINVAL;
	char *raw = xasprintf("%s: %s\n", key, value);
	size_t main_end = 0;     /* index after the last line of the main section */
	size_t last_key = SIZE_MAX, last_content = SIZE_MAX;
	while (main_end < g->n && g->v[main_end].section == 0)
		main_end++;
	for (size_t i = 0; i < main_end; i++) {
		struct gc_line *l = &g->v[i];
		if (l->kind == GC_KEY && !strcmp(l->key, key)) {
			line_free(l);
			line_init(l, raw, 0);
			free(raw);
			return 0;
		}
	}
	for (size_t i = 0; i < main_end; i++) {
		struct gc_line *l = &g->v[i];
		if (l->kind != GC_BLANK)
			last_content = i;
		if (l->kind != GC_KEY)
			continue;
		if (strcmp(l->key, key) > 0) {
			insert_at(g, i, raw);
			free(raw);
			return 0;
		}
		last_key = i;
	}
	size_t after = last_key != SIZE_MAX ? last_key : last_content;
	if (after == SIZE_MAX) {
		insert_at(g, 0, raw);
	} else {
		terminate(&g->v[after]);
		insert_at(g, after + 1, raw);
	}
	free(raw);
	return 0;
}

void gc_unset(struct guest_conf *g, const char *key)
{
	for (size_t i = 0; i < g->n && g->v[i].section == 0; i++) {
		if (g->v[i].kind == GC_KEY && !strcmp(g->v[i].key, key)) {
			line_free(&g->v[i]);
			memmove(&g->v[i], &g->v[i + 1], (g->n - i - 1) * sizeof(*g->v));
			g->n--;
			return;
		}
	}
}

int pve_propstr_parse(const char *s, const char *default_key, struct pve_propstr *p)
{
	memset(p, 0, sizeof(*p));
	int rc = 0;
	while (*s && !rc) {
		size_t n = strcspn(s, ",");
		char *item = str_trim_dup(s, n);
		s += n;
		if (*s == ',')
			s++;
		if (!*item) {
			free(item);
			continue;
		}
		/* KEY=VALUE, blanks around '=' in neither (the item is trimmed as a whole) */
		char *eq = strchr(item, '=');
		const char *val = item;
		if (eq) {
			*eq = '\0';
			for (val = eq + 1; str_is_space(*val); val++)
				;
			for (char *k = eq; k > item && str_is_space(k[-1]); k--)
				k[-1] = '\0';
		}
		if (!eq || !strcmp(item, default_key)) {
			if (p->volume || !*val)
				rc = -1;
			else
				p->volume = xstrdup(val);
		} else if (!*item || !*val || pve_propstr_get(p, item)) {
			rc = -1;
		} else {
			p->opts = xrealloc(p->opts, (p->n_opts + 1) * sizeof(*p->opts));
			p->opts[p->n_opts].key = xstrdup(item);
			p->opts[p->n_opts].value = xstrdup(val);
			p->n_opts++;
		}
		free(item);
	}
	if (rc)
		pve_propstr_free(p);
	return rc;
}

void pve_propstr_free(struct pve_propstr *p)
{
	if (!p)
		return;
	free(p->volume);
	for (size_t i = 0; i < p->n_opts; i++) {
		free(p->opts[i].key);
		free(p->opts[i].value);
	}
	free(p->opts);
	memset(p, 0, sizeof(*p));
}

const char *pve_propstr_get(const struct pve_propstr *p, const char *key)
{
	for (size_t i = 0; i < p->n_opts; i++)
		if (!strcmp(p->opts[i].key, key))
			return p->opts[i].value;
	return NULL;
}

void pve_propstr_set(struct pve_propstr *p, const char *key, const char *value)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		if (strcmp(p->opts[i].key, key))
			continue;
		if (value) {
			free(p->opts[i].value);
			p->opts[i].value = xstrdup(value);
		} else {
			free(p->opts[i].key);
			free(p->opts[i].value);
			memmove(&p->opts[i], &p->opts[i + 1], (p->n_opts - i - 1) * sizeof(*p->opts));
			p->n_opts--;
		}
		return;
	}
	if (!value)
		return;
	p->opts = xrealloc(p->opts, (p->n_opts + 1) * sizeof(*p->opts));
	p->opts[p->n_opts].key = xstrdup(key);
	p->opts[p->n_opts].value = xstrdup(value);
	p->n_opts++;
}

static int cmp_opt(const void *a, const void *b)
{
	const struct pve_opt *x = *(const struct pve_opt *const *)a, *y = *(const struct pve_opt *const *)b;
	return strcmp(x->key, y->key);
}

char *pve_propstr_format(const struct pve_propstr *p)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	if (p->volume)
		sb_adds(&sb, p->volume);
	const char *mp = pve_propstr_get(p, "mp");
	if (mp)
		sb_addf(&sb, "%smp=%s", sb.len ? "," : "", mp);
	const struct pve_opt **v = xcalloc(p->n_opts + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < p->n_opts; i++)
		if (strcmp(p->opts[i].key, "mp"))
			v[n++] = &p->opts[i];
	if (n)
		qsort(v, n, sizeof(*v), cmp_opt);
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%s%s=%s", sb.len ? "," : "", v[i]->key, v[i]->value);
	free(v);
	return sb_detach(&sb);
}

int pve_bool(const char *s)
{
	if (!s)
		return -1;
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

int pve_size_parse(const char *s, uint64_t *bytes)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	const char *p = s;
	uint64_t whole = 0;
	while (isdigit((unsigned char)*p)) {
		if (whole > UINT64_MAX / 10 - 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
		p++;
	}
	uint64_t frac_num = 0, frac_den = 1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (frac_den < 1000000000ULL) {
				frac_num = frac_num * 10 + (uint64_t)(*p - '0');
				frac_den *= 10;
			}
			p++;
		}
	}
	unsigned shift = 0;
	switch (*p) {
	case 'K': shift = 10; p++; break;
	case 'M': shift = 20; p++; break;
	case 'G': shift = 30; p++; break;
	case 'T': shift = 40; p++; break;
	default: break;
	}
	if (*p)
		return -1;
	if (shift && whole > (UINT64_MAX >> shift))
		return -1;
	uint64_t unit = (uint64_t)1 << shift;
	*bytes = whole * unit + (uint64_t)((double)frac_num / (double)frac_den * (double)unit);
	return 0;
}

char *pve_size_format(uint64_t bytes)
{
	static const char units[] = { 'K', 'M', 'G', 'T' };
	if (bytes == 0 || bytes % 1024)
		return xasprintf("%llu", (unsigned long long)bytes);
	uint64_t v = bytes / 1024;
	int u = 0;
	while (u < 3 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	return xasprintf("%llu%c", (unsigned long long)v, units[u]);
}

int gc_first_free_mp(const struct guest_conf *g, const int *used, size_t n_used)
{
	bool taken[256] = { false };
	for (size_t i = 0; i < n_used; i++)
		if (used[i] >= 0 && used[i] < 256)
			taken[used[i]] = true;
	int section = 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct gc_line *l = &g->v[i];
		if (l->kind == GC_SECTION)
			section = strcasecmp(l->key, "pve:pending") ? -1 : l->section;
		if (l->kind != GC_KEY || (l->section != 0 && l->section != section))
			continue;
		if (!gc_is_mount_key(l->key))
			continue;
		int n = atoi(l->key + 2);
		if (n >= 0 && n < 256)
			taken[n] = true;
	}
	for (int i = 0; i < 256; i++)
		if (!taken[i])
			return i;
	return -1;
}

/* a and b equal as paths: "//" read as "/", a trailing "/" ignored (only for comparing). */
static bool same_path(const char *a, const char *b)
{
	for (;;) {
		while (a[0] == '/' && a[1] == '/')
			a++;
		while (b[0] == '/' && b[1] == '/')
			b++;
		if ((!*a || !strcmp(a, "/")) && (!*b || !strcmp(b, "/")))
			return true;
		if (*a != *b)
			return false;
		a++, b++;
	}
}

bool gc_is_mount_key(const char *key)
{
	return !strncmp(key, "mp", 2) && isdigit((unsigned char)key[2]);
}

/* True when line l is `mpN: SOURCE,mp=TARGET,...` (source compared as a path when it is one). */
static bool line_mounts(const struct gc_line *l, const char *source, const char *target)
{
	if (l->kind != GC_KEY || !gc_is_mount_key(l->key))
		return false;
	struct pve_propstr ps;
	if (pve_propstr_parse(l->value, "volume", &ps))
		return false;
	const char *mp = pve_propstr_get(&ps, "mp");
	bool ok = ps.volume && mp && same_path(mp, target) &&
		  (source[0] == '/' ? ps.volume[0] == '/' && same_path(ps.volume, source) : !strcmp(ps.volume, source));
	pve_propstr_free(&ps);
	return ok;
}

long gc_find_mount(const struct guest_conf *g, const char *source, const char *target, bool pending_too)
{
	int pending = -1;
	long in_pending = -1;
	for (size_t i = 0; i < g->n; i++) {
		const struct gc_line *l = &g->v[i];
		if (l->kind == GC_SECTION)
			pending = strcasecmp(l->key, "pve:pending") ? -1 : l->section;
		if (!line_mounts(l, source, target))
			continue;
		if (l->section == 0)
			return (long)i;
		if (pending_too && l->section == pending && in_pending < 0)
			in_pending = (long)i;
	}
	return in_pending;
}

long gc_find_mount_at(const struct guest_conf *g, const char *target)
{
	for (size_t i = 0; i < g->n && g->v[i].section == 0; i++) {
		const struct gc_line *l = &g->v[i];
		if (l->kind != GC_KEY || !gc_is_mount_key(l->key))
			continue;
		struct pve_propstr ps;
		if (pve_propstr_parse(l->value, "volume", &ps))
			continue;
		const char *mp = pve_propstr_get(&ps, "mp");
		bool hit = mp && same_path(mp, target);
		pve_propstr_free(&ps);
		if (hit)
			return (long)i;
	}
	return -1;
}

void gc_remove_line(struct guest_conf *g, size_t i)
{
	if (i >= g->n)
		return;
	line_free(&g->v[i]);
	memmove(&g->v[i], &g->v[i + 1], (g->n - i - 1) * sizeof(*g->v));
	g->n--;
}
