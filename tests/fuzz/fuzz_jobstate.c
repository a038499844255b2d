/*
 * Fuzz target: the job state file of `run` (/var/lib/phoenix-storage/jobs),
 * read by jobstate_parse.
 *
 * Input: the file. Checks: 0 with no diagnostic, or -1 with exactly one
 * error naming a line; the records sorted and unique, each found by
 * jobstate_get with its time; the rendered text reads back to the same
 * records and renders byte for byte the same; a set of a new time reads
 * back.
 */
#include "fuzz.h"

#include "formats/jobstate.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct jobstate js = { 0 };
	struct diag_list dl = { 0 };
	int rc = jobstate_parse(text, "jobs", &js, &dl);
	FUZZ_CHECK(rc == 0 ? dl.n == 0 : rc == -1 && dl.n == 1 && dl.v[0].line > 0, "rc %d with %zu diagnostics", rc,
		   dl.n);
	for (size_t i = 0; i < js.n; i++) {
		FUZZ_CHECK(jobstate_get(&js, js.v[i].kind, js.v[i].name) == js.v[i].at, "record %zu not found", i);
		if (i) {
			int c = strcmp(js.v[i - 1].kind, js.v[i].kind);
			FUZZ_CHECK(c < 0 || (!c && strcmp(js.v[i - 1].name, js.v[i].name) < 0), "records out of order at %zu", i);
		}
	}
	char *out = jobstate_render(&js);
	struct jobstate back = { 0 };
	struct diag_list dl2 = { 0 };
	FUZZ_CHECK(jobstate_parse(out, "jobs", &back, &dl2) == 0, "the rendered text does not parse");
	FUZZ_CHECK(back.n == js.n, "%zu records rendered, %zu read back", js.n, back.n);
	char *again = jobstate_render(&back);
	fuzz_same("render of the read-back", out, strlen(out), again, strlen(again));
	if (js.n) {
		FUZZ_CHECK(jobstate_set(&back, js.v[0].kind, js.v[0].name, 42) == 0, "set of a record read refused");
		FUZZ_CHECK(jobstate_get(&back, js.v[0].kind, js.v[0].name) == 42, "set does not read back");
		FUZZ_CHECK(back.n == js.n, "set of an existing record added one");
	}
	free(again);
	free(out);
	jobstate_free(&back);
	jobstate_free(&js);
	diag_list_free(&dl2);
	diag_list_free(&dl);
	free(text);
	return 0;
}
