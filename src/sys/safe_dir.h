/*
 * safe_dir: create, chown and chmod directories without ever following a
 * symbolic link. A path is walked one component at a time from "/" (or the
 * --root directory), each component opened with O_NOFOLLOW|O_DIRECTORY
 * relative to its parent's descriptor; missing ones are made with mkdirat and
 * owner and mode are changed with fchown/fchmod on the opened descriptor. A
 * symlink planted in a shared or container-writable directory can therefore
 * never redirect a root-owned chown elsewhere: it is reported as an error.
 *
 * The root directory itself (--root, given by the admin) is opened normally;
 * every component of path below it is walked without following links.
 * Paths in messages are the paths as given (without the root prefix).
 */
#ifndef PH_SAFE_DIR_H
#define PH_SAFE_DIR_H
#include <stdbool.h>
#include <sys/types.h>

/* What is there now. Owns first_missing; release with safe_dir_state_free. */
struct safe_dir_state {
	bool exists;          /* path is an existing directory */
	char *first_missing;  /* when !exists: the first missing prefix, e.g. "/a/b" */
	unsigned n_missing;   /* components that would be created */
	uid_t uid;            /* of the existing directory */
	gid_t gid;
	mode_t mode;          /* permission bits (07777) */
};

/* What the caller wants. A field is changed only when its set_ flag is true. */
struct safe_dir_req {
	bool set_uid;
	uid_t uid;
	bool set_gid;
	gid_t gid;
	bool set_mode;
	mode_t mode;          /* also the mode of the directory when it is created */
};

#define SAFE_DIR_DEFAULT_MODE 0755

/* What safe_dir_ensure did. */
struct safe_dir_done {
	unsigned created;     /* directories created (parents included) */
	bool chowned;
	bool chmodded;
};

/*
 * True when path is absolute and normalized: no empty, "." or ".." component,
 * no trailing slash (except "/" itself), no control character.
 */
bool safe_dir_path_ok(const char *path);

/*
 * Looks at path under root (NULL or "" for "/") without changing anything.
 * Returns 0 with st filled (existing or missing), or a negative errno with a
 * message in *err (caller frees): -ELOOP when a component is a symlink,
 * -ENOTDIR when a component exists but is not a directory, -EINVAL for a path
 * that is not normalized, other errors from openat.
 */
int safe_dir_inspect(const char *root, const char *path, struct safe_dir_state *st, char **err);

/*
 * Makes path exist as a directory (parents first: created parents get 0755 and
 * the caller's owner, the final directory req->mode or 0755), then changes the
 * owner, group and mode that req names and only those, and only when they
 * differ. Never follows a symlink, never removes anything. Returns 0 or a
 * negative errno with a message in *err (caller frees); what was already done
 * is in *done.
 */
int safe_dir_ensure(const char *root, const char *path, const struct safe_dir_req *req,
		    struct safe_dir_done *done, char **err);

/* Accepts NULL. */
void safe_dir_state_free(struct safe_dir_state *st);

#endif
