#include "sys/safe_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strbuf.h"

bool safe_dir_path_ok(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	if (!strcmp(path, "/"))
		return true;
	const char *p = path;
	while (*p) {
		/* p points at a '/' */
		const char *c = p + 1;
		size_t n = strcspn(c, "/");
		if (n == 0)
			return false; /* "//" or trailing "/" */
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
				return false;
		p = c + n;
	}
	return true;
}

static int open_root(const char *root, char **err)
{
	const char *r = root && *root ? root : "/";
	int fd = open(r, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		*err = xasprintf("cannot open root directory '%s': %s", r, strerror(e));
		return -e;
	}
	return fd;
}

/* Explains why openat(O_NOFOLLOW|O_DIRECTORY) of an existing name failed. */
static int classify(int dirfd, const char *name, const char *shown, int e, char **err)
{
	struct stat sb;
	if (e == ELOOP || e == ENOTDIR) {
		if (!fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) && S_ISLNK(sb.st_mode)) {
			*err = xasprintf("'%s' is a symbolic link; refusing to follow it", shown);
			return -ELOOP;
		}
		*err = xasprintf("'%s' exists and is not a directory", shown);
		return -ENOTDIR;
	}
	*err = xasprintf("cannot open '%s': %s", shown, strerror(e));
	return -e;
}

/*
 * Walks path from the root. With create, makes missing components (final one
 * with final_mode, parents 0755). Returns the final directory's descriptor
 * (>= 0) or a negative errno; when !create and a component is missing, returns
 * -ENOENT with st->first_missing/n_missing filled and no message.
 */
static int walk(const char *root, const char *path, bool create, mode_t final_mode,
		struct safe_dir_state *st, unsigned *created, char **err)
{
	if (!safe_dir_path_ok(path)) {
		*err = xasprintf("'%s' is not a normalized absolute path", path);
		return -EINVAL;
	}
	int cur = open_root(root, err);
	if (cur < 0)
		return cur;
	const char *p = path;
	while (*p == '/' && p[1]) {
		const char *c = p + 1;
		size_t n = strcspn(c, "/");
		bool last = c[n] == '\0';
		char *name = xstrndup(c, n);
		char *shown = xstrndup(path, (size_t)(c + n - path));
		int fd = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			mode_t m = last ? final_mode : SAFE_DIR_DEFAULT_MODE;
			if (mkdirat(cur, name, m) && errno != EEXIST) {
				int e = errno;
				*err = xasprintf("cannot create '%s': %s", shown, strerror(e));
				free(name);
				free(shown);
				close(cur);
				return -e;
			}
			fd = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				(*created)++;
				/* mkdirat applied the umask: set the exact mode on the descriptor. */
				if (fchmod(fd, m)) {
					int e = errno;
					*err = xasprintf("cannot change mode of '%s': %s", shown, strerror(e));
					close(fd);
					free(name);
					free(shown);
					close(cur);
					return -e;
				}
			}
		}
		if (fd < 0) {
			int e = errno;
			int rc;
			if (e == ENOENT && !create) {
				st->first_missing = xstrdup(shown);
				st->n_missing = 1;
				for (const char *q = c + n; *q; q++)
					st->n_missing += *q == '/';
				rc = -ENOENT;
			} else {
				rc = classify(cur, name, shown, e, err);
			}
			free(name);
			free(shown);
			close(cur);
			return rc;
		}
		free(name);
		free(shown);
		close(cur);
		cur = fd;
		p = c + n;
	}
	return cur;
}

int safe_dir_inspect(const char *root, const char *path, struct safe_dir_state *st, char **err)
{
	memset(st, 0, sizeof(*st));
	*err = NULL;
	unsigned created = 0;
	int fd = walk(root, path, false, 0, st, &created, err);
	if (fd == -ENOENT && !*err)
		return 0;
	if (fd < 0)
		return fd;
	struct stat sb;
	if (fstat(fd, &sb)) {
		int e = errno;
		*err = xasprintf("cannot stat '%s': %s", path, strerror(e));
		close(fd);
		return -e;
	}
	close(fd);
	st->exists = true;
	st->uid = sb.st_uid;
	st->gid = sb.st_gid;
	st->mode = sb.st_mode & 07777;
	return 0;
}

int safe_dir_ensure(const char *root, const char *path, const struct safe_dir_req *req,
		    struct safe_dir_done *done, char **err)
{
	memset(done, 0, sizeof(*done));
	*err = NULL;
	struct safe_dir_state st;
	memset(&st, 0, sizeof(st));
	mode_t mode = req->set_mode ? req->mode : SAFE_DIR_DEFAULT_MODE;
	int fd = walk(root, path, true, mode, &st, &done->created, err);
	safe_dir_state_free(&st);
	if (fd < 0)
		return fd;
	struct stat sb;
	if (fstat(fd, &sb)) {
		int e = errno;
		*err = xasprintf("cannot stat '%s': %s", path, strerror(e));
		close(fd);
		return -e;
	}
	uid_t uid = req->set_uid ? req->uid : (uid_t)-1;
	gid_t gid = req->set_gid ? req->gid : (gid_t)-1;
	if ((req->set_uid && sb.st_uid != req->uid) || (req->set_gid && sb.st_gid != req->gid)) {
		if (fchown(fd, uid, gid)) {
			int e = errno;
			*err = xasprintf("cannot change owner of '%s': %s", path, strerror(e));
			close(fd);
			return -e;
		}
		done->chowned = true;
		/* chown clears set-id bits: re-read the mode before comparing. */
		if (fstat(fd, &sb)) {
			int e = errno;
			*err = xasprintf("cannot stat '%s': %s", path, strerror(e));
			close(fd);
			return -e;
		}
	}
	if (req->set_mode && (sb.st_mode & 07777) != req->mode) {
		if (fchmod(fd, req->mode)) {
			int e = errno;
			*err = xasprintf("cannot change mode of '%s': %s", path, strerror(e));
			close(fd);
			return -e;
		}
		done->chmodded = true;
	}
	close(fd);
	return 0;
}

void safe_dir_state_free(struct safe_dir_state *st)
{
	if (!st)
		return;
	free(st->first_missing);
	st->first_missing = NULL;
}
