#include "plan/samba_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/samba_apply.h"
#include "config/grammar.h"
#include "plan/dirs_plan.h"
#include "plan/zfs_plan.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define SHARES_HEADER                                                              \
	"# Samba shares managed by phoenix-storage from the samba section of the\n" \
	"# hypervisor config. Do not edit: apply rewrites this file. smb.conf\n"    \
	"# includes it with one \"include =\" line.\n"

/* A value of an smb.conf line: printable, and not ending in '\' (which joins the next line). */
static bool smb_value_ok(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	return n && gram_line_ok(v) && v[n - 1] != '\\';
}

/* Every name and value of share sh fits one smb.conf line (the section name also has no ']'). */
static bool share_renderable(const struct samba_share *sh, const char *real)
{
	if (!smb_value_ok(sh->name) || strchr(sh->name, ']') || !smb_value_ok(real))
		return false;
	for (size_t j = 0; j < sh->n_opts; j++)
		if (!smb_value_ok(sh->opts[j].key) || strchr(sh->opts[j].key, '=') || !smb_value_ok(sh->opts[j].value))
			return false;
	for (size_t j = 0; j < sh->n_valid_users; j++)
		if (!smb_value_ok(sh->valid_users[j]) || strchr(sh->valid_users[j], ','))
			return false;
	return true;
}

char *samba_render_shares(const struct samba_config *cfg, const char *root)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_adds(&sb, SHARES_HEADER);
	for (size_t i = 0; i < cfg->n_shares; i++) {
		const struct samba_share *sh = &cfg->shares[i];
		if (!sh->name || !sh->path)
			continue;
		char *real = root_path(root, sh->path);
		if (!share_renderable(sh, real)) {
			free(real);
			sb_release(&sb);
			return NULL;
		}
		sb_addf(&sb, "\n[%s]\n\tpath = %s\n", sh->name, real);
		free(real);
		for (size_t j = 0; j < sh->n_opts; j++)
			sb_addf(&sb, "\t%s = %s\n", sh->opts[j].key, sh->opts[j].value);
		if (sh->n_valid_users) {
			sb_adds(&sb, "\tvalid users = ");
			for (size_t j = 0; j < sh->n_valid_users; j++)
				sb_addf(&sb, "%s%s", j ? "," : "", sh->valid_users[j]);
			sb_addc(&sb, '\n');
		}
	}
	return sb_detach(&sb);
}

/* Lines "key: old -> new" for parameters that differ between two sections. */
static void section_diff(const struct smb_section *cur, const struct smb_section *want,
			 struct strvec *out)
{
	for (size_t i = 0; i < want->n_params; i++) {
		const char *k = want->params[i].key;
		const char *old = smb_section_get(cur, k);
		if (!old)
			sv_pushf(out, "%s: (unset) -> %s", k, want->params[i].value);
		else if (strcmp(old, want->params[i].value))
			sv_pushf(out, "%s: %s -> %s", k, old, want->params[i].value);
	}
	for (size_t i = 0; i < cur->n_params; i++)
		if (!smb_section_get(want, cur->params[i].key))
			sv_pushf(out, "%s: %s -> (unset)", cur->params[i].key, cur->params[i].value);
}

static void attach(struct action *a, const struct samba_config *cfg, const struct samba_state *st,
		   const char *content, action_fn fn, int depth)
{
	a->depth = depth;
	a->fn = fn;
	a->data = samba_action_data_new(st->smb_conf, st->shares_file, content, cfg->user,
					NULL);
	a->free_data = samba_action_data_free;
}

static bool passdb_lists(const struct samba_state *st, const char *name)
{
	return samba_state_has_user(st, name);
}

