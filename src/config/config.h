/*
 * config: a JSON source file (text kept for positions) and the helpers every
 * subsystem's config reader uses to report problems at file:line:col with the
 * JSON path. Subsystem models live beside it (zfs_config.h, ...).
 */
#ifndef PH_CONFIG_H
#define PH_CONFIG_H
#include <stdbool.h>
#include <jansson.h>

#include "util/diag.h"

/* A member given twice in one object (the JSON value holds the last one, as jq does). */
struct cfg_dup {
	char *obj_path;     /* the object's JSON path, "" for the top level */
	char *key;
	int line1, col1;    /* the first occurrence of the key */
	int line2, col2;    /* the later one */
	bool same_value;    /* both hold the same JSON value */
	bool reported;      /* set by the one check that reported it */
};

struct config_src {
	char *path;   /* as given by the user */
	char *text;   /* whole file, NUL-terminated */
	size_t len;
	json_t *root; /* NULL when the file did not parse */
	struct cfg_dup *dups; /* members given twice, in text order (owned) */
	size_t n_dups;
};

/* The config files of a run: the main config and the guest configs (their root is NULL when absent). */
struct config_sources {
	const struct config_src *main;   /* phoenix_hypervisor_config.json */
	const struct config_src *lxc;    /* phoenix_lxc_configs.json */
	const struct config_src *vm;     /* phoenix_vm_configs.json */
};

/*
 * Reads and parses path (prefixing nothing: the caller decides about --root).
 * Returns 0 on success; -1 with an error in dl (missing file, JSON syntax error
 * with line and column). src must be released with config_src_free either way.
 */
int config_src_load(struct config_src *src, const char *path, struct diag_list *dl);
/* Same as config_src_load for text already in memory (path names it in messages). */
int config_src_parse(struct config_src *src, const char *path, const char *text, struct diag_list *dl);
void config_src_free(struct config_src *src);

/*
 * The members given twice in src that no reader claimed (cfg_check_members
 * reports those it reads as errors): one warning each, "the last one counts".
 * Call once per source after every reader ran. Never fails.
 */
void config_report_duplicates(const struct config_src *src, struct diag_list *dl);

/*
 * Finds the line and column (1-based) of the value at jpath ("zfs.pools[1].disks[0]")
 * in src->text. Returns 0 when found; otherwise line/col point at the deepest
 * existing parent and -1 is returned.
 */
int config_locate(const char *text, const char *jpath, int *line, int *col);

/* Adds a diagnostic positioned at jpath inside src. */
void cfg_diag(struct diag_list *dl, const struct config_src *src, enum diag_level level,
	      const char *jpath, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Same, positioned at jpath.member (the path string is built only here, on error). */
void cfg_diag_at(struct diag_list *dl, const struct config_src *src, enum diag_level level,
		 const char *jpath, const char *member, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/*
 * Typed getters for optional members; they report a type error at jpath.key.
 * cfg_get_string also refuses a string holding a control character (newline,
 * tab, ...): it reports it and returns NULL, as cfg_string does.
 */
const char *cfg_get_string(const struct config_src *src, json_t *obj, const char *jpath,
			   const char *key, bool required, struct diag_list *dl);
/*
 * The string v (read at jpath) when it is one line of printable text; NULL
 * when v is not a string (nothing reported: the caller knows what it wanted)
 * or holds a control character (an error at jpath). Every string value the
 * tool uses from a config goes through this or cfg_get_string.
 */
const char *cfg_string(const struct config_src *src, json_t *v, const char *jpath, struct diag_list *dl);
/*
 * A whole number in lo..hi at jpath.key. Returns 1 and sets *out when
 * present and valid, 0 when absent (or null), -1 after reporting an error
 * ("must be a whole number from LO to HI", with hint).
 */
int cfg_get_uint(const struct config_src *src, json_t *obj, const char *jpath, const char *key, unsigned lo,
		 unsigned hi, const char *hint, unsigned *out, struct diag_list *dl);
json_t *cfg_get_array(const struct config_src *src, json_t *obj, const char *jpath,
		      const char *key, bool required, struct diag_list *dl);
json_t *cfg_get_object(const struct config_src *src, json_t *obj, const char *jpath,
		       const char *key, bool required, struct diag_list *dl);
/*
 * The optional `nodes` member of obj at jpath (a pool, a dataset, an export,
 * a share): a non-empty array of node names (letters, digits and '-'), each
 * one of cluster.nodes when the config has that member (without it only the
 * shape is checked). what names the object in the messages ("pool",
 * "dataset", "share"). Returns the names comma-joined in config order
 * ("pve1,pve2"; caller frees), or NULL when absent or after an error (every
 * problem at its JSON path, e.g. "zfs.datasets[2].nodes[0]", in dl).
 */
char *cfg_get_nodes(const struct config_src *src, json_t *obj, const char *jpath, struct diag_list *dl,
		    const char *what);

#endif
