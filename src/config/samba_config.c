#include "config/samba_config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/members.h"
#include "config/grammar.h"
#include "util/path.h"
#include "util/str.h"
#include "util/strbuf.h"

enum otype { OT_BOOL, OT_MODE, OT_INT, OT_NAME, OT_NAMES, OT_HOSTS, OT_TEXT, OT_ENUM };

struct optdef {
	const char *name;
	int group;
	enum otype type;
	const char *const *values;   /* OT_ENUM: accepted values, the first spelling is written */
};

static const char *const v_tristate[] = { "yes", "no", "auto", NULL };
static const char *const v_inherit_owner[] = { "no", "yes", "windows and unix", "unix only", NULL };
static const char *const v_encrypt[] = { "default", "off", "if_required", "desired", "required",
					 "disabled", "enabled", "mandatory", NULL };

/* Share-level smb.conf parameters accepted in `options` (names as smb.conf(5) spells them). */
static const struct optdef optdefs[] = {
	{ "browseable", 1, OT_BOOL, NULL },
	{ "browsable", 1, OT_BOOL, NULL },
	{ "read only", 2, OT_BOOL, NULL },
	{ "writable", 2, OT_BOOL, NULL },
	{ "writeable", 2, OT_BOOL, NULL },
	{ "write ok", 2, OT_BOOL, NULL },
	{ "guest ok", 3, OT_BOOL, NULL },
	{ "public", 3, OT_BOOL, NULL },
	{ "guest only", 4, OT_BOOL, NULL },
	{ "only guest", 4, OT_BOOL, NULL },
	{ "available", 5, OT_BOOL, NULL },
	{ "comment", 6, OT_TEXT, NULL },
	{ "create mask", 7, OT_MODE, NULL },
	{ "create mode", 7, OT_MODE, NULL },
	{ "directory mask", 8, OT_MODE, NULL },
	{ "directory mode", 8, OT_MODE, NULL },
	{ "force create mode", 9, OT_MODE, NULL },
	{ "force directory mode", 10, OT_MODE, NULL },
	{ "force user", 11, OT_NAME, NULL },
	{ "force group", 12, OT_NAME, NULL },
	{ "write list", 13, OT_NAMES, NULL },
	{ "read list", 14, OT_NAMES, NULL },
	{ "invalid users", 15, OT_NAMES, NULL },
	{ "admin users", 16, OT_NAMES, NULL },
	{ "hosts allow", 17, OT_HOSTS, NULL },
	{ "allow hosts", 17, OT_HOSTS, NULL },
	{ "hosts deny", 18, OT_HOSTS, NULL },
	{ "deny hosts", 18, OT_HOSTS, NULL },
	{ "inherit permissions", 19, OT_BOOL, NULL },
	{ "inherit acls", 20, OT_BOOL, NULL },
	{ "inherit owner", 21, OT_ENUM, v_inherit_owner },
	{ "hide dot files", 22, OT_BOOL, NULL },
	{ "hide unreadable", 23, OT_BOOL, NULL },
	{ "hide unwriteable files", 24, OT_BOOL, NULL },
	{ "hide special files", 25, OT_BOOL, NULL },
	{ "veto files", 26, OT_TEXT, NULL },
	{ "follow symlinks", 27, OT_BOOL, NULL },
	{ "wide links", 28, OT_BOOL, NULL },
	{ "strict locking", 29, OT_ENUM, v_tristate },
	{ "oplocks", 30, OT_BOOL, NULL },
	{ "level2 oplocks", 31, OT_BOOL, NULL },
	{ "max connections", 32, OT_INT, NULL },
	{ "ea support", 33, OT_BOOL, NULL },
	{ "store dos attributes", 34, OT_BOOL, NULL },
	{ "map acl inherit", 35, OT_BOOL, NULL },
	{ "nt acl support", 36, OT_BOOL, NULL },
	{ "case sensitive", 37, OT_ENUM, v_tristate },
	{ "preserve case", 38, OT_BOOL, NULL },
	{ "short preserve case", 39, OT_BOOL, NULL },
	{ "smb encrypt", 40, OT_ENUM, v_encrypt },
	{ "access based share enum", 41, OT_BOOL, NULL },
	{ "dos filemode", 42, OT_BOOL, NULL },
};

