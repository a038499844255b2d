/* The Samba front door: shares and the Samba user (config, discovery, plan, status). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/zfs_config.h"
#include "engine/ctx.h"
#include "plan/samba_plan.h"
#include "plan/mounts.h"
#include "plan/snap_plan.h"
#include "util/fs.h"
#include "state/samba_state.h"
#include "subsys/elsewhere.h"
#include "util/strbuf.h"

struct samba_priv {
	struct samba_config cfg;
	struct samba_state st;
	struct strvec away;   /* plan lines of the shares left out: on other nodes */
};

/* A share's fields for leave_out_elsewhere. */
static void share_fields(const void *elem, const char **nodes, const char **path, const char **label)
{
	const struct samba_share *sh = elem;
	*nodes = sh->nodes;
	*path = sh->path;
	*label = sh->name ? sh->name : sh->jpath;
}

static int samba_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct samba_priv *sp = xcalloc(1, sizeof(*sp));
	*priv = sp;
	int rc = samba_config_load(&ctx->main, &sp->cfg, dl);
	size_t n = sp->cfg.n_shares;
	sp->cfg.n_shares = leave_out_elsewhere(ctx, sp->cfg.shares, n, sizeof(*sp->cfg.shares), share_fields,
					       "samba: share", &sp->away);
	sp->cfg.n_away = n - sp->cfg.n_shares;
	for (size_t i = 0; i < sp->cfg.n_shares; i++) {
		const struct samba_share *sh = &sp->cfg.shares[i];
		if (zfs_config_double_share(&ctx->main, ctx->zfs->cfg, "sharesmb", sh->path, sh->jpath, "share", "shares", dl))
			rc = -1;
	}
	return rc;
}

/*
 * Previous Versions: a share whose path is the mountpoint of a dataset a
 * snapshot policy covers gets shadow_copy2 with our names
 * (phoenix_YYYY-MM-DDTHHMMSSZ_CLASS): shadow_copy2 splits a name at the first
 * shadow:delimiter, matches the part before it against shadow:snapprefix and
 * reads the time with shadow:format from the delimiter on (the class suffix
 * after the time is ignored); with a prefix set it looks the real name up by
 * its time, so the suffix never has to be rebuilt.
 */
static const struct { const char *key, *value; } shadow_opts[] = {
	{ "vfs objects", "shadow_copy2" },
	{ "shadow:snapdir", ".zfs/snapshot" },
	{ "shadow:snapprefix", "^phoenix$" },
	{ "shadow:delimiter", "_" },
	{ "shadow:format", "_%Y-%m-%dT%H%M%SZ" },
	{ "shadow:localtime", "no" },
	{ "shadow:sort", "desc" },
};

static void add_previous_versions(struct samba_config *cfg, const struct ph_ctx *ctx)
{
	if (!ctx->snapshots || !ctx->zfs)
		return;
	for (size_t i = 0; i < cfg->n_shares; i++) {
		struct samba_share *sh = &cfg->shares[i];
		if (sh->outside_zfs || !sh->path)
			continue;
		char *mp = NULL;
		char *rooted = root_path(ctx->root, sh->path);
		const char *ds = zfs_view_dataset_for_path(ctx->zfs, rooted, &mp, NULL);
		bool at_root = ds && mp && !strcmp(mp, rooted);
		free(rooted);
		free(mp);
		if (!at_root || !snap_policy_for(ctx->snapshots, ds))
			continue;
		size_t n = sizeof(shadow_opts) / sizeof(shadow_opts[0]);
		sh->opts = xrealloc(sh->opts, (sh->n_opts + n) * sizeof(*sh->opts));
		for (size_t k = 0; k < n; k++)
			sh->opts[sh->n_opts++] = (struct samba_option){ xstrdup(shadow_opts[k].key),
									xstrdup(shadow_opts[k].value), -1 };
	}
}

static int samba_discover_sub(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	struct samba_priv *sp = priv;
	if (!sp->cfg.present)
		return 0;
	add_previous_versions(&sp->cfg, ctx);
	return samba_discover(&sp->cfg, ctx->root, &sp->st, dl);
}

static void samba_plan_sub(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	struct samba_priv *sp = priv;
	samba_plan_build(ctx->zfs, &ctx->main, &sp->cfg, &sp->st, ctx->samba_password_stdin, p);
	for (size_t i = 0; i < sp->away.n; i++)
		sv_push(&p->elsewhere, sp->away.v[i]);
}

/*
 * The samba member of `status`: smbd, the include line, the user, and per
 * share its state, comparing testparm's view of smb.conf with testparm's view
 * of the desired shares (samba_testparm_shares runs testparm on a temporary
 * copy). Text lines go to text when it is not NULL.
 */
