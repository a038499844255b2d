/* Unit tests: ZFS size parsing and property normalisation, as libzfs does it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/zprops.h"

static uint64_t size_of(const char *s)
{
	uint64_t n = 0;
	assert_int_equal(zfs_parse_size(s, &n), 0);
	return n;
}

static void size_suffixes_are_powers_of_1024(void **state)
{
	(void)state;
	assert_true(size_of("128K") == 131072);
	assert_true(size_of("128k") == 131072);
	assert_true(size_of("128KB") == 131072);
	assert_true(size_of("128KiB") == 131072);
	assert_true(size_of("800G") == 800ULL << 30);
	assert_true(size_of("2T") == 2ULL << 40);
	assert_true(size_of("512") == 512);
	assert_true(size_of("1E") == 1ULL << 60);
}

static void fractional_size_truncates_like_zfs(void **state)
{
	(void)state;
	/* 1.4 * 2^40 = 1539316278886.4: ZFS stores the truncated byte count. */
	assert_true(size_of("1.4T") == 1539316278886ULL);
	assert_true(size_of("1.5G") == 1610612736ULL);
}

static void invalid_sizes_are_rejected(void **state)
{
	(void)state;
	uint64_t n;
	assert_int_equal(zfs_parse_size("12Q", &n), -1);
	assert_int_equal(zfs_parse_size("", &n), -1);
	assert_int_equal(zfs_parse_size("G", &n), -1);
	assert_int_equal(zfs_parse_size("10BB", &n), -1);
	assert_int_equal(zfs_parse_size("-1G", &n), -1);
	assert_int_equal(zfs_parse_size("16E", &n), -1); /* overflows 64 bits */
	assert_int_equal(zfs_parse_size("1G2", &n), -1);
}

static void norm(const char *name, const char *value, const char *want)
{
	char *why = NULL;
	char *got = zprop_normalize(name, value, &why);
	if (!got)
		fail_msg("%s=%s rejected: %s", name, value, why);
	assert_string_equal(got, want);
	free(got);
}

static void reject(const char *name, const char *value, const char *why_part)
{
	char *why = NULL;
	char *got = zprop_normalize(name, value, &why);
	assert_null(got);
	assert_non_null(why);
	if (!strstr(why, why_part))
		fail_msg("expected '%s' in '%s'", why_part, why);
	free(why);
}

static void values_normalise_to_zfs_get_p_form(void **state)
{
	(void)state;
	norm("recordsize", "128K", "131072");
	norm("quota", "1.4T", "1539316278886");
	norm("quota", "none", "0");
	norm("quota", "0", "0");
	norm("reservation", "none", "0");
	norm("compression", "lz4", "lz4");
	norm("compression", "gzip-9", "gzip-9");
	norm("compression", "gzip-6", "gzip"); /* zfs get prints the alias */
	norm("compression", "zstd-3", "zstd");
	norm("compression", "zstd-19", "zstd-19");
	norm("compression", "zstd-fast-500", "zstd-fast-500");
	norm("sync", "always", "always");
	norm("mountpoint", "/tank/data/", "/tank/data");
	norm("com.example:owner", "anything goes", "anything goes");
}

static void bad_values_are_explained(void **state)
{
	(void)state;
	reject("recordsize", "100K", "power of two");
	reject("compression", "lz5", "not a valid value for compression");
	reject("compression", "gzip-10", "not a valid value");
	reject("compression", "zstd-fast-11", "not a valid value");
	reject("quota", "12Q", "not a valid size");
	reject("sync", "sometimes", "valid: standard, always, disabled");
	reject("colour", "blue", "unknown ZFS property 'colour'");
	reject("used", "1G", "read-only");
	reject("mountpoint", "relative/path", "absolute path");
}

static void sizes_display_like_zfs(void **state)
{
	(void)state;
	char *s = zfs_format_size(800ULL << 30);
	assert_string_equal(s, "800G");
	free(s);
	s = zprop_display("quota", "1539316278886");
	assert_string_equal(s, "1.40T");
	free(s);
	s = zprop_display("quota", "0");
	assert_string_equal(s, "none");
	free(s);
	s = zprop_display("compression", "lz4");
	assert_string_equal(s, "lz4");
	free(s);
}

