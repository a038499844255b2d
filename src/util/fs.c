#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strbuf.h"

char *root_path(const char *root, const char *abs)
{
	if (!root || !*root || !strcmp(root, "/"))
		return xstrdup(abs);
	size_t rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	return xasprintf("%.*s%s%s", (int)rl, root, abs[0] == '/' ? "" : "/", abs);
}

char *root_strip(const char *root, const char *path)
{
	size_t rl = root ? strlen(root) : 0;
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (rl > 1 && !strncmp(path, root, rl) && (path[rl] == '/' || !path[rl]))
		return xstrdup(path[rl] ? path + rl : "/");
	return xstrdup(path);
}

int read_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	char buf[65536];
	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			sb_release(&sb);
			return -e;
		}
		if (k == 0)
			break;
		sb_add(&sb, buf, (size_t)k);
	}
	close(fd);
	if (len)
		*len = sb.len;
	*data = sb_detach(&sb);
	return 0;
}

int mkdir_parents(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) && errno != EEXIST) {
				rc = -errno;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return rc;
}

int fs_append_record(const char *path, const char *data, size_t len, mode_t mode)
{
	if (!len || data[len - 1] != '\n')
		return -EINVAL;
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		rc = mkdir_parents(dir, 0755);
	}
	free(dir);
	if (rc)
		return rc;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, data, len);
	rc = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/*
 * Crash-clean atomic replace. What a kill (SIGKILL, power loss) at any
 * instant leaves behind:
 *
 *  - The data goes into an anonymous file first: open(dir, O_TMPFILE). It has
 *    no name, so a kill while it is written or fsync'ed leaves nothing.
 *  - A new file (lstat finds nothing) is then given its name with linkat(2)
 *    from /proc/self/fd/N (AT_SYMLINK_FOLLOW; AT_EMPTY_PATH when /proc is not
 *    mounted): one atomic step, and linkat never replaces, so a file that
 *    appeared meanwhile is not clobbered (EEXIST: handled as an existing file).
 *  - An existing file cannot be replaced by linkat (it fails with EEXIST), so
 *    the anonymous file is linked to PATH.phoenix-tmp.PID and renamed over
 *    PATH. A kill between those two system calls leaves that temp name.
 *  - Where the file system has no O_TMPFILE (zfs-fuse and other FUSE file
 *    systems, NFS), the data is written to PATH.phoenix-tmp.PID directly, so a
 *    kill while writing leaves that name too.
 *  - Temp names carry the writer's pid. Each write first removes the stale
 *    ones in its directory: regular files named *.phoenix-tmp.PID whose PID is
 *    not a running process (a live process's temp file is never touched). A
 *    killed write did not replace its file, so the next apply writes that file
 *    again and so cleans its directory.
 *  - After the rename (or link) the directory is fsync'ed, so the new name
 *    survives a power loss, not only the data.
 *
 * Test hook: PHOENIX_FAULT_RENAME=K makes the process SIGKILL itself right
 * before the K-th commit (the link of a new file, or the rename) of this
 * process, after the temp name exists: the fault-injection suite uses it to
 * kill an apply at every file write. Unset, it costs one getenv per write.
 */
static void fault_point(void)
{
	static unsigned long n;
	const char *k = getenv("PHOENIX_FAULT_RENAME");
	if (k && *k && ++n == strtoul(k, NULL, 10))
		raise(SIGKILL);
}

/* True when pid names a process (running, or ours to not know: EPERM). */
static bool pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int fs_remove_stale_tmp(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	DIR *d = fdopendir(dfd);
	if (!d) {
		int e = errno;
		close(dfd);
		return -e;
	}
	int removed = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *m = strstr(e->d_name, FS_TMP_INFIX);
		if (!m || m == e->d_name)
			continue;
		const char *pid = m + strlen(FS_TMP_INFIX);
		if (!*pid || strspn(pid, "0123456789") != strlen(pid) || strlen(pid) > 9)
			continue;
		struct stat sb;
		if (fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISREG(sb.st_mode))
			continue;
		if (pid_alive(strtol(pid, NULL, 10)))
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

/* fsync of a directory, so a rename or link in it is durable. Returns 0 or -errno. */
static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) && errno != EINVAL ? -errno : 0; /* EINVAL: this file system cannot */
	close(fd);
	return rc;
}

/* Gives the anonymous (O_TMPFILE) file fd the name path. Returns 0 or -errno (EEXIST: path exists). */
static int link_anon(int fd, const char *path)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	/* no /proc: AT_EMPTY_PATH (needs CAP_DAC_READ_SEARCH, which root has) */
	return linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) ? -errno : 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	return 0;
}

/*
 * Writes data to a temp file beside path (PATH.phoenix-tmp.PID, O_TMPFILE
 * where it exists), fsyncs it, renames it over path and fsyncs the directory:
 * readers see the old file or the new one. Creates missing parents (0755).
 * Returns 0, or -errno with the old file in place (what a kill leaves: above).
 */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir) {
		dir[1] = '\0';
	} else {
		*slash = '\0';
		int rc = mkdir_parents(dir, 0755);
		if (rc) {
			free(dir);
			return rc;
		}
	}
	fs_remove_stale_tmp(dir);
	char *tmp = xasprintf("%s" FS_TMP_INFIX "%ld", path, (long)getpid());
	int rc = 0;
	bool anon = true;
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		anon = false;
		unlink(tmp); /* our own pid's: a leftover of an earlier process with this pid */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	}
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = write_all(fd, data, len);
	if (!rc && (fchmod(fd, mode) || fsync(fd)))
		rc = -errno;
	if (rc) {
		close(fd);
		if (!anon)
			unlink(tmp);
		goto out;
	}
	if (anon) {
		struct stat sb;
		rc = -EEXIST;
		if (lstat(path, &sb) && errno == ENOENT) {
			fault_point();
			rc = link_anon(fd, path);
		}
		if (rc == -EEXIST) {
			unlink(tmp);
			rc = link_anon(fd, tmp);
			if (!rc) {
				fault_point();
				if (rename(tmp, path)) {
					rc = -errno;
					unlink(tmp);
				}
			}
		}
	} else {
		fault_point();
		if (rename(tmp, path)) {
			rc = -errno;
			unlink(tmp);
		}
	}
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc)
		rc = fsync_dir(dir);
out:
	free(tmp);
	free(dir);
	return rc;
}