/* Parameters that run programs or pull in other files: never from the config. */
static const char *const forbidden[] = {
	"include", "copy", "preexec", "exec", "postexec", "root preexec", "root postexec",
	"root preexec close", "preexec close", "magic script", "magic output", "dfree command",
	"print command", "lpq command", "lprm command", "queuepause command",
	"queueresume command", "lppause command", "lpresume command", "vfs objects",
	"vfs object", NULL,
};

#define OPTIONS_HINT \
	"write options as key=value separated by spaces, e.g. \"browseable=yes writable=yes\""
#define KNOWN_HINT                                                                            \
	"supported: browseable, writable, read only, guest ok, guest only, available, comment, " \
	"create mask, directory mask, force create mode, force directory mode, force user, "    \
	"force group, write list, read list, invalid users, admin users, hosts allow, "         \
	"hosts deny, inherit permissions, inherit acls, inherit owner, hide dot files, "        \
	"veto files, follow symlinks, wide links, oplocks, smb encrypt and more (docs/samba.md)"

/* "Read_Only", "read-only" and "readonly" all become "readonly". */
static char *squash(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ' || c == '_' || c == '-' || c == '\t')
			continue;
		sb_addc(&sb, (char)tolower((unsigned char)c));
	}
	return sb_detach(&sb);
}

static const struct optdef *optdef_find(const char *key)
{
	char *k = squash(key, strlen(key));
	const struct optdef *found = NULL;
	for (size_t i = 0; i < sizeof(optdefs) / sizeof(optdefs[0]) && !found; i++) {
		char *n = squash(optdefs[i].name, strlen(optdefs[i].name));
		if (!strcmp(n, k))
			found = &optdefs[i];
		free(n);
	}
	free(k);
	return found;
}

static const char *forbidden_find(const char *key)
{
	char *k = squash(key, strlen(key));
	const char *found = NULL;
	for (size_t i = 0; forbidden[i] && !found; i++) {
		char *n = squash(forbidden[i], strlen(forbidden[i]));
		if (!strcmp(n, k))
			found = forbidden[i];
		free(n);
	}
	free(k);
	return found;
}

static int parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	for (size_t i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i]))
			return 1;
	for (size_t i = 0; no[i]; i++)
		if (!strcasecmp(v, no[i]))
			return 0;
	return -1;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' || c == '$';
}

/* A user or group name, optionally prefixed by @, + or & (group forms). */
static bool user_ok(const char *s, bool allow_group)
{
	size_t i = 0;
	if (allow_group)
		while (i < 2 && (s[i] == '@' || s[i] == '+' || s[i] == '&'))
			i++;
	if (!s[i] || s[i] == '-' || strlen(s + i) > 64)
		return false;
	for (; s[i]; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

static bool host_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".:/_*-", *s))
			return false;
	return true;
}

static bool text_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]) || s[n - 1] == '\\')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '%')
			return false;
	return true;
}

/*
 * Validates value v of share option key (of d's type: boolean, octal mode,
 * number, name, names, hosts, text or one of d's values) and returns it in
 * the form testparm prints (new string, caller frees), or NULL with *err (new
 * string, caller frees) saying what is wrong and *hint (static, may be NULL).
 */
