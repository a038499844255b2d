#include "exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/strbuf.h"

extern char **environ;

static unsigned n_spawned;
static bool trace;

unsigned exec_count(void)
{
	return n_spawned;
}

void exec_set_trace(bool on)
{
	trace = on;
}

/* Every program the tool runs, the variable that may name it, and where it comes from. */
static const struct program {
	const char *name, *var, *hint;
} programs[] = {
	{ "zfs", "PHOENIX_ZFS", "install ZFS (zfsutils-linux, or zfs-fuse), or set PHOENIX_ZFS to the program" },
	{ "zpool", "PHOENIX_ZPOOL", "install ZFS (zfsutils-linux, or zfs-fuse), or set PHOENIX_ZPOOL to the program" },
	{ "wipefs", "PHOENIX_WIPEFS", "install util-linux, or set PHOENIX_WIPEFS to the program" },
	{ "exportfs", "PHOENIX_EXPORTFS", "install nfs-kernel-server, or set PHOENIX_EXPORTFS to the program" },
	{ "testparm", "PHOENIX_TESTPARM", "install samba-common-bin, or set PHOENIX_TESTPARM to the program" },
	{ "smbpasswd", "PHOENIX_SMBPASSWD", "install samba-common-bin, or set PHOENIX_SMBPASSWD to the program" },
	{ "pdbedit", "PHOENIX_PDBEDIT", "install samba, or set PHOENIX_PDBEDIT to the program" },
	{ "smbcontrol", "PHOENIX_SMBCONTROL", "install samba, or set PHOENIX_SMBCONTROL to the program" },
	{ "pvesm", "PHOENIX_PVESM", "run on a Proxmox VE host (pve-manager), or set PHOENIX_PVESM to the program" },
	{ "pct", "PHOENIX_PCT", "run on a Proxmox VE host (pve-container), or set PHOENIX_PCT to the program" },
	{ "qm", "PHOENIX_QM", "run on a Proxmox VE host (qemu-server), or set PHOENIX_QM to the program" },
};

static const struct program *program_find(const char *name)
{
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		if (!strcmp(programs[i].name, name))
			return &programs[i];
	return NULL;
}

const char *exec_program(const char *name)
{
	const struct program *pg = program_find(name);
	const char *v = pg ? getenv(pg->var) : NULL;
	return v && *v ? v : name;
}

char *exec_resolve(const char *argv0, const char **hint)
{
	if (hint)
		*hint = NULL;
	if (strchr(argv0, '/'))
		return xstrdup(argv0);
	const char *name = exec_program(argv0);
	if (strchr(name, '/'))
		return xstrdup(name);
	for (const char *d = EXEC_TRUSTED_PATH; *d;) {
		size_t n = strcspn(d, ":");
		char *f = xasprintf("%.*s/%s", (int)n, d, name);
		struct stat sb;
		if (stat(f, &sb) == 0 && S_ISREG(sb.st_mode) && access(f, X_OK) == 0)
			return f;
		free(f);
		d += n;
		if (*d)
			d++;
	}
	const struct program *pg = program_find(argv0);
	if (hint)
		*hint = pg ? pg->hint : "install the package that provides it";
	return NULL;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool needs_quote(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@+%", *s))
			return true;
	return false;
}

char *exec_argv_display(const char *const argv[])
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			sb_addc(&sb, ' ');
		if (!needs_quote(argv[i])) {
			sb_adds(&sb, argv[i]);
			continue;
		}
		sb_addc(&sb, '\'');
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				sb_adds(&sb, "'\\''");
			else
				sb_addc(&sb, *p);
		}
		sb_addc(&sb, '\'');
	}
	return sb_detach(&sb);
}

/* environ with LC_ALL=C replacing any LC_ALL/LANG entry; caller frees the array only. */
static char **child_env(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = xcalloc(n + 2, sizeof(*env));
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) && strncmp(environ[i], "LANG=", 5))
			env[j++] = environ[i];
	env[j++] = (char *)"LC_ALL=C";
	env[j] = NULL;
	return env;
}

