#include "sys/disk.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/strbuf.h"

/* ---- identities ---- */

/* Reads "MAJ:MIN" from a sysfs file into *dev. Returns 0, or -1 when absent or malformed. */
static int read_devnum(const char *path, dev_t *dev)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	unsigned maj, min;
	int n = fscanf(f, "%u:%u", &maj, &min);
	fclose(f);
	if (n != 2)
		return -1;
	*dev = makedev(maj, min);
	return 0;
}

/* The first line of a small file, without its newline, or NULL. Caller frees. */
static char *read_line(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

enum disk_media disk_media_of(const struct disk_id *id, const char *sys)
{
	if (id->self.kind != DISK_ID_BLOCK)
		return DISK_MEDIA_UNKNOWN;
	dev_t d = id->self.whole;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/dev/block/%u:%u/queue/rotational", sys, major(d), minor(d));
	char *rot = read_line(p);
	enum disk_media m = DISK_MEDIA_UNKNOWN;
	if (rot && !strcmp(rot, "1")) {
		m = DISK_MEDIA_ROTATIONAL;
	} else if (rot && !strcmp(rot, "0")) {
		char target[PATH_MAX];
		snprintf(p, sizeof(p), "%s/dev/block/%u:%u", sys, major(d), minor(d));
		ssize_t n = readlink(p, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		m = strstr(target, "/nvme/") ? DISK_MEDIA_NVME : DISK_MEDIA_SSD;
	}
	free(rot);
	return m;
}

/* The disk a block device is on: its parent when sysfs says it is a partition, else dev itself. */
static dev_t whole_disk(const char *sys, dev_t dev)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/dev/block/%u:%u/partition", sys, major(dev), minor(dev));
	if (access(p, F_OK))
		return dev;
	dev_t parent;
	snprintf(p, sizeof(p), "%s/dev/block/%u:%u/../dev", sys, major(dev), minor(dev));
	return read_devnum(p, &parent) ? dev : parent;
}

/* Fills r from a stat of path (no loop lookup). Returns 0, or -1 with errno. */
static int ref_of(const char *path, const char *sys, struct disk_ref *r)
{
	memset(r, 0, sizeof(*r));
	struct stat st;
	if (stat(path, &st))
		return -1;
	if (S_ISBLK(st.st_mode)) {
		r->kind = DISK_ID_BLOCK;
		r->dev = st.st_rdev;
		r->whole = whole_disk(sys, st.st_rdev);
	} else if (S_ISREG(st.st_mode)) {
		r->kind = DISK_ID_FILE;
		r->dev = st.st_dev;
		r->ino = st.st_ino;
	} else {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The file or device behind a loop device, from <sys>/dev/block/M:m/loop/backing_file. */
static void loop_backing(const char *sys, dev_t dev, struct disk_ref *r)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/dev/block/%u:%u/loop/backing_file", sys, major(dev), minor(dev));
	char *file = read_line(p);
	size_t l = file ? strlen(file) : 0;
	/* A deleted backing file can be no other disk's name. */
	if (file && !(l > 10 && !strcmp(file + l - 10, " (deleted)")) && ref_of(file, sys, r))
		memset(r, 0, sizeof(*r));
	free(file);
}

int disk_id_resolve(const char *path, const char *sys, struct disk_id *id)
{
	memset(id, 0, sizeof(*id));
	if (ref_of(path, sys, &id->self))
		return -1;
	if (id->self.kind == DISK_ID_BLOCK)
		loop_backing(sys, id->self.dev, &id->backing);
	return 0;
}

static bool ref_overlaps(const struct disk_ref *a, const struct disk_ref *b)
{
	if (a->kind == DISK_ID_NONE || a->kind != b->kind)
		return false;
	if (a->kind == DISK_ID_FILE)
		return a->dev == b->dev && a->ino == b->ino;
	return a->dev == b->dev || a->whole == b->dev || b->whole == a->dev;
}

bool disk_id_overlaps(const struct disk_id *a, const struct disk_id *b)
{
	return ref_overlaps(&a->self, &b->self) || ref_overlaps(&a->backing, &b->self) ||
	       ref_overlaps(&a->self, &b->backing) || ref_overlaps(&a->backing, &b->backing);
}

bool disk_matches(const struct disk_id *a, const char *aname, const struct disk_id *b, const char *bname)
{
	if (disk_id_known(a) && disk_id_known(b))
		return disk_id_overlaps(a, b);
	return vdev_matches_disk(aname, bname) || vdev_matches_disk(bname, aname);
}

static const char *base(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? b + 1 : s;
}

bool vdev_matches_disk(const char *vdev, const char *disk)
{
	if (!strcmp(vdev, disk))
		return true;
	if (!strncmp(disk, "/dev/", 5) && !strcmp(vdev, disk + 5))
		return true;
	/* zpool status prints whole-disk vdevs by short name, without -part1. */
	const char *vb = base(vdev), *db = base(disk);
	size_t vl = strlen(vb), dl = strlen(db);
	if (vl == dl && !strcmp(vb, db) && vdev[0] != '/')
		return true;
	if (vl == dl + 6 && !strncmp(vb, db, dl) && !strcmp(vb + dl, "-part1"))
		return true;
	return false;
}

char *disk_vdev_path(const char *name, const struct strvec *dirs)
{
	static const char *const search[] = { "/dev", "/dev/disk/by-id", "/dev/disk/by-path", "/dev/disk/by-vdev",
					      "/dev/disk/by-uuid", "/dev/disk/by-partuuid", "/dev/disk/by-label",
					      "/dev/mapper" };
	if (name[0] == '/')
		return xstrdup(name);
	if (!*name || strchr(name, '/'))
		return NULL;
	size_t nd = dirs ? dirs->n : 0, ns = sizeof(search) / sizeof(search[0]);
	for (size_t i = 0; i < nd + ns; i++) {
		char *p = xasprintf("%s/%s", i < nd ? dirs->v[i] : search[i - nd], name);
		struct stat st;
		if (!stat(p, &st))
			return p;
		free(p);
	}
	return NULL;
}

/* ---- what holds a disk ---- */

void disk_host_add(struct disk_host *h, enum disk_use use, const struct disk_id *id, const char *what,
		   const char *detail)
{
	h->v = xrealloc(h->v, (h->n + 1) * sizeof(*h->v));
	struct disk_user *u = &h->v[h->n++];
	u->use = use;
	u->id = *id;
	u->what = xstrdup(what);
	u->detail = detail ? xstrdup(detail) : NULL;
}

void disk_host_free(struct disk_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].what);
		free(h->v[i].detail);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

const struct disk_user *disk_host_user(const struct disk_host *h, const struct disk_id *id)
{
	for (size_t i = 0; h && i < h->n; i++)
		if (disk_id_overlaps(&h->v[i].id, id))
			return &h->v[i];
	return NULL;
}

/* Undoes the octal escapes (\040 for a space) of /proc/self/mountinfo and /proc/swaps, in place. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

static struct disk_id block_id(const char *sys, dev_t dev)
{
	struct disk_id id = { 0 };
	id.self.kind = DISK_ID_BLOCK;
	id.self.dev = dev;
	id.self.whole = whole_disk(sys, dev);
	return id;
}

/*
 * Mounted block devices: by the device number mountinfo gives and, where that
 * is not the device (btrfs reports an anonymous 0:N), by the source device.
 */
static void read_mounts(struct disk_host *h, const char *proc, const char *sys)
{
	char *p = xasprintf("%s/self/mountinfo", proc);
	FILE *f = fopen(p, "re");
	free(p);
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		unsigned maj, min;
		int mp_at = 0, mp_end = 0;
		if (sscanf(line, "%*s %*s %u:%u %*s %n%*s%n", &maj, &min, &mp_at, &mp_end) != 2 || !mp_end)
			continue;
		char *sep = strstr(line + mp_end, " - ");
		char *src = NULL;
		if (sep) {
			char *fstype_end = strchr(sep + 3, ' ');
			if (fstype_end) {
				src = fstype_end + 1;
				src[strcspn(src, " ")] = '\0';
				unescape_octal(src);
			}
		}
		line[mp_end] = '\0';
		char *mp = line + mp_at;
		unescape_octal(mp);
		dev_t dev = makedev(maj, min);
		if (maj) {
			struct disk_id id = block_id(sys, dev);
			disk_host_add(h, DISK_USE_MOUNT, &id, mp, src && src[0] == '/' ? src : NULL);
		}
		struct stat st;
		if (src && src[0] == '/' && !stat(src, &st) && S_ISBLK(st.st_mode) && st.st_rdev != dev) {
			struct disk_id id = block_id(sys, st.st_rdev);
			disk_host_add(h, DISK_USE_MOUNT, &id, mp, src);
		}
	}
	free(line);
	fclose(f);
}

