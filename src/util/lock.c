#include "util/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/strbuf.h"

int lock_acquire(const char *root, struct diag_list *dl)
{
	char *dir = root_path(root, "/run");
	mkdir_parents(dir, 0755);
	char *path = xasprintf("%s/phoenix-storage.lock", dir);
	free(dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "cannot open lock file '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "wait for it to finish, then run apply again",
			 "another phoenix-storage apply is running (pid %s, lock '%s')", *buf ? buf : "unknown", path);
		close(fd);
		free(path);
		return -1;
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0)
		(void)0;
	free(path);
	return fd;
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
