/*
 * Unit tests: exec pipelines join REAL programs (yes, head, cat, tr, sleep, sh) and report what a
 * caller needs: exact byte counts, every status and stderr, the first cause, the deadline, the
 * rate limit, progress, and no process left behind. Time is only ever bounded from below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/pipeline.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every stage that started is gone (reaped: no zombie, nothing running) and this process has no
 * child left at all. */
static void assert_nothing_left(const struct exec_pipeline_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (!r->stages[i].pid)
			continue;
		errno = 0;
		assert_int_equal(kill(r->stages[i].pid, 0), -1);
		assert_int_equal(errno, ESRCH);
	}
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void yes_into_head_counts_every_byte_and_the_sigpipe_of_yes_is_no_failure(void **state)
{
	(void)state;
	const char *yes[] = { "yes", NULL };
	const char *head[] = { "head", "-c", "1000000", NULL };
	const char *const *p[] = { yes, head };
	struct exec_pipeline_opts o = { .capture_output = true };
	struct exec_pipeline_result r;
	unsigned before = exec_count();
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), 0);
	assert_int_equal(exec_count(), before + 2);
	assert_int_equal(r.out_len, 1000000);
	assert_int_equal(r.stages[1].bytes_out, 1000000);
	assert_memory_equal(r.out, "y\ny\n", 4);
	assert_int_equal(r.out[999999], '\n');
	/* head may have read more than it printed; what passed the link is at least that */
	assert_true(r.bytes >= 1000000);
	assert_int_equal(r.bytes, r.stages[0].bytes_out);
	assert_int_equal(r.stages[1].status, 0);
	assert_int_equal(r.stages[0].status, 128 + SIGPIPE);
	assert_true(r.stages[0].cut);
	assert_false(r.stages[0].failed);
	assert_false(r.stages[1].failed);
	assert_int_equal(r.first_failed, -1);
	assert_false(r.timed_out);
	char *why = exec_pipeline_describe(&r);
	assert_string_equal(why, "");
	free(why);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void a_reader_that_exits_without_reading_leaves_no_writer_blocked(void **state)
{
	(void)state;
	const char *yes[] = { "yes", NULL };
	const char *nap[] = { "sleep", "0.2", NULL };
	const char *const *p[] = { yes, nap };
	struct exec_pipeline_result r;
	assert_int_equal(exec_pipeline(p, N(p), NULL, &r), 0);
	assert_int_equal(r.stages[1].status, 0);
	assert_int_equal(r.stages[0].status, 128 + SIGPIPE);
	assert_false(r.stages[0].failed);
	assert_true(r.bytes > 0);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void data_passes_through_every_stage_and_is_captured(void **state)
{
	(void)state;
	const char *printf_[] = { "printf", "data", NULL };
	const char *cat[] = { "cat", NULL };
	const char *const *p[] = { printf_, cat, cat };
	struct exec_pipeline_opts o = { .capture_output = true };
	struct exec_pipeline_result r;
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), 0);
	assert_string_equal(r.out, "data");
	assert_int_equal(r.out_len, 4);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(r.stages[i].status, 0);
		assert_int_equal(r.stages[i].bytes_out, 4);
		assert_string_equal(r.stages[i].err, "");
		assert_false(r.stages[i].cut);
	}
	assert_int_equal(r.bytes, 4);
	exec_pipeline_result_free(&r);

	/* stdin data for the first stage; without capture the output is counted, not kept */
	const char *const *q[] = { cat, cat };
	struct exec_pipeline_opts in = { .stdin_data = "hello\n", .stdin_len = 6 };
	assert_int_equal(exec_pipeline(q, N(q), &in, &r), 0);
	assert_string_equal(r.out, "");
	assert_int_equal(r.stages[1].bytes_out, 6);
	assert_int_equal(r.bytes, 6);
	exec_pipeline_result_free(&r);
}

static void every_stage_keeps_its_own_stderr_capped(void **state)
{
	(void)state;
	const char *one[] = { "sh", "-c", "echo one >&2; /usr/bin/head -c 100000 /dev/zero >&2", NULL };
	const char *two[] = { "sh", "-c", "cat; echo two >&2", NULL };
	const char *const *p[] = { one, two };
	struct exec_pipeline_opts o = { .max_stderr = 1000 };
	struct exec_pipeline_result r;
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), 0);
	assert_int_equal(r.stages[0].err_len, 1000);
	assert_memory_equal(r.stages[0].err, "one\n", 4);
	assert_string_equal(r.stages[1].err, "two\n");
	exec_pipeline_result_free(&r);
}

