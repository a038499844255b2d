/* phoenix-storage: command-line entry point; one command per file, dispatched from a table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "exec/exec.h"

#include "cmd/cmd.h"
#include "util/strbuf.h"
/* PH_VERSION and PH_GIT_DESCRIBE, written by the Makefile into BUILD/gen/version.h. */
#include "version.h"

enum opt_bits {
	O_CONFIG = 1 << 0,
	O_ROOT = 1 << 1,
	O_JSON = 1 << 2,
	O_YES = 1 << 3,
	O_WIPE = 1 << 4,
	O_DESTROY = 1 << 5,
	O_GUESTS = 1 << 6,
	O_VERBOSE = 1 << 7,
	O_SAMBA_PW = 1 << 8,
	O_WAIT = 1 << 9,
	O_QUIET = 1 << 10,
	O_SINCE = 1 << 11,
};

struct command {
	const char *name;
	int (*fn)(const struct options *o);
	unsigned opts;
	const char *summary;
	const char *usage;
};

static const struct command commands[] = {
	{ "validate", cmd_validate, O_CONFIG | O_ROOT | O_GUESTS | O_VERBOSE | O_QUIET,
	  "parse and check the config; print every problem at once",
	  "exit status: 0 valid, 1 invalid" },
	{ "plan", cmd_plan, O_CONFIG | O_ROOT | O_JSON | O_WIPE | O_DESTROY | O_GUESTS | O_VERBOSE | O_SAMBA_PW | O_QUIET,
	  "read the real state and print what apply would do",
	  "exit status: 0 nothing to do, 2 changes pending, 1 error" },
	{ "apply", cmd_apply, O_CONFIG | O_ROOT | O_YES | O_WIPE | O_DESTROY | O_GUESTS | O_VERBOSE | O_SAMBA_PW | O_WAIT | O_QUIET,
	  "converge the host; print each action as it runs",
	  "exit status: 0 converged, 1 error (nothing after the failing action ran)" },
	{ "status", cmd_status, O_CONFIG | O_ROOT | O_JSON | O_GUESTS | O_VERBOSE,
	  "pools, managed datasets, drift from the config, unmanaged datasets",
	  "exit status: 0, or 1 when the state cannot be read" },
	{ "history", cmd_history, O_ROOT | O_JSON | O_SINCE,
	  "what apply changed: when, by whom, from which config (the audit trail)",
	  "exit status: 0, or 1 when the audit trail cannot be read" },
};

/* getopt values of the options without a short form */
enum { L_ROOT = 256, L_JSON, L_WIPE, L_DESTROY, L_LXC, L_VM, L_SAMBA_PW, L_WAIT, L_QUIET, L_SINCE };

/*
 * Every option: its long name, short letter (0: none), value placeholder
 * (NULL: takes none), the command bit that allows it and its getopt value.
 * The parser, --dump-commands (and through it the man page check and the
 * shell completion) all read this table.
 */
