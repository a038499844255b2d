#include "config/nfs_config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/grammar.h"
#include "config/members.h"
#include "util/str.h"
#include "util/strbuf.h"

/* ---- paths ---------------------------------------------------------------- */

/* The normalised form of an absolute path: no //, /./, /../, trailing slash. */
static char *normalise_path(const char *path)
{
	struct strvec parts = { 0 };
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		if (n == 1 && p[0] == '.') {
			/* drop */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (parts.n) {
				free(parts.v[parts.n - 1]);
				parts.v[--parts.n] = NULL;
			}
		} else {
			char *c = xstrndup(p, n);
			sv_push(&parts, c);
			free(c);
		}
		p += n;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < parts.n; i++)
		sb_addf(&sb, "/%s", parts.v[i]);
	if (!sb.len)
		sb_addc(&sb, '/');
	sv_free(&parts);
	return sb_detach(&sb);
}

int nfs_path_check(const char *path, char **msg, char **hint)
{
	*msg = NULL;
	*hint = NULL;
	if (path[0] != '/') {
		*msg = xasprintf("path '%s' is not absolute", path);
		*hint = xstrdup("write the full path, such as /tank/data");
		return -1;
	}
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (*c <= ' ' || *c == '"' || *c == '\\' || *c == 0x7f || *c == '\'') {
			*msg = xasprintf("path '%s' contains white space, a quote or a backslash", path);
			*hint = xstrdup("use a path made of letters, digits and -_.+@:, such as /tank/data");
			return -1;
		}
		if (*c == '#') {
			*msg = xasprintf("path '%s' contains '#', which starts a comment in an exports line", path);
			*hint = xstrdup("use a path made of letters, digits and -_.+@:, such as /tank/data");
			return -1;
		}
	}
	char *norm = normalise_path(path);
	if (strcmp(norm, path)) {
		*msg = xasprintf("path '%s' is not normalised", path);
		*hint = xasprintf("write it as '%s'", norm);
		free(norm);
		return -1;
	}
	free(norm);
	return 0;
}

/* ---- clients -------------------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool valid_hostname(const char *s)
{
	size_t len = strlen(s);
	if (!len || len > 253)
		return false;
	const char *p = s;
	const char *last = s;
	size_t last_n = 0;
	while (*p) {
		size_t n = strcspn(p, ".");
		if (n == 0 || n > 63)
			return false;
		if (p[0] == '-' || p[n - 1] == '-')
			return false;
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)p[i]) && p[i] != '-' && p[i] != '_')
				return false;
		last = p;
		last_n = n;
		p += n;
		if (*p == '.') {
			p++;
			if (!*p)
				return false;
		}
	}
	/* A numeric last label means a mistyped address (10.0.0.300), not a name. */
	return !all_digits(last, last_n);
}

/* A dotted netmask with contiguous one bits. */
static bool valid_netmask(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	uint32_t m = ntohl(a.s_addr);
	uint32_t inv = ~m;
	return (inv & (inv + 1)) == 0;
}

static bool valid_prefix(const char *s, int max)
{
	size_t n = strlen(s);
	if (!all_digits(s, n) || n > 3)
		return false;
	int v = atoi(s);
	return v >= 0 && v <= max;
}

int nfs_client_check(const char *client, enum nfs_client_kind *kind)
{
	enum nfs_client_kind k;
	if (!client || !*client)
		return -1;
	if (!strcmp(client, "*")) {
		k = NFS_CLIENT_WORLD;
	} else if (client[0] == '@') {
		if (!client[1])
			return -1;
		for (const char *c = client + 1; *c; c++)
			if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
				return -1;
		k = NFS_CLIENT_NETGROUP;
	} else if (strpbrk(client, "*?")) {
		for (const char *c = client; *c; c++)
			if (!isalnum((unsigned char)*c) && !strchr(".-_*?", *c))
				return -1;
		if (strstr(client, "..") || client[0] == '.' || client[strlen(client) - 1] == '.')
			return -1;
		k = NFS_CLIENT_WILDCARD;
	} else if (strchr(client, '/')) {
		const char *slash = strchr(client, '/');
		char *addr = xstrndup(client, (size_t)(slash - client));
		const char *mask = slash + 1;
		unsigned char buf[16];
		bool ok;
		if (inet_pton(AF_INET, addr, buf) == 1)
			ok = valid_prefix(mask, 32) || valid_netmask(mask);
		else if (inet_pton(AF_INET6, addr, buf) == 1)
			ok = valid_prefix(mask, 128);
		else
			ok = false;
		free(addr);
		if (!ok)
			return -1;
		k = NFS_CLIENT_CIDR;
	} else {
		unsigned char buf[16];
		if (inet_pton(AF_INET, client, buf) == 1 || inet_pton(AF_INET6, client, buf) == 1)
			k = NFS_CLIENT_IP;
		else if (valid_hostname(client))
			k = NFS_CLIENT_HOST;
		else
			return -1;
	}
	if (kind)
		*kind = k;
	return 0;
}

