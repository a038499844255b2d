#include "plan/dirs_plan.h"

#include <stdlib.h>
#include <string.h>

#include "plan/mounts.h"
#include "sys/safe_dir.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strbuf.h"

struct dirs_action_data *dirs_action_data_new(const char *path, const struct safe_dir_req *req)
{
	struct dirs_action_data *d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(path);
	d->req = *req;
	return d;
}

void dirs_action_data_free(void *data)
{
	struct dirs_action_data *d = data;
	if (!d)
		return;
	free(d->path);
	free(d);
}

/* The wording of the guard's refusal for a directory or a share path (what) at path, shown without --root. */
static void refusal(const struct zfs_view *v, const struct mount_verdict *m, const char *what, const char *path,
		    char **msg, char **hint)
{
	if (m->state == MOUNT_NOT_MOUNTED) {
		char *smp = root_strip(v->root, m->mountpoint);
		*msg = xasprintf("%s '%s' is on dataset '%s', which is not mounted (mountpoint '%s')", what, path,
				 m->dataset, smp);
		*hint = xasprintf("mount it first (zfs mount %s): anything written now would land on the "
				  "filesystem underneath", m->dataset);
		free(smp);
	} else if (m->state == MOUNT_NOT_YET) {
		char *smp = root_strip(v->root, m->mountpoint);
		if (zfs_view_exists(v, m->dataset))
			*msg = xasprintf("%s '%s' is on dataset '%s', which is not mounted at '%s' yet: the zfs part of "
					 "the plan moves it there, and zfs is not in this run (--only)", what, path,
					 m->dataset, smp);
		else
			*msg = xasprintf("%s '%s' is on dataset '%s', which does not exist yet: the zfs part of the "
					 "plan creates it, and zfs is not in this run (--only)", what, path, m->dataset);
		*hint = xstrdup("add zfs to --only, or apply it first: anything written now would land on the "
				"filesystem underneath");
		free(smp);
	} else if (m->outside) {
		/* With --root: the dataset is there, but mounted outside the root. */
		*msg = xasprintf("%s '%s' is on dataset '%s', which is mounted at '%s', outside --root '%s'", what, path,
				 m->outside, m->outside_mp, v->root);
		*hint = xstrdup("with --root, give the pool or dataset a mountpoint below the root directory");
	} else if (m->named) {
		/* A managed dataset whose name appears inside the path: /mnt/pve/POOL/NAME/... */
		char *semp = root_strip(v->root, m->named_mp);
		const char *rest = path + m->named_at + 1 + strlen(m->named);
		*msg = xasprintf("%s '%s' is not on a mounted managed ZFS dataset: dataset '%s' is mounted at '%s'", what,
				 path, m->named, semp);
		*hint = xasprintf("set the mountpoint of dataset '%s' to '%.*s/%s', or change the path to '%s%s'",
				  m->named, (int)m->named_at, path, m->named, strcmp(semp, "/") ? semp : "", rest);
		free(semp);
	} else if (m->below_pool) {
		/* Name the dataset that should be there. */
		*msg = xasprintf("%s '%s' is not on a managed ZFS dataset (expected dataset '%s')", what, path, path + 1);
		*hint = xasprintf("add dataset '%s' to zfs.datasets, or set \"outside_zfs\": true if it does "
				  "not belong on ZFS", path + 1);
	} else {
		*msg = xasprintf("%s '%s' is not on a managed ZFS dataset", what, path);
		*hint = xasprintf("add a dataset mounted at '%s' (or at a parent) to zfs.datasets, or set "
				  "\"outside_zfs\": true if it does not belong on ZFS", path);
	}
}

int dirs_mount_check(const struct zfs_view *v, const char *path, const char *what,
		     const char **dataset, char **msg, char **hint)
{
	*msg = *hint = NULL;
	struct mount_verdict m;
	mount_guard(v, path, true, &m);
	*dataset = m.dataset;
	bool ok = mount_ok(&m);
	if (!ok)
		refusal(v, &m, what, path, msg, hint);
	mount_verdict_free(&m);
	return ok ? 0 : -1;
}

static void describe_want(struct strbuf *sb, const struct dir_want *w)
{
	const char *sep = " (";
	if (w->set_uid) {
		sb_addf(sb, "%sowner %u", sep, w->uid);
		sep = ", ";
	}
	if (w->set_gid) {
		sb_addf(sb, "%sgroup %u", sep, w->gid);
		sep = ", ";
	}
	if (w->set_mode) {
		sb_addf(sb, "%smode %04o", sep, w->mode);
		sep = ", ";
	}
	if (strcmp(sep, " ("))
		sb_addc(sb, ')');
}

