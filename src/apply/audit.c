#include "apply/audit.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/sha256.h"
#include "util/strbuf.h"

void audit_init(struct audit *a)
{
	*a = (struct audit){ .actions = json_array() };
}

void audit_free(struct audit *a)
{
	json_decref(a->actions);
	free(a->config);
	*a = (struct audit){ 0 };
}

static const char *first_error(const struct diag_list *dl)
{
	for (size_t i = 0; dl && i < dl->n; i++)
		if (dl->v[i].level == DIAG_ERROR)
			return dl->v[i].msg;
	return NULL;
}

void audit_config(struct audit *a, const struct config_src *cfg)
{
	if (a->config || !cfg || !cfg->path)
		return;
	char abs[PATH_MAX];
	a->config = xstrdup(realpath(cfg->path, abs) ? abs : cfg->path);
	sha256_hex(cfg->text ? cfg->text : "", cfg->text ? cfg->len : 0, a->config_sha256);
}

json_t *audit_add(struct audit *a, char op, const char *subsystem, const char *kind, const char *target,
		  const char *summary, bool destructive, const char *result)
{
	char ops[2] = { op, 0 };
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "op", ops, "subsystem", subsystem, "kind", kind,
			      "target", target, "summary", summary, "destructive", destructive, "result", result);
	json_array_append_new(a->actions, j);
	return j;
}

void audit_add_plan(struct audit *a, const struct config_src *cfg, const struct plan *p, size_t done,
		    bool failed, const struct diag_list *errors)
{
	audit_config(a, cfg);
	for (size_t i = 0; i < p->n; i++) {
		const struct action *x = &p->v[i];
		const char *result = i < done ? "done" : failed && i == done ? "failed" : "not run";
		json_t *j = audit_add(a, x->op, x->subsystem, x->kind, x->target, x->summary, x->destructive, result);
		if (failed && i == done) {
			const char *e = first_error(errors);
			json_object_set_new(j, "error", e ? json_string(e) : json_null());
		}
	}
	a->failed |= failed;
}

/* "2026-12-02T02:30:00Z" of now. */
static void utc_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *record(const struct audit *a, const char *command)
{
	char when[32];
	utc_now(when);
	char node[256] = "";
	if (gethostname(node, sizeof(node) - 1))
		node[0] = '\0';
	uid_t uid = getuid();
	struct passwd *pw = getpwuid(uid);
	const char *sudo = getenv("SUDO_USER");
	json_t *r = json_object();
	json_object_set_new(r, "time", json_string(when));
	json_object_set_new(r, "command", json_string(command));
	json_object_set_new(r, "user", pw ? json_string(pw->pw_name) : json_null());
	json_object_set_new(r, "uid", json_integer(uid));
	json_object_set_new(r, "sudo_user", sudo && *sudo ? json_string(sudo) : json_null());
	json_object_set_new(r, "node", json_string(node));
	json_object_set_new(r, "config", a->config ? json_string(a->config) : json_null());
	json_object_set_new(r, "config_sha256", a->config_sha256[0] ? json_string(a->config_sha256) : json_null());
	json_object_set_new(r, "result", json_string(a->failed ? "failed" : "ok"));
	json_object_set(r, "actions", a->actions);
	return r;
}

int audit_write(const struct audit *a, const char *root, const char *command, struct diag_list *dl)
{
	if (!json_array_size(a->actions))
		return 0;
	json_t *r = record(a, command);
	/* compact: one record is one line (strings with a newline are escaped) */
	char *line = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(r);
	char *path = root_path(root, AUDIT_LOG);
	int rc = -ENOMEM;
	if (line) {
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s\n", line);
		rc = fs_append_record(path, sb.buf, sb.len, 0640);
		sb_release(&sb);
	}
	if (rc)
		diag_add(dl, DIAG_WARNING, path, 0, 0, NULL, "check that the directory is writable; the changes above were made",
			 "could not record this apply in the audit trail: %s", strerror(-rc));
	free(line);
	free(path);
	return rc ? -1 : 0;
}

int audit_read(const char *root, json_t **entries, struct diag_list *dl)
{
	char *path = root_path(root, AUDIT_LOG);
	char *data = NULL;
	size_t len = 0;
	*entries = NULL;
	int rc = read_file(path, &data, &len);
	if (rc == -ENOENT) {
		*entries = json_array();
		free(path);
		return 0;
	}
	if (rc) {
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, NULL, "cannot read the audit trail: %s", strerror(-rc));
		free(path);
		return -1;
	}
	*entries = json_array();
	int line = 0;
	for (char *s = data, *nl; s < data + len; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(data + len - s));
		if (!nl)
			nl = data + len;
		line++;
		if (nl == s)
			continue;
		json_t *j = json_loadb(s, (size_t)(nl - s), 0, NULL);
		if (json_is_object(j))
			json_array_append_new(*entries, j);
		else {
			json_decref(j);
			diag_add(dl, DIAG_WARNING, path, line, 1, NULL, NULL, "not an audit record (skipped)");
		}
	}
	free(data);
	free(path);
	return 0;
}