bool nfs_client_is_world(const char *client)
{
	if (!strcmp(client, "*"))
		return true;
	const char *slash = strchr(client, '/');
	if (!slash)
		return false;
	const char *mask = slash + 1;
	return !strcmp(mask, "0") || !strcmp(mask, "0.0.0.0");
}

/* ---- options -------------------------------------------------------------- */

static const char *const flag_opts[] = {
	"rw", "ro", "sync", "async", "secure", "insecure", "wdelay", "no_wdelay", "hide",
	"nohide", "crossmnt", "nocrossmnt", "subtree_check", "no_subtree_check",
	"secure_locks", "insecure_locks", "auth_nlm", "no_auth_nlm", "acl", "no_acl",
	"rdirplus", "nordirplus", "pnfs", "no_pnfs", "security_label", "root_squash",
	"no_root_squash", "all_squash", "no_all_squash", "mountpoint", "mp", NULL,
};
static const char *const value_opts[] = { "anonuid", "anongid", "fsid", "sec", "mountpoint", "mp", NULL };

static bool parse_id(const char *s, long long *out)
{
	size_t n = strlen(s);
	if (!all_digits(s, n) || n > 10)
		return false;
	long long v = strtoll(s, NULL, 10);
	if (v > 4294967294LL)
		return false;
	*out = v;
	return true;
}

/* fsid value: root, a number, or a UUID (32 hex digits, dashes allowed). */
static bool parse_fsid(const char *s, char *out, size_t outsz)
{
	long long v;
	if (!strcmp(s, "root")) {
		snprintf(out, outsz, "0");
		return true;
	}
	if (parse_id(s, &v)) {
		snprintf(out, outsz, "%lld", v);
		return true;
	}
	size_t hex = 0, len = strlen(s);
	if (len >= outsz)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (isxdigit((unsigned char)s[i]))
			hex++;
		else if (s[i] != '-' && s[i] != ':')
			return false;
	}
	if (hex != 32)
		return false;
	for (size_t i = 0; i <= len; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	return true;
}

static bool valid_sec(const char *s, char **bad)
{
	static const char *const flavours[] = { "sys", "krb5", "krb5i", "krb5p", "none", NULL };
	const char *p = s;
	*bad = NULL;
	if (!*p) {
		*bad = xstrdup("");
		return false;
	}
	while (*p) {
		size_t n = strcspn(p, ":");
		if (!str_in_list(flavours, p, n)) {
			*bad = xstrndup(p, n);
			return false;
		}
		p += n;
		if (*p == ':') {
			p++;
			if (!*p) {
				*bad = xstrdup("");
				return false;
			}
		}
	}
	return true;
}

/*
 * One export option against exports(5): a known flag, or KEY=VALUE with a
 * value of the right form (anonuid/anongid numbers, fsid, sec flavours, a
 * mountpoint path). Returns 0; or -1 with *msg and *hint (may be NULL) new
 * strings the caller frees, naming a close known option for a typo.
 */
