/*
 * str: small pure helpers on C strings shared by every layer: whether a value
 * fits one line of a text file, how to quote one in a message, trimming,
 * list membership and the qsort comparator of string arrays. No I/O.
 */
#ifndef PH_STR_H
#define PH_STR_H
#include <stdbool.h>
#include <stddef.h>

/* Offset of the first C0 control character or DEL in s, or -1 when there is none. */
long str_ctrl_at(const char *s);
/* True when s can be written inside one line of a text file (str_ctrl_at(s) < 0; NULL is false). */
bool str_line_ok(const char *s);
/*
 * The phrase for the first control character of s ("contains a newline",
 * "contains a tab", ...), a static string, or NULL when s has none.
 */
const char *str_ctrl_problem(const char *s);
/* The hint that goes with str_ctrl_problem's phrase. */
extern const char str_ctrl_hint[];
/*
 * s with every control character written as \n, \r, \t or \xNN (backslashes
 * kept), so a message that quotes a value stays on one line. Caller frees.
 */
char *str_escape(const char *s);

/*
 * One field of a line-oriented file: not empty, printable (str_line_ok), no
 * space and none of the characters of bad. NULL is false.
 */
bool str_field_ok(const char *s, const char *bad);

/* isspace for a char of any value (no sign extension). */
bool str_is_space(char c);

/* The n bytes at s without leading and trailing white space (isspace). Caller frees. */
char *str_trim_dup(const char *s, size_t n);
/* s without trailing white space, e.g. a program's stderr for a message. Caller frees. */
char *str_rtrim_dup(const char *s);

/* True when the NULL-terminated list holds the n bytes at s as one of its strings. */
bool str_in_list(const char *const *list, const char *s, size_t n);

/*
 * Edit distance of a and b (insertions, deletions, substitutions and swaps of
 * two neighbours count 1 each); 99 for strings over 40 bytes. Never fails.
 */
size_t str_edit_distance(const char *a, const char *b);

/*
 * Is node among nodes_csv, a comma-joined list of cluster node names
 * ("pve1,pve2", as config/nodes.c keeps a `nodes` list)? NULL nodes_csv means
 * every node: true. A NULL or empty node (this host has no name) is on every
 * node list only when nodes_csv is NULL. Pure, never fails.
 */
bool on_this_node(const char *nodes_csv, const char *node);
/*
 * Is every name of sub_csv also in sup_csv (both comma-joined, NULL: every
 * node)? A NULL sub is a subset of a NULL sup only; anything is a subset of a
 * NULL sup. Pure, never fails.
 */
bool nodes_subset(const char *sub_csv, const char *sup_csv);

/* qsort comparator of an array of char *: strcmp order. */
int str_cmp_ptr(const void *a, const void *b);

#endif
