/*
 * Fuzz target: a zoneinfo file (TZif, RFC 8536 v1-3, with its POSIX TZ
 * footer), read by tzif_parse.
 *
 * Input: the file's bytes. Checks: beyond no crash, leak or UB, a zone that
 * parses converts instants across 1900-2200 to local time and back (the
 * offsets are whatever the file says: RFC 8536 only recommends a range).
 */
#include "fuzz.h"

#include "formats/tzif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tz_zone z;
	const char *why = NULL;
	if (tzif_parse(data, size, &z, &why) == 0) {
		for (int64_t t = -2208988800LL; t < 7258118400LL; t += 86400LL * 97 + 3607) {
			int64_t local = tz_local_secs(&z, t);
			struct tz_resolved r;
			tz_resolve_local(&z, local, &r);
		}
	}
	tz_zone_free(&z);
	return 0;
}
