/*
 * pve_state: what Proxmox has now, read from its files (under --root):
 * /etc/pve/storage.cfg, the guest configs of this node (/etc/pve/lxc,
 * /etc/pve/qemu-server) and of the other cluster nodes (/etc/pve/nodes/<n>/...,
 * used only to find volumes still referenced), which guests run, the
 * replication jobs (/etc/pve/replication.cfg), and which storages, mount
 * lines and jobs this tool created (its marker file).
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

#include "formats/guest_conf.h"
#include "formats/storage_cfg.h"
#include "util/diag.h"
#include "util/strbuf.h"

#define PVE_STORAGE_CFG "/etc/pve/storage.cfg"
#define PVE_OWNED_FILE "/var/lib/phoenix-storage/pve-owned.json"
/* Proxmox's replication jobs (pvesr), section config like storage.cfg; cfs lock id file-replication_cfg */
#define PVE_REPLICATION_CFG "/etc/pve/replication.cfg"

enum pve_mode { PVE_MODE_FILES, PVE_MODE_CLI };

/*
 * A container mount point line this tool wrote: identified by what it mounts,
 * never by its mpN (an operator may renumber): container, source (the host
 * path of a bind mount, as written) and target (the mp= path inside).
 */
struct pve_mount_rec {
	unsigned ct;
	char *source;
	char *target;
};

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
	struct strvec owned;        /* storage ids this tool created (intents resolved) */
	struct strvec owned_notes;  /* one line per intent an interrupted apply left; empty normally */
	struct pve_mount_rec *mounts; /* container mount point lines this tool wrote (intents resolved) */
	size_t n_mounts;
	struct pve_guest *guests;
	size_t n_guests;
	bool have_repl_cfg;         /* replication.cfg exists */
	struct storage_cfg rcfg;    /* replication.cfg; empty when the file does not exist */
	struct strvec owned_jobs;   /* replication job ids this tool created ("100-0"; intents resolved) */
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
/* True when this node's tool created replication job id ("100-0"). */
bool pve_state_owns_job(const struct pve_state *st, const char *id);

/*
 * The ownership file, PVE_OWNED_FILE: the Proxmox storages this tool created
 * (Proxmox drops comments from storage.cfg, so the record lives beside it).
 *
 * Protocol, so that a kill at any instant never turns a storage the tool
 * created into a foreign one, nor a foreign one into the tool's:
 *   1. intent: BEFORE storage.cfg changes (file edit or pvesm), the file gets
 *      "pending": [{"op": "add", "id": ID, "type": TYPE, "key": K, "value": V}]
 *      (K/V: the storage's fixed property, pool/path/export), or
 *      {"op": "remove", "id": ID};
 *   2. the change of storage.cfg itself;
 *   3. record: ID joins (add) or leaves (remove) "storages" and its intent goes,
 *      in one atomic write. A failed change drops its intent the same way.
 * Whoever finds an intent (the writer was killed between 1 and 3) resolves
 * it against storage.cfg: an add is complete when section ID exists with TYPE
 * and K = V (owned), else it never happened (dropped); a remove is complete
 * when ID is gone (forgotten), else it never happened (still owned). plan
 * shows that as one action and apply writes the resolved file, so an intent
 * never outlives the next apply (a stale add could otherwise claim a storage
 * an operator creates later).
 */
struct pve_intent {
	char *op;     /* "add" or "remove"; "add-mount" or "remove-mount" */
	char *id;     /* storages: the id; NULL for mounts */
	char *type;   /* add: the section type */
	char *key;    /* add: a fixed property and its value, NULL when none */
	char *value;
	struct pve_mount_rec mount;   /* add-mount, remove-mount */
};

/*
 * Mount point lines ("mounts": [{"ct": 101, "source": "/h", "target": "/c"}])
 * follow the same protocol, checked against the container's config instead
 * of storage.cfg: BEFORE the mpN line is written (file edit or pct set) the
 * intent {"op": "add-mount", "ct", "source", "target"} (or "remove-mount"
 * before the line goes), then the line, then the record in one write. An
 * add-mount is complete when the container's config has a line with that
 * source and target (main section, or [pve:pending] where pct put it), else
 * it never happened; a remove-mount is complete when no such line is left.
 * A record whose container config exists but no longer has its line (an
 * operator removed it) is forgotten, so a line someone writes later by hand
 * is never taken for the tool's.
 */
