#include "config/members.h"

#include <string.h>

#include "util/str.h"
#include "util/strbuf.h"

struct member_set {
	const char *what;          /* "a pool", for the hint listing the members */
	const char *const *used;   /* read by this tool */
	const char *const *known;  /* carried by the Phoenix Hypervisor configs, not read here */
};

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

/* The members of each kind of object; a reader that starts reading a member adds it to used. */
static const struct member_set sets[CFG_KIND_COUNT] = {
	[CFG_MAIN] = { "the main config",
		L("zfs", "nfs", "samba", "core_paths", "proxmox_storage_ids", "shared_volumes", "network",
		  "persistent_storage", "monitoring", "cluster"),
		L("$schema", "version", "author", "users", "timezone", "domain_name", "dns_server", "docker", "firewall",
		  "mount_point_base", "proxmox_defaults", "tests", "nvidia_driver", "behavior", "portainer_api",
		  "step_ca", "vm_defaults", "vms") },
	[CFG_CORE_PATHS] = { "core_paths", L("lxc_config_file", "vm_config_file"),
		L("docker_images_path", "docker_token_file", "hf_token_file", "hypervisor_marker",
		  "hypervisor_marker_dir", "lxc_config_schema_file", "vm_config_schema_file",
		  "hypervisor_config_schema_file") },
	[CFG_NETWORK] = { "network", L("nfs_server", "interfaces"),
		L("default_subnet", "external_registry_url", "fallback_dns", "portainer_agent_port",
		  "portainer_server_ip", "portainer_server_port", "internal_bridge", "macvlan_vlan_tag",
		  "public_bridge", "public_vlan_tag") },
	[CFG_ZFS] = { "zfs", L("pools", "datasets", "arc_max_gb", "settings", "snapshot_policies", "snapshot_destroy_batch", "replication"),
		NONE },
	[CFG_ZFS_POOL] = { "a pool", L("name", "raid_level", "disks", "vdevs", "log", "cache", "special", "spares", "ashift",
		"mountpoint", "properties", "options", "scrub", "trim", "nodes"),
		NONE },
	[CFG_ZFS_DATASET] = { "a dataset",
		L("name", "pool", "type", "volsize", "sparse", "mountpoint", "properties", "snapshots", "proxmox_storage_type",
		  "proxmox_content_type", "storage_class", "proxmox_sparse", "proxmox_blocksize", "nodes"),
		NONE },
	[CFG_ZFS_SETTINGS] = { "zfs.settings", L("allow_destructive_operations"), NONE },
	[CFG_NFS] = { "nfs", L("server", "ganesha", "exports"), NONE },
	[CFG_NFS_EXPORT] = { "an export",
		L("path", "clients", "options", "outside_zfs", "owner", "group", "mode", "proxmox", "nodes"), NONE },
	[CFG_NFS_PROXMOX] = { "an export's proxmox", L("storage_id", "content", "server", "path", "options"), NONE },
	/* "password": known so that its own error (samba_config.c: never read from the config) stands alone */
	[CFG_SAMBA] = { "samba", L("user", "shares", "password_file", "smb_conf"), L("password") },
	[CFG_SAMBA_SHARE] = { "a share", L("name", "path", "options", "valid_users", "outside_zfs", "nodes"), L("password") },
	[CFG_PERSISTENT] = { "persistent_storage", L("base", "directories"), NONE },
	[CFG_PERSISTENT_DIR] = { "a directory", L("path", "owner", "group", "mode", "service", "outside_zfs", "ctid"),
		NONE },
	[CFG_SHARED_VOLUME] = { "a shared volume",
		L("host_path", "mounts", "owner_uid", "owner_gid", "ro", "backup", "acl", "replicate", "shared"), NONE },
	[CFG_LXC_FILE] = { "the container config", L("lxc_configs"),
		L("$schema", "nvidia_driver_version", "nvidia_repo_url", "nvidia_runfile_url") },
	[CFG_CONTAINER] = { "a container",
		L("name", "storage_pool", "storage_size_gb", "unprivileged", "id_maps", "mount_points", "zfs_volumes",
		  "replication"),
		L("apparmor_manages_nesting", "apparmor_profile", "application_script", "boot_delay", "boot_order",
		  "bootstrap_ca_url", "clone_from_ctid", "cores", "dependencies", "enable_lifecycle_snapshots",
		  "features", "firewall", "gpu_assignment", "health_check", "lxc_options", "mac_address", "memory_mb",
		  "network_config", "pct_options", "portainer_role", "ports", "start_at_boot", "swap_mb", "template",
		  "template_snapshot_name", "tests", "traefik_service", "trigger_sync_on_completion",
		  "vllm_engine_config") },
	[CFG_BIND_MOUNT] = { "a mount point",
		L("host_path", "container_path", "owner_uid", "owner_gid", "ro", "backup", "acl", "replicate", "shared"),
		NONE },
	[CFG_CT_VOLUME] = { "a volume", L("pool", "mount_point", "size_gb", "ro", "backup", "acl", "replicate", "shared"),
		L("name") },
	[CFG_ID_MAP] = { "an id map", L("type", "host_id", "container_id", "size"), NONE },
	[CFG_VM_FILE] = { "the VM config", L("vm_defaults", "vms"), L("$schema") },
	[CFG_VM_DEFAULTS] = { "vm_defaults", L("storage_pool", "disk_size_gb"),
		L("cores", "memory_mb", "network_bridge", "template", "ubuntu_release") },
	[CFG_VM] = { "a VM",
		L("vmid", "name", "is_template", "storage_pool", "disk_size_gb", "network_config", "volumes",
		  "replication"),
		L("boot_delay", "boot_order", "clone_from_vmid", "cores", "dependencies", "dns_records",
		  "docker_stacks", "features", "firewall", "memory_mb", "portainer_agent_hostname",
		  "portainer_environment_name", "portainer_role", "start_at_boot", "template_image",
		  "template_snapshot_name", "traefik_service", "trigger_sync_on_completion", "user_config") },
	[CFG_VM_VOLUME] = { "a VM volume", L("type", "server", "path", "options", "mount_point", "name"), NONE },
};

