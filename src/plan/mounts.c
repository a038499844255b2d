#include "plan/mounts.h"

#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/path.h"
#include "util/strbuf.h"

/* zfs_config_mountpoint's hook: the mountpoint the dataset has now, from the state. */
static const char *state_mountpoint(const void *arg, const char *full)
{
	const struct zfs_state *st = arg;
	const struct zfs_dataset *ds = st ? zfs_state_dataset(st, full) : NULL;
	const struct zprop *cur = ds ? zfs_dataset_prop(ds, "mountpoint") : NULL;
	return cur ? cur->value : NULL;
}

char *zfs_view_mountpoint(const struct zfs_view *v, const char *full)
{
	return zfs_config_mountpoint(v->cfg, full, state_mountpoint, v->st);
}

bool zfs_view_exists(const struct zfs_view *v, const char *full)
{
	return v->st && zfs_state_dataset(v->st, full);
}

bool zfs_view_is_pool(const struct zfs_view *v, const char *name)
{
	if (v->cfg && zfs_config_pool(v->cfg, name))
		return true;
	return v->st && zfs_state_pool(v->st, name);
}

const char *zfs_view_dataset_for_path(const struct zfs_view *v, const char *path, char **mountpoint,
				      bool *mounted_now)
{
	const char *best = NULL;
	char *best_mp = NULL;
	size_t best_len = 0;
	size_t nc = v->cfg ? v->cfg->n_datasets : 0;
	size_t ns = v->st ? v->st->n_datasets : 0;
	for (size_t i = 0; i < nc + ns; i++) {
		const char *name;
		if (i < nc) {
			if (v->cfg->datasets[i].is_volume)
				continue;
			name = v->cfg->datasets[i].full;
		} else {
			const struct zfs_dataset *ds = &v->st->datasets[i - nc];
			if (!zfs_dataset_is_managed(ds))
				continue;
			name = ds->name;
		}
		char *mp = zfs_view_mountpoint(v, name);
		size_t l = path_covers(mp, path);
		if (l > best_len) {
			best_len = l;
			best = name;
			free(best_mp);
			best_mp = mp;
		} else {
			free(mp);
		}
	}
	if (mounted_now)
		*mounted_now = false;
	const struct zfs_dataset *ds = best && v->st ? zfs_state_dataset(v->st, best) : NULL;
	if (ds && mounted_now) {
		const struct zprop *m = zfs_dataset_prop(ds, "mounted");
		const struct zprop *cm = zfs_dataset_prop(ds, "mountpoint");
		*mounted_now = m && !strcmp(m->value, "yes") && cm && !strcmp(cm->value, best_mp);
	}
	if (mountpoint)
		*mountpoint = best_mp;
	else
		free(best_mp);
	return best;
}

const char *zfs_view_mounted_at(const struct zfs_view *v, const char *path)
{
	char *rooted = root_path(v->root, path);
	const char *found = NULL;
	for (size_t i = 0; v->st && i < v->st->n_datasets && !found; i++) {
		const struct zfs_dataset *d = &v->st->datasets[i];
		const struct zprop *mp = zfs_dataset_prop(d, "mountpoint");
		const struct zprop *m = zfs_dataset_prop(d, "mounted");
		if (mp && m && !strcmp(m->value, "yes") && (!strcmp(mp->value, path) || !strcmp(mp->value, rooted)))
			found = d->name;
	}
	free(rooted);
	return found;
}

/* ---- the guard ----------------------------------------------------------------- */

bool mount_ok(const struct mount_verdict *m)
{
	return m->state == MOUNT_MOUNTED || m->state == MOUNT_MOVED || m->state == MOUNT_CREATED;
}

void mount_verdict_free(struct mount_verdict *m)
{
	free(m->mountpoint);
	free(m->outside_mp);
	free(m->named_mp);
	free(m->guess);
	memset(m, 0, sizeof(*m));
}

/* Offset of "/name" in path at component boundaries (not at 0), or -1. */
static long find_component_seq(const char *path, const char *name)
{
	size_t n = strlen(name);
	for (const char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/'))
		if (!strncmp(s + 1, name, n) && (s[1 + n] == '/' || !s[1 + n]))
			return s - path;
	return -1;
}

/* The dataset that should hold path: its path below the deepest dataset (or pool) whose mountpoint covers it. */
static char *guess_dataset(const struct zfs_view *v, const char *path)
{
	const char *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; v->st && i < v->st->n_datasets; i++) {
		const struct zprop *m = zfs_dataset_prop(&v->st->datasets[i], "mountpoint");
		size_t l = m ? path_covers(m->value, path) : 0;
		if (l > best_len) {
			best_len = l;
			best = v->st->datasets[i].name;
		}
	}
	for (size_t i = 0; v->cfg && i < v->cfg->n_pools; i++) {
		const struct zcfg_pool *pc = &v->cfg->pools[i];
		char *mp = pc->mountpoint ? xstrdup(pc->mountpoint) : xasprintf("/%s", pc->name);
		size_t l = path_covers(mp, path);
		free(mp);
		if (l > best_len) {
			best_len = l;
			best = pc->name;
		}
	}
	if (!best)
		return xstrdup(path + 1);
	const char *rest = path + (best_len == 1 ? 0 : best_len);
	return xasprintf("%s%s", best, rest);
}

/* No managed dataset holds path: what it is near, for the message. */
static void explain_no_dataset(const struct zfs_view *v, const char *path, bool rooted, struct mount_verdict *m)
{
	if (rooted && v->root && *v->root && strcmp(v->root, "/"))
		m->outside = zfs_view_dataset_for_path(v, path, &m->outside_mp, NULL);
	for (size_t i = 0; v->cfg && i < v->cfg->n_datasets && !m->named; i++) {
		const struct zcfg_dataset *d = &v->cfg->datasets[i];
		long k = d->is_volume ? -1 : find_component_seq(path, d->full);
		if (k < 0)
			continue;
		m->named = d->full;
		m->named_at = k;
		m->named_mp = zfs_view_mountpoint(v, d->full);
	}
	const char *first = path + 1;
	size_t fl = strcspn(first, "/");
	char *pool = xstrndup(first, fl);
	m->below_pool = first[fl] == '/' && zfs_view_is_pool(v, pool);
	free(pool);
	m->guess = guess_dataset(v, path);
}

void mount_guard(const struct zfs_view *v, const char *path, bool rooted, struct mount_verdict *m)
{
	memset(m, 0, sizeof(*m));
	char *real = rooted ? root_path(v->root, path) : xstrdup(path);
	bool mounted_now = false;
	m->dataset = zfs_view_dataset_for_path(v, real, &m->mountpoint, &mounted_now);
	free(real);
	if (!m->dataset) {
		m->state = MOUNT_NO_DATASET;
		explain_no_dataset(v, path, rooted, m);
		return;
	}
	const struct zfs_dataset *cur = v->st ? zfs_state_dataset(v->st, m->dataset) : NULL;
	const struct zprop *mnt = cur ? zfs_dataset_prop(cur, "mounted") : NULL;
	if (!cur)
		m->state = MOUNT_CREATED;
	else if (mounted_now)
		m->state = MOUNT_MOUNTED;
	else if (mnt && !strcmp(mnt->value, "yes"))
		m->state = MOUNT_MOVED;
	else
		m->state = MOUNT_NOT_MOUNTED;
	if (v->zfs_left_out && (m->state == MOUNT_CREATED || m->state == MOUNT_MOVED))
		m->state = MOUNT_NOT_YET;
}
