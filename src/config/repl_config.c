#include "config/repl_config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/grammar.h"
#include "config/members.h"
#include "util/strbuf.h"

static const char *const job_members[] = { "source", "target", "schedule_minutes", "policy", "rate_mb", NULL };
static const char *const target_members[] = { "node", "dataset", NULL };

void repl_job_id(const char *node, const char *target, char *out)
{
	uint64_t h = 1469598103934665603ULL;
	char *text = xasprintf("%s:%s", node ? node : "", target);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	free(text);
	snprintf(out, REPL_ID_LEN + 1, "%08llx", (unsigned long long)(h >> 32));
}

/* Why a full dataset name ("pool/a/b") is no dataset name, or NULL. need_child: a pool alone is not enough. */
static const char *full_name_problem(const char *s, bool need_child)
{
	if (strstr(s, "//"))
		return "contains an empty component ('//')";
	const char *slash = strchr(s, '/');
	char *pool = slash ? xstrndup(s, (size_t)(slash - s)) : xstrdup(s);
	const char *why = gram_check(GRAM_ZFS_POOL, pool, NULL);
	free(pool);
	if (!why && slash)
		why = gram_check(GRAM_ZFS_DATASET, slash + 1, NULL);
	if (!why && !slash && need_child)
		why = "is a pool: name a dataset in it (POOL/NAME)";
	return why;
}

static const char *node_name_problem(const char *s)
{
	if (!*s)
		return "is empty";
	if (strlen(s) > 63)
		return "is longer than 63 characters";
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return "may contain only letters, digits and '-'";
	if (*s == '-')
		return "must not start with '-'";
	return NULL;
}

static void parse_nodes(const struct config_src *src, json_t *root, struct repl_config *cfg, struct diag_list *dl)
{
	json_t *cl = cfg_get_object(src, root, "", "cluster", false, dl);
	if (!cl)
		return;
	cfg_reject_unknown(src, cl, "cluster", (const char *const[]){ "nodes", NULL }, "cluster", dl);
	json_t *nodes = cfg_get_object(src, cl, "cluster", "nodes", false, dl);
	if (!nodes)
		return;
	cfg->nodes = xcalloc(json_object_size(nodes) + 1, sizeof(*cfg->nodes));
	const char *name;
	json_t *nj;
	json_object_foreach(nodes, name, nj) {
		char *jp = xasprintf("cluster.nodes.%s", name);
		const char *why = node_name_problem(name);
		if (why) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "use the node's host name, e.g. \"pve1\"", "node name '%s' %s",
				 name, why);
			free(jp);
			continue;
		}
		if (!json_is_object(nj)) {
			cfg_diag(dl, src, DIAG_ERROR, jp, "write { \"address\": \"10.0.0.13\" }", "a node must be an object");
			free(jp);
			continue;
		}
		cfg_reject_unknown(src, nj, jp, (const char *const[]){ "address", NULL }, "a node", dl);
		const char *addr = cfg_get_string(src, nj, jp, "address", true, dl);
		const char *h = NULL;
		const char *awhy = addr ? gram_check(GRAM_HOST, addr, &h) : NULL;
		if (addr && awhy) {
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "address", h ? h : "give an IP address or a host name",
				    "address '%s' %s", addr, awhy);
			addr = NULL;
		}
		if (!addr) {
			free(jp);
			continue;
		}
		struct repl_node *n = &cfg->nodes[cfg->n_nodes++];
		n->name = xstrdup(name);
		n->address = xstrdup(addr);
		n->jpath = jp;
	}
}

const struct repl_node *repl_config_node(const struct repl_config *cfg, const char *name)
{
	for (size_t i = 0; name && i < cfg->n_nodes; i++)
		if (!strcmp(cfg->nodes[i].name, name))
			return &cfg->nodes[i];
	return NULL;
}

/* A dataset name member at jpath.key, checked; NULL after an error. */
static const char *dataset_member(const struct config_src *src, json_t *obj, const char *jpath, const char *key,
				  bool need_child, struct diag_list *dl)
{
	const char *s = cfg_get_string(src, obj, jpath, key, true, dl);
	const char *why = s ? full_name_problem(s, need_child) : NULL;
	if (why) {
		cfg_diag_at(dl, src, DIAG_ERROR, jpath, key, "give the full dataset name, POOL/NAME",
			    "dataset name '%s' %s", s, why);
		return NULL;
	}
	return s;
}

static bool below_or_same(const char *a, const char *b)
{
	size_t n = strlen(b);
	return !strncmp(a, b, n) && (a[n] == '\0' || a[n] == '/');
}

