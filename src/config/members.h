/*
 * members: the one table of the members each kind of config object has, and
 * the one check every reader calls on each object it reads. A member is
 * "used" (the tool reads it), "known" (the Phoenix Hypervisor configs carry
 * it for their own scripts; this tool leaves it alone) or unknown: a warning
 * with the nearest known name ("did you mean 'properties'?"). A used member
 * given twice in the object is an error naming both positions; every other
 * member given twice is left to config_report_duplicates (a warning).
 */
#ifndef PH_MEMBERS_H
#define PH_MEMBERS_H
#include "config/config.h"

enum cfg_kind {
	CFG_MAIN,              /* the top level of phoenix_hypervisor_config.json */
	CFG_CORE_PATHS,
	CFG_NETWORK,
	CFG_ZFS,
	CFG_ZFS_POOL,
	CFG_ZFS_DATASET,
	CFG_ZFS_SETTINGS,
	CFG_NFS,
	CFG_NFS_EXPORT,
	CFG_NFS_PROXMOX,
	CFG_SAMBA,
	CFG_SAMBA_SHARE,
	CFG_PERSISTENT,
	CFG_PERSISTENT_DIR,
	CFG_SHARED_VOLUME,
	CFG_LXC_FILE,          /* the top level of phoenix_lxc_configs.json */
	CFG_CONTAINER,
	CFG_BIND_MOUNT,
	CFG_CT_VOLUME,
	CFG_ID_MAP,
	CFG_VM_FILE,           /* the top level of phoenix_vm_configs.json */
	CFG_VM_DEFAULTS,
	CFG_VM,
	CFG_VM_VOLUME,
	CFG_KIND_COUNT
};

/*
 * Checks the members of obj (read at jpath, "" for the top level) against
 * kind: a warning per unknown member, an error per used member given twice.
 * Does nothing when obj is not an object (the reader reports its type).
 * Returns the number of errors added.
 */
int cfg_check_members(const struct config_src *src, json_t *obj, const char *jpath, enum cfg_kind kind,
		      struct diag_list *dl);

/*
 * For the objects that are maps (properties, proxmox_storage_ids,
 * lxc_configs, ...): an error for key given twice in the object at jpath
 * (key NULL: every key given twice there). Returns the number of errors.
 */
int cfg_check_dup(const struct config_src *src, const char *jpath, const char *key, struct diag_list *dl);

/*
 * The objects no subsystem reader owns: the top level of each file, core_paths,
 * network and vm_defaults; then every member given twice that no reader
 * claimed (config_report_duplicates). Call once, after every reader ran.
 */
void config_check_sources(const struct config_sources *cs, struct diag_list *dl);

/*
 * The strict check of the newer objects (cluster, replication, a guest's
 * replication): an error at jpath.KEY for each member of obj not in known
 * (NULL-terminated), the hint listing them; what names the object ("a
 * replication").
 */
void cfg_reject_unknown(const struct config_src *src, json_t *obj, const char *jpath, const char *const *known,
			const char *what, struct diag_list *dl);

/* True when kind reads member key (for readers that need to tell). */
bool cfg_member_used(enum cfg_kind kind, const char *key);

#endif
