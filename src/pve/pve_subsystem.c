/* The PVE subsystem: storage.cfg entries, container mount points and guest disk sizes. */
#include <stdlib.h>
#include <string.h>

#include "cmd/ctx.h"
#include "config/pve_config.h"
#include "plan/pve_plan.h"
#include "pve/guest_conf.h"
#include "pve/pve_state.h"
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
	return pve_config_load(ctx, &pp->cfg, dl);
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
	pve_plan_build(ctx, &pp->cfg, &pp->st, p);
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

static void pve_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	(void)ctx;
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
		if (storage_cfg_find(&st->scfg, w->id))
			continue;
		json_array_append_new(ss, json_pack("{s:s, s:s, s:b, s:b, s:b}", "id", w->id, "type", w->type, "in_config", 1,
						    "created_by_tool", 0, "missing", 1));
		if (text)
			fprintf(text, "  %-32s %-8s %-36s MISSING (apply adds it)\n", w->id, w->type,
				w->pool ? w->pool : w->path);
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

const struct subsystem pve_subsystem = {
	.name = "pve",
	.load = pve_load,
	.discover = pve_discover,
	.plan = pve_plan,
	.status = pve_status,
	.free = pve_free,
};
