/*
 * Unit tests: destroy batching and the retry rule (plan/snap_batch.h), one
 * cmocka test per case file in tests/unit/data/batch/:
 *
 *   dataset NAME
 *   comma yes|no / batch N / max_bytes N     (batching)
 *   names A B ... / generate COUNT LENGTH    (the names to destroy)
 *   failed batch|retry|single A,B,...        (retry: the call that failed)
 *   stderr LINE                              (its stderr, one line each)
 *   expect batch|retry|single ARGV...        (the calls, in order)
 *   expect sizes N N ...                     (names per call)
 *   expect error TEXT                        (refused input)
 *   expect drop NAME held|busy|has-clones|gone|failed [| DETAIL]
 *
 * Every call built is checked to be exactly "zfs destroy DS@..." (never a
 * flag, never a '%' range) and, when batching, to cover each name once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "case_file.h"
#include "plan/snap_batch.h"

static const char *kind_name(enum snap_try t)
{
	return t == SNAP_TRY_BATCH ? "batch" : t == SNAP_TRY_RETRY ? "retry" : "single";
}

static char *joined_argv(const struct snap_batch *b)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < b->argv.n; i++)
		sb_addf(&sb, "%s%s", i ? " " : "", b->argv.v[i]);
	return sb_detach(&sb);
}

static void check_shape(const char *path, const char *dataset, const struct snap_batches *b, size_t max_bytes)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct strvec *a = &b->v[i].argv;
		if (a->n != 3 || strcmp(a->v[0], "zfs") || strcmp(a->v[1], "destroy"))
			fail_msg("%s: call %zu is not 'zfs destroy DS@...'", path, i);
		size_t dl = strlen(dataset);
		if (strncmp(a->v[2], dataset, dl) || a->v[2][dl] != '@' || strchr(a->v[2], '%'))
			fail_msg("%s: call %zu destroys '%s'", path, i, a->v[2]);
		if (max_bytes && b->v[i].names.n > 1 && strlen(a->v[2]) > max_bytes)
			fail_msg("%s: call %zu has %zu bytes", path, i, strlen(a->v[2]));
		if ((b->v[i].attempt == SNAP_TRY_SINGLE) != (b->v[i].names.n == 1))
			fail_msg("%s: call %zu: attempt kind and name count disagree", path, i);
	}
}

static void compare_calls(const char *path, const struct snap_batches *b, const struct strvec *want,
			  int *bad)
{
	if (b->n != want->n) {
		print_error("%s: %zu calls, expected %zu\n", path, b->n, want->n);
		(*bad)++;
	}
	for (size_t i = 0; i < b->n && i < want->n; i++) {
		char *got = joined_argv(&b->v[i]);
		char *g = xasprintf("%s %s", kind_name(b->v[i].attempt), got);
		if (strcmp(g, want->v[i])) {
			print_error("%s: call %zu\n   expected: %s\n        got: %s\n", path, i, want->v[i], g);
			(*bad)++;
		}
		free(g);
		free(got);
	}
}

static void run_case(void **state)
{
	const char *path = *state;
	char *text = case_read(path);
	struct strvec lines = { 0 }, names = { 0 }, calls = { 0 }, drops = { 0 }, err = { 0 };
	case_lines(text, &lines);
	char dataset[256] = "";
	bool comma = false, retry = false;
	size_t batch = 0, max_bytes = 0;
	enum snap_try failed_kind = SNAP_TRY_BATCH;
	struct strvec failed_names = { 0 };
	char *sizes = NULL, *error = NULL;
	for (size_t i = 0; i < lines.n; i++) {
		char *l = lines.v[i];
		if (!strncmp(l, "dataset ", 8))
			snprintf(dataset, sizeof(dataset), "%s", l + 8);
		else if (!strncmp(l, "comma ", 6))
			comma = !strcmp(l + 6, "yes");
		else if (!strncmp(l, "batch ", 6))
			batch = strtoul(l + 6, NULL, 10);
		else if (!strncmp(l, "max_bytes ", 10))
			max_bytes = strtoul(l + 10, NULL, 10);
		else if (!strncmp(l, "names ", 6)) {
			char *save = NULL;
			for (char *t = strtok_r(l + 6, " ", &save); t; t = strtok_r(NULL, " ", &save))
				sv_push(&names, t);
		} else if (!strncmp(l, "generate ", 9)) {
			unsigned cnt, len;
			if (sscanf(l + 9, "%u %u", &cnt, &len) != 2)
				fail_msg("%s: bad '%s'", path, l);
			for (unsigned k = 0; k < cnt; k++)
				sv_pushf(&names, "n%0*u", (int)len - 1, k);
		} else if (!strncmp(l, "failed ", 7)) {
			retry = true;
			char kind[16], list[4096];
			if (sscanf(l + 7, "%15s %4095s", kind, list) != 2)
				fail_msg("%s: bad '%s'", path, l);
			failed_kind = !strcmp(kind, "batch") ? SNAP_TRY_BATCH : !strcmp(kind, "retry") ? SNAP_TRY_RETRY : SNAP_TRY_SINGLE;
			char *save = NULL;
			for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
				sv_push(&failed_names, t);
		} else if (!strncmp(l, "stderr ", 7)) {
			sv_pushf(&err, "%s\n", l + 7);
		} else if (!strncmp(l, "expect sizes ", 13)) {
			sizes = xstrdup(l + 13);
		} else if (!strncmp(l, "expect error ", 13)) {
			error = xstrdup(l + 13);
		} else if (!strncmp(l, "expect drop ", 12)) {
			sv_push(&drops, l + 12);
		} else if (!strncmp(l, "expect ", 7)) {
			sv_push(&calls, l + 7);
		} else {
			fail_msg("%s: unknown line '%s'", path, l);
		}
	}
	int bad = 0;
	if (!retry) {
		struct snap_batches b;
		const char *why = NULL;
		int rc = snap_destroy_batches("zfs", dataset, (const char *const *)names.v, names.n, comma, batch,
					      max_bytes, &b, &why);
		if (error) {
			assert_int_equal(rc, -EINVAL);
			assert_string_equal(why, error);
			assert_int_equal(b.n, 0);
		} else {
			assert_int_equal(rc, 0);
			check_shape(path, dataset, &b, max_bytes ? max_bytes : SNAP_DESTROY_MAX_ARG);
			if (sizes) {
				struct strbuf sb = STRBUF_INIT;
				sb_init(&sb);
				for (size_t i = 0; i < b.n; i++)
					sb_addf(&sb, "%s%zu", i ? " " : "", b.v[i].names.n);
				if (strcmp(sb.buf, sizes)) {
					print_error("%s: sizes %s, expected %s\n", path, sb.buf, sizes);
					bad++;
				}
				sb_release(&sb);
			}
			if (calls.n)
				compare_calls(path, &b, &calls, &bad);
			/* each distinct name exactly once, in sorted order */
			size_t k = 0;
			const char *prev = NULL;
			for (size_t i = 0; i < b.n; i++)
				for (size_t j = 0; j < b.v[i].names.n; j++, k++) {
					if (prev && strcmp(prev, b.v[i].names.v[j]) >= 0)
						fail_msg("%s: names out of order or repeated", path);
					prev = b.v[i].names.v[j];
				}
			size_t distinct = 0;
			for (size_t i = 0; i < names.n; i++) {
				bool dup = false;
				for (size_t j = 0; j < i; j++)
					dup |= !strcmp(names.v[i], names.v[j]);
				distinct += !dup;
			}
			assert_int_equal(k, distinct);
		}
		snap_batches_free(&b);
	} else {
		struct snap_batch f = { .attempt = failed_kind };
		for (size_t i = 0; i < failed_names.n; i++)
			sv_push(&f.names, failed_names.v[i]);
		struct strbuf e = STRBUF_INIT;
		sb_init(&e);
		for (size_t i = 0; i < err.n; i++)
			sb_adds(&e, err.v[i]);
		struct snap_retry r;
		snap_destroy_retry("zfs", dataset, &f, e.buf, &r);
		check_shape(path, dataset, &r.next, 0);
		compare_calls(path, &r.next, &calls, &bad);
		if (r.n_drops != drops.n) {
			print_error("%s: %zu drops, expected %zu\n", path, r.n_drops, drops.n);
			bad++;
		}
		for (size_t i = 0; i < r.n_drops && i < drops.n; i++) {
			const char *why = snap_drop_why_name(r.drops[i].why);
			char *g = xasprintf("%s %s", r.drops[i].name, !strcmp(why, "has clones") ? "has-clones" : why);
			const char *want = drops.v[i];
			const char *bar = strstr(want, " | ");
			size_t wl = bar ? (size_t)(bar - want) : strlen(want);
			if (strlen(g) != wl || strncmp(g, want, wl) || (bar && strcmp(bar + 3, r.drops[i].detail))) {
				print_error("%s: drop %zu\n   expected: %s\n        got: %s | %s\n", path, i, want, g,
					    r.drops[i].detail);
				bad++;
			}
			free(g);
		}
		/* nothing dropped is tried again, nothing is lost */
		size_t next_names = 0;
		for (size_t i = 0; i < r.next.n; i++)
			next_names += r.next.v[i].names.n;
		assert_int_equal(next_names + r.n_drops, f.names.n);
		snap_retry_free(&r);
		sb_release(&e);
		sv_free(&f.names);
	}
	free(sizes);
	free(error);
	sv_free(&failed_names);
	sv_free(&lines);
	sv_free(&names);
	sv_free(&calls);
	sv_free(&drops);
	sv_free(&err);
	free(text);
	assert_int_equal(bad, 0);
}