int nfs_option_check(const char *opt, char **msg, char **hint)
{
	*msg = NULL;
	*hint = NULL;
	const char *eq = strchr(opt, '=');
	size_t klen = eq ? (size_t)(eq - opt) : strlen(opt);
	if (!eq) {
		if (str_in_list(flag_opts, opt, klen))
			return 0;
		if (str_in_list(value_opts, opt, klen)) {
			*msg = xasprintf("option '%s' needs a value", opt);
			*hint = xasprintf("write it as %s=VALUE", opt);
			return -1;
		}
	} else {
		const char *val = eq + 1;
		char *key = xstrndup(opt, klen);
		int rc = 0;
		long long id;
		char fsid[40];
		char *bad = NULL;
		if (!strcmp(key, "anonuid") || !strcmp(key, "anongid")) {
			if (!parse_id(val, &id)) {
				*msg = xasprintf("invalid value in '%s'", opt);
				*hint = xasprintf("%s takes a numeric id, such as %s=65534", key, key);
				rc = -1;
			}
		} else if (!strcmp(key, "fsid")) {
			if (!parse_fsid(val, fsid, sizeof(fsid))) {
				*msg = xasprintf("invalid value in '%s'", opt);
				*hint = xstrdup("fsid takes root, a number or a UUID");
				rc = -1;
			}
		} else if (!strcmp(key, "sec")) {
			if (!valid_sec(val, &bad)) {
				*msg = xasprintf("unknown security flavour '%s' in '%s'", bad, opt);
				*hint = xstrdup("use sys, krb5, krb5i, krb5p or none, joined with ':' (sec=sys:krb5)");
				rc = -1;
			}
			free(bad);
		} else if (!strcmp(key, "mountpoint") || !strcmp(key, "mp")) {
			char *m = NULL, *h = NULL;
			if (nfs_path_check(val, &m, &h) || strlen(val) >= 256) {
				*msg = xasprintf("invalid value in '%s'", opt);
				*hint = xasprintf("%s takes an absolute, normalised path", key);
				rc = -1;
			}
			free(m);
			free(h);
		} else if (str_in_list(flag_opts, key, klen)) {
			*msg = xasprintf("option '%s' takes no value", key);
			*hint = xasprintf("write just '%s'", key);
			rc = -1;
		} else {
			rc = 1; /* unknown key: fall through */
		}
		free(key);
		if (rc <= 0)
			return rc;
	}
	/* Unknown: suggest the closest known option. */
	char *key = xstrndup(opt, klen);
	const char *best = NULL;
	size_t bestd = 3;
	for (size_t i = 0; flag_opts[i]; i++) {
		size_t d = str_edit_distance(key, flag_opts[i]);
		if (d < bestd) {
			bestd = d;
			best = flag_opts[i];
		}
	}
	for (size_t i = 0; value_opts[i]; i++) {
		size_t d = str_edit_distance(key, value_opts[i]);
		if (d < bestd) {
			bestd = d;
			best = value_opts[i];
		}
	}
	free(key);
	*msg = xasprintf("unknown export option '%s'", opt);
	if (best)
		*hint = xasprintf("did you mean '%s'? (see exports(5))", best);
	else
		*hint = xstrdup("known options: rw, ro, sync, async, root_squash, no_root_squash, "
				"all_squash, no_all_squash, subtree_check, no_subtree_check, secure, "
				"insecure, wdelay, no_wdelay, hide, nohide, crossmnt, anonuid=N, "
				"anongid=N, fsid=N|root|UUID, sec=FLAVOUR[:...], mountpoint[=PATH]");
	return -1;
}

/*
 * The effective meaning of an option list (valid options only), with the
 * defaults exportfs fills in (table_form: the list is what `exportfs -v`
 * printed). Never fails; o is overwritten.
 */
