/*
 * Unit tests: smartctl -j parsing (src/state/smart.c). Data-driven over
 * the JSON files in tests/unit/data/smart: each FILE.json has FILE.json.expected with
 * the summary below (README.md there says where every fixture came from).
 *   build-san/tests/test_smart --print FILE    prints the summary of FILE
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <dirent.h>
#include <cmocka.h>

#include "state/smart.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define DATA_DIR "tests/unit/data/smart"

static char *summary(const struct smart_info *s)
{
	static const char *const proto[] = { "unknown", "nvme", "ata", "scsi" };
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "device %s\n", s->device);
	sb_addf(&sb, "known %s\n", s->known ? "yes" : "no");
	if (s->reason)
		sb_addf(&sb, "reason %s\n", s->reason);
	sb_addf(&sb, "protocol %s\n", proto[s->protocol]);
	sb_addf(&sb, "exit_status %d\n", s->exit_status);
	if (s->model)
		sb_addf(&sb, "model %s\n", s->model);
	if (s->serial)
		sb_addf(&sb, "serial %s\n", s->serial);
	sb_addf(&sb, "passed %d\n", s->passed);
	if (s->has_temperature)
		sb_addf(&sb, "temperature %d\n", s->temperature_c);
	sb_addf(&sb, "power_on_hours %" PRId64 "\n", s->power_on_hours);
	sb_addf(&sb, "nvme used=%d spare=%d threshold=%d media_errors=%" PRId64 " critical_warning=%d\n",
		s->percentage_used, s->available_spare, s->available_spare_threshold, s->media_errors,
		s->critical_warning);
	sb_addf(&sb, "ata reallocated=%" PRId64 " pending=%" PRId64 " uncorrectable=%" PRId64 "\n", s->reallocated,
		s->pending, s->uncorrectable);
	sb_addf(&sb, "failing %s\n", smart_failing(s) ? "yes" : "no");
	return sb_detach(&sb);
}

/* The summary of a fixture, parsed as the answer for device "/dev/X" (its name). */
static char *summarize(const char *path)
{
	char *data = NULL;
	size_t len;
	if (read_file(path, &data, &len))
		return NULL;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct smart_info s;
	smart_parse_json(base, data, &s);
	char *out = summary(&s);
	smart_info_free(&s);
	free(data);
	return out;
}

static void every_fixture_matches_its_expected_summary(void **state)
{
	(void)state;
	struct dirent **e = NULL;
	int n = scandir(DATA_DIR, &e, NULL, alphasort);
	int checked = 0, failed = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(e[i]->d_name);
		if (l > 5 && !strcmp(e[i]->d_name + l - 5, ".json")) {
			char *path = xasprintf("%s/%s", DATA_DIR, e[i]->d_name);
			char *exp_path = xasprintf("%s.expected", path);
			char *got = summarize(path), *want = NULL;
			size_t len;
			if (!got || read_file(exp_path, &want, &len) || strcmp(got, want)) {
				print_error("%s: summary differs from %s; got:\n%s", path, exp_path, got ? got : "(unreadable)\n");
				failed++;
			}
			checked++;
			free(got);
			free(want);
			free(path);
			free(exp_path);
		}
		free(e[i]);
	}
	free(e);
	assert_true(checked >= 10);
	assert_int_equal(failed, 0);
}

static struct smart_info parse_file(const char *name)
{
	char *path = xasprintf("%s/%s", DATA_DIR, name), *data = NULL;
	size_t len;
	assert_int_equal(read_file(path, &data, &len), 0);
	struct smart_info s;
	smart_parse_json(name, data, &s);
	free(data);
	free(path);
	return s;
}

