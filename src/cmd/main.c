/* phoenix-storage: command-line entry point; one command per file, dispatched from a table. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "exec/exec.h"

#include "cmd/cmd.h"
#include "util/civil.h"
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
	O_GROW = 1 << 10,
	O_ONLY = 1 << 11,
	O_RUN = 1 << 12,
	O_NOW = 1 << 13,
	O_EXPLAIN = 1 << 14,
	O_ARGS = 1 << 15,
	O_CHECK = 1 << 16,
	O_PROM = 1 << 17,
	O_QUIET = 1 << 18,
	O_SINCE = 1 << 19,
	O_METRICS = 1 << 20,
	O_HTML = 1 << 21,
	O_NODE = 1 << 22,
};

struct command {
	const char *name;
	int (*fn)(const struct options *o);
	unsigned opts;
	const char *summary;
	const char *usage;
};

static const struct command commands[] = {
	{ "validate", cmd_validate, O_NODE | O_CONFIG | O_ROOT | O_JSON | O_GUESTS | O_VERBOSE | O_ONLY | O_QUIET,
	  "parse and check the config; print every problem at once",
	  "exit status: 0 valid, 1 invalid" },
	{ "plan", cmd_plan, O_NODE | O_CONFIG | O_ROOT | O_JSON | O_WIPE | O_DESTROY | O_GROW | O_GUESTS | O_VERBOSE | O_SAMBA_PW | O_ONLY | O_QUIET,
	  "read the real state and print what apply would do",
	  "exit status: 0 nothing to do, 2 changes pending, 1 error" },
	{ "apply", cmd_apply,
	  O_NODE | O_CONFIG | O_ROOT | O_JSON | O_YES | O_WIPE | O_DESTROY | O_GROW | O_GUESTS | O_VERBOSE | O_SAMBA_PW | O_WAIT | O_ONLY | O_QUIET,
	  "converge the host; print each action as it runs",
	  "exit status: 0 converged, 1 error (nothing after the failing action ran)" },
	{ "status", cmd_status, O_NODE | O_CONFIG | O_ROOT | O_JSON | O_GUESTS | O_VERBOSE | O_ONLY | O_CHECK | O_NOW | O_PROM | O_HTML,
	  "pools, health, disks, managed datasets, drift from the config, unmanaged datasets",
	  "exit status: 0, or 1 when the state cannot be read;\n"
	  "with --check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (monitoring-plugin conventions)" },
	{ "run", cmd_run, O_NODE | O_CONFIG | O_ROOT | O_RUN | O_NOW | O_JSON | O_DESTROY | O_VERBOSE | O_QUIET | O_ONLY | O_METRICS,
	  "take and prune due snapshots, replicate, start due scrubs and TRIMs (no job flag: every configured job)",
	  "--only: the jobs of these subsystems (run has jobs for: snapshots, health)\n"
	  "exit status: 0 done, 1 error, 2 with --dry-run when work is pending" },
	{ "snapshots", cmd_snapshots, O_NODE | O_CONFIG | O_NOW | O_JSON | O_EXPLAIN | O_ARGS | O_VERBOSE,
	  "every snapshot of the datasets with a policy: class, age, decision and reason",
	  "DATASET...: only these datasets and the ones below them\nexit status: 0, or 1 when the config or the state cannot be read" },
	{ "history", cmd_history, O_ROOT | O_JSON | O_SINCE,
	  "what apply and run changed: when, by whom, from which config (the audit trail)",
	  "exit status: 0, or 1 when the audit trail cannot be read" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* getopt values of the options without a short form */
enum { L_ROOT = 256, L_JSON, L_WIPE, L_DESTROY, L_LXC, L_VM, L_SAMBA_PW, L_WAIT, L_GROW, L_ONLY, L_SNAPSHOT,
       L_PRUNE, L_SCRUB, L_DRY, L_NOW, L_EXPLAIN, L_CHECK, L_PROM, L_SINCE, L_METRICS, L_HTML, L_REPLICATE, L_NODE };

/*
 * Every option, in the order --help lists them: its long name, short letter
 * (0: none), value placeholder (NULL: takes none; "[...]": optional, given
 * as --name=VALUE or as the next word when that does not start with '-'),
 * the command bit that allows it, its getopt value and its help lines. The
 * parser, --help, --dump-commands (and through it the man page check and the
 * shell completion) all read this table.
 */