static char *normalise(const struct optdef *d, const char *key, const char *v, char **err,
		       const char **hint)
{
	switch (d->type) {
	case OT_BOOL: {
		int b = parse_bool(v);
		if (b < 0) {
			*err = xasprintf("share option '%s': '%s' is not a boolean", key, v);
			*hint = "use yes or no";
			return NULL;
		}
		return xstrdup(b ? "yes" : "no");
	}
	case OT_MODE: {
		size_t n = strlen(v);
		bool ok = n >= 1 && n <= 4;
		for (size_t i = 0; i < n && ok; i++)
			ok = v[i] >= '0' && v[i] <= '7';
		if (!ok) {
			*err = xasprintf("share option '%s': '%s' is not an octal mode", key, v);
			*hint = "use up to four octal digits, e.g. 0770";
			return NULL;
		}
		return xasprintf("%04lo", strtoul(v, NULL, 8));
	}
	case OT_INT: {
		char *end;
		errno = 0;
		long x = strtol(v, &end, 10);
		if (!*v || *end || errno || x < 0 || x > INT_MAX) {
			*err = xasprintf("share option '%s': '%s' is not a non-negative integer", key, v);
			*hint = NULL;
			return NULL;
		}
		return xasprintf("%ld", x);
	}
	case OT_NAME:
		if (!user_ok(v, d->group == 12)) {
			*err = xasprintf("share option '%s': invalid name '%s'", key, v);
			*hint = "use a user or group name (letters, digits, . _ -)";
			return NULL;
		}
		return xstrdup(v);
	case OT_NAMES:
	case OT_HOSTS: {
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		char *copy = xstrdup(v), *save = NULL;
		size_t items = 0;
		for (char *it = strtok_r(copy, ", ", &save); it; it = strtok_r(NULL, ", ", &save)) {
			bool ok = d->type == OT_NAMES ? user_ok(it, true) : host_ok(it);
			if (!ok) {
				*err = xasprintf("share option '%s': invalid %s '%s'", key,
						 d->type == OT_NAMES ? "user or group" : "host", it);
				*hint = d->type == OT_NAMES ? "list users or @groups separated by commas"
							    : "list addresses, networks or host names separated by commas";
				free(copy);
				sb_release(&sb);
				return NULL;
			}
			sb_addf(&sb, "%s%s", items++ ? "," : "", it);
		}
		free(copy);
		if (!items) {
			*err = xasprintf("share option '%s' is empty", key);
			*hint = NULL;
			sb_release(&sb);
			return NULL;
		}
		return sb_detach(&sb);
	}
	case OT_TEXT:
		if (!text_ok(v)) {
			*err = xasprintf("share option '%s': invalid value '%s'", key, v);
			*hint = "use printable text without '%', control characters or surrounding spaces";
			return NULL;
		}
		return xstrdup(v);
	case OT_ENUM:
		for (size_t i = 0; d->values[i]; i++) {
			const char *e = d->values[i];
			bool eq = strlen(e) == strlen(v);
			for (size_t j = 0; eq && e[j]; j++) {
				char a = (char)tolower((unsigned char)v[j]);
				eq = a == e[j] || (a == '_' && e[j] == ' ');
			}
			if (eq)
				return xstrdup(e);
		}
		if (d->values == v_tristate) {
			int b = parse_bool(v);
			if (b >= 0)
				return xstrdup(b ? "yes" : "no");
		}
		{
			struct strbuf sb = STRBUF_INIT;
			sb_init(&sb);
			for (size_t i = 0; d->values[i]; i++)
				sb_addf(&sb, "%s%s", i ? ", " : "", d->values[i]);
			*err = xasprintf("share option '%s': '%s' is not one of %s", key, v, sb.buf);
			sb_release(&sb);
		}
		*hint = "quote values with spaces: key=\"windows and unix\"";
		return NULL;
	}
	return NULL;
}

void samba_options_free(struct samba_option *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(opts[i].key);
		free(opts[i].value);
	}
	free(opts);
}

