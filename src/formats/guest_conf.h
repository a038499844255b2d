/*
 * guest_conf: /etc/pve/lxc/<CTID>.conf and /etc/pve/qemu-server/<VMID>.conf,
 * read and edited without losing a byte.
 *
 * Both files use Proxmox's guest config format: `KEY: VALUE` lines (keys
 * `[a-z][a-z_]*\d*`), `#` lines holding the description, raw LXC lines
 * (`lxc.KEY: VALUE` or `lxc.KEY = VALUE`) and sections opened by `[NAME]`
 * (snapshots, `[pve:pending]`, `[special:cloudinit]`). Only the main section
 * (before the first `[...]` line) describes the guest as it is now; edits
 * touch only that section. Every line is kept as written; a new key goes where
 * Proxmox itself would write it (keys sorted by name).
 *
 * Also here: Proxmox property strings (`VOLUME,mp=/x,backup=1,size=8G`) and
 * disk sizes (`8G`, `1536M`).
 *
 * Ownership: struct guest_conf and struct pve_propstr own their strings; free
 * them with guest_conf_free / pve_propstr_free (both accept zeroed structs).
 */
#ifndef PH_GUEST_CONF_H
#define PH_GUEST_CONF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gc_kind { GC_BLANK, GC_COMMENT, GC_SECTION, GC_KEY, GC_LXC, GC_OTHER };

struct gc_line {
	char *text;     /* raw, with its '\n' (the last line may lack it) */
	enum gc_kind kind;
	int section;    /* 0 = main, 1.. = the sections in file order */
	char *key;      /* GC_KEY and GC_LXC; section name for GC_SECTION */
	char *value;    /* GC_KEY and GC_LXC: trimmed value */
};

struct guest_conf {
	struct gc_line *v;
	size_t n;
};

/* Parses text; never fails (lines Proxmox ignores are kept as GC_OTHER). */
void guest_conf_parse(struct guest_conf *g, const char *text, size_t len);
/* The file as text (caller frees); the parsed bytes when nothing was edited. */
char *guest_conf_serialize(const struct guest_conf *g);
void guest_conf_free(struct guest_conf *g);

/* Value of key in the main section, or NULL. */
const char *gc_get(const struct guest_conf *g, const char *key);
/*
 * Sets key in the main section: replaces its line, or inserts `KEY: VALUE`
 * before the first main-section key that sorts after it (after the last one
 * when none does), as Proxmox orders keys. Returns 0, or -EINVAL (nothing
 * changed) when key is not a Proxmox key, or value is empty or holds a
 * newline or another control character: a value that slipped past validation never makes a
 * second line.
 */
int gc_set(struct guest_conf *g, const char *key, const char *value);
/* Removes key from the main section (no-op when absent). */
void gc_unset(struct guest_conf *g, const char *key);

/* A property string: the default key's value first, then KEY=VALUE options. */
struct pve_opt {
	char *key;
	char *value;
};
struct pve_propstr {
	char *volume;        /* the leading value without a key, or volume=/file= */
	struct pve_opt *opts;
	size_t n_opts;
};

/*
 * Parses "VOL,k=v,..." (default_key "volume" for containers, "file" for VMs:
 * "volume=VOL" / "file=VOL" also sets the volume). Returns 0, or -1 on an
 * item without '=' after the first.
 */
int pve_propstr_parse(const char *s, const char *default_key, struct pve_propstr *p);
void pve_propstr_free(struct pve_propstr *p);
const char *pve_propstr_get(const struct pve_propstr *p, const char *key);
/* Sets (value != NULL) or removes (value == NULL) an option. */
void pve_propstr_set(struct pve_propstr *p, const char *key, const char *value);
/*
 * Formats the way Proxmox prints a mount point: volume first, then `mp=`
 * (when present), then the other options sorted by name. Caller frees.
 */
char *pve_propstr_format(const struct pve_propstr *p);

/* Proxmox boolean (1/0, yes/no, on/off, true/false): 1, 0, or -1 when not a boolean. */
int pve_bool(const char *s);

/*
 * Disk sizes as Proxmox writes them: a number with an optional K, M, G or T
 * suffix (binary units), decimals allowed ("1.5G"). Returns 0 and the size in
 * bytes, or -1.
 */
int pve_size_parse(const char *s, uint64_t *bytes);
/* The shortest exact form: "32G", "1536M", "512K", or plain bytes. Caller frees. */
char *pve_size_format(uint64_t bytes);

/*
 * Mount point slots of a container (mp0..mp255): returns the lowest N that has
 * no `mpN` key in the main or the `[pve:pending]` section and is not among
 * used[] (n_used slots already promised to other new mounts), or -1 when all
 * 256 are taken.
 */
int gc_first_free_mp(const struct guest_conf *g, const int *used, size_t n_used);

/*
 * The mount point line `mpN: SOURCE,mp=TARGET,...` of the main section,
 * whatever its N (an operator may renumber): the index of the first line
 * whose volume is source (compared as a path, `//` and a trailing `/`
 * ignored, when source starts with '/'; exactly otherwise) and whose mp= is
 * target (as a path). pending_too: a line of `[pve:pending]` counts when the
 * main section has none. Returns the index into g->v, or -1.
 */
long gc_find_mount(const struct guest_conf *g, const char *source, const char *target, bool pending_too);
/* The main-section mount point line whose mp= is target (as a path), whatever its mpN: its index, or -1. */
long gc_find_mount_at(const struct guest_conf *g, const char *target);
/* True when key names a container mount point line: "mp" and a digit (mp0 .. mp255). */
bool gc_is_mount_key(const char *key);
/* Removes line i (any kind; i past the end: no-op); every other line stays as it was. */
void gc_remove_line(struct guest_conf *g, size_t i);

#endif
