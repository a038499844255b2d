#include "config/grammar.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/strbuf.h"

/* ---- Proxmox ------------------------------------------------------------------ */

static const char *pve_prop_problem(const char *s, const char **hint)
{
	*hint = "Proxmox splits a mount point's options at ',' and '=': use a path without them";
	if (strchr(s, ','))
		return "contains ','";
	if (strchr(s, '='))
		return "contains '='";
	return NULL;
}

static const char *fstab_problem(const char *s, const char **hint)
{
	*hint = "the fields of an fstab line are separated by white space: use a path without it";
	if (!*s)
		return "is empty";
	for (const char *c = s; *c; c++)
		if (*c == ' ')
			return "contains white space";
	return NULL;
}

/* ---- hosts and mount options ---------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

static bool dns_name_ok(const char *s)
{
	size_t len = strlen(s);
	if (!len || len > 253)
		return false;
	const char *p = s, *last = s;
	size_t last_n = 0;
	while (*p) {
		size_t n = strcspn(p, ".");
		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
			return false;
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)p[i]) && p[i] != '-')
				return false;
		last = p;
		last_n = n;
		p += n;
		if (*p == '.' && !*++p)
			return false;
	}
	/* a numeric last label is a mistyped address (10.0.0.300), not a name */
	return !all_digits(last, last_n);
}

static const char *host_problem(const char *s, const char **hint)
{
	unsigned char buf[16];
	*hint = "use an address such as 10.0.0.13 or a host name such as nfs.example.com";
	if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1 || dns_name_ok(s))
		return NULL;
	return "is not an IP address or host name";
}

static const char *mount_options_problem(const char *s, const char **hint)
{
	*hint = "write mount options separated by commas, without spaces, such as \"vers=4.2,soft\"";
	for (const char *c = s; *c; c++)
		if (*c == ' ')
			return "contain white space";
	if (!*s || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return "contain an empty option";
	return NULL;
}

/* ---- ZFS ------------------------------------------------------------------------ */

/* ZFS's rule for user property names (zfs_prop_user), plus: never an option (no '-' first). */
static const char *user_prop_problem(const char *s, const char **hint)
{
	*hint = "name user properties module:property in lower case, such as phoenix:note (ZFS allows a-z, 0-9, ':', '.', '_', '-')";
	if (!strchr(s, ':'))
		return "has no ':' (user properties are module:property)";
	if (s[0] == '-')
		return "starts with '-'";
	if (strlen(s) > 255)
		return "is longer than 255 characters";
	for (const char *c = s; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && !strchr(":._-", *c))
			return "contains a character ZFS does not allow in a user property name";
	return NULL;
}

static const char *zfs_value_problem(const char *s, const char **hint)
{
	*hint = "ZFS keeps property values of at most 8191 bytes";
	return strlen(s) > 8191 ? "is longer than 8191 bytes" : NULL;
}

static bool valid_component_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == ':' || c == ' ';
}

/* ZFS naming rules for a dataset name relative to its pool (the full name starts with the pool's). */
static const char *dataset_problem(const char *name)
{
	if (!*name)
		return "is empty";
	if (strlen(name) > 200)
		return "is too long";
	if (name[0] == '/' || name[strlen(name) - 1] == '/')
		return "must not start or end with '/'";
	const char *p = name;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 0)
			return "contains an empty component ('//')";
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return "contains a '.' or '..' component";
		for (size_t i = 0; i < n; i++)
			if (!valid_component_char(p[i]))
				return "contains a character ZFS does not allow (use letters, digits, '-', '_', '.', ':')";
		p += n;
		if (*p == '/')
			p++;
	}
	return NULL;
}

static const char *pool_problem(const char *name)
{
	if (!*name)
		return "is empty";
	if (!isalpha((unsigned char)name[0]))
		return "must start with a letter";
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
			return "contains a character ZFS does not allow (use letters, digits, '-', '_', '.', ':')";
	static const char *const reserved[] = { "mirror", "raidz", "draid", "spare", "log", "cache", "special", "dedup", NULL };
	for (size_t i = 0; reserved[i]; i++)
		if (!strncmp(name, reserved[i], strlen(reserved[i])))
			return "begins with a name ZFS reserves (mirror, raidz, draid, spare, log, cache)";
	if (name[0] == 'c' && isdigit((unsigned char)name[1]))
		return "must not look like a disk name (c0...)";
	return NULL;
}

/* ---- dangerous values ----------------------------------------------------------- */

