/* fs: file helpers shared by every subsystem: --root prefixing, atomic writes. */
#ifndef PH_FS_H
#define PH_FS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* root + abs ("" or NULL root gives abs unchanged). Caller frees. */
char *root_path(const char *root, const char *abs);

/*
 * The inverse of root_path: path without the root prefix when it lies in
 * root ("/" for root itself), else path unchanged; for messages and for
 * paths other programs see from inside the root. Caller frees.
 */
char *root_strip(const char *root, const char *path);

/* Reads a whole file. Returns 0, or -errno (data untouched). *data is NUL-terminated. */
int read_file(const char *path, char **data, size_t *len);

/* Temp files of write_file_atomic are named PATH FS_TMP_INFIX PID. */
#define FS_TMP_INFIX ".phoenix-tmp."

/*
 * Writes data to path atomically, crash-clean: readers see the old file or
 * the new one, never a part; a kill at any instant leaves no temp file that
 * the next write into the directory does not remove; the directory is
 * fsync'ed after the rename. The one writer of every file the tool owns (see
 * fs.c for how). Creates missing parent directories (0755). The file gets
 * exactly mode. Returns 0 or -errno.
 */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);

/*
 * Removes the temp files that killed writers left in dir: regular files
 * named *.phoenix-tmp.PID whose PID is no running process. Returns how many
 * were removed, or -errno when dir cannot be read (0 when it does not exist).
 */
int fs_remove_stale_tmp(const char *dir);

/* mkdir -p (mode for created directories). Returns 0 or -errno. */
int mkdir_parents(const char *path, mode_t mode);

/*
 * Appends one record (data[0..len), its last byte '\n') to the log file path
 * with a single write(2) on an O_APPEND descriptor, so concurrent appenders
 * never interleave and an earlier record is never rewritten. Creates missing
 * parent directories (0755) and the file (mode); never follows a symlink at
 * path. Returns 0, or -errno (-EIO for a short write, -EINVAL when data does
 * not end in '\n').
 */
int fs_append_record(const char *path, const char *data, size_t len, mode_t mode);

#endif