static const struct opt_def {
	const char *name;
	char letter;
	const char *arg;
	unsigned bit;
	int val;
	const char *help;
} opt_defs[] = {
	{ "config", 'c', "FILE", O_CONFIG, 'c', "  -c, --config FILE      main config (default " DEFAULT_CONFIG ")" },
	{ "root", 0, "DIR", O_ROOT, L_ROOT, "      --root DIR         prefix every host file read or written (not ZFS itself)" },
	{ "node", 0, "NAME", O_NODE, L_NODE,
	  "      --node NAME        this host's name among cluster.nodes (default: the host name)" },
	{ "lxc-config", 0, "FILE", O_GUESTS, L_LXC,
	  "      --lxc-config FILE  LXC config (default: core_paths.lxc_config_file under --root)" },
	{ "vm-config", 0, "FILE", O_GUESTS, L_VM,
	  "      --vm-config FILE   VM config (default: core_paths.vm_config_file under --root)" },
	{ "only", 0, "LIST", O_ONLY, L_ONLY,
	  "      --only LIST        only these subsystems, comma-separated (zfs,dirs,nfs,samba,pve,snapshots,health),\n"
	  "                         and what they need (repeatable)" },
	{ "json", 0, NULL, O_JSON, L_JSON,
	  "      --json             machine-readable output (apply: one JSON object per line; needs --yes)" },
	{ "yes", 'y', NULL, O_YES, 'y', "  -y, --yes              apply without asking (required without a terminal)" },
	{ "allow-wipe", 0, "DISK", O_WIPE, L_WIPE,
	  "      --allow-wipe DISK  allow wiping DISK before a pool is created on it (repeatable)" },
	{ "allow-destroy", 0, NULL, O_DESTROY, L_DESTROY,
	  "      --allow-destroy    allow removing objects the tool created that the config dropped" },
	{ "allow-grow-pool", 0, NULL, O_GROW, L_GROW,
	  "      --allow-grow-pool  allow adding the data and special vdevs of the config that a pool lacks\n"
	  "                         (zpool add; on most ZFS versions this cannot be undone)" },
	{ "samba-password-stdin", 0, NULL, O_SAMBA_PW, L_SAMBA_PW,
	  "      --samba-password-stdin  the Samba user's password, when it must be added, comes on stdin\n"
	  "                         (first line; apply needs --yes then)" },
	{ "snapshot", 0, NULL, O_RUN, L_SNAPSHOT, "      --snapshot         take the snapshots that are due" },
	{ "prune", 0, NULL, O_RUN, L_PRUNE, "      --prune            destroy the snapshots the policies no longer keep" },
	{ "replicate", 0, NULL, O_RUN, L_REPLICATE, "      --replicate        send the due replications (zfs.replication)" },
	{ "scrub", 0, NULL, O_RUN, L_SCRUB,
	  "      --scrub            start zpool scrub / zpool trim on the pools whose schedule makes it due" },
	{ "dry-run", 0, NULL, O_RUN, L_DRY,
	  "      --dry-run          print what would be done, change nothing (exit 2 when work is pending)" },
	{ "explain", 0, NULL, O_EXPLAIN, L_EXPLAIN,
	  "      --explain          and each dataset's rules, the guard and what a destroy would free" },
	{ "wait", 0, "SECONDS", O_WAIT, L_WAIT,
	  "      --wait SECONDS     wait up to SECONDS for another apply to finish (default 0: refuse at once)" },
	{ "check", 0, NULL, O_CHECK, L_CHECK,
	  "      --check            monitoring-plugin output: a summary line, one line per problem" },
	{ "now", 0, "TIME", O_NOW, L_NOW,
	  "      --now TIME         decide and measure ages as if it were TIME: YYYY-MM-DDTHH:MM:SSZ (UTC),\n"
	  "                         @EPOCH, YYYY-MM-DDTHH:MM[:SS] (local time) or +N[smhd]" },
	{ "prometheus", 0, "[FILE]", O_PROM, L_PROM,
	  "      --prometheus [FILE]  write the metrics for node_exporter's textfile collector (default:\n"
	  "                         monitoring.prometheus_file, else /var/lib/prometheus/node-exporter/phoenix_storage.prom\n"
	  "                         when that directory exists)" },
	{ "html", 0, "FILE", O_HTML, L_HTML,
	  "      --html FILE        write a self-contained HTML page of pools, disks and snapshot timelines to FILE" },
	{ "metrics", 0, "FILE", O_METRICS, L_METRICS,
	  "      --metrics FILE     after the jobs, write the metrics textfile (as status --prometheus does) to FILE" },
	{ "since", 0, "WHEN", O_SINCE, L_SINCE,
	  "      --since WHEN       only records from WHEN on: 2026-12-01, 2026-12-01T08:00 (UTC), 30m, 12h, 7d" },
	{ "quiet", 'q', NULL, O_QUIET, 'q',
	  "  -q, --quiet            only warnings and errors (for timers): nothing on stdout, no notes" },
	{ "verbose", 'v', NULL, O_VERBOSE, 'v',
	  "  -v, --verbose          print each command as it runs (plan: and the commands of each action)" },
};
#define N_OPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))

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
	for (size_t i = 0; i < N_OPTS; i++)
		if (c->opts & opt_defs[i].bit)
			fprintf(f, "%s\n", opt_defs[i].help);
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
 * --now: "YYYY-MM-DDTHH:MM:SSZ" (UTC), "@EPOCH", "YYYY-MM-DDTHH:MM[:SS]" or
 * "YYYY-MM-DD HH:MM[:SS]" in the local zone, or "+N" with s, m, h or d (N
 * from now). Returns 0, or -1.
 */
