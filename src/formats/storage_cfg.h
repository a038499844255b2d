/*
 * storage_cfg: /etc/pve/storage.cfg, read and edited without losing a byte.
 *
 * The file is Proxmox's "section config": a header line `TYPE: ID`, then
 * property lines indented with white space (`\tKEY VALUE`, or `\tKEY` for a
 * boolean that is true), ended by an empty line. Lines whose first non-blank
 * character is '#' are skipped by Proxmox (and dropped when Proxmox rewrites
 * the file). The parser follows those rules; the model keeps every line as
 * written, so serialising an unedited file gives back the same bytes, and an
 * edit touches only the lines it must.
 *
 * Ownership: a struct storage_cfg owns all its strings; release it with
 * storage_cfg_free (accepts NULL-filled structs). Pointers returned by the
 * lookups stay valid until the next edit.
 */
#ifndef PH_STORAGE_CFG_H
#define PH_STORAGE_CFG_H
#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

struct scfg_prop {
	char *key;
	char *value;   /* NULL when the line has no value (boolean shorthand) */
	size_t line;   /* index into lines */
};

struct scfg_section {
	char *type;    /* "dir", "zfspool", "nfs", "pbs", ... */
	char *id;
	size_t header; /* line index of "TYPE: ID" */
	size_t last;   /* line index of the last line of the section (header or property) */
	struct scfg_prop *props;
	size_t n_props;
};

struct storage_cfg {
	struct strvec lines;          /* raw lines, each with its '\n' (the last may lack it) */
	struct scfg_section *v;
	size_t n;
};

/* Parses text (len bytes). Never fails: lines Proxmox would ignore are kept as they are. */
void storage_cfg_parse(struct storage_cfg *c, const char *text, size_t len);
/* The whole file as text (caller frees). Equal to the parsed text when nothing was edited. */
char *storage_cfg_serialize(const struct storage_cfg *c);
void storage_cfg_free(struct storage_cfg *c);

/* The section with that id, or NULL. */
const struct scfg_section *storage_cfg_find(const struct storage_cfg *c, const char *id);
/* The value of key in s: NULL when absent; "1" for a bare boolean line. */
const char *scfg_get(const struct scfg_section *s, const char *key);

/*
 * Appends a new section in the layout Proxmox writes itself: header, then
 * `\tKEY VALUE` lines in the order given (keys/values are parallel arrays of
 * n entries), then an empty line. A blank line is added before it when the
 * file does not end with one. Returns 0, -1 when the id exists already, or
 * -EINVAL (the file unchanged) when type, id or a key is not one word of
 * printable text or a value holds a control character: a value that slipped
 * past validation never makes a second line.
 */
int storage_cfg_add(struct storage_cfg *c, const char *type, const char *id,
		    const char *const *keys, const char *const *values, size_t n);
/*
 * Sets key to value in section id: the line is replaced, or added after the
 * last property. 0, -1 (no such id) or -EINVAL (as for storage_cfg_add).
 */
int storage_cfg_set(struct storage_cfg *c, const char *id, const char *key, const char *value);
/* Removes the property line of key from section id. 0 (also when absent) or -1 (no such id). */
int storage_cfg_unset(struct storage_cfg *c, const char *id, const char *key);
/* Removes section id with the empty line that ends it. 0 or -1 (no such id). */
int storage_cfg_remove(struct storage_cfg *c, const char *id);

/*
 * Content lists: "iso,vztmpl" and "vztmpl, iso" are the same set. Returns the
 * normalised form (sorted, comma-separated, no blanks, no duplicates); caller frees.
 */
char *pve_content_normalize(const char *content);

#endif
