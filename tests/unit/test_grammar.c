/* Unit tests: the value grammars and dangerous-value checks (src/config/grammar.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/grammar.h"

struct row {
	enum gram_target t;
	const char *value;
	const char *why;   /* NULL: accepted; else the exact refusal */
};

#define NL "contains a newline"
#define CTRL "contains a control character"

static const struct row rows[] = {
	/* every target: one line of printable text */
	{ GRAM_TEXT, "plain text, with spaces", NULL },
	{ GRAM_TEXT, "", NULL },
	{ GRAM_TEXT, "a\nb", NL },
	{ GRAM_TEXT, "a\rb", "contains a carriage return" },
	{ GRAM_TEXT, "a\tb", "contains a tab" },
	{ GRAM_TEXT, "a\x01" "b", CTRL },
	{ GRAM_TEXT, "a\x1f" "b", CTRL },
	{ GRAM_TEXT, "a\x7f" "b", CTRL },
	{ GRAM_TEXT, "caf\xc3\xa9", NULL },   /* UTF-8 is text */
	{ GRAM_PVE_PROP, "/data\nlxc.apparmor.profile: unconfined", NL },
	{ GRAM_HOST, "10.0.0.13\nnfs: evil", NL },
	{ GRAM_ZFS_VALUE, "a\nb", NL },
	{ GRAM_MOUNTPOINT, "/srv/a\tb", "contains a tab" },
	/* Proxmox property strings: ',' and '=' split them */
	{ GRAM_PVE_PROP, "/quickOS/lxc-persistent-data/101/logs", NULL },
	{ GRAM_PVE_PROP, "/var/log/my nginx", NULL },
	{ GRAM_PVE_PROP, "/x,ro=0", "contains ','" },
	{ GRAM_PVE_PROP, "/x=y", "contains '='" },
	/* fstab fields */
	{ GRAM_FSTAB_FIELD, "/quickOS/vm-persistent-data/1001", NULL },
	{ GRAM_FSTAB_FIELD, "/a b", "contains white space" },
	{ GRAM_FSTAB_FIELD, "", "is empty" },
	/* NFS servers */
	{ GRAM_HOST, "10.0.0.13", NULL },
	{ GRAM_HOST, "fd00::13", NULL },
	{ GRAM_HOST, "nfs.example.com", NULL },
	{ GRAM_HOST, "pve1", NULL },
	{ GRAM_HOST, "10.0.0.300", "is not an IP address or host name" },
	{ GRAM_HOST, "10.0.0.13 x", "is not an IP address or host name" },
	{ GRAM_HOST, "-nfs", "is not an IP address or host name" },
	{ GRAM_HOST, "a..b", "is not an IP address or host name" },
	{ GRAM_HOST, "", "is not an IP address or host name" },
	/* mount options */
	{ GRAM_MOUNT_OPTIONS, "vers=4.2,soft", NULL },
	{ GRAM_MOUNT_OPTIONS, "defaults", NULL },
	{ GRAM_MOUNT_OPTIONS, "vers=4.2, soft", "contain white space" },
	{ GRAM_MOUNT_OPTIONS, "vers=4.2,,soft", "contain an empty option" },
	{ GRAM_MOUNT_OPTIONS, ",soft", "contain an empty option" },
	{ GRAM_MOUNT_OPTIONS, "soft,", "contain an empty option" },
	{ GRAM_MOUNT_OPTIONS, "", "contain an empty option" },
	/* ZFS user property names (zfs_prop_user, and never an option) */
	{ GRAM_ZFS_USER_PROP, "phoenix:note", NULL },
	{ GRAM_ZFS_USER_PROP, "com.example:a-b_c.d:e", NULL },
	{ GRAM_ZFS_USER_PROP, "-x:y", "starts with '-'" },
	{ GRAM_ZFS_USER_PROP, "Phoenix:Note", "contains a character ZFS does not allow in a user property name" },
	{ GRAM_ZFS_USER_PROP, "phoenix:a b", "contains a character ZFS does not allow in a user property name" },
	{ GRAM_ZFS_USER_PROP, "phoenix:a=b", "contains a character ZFS does not allow in a user property name" },
	{ GRAM_ZFS_USER_PROP, "phoenix", "has no ':' (user properties are module:property)" },
	{ GRAM_ZFS_USER_PROP, "phoenix:no\nte", NL },
	/* ZFS values */
	{ GRAM_ZFS_VALUE, "rw=@10.0.0.0/24,no_root_squash", NULL },
	/* pool and dataset names: never an option */
	{ GRAM_ZFS_POOL, "quickOS", NULL },
	{ GRAM_ZFS_POOL, "-f", "must start with a letter" },
	{ GRAM_ZFS_POOL, "1pool", "must start with a letter" },
	{ GRAM_ZFS_POOL, "mirror1", "begins with a name ZFS reserves (mirror, raidz, draid, spare, log, cache)" },
	{ GRAM_ZFS_POOL, "c0t0", "must not look like a disk name (c0...)" },
	{ GRAM_ZFS_POOL, "a/b", "contains a character ZFS does not allow (use letters, digits, '-', '_', '.', ':')" },
	{ GRAM_ZFS_DATASET, "vm-disks", NULL },
	{ GRAM_ZFS_DATASET, "shared/iso", NULL },
	{ GRAM_ZFS_DATASET, "-x", NULL },   /* legal in ZFS; the argv gets "pool/-x", never "-x" */
	{ GRAM_ZFS_DATASET, "vm@disks", "contains a character ZFS does not allow (use letters, digits, '-', '_', '.', ':')" },
	{ GRAM_ZFS_DATASET, "a//b", "contains an empty component ('//')" },
	{ GRAM_ZFS_DATASET, "a/../b", "contains a '.' or '..' component" },
	{ GRAM_ZFS_DATASET, "/a", "must not start or end with '/'" },
	/* mountpoints: system directories and non-normalised paths are refused */
	{ GRAM_MOUNTPOINT, "none", NULL },
	{ GRAM_MOUNTPOINT, "legacy", NULL },
	{ GRAM_MOUNTPOINT, "/quickOS/data", NULL },
	{ GRAM_MOUNTPOINT, "/mnt/pve/iso/", NULL },
	{ GRAM_MOUNTPOINT, "/srv", NULL },
	{ GRAM_MOUNTPOINT, "/var/lib/vz", NULL },
	{ GRAM_MOUNTPOINT, "/etcetera", NULL },
	{ GRAM_MOUNTPOINT, "/library", NULL },
	{ GRAM_MOUNTPOINT, "/a..b/c", NULL },
	{ GRAM_MOUNTPOINT, "/", "is the root directory" },
	{ GRAM_MOUNTPOINT, "/etc", "is at or under /etc" },
	{ GRAM_MOUNTPOINT, "/etc/", "is at or under /etc" },
	{ GRAM_MOUNTPOINT, "/etc/pve", "is at or under /etc" },
	{ GRAM_MOUNTPOINT, "/usr", "is at or under /usr" },
	{ GRAM_MOUNTPOINT, "/usr/local", "is at or under /usr" },
	{ GRAM_MOUNTPOINT, "/bin", "is at or under /bin" },
	{ GRAM_MOUNTPOINT, "/sbin", "is at or under /sbin" },
	{ GRAM_MOUNTPOINT, "/lib", "is at or under /lib" },
	{ GRAM_MOUNTPOINT, "/lib32", "is at or under /lib32" },
	{ GRAM_MOUNTPOINT, "/lib64/x", "is at or under /lib64" },
	{ GRAM_MOUNTPOINT, "/libx32", "is at or under /libx32" },
	{ GRAM_MOUNTPOINT, "/boot", "is at or under /boot" },
	{ GRAM_MOUNTPOINT, "/dev/shm", "is at or under /dev" },
	{ GRAM_MOUNTPOINT, "/proc", "is at or under /proc" },
	{ GRAM_MOUNTPOINT, "/sys", "is at or under /sys" },
	{ GRAM_MOUNTPOINT, "/run/x", "is at or under /run" },
	{ GRAM_MOUNTPOINT, "/var/run", "is at or under /var/run" },
	{ GRAM_MOUNTPOINT, "/var/lib/dpkg", "is at or under /var/lib/dpkg" },
	{ GRAM_MOUNTPOINT, "/srv/../etc", "contains '..'" },
	{ GRAM_MOUNTPOINT, "/srv/..", "contains '..'" },
	{ GRAM_MOUNTPOINT, "/srv/./x", "contains a '.' component" },
	{ GRAM_MOUNTPOINT, "/srv//x", "contains '//'" },
	{ GRAM_MOUNTPOINT, "srv", "is not an absolute path" },
};

