/* phoenix-storage apply: converge the host, changing only what the plan shows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/apply.h"
#include "apply/audit.h"
#include "cmd/cmd.h"
#include "subsys/table.h"
#include "util/lock.h"
#include "util/strbuf.h"


/* Asks on the terminal; true only for "y" or "yes". */
static bool confirm(size_t n)
{
	fprintf(stdout, "Apply these %zu change%s? [y/N] ", n, n == 1 ? "" : "s");
	fflush(stdout);
	char buf[16];
	if (!fgets(buf, sizeof(buf), stdin))
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return !strcmp(buf, "y") || !strcmp(buf, "yes");
}

/*
 * What apply shows over its passes: the diagnostics go to stderr as they
 * come; with --json (one JSON object per line on stdout) each action's start
 * and end, and at the end a summary with every diagnostic.
 */
struct apply_out {
	bool json;
	size_t done;          /* actions that ran to the end, over every pass */
	size_t planned;       /* actions planned, over every pass */
	json_t *diags;        /* json: every diagnostic shown */
	json_t *blame;        /* json: errors_in / other_layers of the pass that refused, or NULL */
	struct audit *au;     /* what ran, for the audit trail */
};

/* Shows the diagnostics of dl (stderr; and kept for the JSON summary). */
static void show_diags(struct apply_out *ao, const struct diag_list *dl)
{
	print_diags(dl);
	if (ao->json) {
		json_t *a = diags_json(dl);
		json_array_extend(ao->diags, a);
		json_decref(a);
	}
}

/* The refusal after errors: where they are and, when there are, the other layers to apply alone. */
static void refuse(struct apply_out *ao, const struct ph_ctx *ctx, const struct diag_list *dl, const char *what,
		   const char *then)
{
	struct blame b;
	blame_init(&b, ctx, dl);
	size_t errors = diag_count(dl, DIAG_ERROR);
	if (what)
		fprintf(stderr, "refusing to apply: %s has %zu error%s%s; %s\n", what, errors, errors == 1 ? "" : "s",
			b.where, then);
	else
		fprintf(stderr, "%s\n", then);
	blame_hint(stderr, &b, "apply");
	if (ao->json) {
		json_decref(ao->blame);
		ao->blame = json_object();
		blame_json(&b, ao->blame);
	}
	blame_free(&b);
}

/* apply --json: one line per action started and finished (struct apply_event). */
static void event_json(const struct apply_event *e)
{
	json_t *j = json_pack("{s:s, s:I, s:I}", "event", e->kind == APPLY_STARTED ? "started" : "finished", "index",
			      (json_int_t)e->index + 1, "total", (json_int_t)e->total);
	if (e->kind == APPLY_STARTED) {
		json_object_set_new(j, "action", action_to_json(e->action));
	} else {
		json_object_set_new(j, "summary", json_string(e->action->summary));
		json_object_set_new(j, "result", json_string(e->kind == APPLY_DONE ? "ok" : "failed"));
	}
	if (e->kind == APPLY_FAILED) {
		json_t *argv = json_null();
		if (e->argv) {
			argv = json_array();
			for (size_t i = 0; e->argv[i]; i++)
				json_array_append_new(argv, json_string(e->argv[i]));
		}
		json_object_set_new(j, "command", argv);
		json_object_set_new(j, "status", e->result ? json_integer(e->result->status) : json_null());
		json_object_set_new(j, "stderr", e->result ? json_string(e->result->err) : json_null());
		json_object_set_new(j, "error", e->error ? diag_to_json(e->error) : json_null());
	}
	print_json(j, true);
	json_decref(j);
}

/* apply --json: the last line. */
static void summary_json(const struct apply_out *ao, int code)
{
	json_t *j = json_pack("{s:s, s:b, s:I, s:I, s:O}", "event", "summary", "ok", code == EXIT_OK, "applied",
			      (json_int_t)ao->done, "planned", (json_int_t)ao->planned, "diagnostics", ao->diags);
	if (ao->blame) {
		json_object_update(j, ao->blame);
	} else {
		json_object_set_new(j, "errors_in", json_array());
		json_object_set_new(j, "other_layers", json_array());
	}
	print_json(j, true);
	json_decref(j);
}

/*
 * The changes of p apply never runs: those that need a recreate by hand
 * ("! recreate needed: ..." lines and "HOW: N changes need a recreate by
 * hand") and those waiting for a guest to stop ("! waits for a stop: ..."
 * and "HOW: N changes wait for a guest to stop") and the destructive ones
 * held back for want of --allow-destroy ("! destructive: ... (needs
 * --allow-destroy)"); with --json one {"event": "recreate_needed" | "waiting"
 * | "held_back", "message"} line per change.
 */
