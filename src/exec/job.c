/* The steps of a job (see job.h): resolve, trace, spawn, pump, reap, and the one escalate(). */
#include "exec/job.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/program.h"

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

long long job_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

void job_init(struct job *r, const char *const *const argvs[], size_t n)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->st = xcalloc(n ? n : 1, sizeof(*r->st));
	for (size_t i = 0; i < n; i++) {
		struct job_stage *s = &r->st[i];
		s->argv = argvs[i];
		s->in_w = s->out_r = s->err_r = -1;
		s->status = -1;
		sb_init(&s->err);
	}
	sb_init(&r->out);
	sb_init(&r->error);
	r->timeout_ms = 300000;
	r->out_cap = r->err_cap = 64u << 20;
	r->progress_ms = 1000;
	r->first_cause = -1;
	r->null_fd = -1;
}

void job_free(struct job *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct job_stage *s = &r->st[i];
		close_fd(&s->in_w);
		close_fd(&s->out_r);
		close_fd(&s->err_r);
		free(s->prog);
		sb_release(&s->err);
	}
	free(r->st);
	close_fd(&r->null_fd);
	sb_release(&r->out);
	sb_release(&r->error);
	memset(r, 0, sizeof(*r));
}

/* ---- resolve and trace ---- */

/*
 * Finds every stage's program (exec_resolve: trusted path or PHOENIX_*).
 * Returns 0, or -1 when one is missing: each missing stage's err says so,
 * r->hint is the first one's hint and r->first_cause its index.
 */
static int job_resolve(struct job *r)
{
	int rc = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct job_stage *s = &r->st[i];
		const char *hint = NULL;
		s->prog = exec_resolve(s->argv[0], &hint);
		if (s->prog)
			continue;
		sb_addf(&s->err, "program '%s' not found in %s", s->argv[0], EXEC_TRUSTED_PATH);
		if (rc == 0) {
			r->hint = hint;
			r->first_cause = (int)i;
		}
		rc = -1;
	}
	return rc;
}

/* With exec_set_trace on, "+ /usr/sbin/zfs send x | /usr/sbin/zfs receive y" on stderr:
 * the full path run, then the arguments as given. */
static void job_trace(const struct job *r)
{
	if (!trace)
		return;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < r->n; i++) {
		const char *shown[] = { r->st[i].prog, NULL };
		char *p0 = exec_argv_display(shown);
		char *d = exec_argv_display(r->st[i].argv + 1);
		sb_addf(&sb, "%s%s%s%s", i ? " | " : "", p0, *d ? " " : "", d);
		free(p0);
		free(d);
	}
	fprintf(stderr, "+ %s\n", sb.buf);
	sb_release(&sb);
}

/* ---- spawn ---- */

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

/*
 * Starts stage i with its own pipes: stdin (when the parent feeds it: every
 * stage but the first, and the first when there is stdin data; else
 * /dev/null), stdout and stderr. All pipes are close-on-exec (a later stage
 * must not hold an earlier one's pipe, or no reader would ever see EOF); the
 * parent's ends are non-blocking. The program gets an empty signal mask,
 * default SIGPIPE/SIGINT/SIGTERM and its own process group (so escalate()
 * reaches what it starts). Returns 0, or -1 with the reason in the stage's err
 * (nothing of it left open).
 */