/* True when path is exactly the mountpoint of a dataset this plan creates. */
static bool created_by_zfs(const struct zfs_view *v, const char *path, const char *ds)
{
	if (!ds || zfs_view_exists(v, ds))
		return false;
	char *emp = zfs_view_mountpoint(v, ds);
	char *real = root_path(v->root, path);
	bool same = !strcmp(emp, real);
	free(emp);
	free(real);
	return same;
}

/*
 * For each directory of cfg against what seen found: the mount guard (its
 * refusal is an error; a share path's is left to the samba plan), an error
 * for a symlink or file in the way, then a create action (unless the
 * dataset's own mountpoint makes it) or a change of owner, group or mode.
 * Pure; actions and diagnostics go to p.
 */
void dirs_plan_build(const struct zfs_view *v, const struct dirs_config *cfg,
		     const struct dir_seen *seen, struct plan *p)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const struct dir_want *w = &cfg->v[i];
		const struct dir_seen *s = &seen[i];
		const char *ds = NULL;
		if (!w->outside_zfs) {
			char *msg, *hint;
			if (dirs_mount_check(v, w->path, w->samba_only ? "share path" : "directory", &ds,
					     &msg, &hint)) {
				/* A share path's problem is reported once, by the samba plan. */
				if (!w->samba_only)
					cfg_diag(&p->diags, w->src, DIAG_ERROR, w->jpath, hint, "%s", msg);
				free(msg);
				free(hint);
				continue;
			}
		}
		if (s->error) {
			cfg_diag(&p->diags, w->src, DIAG_ERROR, w->jpath,
				 "remove what is in the way (a symlink could redirect root's chown elsewhere), "
				 "or point the config at the real directory",
				 "directory '%s': %s", w->path, s->error);
			continue;
		}
		if (!s->inspected)
			continue;
		struct safe_dir_req req = { .set_uid = w->set_uid, .uid = w->uid, .set_gid = w->set_gid,
					    .gid = w->gid, .set_mode = w->set_mode, .mode = w->mode };
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		struct action *a;
		if (!s->exists) {
			if (created_by_zfs(v, w->path, ds) && !w->set_uid && !w->set_gid && !w->set_mode) {
				sb_release(&sb);
				continue; /* zfs create makes the mountpoint */
			}
			describe_want(&sb, w);
			a = plan_add(p, PHASE_DIRECTORY, OP_CREATE, "dirs", "create-directory", w->path,
				     "create directory %s%s", w->path, sb.buf);
			bool ds_exists = ds && zfs_view_exists(v, ds);
			if (s->n_missing > 1 && s->first_missing && (ds_exists || !ds))
				sv_pushf(&a->details, "creates the missing parents from %s (mode 0755)",
					 s->first_missing);
		} else {
			const char *sep = ": ";
			if (w->set_uid && s->uid != w->uid) {
				sb_addf(&sb, "%sowner %u -> %u", sep, s->uid, w->uid);
				sep = ", ";
			}
			if (w->set_gid && s->gid != w->gid) {
				sb_addf(&sb, "%sgroup %u -> %u", sep, s->gid, w->gid);
				sep = ", ";
			}
			if (w->set_mode && s->mode != w->mode) {
				sb_addf(&sb, "%smode %04o -> %04o", sep, s->mode, w->mode);
				sep = ", ";
			}
			if (!sb.len) {
				sb_release(&sb);
				continue;
			}
			a = plan_add(p, PHASE_DIRECTORY, OP_CHANGE, "dirs", "change-directory", w->path,
				     "change directory %s%s", w->path, sb.buf);
		}
		sb_release(&sb);
		a->depth = path_depth(w->path);
		sv_pushf(&a->details, "declared by %s%s%s", w->origin, w->service ? ", service " : "",
			 w->service ? w->service : "");
		if (w->uid_note)
			sv_pushf(&a->details, "owner %u is %s", w->uid, w->uid_note);
		if (w->gid_note)
			sv_pushf(&a->details, "group %u is %s", w->gid, w->gid_note);
		action_set_executor(a, AX_DIRS_DIR, dirs_action_data_new(w->path, &req), dirs_action_data_free);
	}
}
