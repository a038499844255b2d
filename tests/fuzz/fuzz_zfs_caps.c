/*
 * Fuzz target: the usage text of `zfs get` (zfs-fuse, OpenZFS 2.1, 2.3),
 * read by zfs_parse_caps into what this ZFS supports.
 *
 * Input: the usage text. Checks: 0 exactly when properties were found
 * (known); every property read has no white space and is known to
 * zfs_caps_has_prop;
 * compression values are one word each; modern is set exactly when lz4 is
 * listed.
 */
#include "fuzz.h"

#include <ctype.h>
#include <stdbool.h>

#include "state/zfs_state.h"

static bool one_word(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct zfs_caps caps = { 0 };
	int rc = zfs_parse_caps(text, &caps);
	FUZZ_CHECK((rc == 0) == caps.known && caps.known == (caps.props.n > 0), "rc %d, known %d, %zu properties", rc,
		   caps.known, caps.props.n);
	for (size_t i = 0; i < caps.props.n; i++) {
		FUZZ_CHECK(one_word(caps.props.v[i]), "property '%s'", caps.props.v[i]);
		FUZZ_CHECK(zfs_caps_has_prop(&caps, caps.props.v[i]), "property %s not known", caps.props.v[i]);
	}
	bool lz4 = false;
	for (size_t i = 0; i < caps.compression.n; i++) {
		FUZZ_CHECK(*caps.compression.v[i] && !strchr(caps.compression.v[i], '|'), "compression '%s'",
			   caps.compression.v[i]);
		lz4 |= !strcmp(caps.compression.v[i], "lz4");
	}
	FUZZ_CHECK(lz4 == caps.modern, "modern %d, lz4 listed %d", caps.modern, lz4);
	zfs_caps_has_prop(&caps, "phoenix:managed");
	zfs_caps_free(&caps);
	free(text);
	return 0;
}