static void samba_status(struct ph_ctx *ctx, void *priv, json_t *out, FILE *text)
{
	struct samba_priv *sp = priv;
	const struct samba_config *cfg = &sp->cfg;
	const struct samba_state *st = &sp->st;
	if (!cfg->present)
		return;
	json_t *o = json_object();
	json_object_set_new(o, "smb_conf", json_string(cfg->smb_conf));
	json_object_set_new(o, "shares_file", json_string(cfg->shares_file));
	json_object_set_new(o, "include", json_boolean(st->include_present));
	json_object_set_new(o, "smbd", json_pack("{s:b, s:I}", "running", st->smbd_running, "pid",
						 (json_int_t)st->smbd_pid));
	if (text) {
		if (st->smbd_running)
			fprintf(text, "samba: smbd running (pid %ld)", st->smbd_pid);
		else
			fprintf(text, "samba: smbd not running");
		fprintf(text, ", %s %s %s\n", cfg->shares_file, st->include_present ? "included by" : "NOT included by",
			cfg->smb_conf);
	}
	if (cfg->user) {
		bool in_passdb = st->passdb_read && samba_state_has_user(st, cfg->user);
		json_object_set_new(o, "user", json_pack("{s:s, s:b, s:b}", "name", cfg->user, "system_user",
							 st->user_exists, "in_passdb", in_passdb));
		if (text)
			fprintf(text, "samba user %s: %s, %s\n", cfg->user,
				st->user_exists ? "system user" : "NOT a system user",
				in_passdb ? "in the Samba passdb" : "NOT in the Samba passdb");
	}
	/* Compare testparm's view of smb.conf with testparm's view of the desired shares. */
	struct smb_doc running = { 0 }, want = { 0 };
	char *run_err = NULL, *want_err = NULL, *run_out = NULL;
	bool have_running = false;
	if (st->smb_conf_found) {
		have_running = !samba_testparm(st->smb_conf, &run_out, &run_err) || (run_out && *run_out);
		if (run_out)
			smbconf_parse(run_out, &running);
	}
	char *content = samba_render_shares(cfg, ctx->root);
	if (content)
		samba_testparm_shares(content, &want, &want_err);
	else
		want_err = xstrdup("the shares cannot be rendered");
	free(content);
	json_t *arr = json_array();
	for (size_t i = 0; i < cfg->n_shares; i++) {
		const struct samba_share *sh = &cfg->shares[i];
		if (!sh->name || !sh->path)
			continue;
		const struct smb_section *cur = have_running ? smbconf_section(&running, sh->name) : NULL;
		const struct smb_section *des = smbconf_section(&want, sh->name);
		const char *state = "missing";
		struct strvec diff = { 0 };
		if (cur && des) {
			for (size_t k = 0; k < des->n_params; k++) {
				if (!strcmp(des->params[k].key, "include"))
					continue;
				const char *v = smb_section_get(cur, des->params[k].key);
				if (!v || strcmp(v, des->params[k].value))
					sv_pushf(&diff, "%s = %s, expected %s", des->params[k].key, v ? v : "(default)",
						 des->params[k].value);
			}
			for (size_t k = 0; k < cur->n_params; k++)
				if (strcmp(cur->params[k].key, "include") && !smb_section_get(des, cur->params[k].key))
					sv_pushf(&diff, "%s = %s, expected (default)", cur->params[k].key,
						 cur->params[k].value);
			state = diff.n ? "drifted" : "defined";
		} else if (cur) {
			state = "defined";
		}
		json_t *so = json_pack("{s:s, s:s, s:s}", "name", sh->name, "path", sh->path, "state", state);
		if (diff.n) {
			json_t *d = json_array();
			for (size_t k = 0; k < diff.n; k++)
				json_array_append_new(d, json_string(diff.v[k]));
			json_object_set_new(so, "differences", d);
		}
		json_array_append_new(arr, so);
		if (text) {
			fprintf(text, "samba share [%s] %s: %s", sh->name, sh->path, state);
			for (size_t k = 0; k < diff.n; k++)
				fprintf(text, "%s%s", k ? "; " : " (", diff.v[k]);
			fprintf(text, "%s\n", diff.n ? ")" : "");
		}
		sv_free(&diff);
	}
	json_object_set_new(o, "shares", arr);
	if (st->smb_conf_found && !have_running && run_err) {
		json_object_set_new(o, "testparm_error", json_string(run_err));
		if (text)
			fprintf(text, "samba: testparm failed on %s: %s\n", cfg->smb_conf, run_err);
	}
	json_object_set_new(out, "samba", o);
	smbconf_doc_free(&running);
	smbconf_doc_free(&want);
	free(run_out);
	free(run_err);
	free(want_err);
}

static void samba_free(void *priv)
{
	struct samba_priv *sp = priv;
	if (!sp)
		return;
	samba_config_free(&sp->cfg);
	samba_state_free(&sp->st);
	sv_free(&sp->away);
	free(sp);
}

/* The ZFS view: sharesmb conflicts, and a share must be on a mounted managed dataset. */
static const char *const needs[] = { "zfs", NULL };

const struct subsystem samba_subsystem = {
	.name = "samba",
	.needs = needs,
	.load = samba_load,
	.discover = samba_discover_sub,
	.plan = samba_plan_sub,
	.status = samba_status,
	.free = samba_free,
};
