#include "config/zprops.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strbuf.h"

static const struct zprop_info table[] = {
	{ "aclinherit", ZP_ENUM, "discard|noallow|restricted|passthrough|passthrough-x", 0, 0, 0, 0, 0, 0 },
	{ "aclmode", ZP_ENUM, "discard|groupmask|passthrough|restricted", 0, 0, 0, 0, 0, 0 },
	{ "acltype", ZP_ENUM, "off|noacl|disabled|nfsv4|posix|posixacl", 0, 0, 0, 0, 0, 0 },
	{ "atime", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
	{ "available", ZP_SIZE, NULL, 0, 1, 0, 0, 0, 0 },
	{ "canmount", ZP_ENUM, "on|off|noauto", 0, 0, 0, 0, 1, 1 },
	{ "casesensitivity", ZP_ENUM, "sensitive|insensitive|mixed", 0, 0, 1, 0, 1, 0 },
	{ "checksum", ZP_ENUM, "on|off|fletcher2|fletcher4|sha256|noparity|sha512|skein|edonr|blake3", 0, 0, 0, 0, 0, 0 },
	{ "compression", ZP_ENUM, "on|off|lzjb|gzip|gzip-[1-9]|zle|lz4|zstd|zstd-[1-19]|zstd-fast|zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]", 0, 0, 0, 0, 0, 0 },
	{ "compressratio", ZP_STRING, NULL, 0, 1, 0, 0, 0, 0 },
	{ "copies", ZP_ENUM, "1|2|3", 0, 0, 0, 0, 0, 0 },
	{ "creation", ZP_STRING, NULL, 0, 1, 0, 0, 0, 0 },
	{ "dedup", ZP_ENUM, "on|off|verify|sha256|sha256,verify|sha512|sha512,verify|skein|skein,verify|edonr,verify|blake3|blake3,verify", 0, 0, 0, 0, 0, 0 },
	{ "devices", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
	{ "dnodesize", ZP_ENUM, "legacy|auto|1k|2k|4k|8k|16k", 0, 0, 0, 0, 1, 0 },
	{ "encryption", ZP_ENUM, "on|off|aes-128-ccm|aes-192-ccm|aes-256-ccm|aes-128-gcm|aes-192-gcm|aes-256-gcm", 0, 0, 1, 0, 0, 0 },
	{ "encryptionroot", ZP_STRING, NULL, 0, 1, 0, 0, 0, 0 },
	{ "exec", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
	{ "keyformat", ZP_ENUM, "raw|hex|passphrase", 0, 0, 1, 0, 0, 1 },
	{ "keylocation", ZP_KEYLOCATION, NULL, 0, 0, 0, 0, 0, 1 },
	{ "keystatus", ZP_STRING, NULL, 0, 1, 0, 0, 0, 0 },
	{ "logbias", ZP_ENUM, "latency|throughput", 0, 0, 0, 0, 0, 0 },
	{ "mounted", ZP_STRING, NULL, 0, 1, 0, 0, 0, 0 },
	{ "mountpoint", ZP_PATH, NULL, 0, 0, 0, 0, 1, 0 },
	{ "nbmand", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
	{ "normalization", ZP_ENUM, "none|formC|formD|formKC|formKD", 0, 0, 1, 0, 1, 0 },
	{ "overlay", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
	{ "pbkdf2iters", ZP_NUMBER, NULL, 0, 0, 1, 0, 0, 1 },
	{ "primarycache", ZP_ENUM, "all|none|metadata", 0, 0, 0, 0, 0, 0 },
	{ "quota", ZP_SIZE, NULL, 1, 0, 0, 0, 1, 1 },
	{ "readonly", ZP_ENUM, "on|off", 0, 0, 0, 0, 0, 0 },
	{ "recordsize", ZP_BLOCKSIZE, NULL, 0, 0, 0, 0, 1, 0 },
	{ "redundant_metadata", ZP_ENUM, "all|most|some|none", 0, 0, 0, 0, 0, 0 },
	{ "referenced", ZP_SIZE, NULL, 0, 1, 0, 0, 0, 0 },
	{ "refquota", ZP_SIZE, NULL, 1, 0, 0, 0, 0, 1 },
	{ "refreservation", ZP_SIZE, NULL, 1, 0, 0, 0, 0, 1 },
	{ "relatime", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
	{ "reservation", ZP_SIZE, NULL, 1, 0, 0, 0, 0, 1 },
	{ "secondarycache", ZP_ENUM, "all|none|metadata", 0, 0, 0, 0, 0, 0 },
	{ "setuid", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
	{ "sharenfs", ZP_STRING, NULL, 0, 0, 0, 0, 1, 0 },
	{ "sharesmb", ZP_STRING, NULL, 0, 0, 0, 0, 1, 0 },
	{ "snapdev", ZP_ENUM, "hidden|visible", 0, 0, 0, 1, 0, 0 },
	{ "snapdir", ZP_ENUM, "hidden|visible", 0, 0, 0, 0, 1, 0 },
	{ "special_small_blocks", ZP_SIZE, NULL, 0, 0, 0, 0, 1, 0 },
	{ "sync", ZP_ENUM, "standard|always|disabled", 0, 0, 0, 0, 0, 0 },
	{ "type", ZP_STRING, NULL, 0, 1, 0, 0, 0, 0 },
	{ "used", ZP_SIZE, NULL, 0, 1, 0, 0, 0, 0 },
	{ "utf8only", ZP_ENUM, "on|off", 0, 0, 1, 0, 1, 0 },
	{ "volblocksize", ZP_BLOCKSIZE, NULL, 0, 0, 1, 1, 0, 0 },
	{ "volmode", ZP_ENUM, "default|full|geom|dev|none", 0, 0, 0, 1, 0, 0 },
	{ "volsize", ZP_SIZE, NULL, 0, 0, 0, 1, 0, 1 },
	{ "vscan", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
	{ "xattr", ZP_ENUM, "on|off|sa|dir", 0, 0, 0, 0, 1, 0 },
	{ "zoned", ZP_ENUM, "on|off", 0, 0, 0, 0, 1, 0 },
};

const struct zprop_info *zprop_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

bool zprop_is_user(const char *name)
{
	return strchr(name, ':') != NULL;
}

/* Shift for a size suffix as libzfs accepts it, or -1. */
static int suffix_shift(const char *s)
{
	static const char units[] = "BKMGTPE";
	if (!*s)
		return 0;
	const char *u = strchr(units, toupper((unsigned char)s[0]));
	if (!u)
		return -1;
	int shift = 10 * (int)(u - units);
	if (!s[1])
		return shift;
	if (toupper((unsigned char)s[0]) == 'B')
		return -1;
	if (toupper((unsigned char)s[1]) == 'B' && !s[2])
		return shift;
	if (toupper((unsigned char)s[1]) == 'I' && toupper((unsigned char)s[2]) == 'B' && !s[3])
		return shift;
	return -1;
}

int zfs_parse_size(const char *s, uint64_t *out)
{
	if (!s || (!isdigit((unsigned char)s[0]) && s[0] != '.'))
		return -1;
	errno = 0;
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	if (*end == '.') {
		double f = strtod(s, &end);
		int shift = suffix_shift(end);
		if (shift < 0)
			return -1;
		f *= ldexp(1.0, shift);
		if (f >= 18446744073709551616.0)
			return -1;
		*out = (uint64_t)f;
		return 0;
	}
	int shift = suffix_shift(end);
	if (shift < 0)
		return -1;
	if (shift >= 64 || (shift && (n >> (64 - shift)) != 0))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

char *zfs_format_size(uint64_t n)
{
	static const char units[] = "BKMGTPE";
	int u = 0;
	uint64_t v = n;
	while (v >= 1024 && u < 6) {
		v >>= 10;
		u++;
	}
	if (u == 0)
		return xasprintf("%" PRIu64, n);
	if ((n & ((UINT64_C(1) << (10 * u)) - 1)) == 0)
		return xasprintf("%" PRIu64 "%c", n >> (10 * u), units[u]);
	double d = (double)n / ldexp(1.0, 10 * u);
	/* As zfs does: as many decimals as fit in 3 significant digits. */
	if (d < 10)
		return xasprintf("%.2f%c", d, units[u]);
	if (d < 100)
		return xasprintf("%.1f%c", d, units[u]);
	return xasprintf("%.0f%c", d, units[u]);
}

/* Matches value against one pattern: "gzip", "gzip-[1-9]", "zstd-fast-[1-10,20,500]". */
static bool range_matches(const char *pat, size_t plen, const char *value)
{
	const char *lb = memchr(pat, '[', plen);
	if (!lb)
		return strlen(value) == plen && !strncmp(pat, value, plen);
	size_t pre = (size_t)(lb - pat);
	if (strncmp(pat, value, pre))
		return false;
	const char *num = value + pre;
	if (!isdigit((unsigned char)*num) || num[0] == '0')
		return false;
	char *end;
	long v = strtol(num, &end, 10);
	if (*end)
		return false;
	const char *p = lb + 1, *stop = pat + plen;
	while (p < stop && *p != ']') {
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p)
			return false;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			p = end;
		}
		if (v >= lo && v <= hi)
			return true;
		if (*p == ',')
			p++;
	}
	return false;
}

bool zprop_enum_matches(const char *values, const char *value)
{
	const char *p = values;
	while (*p) {
		size_t n = strcspn(p, "|");
		if (range_matches(p, n, value))
			return true;
		p += n;
		if (*p == '|')
			p++;
	}
	return false;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/*
 * value of property name in the form `zfs get -p` prints (sizes in bytes,
 * booleans as on/off, enums in their canonical spelling). Returns a new
 * string (caller frees), or NULL with *why, a new explanation the caller
 * frees, for an unknown property or a value it cannot take.
 */
char *zprop_normalize(const char *name, const char *value, char **why)
{
	*why = NULL;
	if (zprop_is_user(name))
		return xstrdup(value);
	const struct zprop_info *pi = zprop_lookup(name);
	if (!pi) {
		*why = xasprintf("unknown ZFS property '%s'", name);
		return NULL;
	}
	if (pi->readonly) {
		*why = xasprintf("'%s' is a read-only statistic and cannot be set", name);
		return NULL;
	}
	if (!strcmp(value, ZPROP_INHERIT)) {
		if (pi->noinherit) {
			*why = xasprintf("'%s' cannot be inherited", name);
			return NULL;
		}
		return xstrdup(ZPROP_INHERIT);
	}
	uint64_t n;
	switch (pi->kind) {
	case ZP_SIZE:
		if (pi->nullable && (!strcmp(value, "none") || !strcmp(value, "0")))
			return xstrdup("0");
		if (zfs_parse_size(value, &n)) {
			*why = xasprintf("'%s' is not a valid size for %s", value, name);
			return NULL;
		}
		return xasprintf("%" PRIu64, n);
	case ZP_BLOCKSIZE:
		if (zfs_parse_size(value, &n) || !is_pow2(n) || n < 512 || n > (UINT64_C(16) << 20)) {
			*why = xasprintf("'%s' is not a valid %s (a power of two from 512 to 16M)", value, name);
			return NULL;
		}
		return xasprintf("%" PRIu64, n);
	case ZP_ENUM: {
		if (zprop_enum_matches(pi->values, value)) {
			/* Aliases ZFS prints by their short name: gzip-6 is "gzip", and so on. */
			static const char *const alias[][2] = {
				{ "gzip-6", "gzip" }, { "zstd-3", "zstd" }, { "zstd-fast-1", "zstd-fast" },
			};
			if (!strcmp(name, "compression"))
				for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
					if (!strcmp(value, alias[i][0]))
						return xstrdup(alias[i][1]);
			return xstrdup(value);
		}
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		for (const char *p = pi->values; *p; p++)
			sb_adds(&sb, *p == '|' ? ", " : (char[]){ *p, 0 });
		*why = xasprintf("'%s' is not a valid value for %s (valid: %s)", value, name, sb.buf);
		sb_release(&sb);
		return NULL;
	}
	case ZP_PATH:
		if (!strcmp(value, "legacy") || !strcmp(value, "none"))
			return xstrdup(value);
		if (value[0] != '/') {
			*why = xasprintf("'%s' is not valid for %s (an absolute path, legacy or none)", value, name);
			return NULL;
		}
		{
			size_t l = strlen(value);
			while (l > 1 && value[l - 1] == '/')
				l--;
			return xstrndup(value, l);
		}
	case ZP_KEYLOCATION:
		if (!strcmp(value, "prompt") || (!strncmp(value, "file:///", 8) && value[8]))
			return xstrdup(value);
		*why = xasprintf("'%s' is not valid for %s (prompt, or file:// and an absolute path)", value, name);
		return NULL;
	case ZP_NUMBER: {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(value, &end, 10);
		if (!isdigit((unsigned char)value[0]) || *end || errno) {
			*why = xasprintf("'%s' is not a number for %s", value, name);
			return NULL;
		}
		if (!strcmp(name, "pbkdf2iters") && v < 100000) {
			*why = xasprintf("'%s' is too few for %s (at least 100000)", value, name);
			return NULL;
		}
		return xasprintf("%llu", v);
	}
	case ZP_STRING:
		break;
	}
	return xstrdup(value);
}

/*
 * The setting a display alias stands for: {property, alias, canonical}. What
 * xattr=on means depends on the ZFS line (zfs_caps_value_eq in state/).
 */
static const char *const aliases[][3] = {
	{ "acltype", "posixacl", "posix" },
	{ "acltype", "noacl", "off" },
	{ "acltype", "disabled", "off" },
};

static const char *canonical(const char *name, const char *v)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i][0], name) && !strcmp(aliases[i][1], v))
			return aliases[i][2];
	return v;
}

bool zprop_value_eq(const char *name, const char *a, const char *b)
{
	if (!strcmp(a, b))
		return true;
	if (!strcmp(name, "encryption") && (!strcmp(a, "on") || !strcmp(b, "on")))
		return strcmp(a, "off") && strcmp(b, "off") && strcmp(a, "-") && strcmp(b, "-");
	return !strcmp(canonical(name, a), canonical(name, b));
}

char *zprop_display(const char *name, const char *norm)
{
	const struct zprop_info *pi = zprop_lookup(name);
	uint64_t n;
	if (pi && (pi->kind == ZP_SIZE || pi->kind == ZP_BLOCKSIZE) && zfs_parse_size(norm, &n) == 0) {
		if (pi->nullable && n == 0)
			return xstrdup("none");
		return zfs_format_size(n);
	}
	return xstrdup(norm);
}
