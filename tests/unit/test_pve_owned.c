/* Unit tests: the Proxmox ownership file and its intents (pve_state: parse, format, resolve). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "state/pve_state.h"
#include "formats/guest_conf.h"
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

/* replication.cfg as pvesr leaves it: a local job to pve2 and one marked for removal. */
static const char replication_cfg[] = "local: 100-0\n\ttarget pve2\n\tschedule */15\n\n"
				      "local: 101-0\n\ttarget pve3\n\tremove_job full\n";

static const struct {
	const char *name;
	const char *jobs_before;  /* comma-separated */
	const char *intent_id, *intent_target; /* an add-job intent, or NULL */
	const char *jobs_after;
	const char *note;         /* "" when none */
} job_cases[] = {
	{ "add-job that reached replication.cfg is owned", "", "100-0", "pve2", "100-0",
	  "replication job '100-0': its add was interrupted after replication.cfg changed: created by phoenix-storage" },
	{ "add-job to another target is someone else's", "", "100-0", "pve3", "",
	  "replication job '100-0': its add was interrupted before replication.cfg changed: not recorded" },
	{ "add-job that never reached the file is dropped", "101-0", "102-0", "pve2", "101-0",
	  "replication job '102-0': its add was interrupted before replication.cfg changed: not recorded" },
	{ "a job being removed stays owned until pvesr deletes it", "100-0,101-0", NULL, NULL, "100-0,101-0", "" },
	{ "a record whose section is gone is forgotten", "100-0,105-1", NULL, NULL, "100-0", "" },
};

static void job_intents_and_records_resolve_against_replication_cfg(void **state)
{
	(void)state;
	struct storage_cfg c, empty;
	storage_cfg_parse(&c, replication_cfg, strlen(replication_cfg));
	storage_cfg_parse(&empty, "", 0);
	for (size_t i = 0; i < sizeof(job_cases) / sizeof(job_cases[0]); i++) {
		struct pve_owned o = { 0 };
		split_into(job_cases[i].jobs_before, &o.jobs);
		sv_push(&o.storages, "tank-vm");
		if (job_cases[i].intent_id)
			pve_owned_add_intent(&o, "add-job", job_cases[i].intent_id, "local", "target",
					     job_cases[i].intent_target);
		/* through the file, as a killed apply leaves it */
		char *text = pve_owned_format(&o);
		pve_owned_free(&o);
		assert_int_equal(pve_owned_parse(text, &o), 0);
		free(text);
		struct strvec notes = { 0 };
		/* the storage resolver leaves job intents alone */
		pve_owned_resolve(&o, &empty, NULL);
		assert_int_equal(o.n_pending, job_cases[i].intent_id ? 1 : 0);
		pve_owned_resolve_jobs(&o, &c, &notes);
		assert_int_equal(o.n_pending, 0);
		char *after = joined(&o.jobs);
		if (strcmp(after, job_cases[i].jobs_after))
			fail_msg("%s: jobs '%s', expected '%s'", job_cases[i].name, after, job_cases[i].jobs_after);
		assert_string_equal(notes.n ? notes.v[0] : "", job_cases[i].note);
		assert_string_equal(o.storages.v[0], "tank-vm");
		free(after);
		sv_free(&notes);
		pve_owned_free(&o);
	}
	storage_cfg_free(&c);
	storage_cfg_free(&empty);
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

/* Container 101 as an interrupted apply may leave it: the tool's line renumbered, a hand-made one, 103 has no config. */
static const char ct101[] = "arch: amd64\n"
			    "mp4: /tank/models/,mp=/models,ro=1\n"
			    "mp5: /tank/hand,mp=/hand\n"
			    "[pve:pending]\n"
			    "mp6: /tank/pending,mp=/pending\n";

static const struct guest_conf *conf_101(void *arg, unsigned ct)
{
	return ct == 101 ? arg : NULL;
}

static const struct {
	const char *name;
	const char *records_before;   /* "ct:source:target;..." */
	const char *op;
	struct pve_mount_rec m;
	const char *records_after;
	const char *note;
} mount_cases[] = {
	{ "add that reached the config is recorded", "", "add-mount", { 101, "/tank/models", "/models" },
	  "101:/tank/models:/models",
	  "mount /tank/models -> /models of container 101: its add was interrupted after the line was written: added by phoenix-storage" },
	{ "add in [pve:pending] (pct on a running container) is recorded", "", "add-mount",
	  { 101, "/tank/pending", "/pending" }, "101:/tank/pending:/pending",
	  "mount /tank/pending -> /pending of container 101: its add was interrupted after the line was written: added by phoenix-storage" },
	{ "add that never reached the config is dropped", "", "add-mount", { 101, "/tank/www", "/srv/www" }, "",
	  "mount /tank/www -> /srv/www of container 101: its add was interrupted before the line was written: not recorded" },
	{ "same target from another source is someone else's", "", "add-mount", { 101, "/tank/other", "/models" }, "",
	  "mount /tank/other -> /models of container 101: its add was interrupted before the line was written: not recorded" },
	{ "removal that did not happen keeps it", "101:/tank/models:/models", "remove-mount",
	  { 101, "/tank/models", "/models" }, "101:/tank/models:/models",
	  "mount /tank/models -> /models of container 101: its removal was interrupted before the line went: still owned" },
	{ "removal that happened forgets it", "101:/tank/gone:/gone", "remove-mount", { 101, "/tank/gone", "/gone" }, "",
	  "mount /tank/gone -> /gone of container 101: its removal was interrupted after the line went: forgotten" },
	{ "a record of a container without a config here is kept", "103:/a:/b", "add-mount",
	  { 101, "/tank/models", "/models" }, "101:/tank/models:/models;103:/a:/b",
	  "mount /tank/models -> /models of container 101: its add was interrupted after the line was written: added by phoenix-storage" },
};

static char *records(const struct pve_owned *o)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	char *text = pve_owned_format(o); /* sorted */
	struct pve_owned s;
	assert_int_equal(pve_owned_parse(text, &s), 0);
	free(text);
	/* format sorts; parse keeps file order */
	for (size_t i = 0; i < s.n_mounts; i++)
		sb_addf(&sb, "%s%u:%s:%s", i ? ";" : "", s.mounts[i].ct, s.mounts[i].source, s.mounts[i].target);
	pve_owned_free(&s);
	return sb_detach(&sb);
}

