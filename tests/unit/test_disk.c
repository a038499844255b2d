/* Unit tests: disks by identity (resolver, overlap rules, what holds a disk) on data and on a fake /proc and /sys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sys/disk.h"
#include "util/strbuf.h"

static struct disk_id blk(unsigned maj, unsigned min, unsigned wmaj, unsigned wmin)
{
	struct disk_id id = { 0 };
	id.self.kind = DISK_ID_BLOCK;
	id.self.dev = makedev(maj, min);
	id.self.whole = makedev(wmaj, wmin);
	return id;
}

static struct disk_id file(unsigned dev, unsigned ino)
{
	struct disk_id id = { 0 };
	id.self.kind = DISK_ID_FILE;
	id.self.dev = makedev(0, dev);
	id.self.ino = ino;
	return id;
}

/* A loop device 7:n backed by the file (dev, ino). */
static struct disk_id loop(unsigned n, unsigned dev, unsigned ino)
{
	struct disk_id id = blk(7, n, 7, n);
	id.backing = file(dev, ino).self;
	return id;
}

struct overlap_case {
	const char *name;
	struct disk_id a, b;
	bool overlaps;
};

static void overlap_rules(void **state)
{
	(void)state;
	const struct overlap_case cases[] = {
		{ "one disk by two names", blk(8, 16, 8, 16), blk(8, 16, 8, 16), true },
		{ "a disk and its partition", blk(8, 16, 8, 16), blk(8, 17, 8, 16), true },
		{ "a partition and its disk", blk(8, 17, 8, 16), blk(8, 16, 8, 16), true },
		{ "two partitions of one disk", blk(8, 17, 8, 16), blk(8, 18, 8, 16), false },
		{ "two disks", blk(8, 16, 8, 16), blk(8, 32, 8, 32), false },
		{ "a partition of another disk", blk(8, 16, 8, 16), blk(8, 33, 8, 32), false },
		{ "one file (hard links, symlinks)", file(40, 12), file(40, 12), true },
		{ "one inode number on two file systems", file(40, 12), file(41, 12), false },
		{ "two files", file(40, 12), file(40, 13), false },
		{ "a file and a block device with its numbers", file(16, 0), blk(0, 16, 0, 16), false },
		{ "a loop device and its backing file", loop(0, 40, 12), file(40, 12), true },
		{ "a file and the loop device it backs", file(40, 12), loop(0, 40, 12), true },
		{ "two loop devices on one file", loop(0, 40, 12), loop(1, 40, 12), true },
		{ "a loop device and another file", loop(0, 40, 12), file(40, 13), false },
		{ "an unresolved disk", { { 0 }, { 0 } }, { { 0 }, { 0 } }, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].name);
		assert_int_equal(disk_id_overlaps(&cases[i].a, &cases[i].b), cases[i].overlaps);
	}
}

static void unresolved_names_fall_back_to_name_rules(void **state)
{
	(void)state;
	struct disk_id none = { { 0 }, { 0 } }, a = file(40, 12), b = file(40, 13);
	/* identities win when both are known, whatever the names */
	assert_false(disk_matches(&a, "/x/f", &b, "/x/f"));
	assert_true(disk_matches(&a, "/x/f", &a, "/y/link"));
	/* an unresolvable vdev still blocks its exact name */
	assert_true(disk_matches(&none, "/x/f", &a, "/x/f"));
	assert_true(disk_matches(&none, "nvme-S1", &a, "/dev/disk/by-id/nvme-S1"));
	assert_false(disk_matches(&none, "/x/g", &a, "/x/f"));
}