static void every_target_accepts_and_refuses_as_its_grammar_says(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *hint = "unset";
		const char *why = gram_check(rows[i].t, rows[i].value, &hint);
		char *shown = str_escape(rows[i].value);
		if (!rows[i].why) {
			if (why)
				fail_msg("row %zu '%s': refused (%s), expected accepted", i, shown, why);
			assert_null(hint);
		} else {
			if (!why || strcmp(why, rows[i].why))
				fail_msg("row %zu '%s': got '%s', expected '%s'", i, shown, why ? why : "(accepted)", rows[i].why);
		}
		free(shown);
	}
}

static void user_property_names_are_at_most_255_characters(void **state)
{
	(void)state;
	char name[300];
	memset(name, 'a', sizeof(name));
	memcpy(name, "p:", 2);
	name[255] = '\0';
	assert_null(gram_check(GRAM_ZFS_USER_PROP, name, NULL));
	name[255] = 'a';
	name[256] = '\0';
	assert_string_equal(gram_check(GRAM_ZFS_USER_PROP, name, NULL), "is longer than 255 characters");
}

static void zfs_values_are_at_most_8191_bytes(void **state)
{
	(void)state;
	char *v = malloc(8193);
	memset(v, 'x', 8192);
	v[8191] = '\0';
	assert_null(gram_check(GRAM_ZFS_VALUE, v, NULL));
	v[8191] = 'x';
	v[8192] = '\0';
	assert_string_equal(gram_check(GRAM_ZFS_VALUE, v, NULL), "is longer than 8191 bytes");
	free(v);
}