static const struct opt_def {
	const char *name;
	char letter;
	const char *arg;
	unsigned bit;
	int val;
} opt_defs[] = {
	{ "config", 'c', "FILE", O_CONFIG, 'c' },
	{ "root", 0, "DIR", O_ROOT, L_ROOT },
	{ "lxc-config", 0, "FILE", O_GUESTS, L_LXC },
	{ "vm-config", 0, "FILE", O_GUESTS, L_VM },
	{ "json", 0, NULL, O_JSON, L_JSON },
	{ "yes", 'y', NULL, O_YES, 'y' },
	{ "allow-wipe", 0, "DISK", O_WIPE, L_WIPE },
	{ "allow-destroy", 0, NULL, O_DESTROY, L_DESTROY },
	{ "samba-password-stdin", 0, NULL, O_SAMBA_PW, L_SAMBA_PW },
	{ "wait", 0, "SECONDS", O_WAIT, L_WAIT },
	{ "since", 0, "WHEN", O_SINCE, L_SINCE },
	{ "quiet", 'q', NULL, O_QUIET, 'q' },
	{ "verbose", 'v', NULL, O_VERBOSE, 'v' },
};
#define N_OPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct {
	unsigned bit;
	const char *text;
} option_help[] = {
	{ O_CONFIG, "  -c, --config FILE      main config (default " DEFAULT_CONFIG ")" },
	{ O_ROOT, "      --root DIR         prefix every host file read or written (not ZFS itself)" },
	{ O_GUESTS, "      --lxc-config FILE  LXC config (default: core_paths.lxc_config_file under --root)\n"
		    "      --vm-config FILE   VM config (default: core_paths.vm_config_file under --root)" },
	{ O_JSON, "      --json             machine-readable output" },
	{ O_YES, "  -y, --yes              apply without asking (required without a terminal)" },
	{ O_WIPE, "      --allow-wipe DISK  allow wiping DISK before a pool is created on it (repeatable)" },
	{ O_DESTROY, "      --allow-destroy    allow removing objects the tool created that the config dropped" },
	{ O_SAMBA_PW, "      --samba-password-stdin  the Samba user's password, when it must be added, comes on stdin\n"
		      "                         (first line; apply needs --yes then)" },
	{ O_WAIT, "      --wait SECONDS     wait up to SECONDS for another apply to finish (default 0: refuse at once)" },
	{ O_SINCE, "      --since WHEN       only records from WHEN on: 2026-12-01, 2026-12-01T08:00 (UTC), 30m, 12h, 7d" },
	{ O_QUIET, "  -q, --quiet            only warnings and errors (for timers): nothing on stdout, no notes" },
	{ O_VERBOSE, "  -v, --verbose          print each command as it runs (plan: and the commands of each action)" },
};

static void usage_main(FILE *f)
{
	fprintf(f, "usage: phoenix-storage COMMAND [OPTIONS]\n\n"
		   "Converges the storage of a Proxmox VE host (ZFS pools and datasets, and the\n"
		   "layers built on them) from the Phoenix Hypervisor JSON config.\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nphoenix-storage COMMAND --help shows a command's options; --version prints the version.\n");
}

static void usage_cmd(FILE *f, const struct command *c)
{
	fprintf(f, "usage: phoenix-storage %s [OPTIONS]\n\n%s\n\noptions:\n", c->name, c->summary);
	for (size_t i = 0; i < sizeof(option_help) / sizeof(option_help[0]); i++)
		if (c->opts & option_help[i].bit)
			fprintf(f, "%s\n", option_help[i].text);
	fprintf(f, "  -h, --help             this help\n\n%s\n", c->usage);
}

/* "0".."86400" -> *s. Returns 0, or -1 for anything else. */
static int parse_seconds(const char *v, int *s)
{
	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 5)
		return -1;
	long n = strtol(v, NULL, 10);
	if (n > 86400)
		return -1;
	*s = (int)n;
	return 0;
}

/*
 * Reads the options of command c into o (o's strings point into argv; the
 * allow_wipe list is o's, freed by the caller). Returns 0 to run the command,
 * 1 when --help was printed, -1 after printing an error (unknown option, an
 * option c does not take, a missing or bad value, a relative --root).
 */