static void a_stage_that_exits_1_fails_the_pipeline_and_is_named_first(void **state)
{
	(void)state;
	const char *printf_[] = { "printf", "data", NULL };
	const char *bad[] = { "cat", "/nonexistent-phoenix", NULL };
	const char *cat[] = { "cat", NULL };
	const char *const *p[] = { printf_, bad, cat };
	struct exec_pipeline_result r;
	assert_int_equal(exec_pipeline(p, N(p), NULL, &r), -1);
	assert_int_equal(r.first_failed, 1);
	assert_int_equal(r.stages[1].status, 1);
	assert_true(r.stages[1].failed);
	assert_string_equal(r.stages[1].err, "cat: /nonexistent-phoenix: No such file or directory\n");
	assert_false(r.timed_out);
	char *why = exec_pipeline_describe(&r);
	const char *want = "'cat /nonexistent-phoenix' (stage 2 of 3) exited with status 1: "
			   "cat: /nonexistent-phoenix: No such file or directory";
	assert_memory_equal(why, want, strlen(want));
	free(why);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void when_the_first_stage_fails_the_others_are_stopped(void **state)
{
	(void)state;
	const char *f[] = { "false", NULL };
	const char *nap[] = { "sleep", "60", NULL };
	const char *const *p[] = { f, nap };
	struct exec_pipeline_opts o = { .timeout_ms = 120000 };
	struct exec_pipeline_result r;
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), -1);
	assert_int_equal(r.first_failed, 0);
	assert_int_equal(r.stages[0].status, 1);
	/* sleep never reads stdin: only the pipeline's SIGTERM ends it before 60 s */
	assert_int_equal(r.stages[1].status, 128 + SIGTERM);
	assert_true(r.stages[1].stopped);
	assert_true(r.stages[1].failed);
	assert_false(r.timed_out);
	char *why = exec_pipeline_describe(&r);
	assert_string_equal(why, "'false' (stage 1 of 2) exited with status 1; "
				 "'sleep 60' (stage 2 of 2) was killed by signal 15 (stopped because stage 1 failed)");
	free(why);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void a_writer_that_exits_1_on_epipe_is_a_failure_even_when_its_reader_succeeded(void **state)
{
	(void)state;
	/* with SIGPIPE ignored, yes sees EPIPE and exits 1: only a SIGPIPE death is benign */
	const char *yes[] = { "sh", "-c", "trap '' PIPE; /usr/bin/yes", NULL };
	const char *head[] = { "head", "-c", "10", NULL };
	const char *const *p[] = { yes, head };
	struct exec_pipeline_result r;
	assert_int_equal(exec_pipeline(p, N(p), NULL, &r), -1);
	assert_int_equal(r.stages[1].status, 0);
	assert_false(r.stages[1].failed);
	assert_int_equal(r.stages[0].status, 1);
	assert_true(r.stages[0].cut);
	assert_true(r.stages[0].failed);
	assert_int_equal(r.first_failed, 0);
	assert_non_null(strstr(r.stages[0].err, "Broken pipe"));
	char *why = exec_pipeline_describe(&r);
	const char *want = "'sh -c 'trap '\\'''\\'' PIPE; /usr/bin/yes'' (stage 1 of 2) exited with status 1 "
			   "(the next program had stopped reading): ";
	assert_memory_equal(why, want, strlen(want));
	free(why);
	exec_pipeline_result_free(&r);
}

/* The pid of this process's child named comm (from /proc/PID/stat), or 0. */
static pid_t child_named(const char *comm)
{
	DIR *d = opendir("/proc");
	assert_non_null(d);
	pid_t found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		char path[300], buf[512], name[64];
		int pid, ppid;
		char st;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && sscanf(buf, "%d (%63[^)]) %c %d", &pid, name, &st, &ppid) == 4 &&
		    ppid == getpid() && !strcmp(name, comm))
			found = pid;
		fclose(f);
	}
	closedir(d);
	return found;
}

