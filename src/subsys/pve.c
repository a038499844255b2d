/* The PVE subsystem: storage.cfg entries, container mount points and guest disk sizes. */
#include <stdlib.h>
#include <string.h>

#include "engine/ctx.h"
#include "config/pve_config.h"
#include "plan/mounts.h"
#include "state/zfs_state.h"
#include "plan/pve_plan.h"
#include "formats/guest_conf.h"
#include "state/pve_state.h"
#include "util/fs.h"
#include "util/strbuf.h"

struct pve_priv {
	struct pve_config cfg;
	struct pve_state st;
	bool discovered;
};

static int pve_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct pve_priv *pp = xcalloc(1, sizeof(*pp));
	*priv = pp;
	struct config_sources cs = ctx_sources(ctx);
	return pve_config_load(&cs, &ctx->guests, ctx->zfs->cfg, ctx->root, &pp->cfg, dl);
}

static int pve_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	struct pve_priv *pp = priv;
	int rc = pve_state_discover(&pp->st, ctx->root, dl);
	pp->discovered = true;
	return rc;
}

static void pve_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	struct pve_priv *pp = priv;
	pve_plan_build(ctx->zfs, &pp->cfg, &pp->st, ctx->allow_destroy, p);
	pvesr_plan_build(&pp->cfg, &pp->st, ctx->node, ctx->allow_destroy, p);
}

/* Where a storage of the config keeps its data: its pool, or its path (a dir storage's resolved through the view). */
static char *storage_where(const struct zfs_view *v, const struct pve_storage_want *w)
{
	if (w->pool)
		return xstrdup(w->pool);
	if (w->path || !w->dataset)
		return xstrdup(w->path ? w->path : "-");
	char *mp = zfs_view_mountpoint(v, w->dataset);
	char *path = root_strip(v->root, mp);
	free(mp);
	return path;
}

static json_t *storage_status(const struct pve_priv *pp, const struct scfg_section *s, FILE *text)
{
	const struct pve_storage_want *w = pve_config_storage(&pp->cfg, s->id);
	bool owned = pve_state_owns(&pp->st, s->id);
	json_t *o = json_pack("{s:s, s:s, s:b, s:b}", "id", s->id, "type", s->type, "in_config", w != NULL,
			      "created_by_tool", owned);
	json_t *props = json_object();
	for (size_t i = 0; i < s->n_props; i++)
		json_object_set_new(props, s->props[i].key, json_string(s->props[i].value ? s->props[i].value : "1"));
	json_object_set_new(o, "properties", props);
	if (text) {
		const char *where = scfg_get(s, "pool");
		if (!where)
			where = scfg_get(s, "path");
		fprintf(text, "  %-32s %-8s %-36s %s%s\n", s->id, s->type, where ? where : "-",
			owned ? "managed" : "not managed", w && !owned ? " (in the config)" : "");
	}
	return o;
}

/*
 * Health of a storage a guest uses: {"id", "type", "healthy", "mounted", "detail"}.
 * zfspool: its pool is ONLINE and its dataset exists; dir: a dataset is mounted at its
 * path (or, without is_mountpoint, the directory exists); nfs: not checked from here.
 */