void nfs_opts_from_list(const char *const *opts, size_t n, bool table_form, struct nfs_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->no_subtree_check = !table_form;
	o->secure_known = !table_form;
	o->anonuid = NFS_ANON_DEFAULT;
	o->anongid = NFS_ANON_DEFAULT;
	snprintf(o->sec, sizeof(o->sec), "sys");
	for (size_t i = 0; i < n; i++) {
		const char *s = opts[i];
		const char *eq = strchr(s, '=');
		const char *val = eq ? eq + 1 : NULL;
		size_t klen = eq ? (size_t)(eq - s) : strlen(s);
#define IS(name) (klen == strlen(name) && !strncmp(s, name, klen))
		if (IS("rw"))
			o->rw = true;
		else if (IS("ro"))
			o->rw = false;
		else if (IS("async"))
			o->async = true;
		else if (IS("sync"))
			o->async = false;
		else if (IS("no_wdelay"))
			o->no_wdelay = true;
		else if (IS("wdelay"))
			o->no_wdelay = false;
		else if (IS("nohide"))
			o->nohide = true;
		else if (IS("hide"))
			o->nohide = false;
		else if (IS("crossmnt"))
			o->crossmnt = true;
		else if (IS("nocrossmnt"))
			o->crossmnt = false;
		else if (IS("no_subtree_check")) {
			o->no_subtree_check = true;
			o->subtree_given = true;
		} else if (IS("subtree_check")) {
			o->no_subtree_check = false;
			o->subtree_given = true;
		} else if (IS("insecure")) {
			o->insecure = true;
			o->secure_known = true;
		} else if (IS("secure")) {
			o->insecure = false;
			o->secure_known = true;
		} else if (IS("insecure_locks") || IS("no_auth_nlm"))
			o->insecure_locks = true;
		else if (IS("secure_locks") || IS("auth_nlm"))
			o->insecure_locks = false;
		else if (IS("no_acl"))
			o->no_acl = true;
		else if (IS("acl"))
			o->no_acl = false;
		else if (IS("nordirplus"))
			o->nordirplus = true;
		else if (IS("rdirplus"))
			o->nordirplus = false;
		else if (IS("security_label"))
			o->security_label = true;
		else if (IS("pnfs"))
			o->pnfs = true;
		else if (IS("no_pnfs"))
			o->pnfs = false;
		else if (IS("no_root_squash"))
			o->no_root_squash = true;
		else if (IS("root_squash"))
			o->no_root_squash = false;
		else if (IS("all_squash"))
			o->all_squash = true;
		else if (IS("no_all_squash"))
			o->all_squash = false;
		else if (IS("anonuid") && val)
			parse_id(val, &o->anonuid);
		else if (IS("anongid") && val)
			parse_id(val, &o->anongid);
		else if (IS("fsid") && val) {
			if (!parse_fsid(val, o->fsid, sizeof(o->fsid)))
				o->fsid[0] = '\0';
		} else if (IS("sec") && val)
			snprintf(o->sec, sizeof(o->sec), "%s", val);
		else if (IS("mountpoint") || IS("mp")) {
			o->mountpoint = true;
			snprintf(o->mountpoint_path, sizeof(o->mountpoint_path), "%s", val ? val : "");
		}
#undef IS
	}
}

bool nfs_opts_equal(const struct nfs_opts *a, const struct nfs_opts *b)
{
	if (a->secure_known && b->secure_known && a->insecure != b->insecure)
		return false;
	return a->rw == b->rw && a->async == b->async && a->no_wdelay == b->no_wdelay &&
	       a->nohide == b->nohide && a->crossmnt == b->crossmnt &&
	       a->no_subtree_check == b->no_subtree_check && a->insecure_locks == b->insecure_locks &&
	       a->no_acl == b->no_acl && a->nordirplus == b->nordirplus &&
	       a->security_label == b->security_label && a->pnfs == b->pnfs &&
	       a->no_root_squash == b->no_root_squash && a->all_squash == b->all_squash &&
	       a->anonuid == b->anonuid && a->anongid == b->anongid && !strcmp(a->fsid, b->fsid) &&
	       a->mountpoint == b->mountpoint && !strcmp(a->mountpoint_path, b->mountpoint_path) &&
	       !strcmp(a->sec, b->sec);
}

/* ---- loading -------------------------------------------------------------- */

static int nfs_option_check_quiet(const char *opt)
{
	char *m, *h;
	int rc = nfs_option_check(opt, &m, &h);
	free(m);
	free(h);
	return rc;
}

/* Pairs of options that cancel each other. */
static const char *const opposite[][2] = {
	{ "rw", "ro" }, { "sync", "async" }, { "secure", "insecure" }, { "wdelay", "no_wdelay" },
	{ "hide", "nohide" }, { "crossmnt", "nocrossmnt" }, { "subtree_check", "no_subtree_check" },
	{ "secure_locks", "insecure_locks" }, { "auth_nlm", "no_auth_nlm" },
	{ "secure_locks", "no_auth_nlm" }, { "auth_nlm", "insecure_locks" }, { "acl", "no_acl" },
	{ "rdirplus", "nordirplus" }, { "pnfs", "no_pnfs" }, { "root_squash", "no_root_squash" },
	{ "all_squash", "no_all_squash" },
};

