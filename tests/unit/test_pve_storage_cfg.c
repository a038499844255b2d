/* Unit tests: storage.cfg parser and editor (src/pve/storage_cfg.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "formats/storage_cfg.h"

/* A file as Proxmox writes it, plus things admins do by hand. */
static const char *const REAL =
	"# local storage, set up by the installer\n"
	"dir: local\n"
	"\tpath /var/lib/vz\n"
	"\tcontent iso,vztmpl,backup\n"
	"\n"
	"lvmthin: local-lvm\n"
	"\tthinpool data\n"
	"\tvgname pve\n"
	"\tcontent rootdir,images\n"
	"\n"
	"zfspool: local-zfs\n"
	"    pool rpool/data\n"
	"    sparse\n"
	"    content images,rootdir\n"
	"\n"
	"pbs: backup-server\n"
	"\tdatastore store1\n"
	"\tserver 10.0.0.5\n"
	"\tcontent backup\n"
	"\tfingerprint aa:bb:cc\n"
	"\tprune-backups keep-all=1\n"
	"\tusername backup@pbs\n";

static struct storage_cfg parse(const char *text)
{
	struct storage_cfg c;
	storage_cfg_parse(&c, text, strlen(text));
	return c;
}

static void roundtrip_is_byte_for_byte(void **state)
{
	(void)state;
	const char *const cases[] = {
		REAL,
		"",
		"\n\n",
		"dir: x\n\tpath /x",   /* no final newline */
		"dir: x\r\n\tpath /x\r\n\r\n",
		"garbage line\n  indented garbage\n#c\ndir:y\n\tpath /y\n",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct storage_cfg c = parse(cases[i]);
		char *out = storage_cfg_serialize(&c);
		assert_string_equal(out, cases[i]);
		free(out);
		storage_cfg_free(&c);
	}
}

static void parser_reads_sections_like_proxmox(void **state)
{
	(void)state;
	struct storage_cfg c = parse(REAL);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.v[0].type, "dir");
	assert_string_equal(c.v[0].id, "local");
	assert_string_equal(scfg_get(&c.v[0], "path"), "/var/lib/vz");
	const struct scfg_section *z = storage_cfg_find(&c, "local-zfs");
	assert_non_null(z);
	assert_string_equal(z->type, "zfspool");
	assert_string_equal(scfg_get(z, "pool"), "rpool/data");
	assert_string_equal(scfg_get(z, "sparse"), "1"); /* bare boolean */
	assert_string_equal(scfg_get(storage_cfg_find(&c, "backup-server"), "prune-backups"), "keep-all=1");
	assert_null(storage_cfg_find(&c, "nope"));
	storage_cfg_free(&c);

	/* "dir:y" without a blank is a header too; comment lines inside a section are skipped */
	c = parse("dir:y\n#x\n\tpath /y\n\tcontent iso\n");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].id, "y");
	assert_string_equal(scfg_get(&c.v[0], "content"), "iso");
	storage_cfg_free(&c);
}

static void add_appends_in_proxmox_layout(void **state)
{
	(void)state;
	struct storage_cfg c = parse(REAL);
	const char *k[] = { "pool", "content", "sparse" };
	const char *v[] = { "tank/vm", "images", "1" };
	assert_int_equal(storage_cfg_add(&c, "zfspool", "tank-vm", k, v, 3), 0);
	char *out = storage_cfg_serialize(&c);
	/* the old text stays, a blank line separates, the new section ends with a blank line */
	char *want = malloc(strlen(REAL) + 200);
	strcpy(want, REAL);
	strcat(want, "\nzfspool: tank-vm\n\tpool tank/vm\n\tcontent images\n\tsparse 1\n\n");
	assert_string_equal(out, want);
	free(out);
	free(want);
	assert_int_equal(storage_cfg_add(&c, "dir", "tank-vm", k, v, 1), -1);
	storage_cfg_free(&c);

	c = parse("");
	const char *dk[] = { "path", "content", "is_mountpoint" };
	const char *dv[] = { "/tank/iso", "iso,vztmpl", "yes" };
	storage_cfg_add(&c, "dir", "tank-iso", dk, dv, 3);
	out = storage_cfg_serialize(&c);
	assert_string_equal(out, "dir: tank-iso\n\tpath /tank/iso\n\tcontent iso,vztmpl\n\tis_mountpoint yes\n\n");
	free(out);
	storage_cfg_free(&c);
}

