/*
 * modprobe: the module options files of modprobe.d(5), one "options MODULE
 * PARAM=VALUE ..." per line, for the zfs module's zfs_arc_max. Pure: read the
 * value, and edit it in place keeping every other line and parameter; no I/O.
 */
#ifndef PH_MODPROBE_H
#define PH_MODPROBE_H
#include <stdint.h>

/* The zfs_arc_max value in a modprobe.d text (NULL allowed), or 0 when it is not set there. */
uint64_t modprobe_zfs_arc_max(const char *text);

/*
 * The modprobe.d text with zfs_arc_max set to bytes: an existing
 * "options zfs" line gets the parameter replaced or added; otherwise a line is
 * appended. Every other line is kept. text may be NULL. Caller frees.
 */
char *zfs_arc_modprobe_text(const char *text, uint64_t bytes);

#endif
