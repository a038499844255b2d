/*
 * repl_state: what the replication jobs read, on this host or on another
 * node (through a transport: `ssh -o BatchMode=yes root@ADDRESS`, the
 * command quoted for the remote shell by exec_remote_command).
 *
 *   zfs get -H -p -d 1 guid,createtxg,creation,userrefs,phoenix:repl-flags,
 *       phoenix:repl-last[,receive_resume_token][,encryption] DATASET...
 *
 * read into a struct snap_state (its parser; the dataset rows fill
 * repl_flags, repl_last, resume_token, encrypted). A dataset that does not
 * exist is left out (the call is made again without it). The capabilities
 * come from the usage texts of `zfs` (send and receive flags) and `zfs get`
 * (which properties exist): two programs per host, once per process.
 *
 * Contract: repl_caps_parse is pure. The readers return 0, or -1 with the
 * command and its stderr in dl. st is owned by the caller (snap_state_free).
 */
#ifndef PH_REPL_STATE_H
#define PH_REPL_STATE_H
#include <stdbool.h>

#include "state/snap_state.h"
#include "util/diag.h"
#include "util/strbuf.h"

struct repl_caps {
	bool known;              /* a send line was found in the usage */
	bool send_large, send_compressed, send_embedded, send_raw;   /* -L -c -e -w */
	bool send_resume;        /* send -t <receive_resume_token> */
	bool send_estimate;      /* send -n -v -P */
	bool recv_unmounted;     /* receive -u */
	bool recv_resumable;     /* receive -s */
	bool recv_props;         /* receive -o property=value and -x property */
	bool recv_abort;         /* receive -A */
	bool resume_token;       /* the receive_resume_token property exists */
	bool encryption;         /* the encryption property exists */
};

/* Reads the send / receive flags from `zfs` usage text (stderr of `zfs` without arguments). Pure. */
void repl_caps_parse(const char *zfs_usage, const char *get_usage, struct repl_caps *caps);

/*
 * argv to run on the other side: argv itself when transport is NULL or
 * empty, else the transport's words followed by argv as one remote command
 * line (exec_remote_command). Appends to out.
 */
void repl_transport_argv(const struct strvec *transport, const char *const argv[], struct strvec *out);

/*
 * The stream size from the output of `zfs send -nvP ...` (OpenZFS prints
 * `full|incremental ... BYTES` lines, then `size\tBYTES`): the size line's
 * value, else the sum of the others' last fields. Pure. Returns 0 and sets
 * *bytes, or -1 when the text holds no size (nothing set).
 */
int repl_send_estimate_parse(const char *text, unsigned long long *bytes);

/* The capabilities of the ZFS reached through transport (NULL: this host). Returns 0 or -1. */
int repl_caps_read(const struct strvec *transport, struct repl_caps *caps, struct diag_list *dl);

/* Reads datasets (full names) through transport into st (see above). Returns 0 or -1. */
int repl_state_read(const struct strvec *transport, const struct repl_caps *caps, const struct strvec *datasets,
		    struct snap_state *st, struct diag_list *dl);

/*
 * Every dataset of pools with phoenix:repl-ids set locally, through transport:
 * one `zfs get -H -r -o name,value -s local phoenix:repl-ids POOL...`. The
 * names and their values (comma-separated job ids) are appended in step.
 * Returns 0 (nothing run without pools) or -1 (error in dl).
 */
int repl_ids_read(const struct strvec *transport, const struct strvec *pools, struct strvec *datasets,
		  struct strvec *ids, struct diag_list *dl);

#endif