static void set_and_unset_touch_one_line(void **state)
{
	(void)state;
	struct storage_cfg c = parse(REAL);
	assert_int_equal(storage_cfg_set(&c, "local-zfs", "content", "images"), 0);
	assert_int_equal(storage_cfg_set(&c, "local", "is_mountpoint", "yes"), 0);
	assert_int_equal(storage_cfg_set(&c, "missing", "content", "images"), -1);
	char *out = storage_cfg_serialize(&c);
	assert_non_null(strstr(out, "\tcontent iso,vztmpl,backup\n\tis_mountpoint yes\n\nlvmthin"));
	assert_non_null(strstr(out, "    sparse\n\tcontent images\n\npbs"));
	free(out);
	assert_int_equal(storage_cfg_unset(&c, "local", "is_mountpoint"), 0);
	assert_int_equal(storage_cfg_set(&c, "local-zfs", "content", "images,rootdir"), 0);
	out = storage_cfg_serialize(&c);
	/* only the content line of local-zfs differs from the original */
	assert_non_null(strstr(out, "zfspool: local-zfs\n    pool rpool/data\n    sparse\n\tcontent images,rootdir\n"));
	assert_non_null(strstr(out, "dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n\n"));
	free(out);
	storage_cfg_free(&c);

	/* a property added to a last section without a final newline */
	c = parse("dir: x\n\tpath /x");
	storage_cfg_set(&c, "x", "content", "iso");
	out = storage_cfg_serialize(&c);
	assert_string_equal(out, "dir: x\n\tpath /x\n\tcontent iso\n");
	free(out);
	storage_cfg_free(&c);
}

static void remove_takes_the_section_and_its_blank_line(void **state)
{
	(void)state;
	struct storage_cfg c = parse(REAL);
	assert_int_equal(storage_cfg_remove(&c, "lvmthin-none"), -1);
	assert_int_equal(storage_cfg_remove(&c, "local-lvm"), 0);
	char *out = storage_cfg_serialize(&c);
	assert_null(strstr(out, "local-lvm"));
	assert_non_null(strstr(out, "\tcontent iso,vztmpl,backup\n\nzfspool: local-zfs\n"));
	assert_int_equal(c.n, 3);
	free(out);
	/* adding then removing gives the original back */
	const char *k[] = { "path" };
	const char *v[] = { "/x" };
	struct storage_cfg d = parse(REAL);
	storage_cfg_add(&d, "dir", "x", k, v, 1);
	storage_cfg_remove(&d, "x");
	out = storage_cfg_serialize(&d);
	/* the separating blank line added before the section stays: Proxmox's own layout */
	char *want = malloc(strlen(REAL) + 4);
	strcpy(want, REAL);
	strcat(want, "\n");
	assert_string_equal(out, want);
	free(want);
	free(out);
	storage_cfg_free(&d);
	storage_cfg_free(&c);
}

static void content_lists_compare_as_sets(void **state)
{
	(void)state;
	char *a = pve_content_normalize("rootdir,images");
	char *b = pve_content_normalize(" images , rootdir,images");
	assert_string_equal(a, "images,rootdir");
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = pve_content_normalize("");
	assert_string_equal(a, "");
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip_is_byte_for_byte),
		cmocka_unit_test(parser_reads_sections_like_proxmox),
		cmocka_unit_test(add_appends_in_proxmox_layout),
		cmocka_unit_test(set_and_unset_touch_one_line),
		cmocka_unit_test(remove_takes_the_section_and_its_blank_line),
		cmocka_unit_test(content_lists_compare_as_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