static void parse_job(const struct config_src *src, json_t *jj, size_t i, const struct snap_config *snap,
		      struct repl_config *cfg, struct diag_list *dl)
{
	char *jp = xasprintf("zfs.replication[%zu]", i);
	size_t errors = diag_count(dl, DIAG_ERROR);
	if (!json_is_object(jj)) {
		cfg_diag(dl, src, DIAG_ERROR, jp, "write { \"source\": \"POOL/NAME\", \"target\": \"POOL/NAME\" }",
			 "a replication must be an object");
		free(jp);
		return;
	}
	cfg_reject_unknown(src, jj, jp, job_members, "a replication", dl);
	const char *source = dataset_member(src, jj, jp, "source", false, dl);
	const char *target = NULL, *node = NULL;
	bool remote = false;
	json_t *tj = json_object_get(jj, "target");
	if (json_is_object(tj)) {
		char *tp = xasprintf("%s.target", jp);
		cfg_reject_unknown(src, tj, tp, target_members, "a replication target", dl);
		node = cfg_get_string(src, tj, tp, "node", true, dl);
		remote = true;
		target = dataset_member(src, tj, tp, "dataset", true, dl);
		if (node && !repl_config_node(cfg, node)) {
			struct strbuf sb = STRBUF_INIT;
			sb_init(&sb);
			for (size_t k = 0; k < cfg->n_nodes; k++)
				sb_addf(&sb, "%s'%s'", k ? ", " : "", cfg->nodes[k].name);
			char *hint = xasprintf("define it in cluster.nodes or use one of: %s",
					       cfg->n_nodes ? sb_str(&sb) : "(no nodes defined)");
			cfg_diag_at(dl, src, DIAG_ERROR, tp, "node", hint, "unknown node '%s'", node);
			free(hint);
			sb_release(&sb);
			node = NULL;
		}
		free(tp);
	} else if (tj && !json_is_string(tj)) {
		cfg_diag_at(dl, src, DIAG_ERROR, jp, "target",
			    "write \"POOL/NAME\", or { \"node\": \"pve2\", \"dataset\": \"POOL/NAME\" }",
			    "a replication target must be a dataset name or an object");
	} else {
		target = dataset_member(src, jj, jp, "target", true, dl);
	}
	if (source && target && !remote && (below_or_same(source, target) || below_or_same(target, source)))
		cfg_diag_at(dl, src, DIAG_ERROR, jp, "target", "replicate to a dataset outside the source",
			    "target '%s' is the source '%s', or lies above or below it", target, source);
	struct repl_job j = { .schedule_minutes = REPL_SCHEDULE_DEFAULT };
	cfg_get_uint(src, jj, jp, "schedule_minutes", 1, REPL_SCHEDULE_MAX,
		     "minutes between two replications, e.g. 15", &j.schedule_minutes, dl);
	cfg_get_uint(src, jj, jp, "rate_mb", 1, REPL_RATE_MAX, "a bandwidth limit in MB/s, e.g. 50; leave it out for none",
		     &j.rate_mb, dl);
	const char *pol = cfg_get_string(src, jj, jp, "policy", false, dl);
	const struct snap_policy *p = pol && snap ? snap_config_policy(snap, pol) : NULL;
	if (pol && !p) {
		cfg_diag_at(dl, src, DIAG_ERROR, jp, "policy", "define it in zfs.snapshot_policies",
			    "unknown snapshot policy '%s'", pol);
	} else if (p && p->take) {
		cfg_diag_at(dl, src, DIAG_ERROR, jp, "policy",
			    "set \"take\": false in that policy: a replica gets its snapshots from the source",
			    "snapshot policy '%s' takes snapshots; a replica's policy must not", pol);
	} else if (p && node) {
		cfg_diag_at(dl, src, DIAG_ERROR, jp, "policy", "give the policy on the node that holds the target",
			    "a policy prunes a local target only; '%s' is on node '%s'", target, node);
	}
	for (size_t k = 0; source && target && k < cfg->n_jobs; k++) {
		const struct repl_job *o = &cfg->jobs[k];
		bool same_node = (!o->node && !node) || (o->node && node && !strcmp(o->node, node));
		if (same_node && !strcmp(o->target, target))
			cfg_diag_at(dl, src, DIAG_ERROR, jp, "target", "give each replication its own target",
				    "target '%s' is also the target of %s", target, o->jpath);
	}
	if (diag_count(dl, DIAG_ERROR) > errors || !source || !target) {
		free(jp);
		return;
	}
	const struct repl_node *n = repl_config_node(cfg, node);
	j.source = xstrdup(source);
	j.target = xstrdup(target);
	j.node = node ? xstrdup(node) : NULL;
	j.address = n ? xstrdup(n->address) : NULL;
	j.policy = pol ? xstrdup(pol) : NULL;
	j.jpath = jp;
	repl_job_id(node, target, j.id);
	cfg->jobs[cfg->n_jobs++] = j;
}

int repl_config_parse(const struct config_src *src, const struct snap_config *snap, struct repl_config *cfg,
		      struct diag_list *dl)
{
	memset(cfg, 0, sizeof(*cfg));
	json_t *root = src ? src->root : NULL;
	if (!json_is_object(root))
		return 0;
	size_t errors = diag_count(dl, DIAG_ERROR);
	parse_nodes(src, root, cfg, dl);
	json_t *zfs = json_object_get(root, "zfs");
	json_t *jobs = json_is_object(zfs) ? cfg_get_array(src, zfs, "zfs", "replication", false, dl) : NULL;
	if (jobs) {
		cfg->jobs = xcalloc(json_array_size(jobs) + 1, sizeof(*cfg->jobs));
		size_t i;
		json_t *jj;
		json_array_foreach(jobs, i, jj)
			parse_job(src, jj, i, snap, cfg, dl);
	}
	return diag_count(dl, DIAG_ERROR) > errors ? -1 : 0;
}

void repl_job_free(struct repl_job *j)
{
	free(j->source);
	free(j->target);
	free(j->node);
	free(j->address);
	free(j->policy);
	free(j->jpath);
	memset(j, 0, sizeof(*j));
}

void repl_config_free(struct repl_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		free(cfg->nodes[i].name);
		free(cfg->nodes[i].address);
		free(cfg->nodes[i].jpath);
	}
	free(cfg->nodes);
	for (size_t i = 0; i < cfg->n_jobs; i++)
		repl_job_free(&cfg->jobs[i]);
	free(cfg->jobs);
	memset(cfg, 0, sizeof(*cfg));
}
