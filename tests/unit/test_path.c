/* Unit tests: path helpers shared by the subsystems. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/path.h"

static void covers_only_whole_components(void **state)
{
	(void)state;
	assert_int_equal(path_covers("/tank/data", "/tank/data"), 10);
	assert_int_equal(path_covers("/tank/data", "/tank/data/x/y"), 10);
	assert_int_equal(path_covers("/tank/data", "/tank/database"), 0);
	assert_int_equal(path_covers("/", "/anything"), 1);
	assert_int_equal(path_covers("none", "/none"), 0);
	assert_int_equal(path_covers("", "/x"), 0);
}

static void clean_joins_and_rejects_dot_components(void **state)
{
	(void)state;
	char *p = path_clean("/base/", "a//b/", NULL, NULL);
	assert_string_equal(p, "/base/a/b");
	free(p);
	p = path_clean(NULL, "/", NULL, NULL);
	assert_string_equal(p, "/");
	free(p);
	const char *bad = NULL;
	size_t n = 0;
	assert_null(path_clean(NULL, "/a/../etc", &bad, &n));
	assert_int_equal(n, 2);
	assert_memory_equal(bad, "..", 2);
	assert_null(path_clean("/x", "./y", &bad, &n));
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(covers_only_whole_components),
		cmocka_unit_test(clean_joins_and_rejects_dot_components),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
