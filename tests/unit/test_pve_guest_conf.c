/* Unit tests: guest config parser/editor, property strings, sizes (src/pve/guest_conf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/guest_conf.h"

/* A container config as pct writes it, with a snapshot, raw lxc lines and a pending section. */
static const char *const CT =
	"#Nginx gateway\n"
	"#managed by phoenix\n"
	"arch: amd64\n"
	"cores: 4\n"
	"features: nesting=1\n"
	"hostname: nginx\n"
	"memory: 4096\n"
	"mp0: /mnt/pve/data/101/logs,mp=/var/log/nginx\n"
	"mp2: quickOS-lxc-disks:subvol-101-disk-1,mp=/srv,backup=1,size=8G\n"
	"net0: name=eth0,bridge=vmbr0,hwaddr=52:54:00:67:89:B3,ip=10.0.0.153/24,type=veth\n"
	"ostype: ubuntu\n"
	"parent: before-upgrade\n"
	"rootfs: quickOS-lxc-disks:subvol-101-disk-0,size=32G\n"
	"swap: 512\n"
	"unprivileged: 1\n"
	"lxc.mount.auto: sys:rw\n"
	"lxc.apparmor.profile = unconfined\n"
	"\n"
	"[pve:pending]\n"
	"mp1: /mnt/x,mp=/x\n"
	"\n"
	"[before-upgrade]\n"
	"arch: amd64\n"
	"mp0: /mnt/pve/data/101/logs,mp=/var/log/nginx\n"
	"rootfs: quickOS-lxc-disks:subvol-101-disk-0,size=16G\n"
	"snaptime: 1700000000\n"
	"lxc.mount.auto: sys:rw\n";

static struct guest_conf parse(const char *t)
{
	struct guest_conf g;
	guest_conf_parse(&g, t, strlen(t));
	return g;
}

static void roundtrip_is_byte_for_byte(void **state)
{
	(void)state;
	const char *const cases[] = { CT, "", "\n", "memory: 512", "rootfs: a:b\r\n", "weird line\n\n\n" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct guest_conf g = parse(cases[i]);
		char *out = guest_conf_serialize(&g);
		assert_string_equal(out, cases[i]);
		free(out);
		guest_conf_free(&g);
	}
}

static void main_section_values_only(void **state)
{
	(void)state;
	struct guest_conf g = parse(CT);
	assert_string_equal(gc_get(&g, "rootfs"), "quickOS-lxc-disks:subvol-101-disk-0,size=32G");
	assert_string_equal(gc_get(&g, "memory"), "4096");
	assert_null(gc_get(&g, "snaptime"));     /* only in the snapshot */
	assert_null(gc_get(&g, "mp1"));          /* only pending */
	assert_null(gc_get(&g, "lxc.mount.auto"));
	guest_conf_free(&g);
}

static void set_inserts_where_proxmox_sorts_keys(void **state)
{
	(void)state;
	struct guest_conf g = parse(CT);
	gc_set(&g, "mp3", "/a,mp=/b");
	gc_set(&g, "rootfs", "quickOS-lxc-disks:subvol-101-disk-0,size=64G");
	gc_set(&g, "zzz", "1");
	char *out = guest_conf_serialize(&g);
	assert_non_null(strstr(out, "mp2: quickOS-lxc-disks:subvol-101-disk-1,mp=/srv,backup=1,size=8G\n"
				    "mp3: /a,mp=/b\nnet0:"));
	assert_non_null(strstr(out, "rootfs: quickOS-lxc-disks:subvol-101-disk-0,size=64G\nswap"));
	/* after the last key, before the raw lxc lines */
	assert_non_null(strstr(out, "unprivileged: 1\nzzz: 1\nlxc.mount.auto: sys:rw\n"));
	/* the snapshot is untouched */
	assert_non_null(strstr(out, "[before-upgrade]\narch: amd64\nmp0: /mnt/pve/data/101/logs,mp=/var/log/nginx\n"
				    "rootfs: quickOS-lxc-disks:subvol-101-disk-0,size=16G\n"));
	free(out);
	gc_unset(&g, "zzz");
	gc_unset(&g, "mp3");
	gc_set(&g, "rootfs", "quickOS-lxc-disks:subvol-101-disk-0,size=32G");
	out = guest_conf_serialize(&g);
	assert_string_equal(out, CT);
	free(out);
	guest_conf_free(&g);

	/* a file without a final newline */
	g = parse("memory: 512");
	gc_set(&g, "mp0", "/x,mp=/y");
	out = guest_conf_serialize(&g);
	assert_string_equal(out, "memory: 512\nmp0: /x,mp=/y\n");
	free(out);
	guest_conf_free(&g);
}