/* Display aliases: the names one setting has on different ZFS lines compare equal. */
static void aliases_compare_equal_and_nothing_else_does(void **state)
{
	(void)state;
	static const struct {
		const char *name, *a, *b;
		bool eq;
	} cases[] = {
		{ "acltype", "posixacl", "posix", true },   /* OpenZFS 2.x shows posixacl as posix */
		{ "acltype", "posix", "posixacl", true },
		{ "acltype", "noacl", "off", true },
		{ "acltype", "disabled", "off", true },
		{ "acltype", "noacl", "disabled", true },
		{ "acltype", "posix", "off", false },
		{ "acltype", "nfsv4", "posix", false },
		{ "xattr", "dir", "on", false },             /* what on means depends on the ZFS line: zfs_caps_value_eq */
		{ "xattr", "sa", "on", false },
		{ "xattr", "sa", "dir", false },
		{ "xattr", "sa", "sa", true },
		{ "encryption", "on", "aes-256-gcm", true }, /* on is the line's default cipher */
		{ "encryption", "on", "aes-256-ccm", true },
		{ "encryption", "aes-128-gcm", "aes-256-gcm", false },
		{ "encryption", "on", "off", false },
		{ "encryption", "off", "off", true },
		{ "compression", "on", "lz4", false },       /* zfs shows on as on */
		{ "atime", "on", "off", false },
		{ "com.example:x", "dir", "on", false },     /* aliases belong to their property only */
		{ "canmount", "dir", "on", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (zprop_value_eq(cases[i].name, cases[i].a, cases[i].b) != cases[i].eq)
			fail_msg("%s: '%s' vs '%s' should be %s", cases[i].name, cases[i].a, cases[i].b,
				 cases[i].eq ? "equal" : "different");
}

/* "inherit" is a value of every inheritable property, never of the others. */
static void inherit_is_a_value_where_zfs_inherit_works(void **state)
{
	(void)state;
	norm("compression", "inherit", "inherit");
	norm("atime", "inherit", "inherit");
	norm("mountpoint", "inherit", "inherit");
	norm("com.example:owner", "inherit", "inherit");
	reject("quota", "inherit", "'quota' cannot be inherited");
	reject("refreservation", "inherit", "cannot be inherited");
	reject("canmount", "inherit", "cannot be inherited");
	reject("keylocation", "inherit", "cannot be inherited");
	reject("used", "inherit", "read-only");
}

/* The table knows which properties ZFS fixes at creation (used when the usage text is unknown). */
static void create_only_properties_are_marked(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool create_only;
	} cases[] = {
		{ "casesensitivity", true }, { "normalization", true }, { "utf8only", true },
		{ "volblocksize", true },    { "encryption", true },    { "keyformat", true },
		{ "pbkdf2iters", true },     { "keylocation", false },  { "compression", false },
		{ "quota", false },          { "recordsize", false },   { "xattr", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct zprop_info *pi = zprop_lookup(cases[i].name);
		assert_non_null(pi);
		if (pi->create_only != cases[i].create_only)
			fail_msg("%s: create_only should be %d", cases[i].name, cases[i].create_only);
	}
}

static void encryption_values_are_checked(void **state)
{
	(void)state;
	norm("encryption", "on", "on");
	norm("encryption", "aes-256-gcm", "aes-256-gcm");
	norm("keyformat", "raw", "raw");
	norm("keylocation", "file:///root/keys/tank.key", "file:///root/keys/tank.key");
	norm("keylocation", "prompt", "prompt");
	norm("pbkdf2iters", "350000", "350000");
	reject("encryption", "aes-512", "not a valid value for encryption");
	reject("keyformat", "none", "not a valid value for keyformat");
	reject("keylocation", "/root/key", "prompt, or file:// and an absolute path");
	reject("keylocation", "https://example.com/key", "prompt, or file://");
	reject("keylocation", "file://", "prompt, or file://");
	reject("pbkdf2iters", "1000", "at least 100000");
	reject("pbkdf2iters", "many", "not a number");
	reject("keystatus", "available", "read-only");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_suffixes_are_powers_of_1024),
		cmocka_unit_test(fractional_size_truncates_like_zfs),
		cmocka_unit_test(invalid_sizes_are_rejected),
		cmocka_unit_test(values_normalise_to_zfs_get_p_form),
		cmocka_unit_test(bad_values_are_explained),
		cmocka_unit_test(sizes_display_like_zfs),
		cmocka_unit_test(aliases_compare_equal_and_nothing_else_does),
		cmocka_unit_test(inherit_is_a_value_where_zfs_inherit_works),
		cmocka_unit_test(create_only_properties_are_marked),
		cmocka_unit_test(encryption_values_are_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
