/*
 * phoenix-storage run: takes and prunes the snapshots the policies make due
 * (through the snapshot front door alone) and starts the scrubs and TRIMs the
 * pools' schedules make due (through the zfs front door: its pools' status,
 * read only when a pool has such a schedule); phoenix-storage snapshots:
 * lists the snapshots with their decisions, through the snapshot front door
 * alone (subsys/snap.h): no layout state is read.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/apply.h"
#include "apply/audit.h"
#include "apply/repl_apply.h"
#include "apply/snap_apply.h"
#include "cmd/cmd.h"
#include "exec/program.h"
#include "plan/mounts.h"
#include "plan/scrub_plan.h"
#include "state/job_state.h"
#include "state/zfs_state.h"
#include "subsys/snap.h"
#include "subsys/table.h"
#include "util/civil.h"
#include "util/lock.h"

#define LOCK_SNAPSHOT "snapshot"
#define LOCK_PRUNE "prune"
#define LOCK_SCRUB "scrub"
#define SNAP_LOCK_WAIT_S 30

/* --now, or the clock. Returns 0, or -1 after printing an error. */
/* The time the jobs decide at: --now (parsed with the command line), else the clock. */
static int now_of(const struct options *o, int64_t *now)
{
	*now = o->now ? (int64_t)o->run.now : (int64_t)time(NULL);
	return 0;
}

static void print_cmd(const struct strvec *argv)
{
	char *d = exec_argv_display((const char *const *)argv->v);
	printf("    $ %s\n", d);
	free(d);
}

/* The reason text of snapshot k of target t. */
static void reason_of(const struct snap_jobs *j, const struct snap_target *t, size_t k, char *buf, size_t len)
{
	snap_reason_format(&t->ret.v[k], t->policy, j->prot, buf, len);
}

/* The held-back destroys of j as "! destructive" lines and JSON. */
static void print_held_back(const struct snap_jobs *j, bool allow, json_t *arr, bool text)
{
	for (size_t i = 0; i < j->n; i++) {
		const struct snap_target *t = &j->v[i];
		for (size_t k = 0; t->ds && !allow && k < t->ds->n; k++) {
			if (!t->guarded[k] || t->ret.v[k].verdict != SNAP_DESTROY || t->ret.clock_skew)
				continue;
			char why[160];
			reason_of(j, t, k, why, sizeof(why));
			if (text)
				printf("! destructive: destroy %s@%s (%s; the policy changed: needs --allow-destroy)\n",
				       t->dataset, t->ds->s[k].name, why);
			json_array_append_new(arr, json_pack("{s:s+++, s:s}", "snapshot", t->dataset, "@",
							     t->ds->s[k].name, "reason", why));
		}
	}
}

/* The jobs of a dry run: the lines a real run prints, from the same jobs. */
static void print_jobs(const struct snap_jobs *j, bool verbose, bool text, json_t *out)
{
	json_t *take = json_array(), *marks = json_array(), *destroy = json_array();
	for (size_t i = 0; i < j->taken.n; i++) {
		if (text)
			printf("+ snapshot %s\n", j->taken.v[i]);
		json_array_append_new(take, json_string(j->taken.v[i]));
	}
	for (size_t i = 0; text && verbose && i < j->n_take; i++)
		print_cmd(&j->take[i]);
	for (size_t i = 0; i < j->marked.n; i++) {
		if (text) {
			printf("~ set " SNAP_MARKER_PROP " on %s\n", j->marked.v[i]);
			if (verbose)
				print_cmd(&j->mark[i]);
		}
		json_array_append_new(marks, json_string(j->marked.v[i]));
	}
	for (size_t i = 0; i < j->n; i++) {
		const struct snap_target *t = &j->v[i];
		size_t next = 0;
		for (size_t k = 0; t->ds && k < t->ds->n; k++) {
			if (next >= t->destroy_names.n || strcmp(t->ds->s[k].name, t->destroy_names.v[next]))
				continue;
			next++;
			char why[160];
			reason_of(j, t, k, why, sizeof(why));
			if (text)
				printf("- destroy %s@%s (%s)\n", t->dataset, t->ds->s[k].name, why);
			json_array_append_new(destroy, json_pack("{s:s+++, s:s}", "snapshot", t->dataset, "@",
								 t->ds->s[k].name, "reason", why));
		}
		for (size_t k = 0; text && verbose && k < t->destroy.n; k++)
			print_cmd(&t->destroy.v[k].argv);
	}
	json_object_set_new(out, "take", take);
	json_object_set_new(out, "markers", marks);
	json_object_set_new(out, "destroy", destroy);
}