struct killer {
	unsigned long long at;  /* kill once this many bytes passed */
	pid_t killed;
	unsigned long long last;
	bool decreased;
};

static void kill_tr(unsigned long long bytes, void *arg)
{
	struct killer *k = arg;
	if (bytes < k->last)
		k->decreased = true; /* no assert here: a longjmp out of exec_pipeline would leave its programs */
	k->last = bytes;
	if (k->killed || bytes < k->at)
		return;
	k->killed = child_named("tr");
	if (k->killed)
		kill(k->killed, SIGKILL);
}

static void a_stage_killed_mid_stream_fails_the_pipeline_and_every_stage_is_reaped(void **state)
{
	(void)state;
	const char *yes[] = { "yes", NULL };
	const char *tr[] = { "tr", "y", "n", NULL };
	const char *cat[] = { "cat", NULL };
	const char *const *p[] = { yes, tr, cat };
	struct killer k = { .at = 100000 };
	struct exec_pipeline_opts o = { .timeout_ms = 120000, .progress_ms = 10, .progress = kill_tr, .progress_arg = &k };
	struct exec_pipeline_result r;
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), -1);
	assert_int_equal(k.killed, r.stages[1].pid);
	assert_false(k.decreased);
	assert_int_equal(r.first_failed, 1);
	assert_int_equal(r.stages[1].status, 128 + SIGKILL);
	assert_true(r.stages[1].failed);
	assert_true(r.bytes >= 100000);
	/* yes lost its reader (SIGPIPE, or the pipeline's SIGTERM); cat saw EOF or was stopped */
	assert_true(r.stages[0].failed);
	assert_true(r.stages[0].status == 128 + SIGPIPE || r.stages[0].status == 128 + SIGTERM);
	assert_true(r.stages[2].status == 0 || r.stages[2].status == 128 + SIGTERM);
	assert_false(r.timed_out);
	char *why = exec_pipeline_describe(&r);
	const char *want = "'tr y n' (stage 2 of 3) was killed by signal 9; 'yes' (stage 1 of 3) was killed by signal ";
	assert_memory_equal(why, want, strlen(want));
	free(why);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void the_deadline_stops_a_pipeline_that_never_ends(void **state)
{
	(void)state;
	const char *yes[] = { "yes", NULL };
	const char *cat[] = { "cat", NULL };
	const char *const *p[] = { yes, cat };
	struct exec_pipeline_opts o = { .timeout_ms = 300 };
	struct exec_pipeline_result r;
	long long t0 = ms_now();
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), -1);
	assert_true(ms_now() - t0 >= 300);
	assert_true(r.timed_out);
	assert_int_equal(r.first_failed, -1);
	assert_true(r.bytes > 0);
	for (size_t i = 0; i < 2; i++) {
		assert_true(r.stages[i].stopped);
		assert_true(r.stages[i].failed);
		assert_true(r.stages[i].status > 128);
	}
	char *why = exec_pipeline_describe(&r);
	assert_string_equal(why, "'yes' (stage 1 of 2) timed out and was killed; 'cat' (stage 2 of 2) timed out and was killed");
	free(why);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void the_stall_deadline_stops_a_pipeline_where_nothing_moves(void **state)
{
	(void)state;
	const char *quiet[] = { "sh", "-c", "printf x; exec /usr/bin/sleep 30", NULL };
	const char *cat[] = { "cat", NULL };
	const char *const *p[] = { quiet, cat };
	struct exec_pipeline_opts o = { .timeout_ms = 60000, .stall_ms = 1000 };
	struct exec_pipeline_result r;
	long long t0 = ms_now();
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), -1);
	long long took = ms_now() - t0;
	assert_true(took >= 1000 && took < 10000);
	assert_true(r.timed_out);
	assert_int_equal(r.stalled_ms, 1000);
	assert_int_equal(r.bytes, 1);
	char *why = exec_pipeline_describe(&r);
	assert_non_null(strstr(why, "'sh -c 'printf x; exec /usr/bin/sleep 30'' (stage 1 of 2) stalled (no byte moved for 1 s) and was killed"));
	free(why);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void a_slow_but_steady_pipeline_outlives_its_stall_deadline(void **state)
{
	(void)state;
	/* 2 s in all at 16 KiB/s, never 500 ms without a byte */
	const char *src[] = { "head", "-c", "32768", "/dev/zero", NULL };
	const char *cat[] = { "cat", NULL };
	const char *const *p[] = { src, cat };
	struct exec_pipeline_opts o = { .timeout_ms = 60000, .stall_ms = 500, .rate_limit = 16384 };
	struct exec_pipeline_result r;
	long long t0 = ms_now();
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), 0);
	assert_true(ms_now() - t0 >= 1000);
	assert_false(r.timed_out);
	assert_int_equal(r.stalled_ms, 0);
	assert_int_equal(r.bytes, 32768);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void a_stage_that_ignores_sigterm_gets_sigkill_after_the_grace_period(void **state)
{
	(void)state;
	const char *yes[] = { "yes", NULL };
	const char *deaf[] = { "sh", "-c", "trap '' TERM; /usr/bin/sleep 60", NULL };
	const char *const *p[] = { yes, deaf };
	struct exec_pipeline_opts o = { .timeout_ms = 300 };
	struct exec_pipeline_result r;
	long long t0 = ms_now();
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), -1);
	assert_true(ms_now() - t0 >= 300 + 2000);
	assert_true(r.timed_out);
	assert_int_equal(r.stages[0].status, 128 + SIGTERM);
	assert_int_equal(r.stages[1].status, 128 + SIGKILL);
	assert_nothing_left(&r);
	exec_pipeline_result_free(&r);
}