/*
 * Replication jobs ("jobs": ["100-0"]) follow the same protocol against
 * replication.cfg: the intent {"op": "add-job", "id": "100-0", "type":
 * "local", "key": "target", "value": "pve2"} before the section is written;
 * an add-job is complete when section id is a local job to that target.
 * Removing a job marks it (remove_job full, as pvesr delete does) and leaves
 * the record; a record whose section is gone (pvesr finished the removal, or
 * an operator deleted it) is forgotten, so a job someone adds later under
 * that id is never taken for the tool's. The file lives on each node
 * (/var/lib), so ownership is per node while replication.cfg is the cluster's.
 */
struct pve_owned {
	struct strvec storages;
	struct strvec jobs;
	struct pve_intent *pending;
	size_t n_pending;
	struct pve_mount_rec *mounts;
	size_t n_mounts;
};

/* Parses the ownership file (pure; unit-tested). Returns 0, or -1 (o then empty). */
int pve_owned_parse(const char *text, struct pve_owned *o);
/* The file text: storages sorted, "pending" only when there is one. Caller frees. */
char *pve_owned_format(const struct pve_owned *o);
/* Adds an intent (strings copied; key/value may be NULL). */
void pve_owned_add_intent(struct pve_owned *o, const char *op, const char *id, const char *type,
			  const char *key, const char *value);
/* Drops every intent for id. */
void pve_owned_drop_intents(struct pve_owned *o, const char *id);
/*
 * Resolves every intent against c (see above), leaving none. When notes is
 * not NULL it gets one line per intent saying what was found. Pure.
 */
void pve_owned_resolve(struct pve_owned *o, const struct storage_cfg *c, struct strvec *notes);
void pve_owned_free(struct pve_owned *o);
/* Resolves the add-job intents against rc and forgets records whose section is gone (above). Pure. */
void pve_owned_resolve_jobs(struct pve_owned *o, const struct storage_cfg *rc, struct strvec *notes);

/* The config of container ct as it is now, or NULL when it does not exist (arg: the caller's). */
typedef const struct guest_conf *(*pve_ct_conf_fn)(void *arg, unsigned ct);
/* Adds a mount intent ("add-mount" / "remove-mount"; strings copied). */
void pve_owned_add_mount_intent(struct pve_owned *o, const char *op, const struct pve_mount_rec *m);
/* Drops every mount intent for m (same container, source and target). */
void pve_owned_drop_mount_intents(struct pve_owned *o, const struct pve_mount_rec *m);
/* Adds the record m (no duplicate) / removes it. Strings copied. */
void pve_owned_add_mount(struct pve_owned *o, const struct pve_mount_rec *m);
void pve_owned_remove_mount(struct pve_owned *o, const struct pve_mount_rec *m);
/*
 * Resolves every mount intent against the container configs conf(arg, ct)
 * returns, leaving none, then forgets the records whose container config
 * exists without their line (see above). notes as for pve_owned_resolve. Pure.
 */
void pve_owned_resolve_mounts(struct pve_owned *o, pve_ct_conf_fn conf, void *arg, struct strvec *notes);
/* True when m's line is in g (main section, or [pve:pending]). */
bool pve_mount_present(const struct guest_conf *g, const struct pve_mount_rec *m);
/* The record of st for container ct whose source and target are these, or NULL. */
const struct pve_mount_rec *pve_state_mount(const struct pve_state *st, unsigned ct, const char *source,
					    const char *target);
void pve_mount_rec_free(struct pve_mount_rec *m);

/* Guest config path of a container / VM on this node ("/etc/pve/lxc/101.conf"). Caller frees. */
char *pve_guest_path(unsigned id, bool is_ct);

#endif