static json_t *strvec_json(const struct strvec *sv)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

/* The jobs for this run from the door's current state (prot: the replications' bases, may be NULL). */
static void build(struct ph_ctx *ctx, int64_t now, bool take, bool prune, bool allow, const struct strvec *only,
		  const struct snap_protect *prot, size_t n_prot, struct snap_jobs *j)
{
	struct snap_view *v = snap_door_view(ctx);
	struct snap_plan_in in = { .cfg = v->cfg, .zones = v->zones, .st = v->st, .now = now, .prog = zfs_prog(),
				   .take = take, .prune = prune, .allow_destroy = allow, .only = only,
				   .prot = prot, .n_prot = n_prot };
	snap_plan_build(&in, j);
}

/* The bases the replications protect from the prune, read now (none without replications). */
static void protect(struct ph_ctx *ctx, struct snap_protect **prot, size_t *n, struct diag_list *dl)
{
	*prot = NULL;
	*n = 0;
	struct repl_view *rv = repl_door_view(ctx);
	if (!rv || !rv->cfg->n_jobs)
		return;
	repl_door_read(ctx, dl);
	repl_door_protect(ctx, prot, n);
}

/* Reads the state (again when reread) and the command caps. Returns 0 or -1. */
static int read_state(struct ph_ctx *ctx, bool reread, struct diag_list *dl)
{
	if (reread ? snap_door_reread(ctx, dl) : run_discover(ctx, dl))
		return -1;
	return snap_state_read_cmd_caps(snap_door_view(ctx)->st, dl);
}

/* One phase of a real run under its lock: read, build, execute. Returns 0 or -1. */
static int phase(struct ph_ctx *ctx, const struct options *o, int64_t now, bool take, bool reread,
		 struct snap_report *rep, json_t *held, struct diag_list *dl)
{
	int lock = lock_acquire(take ? LOCK_SNAPSHOT : LOCK_PRUNE, SNAP_LOCK_WAIT_S, dl);
	if (lock < 0)
		return -1;
	int rc = read_state(ctx, reread, dl);
	struct snap_protect *prot = NULL;
	size_t n_prot = 0;
	if (!rc && !take)
		protect(ctx, &prot, &n_prot, dl);
	if (!rc) {
		struct snap_jobs j;
		build(ctx, now, take, !take, o->run.allow_destroy, NULL, prot, n_prot, &j);
		diag_move(dl, &j.diags);
		if (take)
			rc = snap_apply_take(&j, rep, dl);
		else {
			rc = snap_apply_prune(&j, zfs_prog(), rep, dl);
			if (snap_apply_marks(&j, rep, dl))
				rc = -1;
			print_held_back(&j, o->run.allow_destroy, held, !o->json);
			if (j.n_held_back) {
				diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
					 "read them with 'phoenix-storage snapshots --explain'; destroy them with 'phoenix-storage run --prune --allow-destroy'",
					 "%zu snapshot destroy%s held back: the policy recorded on the dataset (" SNAP_MARKER_PROP
					 ") keeps %s, or none is recorded", j.n_held_back, j.n_held_back == 1 ? " is" : "s are",
					 j.n_held_back == 1 ? "it" : "them");
				rc = -1;
			}
		}
		snap_jobs_free(&j);
	}
	free(prot);
	lock_release(lock);
	return rc;
}

static void print_report(const struct snap_report *r, const struct options *o)
{
	if (o->json)
		return;
	for (size_t i = 0; i < r->taken.n; i++)
		printf("+ snapshot %s\n", r->taken.v[i]);
	for (size_t i = 0; i < r->marked.n; i++)
		printf("~ set " SNAP_MARKER_PROP " on %s\n", r->marked.v[i]);
	for (size_t i = 0; i < r->destroyed.n; i++)
		printf("- destroy %s\n", r->destroyed.v[i]);
	for (size_t i = 0; i < r->kept.n; i++)
		printf("= kept %s\n", r->kept.v[i]);
}