static void read_swaps(struct disk_host *h, const char *proc, const char *sys)
{
	char *p = xasprintf("%s/swaps", proc);
	FILE *f = fopen(p, "re");
	free(p);
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	bool header = true;
	while (getline(&line, &cap, f) > 0) {
		if (header) {
			header = false;
			continue;
		}
		line[strcspn(line, " \t\n")] = '\0';
		unescape_octal(line);
		struct disk_id id;
		if (*line && !disk_id_resolve(line, sys, &id))
			disk_host_add(h, DISK_USE_SWAP, &id, line, NULL);
	}
	free(line);
	fclose(f);
}

/* "LVM vg-lv", "dm-crypt luks-x", "md RAID", ... for a holder named in sysfs, or NULL. Caller frees. */
static char *holder_kind(const char *sys, const char *holder)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/block/%s/dm/uuid", sys, holder);
	char *uuid = read_line(p);
	snprintf(p, sizeof(p), "%s/block/%s/dm/name", sys, holder);
	char *name = read_line(p);
	char *r = NULL;
	if (uuid || name) {
		const char *kind = !uuid ? "device-mapper"
				   : !strncmp(uuid, "LVM-", 4) ? "LVM"
				   : !strncmp(uuid, "CRYPT-", 6) ? "dm-crypt"
				   : !strncmp(uuid, "mpath-", 6) ? "multipath" : "device-mapper";
		r = name && *name ? xasprintf("%s %s", kind, name) : xstrdup(kind);
	} else if (!strncmp(holder, "md", 2)) {
		r = xstrdup("md RAID");
	} else if (!strncmp(holder, "bcache", 6)) {
		r = xstrdup("bcache");
	}
	free(uuid);
	free(name);
	return r;
}

