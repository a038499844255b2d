/*
 * modprobe: the module options files of modprobe.d(5), one "options MODULE
 * PARAM=VALUE ..." per line, for the zfs module's zfs_arc_max. Pure: read the
 * value, and edit it in place keeping every other line and parameter; no I/O.
 */
#ifndef PH_MODPROBE_H
#define PH_MODPROBE_H
#include <stdint.h>

/*
 * The zfs_arc_max value the zfs module gets from a modprobe.d text (NULL
 * allowed): the last zfs_arc_max= of its "options zfs" lines (modprobe passes
 * them in order); 0 when none sets it or the last value is not a decimal number.
 */
uint64_t modprobe_zfs_arc_max(const char *text);

/*
 * The modprobe.d text with zfs_arc_max set to bytes. Every zfs_arc_max= of
 * its "options zfs" lines gets the value (modprobe passes them to the module
 * in order: the last one counts); when none has one, the first "options zfs"
 * line gets the parameter added, else an "options zfs" line is appended
 * (after an empty line when the last line ends in '\', which would join
 * them). Every other line is kept. text may be NULL. Caller frees.
 */
char *zfs_arc_modprobe_text(const char *text, uint64_t bytes);

#endif
