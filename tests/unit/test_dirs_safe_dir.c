/* safe_dir: the O_NOFOLLOW directory walker (creates, chowns, chmods; never follows links). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sys/safe_dir.h"
#include "util/strbuf.h"

static char *root;

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test-safe-dir.XXXXXX";
	if (!mkdtemp(tmpl))
		return -1;
	root = strdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	const char *argv[] = { "rm", "-rf", root, NULL };
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	free(root);
	return 0;
}

/* The tests that give files to other owners or check root's ownership need root
 * (CAP_CHOWN); without it (make check as a user) they are skipped, saying so. */
static void needs_root(void)
{
	if (geteuid() != 0) {
		print_message("needs root: it changes the owner of files; run it as root (tests/run unit)\n");
		skip();
	}
}

static char *at(const char *rel)
{
	return xasprintf("%s%s", root, rel);
}

static void stat_at(const char *rel, struct stat *sb)
{
	char *p = at(rel);
	assert_int_equal(lstat(p, sb), 0);
	free(p);
}

static void path_must_be_normalized_and_absolute(void **state)
{
	(void)state;
	assert_true(safe_dir_path_ok("/"));
	assert_true(safe_dir_path_ok("/a/b.c/d"));
	assert_false(safe_dir_path_ok("a/b"));
	assert_false(safe_dir_path_ok("/a//b"));
	assert_false(safe_dir_path_ok("/a/b/"));
	assert_false(safe_dir_path_ok("/a/../b"));
	assert_false(safe_dir_path_ok("/a/./b"));
	assert_false(safe_dir_path_ok("/a/b\n"));
	assert_false(safe_dir_path_ok(""));
}

static void creates_parents_first_with_0755_and_final_with_requested_mode(void **state)
{
	(void)state;
	needs_root();
	mode_t old = umask(077);
	struct safe_dir_req req = { .set_mode = true, .mode = 0750, .set_uid = true, .uid = 100033,
				    .set_gid = true, .gid = 33 };
	struct safe_dir_done done;
	char *err = NULL;
	assert_int_equal(safe_dir_ensure(root, "/c1/a/b/data", &req, &done, &err), 0);
	umask(old);
	assert_null(err);
	assert_int_equal(done.created, 4);
	assert_true(done.chowned);
	struct stat sb;
	stat_at("/c1/a", &sb);
	assert_int_equal(sb.st_mode & 07777, 0755);
	assert_int_equal(sb.st_uid, 0);
	stat_at("/c1/a/b/data", &sb);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0750);
	assert_int_equal(sb.st_uid, 100033);
	assert_int_equal(sb.st_gid, 33);
}

static void existing_directory_gets_only_what_is_named(void **state)
{
	(void)state;
	needs_root();
	char *p = at("/c2");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, 0711), 0);
	assert_int_equal(chown(p, 5, 6), 0);
	struct safe_dir_req req = { .set_uid = true, .uid = 7 };
	struct safe_dir_done done;
	char *err = NULL;
	assert_int_equal(safe_dir_ensure(root, "/c2", &req, &done, &err), 0);
	assert_int_equal(done.created, 0);
	assert_true(done.chowned);
	assert_false(done.chmodded);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_uid, 7);
	assert_int_equal(sb.st_gid, 6);
	assert_int_equal(sb.st_mode & 07777, 0711);
	/* A second run changes nothing. */
	assert_int_equal(safe_dir_ensure(root, "/c2", &req, &done, &err), 0);
	assert_false(done.chowned);
	assert_false(done.chmodded);
	free(p);
}