/* Adds key=value after checks; returns 0 or -1 with *err. */
static int add_option(const char *key, const char *value, struct samba_option **opts,
		      size_t *n_opts, char **err, const char **hint)
{
	const struct optdef *d = optdef_find(key);
	if (!d) {
		const char *f = forbidden_find(key);
		char *sq = squash(key, strlen(key));
		if (!strcmp(sq, "path")) {
			*err = xasprintf("share option 'path' is not allowed in options");
			*hint = "give the directory as the share's \"path\"";
		} else if (!strcmp(sq, "validusers")) {
			*err = xasprintf("share option 'valid users' is not allowed in options");
			*hint = "list the users in the share's \"valid_users\" array";
		} else if (f) {
			*err = xasprintf("share option '%s' is not allowed: it runs programs or reads other files", f);
			*hint = "set it in smb.conf by hand if you really need it";
		} else {
			*err = xasprintf("unknown share option '%s'", key);
			*hint = KNOWN_HINT;
		}
		free(sq);
		return -1;
	}
	for (size_t i = 0; i < *n_opts; i++)
		if ((*opts)[i].group == d->group) {
			if (!strcmp((*opts)[i].key, d->name))
				*err = xasprintf("share option '%s' is given twice", d->name);
			else
				*err = xasprintf("share options '%s' and '%s' set the same Samba parameter",
						 (*opts)[i].key, d->name);
			*hint = "keep one of them";
			return -1;
		}
	char *norm = normalise(d, d->name, value, err, hint);
	if (!norm)
		return -1;
	/* The inverse synonyms of "read only" keep their own spelling and sense. */
	*opts = xrealloc(*opts, (*n_opts + 1) * sizeof(**opts));
	(*opts)[*n_opts] = (struct samba_option){ xstrdup(d->name), norm, d->group };
	(*n_opts)++;
	return 0;
}

int samba_options_parse(const char *text, struct samba_option **opts, size_t *n_opts, char **err,
			const char **hint)
{
	const char *p = text;
	*err = NULL;
	*hint = NULL;
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		const char *ks = p;
		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		if (*p != '=' || p == ks) {
			const char *te = p;
			while (*te && !isspace((unsigned char)*te))
				te++;
			*err = xasprintf("malformed share option '%.*s'", (int)(te - ks), ks);
			*hint = OPTIONS_HINT;
			return -1;
		}
		char *key = xstrndup(ks, (size_t)(p - ks));
		p++;
		char *value;
		if (*p == '"') {
			const char *vs = ++p;
			while (*p && *p != '"')
				p++;
			if (!*p) {
				*err = xasprintf("share option '%s': missing closing quote", key);
				*hint = OPTIONS_HINT;
				free(key);
				return -1;
			}
			value = xstrndup(vs, (size_t)(p - vs));
			p++;
		} else {
			const char *vs = p;
			while (*p && !isspace((unsigned char)*p))
				p++;
			value = xstrndup(vs, (size_t)(p - vs));
		}
		if (!*value) {
			*err = xasprintf("share option '%s' has no value", key);
			*hint = OPTIONS_HINT;
			free(key);
			free(value);
			return -1;
		}
		int rc = add_option(key, value, opts, n_opts, err, hint);
		free(key);
		free(value);
		if (rc)
			return -1;
	}
}

char *samba_share_path(const char *text, char **err)
{
	*err = NULL;
	size_t n = strlen(text);
	if (!n) {
		*err = xstrdup("share path is empty");
		return NULL;
	}
	if (isspace((unsigned char)text[0]) || isspace((unsigned char)text[n - 1])) {
		*err = xasprintf("share path '%s' has leading or trailing spaces", text);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f) {
			*err = xasprintf("share path '%s' contains a control character", text);
			return NULL;
		}
		if (c == '%') {
			*err = xasprintf("share path '%s' contains '%%' (smb.conf macros are not supported)", text);
			return NULL;
		}
	}
	if (text[n - 1] == '\\') {
		*err = xasprintf("share path '%s' ends with '\\' (smb.conf would join the next line to it)", text);
		return NULL;
	}
	const char *bad;
	size_t bad_len;
	char *clean = path_clean(NULL, text, &bad, &bad_len);
	if (!clean) {
		*err = xasprintf("share path '%s' contains '%.*s'", text, (int)bad_len, bad);
		return NULL;
	}
	if (!strcmp(clean, "/")) {
		*err = xasprintf("share path '%s' is the root directory", text);
		free(clean);
		return NULL;
	}
	return clean;
}

