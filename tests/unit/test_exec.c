/*
 * Unit tests: which file exec runs for a program name (trusted path, PHOENIX_* variables, never PATH),
 * and what exec_run reports for real programs (status, stdout and stderr apart, stdin, caps, LC_ALL,
 * the deadline's TERM then KILL, the -v trace, exec_count).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"

static void names_resolve_in_the_trusted_path_never_in_path(void **state)
{
	(void)state;
	setenv("PATH", "/tmp/phoenix-evil:/usr/local/bin", 1);
	unsetenv("PHOENIX_ZFS");
	const char *hint = "unset";
	char *p = exec_resolve("sh", &hint);
	/* the first of /usr/sbin:/usr/bin:/sbin:/bin that has it */
	const char *want = access("/usr/sbin/sh", X_OK) == 0 ? "/usr/sbin/sh" : "/usr/bin/sh";
	assert_string_equal(p, want);
	assert_null(hint);
	free(p);
	p = exec_resolve("/opt/x/prog", &hint);
	assert_string_equal(p, "/opt/x/prog");
	free(p);
}

static void phoenix_variables_name_the_program(void **state)
{
	(void)state;
	static const struct {
		const char *name, *var, *value, *want;
	} cases[] = {
		{ "zfs", "PHOENIX_ZFS", "/opt/zfs-wrapper", "/opt/zfs-wrapper" },
		{ "zpool", "PHOENIX_ZPOOL", "/opt/zpool-wrapper", "/opt/zpool-wrapper" },
		{ "exportfs", "PHOENIX_EXPORTFS", "/opt/e", "/opt/e" },
		{ "wipefs", "PHOENIX_WIPEFS", "/opt/w", "/opt/w" },
		{ "testparm", "PHOENIX_TESTPARM", "/opt/t", "/opt/t" },
		{ "smbpasswd", "PHOENIX_SMBPASSWD", "/opt/s", "/opt/s" },
		{ "pdbedit", "PHOENIX_PDBEDIT", "/opt/p", "/opt/p" },
		{ "smbcontrol", "PHOENIX_SMBCONTROL", "/opt/c", "/opt/c" },
		{ "pvesm", "PHOENIX_PVESM", "/opt/pvesm", "/opt/pvesm" },
		{ "pct", "PHOENIX_PCT", "/opt/pct", "/opt/pct" },
		{ "qm", "PHOENIX_QM", "/opt/qm", "/opt/qm" },
		{ "zfs", "PHOENIX_ZFS", "sh", NULL }, /* a bare name is looked up in the trusted path */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv(cases[i].var, cases[i].value, 1);
		assert_string_equal(exec_program(cases[i].name), cases[i].value);
		char *p = exec_resolve(cases[i].name, NULL);
		if (cases[i].want)
			assert_string_equal(p, cases[i].want);
		else
			assert_true(p && !strcmp(p + strlen(p) - 3, "/sh"));
		free(p);
		unsetenv(cases[i].var);
	}
	setenv("PHOENIX_ZFS", "", 1); /* empty: as if unset */
	assert_string_equal(exec_program("zfs"), "zfs");
	unsetenv("PHOENIX_ZFS");
}

