#include "plan/zfs_topo.h"

#include <stdlib.h>
#include <string.h>

/* A vdev entry that stands for lone disks: a stripe, and every cache and spares entry. */
static bool lone(const struct zcfg_vdev *v)
{
	return !strcmp(v->type, "stripe");
}

/* The word zpool create takes before the vdevs of group g (NULL for data vdevs). */
static const char *group_word(enum zcfg_group g)
{
	return g == ZG_DATA ? NULL : zcfg_group_name(g);
}

/* Appends "[GROUP ][N x ]TYPE: " (no TYPE for lone disks outside the data group). */
static void add_head(struct strbuf *sb, const char *group, const char *type, size_t count, bool is_lone)
{
	if (group)
		sb_adds(sb, group);
	if (!is_lone || !group) {
		if (group)
			sb_addc(sb, ' ');
		if (count > 1 && !is_lone)
			sb_addf(sb, "%zu x ", count);
		sb_adds(sb, type);
	}
	sb_adds(sb, ": ");
}

/* The entries vdevs[from, to) of one group: heads and disks, as zfs_layout_describe writes them. */
static void describe_group(struct strbuf *sb, const struct zcfg_pool *pc, size_t from, size_t to)
{
	const struct zcfg_vdev *v0 = &pc->vdevs[from];
	bool same = true;
	for (size_t i = from; i < to; i++)
		same &= !strcmp(pc->vdevs[i].type, v0->type);
	const char *group = group_word(v0->group);
	if (same)
		add_head(sb, group, v0->type, to - from, lone(v0));
	else if (group)
		sb_addf(sb, "%s ", group);
	bool any = false;
	for (size_t i = from; i < to; i++) {
		const struct zcfg_vdev *v = &pc->vdevs[i];
		if (any)
			sb_adds(sb, same && lone(v) ? ", " : " | ");
		if (!same)
			sb_addf(sb, "%s: ", v->type);
		for (size_t k = 0; k < v->n; k++)
			sb_addf(sb, "%s%s", k ? ", " : "", pc->disks[v->first + k]);
		any = true;
	}
}

char *zfs_layout_describe(const struct zcfg_pool *pc, size_t from, size_t to)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = from; i < to;) {
		size_t j = i;
		while (j < to && pc->vdevs[j].group == pc->vdevs[i].group)
			j++;
		if (i > from)
			sb_adds(&sb, "; ");
		describe_group(&sb, pc, i, j);
		i = j;
	}
	return sb_detach(&sb);
}

void zfs_layout_argv(const struct zcfg_pool *pc, size_t from, size_t to, struct strvec *argv)
{
	for (size_t i = from; i < to; i++) {
		const struct zcfg_vdev *v = &pc->vdevs[i];
		const char *g = group_word(v->group);
		if (g && (i == from || pc->vdevs[i - 1].group != v->group))
			sv_push(argv, g);
		if (!lone(v))
			sv_push(argv, v->type);
		for (size_t k = 0; k < v->n; k++)
			sv_push(argv, pc->disks[v->first + k]);
	}
}

bool zfs_vdev_is(const struct vdev *v, const struct disk_id *id, const char *disk)
{
	return v->leaf && disk_matches(&v->id, v->was && v->name[0] != '/' ? v->was : v->name, id, disk);
}

/* The name a vdev is compared by: its last path when it is unavailable under a number. */
static const char *vdev_cmp_name(const struct vdev *v)
{
	return v->was && v->name[0] != '/' ? v->was : v->name;
}

/* Is leaf v one of the pool's spares (then it is in use where it also appears elsewhere)? */
static bool is_spare(const struct zpool *zp, const struct vdev *v)
{
	for (size_t i = 0; i < zp->n_aux; i++) {
		const struct vdev *s = &zp->aux[i];
		if (s->group == VG_SPARE && s->leaf && disk_matches(&s->id, vdev_cmp_name(s), &v->id, vdev_cmp_name(v)))
			return true;
	}
	return false;
}

/* The top-level vdevs of one vdev array of zp, each with its disks. */
static void add_have(struct topo_cmp *c, const struct zpool *zp, const struct vdev *v, size_t n)
{
	struct topo_have *cur = NULL;
	for (size_t i = 0; i < n; i++) {
		if (v[i].depth == 0) {
			c->have = xrealloc(c->have, (c->n_have + 1) * sizeof(*c->have));
			cur = &c->have[c->n_have++];
			*cur = (struct topo_have){ .group = v[i].group, .top = &v[i],
						   .type = v[i].leaf ? "stripe" : vdev_layout_of(v[i].name) };
			if (!v[i].leaf)
				continue;
		} else if (!cur || !v[i].leaf || (cur->group != VG_SPARE && is_spare(zp, &v[i]))) {
			continue;
		}
		cur->leaves = xrealloc(cur->leaves, (cur->n_leaves + 1) * sizeof(*cur->leaves));
		cur->leaves[cur->n_leaves++] = &v[i];
	}
}