/*
 * The audit record of a real run: what it took, marked, replicated and
 * destroyed (each "done"; the record's result is "failed" when the run had an
 * error). Written only when something changed; a failure to write it is a
 * warning in dl.
 */
static void audit_run(const struct ph_ctx *ctx, const struct snap_report *r, const struct strvec *replicated,
		      bool failed, struct diag_list *dl)
{
	struct audit au;
	audit_init(&au);
	audit_config(&au, &ctx->main);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < r->taken.n; i++) {
		sb_reset(&sb);
		sb_addf(&sb, "snapshot %s", r->taken.v[i]);
		audit_add(&au, '+', "snapshots", "snapshot", r->taken.v[i], sb.buf, false, "done");
	}
	for (size_t i = 0; i < r->marked.n; i++) {
		sb_reset(&sb);
		sb_addf(&sb, "set " SNAP_MARKER_PROP " on %s", r->marked.v[i]);
		audit_add(&au, '~', "snapshots", "policy-marker", r->marked.v[i], sb.buf, false, "done");
	}
	for (size_t i = 0; i < r->destroyed.n; i++) {
		sb_reset(&sb);
		sb_addf(&sb, "destroy %s", r->destroyed.v[i]);
		audit_add(&au, '-', "snapshots", "destroy-snapshot", r->destroyed.v[i], sb.buf, true, "done");
	}
	for (size_t i = 0; i < replicated->n; i++)
		audit_add(&au, '+', "snapshots", "replicate", replicated->v[i], replicated->v[i], false, "done");
	sb_release(&sb);
	au.failed = failed;
	audit_write(&au, ctx->root, "run", dl);
	audit_free(&au);
}

/* --json: out with every diagnostic (diags_json) and "ok", on stdout (print_json). */
static void print_result_json(json_t *out, const struct diag_list *dl)
{
	json_object_set_new(out, "diagnostics", diags_json(dl));
	json_object_set_new(out, "ok", json_boolean(diag_count(dl, DIAG_ERROR) == 0));
	print_json(out, false);
}

/* Records a job that succeeded in the job state (a failure to write is a warning: the job itself succeeded). */
static void record_success(const struct options *o, const char *job, int64_t now, struct diag_list *dl)
{
	struct diag_list w = { 0 };
	const char *names[] = { job };
	if (job_state_record(o->run.root, "job", names, 1, now, &w))
		for (size_t i = 0; i < w.n; i++)
			w.v[i].level = w.v[i].level == DIAG_ERROR ? DIAG_WARNING : w.v[i].level;
	diag_move(dl, &w);
	diag_list_free(&w);
}