static void mp_allocation_takes_first_free_slot(void **state)
{
	(void)state;
	struct guest_conf g = parse(CT);
	/* mp0 and mp2 used, mp1 pending */
	assert_int_equal(gc_first_free_mp(&g, NULL, 0), 3);
	int used[] = { 3, 4 };
	assert_int_equal(gc_first_free_mp(&g, used, 2), 5);
	guest_conf_free(&g);
	g = parse("memory: 1\n[snap]\nmp0: /a,mp=/b\n");
	assert_int_equal(gc_first_free_mp(&g, NULL, 0), 0); /* snapshots do not count */
	guest_conf_free(&g);
	struct guest_conf full = parse("");
	for (int i = 0; i < 256; i++) {
		char k[16];
		snprintf(k, sizeof(k), "mp%d", i);
		gc_set(&full, k, "/a,mp=/b");
	}
	assert_int_equal(gc_first_free_mp(&full, NULL, 0), -1);
	guest_conf_free(&full);
}

static void propstr_parse_and_format(void **state)
{
	(void)state;
	struct pve_propstr p;
	assert_int_equal(pve_propstr_parse("local:subvol-1-disk-0,size=8G,mp=/srv,backup=1", "volume", &p), 0);
	assert_string_equal(p.volume, "local:subvol-1-disk-0");
	assert_string_equal(pve_propstr_get(&p, "mp"), "/srv");
	char *s = pve_propstr_format(&p);
	assert_string_equal(s, "local:subvol-1-disk-0,mp=/srv,backup=1,size=8G");
	free(s);
	pve_propstr_set(&p, "ro", "1");
	pve_propstr_set(&p, "backup", NULL);
	s = pve_propstr_format(&p);
	assert_string_equal(s, "local:subvol-1-disk-0,mp=/srv,ro=1,size=8G");
	free(s);
	pve_propstr_free(&p);

	assert_int_equal(pve_propstr_parse("mp=/x,volume=/host", "volume", &p), 0);
	assert_string_equal(p.volume, "/host");
	pve_propstr_free(&p);
	assert_int_equal(pve_propstr_parse("file=local-lvm:vm-1-disk-0,iothread=1,size=32G", "file", &p), 0);
	assert_string_equal(p.volume, "local-lvm:vm-1-disk-0");
	assert_string_equal(pve_propstr_get(&p, "size"), "32G");
	pve_propstr_free(&p);
	assert_int_equal(pve_propstr_parse("/a,/b", "volume", &p), -1);
	assert_int_equal(pve_propstr_parse("/a,ro=", "volume", &p), -1);
	assert_int_equal(pve_propstr_parse("/a,ro=1,ro=0", "volume", &p), -1);
}

/* Blanks around '=' belong to neither side: what is formatted reads back the same (found by tests/fuzz). */
static void propstr_blanks_around_equals(void **state)
{
	(void)state;
	struct pve_propstr p, q;
	assert_int_equal(pve_propstr_parse("volume= /mnt/x, size = 8G", "volume", &p), 0);
	assert_string_equal(p.volume, "/mnt/x");
	assert_string_equal(pve_propstr_get(&p, "size"), "8G");
	char *f = pve_propstr_format(&p);
	assert_int_equal(pve_propstr_parse(f, "volume", &q), 0);
	assert_string_equal(q.volume, "/mnt/x");
	assert_string_equal(pve_propstr_get(&q, "size"), "8G");
	free(f);
	pve_propstr_free(&p);
	pve_propstr_free(&q);
	assert_int_equal(pve_propstr_parse("/a,ro= ", "volume", &p), -1);
}

static void booleans_as_proxmox_reads_them(void **state)
{
	(void)state;
	assert_int_equal(pve_bool("1"), 1);
	assert_int_equal(pve_bool("Yes"), 1);
	assert_int_equal(pve_bool("off"), 0);
	assert_int_equal(pve_bool("2"), -1);
	assert_int_equal(pve_bool(NULL), -1);
}

