/*
 * exports: the exports(5) format of the kernel NFS server (/etc/exports and
 * /etc/exports.d/NAME.exports): one export per logical line, "PATH
 * CLIENT(OPTS) CLIENT(OPTS)", '#' comments, backslash continuations, quoted
 * paths with \ooo escapes and "-OPTS" defaults. Pure: parse and render, no I/O.
 *
 * Ownership: struct nfs_file owns its entries; release it with nfs_file_free
 * (accepts a zeroed struct).
 */
#ifndef PH_EXPORTS_H
#define PH_EXPORTS_H
#include <stddef.h>

#include "util/strbuf.h"

/* One export line of an exports(5) file: path and client(options) items. */
struct nfs_file_export {
	char *path;
	struct strvec clients;
	struct strvec opts;   /* parallel to clients: the option list of each ("" when none) */
	char *file;           /* file name as given to the parser */
	int line;
};

struct nfs_file {
	struct nfs_file_export *v;
	size_t n;
};

/*
 * Parses an exports(5) file: comments, backslash continuations, quoted paths,
 * "-opts" defaults, clients with or without (options). file names the entries.
 * Appends to f (zero it before the first call). Returns 0.
 */
int nfs_parse_exports_file(const char *text, const char *file, struct nfs_file *f);
void nfs_file_free(struct nfs_file *f);

/*
 * "/path c1(o1,o2) c2(o1,o2)" (bare clients when there are no options), or
 * NULL when the path, a client or an option is not one field of printable
 * text (white space, a quote, '#' which starts a comment, or a separator of
 * the format): a value that slipped past validation never makes a second
 * line or field. Caller frees.
 */
char *nfs_render_line(const char *path, const struct strvec *clients, const struct strvec *opts);

#endif
