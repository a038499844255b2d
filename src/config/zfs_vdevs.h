/*
 * zfs_vdevs: the layout of a pool in the config: raid_level + disks (one
 * vdev), or vdevs, log, cache, special (vdev lists) and spares (disks).
 */
#ifndef PH_ZFS_VDEVS_H
#define PH_ZFS_VDEVS_H
#include <jansson.h>

#include "config/config.h"
#include "config/zfs_config.h"
#include "util/diag.h"

/*
 * Reads the layout of pool object pj (at pl->jpath) into pl: layout, disks,
 * disk_jpaths, vdevs. Every problem goes to dl: raid_level and vdevs both
 * given, an unknown or misplaced vdev type, too few or too many disks for a
 * type, data vdevs of mixed types, a disk that is not an absolute path or is
 * named twice (in any group of any pool of cfg parsed so far, pl included).
 * What could be read is kept (owned by pl, freed by zfs_config_free).
 */
void zfs_parse_layout(const struct config_src *src, json_t *pj, struct zfs_config *cfg, struct zcfg_pool *pl,
		      struct diag_list *dl);

/* Frees what zfs_parse_layout added to pl (accepts a zeroed pl). */
void zfs_layout_free(struct zcfg_pool *pl);

#endif
