/*
 * Fuzz target: the usage text of `zfs` (no argument), read by
 * repl_caps_parse into the send and receive flags replication may use.
 *
 * Input: the usage text. Checks: known exactly when a line (after its
 * leading blanks) starts with "send "; no flag without a send or receive
 * line of its own; two readings the same.
 */
#include "fuzz.h"

#include <stdbool.h>

#include "state/repl_state.h"

/* Does a line of text, after leading blanks, start with word? */
static bool has_line(const char *text, const char *word)
{
	for (const char *l = text; *l;) {
		const char *t = l + strspn(l, " \t");
		if (!strncmp(t, word, strlen(word)))
			return true;
		const char *e = strchr(l, '\n');
		if (!e)
			break;
		l = e + 1;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct repl_caps a, b;
	repl_caps_parse(text, NULL, &a);
	repl_caps_parse(text, NULL, &b);
	FUZZ_CHECK(!memcmp(&a, &b, sizeof(a)), "two readings differ");
	bool send = has_line(text, "send "), recv = has_line(text, "receive ") || has_line(text, "recv ");
	FUZZ_CHECK(a.known == send, "known %d, a send line %d", a.known, send);
	FUZZ_CHECK(send || !(a.send_large || a.send_compressed || a.send_embedded || a.send_raw || a.send_resume ||
			     a.send_estimate), "a send flag without a send line");
	FUZZ_CHECK(recv || !(a.recv_unmounted || a.recv_resumable || a.recv_props || a.recv_abort),
		   "a receive flag without a receive line");
	FUZZ_CHECK(!a.resume_token && !a.encryption, "properties without a get usage");
	free(text);
	return 0;
}