bool cfg_member_used(enum cfg_kind kind, const char *key)
{
	return kind < CFG_KIND_COUNT && str_in_list(sets[kind].used, key, strlen(key));
}

/* The used or known member nearest to key (at most 2 edits, and fewer than its length); NULL if none. */
static const char *nearest(const struct member_set *m, const char *key)
{
	const char *best = NULL;
	size_t bestd = 3, len = strlen(key);
	const char *const *lists[] = { m->used, m->known };
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; lists[l][i]; i++) {
			size_t d = str_edit_distance(key, lists[l][i]);
			if (d < bestd && d < len) {
				bestd = d;
				best = lists[l][i];
			}
		}
	return best;
}

static void warn_unknown(const struct config_src *src, const struct member_set *m, const char *jpath,
			 const char *key, struct diag_list *dl)
{
	const char *near = nearest(m, key);
	char *hint;
	if (near) {
		hint = xasprintf("did you mean '%s'?", near);
	} else {
		struct strvec sv = { 0 };
		for (size_t i = 0; m->used[i]; i++)
			sv_push(&sv, m->used[i]);
		char *all = sv_join(&sv, ", ");
		hint = xasprintf("the members this tool reads in %s: %s", m->what, all);
		free(all);
		sv_free(&sv);
	}
	cfg_diag_at(dl, src, DIAG_WARNING, jpath, key, hint, "unknown member '%s' (ignored)", key);
	free(hint);
}

