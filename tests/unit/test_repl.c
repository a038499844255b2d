/*
 * Unit tests: replication's pure parts. Remote-shell quoting
 * (exec_remote_command: each case is run through a real /bin/sh to check
 * that the shell's words are the argv), the send / receive capabilities of
 * the usage texts of zfs-fuse and OpenZFS 2.1 / 2.3, the job ids, and the
 * planner (plan/repl_plan.h) over tables of snapshots: base by guid, full /
 * -I / -i chain, divergence, refusals, flags, holds, receive options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"
#include "exec/program.h"
#include "plan/repl_plan.h"

/* ---- remote quoting ------------------------------------------------------------ */

static const char *const quote_cases[][6] = {
	{ "zfs", "receive", "-u", "tank/a", NULL },
	{ "zfs", "receive", "tank/with space", NULL },
	{ "zfs", "set", "phoenix:x=it's", "p/$HOME", NULL },
	{ "echo", "", "a;b", "`id`", "*", NULL },
	{ "echo", "~root", "#c", "a\nb", "\\x", NULL },
	{ "A=b", "x", NULL },
};

static void remote_quoting_gives_the_shell_exactly_the_argv(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(quote_cases) / sizeof(quote_cases[0]); c++) {
		char *line = exec_remote_command(quote_cases[c]);
		/* the shell prints each word it sees between brackets */
		char *script = xasprintf("set -- %s; for w in \"$@\"; do printf '[%%s]' \"$w\"; done", line);
		const char *argv[] = { "/bin/sh", "-c", script, NULL };
		struct exec_result r;
		assert_int_equal(exec_run(argv, NULL, &r), 0);
		struct strbuf want = STRBUF_INIT;
		sb_init(&want);
		for (size_t i = 0; quote_cases[c][i]; i++)
			sb_addf(&want, "[%s]", quote_cases[c][i]);
		if (strcmp(r.out, sb_str(&want)))
			fail_msg("case %zu: '%s' gave %s, want %s", c, line, r.out, sb_str(&want));
		exec_result_free(&r);
		sb_release(&want);
		free(script);
		free(line);
	}
	char *plain = exec_remote_command((const char *const[]){ "zfs", "get", "-H", "guid,createtxg", "tank/a@b", NULL });
	assert_string_equal(plain, "zfs get -H guid,createtxg tank/a@b");
	free(plain);
	char *assign = exec_remote_command((const char *const[]){ "A=b", NULL });
	assert_string_equal(assign, "'A=b'");
	free(assign);
}

/* ---- capabilities ---------------------------------------------------------------- */

static const char zfs_fuse_usage[] = "usage: zfs command args ...\n"
				     "\tsend [-RDp] [-[iI] snapshot] <snapshot>\n"
				     "\treceive [-vnF] <filesystem|volume|snapshot>\n"
				     "\treceive [-vnF] -d <filesystem>\n";
static const char openzfs21_usage[] = "usage: zfs command args ...\n"
				      "\tsend [-DnPpRvLecwhb] [-[i|I] snapshot] <snapshot>\n"
				      "\tsend [-nvPLecw] [-i snapshot|bookmark] <filesystem|volume|snapshot>\n"
				      "\tsend [-nvPe] -t <receive_resume_token>\n"
				      "\treceive [-vMnsFhu] [-o <property>=<value>] ... [-x <property>] ...\n"
				      "\t    <filesystem|volume|snapshot>\n"
				      "\treceive -A <filesystem|volume>\n";

static void caps_from_usage_texts(void **state)
{
	(void)state;
	struct repl_caps c;
	repl_caps_parse(zfs_fuse_usage, NULL, &c);
	assert_true(c.known);
	assert_false(c.send_large || c.send_compressed || c.send_embedded || c.send_raw || c.send_resume ||
		     c.send_estimate);
	assert_false(c.recv_unmounted || c.recv_resumable || c.recv_props || c.recv_abort);
	repl_caps_parse(openzfs21_usage, NULL, &c);
	assert_true(c.known && c.send_large && c.send_compressed && c.send_embedded && c.send_raw && c.send_resume &&
		    c.send_estimate);
	assert_true(c.recv_unmounted && c.recv_resumable && c.recv_props && c.recv_abort);
	repl_caps_parse("zfs: command not found\n", NULL, &c);
	assert_false(c.known);
}

