#include "formats/promtext.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static bool alpha_(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

bool pt_valid_metric_name(const char *s)
{
	if (!s || !(alpha_(*s) || *s == ':'))
		return false;
	for (s++; *s; s++)
		if (!alpha_(*s) && !digit(*s) && *s != ':')
			return false;
	return true;
}

bool pt_valid_label_name(const char *s)
{
	if (!s || !alpha_(*s) || !strncmp(s, "__", 2))
		return false;
	for (s++; *s; s++)
		if (!alpha_(*s) && !digit(*s))
			return false;
	return true;
}

/* True when s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		int n;
		uint32_t cp;
		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1, cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, cp = c & 0x07;
		} else {
			return false;
		}
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
		if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		p += n + 1;
	}
	return true;
}

static struct pt_family *find(const struct pt_registry *r, const char *name)
{
	for (size_t i = 0; i < r->n_families; i++)
		if (!strcmp(r->families[i].name, name))
			return &r->families[i];
	return NULL;
}

static const char *type_name(enum pt_type t)
{
	return t == PT_GAUGE ? "gauge" : t == PT_COUNTER ? "counter" : "untyped";
}

int pt_family(struct pt_registry *r, const char *name, enum pt_type type, const char *help,
	      struct diag_list *dl)
{
	if (!pt_valid_metric_name(name)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "invalid metric name '%s'", name ? name : "");
		return -1;
	}
	if (!help || !utf8_ok(help)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "metric %s: help text is not UTF-8", name);
		return -1;
	}
	struct pt_family *f = find(r, name);
	if (f) {
		if (f->type != type || strcmp(f->help, help)) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
				 "metric %s declared twice with a different type or help", name);
			return -1;
		}
		return 0;
	}
	r->families = xrealloc(r->families, (r->n_families + 1) * sizeof(*r->families));
	f = &r->families[r->n_families++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->help = xstrdup(help);
	f->type = type;
	return 0;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct pt_label *)a)->name, ((const struct pt_label *)b)->name);
}

/* Compares label sets (both sorted by name): names, then values, then count. */
static int cmp_labels(const struct pt_sample *a, const struct pt_sample *b)
{
	for (size_t i = 0; i < a->n_labels && i < b->n_labels; i++) {
		int c = strcmp(a->labels[i].name, b->labels[i].name);
		if (!c)
			c = strcmp(a->labels[i].value, b->labels[i].value);
		if (c)
			return c;
	}
	return (a->n_labels > b->n_labels) - (a->n_labels < b->n_labels);
}

static void free_sample(struct pt_sample *s)
{
	for (size_t i = 0; i < s->n_labels; i++) {
		free(s->labels[i].name);
		free(s->labels[i].value);
	}
	free(s->labels);
}

int pt_sample(struct pt_registry *r, const char *family, double value, size_t n,
	      const char *const *names, const char *const *values, struct diag_list *dl)
{
	struct pt_family *f = find(r, family);
	if (!f) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "metric %s: family not declared", family);
		return -1;
	}
	struct pt_sample s = { xcalloc(n, sizeof(struct pt_label)), 0, value };
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!pt_valid_label_name(names[i])) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "metric %s: invalid label name '%s'",
				 family, names[i] ? names[i] : "");
			rc = -1;
		} else if (!values[i] || !utf8_ok(values[i])) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
				 "metric %s: value of label %s is not UTF-8", family, names[i]);
			rc = -1;
		} else {
			s.labels[s.n_labels].name = xstrdup(names[i]);
			s.labels[s.n_labels].value = xstrdup(values[i]);
			s.n_labels++;
		}
	}
	if (!rc) {
		qsort(s.labels, s.n_labels, sizeof(*s.labels), cmp_label);
		for (size_t i = 1; i < s.n_labels && !rc; i++)
			if (!strcmp(s.labels[i - 1].name, s.labels[i].name)) {
				diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "metric %s: label %s given twice",
					 family, s.labels[i].name);
				rc = -1;
			}
	}
	for (size_t i = 0; i < f->n_samples && !rc; i++)
		if (!cmp_labels(&f->samples[i], &s)) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL,
				 "metric %s: two samples with the same labels", family);
			rc = -1;
		}
	if (rc) {
		free_sample(&s);
		return -1;
	}
	f->samples = xrealloc(f->samples, (f->n_samples + 1) * sizeof(*f->samples));
	f->samples[f->n_samples++] = s;
	return 0;
}