void samba_plan_build(const struct ph_ctx *ctx, const struct samba_config *cfg,
		      const struct samba_state *st, struct plan *p)
{
	if (!cfg->present)
		return;
	const struct config_src *src = &ctx->main;
	bool have_shares = cfg->n_shares > 0 || st->shares_found;
	if (!st->smb_conf_found) {
		if (!have_shares && !cfg->user)
			return;
		cfg_diag(&p->diags, src, DIAG_ERROR,
			 json_object_get(json_object_get(src->root, "samba"), "smb_conf") ? "samba.smb_conf" : "samba",
			 "install samba (apt-get install samba) or set samba.smb_conf to its configuration file",
			 "samba configuration '%s' cannot be read: %s", cfg->smb_conf,
			 strerror(st->smb_conf_errno));
		return;
	}
	/* The Samba user: a system user, added to the passdb once. */
	if (cfg->user) {
		if (!st->user_exists) {
			char *hint = xasprintf("create the system user first, e.g. "
					       "useradd --no-create-home --shell /usr/sbin/nologin %s", cfg->user);
			cfg_diag(&p->diags, src, DIAG_ERROR, "samba.user", hint,
				 "samba user '%s' is not a system user", cfg->user);
			free(hint);
		} else if (st->passdb_error) {
			cfg_diag(&p->diags, src, DIAG_ERROR, "samba.user", "check smb.conf with 'testparm -s'",
				 "cannot list Samba users: %s", st->passdb_error);
		} else if (!passdb_lists(st, cfg->user)) {
			bool from_stdin = ctx->samba_password_stdin || ctx->samba_password;
			if (from_stdin) {
				struct action *a = plan_add(p, PHASE_SAMBA, OP_CREATE, "samba", "add-user", cfg->user,
							    "samba user %s (password from stdin)", cfg->user);
				a->fn = samba_apply_user;
				a->data = samba_action_data_new(st->smb_conf, st->shares_file, NULL, cfg->user, NULL);
				a->free_data = samba_action_data_free;
			} else if (!cfg->password_file) {
				cfg_diag(&p->diags, src, DIAG_ERROR, "samba.user",
					 "write the password to a file only root can read (chmod 600) and set "
					 "samba.password_file (it is read only to add the user), or pass it on stdin "
					 "with --samba-password-stdin",
					 "samba user '%s' has no Samba password yet and samba.password_file is not set",
					 cfg->user);
			} else if (st->password_file_errno) {
				cfg_diag(&p->diags, src, DIAG_ERROR, "samba.password_file",
					 "write the Samba password on the first line of that file (chmod 600)",
					 "cannot read password file '%s': %s", cfg->password_file,
					 strerror(st->password_file_errno));
			} else {
				if (st->password_file_mode & 077) {
					char *hint = xasprintf("chmod 600 %s", cfg->password_file);
					cfg_diag(&p->diags, src, DIAG_WARNING, "samba.password_file", hint,
						 "password file '%s' can be read by other users (mode %04o)",
						 cfg->password_file, st->password_file_mode);
					free(hint);
				}
				struct action *a = plan_add(p, PHASE_SAMBA, OP_CREATE, "samba", "add-user", cfg->user,
							    "samba user %s (password from %s)", cfg->user,
							    cfg->password_file);
				a->depth = 0;
				a->fn = samba_apply_user;
				char *pf = root_path(ctx->root, cfg->password_file);
				a->data = samba_action_data_new(st->smb_conf, st->shares_file, NULL, cfg->user, pf);
				a->free_data = samba_action_data_free;
				free(pf);
			}
		}
	}
	for (size_t i = 0; i < st->unknown_valid_users.n; i++)
		cfg_diag(&p->diags, src, DIAG_WARNING, "samba.shares",
			 "create it on this host, or Samba will never let it in",
			 "valid user '%s' is not a system user or group", st->unknown_valid_users.v[i]);
	/* Per share: not also written by hand, and on a mounted managed dataset. */
	for (size_t i = 0; i < cfg->n_shares; i++) {
		const struct samba_share *sh = &cfg->shares[i];
		if (!sh->name || !sh->path)
			continue;
		char *jp = xasprintf("%s.name", sh->jpath);
		if (smbconf_section(&st->conf_doc, sh->name)) {
			char *hint = xasprintf("remove the hand-written [%s] section from smb.conf, or rename the share",
					       sh->name);
			cfg_diag(&p->diags, src, DIAG_ERROR, jp, hint, "share [%s] is also defined in '%s'",
				 sh->name, cfg->smb_conf);
			free(hint);
		}
		free(jp);
		for (size_t j = 0; j < sh->n_valid_users; j++) {
			const char *u = sh->valid_users[j];
			if (st->passdb_read && u[0] != '@' && u[0] != '+' && u[0] != '&' && !passdb_lists(st, u) &&
			    !(cfg->user && !strcmp(u, cfg->user))) {
				char *up = xasprintf("%s.valid_users[%zu]", sh->jpath, j);
				char *hint = xasprintf("add it with 'smbpasswd -a %s'", u);
				cfg_diag(&p->diags, src, DIAG_WARNING, up, hint,
					 "valid user '%s' of share [%s] has no Samba password", u, sh->name);
				free(hint);
				free(up);
			}
		}
		if (sh->outside_zfs)
			continue;
		const char *ds;
		char *msg, *hint;
		if (dirs_mount_check(ctx, sh->path, "share path", &ds, &msg, &hint)) {
			char *pp = xasprintf("%s.path", sh->jpath);
			char *h = xasprintf("%s; or mark the share \"outside_zfs\": true", hint);
			cfg_diag(&p->diags, src, DIAG_ERROR, pp, strstr(hint, "outside_zfs") ? hint : h, "%s", msg);
			free(h);
			free(pp);
			free(msg);
			free(hint);
		}
	}
	/* The shares file. */
	char *content = samba_render_shares(cfg, ctx->root);
	if (!content) {
		char *m = xasprintf("refusing to write '%s': a share name, path, option or user is not one "
				    "line of printable text", cfg->shares_file);
		cfg_diag(&p->diags, src, DIAG_ERROR, "samba.shares",
			 "fix the share in the config: validate should have refused it", "%s", m);
		free(m);
		return;
	}
	bool changed = st->shares_found ? strcmp(st->shares_text, content) != 0 : cfg->n_shares > 0;
	struct action *last = NULL;
	if (changed) {
		struct smb_doc want;
		smbconf_parse(content, &want);
		size_t before = p->n;
		for (size_t i = 0; i < cfg->n_shares; i++) {
			const struct samba_share *sh = &cfg->shares[i];
			if (!sh->name || !sh->path)
				continue;
			const struct smb_section *cur = smbconf_section(&st->shares_doc, sh->name);
			const struct smb_section *des = smbconf_section(&want, sh->name);
			char *sum = samba_share_summary(sh);
			if (!cur) {
				last = plan_add(p, PHASE_SAMBA, OP_CREATE, "samba", "add-share", sh->name,
						"samba share [%s] %s%s%s%s", sh->name, sh->path, *sum ? " (" : "", sum,
						*sum ? ")" : "");
				attach(last, cfg, st, content, samba_apply_shares, 1);
			} else {
				struct strvec diff = { 0 };
				section_diff(cur, des, &diff);
				if (diff.n || strcmp(cur->name, des->name)) {
					last = plan_add(p, PHASE_SAMBA, OP_CHANGE, "samba", "change-share", sh->name,
							"samba share [%s] %s%s%s%s", sh->name, sh->path, *sum ? " (" : "",
							sum, *sum ? ")" : "");
					for (size_t k = 0; k < diff.n; k++)
						sv_push(&last->details, diff.v[k]);
					attach(last, cfg, st, content, samba_apply_shares, 1);
				}
				sv_free(&diff);
			}
			free(sum);
		}
		for (size_t i = 0; i < st->shares_doc.n; i++) {
			const struct smb_section *cur = &st->shares_doc.v[i];
			if (smbconf_section(&want, cur->name))
				continue;
			const char *path = smb_section_get(cur, "path");
			char *shown = path ? dirs_shown_path(ctx, path) : NULL;
			last = plan_add(p, PHASE_SAMBA, OP_REMOVE, "samba", "remove-share", cur->name,
					"samba share [%s]%s%s (no longer in the config)", cur->name, shown ? " " : "",
					shown ? shown : "");
			free(shown);
			attach(last, cfg, st, content, samba_apply_shares, 1);
		}
		if (p->n == before) {
			last = plan_add(p, PHASE_SAMBA, OP_CHANGE, "samba", "rewrite-shares", cfg->shares_file,
					"samba rewrite %s (edited by hand)", cfg->shares_file);
			attach(last, cfg, st, content, samba_apply_shares, 1);
		}
		smbconf_doc_free(&want);
	}
	bool add_include = !st->include_present && (cfg->n_shares > 0 || st->shares_found);
	if (add_include) {
		if (st->smb_conf_is_link)
			cfg_diag(&p->diags, src, DIAG_ERROR,
				 json_object_get(json_object_get(src->root, "samba"), "smb_conf") ? "samba.smb_conf"
												 : "samba",
				 "set samba.smb_conf to the file the link points to",
				 "'%s' is a symbolic link; the include line will not be written through it",
				 cfg->smb_conf);
		last = plan_add(p, PHASE_SAMBA, OP_CREATE, "samba", "include", cfg->smb_conf,
				"samba include %s in %s", cfg->shares_file, cfg->smb_conf);
		attach(last, cfg, st, content, samba_apply_include, 2);
	}
	if (changed || add_include) {
		if (st->smbd_running) {
			struct action *a = plan_add(p, PHASE_SAMBA, OP_CHANGE, "samba", "reload", "smbd",
						    "samba reload smbd (pid %ld)", st->smbd_pid);
			a->depth = 3;
			struct strvec argv = { 0 };
			sv_push(&argv, "smbcontrol");
			sv_push(&argv, "-s");
			sv_push(&argv, st->smb_conf);
			sv_push(&argv, "smbd");
			sv_push(&argv, "reload-config");
			action_add_cmd(a, &argv);
		} else if (last) {
			sv_push(&last->details, "smbd is not running: the shares take effect when it starts");
		}
	}
	free(content);
}

