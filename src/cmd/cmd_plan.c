/* phoenix-storage plan: read the real state and show what apply would do. */
#include <stdlib.h>

#include "cmd/cmd.h"
#include "subsys/table.h"
#include "util/strbuf.h"

/*
 * plan --json: the plan (empty when it could not be built), every diagnostic,
 * "ok", and where the errors are (blame_json), on stdout.
 */
static void print_plan_json(const struct plan *p, const struct diag_list *dl, const struct blame *b)
{
	json_t *j = plan_to_json(p);
	json_t *diags = json_object_get(j, "diagnostics");
	for (size_t i = 0; i < dl->n; i++)
		json_array_append_new(diags, diag_to_json(&dl->v[i]));
	json_object_set_new(j, "ok", json_boolean(diag_count(dl, DIAG_ERROR) == 0));
	blame_json(b, j);
	print_json(j, false);
	json_decref(j);
}

int cmd_plan(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	struct plan p = { 0 };
	struct blame b;
	bool built = run_to_plan(&ctx, &subsystems, &o->run, &dl, &p) == 0;
	size_t errors = diag_count(&dl, DIAG_ERROR);
	blame_init(&b, &ctx, &dl);
	if (o->json)
		print_plan_json(&p, &dl, &b);
	else if (built) {
		plan_print(stdout, &p, o->run.verbose);
		print_plan_summary(stdout, &p);
	}
	print_diags(&dl);
	if (built && errors) {
		fprintf(stderr, "plan has %zu error%s%s: apply would refuse to run\n", errors, errors == 1 ? "" : "s",
			b.where);
		blame_hint(stderr, &b, "plan and apply");
	}
	int code = !built || errors ? EXIT_ERROR : p.n || p.recreate.n || p.waiting.n ? EXIT_CHANGES : EXIT_OK;
	blame_free(&b);
	plan_free(&p);
	run_free(&ctx);
	diag_list_free(&dl);
	return code;
}
