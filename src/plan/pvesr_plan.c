/*
 * pvesr_plan: the guests' replication jobs in /etc/pve/replication.cfg (see
 * pve_plan.h, pvesr_plan_build). Pure: the config and the Proxmox state in,
 * actions and diagnostics out.
 */
#include "plan/pve_plan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/guest_conf.h"
#include "formats/storage_cfg.h"
#include "util/strbuf.h"

#define SUB "pve"
#define JOB_DEPTH 10   /* after the guests' own lines in PHASE_GUEST */

/* A guest of the config with "replication". */
struct job_want {
	unsigned id;
	bool is_ct;
	const struct guest_repl *r;
	const struct pve_ct_want *ct;   /* containers: the mounts the config adds */
};

/* "100-3" -> *guest 100, *n 3. False when id is not a job id. */
static bool job_id_parse(const char *id, unsigned *guest, unsigned *n)
{
	char *end;
	if (!isdigit((unsigned char)id[0]))
		return false;
	unsigned long g = strtoul(id, &end, 10);
	if (*end != '-' || !isdigit((unsigned char)end[1]) || g > 999999999)
		return false;
	const char *ns = end + 1;
	unsigned long k = strtoul(ns, &end, 10);
	if (*end || k > 999999999)
		return false;
	*guest = (unsigned)g;
	*n = (unsigned)k;
	return true;
}

/* A rate as Proxmox writes a number (Perl's "%.15g"). Caller frees. */
static char *rate_str(double r)
{
	return xasprintf("%.15g", r);
}

static const char *kind_word(bool is_ct)
{
	return is_ct ? "ct" : "vm";
}

/* The local job (section type "local") of guest to target in rc, or NULL. */
static const struct scfg_section *find_job(const struct storage_cfg *rc, unsigned guest, const char *target)
{
	for (size_t i = 0; i < rc->n; i++) {
		unsigned g, n;
		const char *t = scfg_get(&rc->v[i], "target");
		if (!strcmp(rc->v[i].type, "local") && job_id_parse(rc->v[i].id, &g, &n) && g == guest && t &&
		    !strcmp(t, target))
			return &rc->v[i];
	}
	return NULL;
}

/* The lowest job number guest does not use in rc (pvesr numbers from 0). */
static unsigned free_job_number(const struct storage_cfg *rc, unsigned guest)
{
	for (unsigned k = 0;; k++) {
		bool used = false;
		for (size_t i = 0; i < rc->n && !used; i++) {
			unsigned g, n;
			used = job_id_parse(rc->v[i].id, &g, &n) && g == guest && n == k;
		}
		if (!used)
			return k;
	}
}

/* The type of storage id (storage.cfg, else the config's), or NULL; *shared when Proxmox shares it between nodes. */
static const char *storage_type(const struct pve_config *pc, const struct pve_state *st, const char *id, bool *shared)
{
	static const char *const network[] = { "nfs", "cifs", "cephfs", "rbd", "glusterfs", "iscsi", "iscsidirect",
					       "pbs", NULL };
	const struct scfg_section *s = storage_cfg_find(&st->scfg, id);
	const struct pve_storage_want *w = s ? NULL : pve_config_storage(pc, id);
	const char *type = s ? s->type : w ? w->type : NULL;
	*shared = s && pve_bool(scfg_get(s, "shared")) == 1;
	for (size_t i = 0; type && network[i]; i++)
		*shared |= !strcmp(type, network[i]);
	return type;
}

/* True for the keys of a guest config that hold a volume pvesr replicates. */
static bool volume_key(const char *k, bool is_ct)
{
	static const char *const ct_pre[] = { "mp", "unused", NULL };
	static const char *const vm_pre[] = { "scsi", "virtio", "sata", "ide", "efidisk", "tpmstate", "unused", NULL };
	if (is_ct && !strcmp(k, "rootfs"))
		return true;
	for (const char *const *p = is_ct ? ct_pre : vm_pre; *p; p++) {
		size_t l = strlen(*p);
		if (!strncmp(k, *p, l) && isdigit((unsigned char)k[l]))
			return true;
	}
	return false;
}

