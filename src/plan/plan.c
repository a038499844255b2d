#include "plan/plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

struct action *plan_add(struct plan *p, int phase, char op, const char *subsystem,
			const char *kind, const char *target, const char *fmt, ...)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	struct action *a = &p->v[p->n];
	memset(a, 0, sizeof(*a));
	a->phase = phase;
	a->op = op;
	a->subsystem = xstrdup(subsystem);
	a->kind = xstrdup(kind);
	a->target = xstrdup(target ? target : "");
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	a->summary = sb_detach(&sb);
	a->seq = p->n;
	p->n++;
	return a;
}

void action_set_executor(struct action *a, enum action_executor after, void *data, void (*free_data)(void *))
{
	a->after = after;
	a->data = data;
	a->free_data = free_data;
}

void action_add_cmd(struct action *a, struct strvec *argv)
{
	a->cmds = xrealloc(a->cmds, (a->n_cmds + 1) * sizeof(*a->cmds));
	a->cmds[a->n_cmds++] = *argv;
	memset(argv, 0, sizeof(*argv));
}

static int cmp_action(const void *x, const void *y)
{
	const struct action *a = x, *b = y;
	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

void plan_sort(struct plan *p)
{
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), cmp_action);
}

size_t plan_count_op(const struct plan *p, char op)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->v[i].op == op;
	return n;
}

size_t plan_count_destructive(const struct plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->v[i].destructive;
	return n;
}

void action_print(FILE *f, const struct action *a)
{
	if (a->destructive)
		fprintf(f, "! destructive: %s\n", a->summary);
	else
		fprintf(f, "%c %s\n", a->op, a->summary);
}

const struct replan_note *plan_replan(const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].replan)
			return p->v[i].replan;
	return NULL;
}

void plan_print(FILE *f, const struct plan *p, bool show_commands)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		action_print(f, a);
		for (size_t j = 0; j < a->details.n; j++)
			fprintf(f, "    %s\n", a->details.v[j]);
		if (show_commands)
			for (size_t j = 0; j < a->n_cmds; j++) {
				char *d = exec_argv_display(sv_argv(&a->cmds[j]));
				fprintf(f, "    $ %s\n", d);
				free(d);
			}
	}
	for (size_t i = 0; i < p->recreate.n; i++)
		fprintf(f, "! recreate needed: %s\n", p->recreate.v[i]);
	for (size_t i = 0; i < p->waiting.n; i++)
		fprintf(f, "! waits for a stop: %s\n", p->waiting.v[i]);
	for (size_t i = 0; i < p->held.n; i++)
		fprintf(f, "! destructive: %s (needs --allow-destroy)\n", p->held.v[i]);
	for (size_t i = 0; i < p->unmanaged.n; i++)
		fprintf(f, "= unmanaged: %s (left alone)\n", p->unmanaged.v[i]);
	for (size_t i = 0; i < p->info.n; i++)
		fprintf(f, "= snapshots: %s (information: 'phoenix-storage run' does it)\n", p->info.v[i]);
	for (size_t i = 0; i < p->elsewhere.n; i++)
		fprintf(f, "= %s\n", p->elsewhere.v[i]);
}

static json_t *strvec_json(const struct strvec *sv)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

json_t *action_to_json(const struct action *a)
{
	char op[2] = { a->op, 0 };
	json_t *cmds = json_array();
	for (size_t j = 0; j < a->n_cmds; j++)
		json_array_append_new(cmds, strvec_json(&a->cmds[j]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "op", op, "subsystem", a->subsystem, "kind",
			 a->kind, "target", a->target, "summary", a->summary, "destructive", a->destructive,
			 "details", strvec_json(&a->details), "commands", cmds);
}

json_t *plan_to_json(const struct plan *p)
{
	json_t *root = json_object();
	json_t *acts = json_array();
	for (size_t i = 0; i < p->n; i++)
		json_array_append_new(acts, action_to_json(&p->v[i]));
	json_object_set_new(root, "actions", acts);
	json_object_set_new(root, "recreate_needed", strvec_json(&p->recreate));
	if (p->waiting.n)
		json_object_set_new(root, "waiting", strvec_json(&p->waiting));
	if (p->held.n)
		json_object_set_new(root, "held_back", strvec_json(&p->held));
	json_object_set_new(root, "unmanaged", strvec_json(&p->unmanaged));
	if (p->info.n)
		json_object_set_new(root, "snapshot_jobs", strvec_json(&p->info));
	if (p->elsewhere.n)
		json_object_set_new(root, "other_nodes", strvec_json(&p->elsewhere));
	json_t *diags = json_array();
	for (size_t i = 0; i < p->diags.n; i++)
		json_array_append_new(diags, diag_to_json(&p->diags.v[i]));
	json_object_set_new(root, "diagnostics", diags);
	json_object_set_new(root, "summary",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "create", (json_int_t)plan_count_op(p, OP_CREATE),
				      "change", (json_int_t)plan_count_op(p, OP_CHANGE), "remove",
				      (json_int_t)plan_count_op(p, OP_REMOVE), "destructive",
				      (json_int_t)plan_count_destructive(p), "recreate_needed", (json_int_t)p->recreate.n));
	if (p->waiting.n)
		json_object_set_new(json_object_get(root, "summary"), "waiting", json_integer((json_int_t)p->waiting.n));
	return root;
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct action *a = &p->v[i];
		free(a->subsystem);
		free(a->kind);
		free(a->target);
		free(a->summary);
		sv_free(&a->details);
		for (size_t j = 0; j < a->n_cmds; j++)
			sv_free(&a->cmds[j]);
		free(a->cmds);
		if (a->free_data)
			a->free_data(a->data);
	}
	free(p->v);
	sv_free(&p->unmanaged);
	sv_free(&p->recreate);
	sv_free(&p->waiting);
	sv_free(&p->held);
	sv_free(&p->info);
	sv_free(&p->elsewhere);
	diag_list_free(&p->diags);
	memset(p, 0, sizeof(*p));
}