/* Adds a user for each entry of <dir>/holders: dev (a disk or partition) is held by it. */
static void add_holders(struct disk_host *h, const char *sys, const char *dir, dev_t dev)
{
	char *hp = xasprintf("%s/holders", dir);
	DIR *d = opendir(hp);
	free(hp);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		struct disk_id id = block_id(sys, dev);
		char *kind = holder_kind(sys, e->d_name);
		disk_host_add(h, DISK_USE_HOLDER, &id, e->d_name, kind);
		free(kind);
	}
	closedir(d);
}

/* The mountpoint of block device dev among the users read so far, or NULL. */
static const char *mounted_dev(const struct disk_host *h, dev_t dev)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].use == DISK_USE_MOUNT && h->v[i].id.self.dev == dev)
			return h->v[i].what;
	return NULL;
}

/* Every entry of <sys>/block: its holders, its partitions' holders, and what a loop device is backed by. */
static void read_block(struct disk_host *h, const char *sys)
{
	char *bp = xasprintf("%s/block", sys);
	DIR *d = opendir(bp);
	if (!d) {
		free(bp);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *dir = xasprintf("%s/%s", bp, e->d_name);
		char *devp = xasprintf("%s/dev", dir);
		dev_t dev;
		if (!read_devnum(devp, &dev)) {
			add_holders(h, sys, dir, dev);
			/* Partitions are subdirectories with a "partition" file. */
			DIR *sd = opendir(dir);
			struct dirent *pe;
			while (sd && (pe = readdir(sd))) {
				if (pe->d_name[0] == '.')
					continue;
				char *pdir = xasprintf("%s/%s", dir, pe->d_name);
				char *pf = xasprintf("%s/partition", pdir);
				char *pd = xasprintf("%s/dev", pdir);
				dev_t pdev;
				if (!access(pf, F_OK) && !read_devnum(pd, &pdev))
					add_holders(h, sys, pdir, pdev);
				free(pdir);
				free(pf);
				free(pd);
			}
			if (sd)
				closedir(sd);
			struct disk_id lid = { 0 };
			loop_backing(sys, dev, &lid.self);
			if (lid.self.kind != DISK_ID_NONE) {
				char *name = xasprintf("/dev/%s", e->d_name);
				disk_host_add(h, DISK_USE_LOOP, &lid, name, mounted_dev(h, dev));
				free(name);
			}
		}
		free(devp);
		free(dir);
	}
	closedir(d);
	free(bp);
}

