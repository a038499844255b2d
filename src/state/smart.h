/*
 * smart: disk wear and health from `smartctl -j -a DEV` (smartmontools 7.3,
 * JSON format 1.0). NVMe: the SMART/Health log (percentage_used, spare vs
 * its threshold, media errors, critical warning bits, temperature); ATA:
 * smart_status.passed and the raw values of attributes 5 (reallocated),
 * 197 (pending) and 198 (offline uncorrectable).
 *
 * Never an error: a file vdev, a missing smartctl, a device smartctl cannot
 * open or identify, or output that is not smartctl's JSON all give
 * known = false with a reason a user can read ("unknown" in reports).
 * Pure: text in, struct out. smart_info_free releases the strings (NULL-safe).
 */
#ifndef PH_SMART_H
#define PH_SMART_H
#include <stdbool.h>
#include <stdint.h>

enum smart_protocol { SMART_PROTO_UNKNOWN, SMART_PROTO_NVME, SMART_PROTO_ATA, SMART_PROTO_SCSI };

/* NVMe critical_warning bits (NVMe base spec, SMART/Health log byte 0). */
enum {
	SMART_CW_SPARE = 0x01,           /* available spare below its threshold */
	SMART_CW_TEMPERATURE = 0x02,     /* temperature above or below a threshold */
	SMART_CW_RELIABILITY = 0x04,     /* NVM subsystem reliability degraded */
	SMART_CW_READ_ONLY = 0x08,       /* media placed in read-only mode */
	SMART_CW_VOLATILE_BACKUP = 0x10, /* volatile memory backup device failed */
	SMART_CW_PMR = 0x20,             /* persistent memory region read-only or unreliable */
};

/* smartctl exit status bits (smartctl(8) EXIT STATUS). */
enum {
	SMART_EXIT_CMDLINE = 0x01,    /* command line did not parse (also: device type unknown) */
	SMART_EXIT_OPEN = 0x02,       /* device open failed, no IDENTIFY, or in low-power mode */
	SMART_EXIT_COMMAND = 0x04,    /* a SMART or other command failed, or a checksum error */
	SMART_EXIT_FAILING = 0x08,    /* SMART status: DISK FAILING */
	SMART_EXIT_PREFAIL = 0x10,    /* prefail attributes at or below threshold */
	SMART_EXIT_PAST = 0x20,       /* attributes were at or below threshold in the past */
	SMART_EXIT_ERRLOG = 0x40,     /* the device error log has records */
	SMART_EXIT_SELFTEST = 0x80,   /* the self-test log has errors */
};

struct smart_info {
	char *device;          /* as asked */
	bool known;            /* false: no health data; reason says why */
	char *reason;          /* why unknown, else NULL */
	enum smart_protocol protocol;
	char *model;           /* NULL when not reported */
	char *serial;
	int exit_status;       /* smartctl's bitmask (from its JSON), -1 unknown */
	int passed;            /* smart_status.passed: 1, 0, or -1 not reported */
	bool has_temperature;
	int temperature_c;
	int64_t power_on_hours; /* -1 unknown */
	/* NVMe; -1 when not reported */
	int percentage_used;
	int available_spare;
	int available_spare_threshold;
	int64_t media_errors;
	int critical_warning;  /* the bits above, -1 unknown */
	/* ATA raw values; -1 when the disk has no such attribute */
	int64_t reallocated;   /* id 5 Reallocated_Sector_Ct */
	int64_t pending;       /* id 197 Current_Pending_Sector */
	int64_t uncorrectable; /* id 198 Offline_Uncorrectable */
};

/*
 * Reads smartctl's JSON answer for device (json may be NULL or empty when
 * smartctl printed nothing). Fills *out (which it initialises) and never
 * fails: see known and reason.
 */
void smart_parse_json(const char *device, const char *json, struct smart_info *out);

/* An unknown answer for device with reason, e.g. "a file, not a disk". */
void smart_unknown(const char *device, const char *reason, struct smart_info *out);

/* The meaning of one exit status bit (0-7), or NULL. */
const char *smart_exit_bit_text(int bit);
/* The meaning of one critical warning bit value (SMART_CW_*), or NULL. */
const char *smart_critical_warning_text(int bit);

/* True when the SMART data says the disk is failing or wearing out by its own
 * standards: passed == 0, a critical warning, spare below threshold. */
bool smart_failing(const struct smart_info *s);

void smart_info_free(struct smart_info *s);

/*
 * Discovery (runs a program): `smartctl -j -a device` (30 s deadline) read
 * with smart_parse_json. Never fails: smartctl missing, a device it cannot
 * open, or output that is not its JSON give known = false with the reason.
 */
void smart_read(const char *device, struct smart_info *out);

#endif