int pt_samplef(struct pt_registry *r, const char *family, double value, struct diag_list *dl, ...)
{
	const char *names[16], *values[16];
	size_t n = 0;
	va_list ap;
	va_start(ap, dl);
	const char *k;
	int rc = 0;
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		if (n == 16) {
			rc = -1;
			break;
		}
		names[n] = k;
		values[n] = v;
		n++;
	}
	va_end(ap);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "metric %s: more than 16 labels", family);
		return -1;
	}
	return pt_sample(r, family, value, n, names, values, dl);
}

/* HELP escapes \ and newline; label values also ". */
static void add_escaped(struct strbuf *sb, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			sb_adds(sb, "\\\\");
		else if (*s == '\n')
			sb_adds(sb, "\\n");
		else if (quote && *s == '"')
			sb_adds(sb, "\\\"");
		else
			sb_addc(sb, *s);
	}
}

/* Integers exactly, other values round-trip (%.17g), NaN and infinities by name. */
static void add_value(struct strbuf *sb, double v)
{
	if (isnan(v))
		sb_adds(sb, "NaN");
	else if (isinf(v))
		sb_adds(sb, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		sb_addf(sb, "%.0f", v);
	else
		sb_addf(sb, "%.17g", v);
}

static int cmp_family_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct pt_family *const *)a)->name, (*(const struct pt_family *const *)b)->name);
}

static int cmp_sample_ptr(const void *a, const void *b)
{
	return cmp_labels(*(const struct pt_sample *const *)a, *(const struct pt_sample *const *)b);
}

char *pt_render(const struct pt_registry *r)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	const struct pt_family **fams = xcalloc(r->n_families, sizeof(*fams));
	for (size_t i = 0; i < r->n_families; i++)
		fams[i] = &r->families[i];
	qsort(fams, r->n_families, sizeof(*fams), cmp_family_ptr);
	for (size_t i = 0; i < r->n_families; i++) {
		const struct pt_family *f = fams[i];
		if (!f->n_samples)
			continue; /* a family without samples says nothing */
		sb_addf(&sb, "# HELP %s ", f->name);
		add_escaped(&sb, f->help, false);
		sb_addf(&sb, "\n# TYPE %s %s\n", f->name, type_name(f->type));
		const struct pt_sample **ss = xcalloc(f->n_samples, sizeof(*ss));
		for (size_t k = 0; k < f->n_samples; k++)
			ss[k] = &f->samples[k];
		qsort(ss, f->n_samples, sizeof(*ss), cmp_sample_ptr);
		for (size_t k = 0; k < f->n_samples; k++) {
			sb_adds(&sb, f->name);
			if (ss[k]->n_labels) {
				sb_addc(&sb, '{');
				for (size_t l = 0; l < ss[k]->n_labels; l++) {
					sb_addf(&sb, "%s%s=\"", l ? "," : "", ss[k]->labels[l].name);
					add_escaped(&sb, ss[k]->labels[l].value, true);
					sb_addc(&sb, '"');
				}
				sb_addc(&sb, '}');
			}
			sb_addc(&sb, ' ');
			add_value(&sb, ss[k]->value);
			sb_addc(&sb, '\n');
		}
		free(ss);
	}
	free(fams);
	return sb_detach(&sb);
}

void pt_free(struct pt_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_families; i++) {
		struct pt_family *f = &r->families[i];
		free(f->name);
		free(f->help);
		for (size_t k = 0; k < f->n_samples; k++)
			free_sample(&f->samples[k]);
		free(f->samples);
	}
	free(r->families);
	r->families = NULL;
	r->n_families = 0;
}