/*
 * Why pvesr cannot replicate volume vol of key (a bind mount or path, a volume
 * on a storage that is neither zfspool nor shared), or NULL when it can or
 * skips it. Caller frees.
 */
static char *volume_problem(const struct pve_config *pc, const struct pve_state *st, const char *key,
			    const char *vol, bool is_ct)
{
	if (vol[0] == '/')
		return xasprintf("%s (%s %s)", key, is_ct ? "a bind mount of" : "the host path", vol);
	size_t n = strcspn(vol, ":");
	if (!vol[n])
		return NULL;
	char *id = xstrndup(vol, n);
	bool shared = false;
	const char *type = storage_type(pc, st, id, &shared);
	char *why = NULL;
	if (!type)
		why = xasprintf("%s (volume %s on storage '%s', which storage.cfg does not define)", key, vol, id);
	else if (strcmp(type, "zfspool") && !shared)
		why = xasprintf("%s (volume %s on storage '%s', type %s)", key, vol, id, type);
	free(id);
	return why;
}

/*
 * Reports every volume of the guest that pvesr would refuse: its config
 * lines (main section) and, for a container, the mounts this plan adds.
 * Returns the number reported.
 */
static size_t refuse_volumes(const struct job_want *j, const struct pve_config *pc, const struct pve_state *st,
			     const struct pve_guest *g, struct plan *p)
{
	const char *hint = "pvesr replicates volumes on zfspool storages only: give that mount or disk replicate=0 "
			   "(\"replicate\": false) to leave it out, move it to a zfspool storage, or drop \"replication\"";
	size_t bad = 0;
	for (size_t i = 0; i < g->conf.n && g->conf.v[i].section == 0; i++) {
		const struct gc_line *l = &g->conf.v[i];
		if (l->kind != GC_KEY || !volume_key(l->key, j->is_ct))
			continue;
		if (!j->is_ct && strncmp(l->key, "unused", 6) && !pve_vm_disk_value(l->value))
			continue; /* a CD-ROM, cloud-init or an empty drive */
		struct pve_propstr ps;
		if (pve_propstr_parse(l->value, j->is_ct ? "volume" : "file", &ps))
			continue;
		const char *rep = pve_propstr_get(&ps, "replicate");
		char *why = ps.volume && !(rep && pve_bool(rep) == 0) ? volume_problem(pc, st, l->key, ps.volume, j->is_ct)
								      : NULL;
		pve_propstr_free(&ps);
		if (!why)
			continue;
		cfg_diag(&p->diags, j->r->src, DIAG_ERROR, j->r->jpath, hint,
			 "%s %u: pvesr cannot replicate %s: refusing its replication job", j->is_ct ? "container" : "vm",
			 j->id, why);
		free(why);
		bad++;
	}
	for (size_t i = 0; j->ct && i < j->ct->n_mounts; i++) {
		const struct pve_mount_want *m = &j->ct->mounts[i];
		if (m->opts.replicate == 0 || gc_find_mount_at(&g->conf, m->ct_path) >= 0)
			continue; /* left out, or already a line (checked above) */
		char *what = xasprintf("the new mount at %s", m->ct_path);
		char *vol = m->kind == PVE_MOUNT_BIND ? xstrdup(m->host_path) : xasprintf("%s:new", m->storage);
		char *why = volume_problem(pc, st, what, vol, true);
		if (why) {
			cfg_diag(&p->diags, m->src, DIAG_ERROR, m->jpath, hint,
				 "container %u: pvesr cannot replicate %s: refusing its replication job", j->id, why);
			bad++;
		}
		free(why);
		free(vol);
		free(what);
	}
	return bad;
}

