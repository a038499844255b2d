#include "plan/snap_batch.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/snap_config.h"

const char *snap_drop_why_name(enum snap_drop_why why)
{
	switch (why) {
	case SNAP_DROP_HELD: return "held";
	case SNAP_DROP_BUSY: return "busy";
	case SNAP_DROP_CLONED: return "has clones";
	case SNAP_DROP_GONE: return "gone";
	case SNAP_DROP_FAILED: return "failed";
	}
	return "?";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void batch_push(struct snap_batches *out, size_t *cap, enum snap_try attempt)
{
	if (out->n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		out->v = xrealloc(out->v, *cap * sizeof(*out->v));
	}
	memset(&out->v[out->n], 0, sizeof(out->v[0]));
	out->v[out->n].attempt = attempt;
	out->n++;
}

/* Fills the argv of b from its names. */
static void batch_argv(const char *prog, const char *dataset, struct snap_batch *b)
{
	struct strbuf arg = STRBUF_INIT;
	sb_init(&arg);
	sb_addf(&arg, "%s@", dataset);
	for (size_t i = 0; i < b->names.n; i++)
		sb_addf(&arg, "%s%s", i ? "," : "", b->names.v[i]);
	sv_push(&b->argv, prog);
	sv_push(&b->argv, "destroy");
	sv_push(&b->argv, arg.buf);
	sb_release(&arg);
}

/* Groups names into calls of one attempt kind. */
static void group(const char *prog, const char *dataset, char **names, size_t n, bool comma,
		  size_t batch, size_t max_bytes, enum snap_try attempt, struct snap_batches *out,
		  size_t *cap)
{
	size_t base = strlen(dataset) + 1;
	size_t i = 0;
	while (i < n) {
		batch_push(out, cap, comma ? attempt : SNAP_TRY_SINGLE);
		struct snap_batch *b = &out->v[out->n - 1];
		size_t bytes = base;
		do {
			sv_push(&b->names, names[i]);
			bytes += strlen(names[i]) + (b->names.n > 1);
			i++;
		} while (comma && i < n && b->names.n < batch &&
			 bytes + 1 + strlen(names[i]) <= max_bytes);
		if (b->names.n == 1)
			b->attempt = SNAP_TRY_SINGLE;
		batch_argv(prog, dataset, b);
	}
}

static const char *name_problem(const char *s, const char *bad)
{
	if (!*s)
		return "empty";
	return strpbrk(s, bad) ? "bad character" : NULL;
}

int snap_destroy_batches(const char *prog, const char *dataset, const char *const *names, size_t n,
			 bool comma, size_t batch, size_t max_bytes, struct snap_batches *out,
			 const char **why)
{
	memset(out, 0, sizeof(*out));
	if (name_problem(dataset, "@,%") || dataset[0] == '-' || dataset[0] == '/') {
		*why = "dataset name is empty or contains '@', ',' or '%'";
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (name_problem(names[i], "@,%/ ")) {
			*why = "snapshot name is empty or contains '@', ',', '%', '/' or a space";
			return -EINVAL;
		}
	if (!batch)
		batch = SNAP_DESTROY_BATCH_DEFAULT;
	if (!max_bytes)
		max_bytes = SNAP_DESTROY_MAX_ARG;
	char **sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		sorted[k++] = (char *)names[i];
	qsort(sorted, k, sizeof(*sorted), cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (!u || strcmp(sorted[u - 1], sorted[i]))
			sorted[u++] = sorted[i];
	size_t cap = 0;
	group(prog, dataset, sorted, u, comma, batch, max_bytes, SNAP_TRY_BATCH, out, &cap);
	free(sorted);
	return 0;
}

void snap_batches_free(struct snap_batches *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		sv_free(&b->v[i].names);
		sv_free(&b->v[i].argv);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* The reason after "DS@S: " or "'DS@S': " in one stderr line, or NULL when the line is not about full. */
static const char *line_about(const char *line, size_t len, const char *full)
{
	static const char *const forms[][2] = {
		{ "cannot destroy snapshot ", ": " },
		{ "cannot destroy '", "': " },
		{ "cannot open '", "': " },
	};
	size_t fl = strlen(full);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t a = strlen(forms[i][0]), b = strlen(forms[i][1]);
		if (len >= a + fl + b && !strncmp(line, forms[i][0], a) && !strncmp(line + a, full, fl) &&
		    !strncmp(line + a + fl, forms[i][1], b))
			return line + a + fl + b;
	}
	return NULL;
}

static enum snap_drop_why classify(const char *reason)
{
	if (!strncmp(reason, "it's being held", 15))
		return SNAP_DROP_HELD;
	if (!strncmp(reason, "dataset is busy", 15))
		return SNAP_DROP_BUSY;
	if (!strncmp(reason, "snapshot is cloned", 18) || !strncmp(reason, "snapshot has dependent clones", 29))
		return SNAP_DROP_CLONED;
	if (!strncmp(reason, "dataset does not exist", 22))
		return SNAP_DROP_GONE;
	return SNAP_DROP_FAILED;
}

static void add_drop(struct snap_retry *out, size_t *cap, const char *name, enum snap_drop_why why,
		     const char *detail, size_t detail_len)
{
	if (out->n_drops == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		out->drops = xrealloc(out->drops, *cap * sizeof(*out->drops));
	}
	out->drops[out->n_drops++] = (struct snap_drop){ xstrdup(name), why, xstrndup(detail, detail_len) };
}

/*
 * Drops every name of failed that stderr blames (or all, when it says none
 * was found); marks them in dropped[].
 */
static void drop_blamed(const char *dataset, const struct snap_batch *failed, const char *text,
			bool *dropped, struct snap_retry *out, size_t *dcap)
{
	bool none_found = strstr(text, "could not find any snapshots to destroy") != NULL;
	for (size_t i = 0; i < failed->names.n; i++) {
		const char *name = failed->names.v[i];
		char *full = xasprintf("%s@%s", dataset, name);
		for (const char *l = text; *l && !dropped[i];) {
			const char *e = strchr(l, '\n');
			size_t len = e ? (size_t)(e - l) : strlen(l);
			const char *reason = line_about(l, len, full);
			if (reason) {
				add_drop(out, dcap, name, classify(reason), l, len);
				dropped[i] = true;
			}
			l += len + (e ? 1 : 0);
		}
		if (!dropped[i] && none_found) {
			add_drop(out, dcap, name, SNAP_DROP_GONE, "could not find any snapshots to destroy", 39);
			dropped[i] = true;
		}
		free(full);
	}
}

void snap_destroy_retry(const char *prog, const char *dataset, const struct snap_batch *failed,
			const char *err_text, struct snap_retry *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = failed->names.n, dcap = 0;
	bool *dropped = xcalloc(n ? n : 1, sizeof(*dropped));
	const char *text = err_text ? err_text : "";
	drop_blamed(dataset, failed, text, dropped, out, &dcap);
	const char *nl = strchr(text, '\n');
	size_t first_len = nl ? (size_t)(nl - text) : strlen(text);
	char **rest = xmalloc((n ? n : 1) * sizeof(*rest));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (dropped[i])
			continue;
		if (failed->attempt == SNAP_TRY_SINGLE)   /* a single name that failed: final */
			add_drop(out, &dcap, failed->names.v[i], SNAP_DROP_FAILED, text, first_len);
		else
			rest[k++] = failed->names.v[i];
	}
	/* blamed names out, the rest together once; after that (or without a culprit) one by one */
	bool together = failed->attempt == SNAP_TRY_BATCH && out->n_drops > 0 && k > 1;
	size_t cap = 0;
	group(prog, dataset, rest, k, together, together ? k : 1, SIZE_MAX, SNAP_TRY_RETRY, &out->next, &cap);
	free(rest);
	free(dropped);
}

void snap_retry_free(struct snap_retry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_drops; i++) {
		free(r->drops[i].name);
		free(r->drops[i].detail);
	}
	free(r->drops);
	snap_batches_free(&r->next);
	memset(r, 0, sizeof(*r));
}