/* ---- status ---- */

/* testparm's view of the desired shares: the rendered file included from a temporary smb.conf. */
static int testparm_desired(const char *content, struct smb_doc *doc, char **err)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/phoenix-samba.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		*err = xasprintf("cannot create a temporary directory: %s", strerror(errno));
		free(dir);
		return -1;
	}
	char *cand = xasprintf("%s/phoenix-shares.conf", dir);
	char *conf = xasprintf("%s/smb.conf", dir);
	char *conf_text = xasprintf("[global]\n\tinclude = %s\n", cand);
	int rc = -1;
	char *out = NULL;
	*err = NULL;
	if (!write_file_atomic(cand, content, strlen(content), 0600) &&
	    !write_file_atomic(conf, conf_text, strlen(conf_text), 0600)) {
		rc = samba_testparm(conf, &out, err);
		smbconf_parse(out, doc);
	} else {
		*err = xstrdup("cannot write temporary files");
	}
	free(out);
	unlink(cand);
	unlink(conf);
	rmdir(dir);
	free(cand);
	free(conf);
	free(conf_text);
	free(dir);
	return rc;
}

struct samba_priv {
	struct samba_config cfg;
	struct samba_state st;
};

static int samba_load(struct ph_ctx *ctx, void **priv, struct diag_list *dl)
{
	struct samba_priv *sp = xcalloc(1, sizeof(*sp));
	*priv = sp;
	int rc = samba_config_load(&ctx->main, &sp->cfg, dl);
	for (size_t i = 0; i < sp->cfg.n_shares; i++) {
		const struct samba_share *sh = &sp->cfg.shares[i];
		const char *ds = NULL;
		const struct zcfg_prop *pr = sh->path ? zfs_config_shares_path(ctx, "sharesmb", sh->path, &ds) : NULL;
		if (!pr)
			continue;
		char *hint = xasprintf("remove sharesmb from dataset '%s': %s manages this share", ds, sh->jpath);
		cfg_diag(dl, &ctx->main, DIAG_ERROR, pr->jpath, hint,
			 "dataset '%s' shares '%s' through sharesmb, and %s shares it too", ds, sh->path, sh->jpath);
		free(hint);
		rc = -1;
	}
	return rc;
}

static int samba_discover_sub(struct ph_ctx *ctx, void *priv, struct diag_list *dl)
{
	struct samba_priv *sp = priv;
	if (!sp->cfg.present)
		return 0;
	return samba_discover(&sp->cfg, ctx->root, &sp->st, dl);
}

static void samba_plan_sub(struct ph_ctx *ctx, void *priv, struct plan *p)
{
	struct samba_priv *sp = priv;
	samba_plan_build(ctx, &sp->cfg, &sp->st, p);
}

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
		testparm_desired(content, &want, &want_err);
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
	free(sp);
}

const struct subsystem samba_subsystem = {
	.name = "samba",
	.load = samba_load,
	.discover = samba_discover_sub,
	.plan = samba_plan_sub,
	.status = samba_status,
	.free = samba_free,
};
