/*
 * pve_plan: the Proxmox part of the plan. Pure: desired (pve_config) +
 * current (pve_state, the ZFS view) -> actions in PHASE_PVE_STORAGE (storage.cfg
 * entries) and PHASE_GUEST (container mount points, rootfs and VM disk sizes),
 * plus errors, warnings and notes in p->diags.
 *
 * In cli mode an action carries the exact pvesm/pct/qm argv; in files mode it
 * carries the zfs commands a volume needs and a file edit (pve_apply.h). Both
 * record storage ownership in the marker file.
 */
#ifndef PH_PVE_PLAN_H
#define PH_PVE_PLAN_H

#include <stdbool.h>

#include "config/pve_config.h"
#include "plan/mounts.h"
#include "plan/plan.h"
#include "state/pve_state.h"
#include "util/strbuf.h"

/*
 * Adds the Proxmox actions for pc against st to p, and errors, warnings and
 * notes to p->diags. v answers the ZFS questions (where a dir storage's
 * dataset is mounted, which datasets exist, what this ZFS supports);
 * allow_destroy: --allow-destroy (a storage or a container mount point line
 * the tool added that the config dropped is removed; without it the mount
 * line's removal is planned as destructive and is an error).
 * Pure.
 */
void pve_plan_build(const struct zfs_view *v, const struct pve_config *pc, const struct pve_state *st,
		    bool allow_destroy, struct plan *p);

/*
 * The file edits behind PVE actions in files mode, run at apply time by
 * apply/pve_apply.c. Ownership: a struct pve_edit is owned by its action.
 */
enum pve_edit_kind {
	PVE_EDIT_NONE,          /* only the ownership change below */
	PVE_EDIT_STORAGE_ADD,   /* storage.cfg: add section type/id with keys/values */
	PVE_EDIT_STORAGE_SET,   /* storage.cfg: set keys of id (value "" removes the key) */
	PVE_EDIT_STORAGE_REMOVE,/* storage.cfg: remove section id */
	PVE_EDIT_GUEST_SET,     /* guest config file: set keys in the main section */
	PVE_EDIT_GUEST_REMOVE_MOUNT, /* container config: remove the main-section line of mount_del,
					found by its source and target at apply time (whatever its mpN) */
	PVE_EDIT_REPL_ADD,      /* replication.cfg: add section type/id with keys/values */
	PVE_EDIT_REPL_SET,      /* replication.cfg: set keys of id (value "" removes the key) */
};

struct pve_edit {
	enum pve_edit_kind kind;
	char *file;             /* host path without --root */
	char *type;
	char *id;
	struct strvec keys;
	struct strvec values;
	int own;                /* +1: record id as created by the tool, -1: forget it, 0: no change */
	bool job;               /* id is a replication job ("jobs" of the record, intent "add-job") */
	char *fp_key;           /* own +1: the fixed property that identifies the new section (pool/path/export) */
	char *fp_value;
	bool resolve;           /* write the ownership file with the intents an interrupted apply left resolved */
	struct pve_mount_rec mount_add; /* source != NULL: record this mount line as written by the tool */
	struct pve_mount_rec mount_del; /* source != NULL: forget this record (the line goes or changes) */
};

/* True when e changes the ownership file (a storage or a mount line): its intent goes first. */
bool pve_edit_owns(const struct pve_edit *e);

/* A new edit (strings copied; NULL allowed). */
struct pve_edit *pve_edit_new(enum pve_edit_kind kind, const char *file, const char *type, const char *id);
void pve_edit_free(void *e);

/*
 * Attaches e to a: the AX_PVE_EDIT executor runs it at apply time, a->data
 * owns it. When e changes ownership, the AX_PVE_INTENT executor writes the
 * intent first (the protocol is in state/pve_state.h), so the record is never
 * behind storage.cfg.
 */
void pve_action_set_edit(struct action *a, struct pve_edit *e);

/* True when a VM disk line's value is a disk (not a CD-ROM, cloud-init drive or "none"). */
bool pve_vm_disk_value(const char *v);

/*
 * The pvesr part of the plan (plan/pvesr_plan.c): a job in replication.cfg
 * for each guest of pc with "replication", corrected when the tool owns it
 * and it differs, a foreign one left alone; an owned job the config dropped
 * is marked for removal (remove_job full, what `pvesr delete` writes) only
 * with allow_destroy. node: this node (ctx node). Refusals (a target that is
 * this node, a bind mount, a volume pvesr cannot replicate) are plan errors.
 * Pure.
 */
void pvesr_plan_build(const struct pve_config *pc, const struct pve_state *st, const char *node,
		      bool allow_destroy, struct plan *p);

#endif
