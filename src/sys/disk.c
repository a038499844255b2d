#include "sys/disk.h"

#include <blkid.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/strbuf.h"

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

/* Mountpoint of device number dev (or of a partition whose parent is dev), or NULL. */
static char *find_mount(dev_t dev, bool is_block)
{
	if (!is_block)
		return NULL;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	char *line = NULL;
	size_t cap = 0;
	char *found = NULL;
	while (!found && getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		char mp[PATH_MAX];
		if (sscanf(line, "%*s %*s %u:%u %*s %4095s", &maj, &min, mp) != 3)
			continue;
		dev_t d = makedev(maj, min);
		bool match = d == dev;
		if (!match) {
			/* A partition of dev: /sys/dev/block/M:m/../dev names the parent. */
			char sys[128], buf[32];
			snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/../dev", maj, min);
			FILE *pf = fopen(sys, "re");
			if (pf) {
				unsigned pm, pn;
				if (fgets(buf, sizeof(buf), pf) && sscanf(buf, "%u:%u", &pm, &pn) == 2)
					match = makedev(pm, pn) == dev;
				fclose(pf);
			}
		}
		if (match)
			found = xstrdup(mp);
	}
	free(line);
	fclose(f);
	return found;
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
	p->mounted_at = find_mount(st.st_rdev, p->is_block);
	return p->error ? -1 : 0;
}

void disk_probe_free(struct disk_probe *p)
{
	if (!p)
		return;
	free(p->signature);
	free(p->mounted_at);
	free(p->error);
	memset(p, 0, sizeof(*p));
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
