/*
 * tz: loads a time zone by its IANA name ("America/New_York") from the
 * zoneinfo directory, for the snapshot schedule. The only I/O of the time
 * zone code: parsing and evaluation are the pure functions of formats/tzif.h.
 * It lives in config/ (not sys/) because it returns the parsed zone of
 * formats/tzif.h, a higher layer than sys/; config uses it to check a
 * policy's zone and the snapshot front door to load it.
 *
 * Contract: the name is checked before any path is built (tz_name_problem):
 * no leading '/', no "." or ".." component, no empty component, only
 * letters, digits and "_+-./", at most 255 bytes. "UTC" is built in and needs
 * no file. The zone is read from DIR/NAME (DIR defaults to
 * /usr/share/zoneinfo; symbolic links inside it are followed, as every
 * libc does) and refused above 1 MiB. The environment (TZ) is never read or
 * changed.
 * Errors: -1 with *why set to a message the caller owns (free it), naming
 * the zone; the zone is left empty.
 */
#ifndef PH_CONFIG_TZ_H
#define PH_CONFIG_TZ_H
#include "formats/tzif.h"

#define TZ_ZONEINFO_DIR "/usr/share/zoneinfo"

/* NULL when name is a valid zone name, else why not (static text). */
const char *tz_name_problem(const char *name);

/* Loads zone name from dir (NULL: TZ_ZONEINFO_DIR). Returns 0 or -1 with *why (caller frees). */
int tz_load(const char *name, const char *dir, struct tz_zone *z, char **why);

#endif
