/* Replication state: snapshots and capabilities of both sides (see repl_state.h). */
#include "state/repl_state.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "exec/program.h"
#include "state/zfs_state.h"

/* The letters of every "[-abc]" group of line into set (a 128-entry table). */
static void bracket_flags(const char *line, bool *set)
{
	for (const char *p = strstr(line, "[-"); p; p = strstr(p + 1, "[-")) {
		const char *q = p + 2;
		while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
			q++;
		if (*q != ']')
			continue;
		for (const char *c = p + 2; c < q; c++)
			set[(unsigned char)*c] = true;
	}
}

void repl_caps_parse(const char *zfs_usage, const char *get_usage, struct repl_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	bool send[128] = { 0 }, recv[128] = { 0 };
	/* a receive usage line may wrap: the words up to the next command line count */
	bool in_recv = false;
	for (const char *l = zfs_usage ? zfs_usage : ""; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		char *line = xstrndup(l, n);
		const char *t = line + strspn(line, " \t");
		bool cont = (line[0] == ' ' || line[0] == '\t') && (!strncmp(line, "\t    ", 5) || !strncmp(line, "        ", 8));
		if (!strncmp(t, "send ", 5)) {
			caps->known = true;
			in_recv = false;
			bracket_flags(t, send);
			if (strstr(t, "-t <"))
				caps->send_resume = true;
		} else if (!strncmp(t, "receive ", 8) || !strncmp(t, "recv ", 5)) {
			in_recv = true;
			bracket_flags(t, recv);
			if (strstr(t, " -A "))
				caps->recv_abort = true;
		} else if (!cont) {
			in_recv = false;
		}
		if (in_recv && strstr(t, "-o <property>=") && strstr(t, "-x <property>"))
			caps->recv_props = true;
		free(line);
		l = e ? e + 1 : l + n;
	}
	caps->send_large = send['L'];
	caps->send_compressed = send['c'];
	caps->send_embedded = send['e'];
	caps->send_raw = send['w'];
	caps->send_estimate = send['n'] && send['v'] && send['P'];
	caps->recv_unmounted = recv['u'];
	caps->recv_resumable = recv['s'];
	struct zfs_caps zc = { 0 };
	if (get_usage && !zfs_parse_caps(get_usage, &zc) && zc.known) {
		caps->resume_token = zfs_caps_has_prop(&zc, "receive_resume_token");
		caps->encryption = zfs_caps_has_prop(&zc, "encryption");
	}
	zfs_caps_free(&zc);
}

/* The whole number that ends a line of len bytes (after its last tab), or -1. */
static int last_field(const char *l, size_t len, unsigned long long *v)
{
	const char *tab = NULL;
	for (size_t i = 0; i < len; i++)
		if (l[i] == '\t')
			tab = l + i;
	if (!tab || tab + 1 == l + len)
		return -1;
	unsigned long long n = 0;
	for (const char *p = tab + 1; p < l + len; p++) {
		if (*p < '0' || *p > '9' || n > (ULLONG_MAX - 9) / 10)
			return -1;
		n = n * 10 + (unsigned)(*p - '0');
	}
	*v = n;
	return 0;
}

int repl_send_estimate_parse(const char *text, unsigned long long *bytes)
{
	unsigned long long sum = 0, v;
	bool any = false;
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		if (n > 5 && !strncmp(l, "size\t", 5) && !last_field(l, n, &v)) {
			*bytes = v;
			return 0;
		}
		if (((n > 5 && !strncmp(l, "full\t", 5)) || (n > 12 && !strncmp(l, "incremental\t", 12))) &&
		    !last_field(l, n, &v) && sum + v >= sum) {
			sum += v;
			any = true;
		}
		l += n + (l[n] == '\n');
	}
	if (!any)
		return -1;
	*bytes = sum;
	return 0;
}

void repl_transport_argv(const struct strvec *transport, const char *const argv[], struct strvec *out)
{
	if (!transport || !transport->n) {
		for (size_t i = 0; argv[i]; i++)
			sv_push(out, argv[i]);
		return;
	}
	for (size_t i = 0; i < transport->n; i++)
		sv_push(out, transport->v[i]);
	char *cmd = exec_remote_command(argv);
	sv_push(out, cmd);
	free(cmd);
}

static const char *prog_for(const struct strvec *transport)
{
	return transport && transport->n ? "zfs" : zfs_prog();
}

static void report(struct strvec *argv, const struct exec_result *r, struct diag_list *dl)
{
	char *text = exec_failure_text(sv_argv(argv), r);
	diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, r->hint, "%s", text);
	free(text);
}

