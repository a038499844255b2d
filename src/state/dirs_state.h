/*
 * dirs_state: what is on disk now for each directory of the dirs config:
 * whether it exists, its owner, group and mode, or why it cannot be looked
 * at (a symlink or a file in the way). Read with safe_dir_inspect under
 * --root, never following a symbolic link.
 */
#ifndef PH_DIRS_STATE_H
#define PH_DIRS_STATE_H
#include <stdbool.h>
#include <stddef.h>

#include "config/dirs_config.h"

/* Per-directory current state (index-aligned with dirs_config.v). */
struct dir_seen {
	bool inspected;
	bool exists;
	char *first_missing;
	unsigned n_missing;
	unsigned uid, gid, mode;
	char *error;          /* symlink / not a directory / ..., or NULL */
};

/*
 * Inspects every directory of cfg under root ("" for the real host) into
 * seen (cfg->n entries, zeroed by the caller). Never fails: a directory that
 * cannot be inspected gets its error.
 */
void dirs_state_discover(const struct dirs_config *cfg, const char *root, struct dir_seen *seen);
/* Frees the strings of seen[0..n) (the array itself stays the caller's). */
void dirs_state_free(struct dir_seen *seen, size_t n);

#endif