static void show_held(const struct apply_out *ao, const struct plan *p, const char *how)
{
	const struct {
		const struct strvec *v;
		const char *event, *line, *suffix, *one, *many;
	} held[] = {
		{ &p->recreate, "recreate_needed", "! recreate needed", "", "needs a recreate by hand (see 'recreate needed')",
		  "need a recreate by hand (see 'recreate needed')" },
		{ &p->waiting, "waiting", "! waits for a stop", "", "waits for a guest to stop (see 'waits for a stop')",
		  "wait for a guest to stop (see 'waits for a stop')" },
		{ &p->held, "held_back", "! destructive", " (needs --allow-destroy)", "is held back (needs --allow-destroy)",
		  "are held back (needs --allow-destroy)" },
	};
	for (size_t h = 0; h < sizeof(held) / sizeof(held[0]); h++) {
		size_t n = held[h].v->n;
		for (size_t i = 0; i < n; i++) {
			if (ao->json) {
				json_t *j = json_pack("{s:s, s:s}", "event", held[h].event, "message", held[h].v->v[i]);
				print_json(j, true);
				json_decref(j);
			} else {
				printf("%s: %s%s\n", held[h].line, held[h].v->v[i], held[h].suffix);
			}
		}
		if (n && !ao->json)
			printf("%s: %zu change%s %s.\n", how, n, n == 1 ? "" : "s", n == 1 ? held[h].one : held[h].many);
	}
}

/* Each event of apply_plan: the action line as it starts (text) or the JSON line; counts what finished. */
static void on_event(void *arg, const struct apply_event *e)
{
	struct apply_out *ao = arg;
	if (e->kind == APPLY_DONE)
		ao->done++;
	if (ao->json) {
		event_json(e);
	} else if (e->kind == APPLY_STARTED) {
		action_print(stdout, e->action);
		fflush(stdout);
	}
}

/*
 * One pass: load, discover, plan, confirm, run; what ran goes into ao->au.
 * password: what
 * --samba-password-stdin carried, or NULL. prev: NULL for the first pass,
 * else the note of the action after which this second pass plans again.
 * *again gets the note of this pass's own such action (a pool import, whose
 * datasets can only be planned after it), or NULL.
 */
static int apply_pass(const struct options *o, const char *password, const struct replan_note *prev,
		      const struct replan_note **again, struct apply_out *ao)
{
	bool first = !prev;
	const char *then = first ? "nothing was changed" : prev->stopped;
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	struct plan p = { 0 };
	int code = EXIT_ERROR;
	*again = NULL;
	FILE *text = ao->json ? NULL : stdout;   /* --json: stdout carries the JSON lines only */
	if (run_to_plan(&ctx, &subsystems, &o->run, &dl, &p)) {
		show_diags(ao, &dl);
		refuse(ao, &ctx, &dl, NULL, then);
		goto out;
	}
	if (diag_count(&dl, DIAG_ERROR)) {
		if (text)
			plan_print(text, &p, false);
		show_diags(ao, &dl);
		refuse(ao, &ctx, &dl, "the plan", then);
		goto out;
	}
	if (!p.n) {
		show_diags(ao, &dl);
		if (p.recreate.n || p.waiting.n || p.held.n)
			show_held(ao, &p, "Nothing apply can do");
		else if (first && text)
			printf("Nothing to do: the host matches the config.\n");
		code = p.recreate.n || p.waiting.n ? EXIT_CHANGES : EXIT_OK;
		goto out;
	}
	if (!o->yes) {
		plan_print(stdout, &p, false);
		print_plan_summary(stdout, &p);
		show_diags(ao, &dl);
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "error: refusing to apply without confirmation: no terminal to ask on\n"
					"  hint: review the plan above and pass --yes\n");
			goto out;
		}
		if (!confirm(p.n)) {
			fprintf(stderr, "not applied: nothing was changed\n");
			goto out;
		}
	} else {
		show_diags(ao, &dl);
	}
	diag_list_free(&dl);
	ao->planned += p.n;
	struct apply_ctx ax = { .root = ctx.root, .out = stdout, .samba_password = password,
				.on_event = on_event, .event_arg = ao };
	if (apply_plan(&p, &ax, &dl)) {
		audit_add_plan(ao->au, &ctx.main, &p, ax.done, true, &dl);
		show_diags(ao, &dl);
		goto out;
	}
	audit_add_plan(ao->au, &ctx.main, &p, ax.done, false, NULL);
	if (text)
		printf("Applied %zu change%s.\n", p.n, p.n == 1 ? "" : "s");
	*again = plan_replan(&p);
	code = EXIT_OK;
	/* Never run: ZFS takes them only when a dataset is created. */
	if (p.recreate.n || p.waiting.n) {
		show_held(ao, &p, "Not converged");
		code = EXIT_CHANGES;
	} else if (p.held.n) {
		show_held(ao, &p, "Kept"); /* warned about: the exit status stays 0 */
	}