static json_t *storage_health(const struct zfs_view *v, const struct pve_priv *pp, const char *id)
{
	const struct scfg_section *s = storage_cfg_find(&pp->st.scfg, id);
	if (!s)
		return json_pack("{s:s, s:b, s:s}", "id", id, "healthy", 0, "detail", "not defined in storage.cfg");
	bool healthy = false, mounted = false;
	char *detail = NULL;
	if (!strcmp(s->type, "zfspool")) {
		const char *ds = scfg_get(s, "pool");
		char *pool = ds ? xstrndup(ds, strcspn(ds, "/")) : NULL;
		const struct zpool *zp = pool && v->st ? zfs_state_pool(v->st, pool) : NULL;
		bool exists = ds && zfs_view_exists(v, ds);
		healthy = zp && !zp->importable && zp->state && !strcmp(zp->state, "ONLINE") && exists;
		mounted = exists;
		detail = !zp ? xasprintf("pool '%s' is not imported", pool ? pool : "?")
			: !exists ? xasprintf("dataset '%s' does not exist", ds)
			: xasprintf("pool '%s' is %s", pool, zp->state ? zp->state : "UNKNOWN");
		free(pool);
	} else if (!strcmp(s->type, "dir")) {
		const char *path = scfg_get(s, "path");
		const char *ds = path ? zfs_view_mounted_at(v, path) : NULL;
		mounted = ds != NULL;
		const char *ism = scfg_get(s, "is_mountpoint");
		bool needs_mount = ism && strcmp(ism, "no") && strcmp(ism, "0");
		healthy = mounted || (!needs_mount && path);
		detail = mounted ? xasprintf("dataset '%s' is mounted at %s", ds, path)
			: xasprintf("nothing is mounted at %s%s", path ? path : "?",
				    needs_mount ? ": Proxmox shows it offline" : "");
	} else {
		healthy = true;
		detail = xasprintf("%s storage: not checked from the host", s->type);
	}
	json_t *o = json_pack("{s:s, s:s, s:b, s:b, s:s}", "id", id, "type", s->type, "healthy", healthy, "mounted",
			      mounted, "detail", detail);
	free(detail);
	return o;
}

/*
 * The storages and host directories a guest uses: rootfs/mpN (containers) or
 * disks (VMs), "STORAGE:VOLUME" or a bind-mounted host path. Prints one line each.
 */
