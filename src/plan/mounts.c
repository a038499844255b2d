#include "plan/mounts.h"

#include <stdlib.h>
#include <string.h>

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
