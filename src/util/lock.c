#include "util/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "util/fs.h"
#include "util/strbuf.h"

char *lock_path(const char *name)
{
	const char *env = getenv("PHOENIX_LOCK");
	if (!env || !*env)
		return xasprintf("%s/%s.lock", LOCK_DIR, name);
	if (!strcmp(name, LOCK_APPLY))
		return xstrdup(env);
	size_t n = strlen(env);
	if (n > 5 && !strcmp(env + n - 5, ".lock"))
		n -= 5;
	return xasprintf("%.*s-%s.lock", (int)n, env, name);
}

/* /proc/PID/cmdline as one line (arguments joined by spaces, control characters as '?'); NULL if unreadable. */
static char *cmdline_of(const char *pid)
{
	char *p = xasprintf("/proc/%s/cmdline", pid);
	char *text = NULL;
	size_t len = 0;
	int r = read_file(p, &text, &len);
	free(p);
	if (r || !len) {
		free(text);
		return NULL;
	}
	while (len && text[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\0')
			text[i] = ' ';
		else if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			text[i] = '?';
	text[len] = '\0';
	return text;
}

/* Writes who we are into the locked file: pid=, started=, command= lines. */
static void write_holder(int fd)
{
	char pid[24], when[64] = "";
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	time_t t = time(NULL);
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
	char *cmd = cmdline_of("self");
	char *text = xasprintf("pid=%s\nstarted=%s\ncommand=%s\n", pid, when, cmd ? cmd : "?");
	free(cmd);
	size_t n = strlen(text);
	if (ftruncate(fd, 0) == 0 && pwrite(fd, text, n, 0) != (ssize_t)n)
		(void)0; /* the lock holds without it; only the refusal message gets poorer */
	free(text);
}

/* The value of "key=" in the holder text, or NULL. Caller frees. */
static char *holder_field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (n > kl && !strncmp(l, key, kl) && l[kl] == '=')
			return xstrndup(l + kl + 1, n - kl - 1);
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

char *lock_holder(const char *name)
{
	char *path = lock_path(name);
	char *text = NULL;
	int r = read_file(path, &text, NULL);
	free(path);
	if (r) {
		free(text);
		return NULL;
	}
	char *pid = holder_field(text, "pid"), *started = holder_field(text, "started"),
	     *cmd = holder_field(text, "command");
	free(text);
	char *res = NULL;
	if (pid && *pid && strspn(pid, "0123456789") == strlen(pid)) {
		char *live = cmdline_of(pid);
		bool alive = live && (!cmd || !strcmp(live, cmd));
		res = xasprintf("pid %s%s%s%s%s%s", pid, started && *started ? ", started " : "",
				started && *started ? started : "", cmd ? ", command: " : "", cmd ? cmd : "",
				alive ? "" : " (no longer running: another process holds the lock)");
		free(live);
	}
	free(pid);
	free(started);
	free(cmd);
	return res;
}

int lock_acquire(const char *name, int wait_s, struct diag_list *dl)
{
	char *path = lock_path(name);
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir_parents(dir, 0755);
	}
	free(dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		int e = errno;
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "run as root (the lock lives in " LOCK_DIR ")",
			 "cannot open lock file '%s': %s", path, strerror(e));
		free(path);
		return -e;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		int e = errno;
		if (e == EINTR)
			continue;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long waited_ms = (long long)(now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (e == EWOULDBLOCK && waited_ms < (long long)wait_s * 1000) {
			nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
			continue;
		}
		if (e != EWOULDBLOCK) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "cannot lock '%s': %s", path, strerror(e));
		} else {
			char *who = lock_holder(name);
			char *waited = wait_s > 0 ? xasprintf(" still running after %d s", wait_s) : xstrdup(" running");
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
				 wait_s > 0 ? "try again when it has finished (or wait longer with --wait SECONDS); nothing was changed"
					    : "wait for it to finish, or give --wait SECONDS to wait for it; nothing was changed",
				 "another phoenix-storage %s is%s (%s; lock '%s')", name, waited,
				 who ? who : "holder unknown", path);
			free(waited);
			free(who);
		}
		close(fd);
		free(path);
		return -e;
	}
	write_holder(fd);
	free(path);
	return fd;
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

char *cfs_lock_id(const char *file)
{
	if (!strncmp(file, "/etc/pve/", 9))
		file += 9;
	char *id = xasprintf("file-%s", file);
	for (char *p = id; *p; p++)
		if (*p == '.' || *p == '/')
			*p = '_';
	return id;
}

/* Seconds of the monotonic clock. */
static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cfs_lock_file(const char *root, const char *file, int (*fn)(void *arg), void *arg, struct diag_list *dl)
{
	char *priv = root_path(root, "/etc/pve/priv");
	struct stat sb;
	if (stat(priv, &sb) || !S_ISDIR(sb.st_mode)) {
		free(priv);
		return fn(arg);   /* no cluster file system: nobody else writes /etc/pve */
	}
	char *lockdir = xasprintf("%s/lock", priv);
	char *id = cfs_lock_id(file);
	char *path = xasprintf("%s/%s", lockdir, id);
	free(id);
	free(priv);
	(void)mkdir(lockdir, 0755);   /* as cfs_lock does: it may be there already */
	const char *rel = strncmp(file, "/etc/pve/", 9) ? file : file + 9;
	double start = mono_s();
	int err = 0;
	for (;;) {
		if (!mkdir(path, 0755))
			break;
		err = errno;
		if (err != EEXIST || mono_s() - start >= CFS_LOCK_TIMEOUT_S)
			break;
		struct utimbuf zero = { 0, 0 };
		(void)utime(path, &zero);   /* pmxcfs: drop the lock if it has expired */
		struct timespec one = { 1, 0 };
		nanosleep(&one, NULL);
		err = 0;
	}
	int rc;
	if (err == EEXIST) {
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL,
			 "run again when the other writer is done; pmxcfs drops a lock 120 s after it was taken",
			 "cannot take the cluster lock of /etc/pve/%s: %s is held by another node or a Proxmox tool "
			 "(waited %d s); nothing was written", rel, path, CFS_LOCK_TIMEOUT_S);
		rc = -1;
	} else if (err) {
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, NULL,
			 "cannot take the cluster lock of /etc/pve/%s: mkdir %s: %s; nothing was written",
			 rel, path, strerror(err));
		rc = -1;
	} else {
		rc = fn(arg);
		if (rmdir(path) && errno != ENOENT)
			diag_add(dl, DIAG_WARNING, path, 0, 0, NULL, "remove it by hand when no node is writing",
				 "cannot release the cluster lock %s: %s", path, strerror(errno));
	}
	free(path);
	free(lockdir);
	return rc;
}