/* "ct 100 to pve2" */
static char *job_desc(bool is_ct, unsigned id, const char *target)
{
	return xasprintf("%s %u to %s", kind_word(is_ct), id, target);
}

static void plan_new_job(const struct job_want *j, const struct pve_state *st, const char *node, struct plan *p)
{
	bool cli = st->mode == PVE_MODE_CLI;
	char *id = xasprintf("%u-%u", j->id, free_job_number(&st->rcfg, j->id));
	char *rate = j->r->rate_mb > 0 ? rate_str(j->r->rate_mb) : NULL;
	char *desc = job_desc(j->is_ct, j->id, j->r->target);
	struct action *a = plan_add(p, PHASE_GUEST, OP_CREATE, SUB, "add-replication-job", id,
				    "add replication job %s (%s, schedule %s%s%s%s)", id, desc, j->r->schedule,
				    rate ? ", rate " : "", rate ? rate : "", rate ? " MB/s" : "");
	a->depth = JOB_DEPTH;
	struct pve_edit *e = pve_edit_new(cli ? PVE_EDIT_NONE : PVE_EDIT_REPL_ADD, PVE_REPLICATION_CFG, "local", id);
	e->own = 1;
	e->job = true;
	e->fp_key = xstrdup("target");
	e->fp_value = xstrdup(j->r->target);
	if (cli) {
		struct strvec argv = { 0 };
		sv_push(&argv, "pvesr"), sv_push(&argv, "create-local-job"), sv_push(&argv, id);
		sv_push(&argv, j->r->target), sv_push(&argv, "--schedule"), sv_push(&argv, j->r->schedule);
		if (rate)
			sv_push(&argv, "--rate"), sv_push(&argv, rate);
		action_add_cmd(a, &argv);
	} else {
		/* the lines pvesr writes: the required target, then the optional keys sorted */
		sv_push(&e->keys, "target"), sv_push(&e->values, j->r->target);
		if (rate)
			sv_push(&e->keys, "rate"), sv_push(&e->values, rate);
		sv_push(&e->keys, "schedule"), sv_push(&e->values, j->r->schedule);
		sv_push(&e->keys, "source"), sv_push(&e->values, node);
		sv_push(&a->details, "writes " PVE_REPLICATION_CFG);
	}
	pve_action_set_edit(a, e);
	free(desc);
	free(rate);
	free(id);
}

/* An owned job of the config: schedule and rate corrected where they differ. */
static void plan_owned_job(const struct job_want *j, const struct scfg_section *sec, bool cli, struct plan *p)
{
	struct strvec k = { 0 }, v = { 0 };
	struct strbuf why = STRBUF_INIT;
	sb_init(&why);
	const char *sched = scfg_get(sec, "schedule");
	const char *now = sched ? sched : GUEST_REPL_SCHEDULE_DEFAULT;
	if (strcmp(now, j->r->schedule)) {
		sv_push(&k, "schedule"), sv_push(&v, j->r->schedule);
		sb_addf(&why, "schedule %s -> %s", now, j->r->schedule);
	}
	const char *rs = scfg_get(sec, "rate");
	double cur = rs ? strtod(rs, NULL) : 0;
	if (cur != j->r->rate_mb) {
		char *want = j->r->rate_mb > 0 ? rate_str(j->r->rate_mb) : NULL;
		sv_push(&k, "rate"), sv_push(&v, want ? want : "");
		sb_addf(&why, "%srate %s%s -> %s%s", why.len ? ", " : "", rs ? rs : "none", rs ? " MB/s" : "",
			want ? want : "none", want ? " MB/s" : "");
		free(want);
	}
	if (!k.n) {
		sb_release(&why);
		return;
	}
	char *desc = job_desc(j->is_ct, j->id, j->r->target);
	struct action *a = plan_add(p, PHASE_GUEST, OP_CHANGE, SUB, "change-replication-job", sec->id,
				    "change replication job %s (%s): %s", sec->id, desc, why.buf);
	a->depth = JOB_DEPTH;
	free(desc);
	sb_release(&why);
	if (cli) {
		struct strvec argv = { 0 };
		sv_push(&argv, "pvesr"), sv_push(&argv, "update"), sv_push(&argv, sec->id);
		for (size_t i = 0; i < k.n; i++)
			if (*v.v[i])
				sv_pushf(&argv, "--%s", k.v[i]), sv_push(&argv, v.v[i]);
			else
				sv_push(&argv, "--delete"), sv_push(&argv, k.v[i]);
		action_add_cmd(a, &argv);
		sv_free(&k);
		sv_free(&v);
		return;
	}
	struct pve_edit *e = pve_edit_new(PVE_EDIT_REPL_SET, PVE_REPLICATION_CFG, "local", sec->id);
	e->keys = k;
	e->values = v;
	sv_push(&a->details, "writes " PVE_REPLICATION_CFG);
	pve_action_set_edit(a, e);
}