/* A full cycle on a simulated OpenZFS: one held name in the second batch. */
static void held_name_costs_one_retry_not_the_batch(void **state)
{
	(void)state;
	struct strvec names = { 0 };
	for (int i = 0; i < 250; i++)
		sv_pushf(&names, "phoenix_2026-01-01T%02d%02d00Z_frequent", i / 60, i % 60);
	const char *held = names.v[150];
	struct snap_batches b;
	const char *why;
	assert_int_equal(snap_destroy_batches("zfs", "p/d", (const char *const *)names.v, names.n, true, 100, 0, &b, &why), 0);
	assert_int_equal(b.n, 3);
	size_t destroyed = 0, calls = 0, dropped = 0;
	/* a work queue of calls: run each against the simulated ZFS */
	struct snap_batches queue = b;
	for (size_t q = 0; q < queue.n; q++) {
		const struct snap_batch *c = &queue.v[q];
		calls++;
		bool fails = false;
		for (size_t i = 0; i < c->names.n; i++)
			fails |= !strcmp(c->names.v[i], held);
		if (!fails) {
			destroyed += c->names.n;
			continue;
		}
		char *err = xasprintf("cannot destroy snapshot p/d@%s: dataset is busy\n", held);
		struct snap_retry r;
		snap_destroy_retry("zfs", "p/d", c, err, &r);
		free(err);
		dropped += r.n_drops;
		assert_int_equal(r.next.n, 1);
		assert_int_equal(r.next.v[0].names.n, 99);
		destroyed += r.next.v[0].names.n;   /* the retry succeeds */
		calls++;
		snap_retry_free(&r);
	}
	assert_int_equal(destroyed, 249);
	assert_int_equal(dropped, 1);
	assert_int_equal(calls, 4);
	snap_batches_free(&b);
	sv_free(&names);
}

int main(void)
{
	const struct CMUnitTest extra[] = {
		cmocka_unit_test(held_name_costs_one_retry_not_the_batch),
	};
	return case_run_suite("batch", ".case", run_case, extra, sizeof(extra) / sizeof(*extra), 15);
}
