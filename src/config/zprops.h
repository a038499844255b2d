/*
 * zprops: ZFS property knowledge used by validation and diffing: size parsing
 * as libzfs does it (so "1.4T" compares equal to the byte count ZFS stores),
 * value checking and normalisation. Pure functions, no I/O.
 */
#ifndef PH_ZPROPS_H
#define PH_ZPROPS_H
#include <stdbool.h>
#include <stdint.h>

enum zprop_kind {
	ZP_SIZE,       /* bytes with optional suffix; "none" allowed when nullable */
	ZP_BLOCKSIZE,  /* power of two size */
	ZP_ENUM,       /* one of a fixed list */
	ZP_PATH,       /* mountpoint: absolute path | legacy | none */
	ZP_STRING,     /* free text (sharenfs, sharesmb, user properties) */
	ZP_NUMBER,     /* plain integer */
	ZP_KEYLOCATION,/* "prompt" or "file:///absolute/path" */
};

struct zprop_info {
	const char *name;
	enum zprop_kind kind;
	const char *values;   /* ZP_ENUM: "|"-separated; may contain "gzip-[1-9]" style ranges */
	bool nullable;        /* ZP_SIZE: "none" means 0 */
	bool readonly;        /* statistics: cannot be set */
	bool create_only;     /* can only be set when the dataset is created */
	bool volume_only;
	bool filesystem_only;
	bool noinherit;       /* `zfs inherit` refuses it (quota, reservation, canmount, key properties) */
};

/* The config value that asks for `zfs inherit PROP DS`. */
#define ZPROP_INHERIT "inherit"

/*
 * Parses a size the way `zfs set` does: digits with an optional fraction and
 * a suffix B, K, M, G, T, P or E (optionally followed by B or iB), any case.
 * Returns 0 and the byte count, or -1 when s is not a size.
 */
int zfs_parse_size(const char *s, uint64_t *out);

/* Human form of a byte count as zfs prints it ("800G", "1.40T"); caller frees. */
char *zfs_format_size(uint64_t n);

/* The table entry for a property name, or NULL (user properties contain ':'). */
const struct zprop_info *zprop_lookup(const char *name);
bool zprop_is_user(const char *name);

/* True when value is one of an enum's values ("gzip-[1-9]" matches gzip-1..gzip-9). */
bool zprop_enum_matches(const char *values, const char *value);

/*
 * Checks value for property name and returns its normalised form (caller
 * frees), the form `zfs get -p` prints; or NULL with *why set to a static or
 * allocated... (*why is a newly allocated explanation the caller frees).
 */
char *zprop_normalize(const char *name, const char *value, char **why);

/*
 * Are a and b (normalised, or as `zfs get -p` prints them) the same setting of
 * property name? Equal strings are; so are the names one setting has on
 * different ZFS lines (display aliases): acltype posixacl = posix, noacl =
 * disabled = off; xattr dir = on; encryption on = any cipher but off (the
 * cipher "on" stands for differs between lines). Pure.
 */
bool zprop_value_eq(const char *name, const char *a, const char *b);

/* Display form of a normalised value: sizes become human again. Caller frees. */
char *zprop_display(const char *name, const char *norm);

#endif