/* One duplicate of a member the tool reads, at the later occurrence, naming both: an error, a warning when both hold the same value. */
static void report_dup(const struct config_src *src, struct cfg_dup *d, struct diag_list *dl)
{
	d->reported = true;
	char *jp = *d->obj_path ? xasprintf("%s.%s", d->obj_path, d->key) : xstrdup(d->key);
	char *j = str_escape(jp);
	char *k = str_escape(d->key);
	if (d->same_value)
		diag_add(dl, DIAG_WARNING, src->path, d->line2, d->col2, j, "remove one of them",
			 "member '%s' is given twice with the same value (at %d:%d and %d:%d)", k, d->line1, d->col1,
			 d->line2, d->col2);
	else
		diag_add(dl, DIAG_ERROR, src->path, d->line2, d->col2, j,
			 "keep one of them: this tool does not guess which one you meant",
			 "member '%s' is given twice (at %d:%d and %d:%d)", k, d->line1, d->col1, d->line2, d->col2);
	free(k);
	free(j);
	free(jp);
}

int cfg_check_dup(const struct config_src *src, const char *jpath, const char *key, struct diag_list *dl)
{
	int errors = 0;
	for (size_t i = 0; src && i < src->n_dups; i++) {
		struct cfg_dup *d = &src->dups[i];
		if (!d->reported && !strcmp(d->obj_path, jpath) && (!key || !strcmp(d->key, key))) {
			report_dup(src, d, dl);
			errors += !d->same_value;
		}
	}
	return errors;
}

/* The used members of obj given twice: one error each. */
static int report_used_duplicates(const struct config_src *src, const char *jpath, const struct member_set *m,
				  struct diag_list *dl)
{
	int errors = 0;
	for (size_t i = 0; i < src->n_dups; i++) {
		struct cfg_dup *d = &src->dups[i];
		if (d->reported || strcmp(d->obj_path, jpath) || !str_in_list(m->used, d->key, strlen(d->key)))
			continue;
		report_dup(src, d, dl);
		errors += !d->same_value;
	}
	return errors;
}

int cfg_check_members(const struct config_src *src, json_t *obj, const char *jpath, enum cfg_kind kind,
		      struct diag_list *dl)
{
	if (!json_is_object(obj) || kind >= CFG_KIND_COUNT)
		return 0;
	const struct member_set *m = &sets[kind];
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		size_t n = strlen(key);
		if (!str_in_list(m->used, key, n) && !str_in_list(m->known, key, n))
			warn_unknown(src, m, jpath ? jpath : "", key, dl);
	}
	return report_used_duplicates(src, jpath ? jpath : "", m, dl);
}

void config_check_sources(const struct config_sources *cs, struct diag_list *dl)
{
	const struct config_src *m = cs->main;
	if (m && m->root) {
		cfg_check_members(m, m->root, "", CFG_MAIN, dl);
		cfg_check_members(m, json_object_get(m->root, "core_paths"), "core_paths", CFG_CORE_PATHS, dl);
		cfg_check_members(m, json_object_get(m->root, "network"), "network", CFG_NETWORK, dl);
	}
	if (cs->lxc && cs->lxc->root)
		cfg_check_members(cs->lxc, cs->lxc->root, "", CFG_LXC_FILE, dl);
	if (cs->vm && cs->vm->root) {
		cfg_check_members(cs->vm, cs->vm->root, "", CFG_VM_FILE, dl);
		cfg_check_members(cs->vm, json_object_get(cs->vm->root, "vm_defaults"), "vm_defaults", CFG_VM_DEFAULTS, dl);
	}
	config_report_duplicates(m, dl);
	config_report_duplicates(cs->lxc, dl);
	config_report_duplicates(cs->vm, dl);
}

void cfg_reject_unknown(const struct config_src *src, json_t *obj, const char *jpath, const char *const *known,
			const char *what, struct diag_list *dl)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		bool ok = false;
		for (size_t i = 0; known[i]; i++)
			ok |= !strcmp(known[i], key);
		if (ok)
			continue;
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		for (size_t i = 0; known[i]; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "", known[i]);
		char *hint = xasprintf("known members: %s", sb_str(&sb));
		cfg_diag_at(dl, src, DIAG_ERROR, jpath, key, hint, "unknown member '%s' in %s", key, what);
		free(hint);
		sb_release(&sb);
	}
}