static void a_missing_program_fails_the_pipeline_before_anything_runs(void **state)
{
	(void)state;
	const char *yes[] = { "yes", NULL };
	const char *missing[] = { "phoenix-no-such-program", "-x", NULL };
	const char *const *p[] = { yes, missing };
	struct exec_pipeline_result r;
	unsigned before = exec_count();
	assert_int_equal(exec_pipeline(p, N(p), NULL, &r), -1);
	assert_int_equal(exec_count(), before);
	assert_int_equal(r.stages[0].pid, 0);
	assert_int_equal(r.stages[0].status, -1);
	assert_false(r.stages[0].failed);
	assert_int_equal(r.stages[1].status, -1);
	assert_true(r.stages[1].failed);
	assert_string_equal(r.stages[1].err, "program 'phoenix-no-such-program' not found in /usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(r.hint, "install the package that provides it");
	assert_int_equal(r.first_failed, 1);
	char *why = exec_pipeline_describe(&r);
	assert_string_equal(why, "'phoenix-no-such-program -x' (stage 2 of 2) could not be started: "
				 "program 'phoenix-no-such-program' not found in /usr/sbin:/usr/bin:/sbin:/bin");
	free(why);
	exec_pipeline_result_free(&r);

	/* a known program gets its package and variable as the hint */
	setenv("PHOENIX_ZFS", "phoenix-no-such-zfs", 1);
	const char *send[] = { "zfs", "send", "p/x@b", NULL };
	const char *const *q[] = { send, yes };
	assert_int_equal(exec_pipeline(q, N(q), NULL, &r), -1);
	assert_int_equal(r.first_failed, 0);
	assert_string_equal(r.stages[0].err, "program 'zfs' not found in /usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(r.hint, "install ZFS (zfsutils-linux, or zfs-fuse), or set PHOENIX_ZFS to the program");
	assert_int_equal(r.stages[1].pid, 0);
	exec_pipeline_result_free(&r);
	unsetenv("PHOENIX_ZFS");
	assert_int_equal(exec_count(), before);
}

struct calls {
	unsigned n;
	unsigned long long last;
	bool decreased;
};

static void record(unsigned long long bytes, void *arg)
{
	struct calls *c = arg;
	if (bytes < c->last)
		c->decreased = true;
	c->last = bytes;
	c->n++;
}

static void the_rate_limit_holds_a_megabyte_at_2_mb_s_for_at_least_0_4_s_with_progress(void **state)
{
	(void)state;
	const char *head[] = { "head", "-c", "1000000", "/dev/zero", NULL };
	const char *cat[] = { "cat", NULL };
	const char *const *p[] = { head, cat };
	struct calls c = { 0 };
	struct exec_pipeline_opts o = {
		.rate_limit = 2000000, .progress_ms = 50, .progress = record, .progress_arg = &c,
	};
	struct exec_pipeline_result r;
	long long t0 = ms_now();
	assert_int_equal(exec_pipeline(p, N(p), &o, &r), 0);
	long long took = ms_now() - t0;
	assert_true(took >= 400);
	assert_int_equal(r.bytes, 1000000);
	assert_int_equal(r.stages[1].bytes_out, 1000000);
	/* called, never with a smaller count, never more than the final one, at most every 50 ms */
	assert_true(c.n >= 1);
	assert_false(c.decreased);
	assert_true(c.last <= r.bytes);
	assert_true(c.n <= (unsigned)(took / 50) + 1);
	exec_pipeline_result_free(&r);
}

static void the_display_joins_the_quoted_stages_with_bars(void **state)
{
	(void)state;
	const char *send[] = { "zfs", "send", "-i", "@a", "p/x@b", NULL };
	const char *recv[] = { "zfs", "receive", "-u", "p/y", NULL };
	const char *const *p[] = { send, recv };
	char *d = exec_pipeline_display(p, N(p));
	assert_string_equal(d, "zfs send -i @a p/x@b | zfs receive -u p/y");
	free(d);
	const char *ssh[] = { "ssh", "-o", "BatchMode=yes", "root@10.0.0.14", "zfs receive 'a b'", NULL };
	const char *const *q[] = { send, ssh };
	d = exec_pipeline_display(q, N(q));
	assert_string_equal(d, "zfs send -i @a p/x@b | ssh -o BatchMode=yes root@10.0.0.14 'zfs receive '\\''a b'\\'''");
	free(d);
}

/* What fn wrote to stderr, with stderr redirected to a file meanwhile. Caller frees. */
static char *stderr_of(void (*fn)(void))
{
	char path[] = "/tmp/phoenix-test-exec-pipeline.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	off_t n = lseek(fd, 0, SEEK_END);
	char *buf = calloc((size_t)n + 1, 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)n, 0), n);
	close(fd);
	return buf;
}

