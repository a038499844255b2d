/* phoenix-storage status: pools, health, disks, managed datasets, drift and everything else each subsystem reports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "subsys/health.h"
#include "subsys/table.h"
#include "util/fs.h"

/* --check when the state cannot be read: UNKNOWN with the first error. */
static int check_unknown(const struct diag_list *dl)
{
	const char *why = "the state could not be read";
	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i].level == DIAG_ERROR) {
			why = dl->v[i].msg;
			break;
		}
	printf("UNKNOWN: %s\n", why);
	return CHECK_UNKNOWN;
}

/* The number of actions the plan would take now (the drift metric). */
static long drift_objects(struct ph_ctx *ctx)
{
	struct plan p = { 0 };
	run_plan(ctx, &p);
	long n = (long)p.n;
	plan_free(&p);
	return n;
}

int write_metrics(struct ph_ctx *ctx, const char *file, long drift, struct diag_list *dl)
{
	char *text = health_prometheus(ctx, drift, dl);
	if (!text)
		return -1;
	int rc = write_file_atomic(file, text, strlen(text), 0644);
	if (rc)
		fprintf(stderr, "error: cannot write '%s': %s\n", file, strerror(rc < 0 ? -rc : errno));
	free(text);
	return rc ? -1 : 0;
}

/* status --prometheus: the textfile, written atomically. Returns 0, or -1 after printing an error. */
static int write_prometheus(struct ph_ctx *ctx, const struct options *o, struct diag_list *dl)
{
	const char *file = o->prometheus_file ? o->prometheus_file : health_prometheus_default(ctx);
	if (!file) {
		fprintf(stderr, "error: --prometheus needs a FILE: /var/lib/prometheus/node-exporter does not exist\n"
				"  hint: give --prometheus FILE, set monitoring.prometheus_file, or install prometheus-node-exporter\n");
		return -1;
	}
	return write_metrics(ctx, file, drift_objects(ctx), dl);
}

/* status --html FILE: the page, written atomically. Returns 0, or -1 after printing an error. */
static int write_html(struct ph_ctx *ctx, const char *file)
{
	char *page = health_html_page(ctx);
	if (!page) {
		fprintf(stderr, "error: --html needs the health subsystem\n  hint: leave it out of --only, or add health\n");
		return -1;
	}
	int rc = write_file_atomic(file, page, strlen(page), 0644);
	if (rc)
		fprintf(stderr, "error: cannot write '%s': %s\n", file, strerror(rc < 0 ? -rc : errno));
	free(page);
	return rc ? -1 : 0;
}

int cmd_status(const struct options *o)
{
	struct ph_ctx ctx;
	struct diag_list dl = { 0 };
	bool read = run_load(&ctx, &subsystems, &o->run, &dl) == 0 && run_discover(&ctx, &dl) == 0;
	int code = read ? EXIT_OK : EXIT_ERROR;
	if (!read && (o->check || o->prometheus || o->html_file)) {
		if (o->check) {
			check_unknown(&dl);
			code = CHECK_UNKNOWN;
		}
		print_diags(&dl);
		goto out;
	}
	if (o->prometheus && write_prometheus(&ctx, o, &dl)) {
		print_diags(&dl);
		code = o->check ? CHECK_UNKNOWN : EXIT_ERROR;
		goto out;
	}
	if (o->html_file && write_html(&ctx, o->html_file)) {
		code = o->check ? CHECK_UNKNOWN : EXIT_ERROR;
		print_diags(&dl);
		goto out;
	}
	if (o->check) {
		struct hc_result r;
		health_check(&ctx, &r);
		char *s = hc_render(&r);
		fputs(s, stdout);
		free(s);
		code = hc_exit_status(&r);
		hc_result_free(&r);
		goto out;
	}
	if (o->prometheus || o->html_file)
		goto out;
	json_t *out = json_object();
	if (read)
		run_status(&ctx, out, o->json ? NULL : stdout);
	if (o->json) {
		/* every subsystem's member as before, then the diagnostics (on a failure, only them) */
		json_object_set_new(out, "diagnostics", diags_json(&dl));
		print_json(out, false);
	}
	json_decref(out);
	print_diags(&dl);
out:
	run_free(&ctx);
	diag_list_free(&dl);
	return code;
}