out:
	plan_free(&p);
	run_free(&ctx);
	diag_list_free(&dl);
	return code;
}

/* The first line of stdin (at most 1 KiB), or NULL when it is empty. Caller wipes and frees. */
static char *read_password_line(void)
{
	char buf[1025];
	size_t n = fread(buf, 1, sizeof(buf) - 1, stdin);
	buf[n] = '\0';
	size_t l = strcspn(buf, "\r\n");
	char *pw = l ? xstrndup(buf, l) : NULL;
	memset(buf, 0, sizeof(buf));
	return pw;
}

/*
 * After the lock: the first pass, and a second one when the first did what
 * the rest depends on; then one audit record of every action they ran.
 */
static int apply_passes(const struct options *o, const char *password, struct apply_out *ao)
{
	const struct replan_note *again = NULL;
	struct audit au;
	audit_init(&au);
	ao->au = &au;
	int code = apply_pass(o, password, NULL, &again, ao);
	if ((code == EXIT_OK || code == EXIT_CHANGES) && again) {
		/* Without --yes the second pass shows its own plan and asks again. */
		const struct replan_note *first = again;
		if (ao->json) {
			json_t *j = json_pack("{s:s, s:s}", "event", "replan", "message", first->again);
			print_json(j, true);
			json_decref(j);
		} else {
			printf("%s\n", first->again);
		}
		code = apply_pass(o, password, first, &again, ao);
	}
	struct diag_list dl = { 0 };
	if (audit_write(&au, o->run.root, "apply", &dl))
		show_diags(ao, &dl);
	diag_list_free(&dl);
	audit_free(&au);
	return code;
}

/* The host lock, then the passes. Returns the exit code. */
static int apply_locked(const struct options *o, const char *password, struct apply_out *ao)
{
	struct diag_list dl = { 0 };
	/* A config error stops here, before anything (even the lock file) is written. */
	struct ph_ctx pre;
	int bad = run_load(&pre, &subsystems, &o->run, &dl);
	if (bad) {
		show_diags(ao, &dl);
		refuse(ao, &pre, &dl, "the config", "nothing was changed");
	}
	run_free(&pre);
	diag_list_free(&dl);
	if (bad)
		return EXIT_ERROR;
	/* One apply per host, whatever --root says: ZFS is one per host. */
	int lock = lock_acquire(LOCK_APPLY, 0, &dl);
	if (lock == -EWOULDBLOCK && o->wait_s > 0) {
		diag_list_free(&dl);
		char *who = lock_holder(LOCK_APPLY);
		fprintf(stderr, "waiting up to %d s for another phoenix-storage apply to finish (%s)\n", o->wait_s,
			who ? who : "holder unknown");
		free(who);
		lock = lock_acquire(LOCK_APPLY, o->wait_s, &dl);
	}
	if (lock < 0) {
		show_diags(ao, &dl);
		diag_list_free(&dl);
		return EXIT_ERROR;
	}
	int code = apply_passes(o, password, ao);
	lock_release(lock);
	return code;
}

/* Reads the password when --samba-password-stdin asks for it, then applies. Returns the exit code. */
static int apply_with_password(const struct options *o, struct apply_out *ao)
{
	if (!o->run.samba_password_stdin)
		return apply_locked(o, NULL, ao);
	if (!o->yes) {
		fprintf(stderr, "error: --samba-password-stdin needs --yes: stdin carries the password, "
				"not the confirmation\n  hint: review the plan with 'phoenix-storage plan' first\n");
		return EXIT_ERROR;
	}
	char *pw = read_password_line();
	if (!pw) {
		fprintf(stderr, "error: --samba-password-stdin: no password on stdin\n"
				"  hint: pipe it in, e.g. phoenix-storage apply --yes --samba-password-stdin < /root/samba.pass\n");
		return EXIT_ERROR;
	}
	int code = apply_locked(o, pw, ao);
	memset(pw, 0, strlen(pw));
	free(pw);
	return code;
}

int cmd_apply(const struct options *o)
{
	if (o->json && !o->yes) {
		fprintf(stderr, "error: apply --json needs --yes: its output is for a program, there is no one to ask\n"
				"  hint: review the plan with 'phoenix-storage plan', then run apply --json --yes\n");
		return EXIT_ERROR;
	}
	struct apply_out ao = { .json = o->json, .diags = json_array() };
	int code = apply_with_password(o, &ao);
	if (ao.json)
		summary_json(&ao, code);
	json_decref(ao.diags);
	json_decref(ao.blame);
	return code;
}