static void check_options(const struct config_src *src, json_t *arr, const char *ojpath,
			  struct diag_list *dl, bool *ok)
{
	size_t n = json_array_size(arr);
	for (size_t i = 0; i < n; i++) {
		const char *a = json_string_value(json_array_get(arr, i));
		if (!a || nfs_option_check_quiet(a))
			continue;
		char *jp = xasprintf("%s[%zu]", ojpath, i);
		size_t ka = strcspn(a, "=");
		for (size_t j = 0; j < i; j++) {
			const char *b = json_string_value(json_array_get(arr, j));
			if (!b || nfs_option_check_quiet(b))
				continue;
			size_t kb = strcspn(b, "=");
			if (!strcmp(a, b)) {
				cfg_diag(dl, src, DIAG_WARNING, jp, "remove the second one",
					 "option '%s' is listed twice", a);
				break;
			}
			bool same_key = ka == kb && !strncmp(a, b, ka) && (a[ka] == '=' || b[kb] == '=');
			bool opp = false;
			for (size_t k = 0; k < sizeof(opposite) / sizeof(opposite[0]); k++)
				if ((!strcmp(a, opposite[k][0]) && !strcmp(b, opposite[k][1])) ||
				    (!strcmp(a, opposite[k][1]) && !strcmp(b, opposite[k][0])))
					opp = true;
			if (same_key || opp) {
				cfg_diag(dl, src, DIAG_ERROR, jp, "keep one of them",
					 "options '%s' and '%s' contradict each other", b, a);
				*ok = false;
				break;
			}
		}
		free(jp);
	}
}

static void lint_export(const struct config_src *src, const struct nfs_export *e, json_t *obj,
			enum nfs_server server, struct diag_list *dl)
{
	char *ojp = xasprintf("%s.options", e->jpath);
	json_t *opts = json_object_get(obj, "options");
	json_t *clients = json_object_get(obj, "clients");
	for (size_t i = 0; i < json_array_size(opts); i++) {
		const char *o = json_string_value(json_array_get(opts, i));
		if (!o)
			continue;
		char *jp = xasprintf("%s[%zu]", ojp, i);
		if (!strcmp(o, "no_root_squash"))
			cfg_diag(dl, src, DIAG_WARNING, jp,
				 "remove it unless a client really needs root access (root_squash is the default)",
				 "'no_root_squash' lets root on the clients act as root on '%s'", e->path);
		if (!strcmp(o, "insecure"))
			cfg_diag(dl, src, DIAG_WARNING, jp,
				 "remove it unless a client cannot use a privileged port",
				 "'insecure' accepts requests from unprivileged ports on '%s'", e->path);
		free(jp);
	}
	if (e->eff.no_root_squash && !e->eff.all_squash)
		for (size_t i = 0; i < json_array_size(clients); i++) {
			const char *c = json_string_value(json_array_get(clients, i));
			enum nfs_client_kind kind;
			if (!c || nfs_client_check(c, &kind) || kind == NFS_CLIENT_IP || kind == NFS_CLIENT_HOST)
				continue;
			char *jp = xasprintf("%s.clients[%zu]", e->jpath, i);
			cfg_diag(dl, src, DIAG_WARNING, jp,
				 "list only the hosts that need root access, by address, or remove no_root_squash",
				 "'no_root_squash' gives root on every host of '%s' root access to '%s'", c, e->path);
			free(jp);
		}
	if (e->eff.rw)
		for (size_t i = 0; i < json_array_size(clients); i++) {
			const char *c = json_string_value(json_array_get(clients, i));
			if (c && nfs_client_is_world(c)) {
				char *jp = xasprintf("%s.clients[%zu]", e->jpath, i);
				cfg_diag(dl, src, DIAG_WARNING, jp,
					 "limit the clients to the hosts or networks that need access, such as 10.0.0.0/24",
					 "'%s' is writable by every host ('%s')", e->path, c);
				free(jp);
			}
		}
	if (server == NFS_SERVER_KERNEL && !e->eff.subtree_given)
		cfg_diag(dl, src, DIAG_WARNING, e->options.n ? ojp : e->jpath,
			 "add 'no_subtree_check' (the usual choice; exportfs warns without it)",
			 "'no_subtree_check' is missing on '%s'", e->path);
	if (e->has_mode) {
		char *jp = xasprintf("%s.mode", e->jpath);
		cfg_lint_mode(src, dl, jp, (unsigned)e->mode, e->path);
		free(jp);
	}
	free(ojp);
}


