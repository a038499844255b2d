/*
 * pve_apply: the file edits behind PVE actions. Each edit re-reads its file
 * at apply time, changes only what it names, and writes the file back
 * atomically (write_file_atomic, mode kept), so several actions on one file
 * compose and nothing else in the file moves.
 *
 * Ownership: a struct pve_edit is owned by its action (action.data, freed by
 * pve_edit_free through action.free_data).
 */
#ifndef PH_PVE_APPLY_H
#define PH_PVE_APPLY_H
#include <stdbool.h>

#include "apply/apply.h"
#include "plan/plan.h"
#include "util/strbuf.h"

enum pve_edit_kind {
	PVE_EDIT_NONE,          /* only the ownership change below */
	PVE_EDIT_STORAGE_ADD,   /* storage.cfg: add section type/id with keys/values */
	PVE_EDIT_STORAGE_SET,   /* storage.cfg: set keys of id (value "" removes the key) */
	PVE_EDIT_STORAGE_REMOVE,/* storage.cfg: remove section id */
	PVE_EDIT_GUEST_SET,     /* guest config file: set keys in the main section */
};

struct pve_edit {
	enum pve_edit_kind kind;
	char *file;             /* host path without --root */
	char *type;
	char *id;
	struct strvec keys;
	struct strvec values;
	int own;                /* +1: record id as created by the tool, -1: forget it, 0: no change */
	char *fp_key;           /* own +1: the fixed property that identifies the new section (pool/path/export) */
	char *fp_value;
	bool resolve;           /* write the ownership file with the intents an interrupted apply left resolved */
};

/* A new edit (strings copied; NULL allowed). */
struct pve_edit *pve_edit_new(enum pve_edit_kind kind, const char *file, const char *type, const char *id);
void pve_edit_free(void *e);

/*
 * Attaches e to a: a->fn runs it at apply time, a->data owns it. When e
 * changes ownership, a->before writes the intent first (the protocol is in
 * pve/pve_state.h), so the record is never behind storage.cfg.
 */
void pve_action_set_edit(struct action *a, struct pve_edit *e);

/* The action callbacks (exported for tests): the intent, and the edit with its record. */
int pve_apply_intent(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);
int pve_apply_edit(const struct action *a, struct apply_ctx *ax, struct diag_list *dl);

#endif
