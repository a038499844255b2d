#include "state/smart.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "util/strbuf.h"

static void init(const char *device, struct smart_info *s)
{
	memset(s, 0, sizeof(*s));
	s->device = xstrdup(device ? device : "");
	s->exit_status = -1;
	s->passed = -1;
	s->power_on_hours = -1;
	s->percentage_used = -1;
	s->available_spare = -1;
	s->available_spare_threshold = -1;
	s->media_errors = -1;
	s->critical_warning = -1;
	s->reallocated = -1;
	s->pending = -1;
	s->uncorrectable = -1;
}

void smart_unknown(const char *device, const char *reason, struct smart_info *out)
{
	init(device, out);
	out->reason = xstrdup(reason);
}

const char *smart_exit_bit_text(int bit)
{
	static const char *const t[] = {
		"the command line did not parse or the device type is unknown",
		"the device could not be opened or identified, or is in a low-power mode",
		"a SMART or other command to the disk failed, or a SMART data checksum is wrong",
		"SMART status: the disk is failing",
		"prefail attributes are at or below their thresholds",
		"some attributes were at or below their thresholds in the past",
		"the device error log has records of errors",
		"the device self-test log has records of errors",
	};
	return bit >= 0 && bit < 8 ? t[bit] : NULL;
}

const char *smart_critical_warning_text(int bit)
{
	switch (bit) {
	case SMART_CW_SPARE: return "available spare below its threshold";
	case SMART_CW_TEMPERATURE: return "temperature beyond a threshold";
	case SMART_CW_RELIABILITY: return "NVM subsystem reliability degraded";
	case SMART_CW_READ_ONLY: return "media placed in read-only mode";
	case SMART_CW_VOLATILE_BACKUP: return "volatile memory backup device failed";
	case SMART_CW_PMR: return "persistent memory region read-only or unreliable";
	default: return NULL;
	}
}

/* An integer member, or dflt when absent or not an integer. */
static int64_t jint(json_t *o, const char *key, int64_t dflt)
{
	json_t *x = json_object_get(o, key);
	return json_is_integer(x) ? (int64_t)json_integer_value(x) : dflt;
}

static char *jstrdup(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);
	return json_is_string(x) && *json_string_value(x) ? xstrdup(json_string_value(x)) : NULL;
}

/* The first error message smartctl gave, or NULL. */
static const char *first_error(json_t *root)
{
	json_t *msgs = json_object_get(json_object_get(root, "smartctl"), "messages");
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m) {
		const char *sev = json_string_value(json_object_get(m, "severity"));
		const char *str = json_string_value(json_object_get(m, "string"));
		if (str && (!sev || !strcmp(sev, "error")))
			return str;
	}
	return NULL;
}

static void read_nvme(json_t *root, struct smart_info *s)
{
	json_t *log = json_object_get(root, "nvme_smart_health_information_log");
	s->known = true;
	s->percentage_used = (int)jint(log, "percentage_used", -1);
	s->available_spare = (int)jint(log, "available_spare", -1);
	s->available_spare_threshold = (int)jint(log, "available_spare_threshold", -1);
	s->media_errors = jint(log, "media_errors", -1);
	s->critical_warning = (int)jint(log, "critical_warning", -1);
	if (json_is_integer(json_object_get(log, "temperature"))) {
		s->has_temperature = true;
		s->temperature_c = (int)jint(log, "temperature", 0);
	}
	if (s->power_on_hours < 0)
		s->power_on_hours = jint(log, "power_on_hours", -1);
}

static void read_ata(json_t *root, struct smart_info *s)
{
	json_t *table = json_object_get(json_object_get(root, "ata_smart_attributes"), "table");
	size_t i;
	json_t *a;
	json_array_foreach(table, i, a) {
		int64_t id = jint(a, "id", -1);
		int64_t raw = jint(json_object_get(a, "raw"), "value", -1);
		if (id == 5)
			s->reallocated = raw;
		else if (id == 197)
			s->pending = raw;
		else if (id == 198)
			s->uncorrectable = raw;
	}
	s->known = json_is_array(table) || s->passed >= 0;
}