static enum vdev_group vgroup(enum zcfg_group g)
{
	switch (g) {
	case ZG_LOG: return VG_LOG;
	case ZG_CACHE: return VG_CACHE;
	case ZG_SPECIAL: return VG_SPECIAL;
	case ZG_SPARE: return VG_SPARE;
	default: return VG_DATA;
	}
}

/* The vdev of the pool that has disk (looked for in group g first), or -1. */
static long have_with(const struct topo_cmp *c, const struct disk_id *id, const char *disk, enum vdev_group g)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t h = 0; h < c->n_have; h++) {
			if ((pass == 0) != (c->have[h].group == g))
				continue;
			for (size_t k = 0; k < c->have[h].n_leaves; k++)
				if (zfs_vdev_is(c->have[h].leaves[k], id, disk))
					return (long)h;
		}
	return -1;
}

/* Where the pool has the disks of w: SAME, MISSING or DIFFERENT; the vdevs found are marked wanted. */
static enum topo_state match_want(struct topo_cmp *c, const struct zcfg_pool *pc, const struct disk_id *const *ids,
				  const struct topo_want *w)
{
	const struct zcfg_vdev *v = &pc->vdevs[w->vdev];
	size_t found = 0;
	long unit = -1;
	bool one_unit = true;
	for (size_t k = w->first; k < w->first + w->n; k++) {
		long h = have_with(c, ids[k], pc->disks[k], vgroup(v->group));
		if (h < 0)
			continue;
		c->have[h].wanted = true;
		one_unit &= unit < 0 || unit == h;
		unit = h;
		found++;
	}
	if (!found)
		return TOPO_MISSING;
	const struct topo_have *h = &c->have[unit];
	return found == w->n && one_unit && h->group == vgroup(v->group) && !strcmp(h->type, v->type) &&
			       h->n_leaves == w->n
		       ? TOPO_SAME
		       : TOPO_DIFFERENT;
}

void zfs_topo_compare(const struct zcfg_pool *pc, const struct disk_id *const *ids, const struct zpool *zp,
		      struct topo_cmp *c)
{
	memset(c, 0, sizeof(*c));
	add_have(c, zp, zp->vdevs, zp->n_vdevs);
	add_have(c, zp, zp->aux, zp->n_aux);
	bool data_seen = false;
	for (size_t i = 0; i < pc->n_vdevs; i++) {
		const struct zcfg_vdev *v = &pc->vdevs[i];
		size_t units = lone(v) ? v->n : 1;
		for (size_t u = 0; u < units; u++) {
			c->want = xrealloc(c->want, (c->n_want + 1) * sizeof(*c->want));
			struct topo_want *w = &c->want[c->n_want++];
			*w = (struct topo_want){ .vdev = i, .first = lone(v) ? v->first + u : v->first,
						 .n = lone(v) ? 1 : v->n, .first_data = v->group == ZG_DATA && !data_seen };
			data_seen |= v->group == ZG_DATA;
			w->state = match_want(c, pc, ids, w);
		}
	}
}

/* The group pc->disks[k] is in. */
static enum zcfg_group group_of_disk(const struct zcfg_pool *pc, size_t k)
{
	for (size_t i = 0; i < pc->n_vdevs; i++)
		if (k >= pc->vdevs[i].first && k < pc->vdevs[i].first + pc->vdevs[i].n)
			return pc->vdevs[i].group;
	return ZG_DATA;
}

long zfs_topo_find(const struct topo_cmp *c, const struct zcfg_pool *pc, const struct disk_id *const *ids, size_t k)
{
	return have_with(c, ids[k], pc->disks[k], vgroup(group_of_disk(pc, k)));
}

void zfs_topo_free(struct topo_cmp *c)
{
	for (size_t i = 0; i < c->n_have; i++)
		free(c->have[i].leaves);
	free(c->have);
	free(c->want);
	memset(c, 0, sizeof(*c));
}

char *zfs_topo_want_describe(const struct zcfg_pool *pc, const struct topo_want *w)
{
	const struct zcfg_vdev *v = &pc->vdevs[w->vdev];
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	add_head(&sb, group_word(v->group), v->type, 1, lone(v));
	for (size_t k = 0; k < w->n; k++)
		sb_addf(&sb, "%s%s", k ? ", " : "", pc->disks[w->first + k]);
	return sb_detach(&sb);
}

char *zfs_topo_have_describe(const struct topo_have *h)
{
	static const char *const words[] = { NULL, "log", "cache", "spare", "special", "dedup" };
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	const char *g = (unsigned)h->group < sizeof(words) / sizeof(words[0]) ? words[h->group] : NULL;
	add_head(&sb, g, h->type, 1, !strcmp(h->type, "stripe"));
	for (size_t k = 0; k < h->n_leaves; k++)
		sb_addf(&sb, "%s%s", k ? ", " : "", h->leaves[k]->name);
	return sb_detach(&sb);
}
