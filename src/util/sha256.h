/* sha256: the SHA-256 digest (FIPS 180-4) of a buffer, for the audit trail's config hash. */
#ifndef PH_SHA256_H
#define PH_SHA256_H
#include <stddef.h>

/* The digest of data[0..len) as 64 lowercase hex digits and a NUL in hex[65]. Cannot fail. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