/* owner/group: a name or an id, as a string or a JSON integer; NULL when absent or bad. */
static char *get_principal(const struct config_src *src, json_t *obj, const char *jpath,
			   const char *key, struct diag_list *dl, bool *ok)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	char *jp = xasprintf("%s.%s", jpath, key);
	char *res = NULL;
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 4294967294LL) {
		res = xasprintf("%lld", (long long)json_integer_value(v));
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		bool good = *s && strlen(s) <= 32 && !isdigit((unsigned char)s[0])
				    ? (isalpha((unsigned char)s[0]) || s[0] == '_')
				    : all_digits(s, strlen(s));
		for (const char *c = s; good && *c; c++)
			if (!isalnum((unsigned char)*c) && !strchr("_-.", *c) && !(c[1] == '\0' && *c == '$'))
				good = false;
		if (good)
			res = xstrdup(s);
		else {
			cfg_diag(dl, src, DIAG_ERROR, jp, "use a user or group name, or a numeric id",
				 "invalid %s '%s'", key, s);
			*ok = false;
		}
	} else {
		cfg_diag(dl, src, DIAG_ERROR, jp, "use a user or group name, or a numeric id",
			 "must be a name or a number");
		*ok = false;
	}
	free(jp);
	return res;
}

/*
 * One entry of nfs.exports at jpath into e: path, clients, options (each
 * checked, security warnings for no_root_squash to many hosts), and the
 * extensions owner, group, mode, outside_zfs. Every problem goes to dl.
 * Returns false when there was an error (e keeps what could be read and is
 * freed by the caller either way).
 */
