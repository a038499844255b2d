/*
 * Fuzz target: the value grammars every config loader and renderer uses
 * (src/config/grammar.c).
 *
 * Input: one value. Checks what config/grammar.h promises, target by target:
 * a value any target accepts is one line of printable text; a Proxmox
 * property has no ',' or '='; an fstab field no white space; mount options
 * no empty option; a host only address or name characters; user property
 * names, values, pool and dataset names follow the ZFS rules; a mountpoint
 * is none, legacy or an absolute path without '.', '..', '//' that is not a
 * system directory. A refusal always says why. str_escape gives one line,
 * and the value itself when it has nothing to escape.
 */
#include "fuzz.h"

#include <ctype.h>
#include <stdbool.h>

#include "config/grammar.h"
#include "util/str.h"
#include "util/strbuf.h"

static bool only(const char *s, const char *extra, bool lower_only)
{
	for (; *s; s++)
		if (!(lower_only ? (islower((unsigned char)*s) || isdigit((unsigned char)*s)) : isalnum((unsigned char)*s)) &&
		    !strchr(extra, *s))
			return false;
	return true;
}

/* Has s a component "." or ".." between slashes? */
static bool dot_component(const char *s)
{
	for (const char *p = s; *p;) {
		p += strspn(p, "/");
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		p += n;
	}
	return false;
}

static void accepted(enum gram_target t, const char *s)
{
	size_t n = strlen(s);
	FUZZ_CHECK(str_line_ok(s), "target %d accepts a control character", (int)t);
	switch (t) {
	case GRAM_TEXT:
		break;
	case GRAM_PVE_PROP:
		FUZZ_CHECK(!strpbrk(s, ",="), "Proxmox property '%s'", s);
		break;
	case GRAM_FSTAB_FIELD:
		FUZZ_CHECK(n && !strpbrk(s, " \t"), "fstab field '%s'", s);
		break;
	case GRAM_HOST:
		FUZZ_CHECK(n && only(s, ".:-", false), "host '%s'", s);
		break;
	case GRAM_MOUNT_OPTIONS:
		FUZZ_CHECK(n && !strchr(s, ' ') && s[0] != ',' && s[n - 1] != ',' && !strstr(s, ",,"),
			   "mount options '%s'", s);
		break;
	case GRAM_ZFS_USER_PROP:
		FUZZ_CHECK(strchr(s, ':') && s[0] != '-' && n <= 255 && only(s, ":._-", true), "user property '%s'", s);
		break;
	case GRAM_ZFS_VALUE:
		FUZZ_CHECK(n <= 8191, "value of %zu bytes", n);
		break;
	case GRAM_ZFS_POOL:
		FUZZ_CHECK(isalpha((unsigned char)s[0]) && only(s, "-_.:", false), "pool '%s'", s);
		FUZZ_CHECK(strncmp(s, "mirror", 6) && strncmp(s, "raidz", 5) && strncmp(s, "spare", 5) &&
				   strncmp(s, "log", 3) && strncmp(s, "cache", 5),
			   "reserved pool name '%s'", s);
		break;
	case GRAM_ZFS_DATASET:
		FUZZ_CHECK(n && n <= 200 && s[0] != '/' && s[n - 1] != '/' && !strstr(s, "//") && !dot_component(s) &&
				   only(s, "-_.: /", false),
			   "dataset '%s'", s);
		break;
	case GRAM_MOUNTPOINT:
		if (strcmp(s, "none") && strcmp(s, "legacy")) {
			FUZZ_CHECK(s[0] == '/' && !strstr(s, "//") && !dot_component(s), "mountpoint '%s'", s);
			char *norm = xstrdup(s);
			size_t l = strlen(norm);
			while (l > 1 && norm[l - 1] == '/')
				norm[--l] = '\0';
			FUZZ_CHECK(!gram_system_dir(norm), "mountpoint '%s' is under %s", s, gram_system_dir(norm));
			free(norm);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	long at = str_ctrl_at(s);
	if (at >= 0) {
		unsigned char c = (unsigned char)s[at];
		FUZZ_CHECK(c < 0x20 || c == 0x7f, "control character at %ld is 0x%02x", at, c);
		for (long i = 0; i < at; i++)
			FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f, "control character before %ld", at);
	}
	FUZZ_CHECK(str_line_ok(s) == (at < 0), "str_line_ok disagrees with str_ctrl_at");
	for (int t = GRAM_TEXT; t <= GRAM_MOUNTPOINT; t++) {
		const char *hint = "unset";
		const char *why = gram_check((enum gram_target)t, s, &hint);
		if (!why) {
			FUZZ_CHECK(!hint, "target %d: accepted with a hint", t);
			accepted((enum gram_target)t, s);
		} else {
			FUZZ_CHECK(*why && gram_check((enum gram_target)t, s, NULL) == why, "target %d: refusal", t);
		}
	}
	FUZZ_CHECK(!gram_check(GRAM_TEXT, s, NULL) == str_line_ok(s), "GRAM_TEXT is not str_line_ok");
	char *e = str_escape(s);
	FUZZ_CHECK(str_line_ok(e), "escaped value has a control character");
	if (at < 0)
		fuzz_same_str("nothing to escape", s, e);
	free(e);
	if (size >= 2)
		gram_mode_world_writable(((unsigned)data[0] << 8 | data[1]) & 07777);
	free(s);
	return 0;
}
