/* phoenix-storage plan: read the real state and show what apply would do. */
#include <stdlib.h>

#include "cmd/cmd.h"
#include "subsys/table.h"
#include "util/strbuf.h"

void print_diags(const struct diag_list *dl)
{
	diag_print(stderr, dl);
}

void print_plan_summary(FILE *f, const struct plan *p)
{
	size_t r = p->recreate.n;
	if (!p->n && r) {
		fprintf(f, "No changes apply can make; %zu need%s a recreate by hand (see 'recreate needed').\n", r,
			r == 1 ? "s" : "");
		return;
	}
	if (!p->n) {
		fprintf(f, "No changes: the host matches the config.\n");
		return;
	}
	size_t d = plan_count_destructive(p);
	fprintf(f, "Plan: %zu to create, %zu to change, %zu to remove", plan_count_op(p, OP_CREATE),
		plan_count_op(p, OP_CHANGE), plan_count_op(p, OP_REMOVE));
	if (d)
		fprintf(f, ", %zu destructive", d);
	if (r)
		fprintf(f, ", %zu recreate needed", r);
	fprintf(f, ".\n");
}

int cmd_plan(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	struct plan p = { 0 };
	int code = EXIT_ERROR;
	if (run_to_plan(&ctx, &subsystems, &o->run, &dl, &p)) {
		print_diags(&dl);
		goto out;
	}
	size_t errors = diag_count(&dl, DIAG_ERROR);
	if (o->json) {
		json_t *j = plan_to_json(&p);
		json_t *diags = json_object_get(j, "diagnostics");
		for (size_t i = 0; i < dl.n; i++)
			json_array_append_new(diags, diag_to_json(&dl.v[i]));
		json_object_set_new(j, "ok", json_boolean(errors == 0));
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
		json_decref(j);
	} else {
		plan_print(stdout, &p, o->run.verbose);
		print_plan_summary(stdout, &p);
	}
	print_diags(&dl);
	if (errors)
		fprintf(stderr, "plan has %zu error%s: apply would refuse to run\n", errors, errors == 1 ? "" : "s");
	code = errors ? EXIT_ERROR : p.n || p.recreate.n ? EXIT_CHANGES : EXIT_OK;
out:
	plan_free(&p);
	run_free(&ctx);
	diag_list_free(&dl);
	return code;
}
