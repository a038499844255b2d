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

static void report_done(const struct plan *p, size_t upto, struct diag_list *dl)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < upto; i++)
		sb_addf(&sb, "%s%s", i ? "; " : "", p->v[i].summary);
	if (upto)
		diag_add(dl, DIAG_NOTE, NULL, 0, 0, NULL,
			 "fix the cause and run apply again: it continues from the current state",
			 "already done (%zu of %zu): %s", upto, p->n, sb.buf);
	else
		diag_add(dl, DIAG_NOTE, NULL, 0, 0, NULL, NULL, "nothing was changed");
	sb_release(&sb);
}

int apply_plan(const struct plan *p, struct apply_ctx *ax, struct diag_list *dl)
{
	ax->done = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		action_print(ax->out, a);
		fflush(ax->out);
		if (apply_executor(a->before, a, ax, dl)) {
			report_done(p, i, dl);
			return -1;
		}
		for (size_t j = 0; j < a->n_cmds; j++) {
			struct exec_result r;
			const char *const *argv = sv_argv(&a->cmds[j]);
			if (exec_run(argv, NULL, &r)) {
				apply_exec_failed(dl, a->summary, argv, &r, NULL);
				exec_result_free(&r);
				report_done(p, i, dl);
				return -1;
			}
			exec_result_free(&r);
		}
		if (apply_executor(a->after, a, ax, dl)) {
			report_done(p, i, dl);
			return -1;
		}
		ax->done = i + 1;
	}
	return 0;
}
