/* Unit tests: the Proxmox ownership file and its intents (pve_state: parse, format, resolve). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "state/pve_state.h"
#include "formats/storage_cfg.h"

static const char storage_cfg[] = "zfspool: tank-vm\n"
				  "\tpool tank/vm\n"
				  "\tcontent images\n"
				  "\n"
				  "dir: iso\n"
				  "\tpath /mnt/iso\n";

static const struct {
	const char *name;
	const char *owned_before; /* comma-separated */
	const char *op, *id, *type, *key, *value;
	const char *owned_after;
	const char *note;
} cases[] = {
	{ "add that reached storage.cfg is owned", "", "add", "tank-vm", "zfspool", "pool", "tank/vm", "tank-vm",
	  "storage 'tank-vm': its add was interrupted after storage.cfg changed: created by phoenix-storage" },
	{ "add that never reached storage.cfg is dropped", "iso", "add", "tank-ct", "zfspool", "pool", "tank/ct", "iso",
	  "storage 'tank-ct': its add was interrupted before storage.cfg changed: not recorded" },
	{ "same id on another pool is someone else's", "", "add", "tank-vm", "zfspool", "pool", "other/vm", "",
	  "storage 'tank-vm': its add was interrupted before storage.cfg changed: not recorded" },
	{ "same id of another type is someone else's", "", "add", "iso", "zfspool", "pool", "tank/iso", "",
	  "storage 'iso': its add was interrupted before storage.cfg changed: not recorded" },
	{ "add without a fixed property matches on type", "", "add", "iso", "dir", NULL, NULL, "iso",
	  "storage 'iso': its add was interrupted after storage.cfg changed: created by phoenix-storage" },
	{ "already recorded add stays once", "tank-vm", "add", "tank-vm", "zfspool", "pool", "tank/vm", "tank-vm",
	  "storage 'tank-vm': its add was interrupted after storage.cfg changed: created by phoenix-storage" },
	{ "removal that did not happen keeps it owned", "tank-vm", "remove", "tank-vm", NULL, NULL, NULL, "tank-vm",
	  "storage 'tank-vm': its removal was interrupted before storage.cfg changed: still owned" },
	{ "removal that happened forgets it", "gone,tank-vm", "remove", "gone", NULL, NULL, NULL, "tank-vm",
	  "storage 'gone': its removal was interrupted after storage.cfg changed: forgotten" },
};

static void split_into(const char *csv, struct strvec *sv)
{
	char *copy = xstrdup(csv), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		sv_push(sv, t);
	free(copy);
}

static char *joined(const struct strvec *sv)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < sv->n; i++)
		sb_addf(&sb, "%s%s", i ? "," : "", sv->v[i]);
	return sb_detach(&sb);
}

static void intents_resolve_against_storage_cfg(void **state)
{
	(void)state;
	struct storage_cfg c;
	storage_cfg_parse(&c, storage_cfg, strlen(storage_cfg));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pve_owned o = { 0 };
		split_into(cases[i].owned_before, &o.storages);
		pve_owned_add_intent(&o, cases[i].op, cases[i].id, cases[i].type, cases[i].key, cases[i].value);
		/* through the file, as a killed apply leaves it */
		char *text = pve_owned_format(&o);
		pve_owned_free(&o);
		assert_non_null(strstr(text, "\"pending\""));
		assert_int_equal(pve_owned_parse(text, &o), 0);
		free(text);
		assert_int_equal(o.n_pending, 1);
		struct strvec notes = { 0 };
		pve_owned_resolve(&o, &c, &notes);
		assert_int_equal(o.n_pending, 0);
		char *after = joined(&o.storages);
		if (strcmp(after, cases[i].owned_after))
			fail_msg("%s: owned '%s', expected '%s'", cases[i].name, after, cases[i].owned_after);
		assert_int_equal(notes.n, 1);
		assert_string_equal(notes.v[0], cases[i].note);
		free(after);
		sv_free(&notes);
		pve_owned_free(&o);
	}
	storage_cfg_free(&c);
}

static void file_round_trip_sorted_and_without_pending_when_none(void **state)
{
	(void)state;
	struct pve_owned o = { 0 };
	sv_push(&o.storages, "b-store");
	sv_push(&o.storages, "a-store");
	sv_push(&o.storages, "b-store");
	char *text = pve_owned_format(&o);
	assert_string_equal(text, "{\n"
				  "  \"comment\": \"Proxmox storages created by phoenix-storage; it never changes or removes others\",\n"
				  "  \"storages\": [\n"
				  "    \"a-store\",\n"
				  "    \"b-store\"\n"
				  "  ]\n"
				  "}\n");
	pve_owned_free(&o);
	assert_int_equal(pve_owned_parse(text, &o), 0);
	assert_int_equal(o.storages.n, 2);
	assert_string_equal(o.storages.v[0], "a-store");
	assert_int_equal(o.n_pending, 0);
	pve_owned_free(&o);
	free(text);
	/* intents survive a round trip; a second intent for the same id replaces the first */
	pve_owned_add_intent(&o, "add", "x", "dir", "path", "/x");
	pve_owned_drop_intents(&o, "x");
	pve_owned_add_intent(&o, "remove", "x", NULL, NULL, NULL);
	text = pve_owned_format(&o);
	pve_owned_free(&o);
	assert_int_equal(pve_owned_parse(text, &o), 0);
	assert_int_equal(o.n_pending, 1);
	assert_string_equal(o.pending[0].op, "remove");
	assert_null(o.pending[0].type);
	pve_owned_free(&o);
	free(text);
}

static void invalid_files_are_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"[1,2]",
		"not json",
		"{\"storages\": [], \"pending\": {}}",
		"{\"storages\": [], \"pending\": [{\"op\": \"add\", \"id\": \"x\"}]}",
		"{\"storages\": [], \"pending\": [{\"op\": \"rename\", \"id\": \"x\"}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pve_owned o = { 0 };
		if (pve_owned_parse(bad[i], &o) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(o.storages.n, 0);
		assert_int_equal(o.n_pending, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intents_resolve_against_storage_cfg),
		cmocka_unit_test(file_round_trip_sorted_and_without_pending_when_none),
		cmocka_unit_test(invalid_files_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
