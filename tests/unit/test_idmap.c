/* idmap: container ids to host ids as Proxmox maps them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sys/idmap.h"

static uint32_t map_ok(const struct idmap *m, enum idmap_kind k, uint32_t id)
{
	uint32_t h = 0xdeadbeef;
	assert_int_equal(idmap_map(m, k, id, &h), 0);
	return h;
}

static void privileged_container_maps_one_to_one(void **state)
{
	(void)state;
	struct idmap m;
	idmap_init(&m, false);
	assert_int_equal(map_ok(&m, IDMAP_UID, 0), 0);
	assert_int_equal(map_ok(&m, IDMAP_GID, 33), 33);
	assert_int_equal(map_ok(&m, IDMAP_UID, 70000), 70000);
	idmap_free(&m);
}

static void unprivileged_container_shifts_by_100000(void **state)
{
	(void)state;
	struct idmap m;
	idmap_init(&m, true);
	assert_int_equal(map_ok(&m, IDMAP_UID, 0), 100000);
	assert_int_equal(map_ok(&m, IDMAP_UID, 33), 100033);
	assert_int_equal(map_ok(&m, IDMAP_GID, 65535), 165535);
	idmap_free(&m);
}

static void unprivileged_id_outside_default_range_is_unmapped(void **state)
{
	(void)state;
	struct idmap m;
	idmap_init(&m, true);
	uint32_t h = 7;
	assert_int_equal(idmap_map(&m, IDMAP_UID, 65536, &h), -ERANGE);
	assert_int_equal(h, 7);
	idmap_free(&m);
}

/* The reference container 101: gid 33 passes through, uid 33 is shifted. */
static void gid_passthrough_leaves_uid_shifted(void **state)
{
	(void)state;
	struct idmap m;
	idmap_init(&m, true);
	assert_int_equal(idmap_add(&m, IDMAP_GID, 33, 33, 1), 0);
	assert_int_equal(map_ok(&m, IDMAP_GID, 33), 33);
	assert_int_equal(map_ok(&m, IDMAP_UID, 33), 100033);
	assert_int_equal(map_ok(&m, IDMAP_GID, 32), 100032);
	assert_int_equal(map_ok(&m, IDMAP_GID, 34), 100034);
	idmap_free(&m);
}

static void explicit_range_maps_with_offset(void **state)
{
	(void)state;
	struct idmap m;
	idmap_init(&m, true);
	assert_int_equal(idmap_add(&m, IDMAP_UID, 1000, 5000, 10), 0);
	assert_int_equal(map_ok(&m, IDMAP_UID, 1000), 5000);
	assert_int_equal(map_ok(&m, IDMAP_UID, 1009), 5009);
	assert_int_equal(map_ok(&m, IDMAP_UID, 1010), 101010);
	/* Explicit ranges also reach ids beyond the default range. */
	assert_int_equal(idmap_add(&m, IDMAP_UID, 70000, 270000, 1), 0);
	assert_int_equal(map_ok(&m, IDMAP_UID, 70000), 270000);
	idmap_free(&m);
}

static void overlapping_ranges_are_rejected(void **state)
{
	(void)state;
	struct idmap m;
	idmap_init(&m, true);
	assert_int_equal(idmap_add(&m, IDMAP_GID, 30, 30, 5), 0);
	assert_int_equal(idmap_add(&m, IDMAP_GID, 34, 90, 1), -EEXIST);
	assert_int_equal(idmap_add(&m, IDMAP_GID, 25, 90, 5), 0);
	/* The same container ids for the other kind do not overlap. */
	assert_int_equal(idmap_add(&m, IDMAP_UID, 30, 30, 5), 0);
	assert_int_equal(m.n, 3);
	idmap_free(&m);
}

static void empty_or_overflowing_ranges_are_rejected(void **state)
{
	(void)state;
	struct idmap m;
	idmap_init(&m, true);
	assert_int_equal(idmap_add(&m, IDMAP_UID, 0, 0, 0), -EINVAL);
	assert_int_equal(idmap_add(&m, IDMAP_UID, 0, UINT32_MAX, 2), -EINVAL);
	assert_int_equal(idmap_add(&m, IDMAP_UID, UINT32_MAX, 0, 2), -EINVAL);
	assert_int_equal(m.n, 0);
	idmap_free(&m);
	idmap_free(NULL);
}

static void kind_names_parse(void **state)
{
	(void)state;
	enum idmap_kind k;
	assert_int_equal(idmap_kind_parse("uid", &k), 0);
	assert_int_equal(k, IDMAP_UID);
	assert_int_equal(idmap_kind_parse("g", &k), 0);
	assert_int_equal(k, IDMAP_GID);
	assert_int_equal(idmap_kind_parse("both", &k), -1);
	assert_string_equal(idmap_kind_name(IDMAP_GID), "gid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(privileged_container_maps_one_to_one),
		cmocka_unit_test(unprivileged_container_shifts_by_100000),
		cmocka_unit_test(unprivileged_id_outside_default_range_is_unmapped),
		cmocka_unit_test(gid_passthrough_leaves_uid_shifted),
		cmocka_unit_test(explicit_range_maps_with_offset),
		cmocka_unit_test(overlapping_ranges_are_rejected),
		cmocka_unit_test(empty_or_overflowing_ranges_are_rejected),
		cmocka_unit_test(kind_names_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
