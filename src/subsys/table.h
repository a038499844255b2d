/* table: the front doors of every subsystem, in plan order (one line each in table.c). */
#ifndef PH_TABLE_H
#define PH_TABLE_H
#include "engine/subsystem.h"

extern const struct subsystem zfs_subsystem;
extern const struct subsystem dirs_subsystem;
extern const struct subsystem nfs_subsystem;
extern const struct subsystem samba_subsystem;
extern const struct subsystem pve_subsystem;
extern const struct subsystem snap_subsystem;
extern const struct subsystem health_subsystem;

/* Every front door, zfs first: the others ask the ZFS view it publishes when it loads. */
extern const struct subsystem_table subsystems;

#endif