bool samba_share_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 80)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '$' && i == n - 1 && i > 0)
			continue;
		if (!isalnum((unsigned char)c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

char *samba_share_summary(const struct samba_share *sh)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < sh->n_opts; i++) {
		const char *v = sh->opts[i].value;
		bool q = strchr(v, ' ') != NULL;
		sb_addf(&sb, "%s%s=%s%s%s", sb.len ? ", " : "", sh->opts[i].key, q ? "\"" : "", v,
			q ? "\"" : "");
	}
	if (sh->n_valid_users) {
		sb_addf(&sb, "%svalid users=", sb.len ? ", " : "");
		for (size_t i = 0; i < sh->n_valid_users; i++)
			sb_addf(&sb, "%s%s", i ? "," : "", sh->valid_users[i]);
	}
	return sb_detach(&sb);
}

static bool abs_path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20)
			return false;
	return !strstr(p, "/../") && !strstr(p, "/./") && strcmp(p, "/");
}

static const char *const reserved_names[] = { "global", "homes", "printers", "print$", "ipc$", NULL };

/* Reports a password member anywhere in obj (the config must never hold one), then its unknown members. */
static int check_keys(const struct config_src *src, json_t *obj, const char *jpath,
		      enum cfg_kind kind, struct diag_list *dl)
{
	int errors = 0;
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val) {
		char *kp = xasprintf("%s.%s", jpath, key);
		if (strcasestr(key, "password") && strcmp(key, "password_file")) {
			cfg_diag(dl, src, DIAG_ERROR, kp,
				 "put the password in a file readable only by root and set samba.password_file",
				 "passwords are never read from the config");
			errors++;
		}
		free(kp);
	}
	return errors + cfg_check_members(src, obj, jpath, kind, dl);
}

/*
 * The older share form ({"path", "options"}, no name): the share is named
 * after the last part of its path, as the later configs name theirs, with a
 * warning giving the member to add. Returns that name (caller frees) or NULL
 * when the path has no usable last part (then "name" is reported missing).
 */
static char *old_form_name(const struct config_src *src, const char *jpath, const char *path, struct diag_list *dl)
{
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (start == n) {
		cfg_get_string(src, NULL, jpath, "name", true, dl);
		return NULL;
	}
	char *name = xstrndup(path + start, n - start);
	char *hint = xasprintf("add \"name\": \"%s\" to keep this name (the current form of a share)", name);
	cfg_diag(dl, src, DIAG_WARNING, jpath, hint, "share has no name: named '%s' after the last part of its path", name);
	free(hint);
	return name;
}

/*
 * samba.shares[idx] into sh: name (unique against prev[0..n_prev) and not
 * reserved), path, options (each known to Samba and normalised), valid users,
 * outside_zfs. Returns the number of errors added to dl (sh keeps what could
 * be read; the caller frees it).
 */