static void host_users_are_found_by_identity(void **state)
{
	(void)state;
	struct disk_host h = { 0 };
	struct disk_id mounted_part = blk(8, 17, 8, 16), held = blk(8, 32, 8, 32), swapf = file(40, 50),
		       backing = file(40, 60);
	disk_host_add(&h, DISK_USE_MOUNT, &mounted_part, "/mnt/data", "/dev/sdb1");
	disk_host_add(&h, DISK_USE_SWAP, &swapf, "/swapfile", NULL);
	disk_host_add(&h, DISK_USE_HOLDER, &held, "dm-0", "LVM vg-lv");
	disk_host_add(&h, DISK_USE_LOOP, &backing, "/dev/loop3", NULL);
	const struct {
		const char *name;
		struct disk_id q;
		const char *what;  /* NULL: free */
	} cases[] = {
		{ "the disk of a mounted partition", blk(8, 16, 8, 16), "/mnt/data" },
		{ "the mounted partition itself", blk(8, 17, 8, 16), "/mnt/data" },
		{ "another partition of that disk", blk(8, 18, 8, 16), NULL },
		{ "a swap file by another name", file(40, 50), "/swapfile" },
		{ "a disk held by device-mapper", blk(8, 32, 8, 32), "dm-0" },
		{ "a partition of a held disk", blk(8, 33, 8, 32), "dm-0" },
		{ "the backing file of a loop device", file(40, 60), "/dev/loop3" },
		{ "a free file", file(40, 61), NULL },
		{ "a free disk", blk(8, 48, 8, 48), NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].name);
		const struct disk_user *u = disk_host_user(&h, &cases[i].q);
		if (!cases[i].what) {
			assert_null(u);
		} else {
			assert_non_null(u);
			assert_string_equal(u->what, cases[i].what);
		}
	}
	disk_host_free(&h);
}

