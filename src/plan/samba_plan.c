#include "plan/samba_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/dirs_plan.h"
#include "util/fs.h"
#include "util/str.h"
#include "util/strbuf.h"

struct samba_action_data *samba_action_data_new(const char *smb_conf, const char *shares_file,
						const char *content, const char *user,
						const char *password_file)
{
	struct samba_action_data *d = xcalloc(1, sizeof(*d));
	d->smb_conf = smb_conf ? xstrdup(smb_conf) : NULL;
	d->shares_file = shares_file ? xstrdup(shares_file) : NULL;
	d->content = content ? xstrdup(content) : NULL;
	d->user = user ? xstrdup(user) : NULL;
	d->password_file = password_file ? xstrdup(password_file) : NULL;
	return d;
}

void samba_action_data_free(void *data)
{
	struct samba_action_data *d = data;
	if (!d)
		return;
	free(d->smb_conf);
	free(d->shares_file);
	free(d->content);
	free(d->user);
	free(d->password_file);
	free(d);
}

#define SHARES_HEADER                                                              \
	"# Samba shares managed by phoenix-storage from the samba section of the\n" \
	"# hypervisor config. Do not edit: apply rewrites this file. smb.conf\n"    \
	"# includes it with one \"include =\" line.\n"

/* Every name and value of share sh fits one smb.conf line (the section name also has no ']'). */
static bool share_renderable(const struct samba_share *sh, const char *real)
{
	if (!smbconf_value_ok(sh->name) || strchr(sh->name, ']') || !smbconf_value_ok(real))
		return false;
	for (size_t j = 0; j < sh->n_opts; j++)
		if (!smbconf_value_ok(sh->opts[j].key) || strchr(sh->opts[j].key, '=') || !smbconf_value_ok(sh->opts[j].value))
			return false;
	for (size_t j = 0; j < sh->n_valid_users; j++)
		if (!smbconf_value_ok(sh->valid_users[j]) || strchr(sh->valid_users[j], ','))
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

/* Gives a the executor x and the paths, shares text and user it needs. */
static void attach(struct action *a, const struct samba_config *cfg, const struct samba_state *st,
		   const char *content, enum action_executor x, int depth)
{
	a->depth = depth;
	action_set_executor(a, x, samba_action_data_new(st->smb_conf, st->shares_file, content, cfg->user, NULL),
			    samba_action_data_free);
}

static bool passdb_lists(const struct samba_state *st, const char *name)
{
	return samba_state_has_user(st, name);
}

/* The JSON path where smb.conf is named: samba.smb_conf when the config sets it, else samba. */
static const char *smb_conf_jpath(const struct config_src *src)
{
	return json_object_get(json_object_get(src->root, "samba"), "smb_conf") ? "samba.smb_conf" : "samba";
}

/* The Samba user: a system user, added to the passdb once, with a password from stdin or samba.password_file. */
static void plan_user(const struct zfs_view *v, const struct config_src *src, const struct samba_config *cfg,
		      const struct samba_state *st, bool password_on_stdin, struct plan *p)
{
	if (!cfg->user)
		return;
	if (!st->user_exists) {
		char *hint = xasprintf("create the system user first, e.g. "
				       "useradd --no-create-home --shell /usr/sbin/nologin %s", cfg->user);
		cfg_diag(&p->diags, src, DIAG_ERROR, "samba.user", hint, "samba user '%s' is not a system user", cfg->user);
		free(hint);
		return;
	}
	if (st->passdb_error) {
		cfg_diag(&p->diags, src, DIAG_ERROR, "samba.user", "check smb.conf with 'testparm -s'",
			 "cannot list Samba users: %s", st->passdb_error);
		return;
	}
	if (passdb_lists(st, cfg->user))
		return;
	if (password_on_stdin) {
		struct action *a = plan_add(p, PHASE_SAMBA, OP_CREATE, "samba", "add-user", cfg->user,
					    "samba user %s (password from stdin)", cfg->user);
		action_set_executor(a, AX_SAMBA_USER, samba_action_data_new(st->smb_conf, st->shares_file, NULL, cfg->user, NULL),
				    samba_action_data_free);
		return;
	}
	if (!cfg->password_file) {
		cfg_diag(&p->diags, src, DIAG_ERROR, "samba.user",
			 "write the password to a file only root can read (chmod 600) and set "
			 "samba.password_file (it is read only to add the user), or pass it on stdin "
			 "with --samba-password-stdin",
			 "samba user '%s' has no Samba password yet and samba.password_file is not set", cfg->user);
		return;
	}
	if (st->password_file_errno) {
		cfg_diag(&p->diags, src, DIAG_ERROR, "samba.password_file",
			 "write the Samba password on the first line of that file (chmod 600)",
			 "cannot read password file '%s': %s", cfg->password_file, strerror(st->password_file_errno));
		return;
	}
	if (st->password_file_mode & 077) {
		char *hint = xasprintf("chmod 600 %s", cfg->password_file);
		cfg_diag(&p->diags, src, DIAG_WARNING, "samba.password_file", hint,
			 "password file '%s' can be read by other users (mode %04o)", cfg->password_file,
			 st->password_file_mode);
		free(hint);
	}
	struct action *a = plan_add(p, PHASE_SAMBA, OP_CREATE, "samba", "add-user", cfg->user,
				    "samba user %s (password from %s)", cfg->user, cfg->password_file);
	char *pf = root_path(v->root, cfg->password_file);
	action_set_executor(a, AX_SAMBA_USER, samba_action_data_new(st->smb_conf, st->shares_file, NULL, cfg->user, pf),
			    samba_action_data_free);
	free(pf);
}

/* Per share: not also written by hand in smb.conf, its users known to Samba, its path on a mounted managed dataset. */
static void check_share(const struct zfs_view *v, const struct config_src *src, const struct samba_config *cfg,
			const struct samba_state *st, const struct samba_share *sh, struct plan *p)
{
	if (smbconf_section(&st->conf_doc, sh->name)) {
		char *jp = xasprintf("%s.name", sh->jpath);
		char *hint = xasprintf("remove the hand-written [%s] section from smb.conf, or rename the share", sh->name);
		cfg_diag(&p->diags, src, DIAG_ERROR, jp, hint, "share [%s] is also defined in '%s'", sh->name, cfg->smb_conf);
		free(hint);
		free(jp);
	}
	for (size_t j = 0; j < sh->n_valid_users; j++) {
		const char *u = sh->valid_users[j];
		if (st->passdb_read && u[0] != '@' && u[0] != '+' && u[0] != '&' && !passdb_lists(st, u) &&
		    !(cfg->user && !strcmp(u, cfg->user))) {
			char *up = xasprintf("%s.valid_users[%zu]", sh->jpath, j);
			char *hint = xasprintf("add it with 'smbpasswd -a %s'", u);
			cfg_diag(&p->diags, src, DIAG_WARNING, up, hint, "valid user '%s' of share [%s] has no Samba password",
				 u, sh->name);
			free(hint);
			free(up);
		}
	}
	if (sh->outside_zfs)
		return;
	const char *ds;
	char *msg, *hint;
	if (dirs_mount_check(v, sh->path, "share path", &ds, &msg, &hint)) {
		char *pp = xasprintf("%s.path", sh->jpath);
		char *h = xasprintf("%s; or mark the share \"outside_zfs\": true", hint);
		cfg_diag(&p->diags, src, DIAG_ERROR, pp, strstr(hint, "outside_zfs") ? hint : h, "%s", msg);
		free(h);
		free(pp);
		free(msg);
		free(hint);
	}
}

/*
 * The shares file differs from content (the rendered desired file): one
 * action per share added, changed or dropped, each writing the whole file
 * (the first that runs writes it; the others find it written), or one
 * rewrite when only hand edits differ. Returns the last action added.
 */
static struct action *plan_shares_file(const struct zfs_view *v, const struct samba_config *cfg,
				       const struct samba_state *st, const char *content, struct plan *p)
{
	struct action *last = NULL;
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
			last = plan_add(p, PHASE_SAMBA, OP_CREATE, "samba", "add-share", sh->name, "samba share [%s] %s%s%s%s",
					sh->name, sh->path, *sum ? " (" : "", sum, *sum ? ")" : "");
			attach(last, cfg, st, content, AX_SAMBA_SHARES, 1);
		} else {
			struct strvec diff = { 0 };
			section_diff(cur, des, &diff);
			if (diff.n || strcmp(cur->name, des->name)) {
				last = plan_add(p, PHASE_SAMBA, OP_CHANGE, "samba", "change-share", sh->name,
						"samba share [%s] %s%s%s%s", sh->name, sh->path, *sum ? " (" : "", sum,
						*sum ? ")" : "");
				for (size_t k = 0; k < diff.n; k++)
					sv_push(&last->details, diff.v[k]);
				attach(last, cfg, st, content, AX_SAMBA_SHARES, 1);
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
		char *shown = path ? root_strip(v->root, path) : NULL;
		last = plan_add(p, PHASE_SAMBA, OP_REMOVE, "samba", "remove-share", cur->name,
				"samba share [%s]%s%s (no longer in the config)", cur->name, shown ? " " : "", shown ? shown : "");
		free(shown);
		attach(last, cfg, st, content, AX_SAMBA_SHARES, 1);
	}
	if (p->n == before) {
		last = plan_add(p, PHASE_SAMBA, OP_CHANGE, "samba", "rewrite-shares", cfg->shares_file,
				"samba rewrite %s (edited by hand)", cfg->shares_file);
		attach(last, cfg, st, content, AX_SAMBA_SHARES, 1);
	}
	smbconf_doc_free(&want);
	return last;
}

/* After a change: smbd rereads its config (smbcontrol reload-config), or last says when it will. */
static void plan_reload(const struct samba_state *st, struct action *last, struct plan *p)
{
	if (!st->smbd_running) {
		if (last)
			sv_push(&last->details, "smbd is not running: the shares take effect when it starts");
		return;
	}
	struct action *a = plan_add(p, PHASE_SAMBA, OP_CHANGE, "samba", "reload", "smbd", "samba reload smbd (pid %ld)",
				    st->smbd_pid);
	a->depth = 3;
	struct strvec argv = { 0 };
	sv_push(&argv, "smbcontrol");
	sv_push(&argv, "-s");
	sv_push(&argv, st->smb_conf);
	sv_push(&argv, "smbd");
	sv_push(&argv, "reload-config");
	action_add_cmd(a, &argv);
}

/*
 * In named steps: smb.conf must be readable; the Samba user; each share's
 * checks; the shares file (refused when it cannot be rendered); the include
 * line in smb.conf; the reload when anything changed.
 */
void samba_plan_build(const struct zfs_view *v, const struct config_src *src, const struct samba_config *cfg,
		      const struct samba_state *st, bool password_on_stdin, struct plan *p)
{
	if (!cfg->present)
		return;
	if (!st->smb_conf_found) {
		if (cfg->n_shares > 0 || st->shares_found || cfg->user)
			cfg_diag(&p->diags, src, DIAG_ERROR, smb_conf_jpath(src),
				 "install samba (apt-get install samba) or set samba.smb_conf to its configuration file",
				 "samba configuration '%s' cannot be read: %s", cfg->smb_conf, strerror(st->smb_conf_errno));
		return;
	}
	plan_user(v, src, cfg, st, password_on_stdin, p);
	for (size_t i = 0; i < st->unknown_valid_users.n; i++)
		cfg_diag(&p->diags, src, DIAG_WARNING, "samba.shares", "create it on this host, or Samba will never let it in",
			 "valid user '%s' is not a system user or group", st->unknown_valid_users.v[i]);
	for (size_t i = 0; i < cfg->n_shares; i++)
		if (cfg->shares[i].name && cfg->shares[i].path)
			check_share(v, src, cfg, st, &cfg->shares[i], p);
	char *content = samba_render_shares(cfg, v->root);
	if (!content) {
		char *m = xasprintf("refusing to write '%s': a share name, path, option or user is not one "
				    "line of printable text", cfg->shares_file);
		cfg_diag(&p->diags, src, DIAG_ERROR, "samba.shares",
			 "fix the share in the config: validate should have refused it", "%s", m);
		free(m);
		return;
	}
	bool changed = st->shares_found ? strcmp(st->shares_text, content) != 0 : cfg->n_shares > 0;
	struct action *last = changed ? plan_shares_file(v, cfg, st, content, p) : NULL;
	bool add_include = !st->include_present && (cfg->n_shares > 0 || st->shares_found);
	if (add_include) {
		if (st->smb_conf_is_link)
			cfg_diag(&p->diags, src, DIAG_ERROR, smb_conf_jpath(src),
				 "set samba.smb_conf to the file the link points to",
				 "'%s' is a symbolic link; the include line will not be written through it", cfg->smb_conf);
		last = plan_add(p, PHASE_SAMBA, OP_CREATE, "samba", "include", cfg->smb_conf, "samba include %s in %s",
				cfg->shares_file, cfg->smb_conf);
		attach(last, cfg, st, content, AX_SAMBA_INCLUDE, 2);
	}
	if (changed || add_include)
		plan_reload(st, last, p);
	free(content);
}