/* The snapshot jobs (take, replicate, prune) of this run: their lines and JSON members. Returns the exit code. */
static int snap_run(const struct options *o, int64_t now, bool take, bool prune, bool repl, json_t *out,
		    struct diag_list *dl)
{
	struct ph_ctx ctx;
	int code = EXIT_ERROR;
	memset(&ctx, 0, sizeof(ctx));
	if (run_load(&ctx, &snap_subsystems, &o->run, dl))
		goto out;
	if (o->dry_run) {
		if (read_state(&ctx, false, dl))
			goto out;
		struct snap_protect *prot = NULL;
		size_t n_prot = 0;
		struct repl_view *rv = repl_door_view(&ctx);
		if (rv && rv->cfg->n_jobs)
			repl_door_protect(&ctx, &prot, &n_prot);
		struct snap_jobs j;
		build(&ctx, now, take, prune, o->run.allow_destroy, NULL, prot, n_prot, &j);
		diag_move(dl, &j.diags);
		print_jobs(&j, o->run.verbose, !o->json, out);
		json_t *held = json_array();
		bool pending = false;
		if (take || prune) {
			print_jobs(&j, o->run.verbose, !o->json, out);
			print_held_back(&j, o->run.allow_destroy, held, !o->json);
			pending = snap_jobs_pending(&j) || j.n_held_back;
		}
		json_object_set_new(out, "held_back", held);
		size_t repl_pending = repl ? repl_dry_run(&ctx, o, now, out) : 0;
		if (!o->json && (take || prune)) {
			if (pending)
				printf("Would take %zu, destroy %zu, set %zu marker%s; %zu destroy%s held back (needs --allow-destroy).\n",
				       j.taken.n, j.n_destroy, j.n_mark, j.n_mark == 1 ? "" : "s", j.n_held_back,
				       j.n_held_back == 1 ? "" : "s");
			else
				printf("Nothing to do: no snapshot is due and none is to be destroyed.\n");
		}
		pending |= repl_pending > 0;
		code = diag_count(dl, DIAG_ERROR) ? EXIT_ERROR : pending ? EXIT_CHANGES : EXIT_OK;
		snap_jobs_free(&j);
		free(prot);
		goto out;
	}
	struct snap_report rep = { 0 };
	json_t *held = json_array();
	int rc = 0;
	struct repl_report rr = { 0 };
	struct repl_view *rv = repl_door_view(&ctx);
	/* run --replicate without a job still looks for the stale holds of jobs removed from the config */
	bool has_jobs = repl && rv && (rv->cfg->n_jobs || o->replicate);
	if (take) {
		if (phase(&ctx, o, now, true, false, &rep, held, dl))
			rc = -1;
		else
			record_success(o, "snapshot", now, dl);
	}
	if (has_jobs) {
		if (repl_run_phase(&ctx, o, now, &rr, held, dl))
			rc = -1;
		else
			record_success(o, "replicate", now, dl);
	}
	if (prune) {
		if (phase(&ctx, o, now, false, take || has_jobs, &rep, held, dl))
			rc = -1;
		else
			record_success(o, "prune", now, dl);
	}
	print_report(&rep, o);
	for (size_t i = 0; !o->json && i < rr.lines.n; i++)
		printf("+ %s\n", rr.lines.v[i]);
	audit_run(&ctx, &rep, &rr.lines, rc != 0, dl);
	if (!o->json && (take || prune))
		printf("Took %zu, destroyed %zu, kept %zu.\n", rep.taken.n, rep.destroyed.n, rep.kept.n);
	if (!o->json && has_jobs)
		printf("Replicated %u, failed %u, skipped %u.\n", rr.done, rr.failed, rr.skipped);
	json_object_set_new(out, "replicated", strvec_json(&rr.lines));
	repl_report_free(&rr);
	json_object_set_new(out, "taken", strvec_json(&rep.taken));
	json_object_set_new(out, "markers", strvec_json(&rep.marked));
	json_object_set_new(out, "destroyed", strvec_json(&rep.destroyed));
	json_object_set_new(out, "kept", strvec_json(&rep.kept));
	json_object_set_new(out, "held_back", held);
	snap_report_free(&rep);
	code = rc || diag_count(dl, DIAG_ERROR) ? EXIT_ERROR : EXIT_OK;
out:
	run_free(&ctx);
	return code;
}

/* True when a pool of the config has a scrub or TRIM schedule of the tool's own. */
static bool has_schedule(const struct zfs_config *zc, bool *trim)
{
	bool any = false;
	*trim = false;
	for (size_t i = 0; zc && i < zc->n_pools; i++) {
		any |= zc->pools[i].scrub == ZSCRUB_EVERY || zc->pools[i].trim == ZTRIM_EVERY;
		*trim |= zc->pools[i].trim == ZTRIM_EVERY;
	}
	return any;
}

/* What the scrub job's apply reports: each action line as it starts, each TRIM done recorded. */
struct scrub_events {
	bool text;
	struct strvec scrubbed, trimmed;
};

static void on_scrub_event(void *arg, const struct apply_event *e)
{
	struct scrub_events *se = arg;
	if (e->kind == APPLY_STARTED && se->text) {
		action_print(stdout, e->action);
		fflush(stdout);
	}
	if (e->kind == APPLY_DONE)
		sv_push(strcmp(e->action->kind, "trim-pool") ? &se->scrubbed : &se->trimmed, e->action->target);
}

/* The pool names of the plan's actions of kind into a JSON array. */
static json_t *targets_json(const struct plan *p, const char *kind)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].kind, kind))
			json_array_append_new(a, json_string(p->v[i].target));
	return a;
}

static size_t count_kind(const struct plan *p, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += !strcmp(p->v[i].kind, kind);
	return n;
}

/*
 * The scrub job (plan/scrub_plan.h): `zpool scrub` and `zpool trim` on the
 * pools whose schedule makes them due, under the lock "scrub". asked: --scrub
 * was given (else a config without any schedule prints nothing and reads
 * nothing). Returns the exit code.
 */