/* What OpenZFS's `zfs send -nvP` prints (2.1 and 2.3, full, incremental and resumed), and what is no size. */
static void the_send_estimate_is_read_from_the_size_line(void **state)
{
	(void)state;
	static const struct { const char *text; int rc; unsigned long long bytes; } cases[] = {
		{ "full\ttank/a@s1\t25186808\nsize\t25186808\n", 0, 25186808 },
		{ "incremental\ts1\ttank/a@s2\t1049600\nincremental\ts2\ttank/a@s3\t2048\nsize\t1051648\n", 0, 1051648 },
		{ "resume token contents:\nnvlist version: 0\n\tobject = 0x2\n\ttoname = tank/a@s1\n"
		  "full\ttank/a@s1\t20000000\nsize\t18000000\n", 0, 18000000 },
		{ "incremental\ts1\ttank/a@s2\t100\nincremental\ts2\ttank/a@s3\t50", 0, 150 },
		{ "size\t\n", -1, 0 },
		{ "size\t12x\n", -1, 0 },
		{ "size\t99999999999999999999999\n", -1, 0 },
		{ "send from @s1 to tank/a@s2 estimated size is 1.00M\n", -1, 0 },
		{ "", -1, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long long b = 7;
		int rc = repl_send_estimate_parse(cases[i].text, &b);
		if (rc != cases[i].rc || (rc == 0 && b != cases[i].bytes) || (rc && b != 7))
			fail_msg("case %zu: rc %d bytes %llu, want rc %d bytes %llu", i, rc, b, cases[i].rc, cases[i].bytes);
	}
}

static void job_id_is_stable_and_depends_on_node_and_target(void **state)
{
	(void)state;
	char a[9], b[9], c[9];
	repl_job_id(NULL, "tank/r", a);
	repl_job_id("pve2", "tank/r", b);
	repl_job_id(NULL, "tank/r", c);
	assert_int_equal(strlen(a), 8);
	assert_string_equal(a, c);
	assert_string_not_equal(a, b);
}

/* ---- the planner ------------------------------------------------------------------ */

struct snap_row {
	const char *name;
	uint64_t guid, txg, userrefs;
};

#define S1 "phoenix_2026-01-05T100000Z_hourly"
#define S2 "phoenix_2026-01-05T110000Z_hourly"
#define S3 "phoenix_2026-01-05T120000Z_hourly"

struct plan_case {
	const char *what;
	struct snap_row src[6];
	bool no_target;
	const char *src_ids;
	struct snap_row tgt[6];
	const char *tgt_flags;
	bool encrypted, openzfs, allow_destroy, remote;
	enum repl_status status;
	size_t behind;
	const char *steps[4];   /* "send ... | receive ..." joined by " | " */
	const char *line;       /* repl_plan_line */
	const char *after[10];  /* the commands after success, each joined by ' ' (the job id as ID) */
	const char *estimate0;  /* the first step's size estimate (OpenZFS); zfs-fuse has none */
};

static const struct plan_case plan_cases[] = {
	{ "never run: a full send of our oldest, then -I to our newest (a foreign one before ours stays)",
	  { { "manual", 5, 5, 0 }, { S1, 10, 10, 0 }, { S2, 11, 11, 0 } }, .no_target = true, .status = REPL_NEVER,
	  .behind = 2,
	  .steps = { "zfs send tank/a@" S1 " | zfs receive pool2/r",
		     "zfs send -I @" S1 " tank/a@" S2 " | zfs receive pool2/r" },
	  .line = "replicate tank/a to pool2/r: never run (a full send of @" S1 ", then the newer ones)",
	  .after = { "zfs set readonly=on pool2/r", "zfs set canmount=noauto pool2/r",
		     "zfs set phoenix:repl-flags=none pool2/r", "zfs unmount pool2/r",
		     "zfs hold phoenix_repl_ID tank/a@" S2, "zfs hold phoenix_repl_ID pool2/r@" S2,
		     "zfs set phoenix:repl-ids=ID tank/a", "zfs set phoenix:repl-ids=ID pool2/r",
		     "zfs set phoenix:repl-last=1767614400 pool2/r" } },
	{ "a foreign snapshot between ours: an -i chain over ours only",
	  { { S1, 10, 10, 1 }, { "manual", 5, 15, 0 }, { S2, 11, 20, 0 }, { S3, 12, 30, 0 } },
	  .src_ids = "other", .tgt = { { S1, 10, 7, 1 } }, .status = REPL_BEHIND, .behind = 2,
	  .steps = { "zfs send -i @" S1 " tank/a@" S2 " | zfs receive pool2/r",
		     "zfs send -i @" S2 " tank/a@" S3 " | zfs receive pool2/r" },
	  .line = "replicate tank/a to pool2/r: 2 snapshots behind (@" S1 " to @" S3 ")",
	  .after = { "zfs hold phoenix_repl_ID tank/a@" S3, "zfs hold phoenix_repl_ID pool2/r@" S3,
		     "zfs set phoenix:repl-ids=other,ID tank/a", "zfs set phoenix:repl-ids=ID pool2/r",
		     "zfs release phoenix_repl_ID tank/a@" S1, "zfs release phoenix_repl_ID pool2/r@" S1,
		     "zfs set phoenix:repl-last=1767614400 pool2/r" } },
	{ "the base is found by guid, not by name: a same-named target snapshot with another guid is no base",
	  { { S1, 10, 10, 0 }, { S2, 11, 20, 0 } }, .tgt = { { S1, 10, 3, 0 }, { S2, 99, 4, 0 } },
	  .status = REPL_DIVERGED, .behind = 1,
	  .line = "replicate tank/a to pool2/r: diverged: pool2/r has 1 snapshot newer than the last one in common, @" S1
		  " (needs --allow-destroy)" },
	{ "diverged with --allow-destroy: the rollback, then the send",
	  { { S1, 10, 10, 0 }, { S2, 11, 20, 0 } }, .tgt = { { S1, 10, 3, 0 }, { "oops", 77, 4, 0 } },
	  .allow_destroy = true, .status = REPL_DIVERGED, .behind = 1,
	  .steps = { "zfs send -I @" S1 " tank/a@" S2 " | zfs receive pool2/r" },
	  .line = "replicate tank/a to pool2/r: diverged: pool2/r has 1 snapshot newer than the last one in common, @" S1 },
	{ "in sync, holds in place: nothing to run",
	  { { S1, 10, 10, 1 } }, .tgt = { { S1, 10, 3, 1 } }, .status = REPL_IN_SYNC,
	  .line = "replicate tank/a to pool2/r: in sync at @" S1 },
	{ "no snapshot in common: refused",
	  { { S1, 10, 10, 0 } }, .tgt = { { "theirs", 50, 3, 0 } }, .status = REPL_REFUSED,
	  .line = "replicate tank/a to pool2/r: refused: pool2/r has 1 snapshot but none in common with tank/a" },
	{ "a target without snapshots: refused (a first send needs a new target)",
	  { { S1, 10, 10, 0 } }, .status = REPL_REFUSED,
	  .line = "replicate tank/a to pool2/r: refused: pool2/r exists and has no snapshot: a first send needs a "
		  "target that does not exist" },
	{ "only foreign snapshots on the source: nothing to send",
	  { { "manual", 5, 5, 0 } }, .no_target = true, .status = REPL_NO_SNAPSHOT,
	  .line = "replicate tank/a to pool2/r: no snapshot: tank/a has none of our snapshots to send" },
	{ "OpenZFS: received unmounted, read-only, resumable, flags chosen once and recorded at receive",
	  { { S1, 10, 10, 0 } }, .no_target = true, .openzfs = true, .status = REPL_NEVER, .behind = 1,
	  .steps = { "zfs send -Lce tank/a@" S1 " | zfs receive -u -s -o readonly=on -o canmount=noauto -o "
		     "phoenix:repl-flags=Lce -x mountpoint -x phoenix:managed pool2/r" } },
	{ "OpenZFS, encrypted source: raw",
	  { { S1, 10, 10, 0 } }, .no_target = true, .openzfs = true, .encrypted = true, .status = REPL_NEVER,
	  .behind = 1,
	  .steps = { "zfs send -w tank/a@" S1 " | zfs receive -u -s -o readonly=on -o canmount=noauto -o "
		     "phoenix:repl-flags=w -x mountpoint -x phoenix:managed pool2/r" },
	  .estimate0 = "zfs send -nvP -w tank/a@" S1 },
	{ "recorded flags are kept, never flipped",
	  { { S1, 10, 10, 0 }, { S2, 11, 20, 0 } }, .tgt = { { S1, 10, 3, 0 } }, .tgt_flags = "L", .openzfs = true,
	  .status = REPL_BEHIND, .behind = 1,
	  .steps = { "zfs send -L -I @" S1 " tank/a@" S2 " | zfs receive -u -s -o readonly=on -o canmount=noauto -x "
		     "mountpoint -x phoenix:managed pool2/r" },
	  .estimate0 = "zfs send -nvP -L -I @" S1 " tank/a@" S2 },
	{ "an encrypted source with a plain replica: refused",
	  { { S1, 10, 10, 0 }, { S2, 11, 20, 0 } }, .tgt = { { S1, 10, 3, 0 } }, .tgt_flags = "Lce", .openzfs = true,
	  .encrypted = true, .status = REPL_REFUSED,
	  .line = "replicate tank/a to pool2/r: refused: tank/a is encrypted but its replica pool2/r was received from "
		  "plain sends; a raw send cannot continue it" },
	{ "a remote target: the receive through ssh, quoted for the remote shell",
	  { { S1, 10, 10, 0 } }, .no_target = true, .remote = true, .status = REPL_NEVER, .behind = 1,
	  .steps = { "zfs send tank/a@" S1 " | ssh -o BatchMode=yes root@10.0.0.14 zfs receive pool2/r" },
	  .line = "replicate tank/a to pve2:pool2/r: never run (a full send of @" S1 ")" },
};

static void fill(struct snap_ds *d, const struct snap_row *rows)
{
	memset(d, 0, sizeof(*d));
	d->s = calloc(6, sizeof(*d->s));
	for (size_t i = 0; i < 6 && rows[i].name; i++)
		d->s[d->n++] = (struct snap_info){ rows[i].name, rows[i].guid, rows[i].txg, 0, rows[i].userrefs, false };
}

/* The argv joined by ' ', every occurrence of the job id written ID. */
static char *joined(const struct strvec *a, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	size_t n = strlen(id);
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			sb_addc(&sb, ' ');
		for (const char *p = a->v[i]; *p;) {
			if (!strncmp(p, id, n)) {
				sb_adds(&sb, "ID");
				p += n;
			} else {
				sb_addc(&sb, *p++);
			}
		}
	}
	return sb_detach(&sb);
}

