/* Runs the snapshot jobs (see snap_apply.h). */
#include "apply/snap_apply.h"

#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "exec/program.h"

/* Runs argv. Returns 0, or -1 with the error in dl; *err gets its stderr when err is not NULL. */
static int run_one(struct strvec *argv, struct diag_list *dl, char **err)
{
	struct exec_result r;
	int rc = exec_run(sv_argv(argv), NULL, &r);
	if (rc) {
		if (err)
			*err = xstrdup(r.err);
		else {
			char *text = exec_failure_text(sv_argv(argv), &r);
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, r.hint, "%s", text);
			free(text);
		}
	}
	exec_result_free(&r);
	return rc ? -1 : 0;
}

int snap_apply_marks(const struct snap_jobs *j, struct snap_report *rep, struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < j->n_mark; i++) {
		struct strvec argv = { 0 };
		for (size_t k = 0; k < j->mark[i].n; k++)
			sv_push(&argv, j->mark[i].v[k]);
		if (run_one(&argv, dl, NULL)) {
			rep->failures++;
			rc = -1;
		} else
			sv_push(&rep->marked, j->marked.v[i]);
		sv_free(&argv);
	}
	return rc;
}

int snap_apply_take(const struct snap_jobs *j, struct snap_report *rep, struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < j->n_take; i++) {
		struct strvec argv = { 0 };
		for (size_t k = 0; k < j->take[i].n; k++)
			sv_push(&argv, j->take[i].v[k]);
		if (run_one(&argv, dl, NULL)) {
			rep->failures++;
			rc = -1;
		} else {
			/* every DS@NAME argument of the call */
			for (size_t k = 2; k < argv.n; k++)
				if (strchr(argv.v[k], '@'))
					sv_push(&rep->taken, argv.v[k]);
		}
		sv_free(&argv);
	}
	return snap_apply_marks(j, rep, dl) || rc ? -1 : 0;
}

/* Runs one batch; on failure, the retry rule's next calls are run the same way. */
static int run_batch(const char *prog, const char *ds, const struct snap_batch *b, struct snap_report *rep,
		     struct diag_list *dl)
{
	struct strvec argv = { 0 };
	for (size_t k = 0; k < b->argv.n; k++)
		sv_push(&argv, b->argv.v[k]);
	char *err = NULL;
	int rc = run_one(&argv, dl, &err);
	sv_free(&argv);
	if (!rc) {
		for (size_t k = 0; k < b->names.n; k++)
			sv_pushf(&rep->destroyed, "%s@%s", ds, b->names.v[k]);
		return 0;
	}
	struct snap_retry r;
	snap_destroy_retry(prog, ds, b, err, &r);
	rc = 0;
	for (size_t i = 0; i < r.n_drops; i++) {
		const struct snap_drop *d = &r.drops[i];
		if (d->why == SNAP_DROP_GONE)
			continue;
		if (d->why == SNAP_DROP_FAILED) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "cannot destroy '%s@%s': %s", ds, d->name,
				 d->detail);
			rep->failures++;
			rc = -1;
			continue;
		}
		sv_pushf(&rep->kept, "%s@%s (%s: %s)", ds, d->name, snap_drop_why_name(d->why), d->detail);
		diag_add(dl, DIAG_WARNING, NULL, 0, 0, NULL, "it is destroyed by a later run once it is released",
			 "kept '%s@%s': %s (%s)", ds, d->name, snap_drop_why_name(d->why), d->detail);
	}
	for (size_t i = 0; i < r.next.n; i++)
		if (run_batch(prog, ds, &r.next.v[i], rep, dl))
			rc = -1;
	snap_retry_free(&r);
	free(err);
	return rc;
}

int snap_apply_prune(const struct snap_jobs *j, const char *prog, struct snap_report *rep,
		     struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < j->n; i++)
		for (size_t k = 0; k < j->v[i].destroy.n; k++)
			if (run_batch(prog, j->v[i].dataset, &j->v[i].destroy.v[k], rep, dl))
				rc = -1;
	return rc;
}

void snap_report_free(struct snap_report *r)
{
	sv_free(&r->taken);
	sv_free(&r->marked);
	sv_free(&r->destroyed);
	sv_free(&r->kept);
	memset(r, 0, sizeof(*r));
}