/* One guest of the config with "replication" (see pvesr_plan_build). */
static void plan_job(const struct job_want *j, const struct pve_config *pc, const struct pve_state *st,
		     const char *node, struct plan *p)
{
	const struct pve_guest *g = pve_state_guest(st, j->id, j->is_ct);
	if (!g)
		return; /* not on this node: the guest's node adds its job (the guest planner says when it is nowhere) */
	const char *what = j->is_ct ? "container" : "vm";
	if (node && !strcmp(node, j->r->target)) {
		char *hint = xasprintf("pvesr replicates to another node: name one of cluster.nodes other than '%s' "
				       "(this node: --node, else the host name)", node);
		cfg_diag_at(&p->diags, j->r->src, DIAG_ERROR, j->r->jpath, "target", hint,
			    "%s %u: the replication target '%s' is this node", what, j->id, node);
		free(hint);
		return;
	}
	if (refuse_volumes(j, pc, st, g, p))
		return;
	const struct scfg_section *sec = find_job(&st->rcfg, j->id, j->r->target);
	char *desc = job_desc(j->is_ct, j->id, j->r->target);
	if (!sec) {
		plan_new_job(j, st, node, p);
	} else if (scfg_get(sec, "remove_job")) {
		cfg_diag(&p->diags, j->r->src, DIAG_WARNING, j->r->jpath,
			 "pvesr removes the job at its next run; apply again after that to add it anew",
			 "replication job %s (%s) is being removed by pvesr (remove_job %s): not added again yet", sec->id,
			 desc, scfg_get(sec, "remove_job"));
	} else if (pve_state_owns_job(st, sec->id)) {
		plan_owned_job(j, sec, st->mode == PVE_MODE_CLI, p);
	} else {
		sv_pushf(&p->unmanaged, "replication job %s (%s): not created by phoenix-storage", sec->id, desc);
		const char *s = scfg_get(sec, "schedule");
		if (strcmp(s ? s : GUEST_REPL_SCHEDULE_DEFAULT, j->r->schedule))
			cfg_diag(&p->diags, j->r->src, DIAG_NOTE, j->r->jpath,
				 "phoenix-storage changes only jobs it created: adjust it in Proxmox (pvesr update), or "
				 "remove it there so that apply creates it",
				 "replication job %s (%s) exists with schedule %s and is left alone", sec->id, desc,
				 s ? s : GUEST_REPL_SCHEDULE_DEFAULT);
	}
	free(desc);
}

/* True when the config still wants job sec (its guest replicates to its target). */
static bool job_wanted(const struct job_want *w, size_t n, unsigned guest, const char *target)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].id == guest && target && !strcmp(w[i].r->target, target))
			return true;
	return false;
}

/*
 * The jobs this node's tool created that the config dropped: marked for
 * removal (remove_job full: pvesr then deletes the job's snapshots here and
 * its copy on the target, and the section) only with allow_destroy, else
 * held back with a warning. Nothing for a job whose guests' config file
 * (LXC or VM) was not read: every one would look dropped.
 */