static int scrub_run(const struct options *o, int64_t now, bool asked, json_t *out, struct diag_list *dl)
{
	struct run_opts ro = o->run;
	ro.only = (struct strvec){ 0 };
	sv_push(&ro.only, "zfs");
	struct ph_ctx ctx;
	int code = EXIT_ERROR, lock = -1;
	struct jobstate js = { 0 };
	struct plan p = { 0 };
	if (run_load(&ctx, &subsystems, &ro, dl))
		goto out;
	bool trim_asked;
	if (!has_schedule(ctx.zfs ? ctx.zfs->cfg : NULL, &trim_asked)) {
		if (asked && !o->json)
			printf("Nothing to scrub: no pool has a scrub or TRIM schedule of the tool's own (pools[].scrub, pools[].trim).\n");
		code = EXIT_OK;
		goto out;
	}
	if (!o->dry_run && (lock = lock_acquire(LOCK_SCRUB, SNAP_LOCK_WAIT_S, dl)) < 0)
		goto out;
	if (run_discover(&ctx, dl))
		goto out;
	bool has_trim = false;
	if (trim_asked && zpool_read_has_trim(&has_trim, dl))
		goto out;
	job_state_load(o->run.root, &js, dl);
	struct scrub_plan_in in = { .cfg = ctx.zfs->cfg, .st = ctx.zfs->st, .now = (time_t)now,
				    .trim_supported = has_trim, .jobs = &js };
	scrub_plan_build(&in, &p);
	diag_move(dl, &p.diags);
	size_t n_scrub = count_kind(&p, "scrub-pool"), n_trim = count_kind(&p, "trim-pool");
	if (o->dry_run) {
		for (size_t i = 0; !o->json && i < p.n; i++)
			action_print(stdout, &p.v[i]);
		if (!o->json && p.n)
			printf("Would start %zu scrub%s and %zu TRIM%s.\n", n_scrub, n_scrub == 1 ? "" : "s", n_trim,
			       n_trim == 1 ? "" : "s");
		else if (!o->json)
			printf("Nothing to do: no scrub or TRIM is due.\n");
		json_object_set_new(out, "scrub", targets_json(&p, "scrub-pool"));
		json_object_set_new(out, "trim", targets_json(&p, "trim-pool"));
		code = diag_count(dl, DIAG_ERROR) ? EXIT_ERROR : p.n ? EXIT_CHANGES : EXIT_OK;
		goto out;
	}
	struct scrub_events se = { .text = !o->json };
	struct apply_ctx ax = { .root = o->run.root ? o->run.root : "", .out = stdout, .on_event = on_scrub_event,
				.event_arg = &se };
	int rc = apply_plan(&p, &ax, dl);
	if (se.trimmed.n && job_state_record(o->run.root, "trim", (const char *const *)se.trimmed.v, se.trimmed.n,
					     now, dl))
		rc = -1;
	if (!o->json)
		printf("Started %zu scrub%s and %zu TRIM%s.\n", se.scrubbed.n, se.scrubbed.n == 1 ? "" : "s",
		       se.trimmed.n, se.trimmed.n == 1 ? "" : "s");
	json_object_set_new(out, "scrubbed", strvec_json(&se.scrubbed));
	json_object_set_new(out, "trimmed", strvec_json(&se.trimmed));
	sv_free(&se.scrubbed);
	sv_free(&se.trimmed);
	if (!rc)
		record_success(o, "scrub", now, dl);
	code = rc || diag_count(dl, DIAG_ERROR) ? EXIT_ERROR : EXIT_OK;
out:
	if (lock >= 0)
		lock_release(lock);
	plan_free(&p);
	jobstate_free(&js);
	run_free(&ctx);
	sv_free(&ro.only);
	return code;
}

/*
 * run --metrics FILE: after the jobs, the health model read again (the zfs
 * and snapshot front doors' discovery, the job state just written) and its
 * textfile written by the writer of status --prometheus; no drift sample (run
 * plans no layout). Returns 0, or -1 (error printed or in dl).
 */
