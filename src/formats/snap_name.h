/*
 * snap_name: the names of the snapshots the snapshot policies own,
 * "phoenix_YYYY-MM-DDTHHMMSSZ_<class>" (the time in UTC, no colons: Samba
 * mangles them), e.g. phoenix_2026-01-05T140000Z_hourly.
 *
 * Contract: pure functions, no allocation. snap_name_parse is strict: the
 * prefix, every digit, the separators, a valid calendar date and time
 * (Feb 29 only in leap years, no second 60) and one of the six class names,
 * with nothing before or after; anything else is foreign and must be left
 * alone. The time of one of our snapshots is the time in its name.
 */
#ifndef PH_SNAP_NAME_H
#define PH_SNAP_NAME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum snap_class {
	SNAP_FREQUENT,
	SNAP_HOURLY,
	SNAP_DAILY,
	SNAP_WEEKLY,
	SNAP_MONTHLY,
	SNAP_YEARLY,
	SNAP_NCLASSES
};

/* One snapshot of one dataset, as ZFS reports it (state/snap_state.h
 * reads it, plan/snap_policy.h decides on it). */
struct snap_info {
	const char *name;      /* short name, after '@' */
	uint64_t guid;
	uint64_t createtxg;
	int64_t creation;      /* shown to users; the rules never use it */
	uint64_t userrefs;
	bool has_clones;
};

#define SNAP_NAME_PREFIX "phoenix_"
/* Longest name: "phoenix_" + "YYYY-MM-DDTHHMMSSZ" + "_frequent" = 35 bytes. */
#define SNAP_NAME_MAX 36

/* "frequent", "hourly", "daily", "weekly", "monthly", "yearly". */
const char *snap_class_name(enum snap_class c);
/* Exact class name. Returns 0 and sets *c, or -1. */
int snap_class_parse(const char *s, enum snap_class *c);

/*
 * Formats the name of a snapshot of class c taken at UTC second t into buf
 * (at least SNAP_NAME_MAX bytes). Returns 0, or -1 when t lies outside the
 * years 0000..9999 (buf is then "").
 */
int snap_name_format(int64_t t, enum snap_class c, char *buf, size_t len);

/* Parses a short snapshot name (after '@'). Returns 0 with *t and *c, or -1: foreign. */
int snap_name_parse(const char *name, int64_t *t, enum snap_class *c);

#endif
