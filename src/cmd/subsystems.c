/* The subsystem table: each entry plugs its config, discovery, plan and status in. */
#include "cmd/ctx.h"

extern const struct subsystem zfs_subsystem;
extern const struct subsystem nfs_subsystem;
extern const struct subsystem pve_subsystem;
extern const struct subsystem dirs_subsystem;
extern const struct subsystem samba_subsystem;
/* Later subsystems declare theirs here and add them below, in plan order. */

const struct subsystem *const subsystems[] = {
	&zfs_subsystem,
	&dirs_subsystem,
	&nfs_subsystem,
	&samba_subsystem,
	&pve_subsystem,
};
const size_t n_subsystems = sizeof(subsystems) / sizeof(subsystems[0]);
