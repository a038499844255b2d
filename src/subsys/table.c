/* The subsystem table: one line per front door, in plan order. */
#include "subsys/table.h"

static const struct subsystem *const doors[] = {
	&zfs_subsystem,
	&dirs_subsystem,
	&nfs_subsystem,
	&samba_subsystem,
	&pve_subsystem,
	&snap_subsystem,
	&health_subsystem,
};

const struct subsystem_table subsystems = { doors, sizeof(doors) / sizeof(doors[0]) };
