/* Unit tests: SHA-256 (the audit trail's config hash) on the FIPS 180-4 vectors and block edges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/sha256.h"

static void digests_match_the_published_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		/* 56 bytes: the length no longer fits the first padding block */
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char hex[65];
		sha256_hex(v[i].in, strlen(v[i].in), hex);
		assert_string_equal(hex, v[i].hex);
	}
}

static void a_million_a_spans_many_blocks(void **state)
{
	(void)state;
	char *buf = malloc(1000000);
	assert_non_null(buf);
	memset(buf, 'a', 1000000);
	char hex[65];
	sha256_hex(buf, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(digests_match_the_published_vectors),
		cmocka_unit_test(a_million_a_spans_many_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
