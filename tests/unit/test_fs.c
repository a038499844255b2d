/* Unit tests: write_file_atomic is crash-clean (no temp file survives its writer), exact mode, stale temps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/strbuf.h"

static char *mkdir_tmp(void)
{
	char *d = xstrdup("/tmp/phoenix-test-fs.XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

/* Names in dir, sorted, joined by spaces. Caller frees. */
static char *listing(const char *dir)
{
	struct strvec names = { 0 };
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			sv_push(&names, e->d_name);
	closedir(d);
	for (size_t i = 0; i < names.n; i++)
		for (size_t j = i + 1; j < names.n; j++)
			if (strcmp(names.v[i], names.v[j]) > 0) {
				char *t = names.v[i];
				names.v[i] = names.v[j];
				names.v[j] = t;
			}
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < names.n; i++)
		sb_addf(&sb, "%s%s", i ? " " : "", names.v[i]);
	sv_free(&names);
	return sb_detach(&sb);
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			char *p = xasprintf("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void assert_content(const char *path, const char *want)
{
	char *text = NULL;
	assert_int_equal(read_file(path, &text, NULL), 0);
	assert_string_equal(text, want);
	free(text);
}

/* A pid that is no running process: a child that has exited and been reaped. */
static long dead_pid(void)
{
	pid_t p = fork();
	assert_true(p >= 0);
	if (!p)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

static void new_and_replaced_files_get_the_exact_mode_and_leave_no_temp(void **state)
{
	(void)state;
	char *d = mkdir_tmp();
	char *f = xasprintf("%s/sub/f.cfg", d);
	mode_t old = umask(077);
	assert_int_equal(write_file_atomic(f, "one\n", 4, 0644), 0);
	umask(old);
	assert_content(f, "one\n");
	struct stat sb;
	assert_int_equal(stat(f, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(write_file_atomic(f, "two\n", 4, 0640), 0);
	assert_content(f, "two\n");
	assert_int_equal(stat(f, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	char *sub = xasprintf("%s/sub", d);
	char *l = listing(sub);
	assert_string_equal(l, "f.cfg");
	free(l);
	rm_tree(sub);
	rm_tree(d);
	free(sub);
	free(f);
	free(d);
}

static void stale_temps_of_dead_pids_go_and_live_ones_stay(void **state)
{
	(void)state;
	char *d = mkdir_tmp();
	long dead = dead_pid();
	struct {
		const char *fmt;
		long pid;
	} files[] = {
		{ "%s/a.cfg.phoenix-tmp.%ld", dead },         /* dead writer: removed */
		{ "%s/other.phoenix-tmp.%ld", dead },         /* any file of the directory */
		{ "%s/b.cfg.phoenix-tmp.%ld", (long)getpid() }, /* a live process's: kept */
		{ "%s/c.cfg.phoenix-tmp.%ld", 1 },            /* init is alive: kept */
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = xasprintf(files[i].fmt, d, files[i].pid);
		FILE *fp = fopen(p, "w");
		assert_non_null(fp);
		fclose(fp);
		free(p);
	}
	char *link = xasprintf("%s/s.phoenix-tmp.%ld", d, dead); /* not a regular file: kept */
	assert_int_equal(symlink("/etc/passwd", link), 0);
	char *odd = xasprintf("%s/x.phoenix-tmp.12ab", d);        /* not a pid: kept */
	FILE *fp = fopen(odd, "w");
	fclose(fp);
	char *f = xasprintf("%s/a.cfg", d);
	assert_int_equal(write_file_atomic(f, "x", 1, 0600), 0);
	char *l = listing(d);
	char *want = xasprintf("a.cfg b.cfg.phoenix-tmp.%ld c.cfg.phoenix-tmp.1 s.phoenix-tmp.%ld x.phoenix-tmp.12ab",
			       (long)getpid(), dead);
	assert_string_equal(l, want);
	assert_int_equal(fs_remove_stale_tmp(d), 0);
	free(want);
	free(l);
	rm_tree(d);
	free(f);
	free(odd);
	free(link);
	free(d);
}

/* Runs write_file_atomic(path) in a child with PHOENIX_FAULT_RENAME=k; returns the child's pid (killed or not). */
static long write_in_child(const char *path, const char *text, const char *k, bool *killed)
{
	pid_t p = fork();
	assert_true(p >= 0);
	if (!p) {
		setenv("PHOENIX_FAULT_RENAME", k, 1);
		_exit(write_file_atomic(path, text, strlen(text), 0644) ? 1 : 0);
	}
	int st = 0;
	waitpid(p, &st, 0);
	*killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	return p;
}

static void a_writer_killed_before_the_rename_leaves_the_old_file_and_its_temp_is_cleaned_next_time(void **state)
{
	(void)state;
	char *d = mkdir_tmp();
	char *f = xasprintf("%s/storage.cfg", d);
	bool killed = false;
	/* a new file: killed before it is linked, nothing at all is left */
	write_in_child(f, "new\n", "1", &killed);
	assert_true(killed);
	char *l = listing(d);
	assert_string_equal(l, "");
	free(l);
	/* an existing file: killed between the link to the temp name and the rename */
	assert_int_equal(write_file_atomic(f, "old\n", 4, 0644), 0);
	long pid = write_in_child(f, "new\n", "1", &killed);
	assert_true(killed);
	assert_content(f, "old\n");
	l = listing(d);
	char *want = xasprintf("storage.cfg storage.cfg.phoenix-tmp.%ld", pid);
	assert_string_equal(l, want);
	free(want);
	free(l);
	/* the next write removes it */
	assert_int_equal(write_file_atomic(f, "new\n", 4, 0644), 0);
	assert_content(f, "new\n");
	l = listing(d);
	assert_string_equal(l, "storage.cfg");
	free(l);
	/* the hook counts commits: the second write of a process is K=2 */
	write_in_child(f, "newer\n", "2", &killed);
	assert_false(killed);
	assert_content(f, "newer\n");
	rm_tree(d);
	free(f);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_and_replaced_files_get_the_exact_mode_and_leave_no_temp),
		cmocka_unit_test(stale_temps_of_dead_pids_go_and_live_ones_stay),
		cmocka_unit_test(a_writer_killed_before_the_rename_leaves_the_old_file_and_its_temp_is_cleaned_next_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