static void escape_keeps_a_value_on_one_line(void **state)
{
	(void)state;
	char *e = str_escape("/data\nlxc.x: y\r\t\x01\x7f\\z");
	assert_string_equal(e, "/data\\nlxc.x: y\\r\\t\\x01\\x7f\\z");
	free(e);
	assert_int_equal(str_ctrl_at("abc"), -1);
	assert_int_equal(str_ctrl_at("ab\nc"), 2);
	assert_true(str_line_ok("a b"));
	assert_false(str_line_ok("a\nb"));
	assert_false(str_line_ok(NULL));
}

static void system_dirs_and_world_writable_modes(void **state)
{
	(void)state;
	assert_string_equal(gram_system_dir("/"), "/");
	assert_string_equal(gram_system_dir("/etc/x"), "/etc");
	assert_null(gram_system_dir("/srv"));
	assert_null(gram_system_dir("/etcx"));
	assert_true(gram_mode_world_writable(0777));
	assert_true(gram_mode_world_writable(0002));
	assert_false(gram_mode_world_writable(01777));
	assert_false(gram_mode_world_writable(0775));
	assert_false(gram_mode_world_writable(02770));
}

/* The reporter: one positioned error, the value escaped; control characters in a generic message. */
static void reporter_names_the_path_and_escapes_the_value(void **state)
{
	(void)state;
	struct config_src src;
	struct diag_list dl = { 0 };
	assert_int_equal(config_src_parse(&src, "c.json", "{\"a\": {\"p\": \"/x\\ny\", \"q\": \"/x,ro=0\"}}", &dl), 0);
	assert_false(cfg_check_value(&src, &dl, "a.p", GRAM_PVE_PROP, "container path", "/x\ny"));
	assert_false(cfg_check_value(&src, &dl, "a.q", GRAM_PVE_PROP, "container path", "/x,ro=0"));
	assert_true(cfg_check_value(&src, &dl, "a.q", GRAM_PVE_PROP, "container path", "/x"));
	assert_true(cfg_check_value(&src, &dl, "a.q", GRAM_PVE_PROP, "container path", NULL));
	assert_int_equal(dl.n, 2);
	assert_string_equal(dl.v[0].msg, "'/x\\ny' contains a newline");
	assert_string_equal(dl.v[0].jpath, "a.p");
	assert_int_equal(dl.v[0].line, 1);
	assert_int_equal(dl.v[0].col, 13);
	assert_string_equal(dl.v[1].msg, "container path '/x,ro=0' contains ','");
	assert_string_equal(dl.v[1].hint, "Proxmox splits a mount point's options at ',' and '=': use a path without them");
	diag_list_free(&dl);
	config_src_free(&src);
}

/* cfg_get_string and cfg_string refuse control characters, with the same message (each value has one reader). */
static void config_strings_with_control_characters_are_refused_alike(void **state)
{
	(void)state;
	struct config_src src;
	struct diag_list dl = { 0 };
	assert_int_equal(config_src_parse(&src, "c.json", "{\"a\": {\"p\": \"x\\ty\", \"ok\": \"z\"}}", &dl), 0);
	json_t *a = json_object_get(src.root, "a");
	assert_null(cfg_get_string(&src, a, "a", "p", true, &dl));
	assert_null(cfg_string(&src, json_object_get(a, "p"), "a.p", &dl));
	assert_string_equal(cfg_get_string(&src, a, "a", "ok", true, &dl), "z");
	json_t *n = json_integer(1);
	assert_null(cfg_string(&src, n, "a.n", &dl)); /* not a string: nothing reported */
	json_decref(n);
	assert_int_equal(dl.n, 2);
	assert_string_equal(dl.v[0].msg, "'x\\ty' contains a tab");
	assert_string_equal(dl.v[1].msg, dl.v[0].msg);
	assert_string_equal(dl.v[1].jpath, dl.v[0].jpath);
	diag_list_free(&dl);
	config_src_free(&src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_target_accepts_and_refuses_as_its_grammar_says),
		cmocka_unit_test(user_property_names_are_at_most_255_characters),
		cmocka_unit_test(zfs_values_are_at_most_8191_bytes),
		cmocka_unit_test(escape_keeps_a_value_on_one_line),
		cmocka_unit_test(system_dirs_and_world_writable_modes),
		cmocka_unit_test(reporter_names_the_path_and_escapes_the_value),
		cmocka_unit_test(config_strings_with_control_characters_are_refused_alike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