int disk_host_read(struct disk_host *h, const char *proc, const char *sys)
{
	memset(h, 0, sizeof(*h));
	read_mounts(h, proc, sys);
	read_swaps(h, proc, sys);
	read_block(h, sys);
	return 0;
}

#define IN_USE_TAIL "; a disk in use is never wiped, not even with --allow-wipe"

char *disk_user_describe(const struct disk_user *u, const char *disk, char **hint)
{
	const char *d = u->detail;
	switch (u->use) {
	case DISK_USE_MOUNT:
		*hint = xstrdup("unmount it first, or remove the disk from the config" IN_USE_TAIL);
		return d && strcmp(d, disk) ? xasprintf("is mounted at '%s' (as '%s')", u->what, d)
					    : xasprintf("is mounted at '%s'", u->what);
	case DISK_USE_SWAP:
		*hint = xasprintf("turn it off first (swapoff %s, and remove it from /etc/fstab), or remove the disk from the config" IN_USE_TAIL,
				  u->what);
		return strcmp(u->what, disk) ? xasprintf("is in use as swap ('%s')", u->what) : xstrdup("is in use as swap");
	case DISK_USE_HOLDER:
		if (d && !strncmp(d, "LVM", 3))
			*hint = xstrdup("release it first (lvchange -an, vgchange -an, then pvremove), or remove the disk from the config" IN_USE_TAIL);
		else if (d && !strncmp(d, "dm-crypt", 8))
			*hint = xasprintf("close it first (cryptsetup close %s), or remove the disk from the config" IN_USE_TAIL,
					  strlen(d) > 9 ? d + 9 : u->what);
		else if (d && !strncmp(d, "md", 2))
			*hint = xasprintf("stop the array first (mdadm --stop /dev/%s), or remove the disk from the config" IN_USE_TAIL,
					  u->what);
		else
			*hint = xasprintf("free it first (lsblk shows what /dev/%s is), or remove the disk from the config" IN_USE_TAIL,
					  u->what);
		return d ? xasprintf("is held by %s (%s)", u->what, d) : xasprintf("is held by %s", u->what);
	case DISK_USE_LOOP:
		*hint = xasprintf("detach it first (%slosetup -d %s), or remove the disk from the config" IN_USE_TAIL,
				  d ? "umount, then " : "", u->what);
		return d ? xasprintf("backs loop device '%s' (mounted at '%s')", u->what, d)
			 : xasprintf("backs loop device '%s'", u->what);
	}
	*hint = NULL;
	return xstrdup("is in use");
}

/* ---- signatures ---- */

static void probe_signature(const char *path, struct disk_probe *p)
{
	blkid_probe pr = blkid_new_probe_from_filename(path);
	if (!pr) {
		p->error = xasprintf("cannot open '%s' to look for signatures: %s", path, strerror(errno));
		return;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
	blkid_probe_enable_partitions(pr, 1);
	int rc = blkid_do_safeprobe(pr);
	const char *type = NULL, *usage = NULL, *pttype = NULL;
	if (rc == 0) {
		blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
		blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
		blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL);
		if (pttype)
			p->signature = xasprintf("%s partition table", pttype);
		else if (type && usage && !strcmp(usage, "filesystem"))
			p->signature = xasprintf("%s filesystem", type);
		else if (type)
			p->signature = xstrdup(type);
		else
			p->signature = xstrdup("unknown signature");
	} else if (rc == -2) {
		p->signature = xstrdup("several conflicting signatures");
	} else if (rc < 0) {
		p->error = xasprintf("cannot probe '%s' for signatures", path);
	}
	blkid_free_probe(pr);
}

int disk_probe(const char *path, struct disk_probe *p)
{
	memset(p, 0, sizeof(*p));
	struct stat st;
	if (stat(path, &st)) {
		if (errno != ENOENT)
			p->error = xasprintf("cannot stat '%s': %s", path, strerror(errno));
		return p->error ? -1 : 0;
	}
	p->exists = true;
	p->is_block = S_ISBLK(st.st_mode);
	if (!p->is_block && !S_ISREG(st.st_mode)) {
		p->error = xasprintf("'%s' is neither a block device nor a file", path);
		return -1;
	}
	probe_signature(path, p);
	return p->error ? -1 : 0;
}

void disk_probe_free(struct disk_probe *p)
{
	if (!p)
		return;
	free(p->signature);
	free(p->error);
	memset(p, 0, sizeof(*p));
}