static int parse_now(const char *v, time_t *t)
{
	char *e;
	size_t len = strlen(v);
	if (len && v[len - 1] == 'Z') {
		int64_t u;
		if (civil_parse_utc(v, &u))
			return -1;
		*t = (time_t)u;
		return 0;
	}
	if (v[0] == '@' || v[0] == '+') {
		if (!isdigit((unsigned char)v[1]))
			return -1;
		long long n = strtoll(v + 1, &e, 10);
		if (v[0] == '@') {
			*t = (time_t)n;
			return *e ? -1 : 0;
		}
		long long unit = !*e || !strcmp(e, "s") ? 1 : !strcmp(e, "m") ? 60 : !strcmp(e, "h") ? 3600
			       : !strcmp(e, "d") ? 86400 : 0;
		if (!unit || n > 36500LL * 86400)
			return -1;
		*t = time(NULL) + (time_t)(n * unit);
		return 0;
	}
	struct tm tm = { 0 };
	int used = 0;
	if (sscanf(v, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &used) < 5)
		return -1;
	if (v[used] == ':') {
		int n2 = 0;
		if (sscanf(v + used, ":%2d%n", &tm.tm_sec, &n2) < 1)
			return -1;
		used += n2;
	}
	if (v[used])
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	*t = mktime(&tm);
	return *t == (time_t)-1 ? -1 : 0;
}

/*
 * Reads the options of command c into o (o's strings point into argv; the
 * allow_wipe and only lists are o's, freed by the caller). Returns 0 to run the command,
 * 1 when --help was printed, -1 after printing an error (unknown option, an
 * option c does not take, a missing or bad value, a relative --root).
 */
static int parse(const struct command *c, int argc, char **argv, struct options *o)
{
	struct option longopts[N_OPTS + 2];
	char shortopts[2 * N_OPTS + 4] = ":h";
	for (size_t i = 0; i < N_OPTS; i++) {
		const char *arg = opt_defs[i].arg;
		longopts[i] = (struct option){ opt_defs[i].name, !arg ? no_argument : arg[0] == '[' ? optional_argument
											 : required_argument,
					       NULL, opt_defs[i].val };
		if (opt_defs[i].letter) {
			char sh[3] = { opt_defs[i].letter, arg ? ':' : '\0', '\0' };
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
		case L_GROW: o->run.allow_grow_pool = true; break;
		case L_LXC: o->run.lxc_config = optarg; break;
		case L_VM: o->run.vm_config = optarg; break;
		case 'v': o->run.verbose = true; break;
		case L_SAMBA_PW: o->run.samba_password_stdin = true; break;
		case L_ONLY: sv_push(&o->run.only, optarg); break;
		case 'q': o->quiet = true; break;
		case L_SINCE: o->since = optarg; break;
		case L_WAIT:
			if (parse_seconds(optarg, &o->wait_s)) {
				fprintf(stderr, "error: --wait '%s' is not a number of seconds\n"
						"  hint: give a whole number from 0 to 86400, e.g. --wait 60\n", optarg);
				return -1;
			}
			break;
		case L_SNAPSHOT: o->snapshot = true; break;
		case L_PRUNE: o->prune = true; break;
		case L_SCRUB: o->scrub = true; break;
		case L_REPLICATE: o->replicate = true; break;
		case L_NODE: o->run.node = optarg; break;
		case L_DRY: o->dry_run = true; break;
		case L_EXPLAIN: o->explain = true; break;
		case L_CHECK: o->check = true; break;
		case L_NOW:
			o->now = optarg;
			if (parse_now(optarg, &o->run.now)) {
				fprintf(stderr, "error: --now '%s' is not a time\n"
						"  hint: give YYYY-MM-DDTHH:MM:SSZ (UTC), @EPOCH, YYYY-MM-DDTHH:MM[:SS] (local time) or +N with s, m, h or d\n",
					optarg);
				return -1;
			}
			break;
		case L_PROM:
			o->prometheus = true;
			/* "--prometheus FILE" as well as "--prometheus=FILE" */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			o->prometheus_file = optarg;
			break;
		case L_METRICS: o->metrics_file = optarg; break;
		case L_HTML: o->html_file = optarg; break;
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
	while (optind < argc && (c->opts & O_ARGS))
		sv_push(&o->args, argv[optind++]);
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
		sv_free(&o.run.only);
		sv_free(&o.args);
		return rc;
	}
	fprintf(stderr, "error: unknown command '%s'\n  hint: run 'phoenix-storage --help' for the list\n", argv[1]);
	return EXIT_ERROR;
}