static void in_use_messages_name_the_holder_and_never_offer_allow_wipe(void **state)
{
	(void)state;
	struct disk_id id = blk(8, 16, 8, 16);
	const struct {
		struct disk_user u;
		const char *disk, *why, *hint;
	} cases[] = {
		{ { DISK_USE_MOUNT, id, "/mnt/data", "/dev/sdb1" }, "/dev/disk/by-id/ata-X", "is mounted at '/mnt/data' (as '/dev/sdb1')",
		  "unmount it first, or remove the disk from the config" },
		{ { DISK_USE_MOUNT, id, "/mnt/data", "/dev/sdb" }, "/dev/sdb", "is mounted at '/mnt/data'", "unmount it first" },
		{ { DISK_USE_SWAP, id, "/swapfile", NULL }, "/srv/swaplink", "is in use as swap ('/swapfile')",
		  "turn it off first (swapoff /swapfile, and remove it from /etc/fstab), or remove the disk from the config" },
		{ { DISK_USE_HOLDER, id, "dm-0", "LVM vg-lv" }, "/dev/sdb", "is held by dm-0 (LVM vg-lv)",
		  "release it first (lvchange -an, vgchange -an, then pvremove)" },
		{ { DISK_USE_HOLDER, id, "dm-1", "dm-crypt luks-1" }, "/dev/sdb", "is held by dm-1 (dm-crypt luks-1)",
		  "close it first (cryptsetup close luks-1)" },
		{ { DISK_USE_HOLDER, id, "md0", "md RAID" }, "/dev/sdb", "is held by md0 (md RAID)", "stop the array first (mdadm --stop /dev/md0)" },
		{ { DISK_USE_LOOP, id, "/dev/loop3", NULL }, "/srv/f", "backs loop device '/dev/loop3'", "detach it first (losetup -d /dev/loop3)" },
		{ { DISK_USE_LOOP, id, "/dev/loop3", "/mnt/img" }, "/srv/f", "backs loop device '/dev/loop3' (mounted at '/mnt/img')",
		  "detach it first (umount, then losetup -d /dev/loop3)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *hint = NULL;
		char *why = disk_user_describe(&cases[i].u, cases[i].disk, &hint);
		assert_string_equal(why, cases[i].why);
		assert_non_null(strstr(hint, cases[i].hint));
		assert_non_null(strstr(hint, "a disk in use is never wiped, not even with --allow-wipe"));
		assert_null(strstr(hint, "run apply with --allow-wipe"));
		free(why);
		free(hint);
	}
}

/* ---- on real files and a fake /proc and /sys ---- */

static char tmp[64];

static char *at(const char *rel)
{
	return xasprintf("%s/%s", tmp, rel);
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel);
	for (char *s = strchr(p + strlen(tmp) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void link_to(const char *target, const char *rel)
{
	char *p = at(rel);
	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static int setup_tmp(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/phoenix-unit-disk.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	char *cmd[] = { "rm", "-rf", tmp, NULL };
	pid_t pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	return 0;
}

/* queue/rotational and the controller of the sysfs entry tell HDD, NVMe and other SSDs apart. */
static void media_of_disks_comes_from_sysfs(void **state)
{
	(void)state;
	put("sys/devices/pci0/ata1/block/sda/queue/rotational", "0\n");
	put("sys/devices/pci0/ata2/block/sdb/queue/rotational", "1\n");
	put("sys/devices/pci0/nvme/nvme0/nvme0n1/queue/rotational", "0\n");
	put("sys/dev/block/.keep", "");
	link_to("../../devices/pci0/ata1/block/sda", "sys/dev/block/8:0");
	link_to("../../devices/pci0/ata2/block/sdb", "sys/dev/block/8:16");
	link_to("../../devices/pci0/nvme/nvme0/nvme0n1", "sys/dev/block/259:0");
	char *sys = at("sys");
	struct disk_id id = { .self = { .kind = DISK_ID_BLOCK } };
	id.self.whole = makedev(8, 0);
	assert_int_equal(disk_media_of(&id, sys), DISK_MEDIA_SSD);
	id.self.whole = makedev(8, 16);
	assert_int_equal(disk_media_of(&id, sys), DISK_MEDIA_ROTATIONAL);
	id.self.whole = makedev(259, 0);
	assert_int_equal(disk_media_of(&id, sys), DISK_MEDIA_NVME);
	id.self.whole = makedev(8, 32); /* no sysfs entry */
	assert_int_equal(disk_media_of(&id, sys), DISK_MEDIA_UNKNOWN);
	id.self.kind = DISK_ID_FILE;
	assert_int_equal(disk_media_of(&id, sys), DISK_MEDIA_UNKNOWN);
	free(sys);
}

static void resolver_sees_through_symlinks_hard_links_and_dotdot(void **state)
{
	(void)state;
	put("d/f", "vdev");
	put("d/other", "vdev");
	char *f = at("d/f");
	link_to(f, "d/flink");
	char *hard = at("d/fhard");
	assert_int_equal(link(f, hard), 0);
	const char *names[] = { "d/flink", "d/fhard", "d/../d/f", "d/./f" };
	struct disk_id id, alias, other;
	assert_int_equal(disk_id_resolve(f, tmp, &id), 0);
	assert_int_equal(id.self.kind, DISK_ID_FILE);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = at(names[i]);
		print_message("alias: %s\n", names[i]);
		assert_int_equal(disk_id_resolve(p, tmp, &alias), 0);
		assert_true(disk_id_overlaps(&id, &alias));
		free(p);
	}
	char *o = at("d/other");
	assert_int_equal(disk_id_resolve(o, tmp, &other), 0);
	assert_false(disk_id_overlaps(&id, &other));
	char *missing = at("d/missing");
	errno = 0;
	assert_int_equal(disk_id_resolve(missing, tmp, &other), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(disk_id_known(&other));
	char *dir = at("d");
	assert_int_equal(disk_id_resolve(dir, tmp, &other), -1);
	assert_int_equal(errno, EINVAL);
	free(f);
	free(hard);
	free(o);
	free(missing);
	free(dir);
}

static void vdev_short_names_are_found_in_the_import_directories(void **state)
{
	(void)state;
	put("imp/wwn-0x5000", "");
	char *dir = at("imp");
	struct strvec dirs = { 0 };
	sv_push(&dirs, dir);
	char *p = disk_vdev_path("wwn-0x5000", &dirs);
	char *want = at("imp/wwn-0x5000");
	assert_string_equal(p, want);
	free(p);
	p = disk_vdev_path("/abs/path", &dirs);
	assert_string_equal(p, "/abs/path");
	free(p);
	assert_null(disk_vdev_path("no-such-disk-anywhere-0x1", &dirs));
	assert_null(disk_vdev_path("mirror-0", NULL));
	sv_free(&dirs);
	free(dir);
	free(want);
}

/*
 * A host with: sdb (8:16) whose partition sdb1 (8:17) is mounted; sdc (8:32)
 * held by LVM; sdd1 (8:49) held by md0; a swap file; loop3 backed by a file and
 * mounted; a mountpoint with a space.
 */
static void host_facts_are_read_from_proc_and_sys(void **state)
{
	(void)state;
	put("sys/block/sdb/dev", "8:16\n");
	put("sys/block/sdb/sdb1/dev", "8:17\n");
	put("sys/block/sdb/sdb1/partition", "1\n");
	put("sys/block/sdc/dev", "8:32\n");
	put("sys/block/sdc/holders/dm-0", "");
	put("sys/block/dm-0/dev", "253:0\n");
	put("sys/block/dm-0/dm/uuid", "LVM-abcdef\n");
	put("sys/block/dm-0/dm/name", "vg-lv\n");
	put("sys/block/sdd/dev", "8:48\n");
	put("sys/block/sdd/sdd1/dev", "8:49\n");
	put("sys/block/sdd/sdd1/partition", "1\n");
	put("sys/block/sdd/sdd1/holders/md0", "");
	put("sys/block/loop3/dev", "7:3\n");
	put("img", "ext4 image");
	put("swapfile", "swap");
	char *img = at("img"), *swapf = at("swapfile");
	char *bf = xasprintf("%s\n", img);
	put("sys/block/loop3/loop/backing_file", bf);
	free(bf);
	put("dummy", "");
	put("sys/dev/block/.made", "");
	link_to("../../block/sdb", "sys/dev/block/8:16");
	link_to("../../block/sdb/sdb1", "sys/dev/block/8:17");
	link_to("../../block/sdd/sdd1", "sys/dev/block/8:49");
	link_to("../../block/loop3", "sys/dev/block/7:3");
	put("proc/self/mountinfo",
	    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	    "40 27 8:17 / /mnt/a\\040b rw,relatime shared:1 - ext4 /dev/sdb1 rw\n"
	    "41 27 7:3 / /mnt/img rw - ext4 /dev/loop3 rw\n"
	    "42 27 0:50 / /quickOS rw - zfs quickOS rw\n");
	char *swaps = xasprintf("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n%s file 1024 0 -2\n", swapf);
	put("proc/swaps", swaps);
	free(swaps);
	char *proc = at("proc"), *sys = at("sys");
	struct disk_host h;
	assert_int_equal(disk_host_read(&h, proc, sys), 0);
	const struct {
		const char *name;
		struct disk_id q;
		enum disk_use use;
		const char *what, *detail;
	} cases[] = {
		{ "disk of a mounted partition", blk(8, 16, 8, 16), DISK_USE_MOUNT, "/mnt/a b", "/dev/sdb1" },
		{ "disk held by LVM", blk(8, 32, 8, 32), DISK_USE_HOLDER, "dm-0", "LVM vg-lv" },
		{ "disk with a partition in md", blk(8, 48, 8, 48), DISK_USE_HOLDER, "md0", "md RAID" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].name);
		const struct disk_user *u = disk_host_user(&h, &cases[i].q);
		assert_non_null(u);
		assert_int_equal(u->use, cases[i].use);
		assert_string_equal(u->what, cases[i].what);
		assert_string_equal(u->detail, cases[i].detail);
	}
	/* the mounted partition's parent was read from the fake sysfs */
	struct disk_id q = blk(8, 18, 8, 16);
	assert_null(disk_host_user(&h, &q));
	struct disk_id fid;
	assert_int_equal(disk_id_resolve(swapf, sys, &fid), 0);
	const struct disk_user *u = disk_host_user(&h, &fid);
	assert_non_null(u);
	assert_int_equal(u->use, DISK_USE_SWAP);
	assert_int_equal(disk_id_resolve(img, sys, &fid), 0);
	u = disk_host_user(&h, &fid);
	assert_non_null(u);
	assert_int_equal(u->use, DISK_USE_LOOP);
	assert_string_equal(u->what, "/dev/loop3");
	assert_string_equal(u->detail, "/mnt/img");
	char *dummy = at("dummy");
	assert_int_equal(disk_id_resolve(dummy, sys, &fid), 0);
	assert_null(disk_host_user(&h, &fid));
	disk_host_free(&h);
	free(dummy);
	free(proc);
	free(sys);
	free(img);
	free(swapf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(overlap_rules),
		cmocka_unit_test(unresolved_names_fall_back_to_name_rules),
		cmocka_unit_test(host_users_are_found_by_identity),
		cmocka_unit_test(in_use_messages_name_the_holder_and_never_offer_allow_wipe),
		cmocka_unit_test_setup_teardown(resolver_sees_through_symlinks_hard_links_and_dotdot, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(media_of_disks_comes_from_sysfs, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(vdev_short_names_are_found_in_the_import_directories, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(host_facts_are_read_from_proc_and_sys, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
