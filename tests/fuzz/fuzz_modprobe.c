/*
 * Fuzz target: /etc/modprobe.d/zfs.conf, edited in place to persist the ARC
 * limit (zfs_arc_modprobe_text).
 *
 * Input: the file. Checks, against how modprobe hands the file to the zfs
 * module (kernel_arc below: "options zfs ..." lines, '#' comments, the last
 * zfs_arc_max= wins): the module gets exactly the
 * value written; writing the same value again changes nothing; the text
 * only depends on the last value written (set w then v == set v); every
 * line of the input is kept except the ones that carry the value, and at
 * most one line is added. Out of scope: a '\' (kmod's escape and line
 * continuation: a file holding one is edited line by line, as written) and
 * a NUL byte (the text is a C string).
 */
#include "fuzz.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>

#include "plan/zfs_plan.h"
#include "util/strbuf.h"

/*
 * The zfs_arc_max value the zfs module gets from text (caller frees), or NULL
 * when no line sets it: kmod splits lines into words at spaces and tabs and
 * passes the words after "options zfs" as module parameters, in file order
 * (the last one wins); a line whose first word starts with '#' is a comment.
 */
static char *kernel_arc(const char *text)
{
	char *val = NULL;
	struct strbuf line = STRBUF_INIT;
	sb_init(&line);
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		sb_add(&line, p, n);
		p += n + (p[n] == '\n');
		char *save = NULL, *w0 = strtok_r(line.buf, " \t", &save);
		char *w1 = w0 ? strtok_r(NULL, " \t", &save) : NULL;
		if (w0 && w1 && !strcmp(w0, "options") && !strcmp(w1, "zfs"))
			for (char *w; (w = strtok_r(NULL, " \t", &save));)
				if (!strncmp(w, "zfs_arc_max=", 12)) {
					free(val);
					val = xstrdup(w + 12);
				}
		sb_reset(&line);
	}
	sb_release(&line);
	return val;
}

/*
 * Aborts unless b keeps every line of a: as it is, or with the zfs_arc_max
 * value it carried changed, or, for one line at most, with the parameter
 * added at its end; b may have one line more (the new "options zfs" line)
 * instead of that added parameter.
 */
static void lines_kept(const char *a, const char *b)
{
	size_t added = 0;
	const char *q = b;
	for (const char *p = a; *p;) {
		size_t n = strcspn(p, "\n"), m = strcspn(q, "\n");
		char *la = xstrndup(p, n), *lb = xstrndup(q, m);
		if (strcmp(la, lb)) {
			FUZZ_CHECK(strstr(la, "zfs_arc_max=") || !strncmp(la, lb, n), "line '%s' became '%s'", la, lb);
			added += !strstr(la, "zfs_arc_max=");
		}
		free(la);
		free(lb);
		p += n + (p[n] == '\n');
		q += m + (q[m] == '\n');
	}
	for (; *q; q += strcspn(q, "\n") + (q[strcspn(q, "\n")] == '\n'))
		added++;
	FUZZ_CHECK(added <= 1, "%zu lines added to", added);
}

static void check_set(const char *text, uint64_t v, uint64_t w)
{
	char *out = zfs_arc_modprobe_text(text, v);
	char *got = kernel_arc(out);
	char want[24];
	snprintf(want, sizeof(want), "%" PRIu64, v);
	fuzz_same_str("the value the zfs module gets", want, got);
	free(got);
	char *again = zfs_arc_modprobe_text(out, v);
	fuzz_same("set twice", out, strlen(out), again, strlen(again));
	free(again);
	char *other = zfs_arc_modprobe_text(text, w);
	char *back = zfs_arc_modprobe_text(other, v);
	fuzz_same("set w then v", out, strlen(out), back, strlen(back));
	free(back);
	free(other);
	lines_kept(text, out);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memchr(data, '\\', size))
		return 0;
	char *text = fuzz_text(data, size);
	check_set(text, UINT64_C(8589934592), UINT64_C(17179869184));
	check_set(text, 1, UINT64_MAX);
	free(text);
	return 0;
}
