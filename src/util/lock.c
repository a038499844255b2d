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