static int load_share(const struct config_src *src, json_t *js, size_t idx, struct samba_share *sh,
		      struct samba_share *prev, size_t n_prev, struct diag_list *dl)
{
	int errors = 0;
	sh->jpath = xasprintf("samba.shares[%zu]", idx);
	if (!json_is_object(js)) {
		cfg_diag(dl, src, DIAG_ERROR, sh->jpath,
			 "use {\"name\": \"data\", \"path\": \"tank/data\", \"valid_users\": [\"heads\"]}",
			 "share must be an object");
		return 1;
	}
	errors += check_keys(src, js, sh->jpath, CFG_SAMBA_SHARE, dl);
	size_t before = diag_count(dl, DIAG_ERROR);
	sh->nodes = cfg_get_nodes(src, js, sh->jpath, dl, "share");
	const char *path = cfg_get_string(src, js, sh->jpath, "path", true, dl);
	char *derived = NULL;
	const char *name = json_object_get(js, "name") || !path ? cfg_get_string(src, js, sh->jpath, "name", true, dl)
								 : (derived = old_form_name(src, sh->jpath, path, dl));
	json_t *opts = json_object_get(js, "options");
	json_t *users = cfg_get_array(src, js, sh->jpath, "valid_users", false, dl);
	json_t *oz = json_object_get(js, "outside_zfs");
	errors += (int)(diag_count(dl, DIAG_ERROR) - before);
	char *jp;
	if (name) {
		jp = xasprintf("%s.name", sh->jpath);
		bool reserved = false;
		for (size_t i = 0; reserved_names[i]; i++)
			reserved = reserved || !strcasecmp(name, reserved_names[i]);
		if (!samba_share_name_ok(name)) {
			cfg_diag(dl, src, DIAG_ERROR, jp,
				 "use 1-80 letters, digits, '.', '_' or '-' (a final '$' hides the share)",
				 "invalid share name '%s'", name);
			errors++;
		} else if (reserved) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "choose another name",
				 "share name '%s' is reserved by Samba", name);
			errors++;
		} else {
			for (size_t i = 0; i < n_prev; i++)
				if (prev[i].name && !strcasecmp(prev[i].name, name)) {
					cfg_diag(dl, src, DIAG_ERROR, jp,
						 "share names are case-insensitive; rename one of them",
						 "share '%s' is defined twice (also %s)", name, prev[i].jpath);
					errors++;
					name = NULL;
					break;
				}
			if (name)
				sh->name = xstrdup(name);
		}
		free(jp);
	}
	if (path) {
		char *err = NULL;
		jp = xasprintf("%s.path", sh->jpath);
		sh->path = samba_share_path(path, &err);
		if (!sh->path) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "use a directory such as \"quickOS/shared-prod-data\"",
				 "%s", err);
			errors++;
		}
		free(err);
		free(jp);
	}
	jp = xasprintf("%s.options", sh->jpath);
	if (opts && json_is_string(opts)) {
		char *err = NULL;
		const char *hint = NULL;
		if (!cfg_string(src, opts, jp, dl)) {
			errors++;
		} else if (samba_options_parse(json_string_value(opts), &sh->opts, &sh->n_opts, &err, &hint)) {
			cfg_diag(dl, src, DIAG_ERROR, jp, hint, "%s", err);
			errors++;
		}
		free(err);
	} else if (opts && json_is_object(opts)) {
		const char *key;
		json_t *val;
		json_object_foreach(opts, key, val) {
			char *kp = xasprintf("%s.%s", jp, key);
			char *text = json_is_string(val) ? xstrdup(json_string_value(val))
				     : json_is_boolean(val) ? xstrdup(json_is_true(val) ? "yes" : "no")
				     : json_is_integer(val) ? xasprintf("%lld", (long long)json_integer_value(val))
				     : NULL;
			char *err = NULL;
			const char *hint = NULL;
			if (!text) {
				cfg_diag(dl, src, DIAG_ERROR, kp, NULL, "option value must be a string, number or boolean");
				errors++;
			} else if (!cfg_check_value(src, dl, kp, GRAM_TEXT, NULL, text)) {
				errors++;
			} else if (add_option(key, text, &sh->opts, &sh->n_opts, &err, &hint)) {
				cfg_diag(dl, src, DIAG_ERROR, kp, hint, "%s", err);
				errors++;
			}
			free(err);
			free(text);
			free(kp);
		}
	} else if (opts && !json_is_null(opts)) {
		cfg_diag(dl, src, DIAG_ERROR, jp, OPTIONS_HINT, "options must be a string or an object");
		errors++;
	}
	free(jp);
	if (users) {
		sh->valid_users = xcalloc(json_array_size(users) + 1, sizeof(char *));
		size_t i;
		json_t *u;
		json_array_foreach(users, i, u) {
			char *up = xasprintf("%s.valid_users[%zu]", sh->jpath, i);
			if (json_is_string(u) && !cfg_string(src, u, up, dl)) {
				errors++;
			} else if (!json_is_string(u) || !user_ok(json_string_value(u), true)) {
				cfg_diag(dl, src, DIAG_ERROR, up, "use a user name or @group",
					 "invalid user '%s'", json_is_string(u) ? json_string_value(u) : "(not a string)");
				errors++;
			} else {
				sh->valid_users[sh->n_valid_users++] = xstrdup(json_string_value(u));
			}
			free(up);
		}
	}
	if (oz && !json_is_boolean(oz)) {
		jp = xasprintf("%s.outside_zfs", sh->jpath);
		cfg_diag(dl, src, DIAG_ERROR, jp, NULL, "must be true or false");
		free(jp);
		errors++;
	}
	sh->outside_zfs = oz && json_is_true(oz);
	free(derived);
	return errors;
}

