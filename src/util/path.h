/* path: pure helpers on absolute host paths, shared by the subsystems. */
#ifndef PH_PATH_H
#define PH_PATH_H
#include <stddef.h>

/*
 * Length of dir when path is dir itself or below it (1 for "/", which holds
 * everything), else 0. Longest match wins when callers compare several dirs.
 */
size_t path_covers(const char *dir, const char *path);

/*
 * prefix (may be NULL) and path joined and cleaned into "/a/b": empty and
 * trailing components dropped. Returns a new string, or NULL when a component
 * is "." or ".." (*bad then points at it inside path; nothing to free).
 * The result of an empty path is "/".
 */
char *path_clean(const char *prefix, const char *path, const char **bad, size_t *bad_len);

/* The directory part of path ("/a/b" -> "/a"; "/a" and "b" -> "/"). Caller frees. */
char *path_dir(const char *path);

/* The number of '/' in s: the depth of a dataset name or of an absolute path. */
int path_depth(const char *s);

#endif
