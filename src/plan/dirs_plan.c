#include "plan/dirs_plan.h"

#include <stdlib.h>
#include <string.h>

#include "apply/dirs_apply.h"
#include "config/zfs_config.h"
#include "plan/zfs_plan.h"
#include "state/zfs_state.h"
#include "sys/safe_dir.h"
#include "util/fs.h"
#include "util/strbuf.h"

char *dirs_shown_path(const struct ph_ctx *ctx, const char *mp)
{
	size_t rl = ctx->root ? strlen(ctx->root) : 0;
	while (rl > 1 && ctx->root[rl - 1] == '/')
		rl--;
	if (rl > 1 && !strncmp(mp, ctx->root, rl) && (mp[rl] == '/' || !mp[rl]))
		return xstrdup(mp[rl] ? mp + rl : "/");
	return xstrdup(mp);
}

/* Offset of "/name" in path at component boundaries (not at 0), or -1. */
static long find_component_seq(const char *path, const char *name)
{
	size_t n = strlen(name);
	for (const char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/'))
		if (!strncmp(s + 1, name, n) && (s[1 + n] == '/' || !s[1 + n]))
			return s - path;
	return -1;
}

static bool is_pool(const struct ph_ctx *ctx, const char *name)
{
	if (ctx->zcfg && zfs_config_pool(ctx->zcfg, name))
		return true;
	return ctx->zst && zfs_state_pool(ctx->zst, name);
}

int dirs_mount_check(const struct ph_ctx *ctx, const char *path, const char *what,
		     const char **dataset, char **msg, char **hint)
{
	*msg = *hint = NULL;
	*dataset = NULL;
	char *real = root_path(ctx->root, path);
	const char *mp = NULL;
	bool mounted = false;
	const char *ds = zfs_dataset_for_path(ctx, real, &mp, &mounted);
	free(real);
	if (ds) {
		*dataset = ds;
		const struct zfs_dataset *cur = ctx->zst ? zfs_state_dataset(ctx->zst, ds) : NULL;
		const struct zprop *m = cur ? zfs_dataset_prop(cur, "mounted") : NULL;
		if (!cur || mounted || (m && !strcmp(m->value, "yes")))
			return 0; /* mounted now, or created (and mounted) by this plan */
		char *smp = dirs_shown_path(ctx, mp);
		*msg = xasprintf("%s '%s' is on dataset '%s', which is not mounted (mountpoint '%s')", what,
				 path, ds, smp);
		*hint = xasprintf("mount it first (zfs mount %s): anything written now would land on the "
				  "filesystem underneath", ds);
		free(smp);
		return -1;
	}
	/* With --root: the dataset is there, but mounted outside the root. */
	if (ctx->root && *ctx->root && strcmp(ctx->root, "/")) {
		const char *outside = zfs_dataset_for_path(ctx, path, &mp, &mounted);
		if (outside) {
			*msg = xasprintf("%s '%s' is on dataset '%s', which is mounted at '%s', outside --root '%s'",
					 what, path, outside, mp, ctx->root);
			*hint = xstrdup("with --root, give the pool or dataset a mountpoint below the root directory");
			return -1;
		}
	}
	/* A managed dataset whose name appears inside the path: /mnt/pve/POOL/NAME/... */
	size_t nc = ctx->zcfg ? ctx->zcfg->n_datasets : 0;
	for (size_t i = 0; i < nc; i++) {
		const struct zcfg_dataset *d = &ctx->zcfg->datasets[i];
		if (d->is_volume)
			continue;
		long k = find_component_seq(path, d->full);
		if (k < 0)
			continue;
		char *emp = zfs_expected_mountpoint(ctx, d->full);
		char *semp = dirs_shown_path(ctx, emp);
		const char *rest = path + k + 1 + strlen(d->full);
		*msg = xasprintf("%s '%s' is not on a mounted managed ZFS dataset: dataset '%s' is mounted at '%s'",
				 what, path, d->full, semp);
		*hint = xasprintf("set the mountpoint of dataset '%s' to '%.*s/%s', or change the path to '%s%s'",
				  d->full, (int)k, path, d->full, strcmp(semp, "/") ? semp : "", rest);
		free(emp);
		free(semp);
		return -1;
	}
	/* Name the dataset that should be there. */
	const char *first = path + 1;
	size_t fl = strcspn(first, "/");
	char *pool = xstrndup(first, fl);
	if (first[fl] == '/' && is_pool(ctx, pool)) {
		*msg = xasprintf("%s '%s' is not on a managed ZFS dataset (expected dataset '%s')", what, path,
				 first);
		*hint = xasprintf("add dataset '%s' to zfs.datasets, or set \"outside_zfs\": true if it does "
				  "not belong on ZFS", first);
	} else {
		*msg = xasprintf("%s '%s' is not on a managed ZFS dataset", what, path);
		*hint = xasprintf("add a dataset mounted at '%s' (or at a parent) to zfs.datasets, or set "
				  "\"outside_zfs\": true if it does not belong on ZFS", path);
	}
	free(pool);
	return -1;
}

static unsigned depth_of(const char *path)
{
	unsigned d = 0;
	for (const char *s = path; *s; s++)
		d += *s == '/';
	return d;
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
static bool created_by_zfs(const struct ph_ctx *ctx, const char *path, const char *ds)
{
	if (!ds || (ctx->zst && zfs_state_dataset(ctx->zst, ds)))
		return false;
	char *emp = zfs_expected_mountpoint(ctx, ds);
	char *real = root_path(ctx->root, path);
	bool same = !strcmp(emp, real);
	free(emp);
	free(real);
	return same;
}

void dirs_plan_build(const struct ph_ctx *ctx, const struct dirs_config *cfg,
		     const struct dir_seen *seen, struct plan *p)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const struct dir_want *w = &cfg->v[i];
		const struct dir_seen *s = &seen[i];
		const char *ds = NULL;
		if (!w->outside_zfs) {
			char *msg, *hint;
			if (dirs_mount_check(ctx, w->path, w->samba_only ? "share path" : "directory", &ds,
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
			if (created_by_zfs(ctx, w->path, ds) && !w->set_uid && !w->set_gid && !w->set_mode) {
				sb_release(&sb);
				continue; /* zfs create makes the mountpoint */
			}
			describe_want(&sb, w);
			a = plan_add(p, PHASE_DIRECTORY, OP_CREATE, "dirs", "create-directory", w->path,
				     "create directory %s%s", w->path, sb.buf);
			bool ds_exists = ds && ctx->zst && zfs_state_dataset(ctx->zst, ds);
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
		a->depth = (int)depth_of(w->path);
		sv_pushf(&a->details, "declared by %s%s%s", w->origin, w->service ? ", service " : "",
			 w->service ? w->service : "");
		if (w->uid_note)
			sv_pushf(&a->details, "owner %u is %s", w->uid, w->uid_note);
		if (w->gid_note)
			sv_pushf(&a->details, "group %u is %s", w->gid, w->gid_note);
		a->fn = dirs_apply_dir;
		a->data = dirs_action_data_new(w->path, &req);
		a->free_data = dirs_action_data_free;
	}
}

/* ---- the subsystem ---- */

struct dirs_priv {
	struct dirs_config cfg;
	struct dir_seen *seen;
};

static int dirs_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct dirs_priv *dp = xcalloc(1, sizeof(*dp));
	*priv = dp;
	int rc = dirs_config_load(ctx, &dp->cfg, dl);
	dp->seen = xcalloc(dp->cfg.n ? dp->cfg.n : 1, sizeof(*dp->seen));
	return rc;
}

static int dirs_discover(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	(void)dl;
	struct dirs_priv *dp = priv;
	for (size_t i = 0; i < dp->cfg.n; i++) {
		struct dir_seen *s = &dp->seen[i];
		struct safe_dir_state st;
		char *err = NULL;
		int rc = safe_dir_inspect(ctx->root, dp->cfg.v[i].path, &st, &err);
		s->inspected = true;
		if (rc) {
			s->error = err;
		} else {
			s->exists = st.exists;
			s->uid = st.uid;
			s->gid = st.gid;
			s->mode = st.mode;
			s->n_missing = st.n_missing;
			s->first_missing = st.first_missing;
			st.first_missing = NULL;
		}
		safe_dir_state_free(&st);
	}
	return 0;
}

static void dirs_plan(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	struct dirs_priv *dp = priv;
	dirs_plan_build(ctx, &dp->cfg, dp->seen, p);
}

static void dirs_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	(void)ctx;
	struct dirs_priv *dp = priv;
	json_t *arr = json_array();
	for (size_t i = 0; i < dp->cfg.n; i++) {
		const struct dir_want *w = &dp->cfg.v[i];
		const struct dir_seen *s = &dp->seen[i];
		const char *state;
		struct strbuf why = STRBUF_INIT;
		sb_init(&why);
		if (s->error) {
			state = "blocked";
			sb_adds(&why, s->error);
		} else if (!s->inspected) {
			state = "unknown";
		} else if (!s->exists) {
			state = "missing";
		} else {
			if (w->set_uid && s->uid != w->uid)
				sb_addf(&why, "%sowner %u, expected %u", why.len ? "; " : "", s->uid, w->uid);
			if (w->set_gid && s->gid != w->gid)
				sb_addf(&why, "%sgroup %u, expected %u", why.len ? "; " : "", s->gid, w->gid);
			if (w->set_mode && s->mode != w->mode)
				sb_addf(&why, "%smode %04o, expected %04o", why.len ? "; " : "", s->mode, w->mode);
			state = why.len ? "drifted" : "ok";
		}
		json_t *o = json_pack("{s:s, s:s, s:s}", "path", w->path, "state", state, "declared_by",
				      w->origin);
		if (s->exists) {
			char m[8];
			snprintf(m, sizeof(m), "%04o", s->mode);
			json_object_set_new(o, "owner", json_integer(s->uid));
			json_object_set_new(o, "group", json_integer(s->gid));
			json_object_set_new(o, "mode", json_string(m));
		}
		if (why.len)
			json_object_set_new(o, "detail", json_string(why.buf));
		json_array_append_new(arr, o);
		if (text) {
			if (s->exists)
				fprintf(text, "directory %s: %s (owner %u, group %u, mode %04o)%s%s\n", w->path,
					state, s->uid, s->gid, s->mode, why.len ? ": " : "", why.len ? why.buf : "");
			else
				fprintf(text, "directory %s: %s%s%s\n", w->path, state, why.len ? ": " : "",
					why.len ? why.buf : "");
		}
		sb_release(&why);
	}
	json_object_set_new(out, "directories", arr);
}

static void dirs_free(void *priv)
{
	struct dirs_priv *dp = priv;
	if (!dp)
		return;
	for (size_t i = 0; i < dp->cfg.n; i++) {
		free(dp->seen[i].first_missing);
		free(dp->seen[i].error);
	}
	free(dp->seen);
	dirs_config_free(&dp->cfg);
	free(dp);
}

const struct subsystem dirs_subsystem = {
	.name = "dirs",
	.load = dirs_load,
	.discover = dirs_discover,
	.plan = dirs_plan,
	.status = dirs_status,
	.free = dirs_free,
};