static int run_metrics(const struct options *o, struct diag_list *dl)
{
	struct run_opts ro = o->run;
	ro.only = (struct strvec){ 0 };
	sv_push(&ro.only, "health");
	struct ph_ctx ctx;
	int rc = -1;
	if (!run_load(&ctx, &subsystems, &ro, dl) && !run_discover(&ctx, dl))
		rc = write_metrics(&ctx, o->metrics_file, -1, dl);
	run_free(&ctx);
	sv_free(&ro.only);
	return rc;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * Drops the diagnostics that repeat an earlier one (each job loads the config
 * through its own front doors: a config warning would show once per job).
 */
static void drop_repeats(struct diag_list *dl)
{
	size_t n = 0;
	for (size_t i = 0; i < dl->n; i++) {
		struct diag *d = &dl->v[i];
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++) {
			const struct diag *e = &dl->v[k];
			seen = e->level == d->level && e->line == d->line && e->col == d->col && same_text(e->file, d->file) &&
			       same_text(e->jpath, d->jpath) && same_text(e->msg, d->msg) && same_text(e->hint, d->hint);
		}
		if (seen) {
			free(d->file);
			free(d->jpath);
			free(d->msg);
			free(d->hint);
		} else {
			dl->v[n++] = *d;
		}
	}
	dl->n = n;
}

/* The worse of two exit codes of the jobs: an error, else pending work (dry run), else done. */
static int worse(int a, int b)
{
	return a == EXIT_ERROR || b == EXIT_ERROR ? EXIT_ERROR : a == EXIT_CHANGES || b == EXIT_CHANGES ? EXIT_CHANGES : EXIT_OK;
}

/* The subsystems with a time-driven job, in the order run does them (--only names them). */
static const struct subsystem *const run_job_doors[] = { &snap_subsystem, &health_subsystem };
static const struct subsystem_table run_jobs = { run_job_doors, 2 };

int cmd_run(const struct options *o)
{
	int64_t now;
	if (now_of(o, &now))
		return EXIT_ERROR;
	bool any = o->snapshot || o->prune || o->scrub || o->replicate;
	bool take = o->snapshot || !any, prune = o->prune || !any, scrub = o->scrub || !any;
	bool repl = o->replicate || !any;
	struct diag_list dl = { 0 };
	int code = EXIT_OK;
	/* --only: the jobs of the subsystems named (snapshots: take, replicate, prune; health: scrub and TRIM) */
	struct door_run sel[2];
	if (run_select_within(&run_jobs, &subsystems, "run", &o->run.only, sel, &dl)) {
		print_diags(&dl);
		diag_list_free(&dl);
		return EXIT_ERROR;
	}
	take &= sel[0].use == DOOR_SELECTED;
	prune &= sel[0].use == DOOR_SELECTED;
	repl &= sel[0].use == DOOR_SELECTED;
	scrub &= sel[1].use == DOOR_SELECTED;
	json_t *out = json_object();
	char nowtext[CIVIL_UTC_LEN + 1];
	civil_format_utc(now, nowtext, sizeof(nowtext));
	json_object_set_new(out, "dry_run", json_boolean(o->dry_run));
	json_object_set_new(out, "now", json_string(nowtext));
	if (take || prune || repl)
		code = snap_run(o, now, take, prune, repl, out, &dl);
	if (scrub)
		code = worse(code, scrub_run(o, now, o->scrub, out, &dl));
	if (o->metrics_file && run_metrics(o, &dl))
		code = EXIT_ERROR;
	drop_repeats(&dl);
	if (o->json)
		print_result_json(out, &dl);
	json_decref(out);
	print_diags(&dl);
	diag_list_free(&dl);
	return code;
}

/* --explain: what destroying the snapshots to destroy frees, where ZFS can tell. */
static char *would_free(const struct snap_target *t, bool comma)
{
	if (!comma)
		return xstrdup("unknown (this ZFS has no comma destroy, no destroy -n -v -p)");
	if (!t->destroy_names.n)
		return xstrdup("0 (nothing to destroy)");
	return snap_state_would_free(t->dataset, &t->destroy_names);
}

