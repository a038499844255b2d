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

#define VERSION "0.1.0"

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
	O_NODE = 1 << 18,
};

struct command {
	const char *name;
	int (*fn)(const struct options *o);
	unsigned opts;
	const char *summary;
	const char *usage;
};

static const struct command commands[] = {
	{ "validate", cmd_validate, O_NODE | O_CONFIG | O_ROOT | O_JSON | O_GUESTS | O_VERBOSE | O_ONLY,
	  "parse and check the config; print every problem at once",
	  "exit status: 0 valid, 1 invalid" },
	{ "plan", cmd_plan, O_NODE | O_CONFIG | O_ROOT | O_JSON | O_WIPE | O_DESTROY | O_GROW | O_GUESTS | O_VERBOSE | O_SAMBA_PW | O_ONLY,
	  "read the real state and print what apply would do",
	  "exit status: 0 nothing to do, 2 changes pending, 1 error" },
	{ "apply", cmd_apply,
	  O_NODE | O_CONFIG | O_ROOT | O_JSON | O_YES | O_WIPE | O_DESTROY | O_GROW | O_GUESTS | O_VERBOSE | O_SAMBA_PW | O_WAIT | O_ONLY,
	  "converge the host; print each action as it runs",
	  "exit status: 0 converged, 1 error (nothing after the failing action ran)" },
	{ "status", cmd_status, O_NODE | O_CONFIG | O_ROOT | O_JSON | O_GUESTS | O_VERBOSE | O_ONLY | O_CHECK | O_NOW | O_PROM,
	  "pools, health, disks, managed datasets, drift from the config, unmanaged datasets",
	  "exit status: 0, or 1 when the state cannot be read;\n"
	  "with --check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (monitoring-plugin conventions)" },
	{ "run", cmd_run, O_NODE | O_CONFIG | O_RUN | O_NOW | O_JSON | O_DESTROY | O_VERBOSE,
	  "take and prune the snapshots the policies make due, replicate (no job flag: every configured job)",
	  "exit status: 0 done, 1 error, 2 with --dry-run when work is pending" },
	{ "snapshots", cmd_snapshots, O_NODE | O_CONFIG | O_NOW | O_JSON | O_EXPLAIN | O_ARGS | O_VERBOSE,
	  "every snapshot of the datasets with a policy: class, age, decision and reason",
	  "DATASET...: only these datasets and the ones below them\nexit status: 0, or 1 when the config or the state cannot be read" },
};

static const struct {
	unsigned bit;
	const char *text;
} option_help[] = {
	{ O_CONFIG, "  -c, --config FILE      main config (default " DEFAULT_CONFIG ")" },
	{ O_ROOT, "      --root DIR         prefix every host file read or written (not ZFS itself)" },
	{ O_NODE, "      --node NAME        this host's name among cluster.nodes (default: the host name)" },
	{ O_GUESTS, "      --lxc-config FILE  LXC config (default: core_paths.lxc_config_file under --root)\n"
		    "      --vm-config FILE   VM config (default: core_paths.vm_config_file under --root)" },
	{ O_ONLY, "      --only LIST        only these subsystems, comma-separated (zfs,dirs,nfs,samba,pve,snapshots,health),\n"
		  "                         and what they need (repeatable)" },
	{ O_JSON, "      --json             machine-readable output (apply: one JSON object per line; needs --yes)" },
	{ O_YES, "  -y, --yes              apply without asking (required without a terminal)" },
	{ O_WIPE, "      --allow-wipe DISK  allow wiping DISK before a pool is created on it (repeatable)" },
	{ O_DESTROY, "      --allow-destroy    allow removing objects the tool created that the config dropped" },
	{ O_GROW, "      --allow-grow-pool  allow adding the data and special vdevs of the config that a pool lacks\n"
		  "                         (zpool add; on most ZFS versions this cannot be undone)" },
	{ O_SAMBA_PW, "      --samba-password-stdin  the Samba user's password, when it must be added, comes on stdin\n"
		      "                         (first line; apply needs --yes then)" },
	{ O_RUN, "      --snapshot         take the snapshots that are due\n"
		 "      --prune            destroy the snapshots the policies no longer keep\n"
		 "      --replicate        send the due replications (zfs.replication)\n"
		 "      --dry-run          print what would be done, change nothing (exit 2 when work is pending)" },
	{ O_EXPLAIN, "      --explain          and each dataset's rules, the guard and what a destroy would free" },
	{ O_WAIT, "      --wait SECONDS     wait up to SECONDS for another apply to finish (default 0: refuse at once)" },
	{ O_CHECK, "      --check            monitoring-plugin output: a summary line, one line per problem" },
	{ O_NOW, "      --now TIME         decide and measure ages as if it were TIME: YYYY-MM-DDTHH:MM:SSZ (UTC),\n"
		 "                         @EPOCH, YYYY-MM-DDTHH:MM[:SS] (local time) or +N[smhd]" },
	{ O_PROM, "      --prometheus [FILE]  write the metrics for node_exporter's textfile collector (default:\n"
		  "                         monitoring.prometheus_file, else " "/var/lib/prometheus/node-exporter/phoenix_storage.prom\n"
		  "                         when that directory exists)" },
	{ O_VERBOSE, "  -v, --verbose          print each command as it runs (plan: and the commands of each action)" },
};

