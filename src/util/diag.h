/*
 * diag: a list of diagnostics (errors, warnings, notes) collected by lower
 * layers and printed only by cmd/. Each names where the problem is (file,
 * line:col when known, JSON path) and, where possible, a hint with the fix.
 */
#ifndef PH_DIAG_H
#define PH_DIAG_H
#include <stdio.h>
#include <stddef.h>
#include <jansson.h>

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag {
	enum diag_level level;
	char *file;  /* may be NULL */
	int line;    /* 0 when unknown */
	int col;
	char *jpath; /* JSON path such as zfs.datasets[3].properties, may be NULL */
	char *msg;
	char *hint;  /* may be NULL */
	const char *scope;  /* the subsystem that reported it ("nfs": a static name, not owned), NULL for
			       the run itself (a config file that cannot be read, the guest configs) */
};

struct diag_list {
	struct diag *v;
	size_t n;
	size_t cap;
};

/* Adds one diagnostic; every string is copied. hint may be NULL. */
void diag_add(struct diag_list *dl, enum diag_level level, const char *file, int line,
	      int col, const char *jpath, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
size_t diag_count(const struct diag_list *dl, enum diag_level level);
/* file:line:col: error: jpath: msg \n  hint: ... */
void diag_print(FILE *f, const struct diag_list *dl);
void diag_print_one(FILE *f, const struct diag *d);
void diag_list_free(struct diag_list *dl);
/*
 * One diagnostic as a JSON object (new reference): "severity" (and, as
 * before, "level"): "error", "warning" or "note"; "message"; "file", "line",
 * "column" (1-based) and "path" (the JSON path) where it is, "hint", and
 * "subsystem" (the scope); every key is present, null when unknown.
 */
json_t *diag_to_json(const struct diag *d);
/* Moves every diagnostic of src to the end of dst, leaving src empty. */
void diag_move(struct diag_list *dst, struct diag_list *src);

#endif
