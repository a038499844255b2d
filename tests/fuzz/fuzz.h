/*
 * fuzz: what the libFuzzer targets of tests/fuzz/ share.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput for one parser: it feeds
 * the input to the parser, frees everything (ASan reports leaks), and checks
 * the parser's promises (round trips, lookups, renderers that read back what
 * they wrote). A broken promise calls fuzz_fail(), which prints what broke and
 * aborts, so libFuzzer saves the input as a crash. `make fuzz` builds the
 * targets; tests/fuzz/run runs them on tests/fuzz/corpus/NAME/.
 */
#ifndef PH_FUZZ_H
#define PH_FUZZ_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz: invariant broken: WHAT" and aborts (libFuzzer keeps the input). */
__attribute__((noreturn, format(printf, 1, 2), unused)) static void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz: invariant broken: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

#define FUZZ_CHECK(cond, ...)                \
	do {                                 \
		if (!(cond))                 \
			fuzz_fail(__VA_ARGS__); \
	} while (0)

/* The input as a NUL-terminated string (bytes after a NUL are cut off by string parsers). Caller frees. */
__attribute__((unused)) static char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Aborts unless got (gl bytes) equals want (wl bytes); names the first differing byte. */
__attribute__((unused)) static void fuzz_same(const char *what, const char *want, size_t wl, const char *got,
					      size_t gl)
{
	if (wl == gl && !memcmp(want, got, wl))
		return;
	size_t i = 0;
	while (i < wl && i < gl && want[i] == got[i])
		i++;
	fuzz_fail("%s: %zu bytes expected, %zu written; first difference at byte %zu", what, wl, gl, i);
}

/* Same as fuzz_same for two NUL-terminated strings (NULL is "(null)"). */
__attribute__((unused)) static void fuzz_same_str(const char *what, const char *want, const char *got)
{
	if (!want || !got) {
		FUZZ_CHECK(!want && !got, "%s: '%s' expected, '%s' found", what, want ? want : "(null)",
			   got ? got : "(null)");
		return;
	}
	FUZZ_CHECK(!strcmp(want, got), "%s: '%s' expected, '%s' found", what, want, got);
}

#endif