static int parse(const struct command *c, int argc, char **argv, struct options *o)
{
	struct option longopts[N_OPTS + 2];
	char shortopts[2 * N_OPTS + 4] = ":h";
	for (size_t i = 0; i < N_OPTS; i++) {
		longopts[i] = (struct option){ opt_defs[i].name, opt_defs[i].arg ? required_argument : no_argument,
					       NULL, opt_defs[i].val };
		if (opt_defs[i].letter) {
			char sh[3] = { opt_defs[i].letter, opt_defs[i].arg ? ':' : '\0', '\0' };
			strcat(shortopts, sh);
		}
	}
	longopts[N_OPTS] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[N_OPTS + 1] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;
	optind = 1;
	int ch;
	int li = -1;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, &li)) != -1) {
		unsigned need = 0;
		for (size_t i = 0; i < N_OPTS; i++)
			if (opt_defs[i].val == ch)
				need = opt_defs[i].bit;
		switch (ch) {
		case 'c': o->run.config = optarg; break;
		case L_ROOT: o->run.root = optarg; break;
		case L_JSON: o->json = true; break;
		case 'y': o->yes = true; break;
		case L_WIPE: sv_push(&o->run.allow_wipe, optarg); break;
		case L_DESTROY: o->run.allow_destroy = true; break;
		case L_LXC: o->run.lxc_config = optarg; break;
		case L_VM: o->run.vm_config = optarg; break;
		case 'v': o->run.verbose = true; break;
		case 'q': o->quiet = true; break;
		case L_SINCE: o->since = optarg; break;
		case L_SAMBA_PW: o->run.samba_password_stdin = true; break;
		case L_WAIT:
			if (parse_seconds(optarg, &o->wait_s)) {
				fprintf(stderr, "error: --wait '%s' is not a number of seconds\n"
						"  hint: give a whole number from 0 to 86400, e.g. --wait 60\n", optarg);
				return -1;
			}
			break;
		case 'h': usage_cmd(stdout, c); return 1;
		case ':':
			fprintf(stderr, "error: option '%s' needs a value\n  hint: see 'phoenix-storage %s --help'\n",
				argv[optind - 1], c->name);
			return -1;
		default:
			fprintf(stderr, "error: unknown option '%s' for %s\n  hint: see 'phoenix-storage %s --help'\n",
				argv[optind - 1], c->name, c->name);
			return -1;
		}
		if (!(c->opts & need)) {
			/* name the option, not its value (argv[optind - 1] is the value of "--wait 3") */
			char shortname[3] = { '-', (char)ch, '\0' };
			const char *opt = li >= 0 ? longopts[li].name : shortname;
			fprintf(stderr, "error: option '%s%s' does not apply to %s\n  hint: see 'phoenix-storage %s --help'\n",
				li >= 0 ? "--" : "", opt, c->name, c->name);
			return -1;
		}
		li = -1;
	}
	if (optind < argc) {
		fprintf(stderr, "error: unexpected argument '%s'\n  hint: see 'phoenix-storage %s --help'\n",
			argv[optind], c->name);
		return -1;
	}
	if (o->run.root && o->run.root[0] != '/') {
		fprintf(stderr, "error: --root '%s' is not an absolute path\n", o->run.root);
		return -1;
	}
	return 0;
}

/*
 * --dump-commands (hidden; for the man page check and the shell completion,
 * generated at build time): the command table as tab-separated lines,
 * "command NAME SUMMARY", then "option NAME --LONG -X|- ARG|-" for each
 * option NAME takes (--help included), then "global --help -h -" and
 * "global --version - -".
 */
static void dump_commands(FILE *f)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		fprintf(f, "command\t%s\t%s\n", commands[i].name, commands[i].summary);
		for (size_t j = 0; j < N_OPTS; j++)
			if (commands[i].opts & opt_defs[j].bit)
				fprintf(f, "option\t%s\t--%s\t%s%c\t%s\n", commands[i].name, opt_defs[j].name,
					opt_defs[j].letter ? "-" : "", opt_defs[j].letter ? opt_defs[j].letter : '-',
					opt_defs[j].arg ? opt_defs[j].arg : "-");
		fprintf(f, "option\t%s\t--help\t-h\t-\n", commands[i].name);
	}
	fprintf(f, "global\t--help\t-h\t-\nglobal\t--version\t-\t-\n");
}

/* PHOENIX_STATS=1: the tool's own CPU time and the programs it started, for benchmarks. */
static void print_stats(void)
{
	struct rusage ru;
	if (!getenv("PHOENIX_STATS") || getrusage(RUSAGE_SELF, &ru))
		return;
	fprintf(stderr, "stats: cpu_user_ms=%ld cpu_sys_ms=%ld programs=%u max_rss_kb=%ld\n",
		(long)(ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000),
		(long)(ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000), exec_count(), ru.ru_maxrss);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage_main(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage_main(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("phoenix-storage %s (build %s)\n", PH_VERSION, PH_GIT_DESCRIBE);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--dump-commands")) {
		dump_commands(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		struct options o = { 0 };
		int rc = parse(&commands[i], argc - 1, argv + 1, &o);
		if (rc == 0 && log_setup(o.quiet)) {
			fprintf(stderr, "error: cannot set up the output streams\n");
			rc = -1;
		}
		if (rc == 0) {
			rc = commands[i].fn(&o);
			print_stats();
		}
		else
			rc = rc > 0 ? EXIT_OK : EXIT_ERROR;
		sv_free(&o.run.allow_wipe);
		return rc;
	}
	fprintf(stderr, "error: unknown command '%s'\n  hint: run 'phoenix-storage --help' for the list\n", argv[1]);
	return EXIT_ERROR;
}