static json_t *guest_storages(const struct zfs_view *v, const struct pve_priv *pp, const struct guest_conf *g,
			      FILE *text)
{
	static const char *const disk_keys[] = { "rootfs", "mp", "scsi", "virtio", "sata", "ide", "efidisk",
						  "tpmstate", "unused", NULL };
	json_t *a = json_array();
	for (size_t i = 0; i < g->n && g->v[i].section == 0; i++) {
		const struct gc_line *l = &g->v[i];
		if (l->kind != GC_KEY)
			continue;
		bool disk = false;
		for (size_t k = 0; disk_keys[k] && !disk; k++) {
			size_t n = strlen(disk_keys[k]);
			disk = !strncmp(l->key, disk_keys[k], n) &&
			       (!strcmp(disk_keys[k], "rootfs") ? l->key[n] == '\0' : (l->key[n] >= '0' && l->key[n] <= '9'));
		}
		struct pve_propstr ps;
		if (!disk || pve_propstr_parse(l->value, "volume", &ps))
			continue;
		const char *vol = ps.volume;
		json_t *o = NULL;
		if (vol && vol[0] == '/') {
			struct mount_verdict m;
			mount_guard(v, vol, true, &m);
			const char *ds = m.dataset;
			bool now = m.state == MOUNT_MOUNTED;
			mount_verdict_free(&m);
			o = json_pack("{s:s, s:s, s:b, s:b}", "key", l->key, "host_path", vol, "healthy", now, "mounted", now);
			json_object_set_new(o, "detail", json_string(ds ? (now ? "on a mounted managed dataset"
									    : "its dataset is not mounted")
									 : "not on a managed dataset"));
			if (ds)
				json_object_set_new(o, "dataset", json_string(ds));
		} else if (vol && strchr(vol, ':')) {
			char *id = xstrndup(vol, strcspn(vol, ":"));
			o = storage_health(v, pp, id);
			json_object_set_new(o, "key", json_string(l->key));
			json_object_set_new(o, "volume", json_string(vol));
			free(id);
		}
		pve_propstr_free(&ps);
		if (!o)
			continue;
		if (text) {
			json_t *h = json_object_get(o, "healthy");
			const char *what = json_string_value(json_object_get(o, "host_path"));
			fprintf(text, "    %-8s %-40s %s (%s)\n", l->key, what ? what : json_string_value(json_object_get(o, "volume")),
				json_is_true(h) ? "healthy" : "NOT HEALTHY",
				json_string_value(json_object_get(o, "detail")));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *mounts_json(const struct guest_conf *g)
{
	json_t *a = json_array();
	for (size_t i = 0; i < g->n && g->v[i].section == 0; i++) {
		const struct gc_line *l = &g->v[i];
		if (l->kind != GC_KEY || strncmp(l->key, "mp", 2) || !l->key[2] || l->key[2] < '0' || l->key[2] > '9')
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s}", "key", l->key, "value", l->value));
	}
	return a;
}

/*
 * The pve member of `status`: the mode, every storage of storage.cfg and of
 * the config (managed or not, missing ones), each container and VM of the
 * config with its state, mount points and the health of each storage it
 * uses, the VMs' fstab lines. Text lines go to text when it is not NULL.
 */
static void pve_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	struct pve_priv *pp = priv;
	if (!pp || !pp->discovered)
		return;
	const struct pve_state *st = &pp->st;
	json_t *o = json_pack("{s:s, s:s}", "mode", st->mode == PVE_MODE_CLI ? "cli" : "files", "mode_reason",
			      st->mode_why ? st->mode_why : "");
	if (text)
		fprintf(text, "Proxmox (%s: %s):\n", st->mode == PVE_MODE_CLI ? "pvesm/pct/qm" : "editing files",
			st->mode_why ? st->mode_why : "");
	json_t *ss = json_array();
	if (text)
		fprintf(text, " Storages (%s):\n", st->have_storage_cfg ? PVE_STORAGE_CFG : "no " PVE_STORAGE_CFG);
	for (size_t i = 0; i < st->scfg.n; i++)
		json_array_append_new(ss, storage_status(pp, &st->scfg.v[i], text));
	for (size_t i = 0; i < pp->cfg.n_storages; i++) {
		const struct pve_storage_want *w = &pp->cfg.storages[i];
		if (w->away || storage_cfg_find(&st->scfg, w->id))
			continue;
		json_array_append_new(ss, json_pack("{s:s, s:s, s:b, s:b, s:b}", "id", w->id, "type", w->type, "in_config", 1,
						    "created_by_tool", 0, "missing", 1));
		if (text) {
			char *where = storage_where(ctx->zfs, w);
			fprintf(text, "  %-32s %-8s %-36s MISSING (apply adds it)\n", w->id, w->type, where);
			free(where);
		}
	}
	json_object_set_new(o, "storages", ss);

	json_t *cts = json_array();
	if (text && pp->cfg.n_cts)
		fprintf(text, " Containers:\n");
	for (size_t i = 0; i < pp->cfg.n_cts; i++) {
		const struct pve_ct_want *ct = &pp->cfg.cts[i];
		const struct pve_guest *g = pve_state_guest(st, ct->ctid, true);
		json_t *c = json_pack("{s:i, s:b, s:b}", "ctid", (int)ct->ctid, "exists", g != NULL, "running",
				      g && g->running);
		if (ct->name)
			json_object_set_new(c, "name", json_string(ct->name));
		size_t missing = 0;
		if (g) {
			const char *rootfs = gc_get(&g->conf, "rootfs");
			if (rootfs)
				json_object_set_new(c, "rootfs", json_string(rootfs));
			json_object_set_new(c, "mount_points", mounts_json(&g->conf));
			json_t *miss = json_array();
			for (size_t k = 0; k < ct->n_mounts; k++) {
				bool have = false;
				for (size_t j = 0; j < g->conf.n && g->conf.v[j].section == 0 && !have; j++) {
					const struct gc_line *l = &g->conf.v[j];
					if (l->kind != GC_KEY || strncmp(l->key, "mp", 2))
						continue;
					struct pve_propstr ps;
					if (pve_propstr_parse(l->value, "volume", &ps))
						continue;
					const char *mp = pve_propstr_get(&ps, "mp");
					size_t ml = mp ? strlen(mp) : 0;
					while (ml > 1 && mp[ml - 1] == '/')
						ml--;
					have = mp && ml == strlen(ct->mounts[k].ct_path) &&
					       !strncmp(mp, ct->mounts[k].ct_path, ml);
					pve_propstr_free(&ps);
				}
				if (!have) {
					json_array_append_new(miss, json_string(ct->mounts[k].ct_path));
					missing++;
				}
			}
			json_object_set_new(c, "missing_mounts", miss);
		}
		bool tmpl = g && pve_bool(gc_get(&g->conf, "template")) == 1;
		json_object_set_new(c, "template", json_boolean(tmpl));
		if (text)
			fprintf(text, "  %-6u %-24s %s%s\n", ct->ctid, ct->name ? ct->name : "-",
				!g ? "no config (not created in Proxmox)" : tmpl ? "template (left as it is)"
				: g->running ? "running" : "stopped",
				missing && !tmpl ? ", mounts missing (apply adds them)" : "");
		if (g)
			json_object_set_new(c, "storages", guest_storages(ctx->zfs, pp, &g->conf, text));
		json_array_append_new(cts, c);
	}
	json_object_set_new(o, "containers", cts);

	json_t *vms = json_array();
	if (text && pp->cfg.n_vms)
		fprintf(text, " VMs:\n");
	for (size_t i = 0; i < pp->cfg.n_vms; i++) {
		const struct pve_vm_want *vm = &pp->cfg.vms[i];
		const struct pve_guest *g = pve_state_guest(st, vm->vmid, false);
		json_t *v = json_pack("{s:i, s:b, s:b}", "vmid", (int)vm->vmid, "exists", g != NULL, "running",
				      g && g->running);
		if (vm->name)
			json_object_set_new(v, "name", json_string(vm->name));
		json_t *fstab = json_array();
		json_t *mounts = json_array();
		if (text)
			fprintf(text, "  %-6u %-24s %s\n", vm->vmid, vm->name ? vm->name : "-",
				!g ? "no config (not created in Proxmox)" : g->running ? "running" : "stopped");
		if (g)
			json_object_set_new(v, "storages", guest_storages(ctx->zfs, pp, &g->conf, text));
		for (size_t k = 0; k < vm->n_nfs; k++) {
			const struct pve_nfs_mount *m = &vm->nfs[k];
			char *line = xasprintf("%s:%s %s nfs %s 0 0", m->server, m->path, m->mount_point, m->options);
			json_array_append_new(fstab, json_string(line));
			json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:s}", "server", m->server, "path", m->path,
								"mount_point", m->mount_point, "options", m->options));
			if (text)
				fprintf(text, "    fstab: %s\n", line);
			free(line);
		}
		json_object_set_new(v, "nfs_mounts", mounts);
		json_object_set_new(v, "fstab", fstab);
		json_array_append_new(vms, v);
	}
	json_object_set_new(o, "vms", vms);
	json_object_set_new(out, "pve", o);
}

static void pve_free(void *priv)
{
	struct pve_priv *pp = priv;
	if (!pp)
		return;
	pve_config_free(&pp->cfg);
	pve_state_free(&pp->st);
	free(pp);
}

/* The ZFS view: storages on datasets, container mounts on mounted managed datasets. */
static const char *const needs[] = { "zfs", NULL };
/* Planned with dirs: the host directories of container bind mounts are made and guarded there. */
static const char *const with[] = { "dirs", NULL };

const struct subsystem pve_subsystem = {
	.name = "pve",
	.needs = needs,
	.with = with,
	.load = pve_load,
	.discover = pve_discover,
	.plan = pve_plan,
	.status = pve_status,
	.free = pve_free,
};
