/*
 * promtext: metric families rendered in the Prometheus text exposition
 * format as node_exporter's textfile collector reads it (*.prom files):
 * "# HELP" and "# TYPE" once per family, every sample of a family together,
 * label values escaped (\\ \" \n), no timestamps (the collector rejects
 * them), UTF-8, a final newline. Output order is deterministic: families by
 * name, samples by their label values, labels of a sample by name; whatever
 * order they were added in.
 *
 * Pure: builds strings, does no I/O (the caller writes the file atomically).
 * Ownership: the registry owns copies of every string given to it;
 * pt_free releases it (NULL-safe); pt_render returns a string the caller frees.
 */
#ifndef PH_PROMTEXT_H
#define PH_PROMTEXT_H
#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

enum pt_type { PT_GAUGE, PT_COUNTER, PT_UNTYPED };

struct pt_label {
	char *name;
	char *value;
};

struct pt_sample {
	struct pt_label *labels; /* sorted by name */
	size_t n_labels;
	double value;
};

struct pt_family {
	char *name;
	char *help;
	enum pt_type type;
	struct pt_sample *samples;
	size_t n_samples;
};

struct pt_registry {
	struct pt_family *families;
	size_t n_families;
};

/* Metric names [a-zA-Z_:][a-zA-Z0-9_:]*; label names [a-zA-Z_][a-zA-Z0-9_]*, not "__..." */
bool pt_valid_metric_name(const char *s);
bool pt_valid_label_name(const char *s);

/*
 * Declares a family. Returns 0; -1 with an error in dl when the name is not a
 * metric name, the help is not UTF-8, or the family exists with another type
 * or help (declaring it again identically is fine).
 */
int pt_family(struct pt_registry *r, const char *name, enum pt_type type, const char *help,
	      struct diag_list *dl);

/*
 * Adds a sample to a declared family: labels are n pairs (names[i], values[i]).
 * Returns 0; -1 with an error in dl when the family is not declared, a label
 * name is invalid or repeated, a value is not UTF-8, or the family already has
 * a sample with the same labels.
 */
int pt_sample(struct pt_registry *r, const char *family, double value, size_t n,
	      const char *const *names, const char *const *values, struct diag_list *dl);

/* The same with labels as NULL-terminated name, value pairs:
 * pt_samplef(r, "phoenix_storage_pool_health", 1, dl, "pool", "tank", "state", "ONLINE", NULL). */
int pt_samplef(struct pt_registry *r, const char *family, double value, struct diag_list *dl, ...)
	__attribute__((sentinel));

/* The text format of every family that has samples ("" when none); caller frees. */
char *pt_render(const struct pt_registry *r);

void pt_free(struct pt_registry *r);

#endif
