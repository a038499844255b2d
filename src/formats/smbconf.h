/*
 * smbconf: the smb.conf format of Samba: [sections], "key = value" lines,
 * '#' and ';' comments, lines continued by a final '\'. Pure: parse into
 * sections, look up a parameter the way Samba compares names, find and add
 * an "include =" line keeping every other byte; no I/O.
 *
 * Ownership: struct smb_doc owns everything; release it with
 * smbconf_doc_free (accepts a zeroed struct).
 */
#ifndef PH_SMBCONF_H
#define PH_SMBCONF_H
#include <stdbool.h>
#include <stddef.h>

/* One "key = value" line. key is lower-case with single spaces; value trimmed. */
struct smb_param {
	char *key;
	char *value;
};

struct smb_section {
	char *name;              /* as written between the brackets, trimmed */
	struct smb_param *params;
	size_t n_params;
};

/* A parsed smb.conf-style text. Owns everything; free with smbconf_doc_free. */
struct smb_doc {
	struct smb_section *v;
	size_t n;
};

/*
 * Parses smb.conf text: [sections], "key = value" lines, comments (# ;),
 * continuation lines ending in '\'. Parameters before the first section go to
 * a section named "global"; a section name seen again continues the earlier
 * section, as Samba does. Never fails; unparsable lines are skipped.
 */
void smbconf_parse(const char *text, struct smb_doc *doc);
void smbconf_doc_free(struct smb_doc *doc);
/* Section by name (case-insensitive), or NULL. */
const struct smb_section *smbconf_section(const struct smb_doc *doc, const char *name);
/* Value of key in a section (key compared without case and spaces), or NULL. */
const char *smb_section_get(const struct smb_section *sec, const char *key);

/* Number of "include = path" parameters as smbconf_parse reads them (any case and spacing; comments
 * and lines continued from the one before do not count). */
size_t smbconf_count_include(const char *text, const char *path);

/*
 * *out gets a new text (caller frees) that is text with the line
 * "include = path" appended at the end, or NULL when text already has such a
 * line. Every existing byte is kept: a newline is added first only when the
 * text does not end with one (or ends in a continuation backslash).
 * Returns 0, or -EINVAL (*out NULL) when path would not stay on that line
 * (a control character, or a final '\' that joins the next line).
 */
int smbconf_with_include(const char *text, size_t len, const char *path, char **out, size_t *out_len);

/* True when v can be the value (or key, or section name) of one smb.conf line: printable, not ending in '\'. */
bool smbconf_value_ok(const char *v);

#endif