static void run_traced_pipeline(void)
{
	exec_set_trace(true);
	const char *printf_[] = { "printf", "a b", NULL };
	const char *cat[] = { "cat", NULL };
	const char *const *p[] = { printf_, cat };
	struct exec_pipeline_result r;
	exec_pipeline(p, N(p), NULL, &r);
	exec_pipeline_result_free(&r);
	exec_set_trace(false);
}

static void the_trace_shows_every_stage_with_its_full_path(void **state)
{
	(void)state;
	char *printf_ = exec_resolve("printf", NULL), *cat = exec_resolve("cat", NULL);
	char want[512];
	snprintf(want, sizeof(want), "+ %s 'a b' | %s\n", printf_, cat);
	char *got = stderr_of(run_traced_pipeline);
	assert_string_equal(got, want);
	free(got);
	free(printf_);
	free(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(yes_into_head_counts_every_byte_and_the_sigpipe_of_yes_is_no_failure),
		cmocka_unit_test(a_reader_that_exits_without_reading_leaves_no_writer_blocked),
		cmocka_unit_test(data_passes_through_every_stage_and_is_captured),
		cmocka_unit_test(every_stage_keeps_its_own_stderr_capped),
		cmocka_unit_test(a_stage_that_exits_1_fails_the_pipeline_and_is_named_first),
		cmocka_unit_test(when_the_first_stage_fails_the_others_are_stopped),
		cmocka_unit_test(a_writer_that_exits_1_on_epipe_is_a_failure_even_when_its_reader_succeeded),
		cmocka_unit_test(a_stage_killed_mid_stream_fails_the_pipeline_and_every_stage_is_reaped),
		cmocka_unit_test(the_deadline_stops_a_pipeline_that_never_ends),
		cmocka_unit_test(the_stall_deadline_stops_a_pipeline_where_nothing_moves),
		cmocka_unit_test(a_slow_but_steady_pipeline_outlives_its_stall_deadline),
		cmocka_unit_test(a_stage_that_ignores_sigterm_gets_sigkill_after_the_grace_period),
		cmocka_unit_test(a_missing_program_fails_the_pipeline_before_anything_runs),
		cmocka_unit_test(the_rate_limit_holds_a_megabyte_at_2_mb_s_for_at_least_0_4_s_with_progress),
		cmocka_unit_test(the_display_joins_the_quoted_stages_with_bars),
		cmocka_unit_test(the_trace_shows_every_stage_with_its_full_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