static void nvme_wear_spare_and_warnings_are_read(void **state)
{
	(void)state;
	struct smart_info s = parse_file("nvme-worn-out-spare-low.json");
	assert_true(s.known);
	assert_int_equal(s.protocol, SMART_PROTO_NVME);
	assert_int_equal(s.percentage_used, 97);
	assert_int_equal(s.available_spare, 8);
	assert_int_equal(s.available_spare_threshold, 10);
	assert_int_equal(s.media_errors, 14);
	assert_int_equal(s.critical_warning, SMART_CW_SPARE | SMART_CW_RELIABILITY);
	assert_int_equal(s.passed, 0);
	assert_int_equal(s.exit_status & SMART_EXIT_FAILING, SMART_EXIT_FAILING);
	assert_true(smart_failing(&s));
	smart_info_free(&s);
	s = parse_file("nvme-samsung-990-evo-plus.json");
	assert_int_equal(s.percentage_used, 3);
	assert_int_equal(s.critical_warning, 0);
	assert_false(smart_failing(&s));
	smart_info_free(&s);
}

static void ata_counters_are_raw_values_and_absent_ones_unknown(void **state)
{
	(void)state;
	struct smart_info s = parse_file("ata-wdc-red-hdd-failing.json");
	assert_int_equal(s.reallocated, 1288);
	assert_int_equal(s.pending, 16);
	assert_int_equal(s.uncorrectable, 16);
	assert_int_equal(s.passed, 0);
	assert_true(smart_failing(&s));
	smart_info_free(&s);
	s = parse_file("ata-samsung-870-evo-ssd.json");
	assert_int_equal(s.reallocated, 0);
	assert_int_equal(s.pending, -1); /* this SSD has no attribute 197 */
	assert_int_equal(s.uncorrectable, -1);
	assert_int_equal(s.percentage_used, -1); /* an NVMe field: not an ATA disk's */
	smart_info_free(&s);
}

static void no_disk_behind_the_name_is_unknown_not_an_error(void **state)
{
	(void)state;
	struct smart_info s = parse_file("here-virtio-vda.json");
	assert_false(s.known);
	assert_string_equal(s.reason, "smartctl: /dev/vda: Unable to detect device type");
	smart_info_free(&s);
	s = parse_file("here-file-vdev-as-sat.json");
	assert_false(s.known);
	assert_string_equal(s.reason,
			    "smartctl: a SMART or other command to the disk failed, or a SMART data checksum is wrong");
	smart_info_free(&s);
	smart_parse_json("/dev/sdz", "", &s);
	assert_false(s.known);
	assert_string_equal(s.reason, "smartctl printed nothing");
	smart_info_free(&s);
	smart_parse_json("/dev/sdz", "smartctl: command not found", &s);
	assert_false(s.known);
	assert_non_null(strstr(s.reason, "unexpected output of smartctl (not JSON"));
	smart_info_free(&s);
	smart_unknown("/tmp/vdev-a", "a file, not a disk", &s);
	assert_false(s.known);
	assert_string_equal(s.device, "/tmp/vdev-a");
	assert_false(smart_failing(&s));
	smart_info_free(&s);
}

static void bit_meanings_are_named(void **state)
{
	(void)state;
	assert_string_equal(smart_exit_bit_text(3), "SMART status: the disk is failing");
	assert_null(smart_exit_bit_text(8));
	assert_string_equal(smart_critical_warning_text(SMART_CW_READ_ONLY), "media placed in read-only mode");
	assert_string_equal(smart_critical_warning_text(SMART_CW_VOLATILE_BACKUP), "volatile memory backup device failed");
	assert_null(smart_critical_warning_text(0x40));
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--print")) {
		char *s = summarize(argv[2]);
		fputs(s ? s : "unreadable\n", stdout);
		free(s);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fixture_matches_its_expected_summary),
		cmocka_unit_test(nvme_wear_spare_and_warnings_are_read),
		cmocka_unit_test(ata_counters_are_raw_values_and_absent_ones_unknown),
		cmocka_unit_test(no_disk_behind_the_name_is_unknown_not_an_error),
		cmocka_unit_test(bit_meanings_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
