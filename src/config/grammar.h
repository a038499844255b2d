/*
 * grammar: what a config value may hold before it reaches a line-oriented
 * file (storage.cfg, guest configs, exports, ganesha and smb.conf) or an argv
 * (zfs, zpool, pct, pvesm), and which values are dangerous. One small pure
 * function per target grammar; every config loader uses them, and the
 * renderers of foreign files re-check str_line_ok() (util/str.h) on what they write, so a
 * value that slipped past validation makes an error, never a second line.
 *
 * Where every config value goes and which rule checks it: README, "Values
 * that reach files and programs". Checks here are pure (no I/O); the cfg_*
 * reporters at the end turn a refusal into a positioned diagnostic.
 */
#ifndef PH_GRAMMAR_H
#define PH_GRAMMAR_H
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "util/diag.h"
#include "util/str.h"

enum gram_target {
	GRAM_TEXT,          /* any value: one line of printable text (no C0 control character, no DEL) */
	GRAM_PVE_PROP,      /* a value inside a Proxmox property string ("mpN: VOLUME,mp=PATH"): also no ',' or '=' */
	GRAM_FSTAB_FIELD,   /* one field of an fstab line: also no white space */
	GRAM_HOST,          /* an NFS server: an IPv4/IPv6 address or a DNS host name */
	GRAM_MOUNT_OPTIONS, /* "vers=4.2,soft": comma-separated, no white space, no empty option */
	GRAM_ZFS_USER_PROP, /* a ZFS user property name: module:property of [a-z0-9:._-], not '-' first, <= 255 */
	GRAM_ZFS_VALUE,     /* a ZFS property value: GRAM_TEXT, at most 8191 bytes (ZFS_MAXPROPLEN) */
	GRAM_ZFS_POOL,      /* a pool name (ZFS rules: a letter first, so never an option) */
	GRAM_ZFS_DATASET,   /* a dataset name relative to its pool (ZFS rules) */
	GRAM_MOUNTPOINT,    /* a ZFS mountpoint: none, legacy, or an absolute path that is safe (gram_system_dir) */
};

/*
 * Checks s against target t. Returns NULL when s fits; otherwise why it does
 * not, as a static phrase that follows the value in a message ("contains a
 * newline", "starts with '-'"), and *hint (when hint is not NULL) the fix, a
 * static string or NULL.
 */
const char *gram_check(enum gram_target t, const char *s, const char **hint);

/*
 * The system directory a mountpoint is at or under ("/" only for "/" itself;
 * "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
 * "/boot", "/dev", "/proc", "/sys", "/run", "/var/run", "/var/lib/dpkg"), or
 * NULL. path must be absolute and normalised.
 */
const char *gram_system_dir(const char *path);

/* True when mode lets every user write a directory without the sticky bit (o+w, no 01000). */
bool gram_mode_world_writable(unsigned mode);

/*
 * Reports value (found at jpath of src) when it does not fit t: an error
 * "WHAT 'VALUE' WHY" (just "'VALUE' WHY" when what is NULL, and always so for
 * a control character, so two readers of one value give one message), the
 * value escaped. Returns true when value fits. A NULL value fits.
 */
bool cfg_check_value(const struct config_src *src, struct diag_list *dl, const char *jpath,
		     enum gram_target t, const char *what, const char *value);

/* The warning for a world-writable mode without the sticky bit on path (jpath names the mode). */
void cfg_lint_mode(const struct config_src *src, struct diag_list *dl, const char *jpath,
		   unsigned mode, const char *path);

#endif
