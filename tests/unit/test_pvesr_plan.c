/*
 * Unit tests: the pvesr planner (plan/pvesr_plan.c) as data: replication.cfg,
 * the jobs this node owns, one guest's config and its "replication" in, the
 * plan's lines and the first diagnostic out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/pve_config.h"
#include "plan/pve_plan.h"
#include "state/pve_state.h"

static const char storage_cfg[] = "zfspool: local-zfs\n\tpool rpool/data\n\tcontent images,rootdir\n\n"
				  "dir: local\n\tpath /var/lib/vz\n\tcontent iso,images\n\n"
				  "nfs: nas\n\tserver 10.0.0.5\n\texport /x\n\tpath /mnt/pve/nas\n\tcontent images\n";

static const char ct_zfs[] = "arch: amd64\nrootfs: local-zfs:subvol-100-disk-0,size=8G\n";

static const struct pcase {
	const char *name;
	const char *repl_cfg;     /* replication.cfg now */
	const char *owned;        /* a job id this node owns, or NULL */
	bool is_ct;
	const char *guest;        /* the guest's config (guest 100); NULL: the config has no replication for it */
	const char *target, *schedule;
	double rate;
	const char *node;
	bool allow_destroy;
	const char *lines;        /* every plan line: actions, then held-back and unmanaged lines */
	const char *diag;         /* the first diagnostic's message, or "" */
} cases[] = {
	{ "new job gets number 0", "", NULL, true, ct_zfs, "pve2", "*/15", 50, "pve1", false,
	  "+ add replication job 100-0 (ct 100 to pve2, schedule */15, rate 50 MB/s)\n", "" },
	{ "the lowest free number of that guest", "local: 100-0\n\ttarget pve3\n\nlocal: 100-2\n\ttarget pve4\n\n"
	  "local: 101-1\n\ttarget pve2\n", NULL, true, ct_zfs, "pve2", "*/30", 0, "pve1", false,
	  "+ add replication job 100-1 (ct 100 to pve2, schedule */30)\n", "" },
	{ "owned job in step: nothing", "local: 100-0\n\ttarget pve2\n\trate 50\n\tschedule */15\n\tsource pve1\n",
	  "100-0", true, ct_zfs, "pve2", "*/15", 50, "pve1", false, "", "" },
	{ "owned job, absent schedule is pvesr's default */15", "local: 100-0\n\ttarget pve2\n", "100-0", true,
	  ct_zfs, "pve2", "*/15", 0, "pve1", false, "", "" },
	{ "owned job drifted: corrected", "local: 100-0\n\ttarget pve2\n\trate 50\n\tschedule */30\n", "100-0", true,
	  ct_zfs, "pve2", "*/15", 0, "pve1", false,
	  "~ change replication job 100-0 (ct 100 to pve2): schedule */30 -> */15, rate 50 MB/s -> none\n", "" },
	{ "foreign job of the same guest and target: left alone", "local: 100-0\n\ttarget pve2\n\tschedule */30\n",
	  NULL, true, ct_zfs, "pve2", "*/15", 0, "pve1", false,
	  "= unmanaged: replication job 100-0 (ct 100 to pve2): not created by phoenix-storage (left alone)\n",
	  "replication job 100-0 (ct 100 to pve2) exists with schedule */30 and is left alone" },
	{ "target is this node: refused", "", NULL, true, ct_zfs, "pve1", "*/15", 0, "pve1", false, "",
	  "container 100: the replication target 'pve1' is this node" },
	{ "bind mount: refused naming mpN", "", NULL, true, "rootfs: local-zfs:subvol-100-disk-0\nmp3: /tank/www,mp=/www\n",
	  "pve2", "*/15", 0, "pve1", false, "",
	  "container 100: pvesr cannot replicate mp3 (a bind mount of /tank/www): refusing its replication job" },
	{ "bind mount with replicate=0 is left out", "", NULL, true,
	  "rootfs: local-zfs:subvol-100-disk-0\nmp3: /tank/www,mp=/www,replicate=0\n", "pve2", "*/15", 0, "pve1",
	  false, "+ add replication job 100-0 (ct 100 to pve2, schedule */15)\n", "" },
	{ "volume on a dir storage: refused naming key and storage", "", NULL, false,
	  "scsi0: local-zfs:vm-100-disk-0,size=8G\nscsi1: local:100/vm-100-disk-1.qcow2,size=4G\n", "pve2", "*/15", 0,
	  "pve1", false, "",
	  "vm 100: pvesr cannot replicate scsi1 (volume local:100/vm-100-disk-1.qcow2 on storage 'local', type dir): "
	  "refusing its replication job" },
	{ "shared storage and CD-ROM are skipped, as pvesr does", "", NULL, false,
	  "scsi0: local-zfs:vm-100-disk-0\nscsi1: nas:100/vm-100-disk-1.qcow2\nide2: local:iso/x.iso,media=cdrom\n",
	  "pve2", "*/5", 0, "pve1", false, "+ add replication job 100-0 (vm 100 to pve2, schedule */5)\n", "" },
	{ "owned job the config dropped: held back", "local: 100-0\n\ttarget pve2\n", "100-0", true, NULL, NULL, NULL, 0,
	  "pve1", false,
	  "! destructive: remove replication job 100-0 (ct 100 to pve2, added by phoenix-storage, no longer in the "
	  "config; pvesr deletes its snapshots and the copy on pve2) (needs --allow-destroy)\n",
	  "replication job 100-0 (created by phoenix-storage) is no longer in the config; kept" },
	{ "owned job the config dropped: removed with --allow-destroy", "local: 100-0\n\ttarget pve2\n", "100-0", true,
	  NULL, NULL, NULL, 0, "pve1", true,
	  "! destructive: remove replication job 100-0 (ct 100 to pve2, added by phoenix-storage, no longer in the "
	  "config; pvesr deletes its snapshots and the copy on pve2)\n", "" },
	{ "a job pvesr is removing is not touched", "local: 100-0\n\ttarget pve2\n\tremove_job full\n", "100-0", true,
	  NULL, NULL, NULL, 0, "pve1", true, "", "" },
	{ "foreign job the config does not name: nothing", "local: 100-0\n\ttarget pve2\n", NULL, true, NULL, NULL, NULL,
	  0, "pve1", true, "", "" },
};

