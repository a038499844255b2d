/* Unit tests: storage id rule, id syntax, content types, NFS client match (pve_config). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config/pve_config.h"
#include "state/pve_state.h"

/* The datasets of the reference config that have a proxmox_storage_type, in config order. */
static const char *const POOLS[] = { "quickOS", "quickOS", "quickOS", "quickOS", "fastData", "fastData",
				     "fastData", "fastData", "quickOS", "quickOS", "fastData" };
static const char *const NAMES[] = { "vm-disks", "lxc-disks", "shared-prod-data", "shared-prod-data-sync",
				     "shared-test-data", "shared-test-data-sync", "shared-backups",
				     "shared-bulk-data", "vm-persistent-data", "lxc-persistent-data", "shared-iso" };
enum { N_DS = 11 };

static void reference_keys_resolve_to_what_they_mean(void **state)
{
	(void)state;
	const char *keys[] = { "quickos_vm", "quickos_lxc", "fastData_shared_backups", "fastData_shared_iso",
			       "quickos_lxc_persistent_data" };
	const char *vals[] = { "quickOS-vm-disks", "quickOS-lxc-disks", "fastData-shared-backups",
			       "fastData-shared-iso", "quickOS-lxc-persistent-data" };
	int out[5];
	pve_resolve_storage_keys(keys, vals, 5, POOLS, NAMES, N_DS, out);
	assert_int_equal(out[0], 0);  /* quickOS/vm-disks */
	assert_int_equal(out[1], 1);  /* quickOS/lxc-disks (lxc-persistent-data has its own exact key) */
	assert_int_equal(out[2], 6);  /* fastData/shared-backups */
	assert_int_equal(out[3], 10); /* fastData/shared-iso */
	assert_int_equal(out[4], 9);  /* quickOS/lxc-persistent-data */
}

static void key_match_ignores_case_and_separators(void **state)
{
	(void)state;
	assert_int_equal(pve_storage_key_matches("QUICKOS-VM-DISKS", "quickOS", "vm-disks"), 2);
	assert_int_equal(pve_storage_key_matches("quickOS_vm.disks", "quickOS", "vm-disks"), 2);
	assert_int_equal(pve_storage_key_matches("quickos_vm", "quickOS", "vm-disks"), 1);
	/* word prefix only: "quickos_v" is not a word of vm-disks */
	assert_int_equal(pve_storage_key_matches("quickos_v", "quickOS", "vm-disks"), 0);
	assert_int_equal(pve_storage_key_matches("fastdata_vm", "quickOS", "vm-disks"), 0);
	assert_int_equal(pve_storage_key_matches("quickos_a_b", "quickOS", "a/b"), 2);
}

static void unmatched_and_ambiguous_keys(void **state)
{
	(void)state;
	/* "quickos_shared" prefixes two datasets; the value names neither default id */
	const char *keys[] = { "quickos_shared", "nothing_here", "quickos_shared_prod" };
	const char *vals[] = { "x", "y", "quickOS-shared-prod-data" };
	int out[3];
	pve_resolve_storage_keys(keys, vals, 3, POOLS, NAMES, N_DS, out);
	assert_int_equal(out[0], -2);
	assert_int_equal(out[1], -1);
	/* the value breaks the tie between shared-prod-data and shared-prod-data-sync */
	assert_int_equal(out[2], 2);
}

static void storage_id_syntax(void **state)
{
	(void)state;
	assert_true(pve_storage_id_valid("quickOS-vm-disks"));
	assert_true(pve_storage_id_valid("a.b_c-d9"));
	assert_false(pve_storage_id_valid("9abc"));
	assert_false(pve_storage_id_valid("abc-"));
	assert_false(pve_storage_id_valid("a b"));
	assert_false(pve_storage_id_valid("a"));
	assert_false(pve_storage_id_valid("a/b"));
}

static void content_types_per_storage_type(void **state)
{
	(void)state;
	const char *const *z = pve_content_allowed("zfspool");
	assert_string_equal(z[0], "images");
	assert_string_equal(z[1], "rootdir");
	assert_null(z[2]);
	const char *const *d = pve_content_allowed("dir");
	size_t n = 0;
	while (d[n])
		n++;
	assert_int_equal(n, 7);
	assert_ptr_equal(pve_content_allowed("nfs"), d);
	assert_null(pve_content_allowed("lvm"));
}

static void nfs_clients_match_addresses(void **state)
{
	(void)state;
	bool chk;
	assert_true(pve_client_matches("10.0.0.111", "10.0.0.111", &chk));
	assert_true(chk);
	assert_false(pve_client_matches("10.0.0.102", "10.0.0.111", &chk));
	assert_true(chk);
	assert_true(pve_client_matches("10.0.0.0/24", "10.0.0.111", &chk));
	assert_false(pve_client_matches("10.0.1.0/24", "10.0.0.111", &chk));
	assert_true(pve_client_matches("10.0.0.0/255.255.255.0", "10.0.0.7", &chk));
	assert_true(pve_client_matches("*", "10.0.0.7", &chk));
	assert_true(pve_client_matches("0.0.0.0/0", "192.168.1.1", &chk));
	assert_false(pve_client_matches("pve1.lan", "10.0.0.7", &chk));
	assert_false(chk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_keys_resolve_to_what_they_mean),
		cmocka_unit_test(key_match_ignores_case_and_separators),
		cmocka_unit_test(unmatched_and_ambiguous_keys),
		cmocka_unit_test(storage_id_syntax),
		cmocka_unit_test(content_types_per_storage_type),
		cmocka_unit_test(nfs_clients_match_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