static void planner_cases(void **state)
{
	(void)state;
	struct repl_caps fuse, ozfs;
	repl_caps_parse(zfs_fuse_usage, NULL, &fuse);
	repl_caps_parse(openzfs21_usage, NULL, &ozfs);
	for (size_t c = 0; c < sizeof(plan_cases) / sizeof(plan_cases[0]); c++) {
		const struct plan_case *pc = &plan_cases[c];
		struct repl_job job = { .source = "tank/a", .target = "pool2/r", .schedule_minutes = 15,
					.node = pc->remote ? "pve2" : NULL, .address = pc->remote ? "10.0.0.14" : NULL };
		repl_job_id(job.node, job.target, job.id);
		struct snap_ds src, tgt;
		fill(&src, pc->src);
		src.name = "tank/a";
		src.encrypted = pc->encrypted;
		src.repl_ids = (char *)pc->src_ids;
		fill(&tgt, pc->tgt);
		tgt.name = "pool2/r";
		tgt.repl_flags = (char *)pc->tgt_flags;
		struct strvec tr = { 0 };
		if (pc->remote) {
			sv_push(&tr, "ssh");
			sv_push(&tr, "-o");
			sv_push(&tr, "BatchMode=yes");
			sv_push(&tr, "root@10.0.0.14");
		}
		const struct repl_caps *caps = pc->openzfs ? &ozfs : &fuse;
		struct repl_plan_in in = { .job = &job, .src = &src, .tgt = pc->no_target ? NULL : &tgt, .src_caps = caps,
					   .tgt_caps = caps, .transport = &tr, .prog = "zfs", .now = 1767614400,
					   .allow_destroy = pc->allow_destroy };
		struct repl_job_plan p;
		repl_plan_build(&in, &p);
		if (p.status != pc->status)
			fail_msg("case '%s': status %s, want %s", pc->what, repl_status_name(p.status),
				 repl_status_name(pc->status));
		if (p.behind != pc->behind)
			fail_msg("case '%s': behind %zu, want %zu", pc->what, p.behind, pc->behind);
		size_t n_want = 0;
		while (n_want < 4 && pc->steps[n_want])
			n_want++;
		if (p.n_steps != n_want)
			fail_msg("case '%s': %zu steps, want %zu", pc->what, p.n_steps, n_want);
		for (size_t k = 0; k < n_want; k++) {
			char *a = joined(&p.steps[k].send, job.id), *b = joined(&p.steps[k].recv, job.id);
			char *got = xasprintf("%s | %s", a, b);
			if (strcmp(got, pc->steps[k]))
				fail_msg("case '%s': step %zu\n  got  %s\n  want %s", pc->what, k, got, pc->steps[k]);
			free(a);
			free(b);
			free(got);
			char *est = joined(&p.steps[k].estimate, job.id);
			const char *want_est = k == 0 && pc->estimate0 ? pc->estimate0 : NULL;
			if (!pc->openzfs && p.steps[k].estimate.n)
				fail_msg("case '%s': step %zu has an estimate on zfs-fuse: %s", pc->what, k, est);
			if (want_est && strcmp(est, want_est))
				fail_msg("case '%s': estimate\n  got  %s\n  want %s", pc->what, est, want_est);
			free(est);
		}
		if (pc->line) {
			char *line = repl_plan_line(&p);
			if (strcmp(line, pc->line))
				fail_msg("case '%s': line\n  got  %s\n  want %s", pc->what, line, pc->line);
			free(line);
		}
		if (pc->after[0]) {
			size_t n = 0;
			while (n < 10 && pc->after[n])
				n++;
			if (p.n_after != n)
				fail_msg("case '%s': %zu commands after, want %zu", pc->what, p.n_after, n);
			for (size_t k = 0; k < n; k++) {
				char *got = joined(&p.after[k].argv, job.id);
				if (strcmp(got, pc->after[k]))
					fail_msg("case '%s': after %zu\n  got  %s\n  want %s", pc->what, k, got, pc->after[k]);
				free(got);
			}
		}
		if (pc->status == REPL_DIVERGED) {
			char *rb = joined(&p.rollback.argv, job.id);
			assert_string_equal(rb, "zfs rollback -r pool2/r@" S1);
			assert_int_equal(p.held_back, !pc->allow_destroy);
			free(rb);
		}
		repl_job_plan_free(&p);
		sv_free(&tr);
		free(src.s);
		free(tgt.s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remote_quoting_gives_the_shell_exactly_the_argv),
		cmocka_unit_test(caps_from_usage_texts),
		cmocka_unit_test(the_send_estimate_is_read_from_the_size_line),
		cmocka_unit_test(job_id_is_stable_and_depends_on_node_and_target),
		cmocka_unit_test(planner_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
