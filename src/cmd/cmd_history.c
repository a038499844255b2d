/* phoenix-storage history: what apply changed, when, by whom, from which config (the audit trail). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/audit.h"
#include "cmd/cmd.h"

/*
 * --since VALUE as the UTC time string records are compared with
 * ("2026-12-02T02:30:00Z"): VALUE is a date (2026-12-02), a time in UTC
 * (2026-12-02T02:30, with :SS and Z optional), or an age: N followed by m,
 * h or d (minutes, hours, days ago). Returns 0, or -1 for anything else.
 */
static int parse_since(const char *v, char out[32])
{
	struct tm tm = { 0 };
	const char *end;
	size_t n = strspn(v, "0123456789");
	if (n && n <= 6 && v[n] && strchr("mhd", v[n]) && !v[n + 1]) {
		long k = strtol(v, NULL, 10) * (v[n] == 'm' ? 60 : v[n] == 'h' ? 3600 : 86400);
		time_t t = time(NULL) - k;
		gmtime_r(&t, &tm);
	} else if ((end = strptime(v, "%Y-%m-%d", &tm)) && !*end) {
		/* midnight UTC of that day */
	} else if ((tm = (struct tm){ 0 }, end = strptime(v, "%Y-%m-%dT%H:%M", &tm))) {
		if (*end == ':' && !(end = strptime(end, ":%S", &tm)))
			return -1;
		if (strcmp(end, "") && strcmp(end, "Z"))
			return -1;
	} else
		return -1;
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

static const char *str_or(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

/* One record as text: a line, then one line per action. */
static void print_record(json_t *r)
{
	json_t *acts = json_object_get(r, "actions");
	const char *sha = str_or(r, "config_sha256", "");
	printf("%s %s %s by %s on %s: %zu action%s (config %s, sha256 %.12s)\n", str_or(r, "time", "?"),
	       str_or(r, "command", "?"), str_or(r, "result", "?"), str_or(r, "user", "?"), str_or(r, "node", "?"),
	       json_array_size(acts), json_array_size(acts) == 1 ? "" : "s", str_or(r, "config", "?"), sha);
	size_t i;
	json_t *a;
	json_array_foreach(acts, i, a) {
		const char *err = str_or(a, "error", NULL);
		printf("  %s %s: %s%s%s\n", str_or(a, "op", "?"), str_or(a, "summary", "?"), str_or(a, "result", "?"),
		       err ? ": " : "", err ? err : "");
	}
}

int cmd_history(const struct options *o)
{
	char since[32] = "";
	if (o->since && parse_since(o->since, since)) {
		fprintf(stderr, "error: --since '%s' is not a date, a time or an age\n"
				"  hint: give 2026-12-01, 2026-12-01T08:00 (UTC), or an age such as 30m, 12h, 7d\n",
			o->since);
		return EXIT_ERROR;
	}
	struct diag_list dl = { 0 };
	json_t *all;
	if (audit_read(o->run.root, &all, &dl)) {
		print_diags(&dl);
		diag_list_free(&dl);
		return EXIT_ERROR;
	}
	json_t *shown = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(all, i, r)
		if (!*since || strcmp(str_or(r, "time", ""), since) >= 0)
			json_array_append(shown, r);
	if (o->json) {
		char *s = json_dumps(shown, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
	} else if (!json_array_size(shown))
		printf("No changes recorded%s.\n", *since ? " since then" : "");
	else
		json_array_foreach(shown, i, r)
			print_record(r);
	print_diags(&dl);
	diag_list_free(&dl);
	json_decref(shown);
	json_decref(all);
	return EXIT_OK;
}
