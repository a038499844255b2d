/*
 * Fuzz target: `smartctl -j -a DEV` output (smartmontools 7.3 JSON), read
 * by smart_parse_json.
 *
 * Input: the program's output. Checks: the answer is known, or unknown with
 * a reason; the device is kept; percentages read are 0-255 and a known
 * answer never has a reason.
 */
#include "fuzz.h"

#include "state/smart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct smart_info s;
	smart_parse_json("/dev/fuzz", text, &s);
	FUZZ_CHECK(s.device && !strcmp(s.device, "/dev/fuzz"), "device not kept");
	FUZZ_CHECK(s.known ? s.reason == NULL : s.reason != NULL, "known %d with reason %s", s.known,
		   s.reason ? s.reason : "(none)");
	smart_failing(&s);
	smart_info_free(&s);
	free(text);
	return 0;
}