/*
 * The samba section (see samba_config.h): user, password_file (never the
 * password itself), smb_conf and the shares file beside it, every share.
 * Returns 0, or -1 when an error was found (all in dl); cfg is filled either
 * way and owned by the caller (samba_config_free).
 */
int samba_config_load(const struct config_src *src, struct samba_config *cfg, struct diag_list *dl)
{
	memset(cfg, 0, sizeof(*cfg));
	json_t *s = src->root ? json_object_get(src->root, "samba") : NULL;
	if (!s || json_is_null(s))
		return 0;
	cfg->present = true;
	if (!json_is_object(s)) {
		cfg_diag(dl, src, DIAG_ERROR, "samba", NULL, "must be an object");
		return -1;
	}
	int errors = check_keys(src, s, "samba", CFG_SAMBA, dl);
	size_t before = diag_count(dl, DIAG_ERROR);
	const char *user = cfg_get_string(src, s, "samba", "user", false, dl);
	const char *pwf = cfg_get_string(src, s, "samba", "password_file", false, dl);
	const char *conf = cfg_get_string(src, s, "samba", "smb_conf", false, dl);
	json_t *shares = cfg_get_array(src, s, "samba", "shares", false, dl);
	errors += (int)(diag_count(dl, DIAG_ERROR) - before);
	if (user) {
		if (!user_ok(user, false)) {
			cfg_diag(dl, src, DIAG_ERROR, "samba.user", "use a system user name",
				 "invalid user name '%s'", user);
			errors++;
		} else {
			cfg->user = xstrdup(user);
		}
	}
	if (pwf) {
		if (!abs_path_ok(pwf)) {
			cfg_diag(dl, src, DIAG_ERROR, "samba.password_file",
				 "use an absolute path such as /root/samba-heads.pass",
				 "password file '%s' is not an absolute path", pwf);
			errors++;
		} else {
			cfg->password_file = xstrdup(pwf);
		}
	}
	if (conf && !abs_path_ok(conf)) {
		cfg_diag(dl, src, DIAG_ERROR, "samba.smb_conf", "use an absolute path such as /etc/samba/smb.conf",
			 "smb.conf path '%s' is not an absolute path", conf);
		errors++;
		conf = NULL;
	}
	cfg->smb_conf = xstrdup(conf ? conf : SAMBA_DEFAULT_SMB_CONF);
	const char *slash = strrchr(cfg->smb_conf, '/');
	cfg->shares_file = xasprintf("%.*s/%s", (int)(slash - cfg->smb_conf), cfg->smb_conf,
				     SAMBA_SHARES_FILE_NAME);
	if (!strcmp(cfg->shares_file, cfg->smb_conf)) {
		cfg_diag(dl, src, DIAG_ERROR, "samba.smb_conf", "name the main file differently",
			 "smb.conf path '%s' is the file this tool writes", conf);
		errors++;
	}
	if (shares) {
		size_t n = json_array_size(shares);
		cfg->shares = xcalloc(n ? n : 1, sizeof(*cfg->shares));
		for (size_t i = 0; i < n; i++) {
			errors += load_share(src, json_array_get(shares, i), i, &cfg->shares[i], cfg->shares,
					     i, dl);
			cfg->n_shares++;
		}
	}
	return errors ? -1 : 0;
}

static void share_free(struct samba_share *sh)
{
	free(sh->name);
	free(sh->path);
	samba_options_free(sh->opts, sh->n_opts);
	for (size_t i = 0; i < sh->n_valid_users; i++)
		free(sh->valid_users[i]);
	free(sh->valid_users);
	free(sh->nodes);
	free(sh->jpath);
}

void samba_config_free(struct samba_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->user);
	free(cfg->password_file);
	free(cfg->smb_conf);
	free(cfg->shares_file);
	for (size_t i = 0; i < cfg->n_shares + cfg->n_away; i++)
		share_free(&cfg->shares[i]);
	free(cfg->shares);
	memset(cfg, 0, sizeof(*cfg));
}
