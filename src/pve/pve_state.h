/*
 * pve_state: what Proxmox has now, read from its files (under --root):
 * /etc/pve/storage.cfg, the guest configs of this node (/etc/pve/lxc,
 * /etc/pve/qemu-server) and of the other cluster nodes (/etc/pve/nodes/<n>/...,
 * used only to find volumes still referenced), which guests run, and which
 * storages this tool created (its marker file).
 *
 * How the tool talks to Proxmox (enum pve_mode) is decided here too:
 * PHOENIX_PVE_MODE=cli|files forces it; otherwise `cli` when pvesm, pct and qm
 * are found (exec_resolve: PHOENIX_PVESM/PCT/QM or /usr/sbin:/usr/bin:/sbin:/bin),
 * /etc/pve is mounted and --root is not given; `files` else.
 *
 * Ownership: struct pve_state owns everything; pve_state_free releases it
 * (accepts a zeroed struct).
 */
#ifndef PH_PVE_STATE_H
#define PH_PVE_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pve/guest_conf.h"
#include "pve/storage_cfg.h"
#include "util/diag.h"
#include "util/strbuf.h"

#define PVE_STORAGE_CFG "/etc/pve/storage.cfg"
#define PVE_OWNED_FILE "/var/lib/phoenix-storage/pve-owned.json"

enum pve_mode { PVE_MODE_FILES, PVE_MODE_CLI };

struct pve_guest {
	unsigned id;
	bool is_ct;
	bool local;          /* a guest of this node (its config may be edited) */
	char *path;          /* host path, without --root: /etc/pve/lxc/101.conf */
	struct guest_conf conf;
	bool running;
};

struct pve_state {
	enum pve_mode mode;
	char *mode_why;             /* "PHOENIX_PVE_MODE=cli", "--root given", ... */
	bool have_storage_cfg;      /* the file exists */
	struct storage_cfg scfg;    /* empty when the file does not exist */
	struct strvec owned;        /* storage ids this tool created */
	struct pve_guest *guests;
	size_t n_guests;
};

/*
 * Reads everything above. root: --root ("" for the real host). Returns 0, or
 * -1 with an error in dl when a file exists but cannot be read or
 * PHOENIX_PVE_MODE is invalid.
 */
int pve_state_discover(struct pve_state *st, const char *root, struct diag_list *dl);
void pve_state_free(struct pve_state *st);

/* The local guest config for a container (is_ct) or a VM, or NULL. */
const struct pve_guest *pve_state_guest(const struct pve_state *st, unsigned id, bool is_ct);
bool pve_state_owns(const struct pve_state *st, const char *id);

/* Parses the marker file text into ids (pure; unit-tested). Returns 0 or -1. */
int pve_owned_parse(const char *text, struct strvec *ids);
/* The marker file text for ids (sorted, one JSON document). Caller frees. */
char *pve_owned_format(const struct strvec *ids);

/* Guest config path of a container / VM on this node ("/etc/pve/lxc/101.conf"). Caller frees. */
char *pve_guest_path(unsigned id, bool is_ct);

#endif