static void a_missing_program_gets_its_package_and_variable_as_hint(void **state)
{
	(void)state;
	const char *hint = NULL;
	setenv("PHOENIX_PVESM", "phoenix-no-such-pvesm", 1);
	assert_null(exec_resolve("pvesm", &hint));
	assert_string_equal(hint, "run on a Proxmox VE host (pve-manager), or set PHOENIX_PVESM to the program");
	unsetenv("PHOENIX_PVESM");
	assert_null(exec_resolve("phoenix-no-such-program", &hint));
	assert_string_equal(hint, "install the package that provides it");
	struct exec_result r;
	const char *argv[] = { "phoenix-no-such-program", "-x", NULL };
	assert_int_equal(exec_run(argv, NULL, &r), -1);
	assert_int_equal(r.status, -1);
	assert_string_equal(r.err, "program 'phoenix-no-such-program' not found in /usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(r.hint, "install the package that provides it");
	exec_result_free(&r);
}

static void a_resolved_program_runs(void **state)
{
	(void)state;
	setenv("PATH", "/nonexistent", 1);
	struct exec_result r;
	const char *argv[] = { "sh", "-c", "echo ran", NULL };
	assert_int_equal(exec_run(argv, NULL, &r), 0);
	assert_string_equal(r.out, "ran\n");
	assert_null(r.hint);
	exec_result_free(&r);
}


static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* No child of this process is left, running or zombie. */
static void assert_no_child_left(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void stdout_stderr_and_status_are_kept_apart(void **state)
{
	(void)state;
	struct exec_result r;
	const char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	assert_int_equal(exec_run(argv, NULL, &r), -1);
	assert_int_equal(r.status, 3);
	assert_false(r.timed_out);
	assert_string_equal(r.out, "out\n");
	assert_int_equal(r.out_len, 4);
	assert_string_equal(r.err, "err\n");
	assert_int_equal(r.err_len, 4);
	char *why = exec_describe_status(&r);
	assert_string_equal(why, "exited with status 3");
	free(why);
	exec_result_free(&r);
	assert_no_child_left();
}

static void a_signal_is_reported_as_128_plus_its_number(void **state)
{
	(void)state;
	struct exec_result r;
	const char *argv[] = { "sh", "-c", "kill -9 $$", NULL };
	assert_int_equal(exec_run(argv, NULL, &r), -1);
	assert_int_equal(r.status, 128 + 9);
	assert_false(r.timed_out);
	char *why = exec_describe_status(&r);
	assert_string_equal(why, "was killed by signal 9");
	free(why);
	exec_result_free(&r);
}

static void stdin_data_reaches_the_program_and_stdin_is_dev_null_otherwise(void **state)
{
	(void)state;
	struct exec_result r;
	const char *cat[] = { "cat", NULL };
	struct exec_opts o = { .stdin_data = "hello\n", .stdin_len = 6 };
	assert_int_equal(exec_run(cat, &o, &r), 0);
	assert_string_equal(r.out, "hello\n");
	exec_result_free(&r);
	assert_int_equal(exec_run(cat, NULL, &r), 0); /* EOF at once: /dev/null */
	assert_string_equal(r.out, "");
	assert_int_equal(r.out_len, 0);
	exec_result_free(&r);
	const char *where[] = { "readlink", "/proc/self/fd/0", NULL };
	assert_int_equal(exec_run(where, NULL, &r), 0);
	assert_string_equal(r.out, "/dev/null\n");
	exec_result_free(&r);
}

static void a_program_that_does_not_read_its_stdin_does_not_kill_the_caller(void **state)
{
	(void)state;
	/* more than a pipe holds: the write after `true` exits gets EPIPE, never SIGPIPE */
	size_t n = 1u << 20;
	char *data = calloc(n, 1);
	assert_non_null(data);
	struct exec_result r;
	const char *argv[] = { "true", NULL };
	struct exec_opts o = { .stdin_data = data, .stdin_len = n };
	assert_int_equal(exec_run(argv, &o, &r), 0);
	assert_int_equal(r.status, 0);
	exec_result_free(&r);
	free(data);
}

static void output_beyond_the_cap_is_read_and_dropped(void **state)
{
	(void)state;
	struct exec_result r;
	const char *argv[] = { "head", "-c", "300000", "/dev/zero", NULL };
	struct exec_opts o = { .max_output = 1000 };
	assert_int_equal(exec_run(argv, &o, &r), 0);
	assert_int_equal(r.out_len, 1000);
	assert_int_equal(r.out[1000], '\0');
	exec_result_free(&r);
}

static void programs_run_with_lc_all_c_and_without_lang(void **state)
{
	(void)state;
	setenv("LANG", "de_DE.UTF-8", 1);
	setenv("LC_ALL", "de_DE.UTF-8", 1);
	struct exec_result r;
	const char *argv[] = { "sh", "-c", "echo \"$LC_ALL:${LANG-unset}\"", NULL };
	assert_int_equal(exec_run(argv, NULL, &r), 0);
	assert_string_equal(r.out, "C:unset\n");
	exec_result_free(&r);
	unsetenv("LANG");
	unsetenv("LC_ALL");
}

static void the_deadline_stops_a_program_with_sigterm(void **state)
{
	(void)state;
	struct exec_result r;
	const char *argv[] = { "sleep", "60", NULL };
	struct exec_opts o = { .timeout_ms = 200 };
	long long t0 = ms_now();
	assert_int_equal(exec_run(argv, &o, &r), -1);
	assert_true(ms_now() - t0 >= 200);
	assert_true(r.timed_out);
	assert_int_equal(r.status, 128 + 15);
	char *why = exec_describe_status(&r);
	assert_string_equal(why, "timed out and was killed");
	free(why);
	exec_result_free(&r);
	assert_no_child_left();
}

static void a_program_that_ignores_sigterm_gets_sigkill_after_the_grace_period(void **state)
{
	(void)state;
	struct exec_result r;
	/* the ignored TERM is inherited by sleep: only the KILL to the process group ends both */
	const char *argv[] = { "sh", "-c", "trap '' TERM; /usr/bin/sleep 60", NULL };
	struct exec_opts o = { .timeout_ms = 200 };
	long long t0 = ms_now();
	assert_int_equal(exec_run(argv, &o, &r), -1);
	assert_true(ms_now() - t0 >= 200 + 2000);
	assert_true(r.timed_out);
	assert_int_equal(r.status, 128 + 9);
	exec_result_free(&r);
	assert_no_child_left();
}

static void output_is_read_to_its_end_within_the_deadline(void **state)
{
	(void)state;
	/* sh exits at once but its background child keeps stdout open: exec_run reads until the
	 * pipe closes, and at the deadline stops the program's process group */
	struct exec_result r;
	const char *argv[] = { "sh", "-c", "echo started; /usr/bin/sleep 60 & exit 0", NULL };
	struct exec_opts o = { .timeout_ms = 300 };
	assert_int_equal(exec_run(argv, &o, &r), -1);
	assert_true(r.timed_out);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "started\n");
	exec_result_free(&r);
	assert_no_child_left();
}

static void exec_count_counts_programs_started(void **state)
{
	(void)state;
	unsigned before = exec_count();
	struct exec_result r;
	const char *t[] = { "true", NULL };
	const char *missing[] = { "phoenix-no-such-program", NULL };
	assert_int_equal(exec_run(t, NULL, &r), 0);
	exec_result_free(&r);
	assert_int_equal(exec_run(missing, NULL, &r), -1);
	exec_result_free(&r);
	assert_int_equal(exec_run(t, NULL, &r), 0);
	exec_result_free(&r);
	assert_int_equal(exec_count(), before + 2);
}

/* What fn wrote to stderr, with stderr redirected to a file meanwhile. Caller frees. */
static char *stderr_of(void (*fn)(void))
{
	char path[] = "/tmp/phoenix-test-exec.XXXXXX";
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

static void run_traced_echo(void)
{
	exec_set_trace(true);
	struct exec_result r;
	const char *argv[] = { "sh", "-c", "echo it's", "x y", NULL };
	exec_run(argv, NULL, &r);
	exec_result_free(&r);
	exec_set_trace(false);
}

static void the_trace_shows_the_full_path_and_the_quoted_arguments(void **state)
{
	(void)state;
	setenv("PATH", "/nonexistent", 1);
	char *sh = exec_resolve("sh", NULL);
	char want[256];
	snprintf(want, sizeof(want), "+ %s -c 'echo it'\\''s' 'x y'\n", sh);
	char *got = stderr_of(run_traced_echo);
	assert_string_equal(got, want);
	free(got);
	free(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_resolve_in_the_trusted_path_never_in_path),
		cmocka_unit_test(phoenix_variables_name_the_program),
		cmocka_unit_test(a_missing_program_gets_its_package_and_variable_as_hint),
		cmocka_unit_test(a_resolved_program_runs),
		cmocka_unit_test(stdout_stderr_and_status_are_kept_apart),
		cmocka_unit_test(a_signal_is_reported_as_128_plus_its_number),
		cmocka_unit_test(stdin_data_reaches_the_program_and_stdin_is_dev_null_otherwise),
		cmocka_unit_test(a_program_that_does_not_read_its_stdin_does_not_kill_the_caller),
		cmocka_unit_test(output_beyond_the_cap_is_read_and_dropped),
		cmocka_unit_test(programs_run_with_lc_all_c_and_without_lang),
		cmocka_unit_test(the_deadline_stops_a_program_with_sigterm),
		cmocka_unit_test(a_program_that_ignores_sigterm_gets_sigkill_after_the_grace_period),
		cmocka_unit_test(output_is_read_to_its_end_within_the_deadline),
		cmocka_unit_test(exec_count_counts_programs_started),
		cmocka_unit_test(the_trace_shows_the_full_path_and_the_quoted_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