static bool load_export(const struct config_src *src, json_t *obj, const char *jpath,
			struct nfs_export *e, struct diag_list *dl)
{
	bool ok = true;
	e->jpath = xstrdup(jpath);
	if (!json_is_object(obj)) {
		cfg_diag(dl, src, DIAG_ERROR, jpath, "write {\"path\": ..., \"clients\": [...], \"options\": [...]}",
			 "must be an object");
		return false;
	}
	size_t before = diag_count(dl, DIAG_ERROR);
	cfg_check_members(src, obj, jpath, CFG_NFS_EXPORT, dl);
	e->nodes = cfg_get_nodes(src, obj, jpath, dl, "export");
	const char *path = cfg_get_string(src, obj, jpath, "path", true, dl);
	if (path) {
		char *msg, *hint;
		char *jp = xasprintf("%s.path", jpath);
		if (nfs_path_check(path, &msg, &hint)) {
			cfg_diag(dl, src, DIAG_ERROR, jp, hint, "%s", msg);
			ok = false;
		} else if (!strcmp(path, "/")) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "export the directory of a dataset, such as /quickOS/shared",
				 "exporting '/' shares the whole host");
			ok = false;
		}
		free(msg);
		free(hint);
		free(jp);
		e->path = xstrdup(path);
	}
	json_t *clients = cfg_get_array(src, obj, jpath, "clients", true, dl);
	if (clients) {
		size_t i;
		json_t *c;
		if (!json_array_size(clients)) {
			char *jp = xasprintf("%s.clients", jpath);
			cfg_diag(dl, src, DIAG_ERROR, jp, "list at least one client, such as \"10.0.0.0/24\"",
				 "export has no clients");
			free(jp);
			ok = false;
		}
		json_array_foreach(clients, i, c) {
			char *jp = xasprintf("%s.clients[%zu]", jpath, i);
			if (!json_is_string(c)) {
				cfg_diag(dl, src, DIAG_ERROR, jp, "write the client as a string", "must be a string");
				ok = false;
			} else if (!cfg_string(src, c, jp, dl)) {
				ok = false;
			} else if (nfs_client_check(json_string_value(c), NULL)) {
				cfg_diag(dl, src, DIAG_ERROR, jp,
					 "use an IP address, CIDR (10.0.0.0/24), hostname or wildcard (*, *.example.com, @netgroup)",
					 "invalid client '%s'", json_string_value(c));
				ok = false;
			} else {
				const char *s = json_string_value(c);
				bool dup = false;
				for (size_t j = 0; j < e->clients.n; j++)
					if (!strcasecmp(e->clients.v[j], s))
						dup = true;
				if (dup) {
					cfg_diag(dl, src, DIAG_ERROR, jp, "remove the second one",
						 "client '%s' is listed twice", s);
					ok = false;
				} else {
					sv_push(&e->clients, s);
				}
			}
			free(jp);
		}
	}
	json_t *options = cfg_get_array(src, obj, jpath, "options", false, dl);
	if (options) {
		size_t i;
		json_t *o;
		json_array_foreach(options, i, o) {
			char *jp = xasprintf("%s.options[%zu]", jpath, i);
			char *msg = NULL, *hint = NULL;
			if (!json_is_string(o)) {
				cfg_diag(dl, src, DIAG_ERROR, jp, "write the option as a string, such as \"rw\"",
					 "must be a string");
				ok = false;
			} else if (!cfg_string(src, o, jp, dl)) {
				ok = false;
			} else if (nfs_option_check(json_string_value(o), &msg, &hint)) {
				cfg_diag(dl, src, DIAG_ERROR, jp, hint, "%s", msg);
				ok = false;
			} else {
				sv_push(&e->options, json_string_value(o));
			}
			free(msg);
			free(hint);
			free(jp);
		}
		char *ojp = xasprintf("%s.options", jpath);
		check_options(src, options, ojp, dl, &ok);
		free(ojp);
	}
	nfs_opts_from_list((const char *const *)e->options.v, e->options.n, false, &e->eff);
	json_t *oz = json_object_get(obj, "outside_zfs");
	if (oz && !json_is_boolean(oz)) {
		char *jp = xasprintf("%s.outside_zfs", jpath);
		cfg_diag(dl, src, DIAG_ERROR, jp, "write true or false", "must be a boolean");
		free(jp);
		ok = false;
	} else {
		e->outside_zfs = oz && json_is_true(oz);
	}
	e->owner = get_principal(src, obj, jpath, "owner", dl, &ok);
	e->group = get_principal(src, obj, jpath, "group", dl, &ok);
	json_t *mode = json_object_get(obj, "mode");
	if (mode && !json_is_null(mode)) {
		char *jp = xasprintf("%s.mode", jpath);
		const char *s = json_is_string(mode) ? json_string_value(mode) : NULL;
		size_t n = s ? strlen(s) : 0;
		bool good = s && n >= 3 && n <= 4 && strspn(s, "01234567") == n;
		if (!good) {
			if (s)
				cfg_diag(dl, src, DIAG_ERROR, jp,
					 "write the mode as octal digits in a string, such as \"0750\"",
					 "invalid mode '%s'", s);
			else
				cfg_diag(dl, src, DIAG_ERROR, jp,
					 "write the mode as octal digits in a string, such as \"0750\"",
					 "mode must be a string");
			ok = false;
		} else {
			e->has_mode = true;
			e->mode = (mode_t)strtol(s, NULL, 8);
		}
		free(jp);
	}
	if (diag_count(dl, DIAG_ERROR) != before)
		ok = false;
	return ok;
}

static char *get_abs_path(const struct config_src *src, json_t *obj, const char *jpath,
			  const char *key, const char *def, struct diag_list *dl, bool *ok)
{
	const char *s = obj ? cfg_get_string(src, obj, jpath, key, false, dl) : NULL;
	if (obj && json_object_get(obj, key) && !s)
		*ok = false;
	if (!s)
		return xstrdup(def);
	char *msg, *hint;
	if (nfs_path_check(s, &msg, &hint)) {
		char *jp = xasprintf("%s.%s", jpath, key);
		cfg_diag(dl, src, DIAG_ERROR, jp, hint, "%s", msg);
		free(jp);
		*ok = false;
	}
	free(msg);
	free(hint);
	return xstrdup(s);
}

/*
 * The nfs section (see nfs_config.h): server, ganesha paths, every export,
 * then checks across exports (a path exported twice). Returns 0, or -1 when
 * an error was found (all in dl); cfg is filled either way and owned by the
 * caller (nfs_config_free).
 */
