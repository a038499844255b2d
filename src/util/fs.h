/* fs: file helpers shared by every subsystem: --root prefixing, atomic writes. */
#ifndef PH_FS_H
#define PH_FS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* root + abs ("" or NULL root gives abs unchanged). Caller frees. */
char *root_path(const char *root, const char *abs);

/* Reads a whole file. Returns 0, or -errno (data untouched). *data is NUL-terminated. */
int read_file(const char *path, char **data, size_t *len);

/*
 * Writes data to path atomically: temp file in the same directory, fsync,
 * rename. Creates missing parent directories (0755). Keeps the mode given.
 * Returns 0 or -errno.
 */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);

/* mkdir -p (mode for created directories). Returns 0 or -errno. */
int mkdir_parents(const char *path, mode_t mode);

#endif
