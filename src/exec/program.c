#include "exec/program.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strbuf.h"

/* Every program the tool runs, the variable that may name it, and where it comes from. */
static const struct program {
	const char *name, *var, *hint;
} programs[] = {
	{ "zfs", "PHOENIX_ZFS", "install ZFS (zfsutils-linux, or zfs-fuse), or set PHOENIX_ZFS to the program" },
	{ "zpool", "PHOENIX_ZPOOL", "install ZFS (zfsutils-linux, or zfs-fuse), or set PHOENIX_ZPOOL to the program" },
	{ "wipefs", "PHOENIX_WIPEFS", "install util-linux, or set PHOENIX_WIPEFS to the program" },
	{ "exportfs", "PHOENIX_EXPORTFS", "install nfs-kernel-server, or set PHOENIX_EXPORTFS to the program" },
	{ "testparm", "PHOENIX_TESTPARM", "install samba-common-bin, or set PHOENIX_TESTPARM to the program" },
	{ "smbpasswd", "PHOENIX_SMBPASSWD", "install samba-common-bin, or set PHOENIX_SMBPASSWD to the program" },
	{ "pdbedit", "PHOENIX_PDBEDIT", "install samba, or set PHOENIX_PDBEDIT to the program" },
	{ "smbcontrol", "PHOENIX_SMBCONTROL", "install samba, or set PHOENIX_SMBCONTROL to the program" },
	{ "pvesm", "PHOENIX_PVESM", "run on a Proxmox VE host (pve-manager), or set PHOENIX_PVESM to the program" },
	{ "pct", "PHOENIX_PCT", "run on a Proxmox VE host (pve-container), or set PHOENIX_PCT to the program" },
	{ "smartctl", "PHOENIX_SMARTCTL", "install smartmontools, or set PHOENIX_SMARTCTL to the program" },
	{ "qm", "PHOENIX_QM", "run on a Proxmox VE host (qemu-server), or set PHOENIX_QM to the program" },
	{ "ssh", "PHOENIX_SSH", "install openssh-client, or set PHOENIX_SSH to the program" },
};

static const struct program *program_find(const char *name)
{
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		if (!strcmp(programs[i].name, name))
			return &programs[i];
	return NULL;
}

const char *exec_program(const char *name)
{
	const struct program *pg = program_find(name);
	const char *v = pg ? getenv(pg->var) : NULL;
	return v && *v ? v : name;
}

char *exec_resolve(const char *argv0, const char **hint)
{
	if (hint)
		*hint = NULL;
	if (strchr(argv0, '/'))
		return xstrdup(argv0);
	const char *name = exec_program(argv0);
	if (strchr(name, '/'))
		return xstrdup(name);
	for (const char *d = EXEC_TRUSTED_PATH; *d;) {
		size_t n = strcspn(d, ":");
		char *f = xasprintf("%.*s/%s", (int)n, d, name);
		struct stat sb;
		if (stat(f, &sb) == 0 && S_ISREG(sb.st_mode) && access(f, X_OK) == 0)
			return f;
		free(f);
		d += n;
		if (*d)
			d++;
	}
	const struct program *pg = program_find(argv0);
	if (hint)
		*hint = pg ? pg->hint : "install the package that provides it";
	return NULL;
}

static bool needs_quote(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@+%", *s))
			return true;
	return false;
}

/*
 * argv as one POSIX shell command line: words that need it in single quotes
 * (' as '\''). remote: also the first word when it holds '=' (a remote shell
 * would take it for an assignment). Returns a new string (caller frees).
 */
static char *shell_words(const char *const argv[], bool remote)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			sb_addc(&sb, ' ');
		if (!needs_quote(argv[i]) && !(remote && i == 0 && strchr(argv[i], '='))) {
			sb_adds(&sb, argv[i]);
			continue;
		}
		sb_addc(&sb, '\'');
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				sb_adds(&sb, "'\\''");
			else
				sb_addc(&sb, *p);
		}
		sb_addc(&sb, '\'');
	}
	return sb_detach(&sb);
}

char *exec_argv_display(const char *const argv[])
{
	return shell_words(argv, false);
}

char *exec_remote_command(const char *const argv[])
{
	return shell_words(argv, true);
}
