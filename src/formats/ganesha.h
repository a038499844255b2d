/*
 * ganesha: the config format of nfs-ganesha (ganesha.conf and the files it
 * %includes): EXPORT { KEY = VALUE; ... } blocks with nested blocks, '#'
 * comments and quoted strings. Pure: parse the EXPORT blocks, render one,
 * find and add a %include line; no I/O.
 *
 * Ownership: struct ganesha_exports owns its blocks; release it with
 * ganesha_exports_free (accepts a zeroed struct). The renderers return new
 * strings the caller frees.
 */
#ifndef PH_GANESHA_H
#define PH_GANESHA_H
#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

/* One EXPORT block of a ganesha config. */
struct ganesha_export {
	char *path;      /* NULL when the block has no Path */
	long id;         /* -1 when the block has no Export_Id */
	char *text;      /* the block from EXPORT to its closing brace */
	char *clients;   /* from our "# phoenix:" comment, NULL in foreign blocks */
	char *options;
};

struct ganesha_exports {
	struct ganesha_export *v;
	size_t n;
};

/* Parses the EXPORT blocks of a ganesha config (comments and quotes honoured). Returns 0. */
int ganesha_parse_exports(const char *text, struct ganesha_exports *g);
void ganesha_exports_free(struct ganesha_exports *g);
const struct ganesha_export *ganesha_find(const struct ganesha_exports *g, const char *path);

/* True when text has a %include line naming path (quoted or not). */
bool ganesha_conf_includes(const char *text, const char *path);

/* text with a %include line for include appended, every other byte kept; NULL when include is not one quoted field. Caller frees. */
char *ganesha_conf_add_include(const char *text, const char *include);

enum ganesha_squash { GANESHA_ROOT_SQUASH, GANESHA_NO_ROOT_SQUASH, GANESHA_ALL_SQUASH };

/* What one EXPORT block says (every pointer borrowed). */
struct ganesha_block {
	long id;                        /* Export_Id */
	const char *path;               /* Path and Pseudo */
	const struct strvec *clients;   /* the CLIENT block's Clients */
	const struct strvec *options;   /* the export options as the config writes them: kept in the
					   "# phoenix:" comment; "secure"/"insecure" set PrivilegedPort */
	bool rw;
	enum ganesha_squash squash;
	const char *sec;                /* "sys", or flavours joined with ':' ("krb5:krb5i") */
	const char *fsid;               /* "" for none; a number gives Filesystem_Id = N.N */
	long long anonuid, anongid;
};

/*
 * One EXPORT block (VFS FSAL, one CLIENT block for all clients), or NULL when
 * a value is not one field of printable text (a quote, white space or a
 * separator of the format): a value that slipped past validation never makes
 * a second line. Caller frees.
 */
char *ganesha_block_render(const struct ganesha_block *b);

#endif
