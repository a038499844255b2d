/* Unit tests: which file exec runs for a program name (trusted path, PHOENIX_* variables, never PATH). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_resolve_in_the_trusted_path_never_in_path),
		cmocka_unit_test(phoenix_variables_name_the_program),
		cmocka_unit_test(a_missing_program_gets_its_package_and_variable_as_hint),
		cmocka_unit_test(a_resolved_program_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
