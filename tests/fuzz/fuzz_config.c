/*
 * Fuzz target: config loading and validation, the whole of what `validate`
 * reads: the main config and the LXC and VM configs, every subsystem's
 * loader (zfs, dirs, nfs, samba, pve), as run_load does it but from memory.
 *
 * Input: MAIN [NUL LXC [NUL VM]]: the main config, then optionally the LXC
 * and the VM config, separated by NUL bytes (JSON text holds none); an
 * empty part is a config not given.
 * Checks: every diagnostic is one line of printable text (message, hint,
 * JSON path) and names the file it is about with a line and column; and for
 * a config that loads without an error, the files rendered from it read
 * back as the config says: the kernel exports drop-in (path, clients,
 * options), the ganesha include (path, Export_Id, clients, options) and the
 * Samba shares file (share, path, options, valid users) - what validate
 * accepts, the renderers write faithfully.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <strings.h>

#include "engine/run.h"
#include "subsys/table.h"
#include "config/grammar.h"
#include "config/members.h"
#include "config/nfs_config.h"
#include "config/samba_config.h"
#include "plan/nfs_plan.h"
#include "plan/samba_plan.h"
#include "state/nfs_state.h"
#include "state/samba_state.h"

static void check_diags(const struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->v[i];
		FUZZ_CHECK(str_line_ok(d->msg), "diagnostic %zu: message is not one line: %s", i, d->msg);
		FUZZ_CHECK(!d->hint || str_line_ok(d->hint), "diagnostic %zu: hint is not one line: %s", i, d->hint);
		FUZZ_CHECK(!d->jpath || str_line_ok(d->jpath), "diagnostic %zu: path is not one line: %s", i, d->jpath);
		FUZZ_CHECK(d->file && d->line > 0 && d->col >= 0, "diagnostic without a position: %s", d->msg);
	}
}

static void check_dropin(const struct nfs_config *cfg)
{
	char *text = nfs_render_dropin(cfg);
	FUZZ_CHECK(text, "a valid nfs config does not render as an exports drop-in");
	struct nfs_file f = { 0 };
	nfs_parse_exports_file(text, cfg->dropin, &f);
	FUZZ_CHECK(f.n == cfg->n_exports, "%zu exports rendered, %zu read back", cfg->n_exports, f.n);
	for (size_t i = 0; i < f.n; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		fuzz_same_str("exported path", e->path, f.v[i].path);
		FUZZ_CHECK(f.v[i].clients.n == e->clients.n, "%s: clients", e->path);
		char *opts = sv_join(&e->options, ",");
		for (size_t k = 0; k < e->clients.n; k++) {
			fuzz_same_str("client", e->clients.v[k], f.v[i].clients.v[k]);
			fuzz_same_str("client options", opts, f.v[i].opts.v[k]);
		}
		free(opts);
	}
	nfs_file_free(&f);
	free(text);
}

static void check_ganesha(const struct nfs_config *cfg)
{
	long *ids = xcalloc(cfg->n_exports + 1, sizeof(*ids));
	ganesha_assign_ids(cfg, NULL, NULL, ids);
	char *text = ganesha_render_include(cfg, ids);
	FUZZ_CHECK(text, "a valid nfs config does not render as a ganesha include");
	struct ganesha_exports g;
	ganesha_parse_exports(text, &g);
	FUZZ_CHECK(g.n == cfg->n_exports, "%zu exports rendered, %zu blocks read back", cfg->n_exports, g.n);
	for (size_t i = 0; i < g.n; i++) {
		const struct nfs_export *e = &cfg->exports[i];
		fuzz_same_str("ganesha path", e->path, g.v[i].path);
		FUZZ_CHECK(g.v[i].id == ids[i] && ids[i] >= 1 && ids[i] <= 65535, "%s: id %ld written, %ld read", e->path,
			   ids[i], g.v[i].id);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(ids[k] != ids[i], "%s and %s share Export_Id %ld", cfg->exports[k].path, e->path, ids[i]);
		char *c = sv_join(&e->clients, ","), *o = sv_join(&e->options, ",");
		fuzz_same_str("ganesha clients", c, g.v[i].clients);
		fuzz_same_str("ganesha options", o, g.v[i].options);
		free(c);
		free(o);
	}
	ganesha_exports_free(&g);
	free(text);
	free(ids);
}

static void check_shares(const struct samba_config *cfg)
{
	char *text = samba_render_shares(cfg, "");
	FUZZ_CHECK(text, "a valid samba config does not render as a shares file");
	struct smb_doc doc;
	smbconf_parse(text, &doc);
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_shares; i++) {
		const struct samba_share *sh = &cfg->shares[i];
		if (!sh->name || !sh->path)
			continue;
		FUZZ_CHECK(n < doc.n && !strcmp(doc.v[n].name, sh->name), "share '%s' does not read back as a section",
			   sh->name);
		const struct smb_section *s = &doc.v[n++];
		size_t want = 1 + sh->n_opts + (sh->n_valid_users > 0);
		FUZZ_CHECK(s->n_params == want, "share '%s': %zu parameters written, %zu read", sh->name, want, s->n_params);
		fuzz_same_str("share path", sh->path, s->params[0].value);
		for (size_t j = 0; j < sh->n_opts; j++) {
			FUZZ_CHECK(!strcasecmp(sh->opts[j].key, s->params[1 + j].key), "share '%s': parameter '%s' reads as '%s'",
				   sh->name, sh->opts[j].key, s->params[1 + j].key);
			fuzz_same_str("share parameter value", sh->opts[j].value, s->params[1 + j].value);
		}
	}
	FUZZ_CHECK(n == doc.n, "%zu shares written, %zu sections read", n, doc.n);
	smbconf_doc_free(&doc);
	free(text);
}

/* What validate accepts, the renderers write so that it reads back the same. */
static void check_renderers(const struct config_src *src)
{
	struct diag_list dl = { 0 };
	struct nfs_config nc = { 0 };
	FUZZ_CHECK(nfs_config_load(src, &nc, &dl) == 0, "nfs section loads differently the second time");
	if (nc.present && nc.server == NFS_SERVER_KERNEL)
		check_dropin(&nc);
	if (nc.present && nc.server == NFS_SERVER_GANESHA)
		check_ganesha(&nc);
	nfs_config_free(&nc);
	struct samba_config sc = { 0 };
	FUZZ_CHECK(samba_config_load(src, &sc, &dl) == 0, "samba section loads differently the second time");
	if (sc.present)
		check_shares(&sc);
	samba_config_free(&sc);
	diag_list_free(&dl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* MAIN NUL LXC NUL VM: three C strings in one copy. */
	char *buf = malloc(size + 3);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	const char *main_text = buf;
	const char *lxc_text = main_text + strlen(main_text) < buf + size ? main_text + strlen(main_text) + 1 : NULL;
	const char *vm_text = lxc_text && lxc_text + strlen(lxc_text) < buf + size ? lxc_text + strlen(lxc_text) + 1 : NULL;

	/* run_load, from memory: the configs, the one reader of the guests, every front door's load */
	struct ph_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = "";
	ctx.subsystems = &subsystems;
	ctx.priv = xcalloc(subsystems.n, sizeof(*ctx.priv));
	struct diag_list dl = { 0 };
	if (config_src_parse(&ctx.main, "main.json", main_text, &dl) == 0) {
		if (lxc_text && *lxc_text)
			config_src_parse(&ctx.lxc, "lxc.json", lxc_text, &dl);
		if (vm_text && *vm_text)
			config_src_parse(&ctx.vm, "vm.json", vm_text, &dl);
		struct config_sources cs = ctx_sources(&ctx);
		lxc_config_load(&cs, &ctx.guests, &dl);
		for (size_t i = 0; i < subsystems.n; i++)
			subsystems.v[i]->load(&ctx, &ctx.priv[i], &dl);
		config_check_sources(&cs, &dl);
	}
	check_diags(&dl);
	if (diag_count(&dl, DIAG_ERROR) == 0)
		check_renderers(&ctx.main);
	run_free(&ctx);
	diag_list_free(&dl);
	free(buf);
	return 0;
}
