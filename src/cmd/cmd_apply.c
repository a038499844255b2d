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
 * One pass: load, discover, plan, confirm, run; what ran goes into au.
 * password: what
 * --samba-password-stdin carried, or NULL. prev: NULL for the first pass,
 * else the note of the action after which this second pass plans again.
 * *again gets the note of this pass's own such action (a pool import, whose
 * datasets can only be planned after it), or NULL.
 */
static int apply_pass(const struct options *o, const char *password, const struct replan_note *prev,
		      const struct replan_note **again, struct audit *au)
{
	bool first = !prev;
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	struct plan p = { 0 };
	int code = EXIT_ERROR;
	*again = NULL;
	if (run_to_plan(&ctx, &subsystems, &o->run, &dl, &p)) {
		print_diags(&dl);
		fprintf(stderr, "%s\n", first ? "nothing was changed" : prev->stopped);
		goto out;
	}
	size_t errors = diag_count(&dl, DIAG_ERROR);
	if (errors) {
		plan_print(stdout, &p, false);
		print_diags(&dl);
		fprintf(stderr, "refusing to apply: the plan has %zu error%s; %s\n", errors, errors == 1 ? "" : "s",
			first ? "nothing was changed" : prev->stopped);
		goto out;
	}
	if (!p.n) {
		print_diags(&dl);
		if (first)
			printf("Nothing to do: the host matches the config.\n");
		code = EXIT_OK;
		goto out;
	}
	if (!o->yes) {
		plan_print(stdout, &p, false);
		print_plan_summary(stdout, &p);
		print_diags(&dl);
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "error: refusing to apply without confirmation: no terminal to ask on\n"
					"  hint: review the plan above and pass --yes\n");
			goto out;
		}
		if (!confirm(p.n)) {
			fprintf(stderr, "not applied: nothing was changed\n");
			goto out;
		}
		diag_list_free(&dl);
	} else {
		print_diags(&dl);
		diag_list_free(&dl);
	}
	struct apply_ctx ax = { .root = ctx.root, .out = stdout, .samba_password = password };
	if (apply_plan(&p, &ax, &dl)) {
		audit_add_plan(au, &ctx.main, &p, ax.done, true, &dl);
		print_diags(&dl);
		goto out;
	}
	audit_add_plan(au, &ctx.main, &p, ax.done, false, NULL);
	printf("Applied %zu change%s.\n", p.n, p.n == 1 ? "" : "s");
	*again = plan_replan(&p);
	code = EXIT_OK;
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
static int apply_passes(const struct options *o, const char *password)
{
	const struct replan_note *again = NULL;
	struct audit au;
	audit_init(&au);
	int code = apply_pass(o, password, NULL, &again, &au);
	if (code == EXIT_OK && again) {
		/* Without --yes the second pass shows its own plan and asks again. */
		const struct replan_note *first = again;
		printf("%s\n", first->again);
		code = apply_pass(o, password, first, &again, &au);
	}
	struct diag_list dl = { 0 };
	if (audit_write(&au, o->run.root, "apply", &dl))
		print_diags(&dl);
	diag_list_free(&dl);
	audit_free(&au);
	return code;
}

/* The host lock, then the passes. Returns the exit code. */
static int apply_locked(const struct options *o, const char *password)
{
	struct diag_list dl = { 0 };
	/* A config error stops here, before anything (even the lock file) is written. */
	struct ph_ctx pre;
	int bad = run_load(&pre, &subsystems, &o->run, &dl);
	run_free(&pre);
	if (bad) {
		print_diags(&dl);
		fprintf(stderr, "nothing was changed\n");
		diag_list_free(&dl);
		return EXIT_ERROR;
	}
	diag_list_free(&dl);
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
		print_diags(&dl);
		diag_list_free(&dl);
		return EXIT_ERROR;
	}
	int code = apply_passes(o, password);
	lock_release(lock);
	return code;
}

int cmd_apply(const struct options *o)
{
	if (!o->run.samba_password_stdin)
		return apply_locked(o, NULL);
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
	int code = apply_locked(o, pw);
	memset(pw, 0, strlen(pw));
	free(pw);
	return code;
}