void smart_parse_json(const char *device, const char *json, struct smart_info *out)
{
	init(device, out);
	if (!json || !*json) {
		out->reason = xstrdup("smartctl printed nothing");
		return;
	}
	json_error_t e;
	json_t *root = json_loads(json, 0, &e);
	if (!json_is_object(root)) {
		out->reason = xasprintf("unexpected output of smartctl (not JSON: %s)", e.text);
		json_decref(root);
		return;
	}
	json_t *sc = json_object_get(root, "smartctl");
	out->exit_status = (int)jint(sc, "exit_status", -1);
	json_t *dev = json_object_get(root, "device");
	const char *proto = json_string_value(json_object_get(dev, "protocol"));
	if (proto && !strcmp(proto, "NVMe"))
		out->protocol = SMART_PROTO_NVME;
	else if (proto && !strcmp(proto, "ATA"))
		out->protocol = SMART_PROTO_ATA;
	else if (proto && !strcmp(proto, "SCSI"))
		out->protocol = SMART_PROTO_SCSI;
	out->model = jstrdup(root, "model_name");
	out->serial = jstrdup(root, "serial_number");
	json_t *passed = json_object_get(json_object_get(root, "smart_status"), "passed");
	if (json_is_boolean(passed))
		out->passed = json_is_true(passed);
	json_t *temp = json_object_get(json_object_get(root, "temperature"), "current");
	if (json_is_integer(temp)) {
		out->has_temperature = true;
		out->temperature_c = (int)json_integer_value(temp);
	}
	out->power_on_hours = jint(json_object_get(root, "power_on_time"), "hours", -1);

	const char *err = first_error(root);
	bool no_device = out->exit_status >= 0 && (out->exit_status & (SMART_EXIT_CMDLINE | SMART_EXIT_OPEN));
	if (!no_device) {
		if (out->protocol == SMART_PROTO_NVME &&
		    json_is_object(json_object_get(root, "nvme_smart_health_information_log")))
			read_nvme(root, out);
		else if (out->protocol == SMART_PROTO_ATA)
			read_ata(root, out);
		else if (out->protocol == SMART_PROTO_SCSI)
			out->known = out->passed >= 0;
	}
	if (!out->known) {
		if (err)
			out->reason = xasprintf("smartctl: %s", err);
		else if (out->exit_status > 0) {
			int bit = 0;
			while (!(out->exit_status & (1 << bit)))
				bit++;
			out->reason = xasprintf("smartctl: %s", smart_exit_bit_text(bit));
		} else {
			out->reason = xstrdup("smartctl reported no SMART data");
		}
	}
	json_decref(root);
}

bool smart_failing(const struct smart_info *s)
{
	if (!s->known)
		return false;
	if (s->passed == 0 || (s->critical_warning > 0))
		return true;
	return s->available_spare >= 0 && s->available_spare_threshold >= 0 &&
	       s->available_spare < s->available_spare_threshold;
}

void smart_info_free(struct smart_info *s)
{
	if (!s)
		return;
	free(s->device);
	free(s->reason);
	free(s->model);
	free(s->serial);
	memset(s, 0, sizeof(*s));
}

void smart_read(const char *device, struct smart_info *out)
{
	const char *argv[] = { "smartctl", "-j", "-a", device, NULL };
	struct exec_opts eo = { .timeout_ms = 30000 };
	struct exec_result r;
	exec_run(argv, &eo, &r);
	if (r.status == -1)
		smart_unknown(device, r.hint ? "smartctl is not installed" : "smartctl could not be started", out);
	else if (r.timed_out)
		smart_unknown(device, "smartctl did not answer within 30 s", out);
	else
		smart_parse_json(device, r.out, out);
	exec_result_free(&r);
}