static void plan_dropped_jobs(const struct pve_config *pc, const struct pve_state *st, const struct job_want *w,
			      size_t n, bool allow_destroy, struct plan *p)
{
	bool cli = st->mode == PVE_MODE_CLI;
	for (size_t i = 0; i < st->owned_jobs.n; i++) {
		const struct scfg_section *sec = storage_cfg_find(&st->rcfg, st->owned_jobs.v[i]);
		unsigned guest, num;
		if (!sec || !job_id_parse(sec->id, &guest, &num) || scfg_get(sec, "remove_job"))
			continue;
		const char *target = scfg_get(sec, "target");
		if (job_wanted(w, n, guest, target))
			continue;
		bool is_ct = false, found = false;
		for (size_t k = 0; k < st->n_guests && !found; k++)
			if (st->guests[k].id == guest)
				found = true, is_ct = st->guests[k].is_ct;
		if ((!found || is_ct) && !pc->lxc_read) {
			diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, NULL, "give the LXC config (--lxc-config or core_paths)",
				 "replication job %s (added by phoenix-storage) is not checked: the LXC config was not read",
				 sec->id);
			continue;
		}
		if ((!found || !is_ct) && !pc->vm_read) {
			diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, NULL, "give the VM config (--vm-config or core_paths)",
				 "replication job %s (added by phoenix-storage) is not checked: the VM config was not read",
				 sec->id);
			continue;
		}
		char *what = xasprintf("remove replication job %s (%s %u to %s, added by phoenix-storage, no longer in the "
				       "config; pvesr deletes its snapshots and the copy on %s)",
				       sec->id, found ? kind_word(is_ct) : "guest", guest, target ? target : "?",
				       target ? target : "the target");
		if (!allow_destroy) {
			sv_push(&p->held, what);
			diag_add(&p->diags, DIAG_WARNING, NULL, 0, 0, NULL,
				 "apply with --allow-destroy to remove it, or put \"replication\" back in the config",
				 "replication job %s (created by phoenix-storage) is no longer in the config; kept", sec->id);
			free(what);
			continue;
		}
		struct action *a = plan_add(p, PHASE_GUEST, OP_REMOVE, SUB, "remove-replication-job", sec->id, "%s", what);
		a->destructive = true;
		a->depth = JOB_DEPTH;
		free(what);
		if (cli) {
			struct strvec argv = { 0 };
			sv_push(&argv, "pvesr"), sv_push(&argv, "delete"), sv_push(&argv, sec->id);
			action_add_cmd(a, &argv);
			continue;
		}
		struct pve_edit *e = pve_edit_new(PVE_EDIT_REPL_SET, PVE_REPLICATION_CFG, "local", sec->id);
		sv_push(&e->keys, "remove_job"), sv_push(&e->values, "full");
		sv_push(&a->details, "writes " PVE_REPLICATION_CFG " (remove_job full, as pvesr delete does)");
		pve_action_set_edit(a, e);
	}
}

void pvesr_plan_build(const struct pve_config *pc, const struct pve_state *st, const char *node,
		      bool allow_destroy, struct plan *p)
{
	struct job_want *w = xcalloc(pc->n_cts + pc->n_vms + 1, sizeof(*w));
	size_t n = 0;
	for (size_t i = 0; i < pc->n_cts; i++)
		if (pc->cts[i].repl)
			w[n++] = (struct job_want){ pc->cts[i].ctid, true, pc->cts[i].repl, &pc->cts[i] };
	for (size_t i = 0; i < pc->n_vms; i++)
		if (pc->vms[i].repl)
			w[n++] = (struct job_want){ pc->vms[i].vmid, false, pc->vms[i].repl, NULL };
	for (size_t i = 0; i < n; i++)
		plan_job(&w[i], pc, st, node, p);
	plan_dropped_jobs(pc, st, w, n, allow_destroy, p);
	free(w);
}
