/*
 * The replication part of `run` (cmd_snaprun.c calls it): the dry run's
 * lines, the real run through apply/repl_apply.h, progress on a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/repl_apply.h"
#include "cmd/cmd.h"
#include "exec/pipeline.h"
#include "exec/program.h"
#include "subsys/snap.h"

static void print_cmd(const struct strvec *argv)
{
	struct strvec a = { 0 };
	for (size_t i = 0; i < argv->n; i++)
		sv_push(&a, argv->v[i]);
	char *d = exec_argv_display(sv_argv(&a));
	printf("    $ %s\n", d);
	free(d);
	sv_free(&a);
}

static void print_step(const struct repl_step *s)
{
	struct strvec a = { 0 }, b = { 0 };
	for (size_t i = 0; i < s->send.n; i++)
		sv_push(&a, s->send.v[i]);
	for (size_t i = 0; i < s->recv.n; i++)
		sv_push(&b, s->recv.v[i]);
	const char *const *argvs[] = { sv_argv(&a), sv_argv(&b) };
	char *d = exec_pipeline_display(argvs, 2);
	printf("    $ %s\n", d);
	free(d);
	sv_free(&a);
	sv_free(&b);
}

/* "! destructive: roll back ..." for a diverged job. */
static char *destructive_text(const struct repl_job_plan *p)
{
	return xasprintf("roll back %s to @%s: destroys %zu snapshot%s and changes since @%s", p->target_display,
			 p->base, p->rollback_destroys, p->rollback_destroys == 1 ? "" : "s", p->base);
}

/* Does the run do something for p? */
static bool pending(const struct repl_job_plan *p)
{
	return p->due && (p->n_steps || p->held_back);
}

/* The stale holds: each reported, released with --allow-destroy (when run is set). Returns how many are left. */
static size_t stale_holds(struct ph_ctx *ctx, const struct options *o, bool run, json_t *arr, struct diag_list *dl)
{
	struct repl_stale *st;
	size_t n, left = 0;
	repl_door_stale(ctx, &st, &n, dl);
	for (size_t i = 0; i < n; i++) {
		const struct repl_stale *s = &st[i];
		char *where = xasprintf("%s%s%s", s->node ? s->node : "", s->node ? ":" : "", s->dataset);
		char *what = xasprintf("release the stale hold " REPL_HOLD_PREFIX "%s from %s (%zu held snapshot%s; no replication of the config has it)",
				       s->id, where, s->n_held, s->n_held == 1 ? "" : "s");
		bool released = false;
		if (o->run.allow_destroy && run)
			released = repl_apply_stale(s, dl) == 0;
		if (!o->json && released)
			printf("- %s\n", what);
		else if (!o->json)
			printf("! destructive: %s%s\n", what, o->run.allow_destroy ? "" : " (needs --allow-destroy)");
		if (!released && !o->run.allow_destroy)
			diag_add(dl, DIAG_WARNING, NULL, 0, 0, NULL, "'phoenix-storage run --replicate --allow-destroy' releases it",
				 "stale hold " REPL_HOLD_PREFIX "%s on %s: its replication is no longer in the config", s->id, where);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:b}", "dataset", where, "tag", s->id,
						     "held", (json_int_t)s->n_held, "released", released));
		left += !released;
		free(what);
		free(where);
		repl_stale_free(&st[i]);
	}
	free(st);
	return left;
}

size_t repl_dry_run(struct ph_ctx *ctx, const struct options *o, int64_t now, json_t *out)
{
	struct repl_job_plan *pl;
	size_t n, todo = 0;
	repl_door_plans(ctx, now, o->run.allow_destroy, &pl, &n);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct repl_job_plan *p = &pl[i];
		char *line = repl_plan_line(p);
		bool due = pending(p);
		if (!o->json) {
			printf("%s %s%s\n", due ? ">" : "=", line, p->due || !p->n_steps ? "" : " (not due yet)");
			if (p->status == REPL_DIVERGED) {
				char *d = destructive_text(p);
				printf("! destructive: %s%s\n", d, p->held_back ? " (needs --allow-destroy)" : "");
				free(d);
			}
			if (o->run.verbose && due) {
				if (p->rollback.argv.n && !p->held_back)
					print_cmd(&p->rollback.argv);
				for (size_t k = 0; k < p->n_steps; k++)
					print_step(&p->steps[k]);
				for (size_t k = 0; k < p->n_after; k++)
					print_cmd(&p->after[k].argv);
			}
		}
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:I, s:b, s:s}", "source", p->job->source,
						     "target", p->target_display, "state", repl_status_name(p->status),
						     "due", p->due, "behind", (json_int_t)p->behind, "needs_allow_destroy",
						     p->held_back, "line", line));
		todo += due;
		free(line);
		repl_job_plan_free(&pl[i]);
	}
	free(pl);
	json_t *stale = json_array();
	struct diag_list sd = { 0 };
	size_t n_stale = n || o->replicate ? stale_holds(ctx, o, false, stale, &sd) : 0;
	diag_list_free(&sd);
	if (!o->json && n)
		printf("Would replicate %zu of %zu job%s.\n", todo, n, n == 1 ? "" : "s");
	json_object_set_new(out, "replication", arr);
	json_object_set_new(out, "stale_holds", stale);
	return todo + n_stale;
}