static void mount_intents_resolve_against_the_container_config(void **state)
{
	(void)state;
	struct guest_conf g;
	guest_conf_parse(&g, ct101, strlen(ct101));
	for (size_t i = 0; i < sizeof(mount_cases) / sizeof(mount_cases[0]); i++) {
		struct pve_owned o = { 0 };
		sv_push(&o.storages, "tank-vm");
		char *copy = xstrdup(mount_cases[i].records_before), *save = NULL;
		for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
			char *c1 = strchr(t, ':'), *c2 = strchr(c1 + 1, ':');
			*c1 = *c2 = '\0';
			struct pve_mount_rec r = { (unsigned)atoi(t), c1 + 1, c2 + 1 };
			pve_owned_add_mount(&o, &r);
		}
		free(copy);
		pve_owned_add_mount_intent(&o, mount_cases[i].op, &mount_cases[i].m);
		pve_owned_add_intent(&o, "add", "tank-ct", "zfspool", "pool", "tank/ct");
		char *text = pve_owned_format(&o);
		pve_owned_free(&o);
		assert_int_equal(pve_owned_parse(text, &o), 0);
		free(text);
		assert_int_equal(o.n_pending, 2);
		struct strvec notes = { 0 };
		pve_owned_resolve_mounts(&o, conf_101, &g, &notes);
		assert_int_equal(o.n_pending, 1); /* the storage intent is pve_owned_resolve's */
		assert_string_equal(o.pending[0].id, "tank-ct");
		char *after = records(&o);
		if (strcmp(after, mount_cases[i].records_after))
			fail_msg("%s: records '%s', expected '%s'", mount_cases[i].name, after, mount_cases[i].records_after);
		assert_int_equal(notes.n, 1);
		assert_string_equal(notes.v[0], mount_cases[i].note);
		free(after);
		sv_free(&notes);
		pve_owned_free(&o);
	}
	/* a record whose line an operator removed is forgotten; the hand-made line never becomes one */
	struct pve_owned o = { 0 };
	struct pve_mount_rec gone = { 101, "/tank/x", "/x" }, kept = { 101, "/tank/models", "/models" };
	pve_owned_add_mount(&o, &gone);
	pve_owned_add_mount(&o, &kept);
	pve_owned_add_mount(&o, &kept); /* no duplicate */
	pve_owned_resolve_mounts(&o, conf_101, &g, NULL);
	char *after = records(&o);
	assert_string_equal(after, "101:/tank/models:/models");
	free(after);
	pve_owned_free(&o);
	guest_conf_free(&g);
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
		"{\"storages\": [], \"mounts\": {}}",
		"{\"storages\": [], \"mounts\": [{\"ct\": \"101\", \"source\": \"/a\", \"target\": \"/b\"}]}",
		"{\"storages\": [], \"mounts\": [{\"ct\": 101, \"source\": \"/a\"}]}",
		"{\"storages\": [], \"pending\": [{\"op\": \"add-mount\", \"ct\": 101, \"target\": \"/b\"}]}",
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
		cmocka_unit_test(job_intents_and_records_resolve_against_replication_cfg),
		cmocka_unit_test(mount_intents_resolve_against_the_container_config),
		cmocka_unit_test(invalid_files_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