static void explain_target(const struct snap_target *t, const struct snap_state *st, json_t *o)
{
	struct strbuf sb;
	sb_init(&sb);
	for (int c = 0; c < SNAP_NCLASSES; c++) {
		if (!t->policy->keep[c])
			continue;
		char w[32];
		snap_window_format(c, t->policy, w, sizeof(w));
		sb_addf(&sb, "%s%s %u (and all within %s)", sb.len ? ", " : "", snap_class_name(c), t->policy->keep[c], w);
	}
	char *canon = snap_policy_canonical(t->policy);
	const char *marker = t->ds ? t->ds->marker : NULL;
	const char *guard = !marker ? "no policy recorded: every destroy needs --allow-destroy"
			    : strcmp(marker, canon) ? "the recorded policy differs: destroys it keeps need --allow-destroy"
						    : "the recorded policy is this one";
	char *freed = would_free(t, st->comma_destroy);
	printf("  keeps: %s; time zone %s\n  guard: %s\n  destroy would free: %s\n", sb_str(&sb),
	       snap_policy_timezone(t->policy), guard, freed);
	json_object_set_new(o, "keeps", json_string(sb_str(&sb)));
	json_object_set_new(o, "guard", json_string(guard));
	json_object_set_new(o, "would_free", json_string(freed));
	free(freed);
	free(canon);
	sb_release(&sb);
}

int cmd_snapshots(const struct options *o)
{
	int64_t now;
	if (now_of(o, &now))
		return EXIT_ERROR;
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	int code = EXIT_ERROR;
	if (run_load(&ctx, &snap_subsystems, &o->run, &dl) || read_state(&ctx, false, &dl)) {
		print_diags(&dl);
		goto out;
	}
	struct snap_jobs j;
	struct snap_protect *prot = NULL;
	size_t n_prot = 0;
	struct repl_view *rv = repl_door_view(&ctx);
	if (rv && rv->cfg->n_jobs)
		repl_door_protect(&ctx, &prot, &n_prot);
	build(&ctx, now, false, true, false, o->args.n ? &o->args : NULL, prot, n_prot, &j);
	diag_move(&dl, &j.diags);
	const struct snap_state *st = snap_door_view(&ctx)->st;
	json_t *arr = json_array();
	for (size_t i = 0; i < j.n; i++) {
		const struct snap_target *t = &j.v[i];
		json_t *to = json_pack("{s:s, s:s}", "dataset", t->dataset, "policy", t->policy->name);
		json_t *snaps = json_array();
		if (!o->json)
			printf("%s (policy %s)%s\n", t->dataset, t->policy->name, t->ds ? "" : ": does not exist");
		if (o->explain && !o->json)
			explain_target(t, st, to);
		else if (o->explain)
			explain_target(t, st, to);
		size_t *ord = t->ds ? snap_retention_order(&t->ret, t->ds->s) : NULL;
		for (size_t x = 0; t->ds && x < t->ds->n; x++) {
			size_t k = ord[x];
			const struct snap_decision *d = &t->ret.v[k];
			char why[160], age[32];
			reason_of(&j, t, k, why, sizeof(why));
			snap_age_format(now - d->time, age, sizeof(age));
			const char *cls = d->verdict == SNAP_FOREIGN ? "-" : snap_class_name(d->cls);
			bool guarded = t->guarded[k] && d->verdict == SNAP_DESTROY;
			if (!o->json)
				printf("  %-36s %-8s %-8s %s%s\n", t->ds->s[k].name, cls, age, why,
				       guarded ? " (needs --allow-destroy)" : "");
			json_array_append_new(snaps, json_pack("{s:s, s:s, s:I, s:s, s:s, s:b, s:I}", "name",
							       t->ds->s[k].name, "class", cls, "age_seconds",
							       (json_int_t)(now - d->time), "decision",
							       d->verdict == SNAP_KEEP ? "keep" : d->verdict == SNAP_DESTROY
							       ? "destroy" : "foreign", "reason", why, "needs_allow_destroy",
							       guarded, "userrefs", (json_int_t)t->ds->s[k].userrefs));
		}
		free(ord);
		json_object_set_new(to, "snapshots", snaps);
		json_array_append_new(arr, to);
	}
	if (o->json) {
		json_t *out = json_pack("{s:o}", "datasets", arr);
		print_result_json(out, &dl);
		json_decref(out);
	} else
		json_decref(arr);
	snap_jobs_free(&j);
	free(prot);
	print_diags(&dl);
	code = diag_count(&dl, DIAG_ERROR) ? EXIT_ERROR : EXIT_OK;
out:
	run_free(&ctx);
	diag_list_free(&dl);
	return code;
}