static void drain(int *fd, struct strbuf *sb, size_t cap)
{
	char buf[65536];
	ssize_t k = read(*fd, buf, sizeof(buf));
	if (k > 0) {
		size_t room = sb->len < cap ? cap - sb->len : 0;
		sb_add(sb, buf, (size_t)k < room ? (size_t)k : room);
	} else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

int exec_run(const char *const argv[], const struct exec_opts *opts, struct exec_result *r)
{
	struct exec_opts def = { 0 };
	if (!opts)
		opts = &def;
	int timeout = opts->timeout_ms > 0 ? opts->timeout_ms : 300000;
	size_t cap = opts->max_output ? opts->max_output : (64u << 20);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	sb_init(&out);
	sb_init(&err);
	memset(r, 0, sizeof(*r));
	r->status = -1;

	const char *hint = NULL;
	char *prog = exec_resolve(argv[0], &hint);
	if (!prog) {
		sb_addf(&err, "program '%s' not found in %s", argv[0], EXEC_TRUSTED_PATH);
		r->hint = hint;
		goto done_nofds;
	}
	if (trace) {
		/* the full path run, then the arguments as given */
		const char *shown[] = { prog, NULL };
		char *p0 = exec_argv_display(shown);
		char *d = exec_argv_display(argv + 1);
		fprintf(stderr, "+ %s%s%s\n", p0, *d ? " " : "", d);
		free(p0);
		free(d);
	}

	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pi[2] = { -1, -1 };
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || (opts->stdin_data && pipe2(pi, O_CLOEXEC))) {
		sb_addf(&err, "cannot create pipe: %s", strerror(errno));
		goto fail_fds;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (opts->stdin_data)
		posix_spawn_file_actions_adddup2(&fa, pi[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	sigset_t def_sigs;
	sigemptyset(&def_sigs);
	sigaddset(&def_sigs, SIGPIPE);
	sigaddset(&def_sigs, SIGINT);
	sigaddset(&def_sigs, SIGTERM);
	posix_spawnattr_setsigdefault(&at, &def_sigs);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	char **env = child_env();
	pid_t pid;
	int rc = posix_spawn(&pid, prog, &fa, &at, (char *const *)argv, env);
	free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (pi[0] >= 0) {
		close(pi[0]);
		pi[0] = -1;
	}
	if (rc) {
		sb_addf(&err, "cannot run '%s': %s", prog, strerror(rc));
		goto fail_fds;
	}
	n_spawned++;

	size_t in_off = 0;
	if (pi[1] >= 0)
		fcntl(pi[1], F_SETFL, O_NONBLOCK);
	long long deadline = now_ms() + timeout;
	bool termed = false;
	long long kill_at = 0;
	int wstatus = 0;
	bool reaped = false;
	while (po[0] >= 0 || pe[0] >= 0 || pi[1] >= 0) {
		struct pollfd pf[3];
		int n = 0;
		if (po[0] >= 0)
			pf[n++] = (struct pollfd){ .fd = po[0], .events = POLLIN };
		if (pe[0] >= 0)
			pf[n++] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
		if (pi[1] >= 0)
			pf[n++] = (struct pollfd){ .fd = pi[1], .events = POLLOUT };
		long long left = (termed ? kill_at : deadline) - now_ms();
		if (left <= 0) {
			if (!termed) {
				kill(-pid, SIGTERM);
				kill(pid, SIGTERM);
				termed = true;
				r->timed_out = true;
				kill_at = now_ms() + 2000;
				continue;
			}
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		int k = poll(pf, (nfds_t)n, (int)(left > 1000 ? 1000 : left));
		if (k < 0 && errno != EINTR)
			break;
		/* Reap on idle ticks only: a child's exit is seen by its pipes closing. */
		if (k == 0 && !reaped && waitpid(pid, &wstatus, WNOHANG) == pid)
			reaped = true;
		for (int i = 0; i < n && k > 0; i++) {
			if (!pf[i].revents)
				continue;
			if (pf[i].fd == po[0])
				drain(&po[0], &out, cap);
			else if (pf[i].fd == pe[0])
				drain(&pe[0], &err, cap);
			else if (pf[i].fd == pi[1]) {
				ssize_t w = write(pi[1], opts->stdin_data + in_off, opts->stdin_len - in_off);
				if (w > 0)
					in_off += (size_t)w;
				if (w < 0 && errno != EAGAIN && errno != EINTR)
					in_off = opts->stdin_len;
				if (in_off >= opts->stdin_len) {
					close(pi[1]);
					pi[1] = -1;
				}
			}
		}
	}
	if (!reaped) {
		/* Output pipes closed (or kill); wait, still bounded by the deadline. */
		for (;;) {
			pid_t w = waitpid(pid, &wstatus, WNOHANG);
			if (w == pid || (w < 0 && errno != EINTR))
				break;
			long long t = now_ms();
			if (!termed && t >= deadline) {
				kill(-pid, SIGTERM);
				kill(pid, SIGTERM);
				termed = true;
				r->timed_out = true;
				kill_at = t + 2000;
			} else if (termed && t >= kill_at) {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				waitpid(pid, &wstatus, 0);
				break;
			}
			usleep(2000);
		}
	}
	if (WIFEXITED(wstatus))
		r->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		r->status = 128 + WTERMSIG(wstatus);
	goto done;

fail_fds:
	r->status = -1;
done:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
		if (pi[i] >= 0)
			close(pi[i]);
	}
done_nofds:
	free(prog);
	r->out_len = out.len;
	r->out = sb_detach(&out);
	r->err_len = err.len;
	r->err = sb_detach(&err);
	return (r->status == 0 && !r->timed_out) ? 0 : -1;
}

void exec_result_free(struct exec_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

char *exec_describe_status(const struct exec_result *r)
{
	if (r->timed_out)
		return xstrdup("timed out and was killed");
	if (r->status < 0)
		return xstrdup("could not be started");
	if (r->status > 128)
		return xasprintf("was killed by signal %d", r->status - 128);
	return xasprintf("exited with status %d", r->status);
}