/* The plan's lines as plan_print writes them, without details. Caller frees. */
static char *plan_lines(const struct plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct plan copy = *p;
	plan_print(f, &copy, false);
	fclose(f);
	/* drop the detail lines ("    writes ...") */
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (char *l = buf, *nl; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (strncmp(l, "    ", 4))
			sb_addf(&sb, "%.*s\n", (int)n, l);
	}
	free(buf);
	return sb_detach(&sb);
}

static void run_case(const struct pcase *c)
{
	struct config_src src = { .path = "lxc.json", .text = "{}", .len = 2 };
	struct guest_repl r = { (char *)c->target, (char *)c->schedule, c->rate, &src, "x.replication" };
	struct pve_ct_want ct = { .ctid = 100, .repl = c->target ? &r : NULL };
	struct pve_vm_want vm = { .vmid = 100, .repl = c->target ? &r : NULL };
	struct pve_config pc = { .lxc_read = true, .vm_read = true };
	if (c->is_ct)
		pc.cts = &ct, pc.n_cts = 1;
	else
		pc.vms = &vm, pc.n_vms = 1;
	struct pve_state st = { .mode = PVE_MODE_FILES };
	storage_cfg_parse(&st.scfg, storage_cfg, strlen(storage_cfg));
	storage_cfg_parse(&st.rcfg, c->repl_cfg, strlen(c->repl_cfg));
	if (c->owned)
		sv_push(&st.owned_jobs, c->owned);
	struct pve_guest g = { .id = 100, .is_ct = c->is_ct, .local = true, .path = "/etc/pve/lxc/100.conf" };
	const char *gtext = c->guest ? c->guest : ct_zfs;
	guest_conf_parse(&g.conf, gtext, strlen(gtext));
	st.guests = &g;
	st.n_guests = 1;
	struct plan p = { 0 };
	pvesr_plan_build(&pc, &st, c->node, c->allow_destroy, &p);
	char *lines = plan_lines(&p);
	if (strcmp(lines, c->lines))
		fail_msg("%s: plan\n%s\nexpected\n%s", c->name, lines, c->lines);
	const char *d = p.diags.n ? p.diags.v[0].msg : "";
	if (strcmp(d, c->diag))
		fail_msg("%s: diagnostic '%s', expected '%s'", c->name, d, c->diag);
	free(lines);
	plan_free(&p);
	guest_conf_free(&g.conf);
	storage_cfg_free(&st.scfg);
	storage_cfg_free(&st.rcfg);
	sv_free(&st.owned_jobs);
}

static void pvesr_plan_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

/* A new job's lines are what pvesr writes (target, then rate, schedule, source sorted) and its intent names the target. */
static void new_job_edit_is_what_pvesr_writes(void **state)
{
	(void)state;
	struct config_src src = { .path = "lxc.json", .text = "{}", .len = 2 };
	struct guest_repl r = { "pve2", "*/15", 12.5, &src, "x.replication" };
	struct pve_ct_want ct = { .ctid = 100, .repl = &r };
	struct pve_config pc = { .cts = &ct, .n_cts = 1, .lxc_read = true, .vm_read = true };
	struct pve_state st = { .mode = PVE_MODE_FILES };
	storage_cfg_parse(&st.scfg, storage_cfg, strlen(storage_cfg));
	storage_cfg_parse(&st.rcfg, "", 0);
	struct pve_guest g = { .id = 100, .is_ct = true, .local = true };
	guest_conf_parse(&g.conf, ct_zfs, strlen(ct_zfs));
	st.guests = &g;
	st.n_guests = 1;
	struct plan p = { 0 };
	pvesr_plan_build(&pc, &st, "pve1", false, &p);
	assert_int_equal(p.n, 1);
	const struct pve_edit *e = p.v[0].data;
	struct storage_cfg out;
	storage_cfg_parse(&out, "", 0);
	assert_int_equal(storage_cfg_add(&out, e->type, e->id, (const char *const *)e->keys.v,
					 (const char *const *)e->values.v, e->keys.n), 0);
	char *text = storage_cfg_serialize(&out);
	assert_string_equal(text, "local: 100-0\n\ttarget pve2\n\trate 12.5\n\tschedule */15\n\tsource pve1\n\n");
	assert_true(e->job);
	assert_int_equal(e->own, 1);
	assert_string_equal(e->fp_key, "target");
	assert_string_equal(e->fp_value, "pve2");
	free(text);
	storage_cfg_free(&out);
	plan_free(&p);
	guest_conf_free(&g.conf);
	storage_cfg_free(&st.scfg);
	storage_cfg_free(&st.rcfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pvesr_plan_cases),
		cmocka_unit_test(new_job_edit_is_what_pvesr_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