/* Runs one read-only program through transport; its usage text (stderr, else stdout) into *text. */
static void usage_of(const struct strvec *transport, const char *sub, char **text)
{
	const char *argv[] = { prog_for(transport), sub, NULL };
	struct strvec a = { 0 };
	repl_transport_argv(transport, argv, &a);
	struct exec_result r;
	exec_run(sv_argv(&a), NULL, &r);
	*text = xstrdup(*r.err ? r.err : r.out);
	exec_result_free(&r);
	sv_free(&a);
}

int repl_caps_read(const struct strvec *transport, struct repl_caps *caps, struct diag_list *dl)
{
	char *top = NULL, *get = NULL;
	usage_of(transport, NULL, &top);
	usage_of(transport, "get", &get);
	repl_caps_parse(top, get, caps);
	int rc = 0;
	if (!caps->known) {
		char *first = xstrndup(top, strcspn(top, "\n"));
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
			 transport && transport->n ? "check that the node answers 'ssh root@ADDRESS zfs' without a password"
						   : "install ZFS (zfsutils-linux, or zfs-fuse)",
			 "cannot read which send and receive flags ZFS has%s%s: '%s'",
			 transport && transport->n ? " on " : "",
			 transport && transport->n ? transport->v[transport->n - 1] : "", first);
		free(first);
		rc = -1;
	}
	free(top);
	free(get);
	return rc;
}

/* The dataset a "cannot open 'X': dataset does not exist" line of err names, or NULL (not owned). */
static bool has(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

int repl_state_read(const struct strvec *transport, const struct repl_caps *caps, const struct strvec *datasets,
		    struct snap_state *st, struct diag_list *dl)
{
	struct strvec ds = { 0 };
	for (size_t i = 0; i < datasets->n; i++)
		if (!has(&ds, datasets->v[i]))
			sv_push(&ds, datasets->v[i]);
	int rc = 0;
	while (ds.n) {
		struct strvec argv = { 0 }, full = { 0 };
		sv_push(&argv, prog_for(transport));
		sv_push(&argv, "get");
		sv_push(&argv, "-H");
		sv_push(&argv, "-p");
		sv_push(&argv, "-d");
		sv_push(&argv, "1");
		sv_pushf(&argv, "guid,createtxg,creation,userrefs," REPL_FLAGS_PROP "," REPL_LAST_PROP "," REPL_IDS_PROP "%s%s",
			 caps->resume_token ? ",receive_resume_token" : "", caps->encryption ? ",encryption" : "");
		for (size_t i = 0; i < ds.n; i++)
			sv_push(&argv, ds.v[i]);
		repl_transport_argv(transport, sv_argv(&argv), &full);
		struct exec_result r;
		int erc = exec_run(sv_argv(&full), NULL, &r);
		st->programs++;
		bool again = false;
		if (!erc) {
			rc = snap_state_parse(r.out, st, dl);
		} else if (snap_state_drop_missing(&ds, r.err)) {
			again = true;
		} else {
			report(&full, &r, dl);
			rc = -1;
		}
		exec_result_free(&r);
		sv_free(&argv);
		sv_free(&full);
		if (!again)
			break;
	}
	sv_free(&ds);
	return rc;
}

int repl_ids_read(const struct strvec *transport, const struct strvec *pools, struct strvec *datasets,
		  struct strvec *ids, struct diag_list *dl)
{
	if (!pools->n)
		return 0;
	struct strvec argv = { 0 }, full = { 0 };
	const char *head[] = { prog_for(transport), "get", "-H", "-r", "-o", "name,value", "-s", "local", REPL_IDS_PROP };
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		sv_push(&argv, head[i]);
	for (size_t i = 0; i < pools->n; i++)
		sv_push(&argv, pools->v[i]);
	repl_transport_argv(transport, sv_argv(&argv), &full);
	sv_free(&argv);
	struct exec_result r;
	int rc = exec_run(sv_argv(&full), NULL, &r);
	if (rc)
		report(&full, &r, dl);
	for (const char *l = rc ? "" : r.out; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		const char *tab = memchr(l, '\t', n);
		if (tab && !memchr(l, '@', (size_t)(tab - l))) {
			sv_pushf(datasets, "%.*s", (int)(tab - l), l);
			sv_pushf(ids, "%.*s", (int)(n - (size_t)(tab + 1 - l)), tab + 1);
		}
		l = e ? e + 1 : l + n;
	}
	exec_result_free(&r);
	sv_free(&full);
	return rc ? -1 : 0;
}