static int spawn_stage(struct job *r, size_t i, char **env)
{
	struct job_stage *s = &r->st[i];
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pi[2] = { -1, -1 };
	bool fed = i > 0 || r->in_data;
	int rc = -1;
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || (fed && pipe2(pi, O_CLOEXEC))) {
		sb_addf(&s->err, "cannot create pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (fed)
		posix_spawn_file_actions_adddup2(&fa, pi[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t none, def_sigs;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	sigemptyset(&def_sigs);
	sigaddset(&def_sigs, SIGPIPE);
	sigaddset(&def_sigs, SIGINT);
	sigaddset(&def_sigs, SIGTERM);
	posix_spawnattr_setsigdefault(&at, &def_sigs);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	pid_t pid;
	int e = posix_spawn(&pid, s->prog, &fa, &at, (char *const *)s->argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (e) {
		sb_addf(&s->err, "cannot run '%s': %s", s->prog, strerror(e));
		goto out;
	}
	n_spawned++;
	s->pid = pid;
	s->out_r = po[0];
	s->err_r = pe[0];
	s->in_w = pi[1];
	po[0] = pe[0] = pi[1] = -1;
	int *mine[] = { &s->out_r, &s->err_r, &s->in_w };
	for (size_t k = 0; k < 3; k++)
		if (*mine[k] >= 0)
			fcntl(*mine[k], F_SETFL, fcntl(*mine[k], F_GETFL) | O_NONBLOCK);
	rc = 0;
out:
	for (int k = 0; k < 2; k++) {
		close_fd(&po[k]);
		close_fd(&pe[k]);
		close_fd(&pi[k]);
	}
	return rc;
}

/*
 * Starts every stage in order and starts the clock (deadline, progress, rate).
 * Returns 0, or -1 when a stage could not start: its err says why,
 * r->first_cause is its index, the later ones are never started, every
 * parent pipe is closed and the earlier ones are asked to stop (job_reap
 * then stops and reaps them).
 */
static int job_spawn(struct job *r)
{
	r->start = job_now_ms();
	r->deadline = r->start + r->timeout_ms;
	r->last_move = r->start;
	r->next_progress = r->start + r->progress_ms;
	if (!r->capture)
		r->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char **env = child_env();
	int rc = 0;
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		r->st[i].tokens_at = r->start;
		if (spawn_stage(r, i, env)) {
			r->first_cause = (int)i;
			rc = -1;
		}
	}
	free(env);
	if (rc) {
		for (size_t i = 0; i < r->n; i++) {
			close_fd(&r->st[i].in_w);
			close_fd(&r->st[i].out_r);
			close_fd(&r->st[i].err_r);
		}
		r->stop_requested = true;
	}
	return rc;
}

/* ---- escalate and reap ---- */

static bool stage_has_fd(const struct job_stage *s)
{
	return s->in_w >= 0 || s->out_r >= 0 || s->err_r >= 0;
}

/* sig to every running stage and its process group, and to the group of a reaped stage whose
 * pipes are still open (a program it started holds them). Never to a reaped pid. */
static void signal_all(struct job *r, int sig)
{
	for (size_t i = 0; i < r->n; i++) {
		struct job_stage *s = &r->st[i];
		if (!s->pid)
			continue;
		if (!s->reaped) {
			kill(-s->pid, sig);
			kill(s->pid, sig);
			s->stopped = true;
		} else if (stage_has_fd(s)) {
			kill(-s->pid, sig);
		}
	}
}

/* When the job must stop for lack of time: the deadline, or the stall deadline when that comes first. */
static long long stop_time(const struct job *r)
{
	long long stall = r->stall_ms > 0 ? r->last_move + r->stall_ms : r->deadline;
	return stall < r->deadline ? stall : r->deadline;
}

/*
 * The one place that stops programs. At the deadline (or the stall
 * deadline: stall_ms without a byte moved), or as soon as a stage failed
 * (stop_requested), SIGTERM to every stage still running; JOB_GRACE_MS
 * later, SIGKILL to those still running. timed_out is set when a deadline,
 * not a failure, started it (stalled too when it was the stall deadline).
 * Returns the milliseconds until its next step (0 once SIGKILL has been sent).
 */
static long long escalate(struct job *r, long long now)
{
	if (!r->termed && (r->stop_requested || now >= stop_time(r))) {
		if (!r->stop_requested) {
			r->timed_out = true;
			r->stalled = now < r->deadline;
		}
		signal_all(r, SIGTERM);
		r->termed = true;
		r->kill_at = now + JOB_GRACE_MS;
	} else if (r->termed && !r->killed && now >= r->kill_at) {
		signal_all(r, SIGKILL);
		r->killed = true;
	}
	if (r->killed)
		return 0;
	return (r->termed ? r->kill_at : stop_time(r)) - now;
}

/*
 * Records how stage i ended. A failure of its own (not the answer to its
 * output being closed, nor to escalate's signal) is the job's first cause
 * when none came before, and the other stages are asked to stop.
 */
static void record_exit(struct job *r, size_t i, int wstatus)
{
	struct job_stage *s = &r->st[i];
	s->reaped = true;
	s->seq = ++r->n_reaped;
	if (WIFEXITED(wstatus))
		s->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		s->status = 128 + WTERMSIG(wstatus);
	if (s->status != 0 && !s->cut && !s->stopped && r->first_cause < 0) {
		r->first_cause = (int)i;
		if (r->n > 1)
			r->stop_requested = true;
	}
}

/* waitpid(flags) on every stage still running: WNOHANG to collect the ones that ended, 0 to
 * wait for all. A stage that cannot be waited for (ECHILD) counts as exited 0, as it always did. */
static void reap_ready(struct job *r, int flags)
{
	for (size_t i = 0; i < r->n; i++) {
		struct job_stage *s = &r->st[i];
		if (!s->pid || s->reaped)
			continue;
		int ws = 0;
		pid_t w;
		do
			w = waitpid(s->pid, &ws, flags);
		while (w < 0 && errno == EINTR);
		if (w == s->pid)
			record_exit(r, i, ws);
		else if (w < 0)
			record_exit(r, i, 0);
	}
}

static bool any_running(const struct job *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->st[i].pid && !r->st[i].reaped)
			return true;
	return false;
}

/*
 * Waits until every started stage is reaped, still bounded by escalate()
 * (a stage that closed its pipes but does not exit gets SIGTERM at the
 * deadline, SIGKILL after the grace period). Never leaves a zombie.
 */
static void job_reap(struct job *r)
{
	for (;;) {
		reap_ready(r, WNOHANG);
		if (!any_running(r))
			return;
		escalate(r, job_now_ms());
		if (r->killed) {
			reap_ready(r, 0);
			return;
		}
		usleep(2000);
	}
}

/* ---- pump ---- */

/*
 * The rate limiter of stage s's stdout (a token bucket holding at most 100 ms
 * of data): the bytes it may move now, SIZE_MAX without a limit. 0 when it
 * must wait (for at least 16 KiB, or the whole bucket when smaller); then
 * *wait is lowered to the milliseconds until it may move them.
 */
static size_t budget(const struct job *r, struct job_stage *s, long long now, long long *wait)
{
	if (!r->rate)
		return SIZE_MAX;
	double rate = (double)r->rate, burst = rate / 10 < 1 ? 1 : rate / 10;
	s->tokens += (double)(now - s->tokens_at) * rate / 1000;
	s->tokens_at = now;
	if (s->tokens > burst)
		s->tokens = burst;
	double need = burst < 16384 ? burst : 16384;
	if (s->tokens >= need)
		return (size_t)s->tokens;
	long long ms = (long long)((need - s->tokens) * 1000 / rate) + 1;
	if (ms < *wait)
		*wait = ms;
	return 0;
}

static void moved(struct job *r, struct job_stage *s, size_t k)
{
	s->bytes_out += k;
	if (k)
		r->last_move = job_now_ms();
	if (r->rate)
		s->tokens -= (double)k;
}

/* Reads up to want bytes (64 KiB at most) from *fd; with keep, appends them to sb while sb
 * holds less than cap (the rest is read and dropped). Closes *fd at its end or on an error.
 * Returns the bytes read. */
static size_t drain(int *fd, struct strbuf *sb, size_t cap, size_t want, bool keep)
{
	char buf[65536];
	ssize_t k = read(*fd, buf, want < sizeof(buf) ? want : sizeof(buf));
	if (k > 0) {
		size_t room = sb->len < cap ? cap - sb->len : 0;
		if (keep)
			sb_add(sb, buf, (size_t)k < room ? (size_t)k : room);
		return (size_t)k;
	}
	if (k == 0 || (errno != EINTR && errno != EAGAIN))
		close_fd(fd);
	return 0;
}

/* The caller's stdin data into the first stage; closed when all is written or the program
 * stopped reading (EPIPE: SIGPIPE is blocked while pumping). */
static void feed(struct job *r)
{
	struct job_stage *s = &r->st[0];
	ssize_t w = write(s->in_w, r->in_data + r->in_off, r->in_len - r->in_off);
	if (w > 0)
		r->in_off += (size_t)w;
	if (w < 0 && errno != EAGAIN && errno != EINTR)
		r->in_off = r->in_len;
	if (r->in_off >= r->in_len)
		close_fd(&s->in_w);
}

/* Stage i+1 stopped reading: close both ends of link i, so stage i gets SIGPIPE (or EPIPE)
 * at its next write instead of blocking on a pipe nobody reads. Stage i is marked cut when
 * this can still change how it ends (it has not been reaped). */
static void cut(struct job *r, size_t i)
{
	close_fd(&r->st[i + 1].in_w);
	r->st[i + 1].in_full = false;
	if (r->st[i].out_r >= 0) {
		close_fd(&r->st[i].out_r);
		if (!r->st[i].reaped)
			r->st[i].cut = true;
	}
}

/*
 * Moves what stage i wrote into stage i+1's stdin with splice(2), as much as
 * the limiter allows. At its end closes both (the next stage sees EOF); when
 * the next stage's stdin is full waits for room (in_full); when its reader is
 * gone cuts the link. Any other error (none is known between two pipes) is
 * recorded in r->error, cuts the link and stops the job.
 */
static void relay(struct job *r, size_t i)
{
	struct job_stage *s = &r->st[i], *next = &r->st[i + 1];
	if (s->out_r < 0 || next->in_w < 0)
		return;
	long long unused = LLONG_MAX;
	size_t want = budget(r, s, job_now_ms(), &unused);
	if (!want)
		return;
	ssize_t k = splice(s->out_r, NULL, next->in_w, NULL, want < (1u << 20) ? want : (1u << 20),
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (k > 0) {
		moved(r, s, (size_t)k);
	} else if (k == 0) {
		close_fd(&s->out_r);
		close_fd(&next->in_w);
	} else if (errno == EAGAIN) {
		next->in_full = true;
	} else if (errno == EPIPE) {
		cut(r, i);
	} else if (errno != EINTR) {
		sb_addf(&r->error, "%scannot pass the output of stage %zu to stage %zu: %s",
			r->error.len ? "; " : "", i + 1, i + 2, strerror(errno));
		cut(r, i);
		r->stop_requested = true;
	}
}

/* The last stage's stdout: captured (capped) into r->out, or spliced into /dev/null (read
 * and dropped if that fails), as much as the limiter allows; closed at its end. */
static void take_output(struct job *r, struct job_stage *s)
{
	long long unused = LLONG_MAX;
	size_t want = budget(r, s, job_now_ms(), &unused);
	if (!want)
		return;
	if (!r->capture && r->null_fd >= 0) {
		ssize_t k = splice(s->out_r, NULL, r->null_fd, NULL, want < (1u << 20) ? want : (1u << 20),
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (k > 0)
			moved(r, s, (size_t)k);
		else if (k == 0)
			close_fd(&s->out_r);
		else if (errno != EAGAIN && errno != EINTR)
			close_fd(&r->null_fd); /* read and drop from now on */
		return;
	}
	moved(r, s, drain(&s->out_r, &r->out, r->out_cap, want, r->capture));
}

enum { FD_ERR, FD_OUT, FD_IN };
struct slot {
	size_t stage;
	int kind;
};

/*
 * The pipes worth waiting for now: every stderr; each stdout whose limiter
 * allows and whose reader has room (else that reader's stdin, for room); the
 * first stage's stdin while there is data for it; every other stdin with no
 * events, for POLLERR (its reader is gone). Lowers *wait for the limiter.
 */
static int pollset(struct job *r, struct pollfd *pf, struct slot *sl, long long now, long long *wait)
{
	int n = 0;
#define ADD(fd_, ev_, i_, kind_)                                              \
	do {                                                                  \
		pf[n] = (struct pollfd){ .fd = (fd_), .events = (ev_) };      \
		sl[n++] = (struct slot){ .stage = (i_), .kind = (kind_) };    \
	} while (0)
	for (size_t i = 0; i < r->n; i++) {
		struct job_stage *s = &r->st[i];
		bool last = i + 1 == r->n;
		if (s->err_r >= 0)
			ADD(s->err_r, POLLIN, i, FD_ERR);
		if (s->in_w >= 0)
			ADD(s->in_w, i == 0 || s->in_full ? POLLOUT : 0, i, FD_IN);
		if (s->out_r >= 0 && (last || !r->st[i + 1].in_full) && budget(r, s, now, wait))
			ADD(s->out_r, POLLIN, i, FD_OUT);
	}
#undef ADD
	return n;
}

static void handle(struct job *r, struct slot sl, short revents)
{
	struct job_stage *s = &r->st[sl.stage];
	bool last = sl.stage + 1 == r->n;
	switch (sl.kind) {
	case FD_ERR:
		if (s->err_r >= 0)
			drain(&s->err_r, &s->err, r->err_cap, SIZE_MAX, true);
		break;
	case FD_IN:
		if (s->in_w < 0)
			break;
		if (sl.stage == 0)
			feed(r);
		else if (revents & (POLLERR | POLLHUP))
			cut(r, sl.stage - 1);
		else
			s->in_full = false; /* room again: wait for the writer's data next */
		break;
	case FD_OUT:
		if (!last)
			relay(r, sl.stage);
		else if (s->out_r >= 0)
			take_output(r, s);
		break;
	}
}

/* How long poll may sleep when nothing else wakes it: a stage with no pipe left open is
 * only seen to end by waitpid, so look often; else once a second. */
static long long idle_tick(const struct job *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->st[i].pid && !r->st[i].reaped && !stage_has_fd(&r->st[i]))
			return 10;
	return 1000;
}

static bool any_fd(const struct job *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (stage_has_fd(&r->st[i]))
			return true;
	return false;
}

/*
 * Moves data until every pipe of the job is closed (or SIGKILL was sent):
 * feeds the first stage's stdin, relays each link, reads the last stdout and
 * every stderr, reaps stages as they end (a failure stops the others), calls
 * escalate() and the progress callback on time. SIGPIPE is blocked meanwhile
 * (a write to a program that went away is EPIPE, never the caller's death)
 * and a SIGPIPE it caused is consumed before the mask is restored.
 */
static void job_pump(struct job *r)
{
	sigset_t pipe_set, old, before, after;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&before);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	struct pollfd *pf = xcalloc(3 * r->n, sizeof(*pf));
	struct slot *sl = xcalloc(3 * r->n, sizeof(*sl));
	bool reap_due = true;
	long long reaped_at = 0;
	while (any_fd(r)) {
		/* waitpid costs: call it when a stage may have ended (a pipe hung up, or nothing
		 * happened), and at least every idle_tick while data flows */
		long long now = job_now_ms(), tick = idle_tick(r);
		if (reap_due || now - reaped_at >= tick) {
			reap_ready(r, WNOHANG);
			reaped_at = now;
		}
		long long wait = escalate(r, now);
		if (r->killed)
			break;
		if (r->progress && r->next_progress - now < wait)
			wait = r->next_progress - now;
		int n = pollset(r, pf, sl, now, &wait);
		if (wait > tick)
			wait = tick;
		int k = poll(pf, (nfds_t)n, wait < 0 ? 0 : (int)wait);
		if (k < 0 && errno != EINTR)
			break;
		reap_due = k == 0;
		for (int j = 0; j < n && k > 0; j++) {
			if (pf[j].revents & (POLLHUP | POLLERR))
				reap_due = true;
			if (pf[j].revents)
				handle(r, sl[j], pf[j].revents);
		}
		now = job_now_ms();
		if (r->progress && now >= r->next_progress) {
			r->progress(r->st[0].bytes_out, r->progress_arg);
			r->next_progress = now + r->progress_ms;
		}
	}
	free(pf);
	free(sl);
	sigpending(&after);
	if (sigismember(&after, SIGPIPE) && !sigismember(&before, SIGPIPE)) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void job_run(struct job *r)
{
	if (job_resolve(r))
		return;
	job_trace(r);
	if (job_spawn(r) == 0)
		job_pump(r);
	job_reap(r);
}