static void usage_main(FILE *f)
{
	fprintf(f, "usage: phoenix-storage COMMAND [OPTIONS]\n\n"
		   "Converges the storage of a Proxmox VE host (ZFS pools and datasets, and the\n"
		   "layers built on them) from the Phoenix Hypervisor JSON config.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
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
	enum { L_ROOT = 256, L_JSON, L_WIPE, L_DESTROY, L_LXC, L_VM, L_SAMBA_PW, L_WAIT, L_GROW, L_ONLY, L_SNAPSHOT,
	       L_PRUNE, L_DRY, L_NOW, L_EXPLAIN, L_CHECK, L_PROM, L_REPLICATE, L_NODE };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, L_ROOT },
		{ "json", no_argument, NULL, L_JSON },
		{ "yes", no_argument, NULL, 'y' },
		{ "allow-wipe", required_argument, NULL, L_WIPE },
		{ "allow-destroy", no_argument, NULL, L_DESTROY },
		{ "allow-grow-pool", no_argument, NULL, L_GROW },
		{ "lxc-config", required_argument, NULL, L_LXC },
		{ "vm-config", required_argument, NULL, L_VM },
		{ "verbose", no_argument, NULL, 'v' },
		{ "samba-password-stdin", no_argument, NULL, L_SAMBA_PW },
		{ "wait", required_argument, NULL, L_WAIT },
		{ "only", required_argument, NULL, L_ONLY },
		{ "snapshot", no_argument, NULL, L_SNAPSHOT },
		{ "prune", no_argument, NULL, L_PRUNE },
		{ "replicate", no_argument, NULL, L_REPLICATE },
		{ "node", required_argument, NULL, L_NODE },
		{ "dry-run", no_argument, NULL, L_DRY },
		{ "now", required_argument, NULL, L_NOW },
		{ "explain", no_argument, NULL, L_EXPLAIN },
		{ "check", no_argument, NULL, L_CHECK },
		{ "prometheus", optional_argument, NULL, L_PROM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	opterr = 0;
	optind = 1;
	int ch;
	int li = -1;
	while ((ch = getopt_long(argc, argv, ":c:yvh", longopts, &li)) != -1) {
		unsigned need = 0;
		switch (ch) {
		case 'c': need = O_CONFIG; o->run.config = optarg; break;
		case L_ROOT: need = O_ROOT; o->run.root = optarg; break;
		case L_JSON: need = O_JSON; o->json = true; break;
		case 'y': need = O_YES; o->yes = true; break;
		case L_WIPE: need = O_WIPE; sv_push(&o->run.allow_wipe, optarg); break;
		case L_DESTROY: need = O_DESTROY; o->run.allow_destroy = true; break;
		case L_GROW: need = O_GROW; o->run.allow_grow_pool = true; break;
		case L_LXC: need = O_GUESTS; o->run.lxc_config = optarg; break;
		case L_VM: need = O_GUESTS; o->run.vm_config = optarg; break;
		case 'v': need = O_VERBOSE; o->run.verbose = true; break;
		case L_SAMBA_PW: need = O_SAMBA_PW; o->run.samba_password_stdin = true; break;
		case L_ONLY: need = O_ONLY; sv_push(&o->run.only, optarg); break;
		case L_WAIT:
			need = O_WAIT;
			if (parse_seconds(optarg, &o->wait_s)) {
				fprintf(stderr, "error: --wait '%s' is not a number of seconds\n"
						"  hint: give a whole number from 0 to 86400, e.g. --wait 60\n", optarg);
				return -1;
			}
			break;
		case L_SNAPSHOT: need = O_RUN; o->snapshot = true; break;
		case L_PRUNE: need = O_RUN; o->prune = true; break;
		case L_REPLICATE: need = O_RUN; o->replicate = true; break;
		case L_NODE: need = O_NODE; o->run.node = optarg; break;
		case L_DRY: need = O_RUN; o->dry_run = true; break;
		case L_EXPLAIN: need = O_EXPLAIN; o->explain = true; break;
		case L_CHECK: need = O_CHECK; o->check = true; break;
		case L_NOW:
			need = O_NOW;
			o->now = optarg;
			if (parse_now(optarg, &o->run.now)) {
				fprintf(stderr, "error: --now '%s' is not a time\n"
						"  hint: give YYYY-MM-DDTHH:MM:SSZ (UTC), @EPOCH, YYYY-MM-DDTHH:MM[:SS] (local time) or +N with s, m, h or d\n",
					optarg);
				return -1;
			}
			break;
		case L_PROM:
			need = O_PROM;
			o->prometheus = true;
			/* "--prometheus FILE" as well as "--prometheus=FILE" */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			o->prometheus_file = optarg;
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
		printf("phoenix-storage %s\n", VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		struct options o = { 0 };
		int rc = parse(&commands[i], argc - 1, argv + 1, &o);
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
