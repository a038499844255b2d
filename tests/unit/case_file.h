/*
 * case_file: helpers for data-driven unit tests. A case file is plain text;
 * blank lines and lines starting with '#' are ignored, every other line is
 * handed to the test trimmed. Files live in tests/unit/data/<suite>/ and are
 * found relative to this header (tests run from the repository's top).
 * Header-only (static functions) so no build change is needed.
 */
#ifndef PH_TEST_CASE_FILE_H
#define PH_TEST_CASE_FILE_H
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/fs.h"
#include "util/strbuf.h"

/* tests/unit/data/<sub> (caller frees). */
static inline char *case_dir(const char *sub)
{
	const char *f = __FILE__;
	const char *slash = strrchr(f, '/');
	size_t n = slash ? (size_t)(slash - f) : 0;
	return n ? xasprintf("%.*s/data/%s", (int)n, f, sub) : xasprintf("data/%s", sub);
}

/* The names (not paths) of the files in dir ending in suffix, sorted. */
static inline void case_list(const char *dir, const char *suffix, struct strvec *out)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "cannot open case directory %s\n", dir);
		abort();
	}
	struct dirent *e;
	size_t sl = strlen(suffix);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > sl && !strcmp(e->d_name + l - sl, suffix))
			sv_push(out, e->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < out->n; i++)
		for (size_t j = i; j > 0 && strcmp(out->v[j - 1], out->v[j]) > 0; j--) {
			char *t = out->v[j];
			out->v[j] = out->v[j - 1];
			out->v[j - 1] = t;
		}
}

/* Reads path (aborts when missing: a case that cannot be read must fail loudly). */
static inline char *case_read(const char *path)
{
	char *data = NULL;
	if (read_file(path, &data, NULL)) {
		fprintf(stderr, "cannot read case file %s\n", path);
		abort();
	}
	return data;
}

/* Splits text into trimmed lines, skipping blank lines and '#' comments (text is modified). */
static inline void case_lines(char *text, struct strvec *out)
{
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		while (*l == ' ' || *l == '\t')
			l++;
		size_t n = strlen(l);
		while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
			l[--n] = '\0';
		if (!n || l[0] == '#')
			continue;
		sv_push(out, l);
	}
}

/* Reads tests/unit/data/<sub>/<file> into case lines; returns its path (caller frees). */
static inline char *case_file_lines(const char *sub, const char *file, struct strvec *lines)
{
	char *dir = case_dir(sub);
	char *path = xasprintf("%s/%s", dir, file);
	char *text = case_read(path);
	case_lines(text, lines);
	free(text);
	free(dir);
	return path;
}

/*
 * Runs one cmocka test per file of tests/unit/data/<sub> ending in suffix
 * (named after the file; its state is the file's path), then the extra
 * tests. Fails when fewer than min_cases files are found, so a suite cannot
 * pass by losing its data. Returns the cmocka exit status.
 */
static inline int case_run_suite(const char *sub, const char *suffix, CMUnitTestFunction fn,
				 const struct CMUnitTest *extra, size_t n_extra, size_t min_cases)
{
	char *dir = case_dir(sub);
	struct strvec files = { 0 }, paths = { 0 };
	case_list(dir, suffix, &files);
	size_t n = files.n;
	for (size_t i = 0; i < n; i++)
		sv_pushf(&paths, "%s/%s", dir, files.v[i]);
	struct CMUnitTest *tests = xcalloc(n + n_extra + 1, sizeof(*tests));
	for (size_t i = 0; i < n; i++) {
		tests[i].name = files.v[i];
		tests[i].test_func = fn;
		tests[i].initial_state = paths.v[i];
	}
	for (size_t i = 0; i < n_extra; i++)
		tests[n + i] = extra[i];
	int rc = 1;
	if (n < min_cases)
		fprintf(stderr, "expected at least %zu case files in %s, found %zu\n", min_cases, dir, n);
	else
		rc = _cmocka_run_group_tests(sub, tests, n + n_extra, NULL, NULL);
	free(tests);
	sv_free(&files);
	sv_free(&paths);
	free(dir);
	return rc;
}

#endif