static void existing_content_is_never_touched(void **state)
{
	(void)state;
	char *d = at("/c3"), *f = at("/c3/keep.txt");
	assert_int_equal(mkdir(d, 0755), 0);
	int fd = open(f, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	struct safe_dir_req req = { .set_mode = true, .mode = 0700 };
	struct safe_dir_done done;
	char *err = NULL;
	assert_int_equal(safe_dir_ensure(root, "/c3", &req, &done, &err), 0);
	struct stat sb;
	assert_int_equal(stat(f, &sb), 0);
	assert_int_equal(sb.st_size, 1);
	assert_int_equal(sb.st_mode & 07777, 0600);
	free(d);
	free(f);
}

/* A link planted where a directory is expected must not redirect a chown. */
static void symlink_in_the_middle_is_refused_and_target_untouched(void **state)
{
	(void)state;
	needs_root();
	char *target = at("/c4-target"), *dir = at("/c4"), *link = at("/c4/logs");
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(chown(target, 0, 0), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(symlink(target, link), 0);
	struct safe_dir_req req = { .set_uid = true, .uid = 100033, .set_gid = true, .gid = 100033,
				    .set_mode = true, .mode = 0777 };
	struct safe_dir_done done;
	char *err = NULL;
	assert_int_equal(safe_dir_ensure(root, "/c4/logs/nginx", &req, &done, &err), -ELOOP);
	assert_string_equal(err, "'/c4/logs' is a symbolic link; refusing to follow it");
	free(err);
	assert_int_equal(done.created, 0);
	struct stat sb;
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_uid, 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	char *inside = at("/c4-target/nginx");
	assert_int_equal(access(inside, F_OK), -1);
	free(inside);
	free(target);
	free(dir);
	free(link);
}

static void symlink_as_final_component_is_refused(void **state)
{
	(void)state;
	needs_root();
	char *target = at("/c5-target"), *link = at("/c5");
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, link), 0);
	struct safe_dir_req req = { .set_uid = true, .uid = 4242 };
	struct safe_dir_done done;
	char *err = NULL;
	assert_int_equal(safe_dir_ensure(root, "/c5", &req, &done, &err), -ELOOP);
	assert_string_equal(err, "'/c5' is a symbolic link; refusing to follow it");
	free(err);
	struct stat sb;
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_uid, 0);
	/* Inspecting reports the same. */
	struct safe_dir_state st;
	assert_int_equal(safe_dir_inspect(root, "/c5", &st, &err), -ELOOP);
	assert_string_equal(err, "'/c5' is a symbolic link; refusing to follow it");
	free(err);
	safe_dir_state_free(&st);
	/* A dangling link is refused too, and nothing is created behind it. */
	char *dangling = at("/c5b"), *nowhere = at("/c5-nowhere");
	assert_int_equal(symlink(nowhere, dangling), 0);
	assert_int_equal(safe_dir_ensure(root, "/c5b", &req, &done, &err), -ELOOP);
	free(err);
	assert_int_equal(access(nowhere, F_OK), -1);
	free(dangling);
	free(nowhere);
	free(target);
	free(link);
}

static void file_where_directory_expected_is_refused(void **state)
{
	(void)state;
	char *f = at("/c6");
	int fd = open(f, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	struct safe_dir_req req = { 0 };
	struct safe_dir_done done;
	char *err = NULL;
	assert_int_equal(safe_dir_ensure(root, "/c6/sub", &req, &done, &err), -ENOTDIR);
	assert_string_equal(err, "'/c6' exists and is not a directory");
	free(err);
	free(f);
}

static void inspect_reports_first_missing_component(void **state)
{
	(void)state;
	needs_root();
	char *d = at("/c7");
	assert_int_equal(mkdir(d, 0755), 0);
	struct safe_dir_state st;
	char *err = NULL;
	assert_int_equal(safe_dir_inspect(root, "/c7/x/y/z", &st, &err), 0);
	assert_null(err);
	assert_false(st.exists);
	assert_string_equal(st.first_missing, "/c7/x");
	assert_int_equal(st.n_missing, 3);
	safe_dir_state_free(&st);
	/* Inspecting created nothing. */
	char *x = at("/c7/x");
	assert_int_equal(access(x, F_OK), -1);
	free(x);
	assert_int_equal(chown(d, 12, 34), 0);
	assert_int_equal(chmod(d, 02750), 0);
	assert_int_equal(safe_dir_inspect(root, "/c7", &st, &err), 0);
	assert_true(st.exists);
	assert_int_equal(st.uid, 12);
	assert_int_equal(st.gid, 34);
	assert_int_equal(st.mode, 02750);
	safe_dir_state_free(&st);
	free(d);
}

static void relative_or_dotdot_path_is_refused(void **state)
{
	(void)state;
	struct safe_dir_req req = { 0 };
	struct safe_dir_done done;
	char *err = NULL;
	assert_int_equal(safe_dir_ensure(root, "/c8/../../etc", &req, &done, &err), -EINVAL);
	assert_string_equal(err, "'/c8/../../etc' is not a normalized absolute path");
	free(err);
	assert_int_equal(done.created, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_must_be_normalized_and_absolute),
		cmocka_unit_test(creates_parents_first_with_0755_and_final_with_requested_mode),
		cmocka_unit_test(existing_directory_gets_only_what_is_named),
		cmocka_unit_test(existing_content_is_never_touched),
		cmocka_unit_test(symlink_in_the_middle_is_refused_and_target_untouched),
		cmocka_unit_test(symlink_as_final_component_is_refused),
		cmocka_unit_test(file_where_directory_expected_is_refused),
		cmocka_unit_test(inspect_reports_first_missing_component),
		cmocka_unit_test(relative_or_dotdot_path_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