static const struct {
	const char *dir;
	const char *why;
} system_dirs[] = {
	{ "/etc", "is at or under /etc" },       { "/usr", "is at or under /usr" },
	{ "/bin", "is at or under /bin" },       { "/sbin", "is at or under /sbin" },
	{ "/lib", "is at or under /lib" },       { "/lib32", "is at or under /lib32" },
	{ "/lib64", "is at or under /lib64" },   { "/libx32", "is at or under /libx32" },
	{ "/boot", "is at or under /boot" },     { "/dev", "is at or under /dev" },
	{ "/proc", "is at or under /proc" },     { "/sys", "is at or under /sys" },
	{ "/run", "is at or under /run" },       { "/var/run", "is at or under /var/run" },
	{ "/var/lib/dpkg", "is at or under /var/lib/dpkg" },
};

static int system_dir_index(const char *path)
{
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		size_t n = strlen(system_dirs[i].dir);
		if (!strncmp(path, system_dirs[i].dir, n) && (path[n] == '\0' || path[n] == '/'))
			return (int)i;
	}
	return -1;
}

const char *gram_system_dir(const char *path)
{
	if (!strcmp(path, "/"))
		return "/";
	int i = system_dir_index(path);
	return i < 0 ? NULL : system_dirs[i].dir;
}

static const char *mountpoint_problem(const char *s, const char **hint)
{
	if (!strcmp(s, "none") || !strcmp(s, "legacy"))
		return NULL;
	*hint = "write the path without '.', '..' or '//'";
	if (s[0] != '/')
		return "is not an absolute path";
	if (strstr(s, "//"))
		return "contains '//'";
	for (const char *p = s; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "contains '..'";
		if (n == 1 && p[0] == '.')
			return "contains a '.' component";
		p += n;
	}
	*hint = "give the dataset a directory of its own, such as /quickOS/data or /mnt/pve/NAME; "
		"/, /etc, /usr, /bin, /sbin, /lib*, /boot, /dev, /proc, /sys, /run and /var/lib/dpkg are refused";
	char *norm = xstrdup(s);
	size_t l = strlen(norm);
	while (l > 1 && norm[l - 1] == '/')
		norm[--l] = '\0';
	const char *why = NULL;
	if (!strcmp(norm, "/"))
		why = "is the root directory";
	else if (system_dir_index(norm) >= 0)
		why = system_dirs[system_dir_index(norm)].why;
	free(norm);
	return why;
}

bool gram_mode_world_writable(unsigned mode)
{
	return (mode & 0002) && !(mode & 01000);
}

/* ---- the dispatcher and the reporters ------------------------------------------- */

const char *gram_check(enum gram_target t, const char *s, const char **hint)
{
	const char *h = NULL;
	const char *why = str_ctrl_problem(s);
	if (why) {
		h = str_ctrl_hint;
	} else {
		switch (t) {
		case GRAM_TEXT:
			break;
		case GRAM_PVE_PROP:
			why = pve_prop_problem(s, &h);
			break;
		case GRAM_FSTAB_FIELD:
			why = fstab_problem(s, &h);
			break;
		case GRAM_HOST:
			why = host_problem(s, &h);
			break;
		case GRAM_MOUNT_OPTIONS:
			why = mount_options_problem(s, &h);
			break;
		case GRAM_ZFS_USER_PROP:
			why = user_prop_problem(s, &h);
			break;
		case GRAM_ZFS_VALUE:
			why = zfs_value_problem(s, &h);
			break;
		case GRAM_ZFS_POOL:
			why = pool_problem(s);
			break;
		case GRAM_ZFS_DATASET:
			why = dataset_problem(s);
			break;
		case GRAM_MOUNTPOINT:
			why = mountpoint_problem(s, &h);
			break;
		}
	}
	if (hint)
		*hint = why ? h : NULL;
	return why;
}

bool cfg_check_value(const struct config_src *src, struct diag_list *dl, const char *jpath,
		     enum gram_target t, const char *what, const char *value)
{
	if (!value)
		return true;
	const char *hint;
	const char *why = gram_check(t, value, &hint);
	if (!why)
		return true;
	/* cfg_diag writes the control characters of the value escaped */
	if (!what || hint == str_ctrl_hint)
		cfg_diag(dl, src, DIAG_ERROR, jpath, hint, "'%s' %s", value, why);
	else
		cfg_diag(dl, src, DIAG_ERROR, jpath, hint, "%s '%s' %s", what, value, why);
	return false;
}

void cfg_lint_mode(const struct config_src *src, struct diag_list *dl, const char *jpath,
		   unsigned mode, const char *path)
{
	if (gram_mode_world_writable(mode))
		cfg_diag(dl, src, DIAG_WARNING, jpath, "use 1777 (sticky) or give access through a group",
			 "mode '%04o' lets every user delete the files of others in '%s'", mode, path);
}