int nfs_config_load(const struct config_src *src, struct nfs_config *cfg, struct diag_list *dl)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dropin = xstrdup(NFS_KERNEL_DROPIN);
	json_t *nfs = src && src->root ? json_object_get(src->root, "nfs") : NULL;
	if (!nfs || json_is_null(nfs)) {
		cfg->ganesha_conf = xstrdup(NFS_GANESHA_CONF);
		cfg->ganesha_include = xstrdup(NFS_GANESHA_INCLUDE);
		cfg->ganesha_pid_file = xstrdup(NFS_GANESHA_PIDFILE);
		return 0;
	}
	bool ok = true;
	cfg->present = true;
	if (!json_is_object(nfs)) {
		cfg_diag(dl, src, DIAG_ERROR, "nfs", "write {\"exports\": [...]}", "must be an object");
		cfg->ganesha_conf = xstrdup(NFS_GANESHA_CONF);
		cfg->ganesha_include = xstrdup(NFS_GANESHA_INCLUDE);
		cfg->ganesha_pid_file = xstrdup(NFS_GANESHA_PIDFILE);
		return -1;
	}
	size_t before = diag_count(dl, DIAG_ERROR);
	cfg_check_members(src, nfs, "nfs", CFG_NFS, dl);
	const char *server = cfg_get_string(src, nfs, "nfs", "server", false, dl);
	if (server) {
		if (!strcmp(server, "kernel"))
			cfg->server = NFS_SERVER_KERNEL;
		else if (!strcmp(server, "ganesha"))
			cfg->server = NFS_SERVER_GANESHA;
		else {
			cfg_diag(dl, src, DIAG_ERROR, "nfs.server",
				 "use \"kernel\" (nfs-kernel-server) or \"ganesha\" (nfs-ganesha)",
				 "unknown nfs server '%s'", server);
			ok = false;
		}
	}
	json_t *g = cfg_get_object(src, nfs, "nfs", "ganesha", false, dl);
	cfg->ganesha_conf = get_abs_path(src, g, "nfs.ganesha", "config_file", NFS_GANESHA_CONF, dl, &ok);
	cfg->ganesha_include = get_abs_path(src, g, "nfs.ganesha", "include_file", NFS_GANESHA_INCLUDE, dl, &ok);
	cfg->ganesha_pid_file = get_abs_path(src, g, "nfs.ganesha", "pid_file", NFS_GANESHA_PIDFILE, dl, &ok);
	if (!strcmp(cfg->ganesha_conf, cfg->ganesha_include)) {
		cfg_diag(dl, src, DIAG_ERROR, "nfs.ganesha.include_file",
			 "use a file of its own, such as " NFS_GANESHA_INCLUDE,
			 "the include file must not be the main ganesha config '%s'", cfg->ganesha_conf);
		ok = false;
	}
	json_t *exports = cfg_get_array(src, nfs, "nfs", "exports", false, dl);
	if (exports) {
		size_t n = json_array_size(exports);
		cfg->exports = xcalloc(n ? n : 1, sizeof(*cfg->exports));
		for (size_t i = 0; i < n; i++) {
			char *jp = xasprintf("nfs.exports[%zu]", i);
			struct nfs_export *e = &cfg->exports[cfg->n_exports++];
			if (!load_export(src, json_array_get(exports, i), jp, e, dl))
				ok = false;
			if (e->path && json_is_object(json_array_get(exports, i)))
				lint_export(src, e, json_array_get(exports, i), cfg->server, dl);
			if (e->path)
				for (size_t j = 0; j + 1 < cfg->n_exports; j++)
					if (cfg->exports[j].path && !strcmp(cfg->exports[j].path, e->path)) {
						char *pj = xasprintf("%s.path", jp);
						char *hint = xasprintf("merge its clients into %s", cfg->exports[j].jpath);
						cfg_diag(dl, src, DIAG_ERROR, pj, hint,
							 "path '%s' is already exported by %s", e->path,
							 cfg->exports[j].jpath);
						free(hint);
						free(pj);
						ok = false;
						break;
					}
			free(jp);
		}
	}
	if (diag_count(dl, DIAG_ERROR) != before)
		ok = false;
	return ok ? 0 : -1;
}

void nfs_config_free(struct nfs_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_exports + cfg->n_away; i++) {
		struct nfs_export *e = &cfg->exports[i];
		free(e->nodes);
		free(e->path);
		sv_free(&e->clients);
		sv_free(&e->options);
		free(e->owner);
		free(e->group);
		free(e->jpath);
	}
	free(cfg->exports);
	free(cfg->dropin);
	free(cfg->ganesha_conf);
	free(cfg->ganesha_include);
	free(cfg->ganesha_pid_file);
	memset(cfg, 0, sizeof(*cfg));
}