static void sizes_parse_and_format(void **state)
{
	(void)state;
	uint64_t b;
	assert_int_equal(pve_size_parse("32G", &b), 0);
	assert_true(b == 32ULL << 30);
	assert_int_equal(pve_size_parse("1.5G", &b), 0);
	assert_true(b == 1536ULL << 20);
	assert_int_equal(pve_size_parse("4096", &b), 0);
	assert_true(b == 4096);
	assert_int_equal(pve_size_parse("2T", &b), 0);
	assert_true(b == 2ULL << 40);
	assert_int_equal(pve_size_parse("8g", &b), -1);
	assert_int_equal(pve_size_parse("G", &b), -1);
	assert_int_equal(pve_size_parse("1.G", &b), -1);
	assert_int_equal(pve_size_parse("99999999999999999999T", &b), -1);
	char *s = pve_size_format(32ULL << 30);
	assert_string_equal(s, "32G");
	free(s);
	s = pve_size_format(1536ULL << 20);
	assert_string_equal(s, "1536M");
	free(s);
	s = pve_size_format(3ULL << 40);
	assert_string_equal(s, "3T");
	free(s);
	s = pve_size_format(1000);
	assert_string_equal(s, "1000");
	free(s);
}

/* A mount line is found by what it mounts (source and target), whatever its mpN; removing it moves no other byte. */
static void mount_found_by_source_and_target_and_removed_alone(void **state)
{
	(void)state;
	static const struct {
		const char *source, *target;
		bool pending_too;
		long want;  /* line index, -1 none */
	} cases[] = {
		{ "/mnt/pve/data/101/logs", "/var/log/nginx", false, 7 },
		{ "/mnt/pve/data/101/logs/", "//var/log/nginx/", false, 7 },   /* as paths */
		{ "/mnt/pve/data/101", "/var/log/nginx", false, -1 },          /* another source */
		{ "/mnt/pve/data/101/logs", "/var/log", false, -1 },           /* another target */
		{ "quickOS-lxc-disks:subvol-101-disk-1", "/srv", false, 8 },   /* a volume: exact */
		{ "quickOS-lxc-disks:subvol-101-disk-1/", "/srv", false, -1 },
		{ "/mnt/x", "/x", false, -1 },                                 /* only in [pve:pending] */
		{ "/mnt/x", "/x", true, 19 },
	};
	struct guest_conf g = parse(CT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long got = gc_find_mount(&g, cases[i].source, cases[i].target, cases[i].pending_too);
		if (got != cases[i].want)
			fail_msg("case %zu (%s -> %s): line %ld, want %ld", i, cases[i].source, cases[i].target, got,
				 cases[i].want);
	}
	/* renumbered by an operator: still found */
	struct guest_conf r = parse("memory: 1\nmp7: /h,mp=/c,ro=1\n");
	assert_int_equal(gc_find_mount(&r, "/h", "/c", false), 1);
	gc_remove_line(&r, 1);
	char *out = guest_conf_serialize(&r);
	assert_string_equal(out, "memory: 1\n");
	free(out);
	guest_conf_free(&r);

	gc_remove_line(&g, (size_t)gc_find_mount(&g, "/mnt/pve/data/101/logs", "/var/log/nginx", false));
	out = guest_conf_serialize(&g);
	const char *cut = strstr(CT, "mp0: /mnt/pve/data/101/logs,mp=/var/log/nginx\n");
	size_t before = (size_t)(cut - CT), line = strlen("mp0: /mnt/pve/data/101/logs,mp=/var/log/nginx\n");
	assert_int_equal(strlen(out), strlen(CT) - line);
	assert_memory_equal(out, CT, before);
	assert_string_equal(out + before, CT + before + line); /* the snapshot's mp0 stays */
	free(out);
	gc_remove_line(&g, 999); /* past the end: nothing */
	guest_conf_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip_is_byte_for_byte),
		cmocka_unit_test(main_section_values_only),
		cmocka_unit_test(set_inserts_where_proxmox_sorts_keys),
		cmocka_unit_test(mp_allocation_takes_first_free_slot),
		cmocka_unit_test(mount_found_by_source_and_target_and_removed_alone),
		cmocka_unit_test(propstr_parse_and_format),
		cmocka_unit_test(propstr_blanks_around_equals),
		cmocka_unit_test(booleans_as_proxmox_reads_them),
		cmocka_unit_test(sizes_parse_and_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