struct tty_progress {
	double t0;      /* when the step began */
	size_t step;
	bool shown;
};

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* "12.0 of 95.3 MiB, 4.1 MiB/s, 0:18 left" (total 0: unknown, no ETA) on one rewritten stderr line. */
static void on_progress(const struct repl_job_plan *p, size_t step, unsigned long long bytes,
			unsigned long long total, void *arg)
{
	struct tty_progress *tp = arg;
	if (step != tp->step) {   /* a new step: its first report comes a second after it began */
		tp->step = step;
		tp->t0 = mono() - 1.0;
	}
	double dt = mono() - tp->t0, rate = dt > 0 ? bytes / dt : 0.0;
	fprintf(stderr, "\r  %s to %s, step %zu of %zu: %.1f", p->job->source, p->target_display, step + 1,
		p->n_steps, bytes / 1048576.0);
	if (total)
		fprintf(stderr, " of %.1f", total / 1048576.0);
	fprintf(stderr, " MiB, %.1f MiB/s", rate / 1048576.0);
	if (total && rate > 0) {
		double left = bytes < total ? (double)(total - bytes) / rate : 0;
		long s = (long)(left + 0.5);
		fprintf(stderr, ", %ld:%02ld left", s / 60, s % 60);
	}
	fprintf(stderr, "   ");
	tp->shown = true;
}

int repl_run_phase(struct ph_ctx *ctx, const struct options *o, int64_t now, struct repl_report *rep,
		   json_t *held, struct diag_list *dl)
{
	if (repl_door_read(ctx, dl))
		return -1;
	struct repl_job_plan *pl;
	size_t n;
	repl_door_plans(ctx, now, o->run.allow_destroy, &pl, &n);
	int rc = 0;
	struct tty_progress tp = { 0 };
	struct repl_apply_opts ao = { .progress = !o->json && isatty(STDERR_FILENO) ? on_progress : NULL,
				      .progress_arg = &tp };
	for (size_t i = 0; i < n; i++) {
		const struct repl_job_plan *p = &pl[i];
		if (!p->due)
			continue;
		if (p->status == REPL_NO_SNAPSHOT) {
			diag_add(dl, DIAG_WARNING, NULL, 0, 0, p->job->jpath, p->hint, "replicate %s to %s: %s",
				 p->job->source, p->target_display, p->why);
			continue;
		}
		if (p->status == REPL_NO_SOURCE || p->status == REPL_REFUSED) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, p->job->jpath, p->hint, "replicate %s to %s: %s",
				 p->job->source, p->target_display, p->why);
			rep->failed++;
			rc = -1;
			continue;
		}
		if (p->held_back) {
			char *d = destructive_text(p);
			if (!o->json)
				printf("! destructive: %s (needs --allow-destroy)\n", d);
			json_array_append_new(held, json_pack("{s:s, s:s}", "replication", p->target_display, "reason", d));
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, p->job->jpath,
				 "look at the replica's newer snapshots; 'phoenix-storage run --replicate --allow-destroy' rolls it back",
				 "replicate %s to %s held back: %s", p->job->source, p->target_display, p->why);
			free(d);
			rep->failed++;
			rc = -1;
			continue;
		}
		tp.t0 = mono();
		tp.step = 0;
		tp.shown = false;
		if (repl_apply_job(p, &ao, rep, dl) < 0)
			rc = -1;
		if (tp.shown)
			fprintf(stderr, "\n");
	}
	for (size_t i = 0; i < n; i++)
		repl_job_plan_free(&pl[i]);
	free(pl);
	json_t *stale = json_array();
	stale_holds(ctx, o, true, stale, dl);
	json_decref(stale);
	return rc;
}
