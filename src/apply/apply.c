#include "apply/apply.h"

#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "util/str.h"
#include "util/strbuf.h"

void apply_exec_failed(struct diag_list *dl, const char *summary, const char *const argv[],
		       const struct exec_result *r, const char *hint)
{
	char *cmd = exec_argv_display(argv);
	char *why = exec_describe_status(r);
	char *err = str_rtrim_dup(r->err);
	diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, r->hint ? r->hint : hint, "%s failed: '%s' %s%s%s", summary, cmd,
		 why, *err ? ": " : "", err);
	free(cmd);
	free(why);
	free(err);
}

/*
 * The note after a failure at action upto of p: "already done: N of M
 * actions: A; B" with at most the last three of them ("; the last three: "
 * when there were more), or "nothing was changed".
 */
static void report_done(const struct plan *p, size_t upto, struct diag_list *dl)
{
	if (!upto) {
		diag_add(dl, DIAG_NOTE, NULL, 0, 0, NULL, NULL, "nothing was changed");
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	size_t first = upto > 3 ? upto - 3 : 0;
	for (size_t i = first; i < upto; i++)
		sb_addf(&sb, "%s%s", i > first ? "; " : "", p->v[i].summary);
	diag_add(dl, DIAG_NOTE, NULL, 0, 0, NULL, "fix the cause and run apply again: it continues from the current state",
		 "already done: %zu of %zu action%s%s%s", upto, p->n, p->n == 1 ? "" : "s",
		 upto > 3 ? "; the last three: " : ": ", sb.buf);
	sb_release(&sb);
}

/* Tells ax about action i of p (argv and r: the program that failed, or NULL). */
static void tell(struct apply_ctx *ax, enum apply_event_kind k, const struct plan *p, size_t i,
		 const char *const *argv, const struct exec_result *r, const struct diag_list *dl)
{
	if (!ax->on_event)
		return;
	struct apply_event e = { .kind = k, .index = i, .total = p->n, .action = &p->v[i], .argv = argv,
				 .result = r, .error = k == APPLY_FAILED && dl->n ? &dl->v[dl->n - 1] : NULL };
	ax->on_event(ax->event_arg, &e);
}

/* Runs the commands of action i. Returns 0, or -1 with the error in dl (told to ax first). */
static int run_cmds(const struct plan *p, size_t i, struct apply_ctx *ax, struct diag_list *dl)
{
	const struct action *a = &p->v[i];
	for (size_t j = 0; j < a->n_cmds; j++) {
		struct exec_result r;
		const char *const *argv = sv_argv(&a->cmds[j]);
		if (exec_run(argv, NULL, &r)) {
			apply_exec_failed(dl, a->summary, argv, &r, NULL);
			tell(ax, APPLY_FAILED, p, i, argv, &r, dl);
			exec_result_free(&r);
			return -1;
		}
		exec_result_free(&r);
	}
	return 0;
}

int apply_plan(const struct plan *p, struct apply_ctx *ax, struct diag_list *dl)
{
	ax->done = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		if (ax->on_event) {
			tell(ax, APPLY_STARTED, p, i, NULL, NULL, dl);
		} else {
			action_print(ax->out, a);
			fflush(ax->out);
		}
		int rc = apply_executor(a->before, a, ax, dl);
		if (rc)
			tell(ax, APPLY_FAILED, p, i, NULL, NULL, dl);
		else if ((rc = run_cmds(p, i, ax, dl)) == 0 && (rc = apply_executor(a->after, a, ax, dl)))
			tell(ax, APPLY_FAILED, p, i, NULL, NULL, dl);
		if (rc) {
			report_done(p, i, dl);
			return -1;
		}
		tell(ax, APPLY_DONE, p, i, NULL, NULL, dl);
		ax->done = i + 1;
	}
	return 0;
}
