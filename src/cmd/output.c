/* What every command prints the same way: diagnostics (text and JSON), the plan summary, the --only advice. */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/strbuf.h"

void print_diags(const struct diag_list *dl)
{
	diag_print(stderr, dl);
}

void print_plan_summary(FILE *f, const struct plan *p)
{
	size_t r = p->recreate.n, w = p->waiting.n, h = p->held.n;
	if (!p->n && (r || w || h)) {
		fprintf(f, "No changes apply can make");
		if (r)
			fprintf(f, "; %zu need%s a recreate by hand (see 'recreate needed')", r, r == 1 ? "s" : "");
		if (w)
			fprintf(f, "; %zu wait%s for a guest to stop (see 'waits for a stop')", w, w == 1 ? "s" : "");
		if (h)
			fprintf(f, "; %zu destructive change%s held back (needs --allow-destroy)", h, h == 1 ? "" : "s");
		fprintf(f, ".\n");
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
	if (w)
		fprintf(f, ", %zu waiting for a stop", w);
	if (h)
		fprintf(f, ", %zu destructive held back (needs --allow-destroy)", h);
	fprintf(f, ".\n");
}

json_t *diags_json(const struct diag_list *dl)
{
	json_t *a = json_array();
	for (size_t i = 0; i < dl->n; i++)
		json_array_append_new(a, diag_to_json(&dl->v[i]));
	return a;
}

void print_json(const json_t *j, bool one_line)
{
	char *s = json_dumps(j, (one_line ? JSON_COMPACT : JSON_INDENT(2)) | JSON_PRESERVE_ORDER);
	puts(s);
	free(s);
	fflush(stdout);
}

static json_t *names_json(const struct strvec *sv)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

void blame_init(struct blame *b, const struct ph_ctx *ctx, const struct diag_list *dl)
{
	memset(b, 0, sizeof(*b));
	if (ctx->doors)
		run_blame(ctx, dl, &b->in, &b->others);
	char *in = sv_join(&b->in, ", ");
	b->where = b->in.n ? xasprintf(" (in %s)", in) : xstrdup("");
	free(in);
}

void blame_hint(FILE *f, const struct blame *b, const char *verb)
{
	if (!b->in.n || !b->others.n)
		return;
	char *others = sv_join(&b->others, ",");
	fprintf(f, "  hint: %s the other layers with --only %s\n", verb, others);
	free(others);
}

void blame_json(const struct blame *b, json_t *o)
{
	json_object_set_new(o, "errors_in", names_json(&b->in));
	json_object_set_new(o, "other_layers", b->in.n ? names_json(&b->others) : json_array());
}

void blame_free(struct blame *b)
{
	sv_free(&b->in);
	sv_free(&b->others);
	free(b->where);
	memset(b, 0, sizeof(*b));
}
