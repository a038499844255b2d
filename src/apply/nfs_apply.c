#include "apply/nfs_apply.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "state/nfs_state.h"
#include "util/fs.h"
#include "util/str.h"
#include "util/strbuf.h"

int nfs_apply_write(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	(void)ax;
	const struct nfs_write_data *d = a->data;
	int rc = write_file_atomic(d->path, d->text, strlen(d->text), 0644);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "check that the directory is writable",
			 "%s failed: cannot write '%s': %s", a->summary, d->path, strerror(-rc));
		return -1;
	}
	if (!d->run_exportfs)
		return 0;
	const char *argv[] = { nfs_exportfs_prog(), "-ra", NULL };
	struct exec_result r;
	if (exec_run(argv, NULL, &r)) {
		apply_exec_failed(dl, a->summary, argv, &r,
				  "the file is written; fix the problem exportfs names and run apply again");
		exec_result_free(&r);
		return -1;
	}
	exec_result_free(&r);
	return 0;
}

int nfs_apply_include(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	(void)ax;
	const struct nfs_include_data *d = a->data;
	char *text = NULL;
	size_t len;
	int rc = read_file(d->conf, &text, &len);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot read '%s': %s",
			 a->summary, d->conf, strerror(-rc));
		return -1;
	}
	if (ganesha_conf_includes(text, d->include)) {
		free(text);
		return 0;
	}
	struct stat sb;
	mode_t mode = stat(d->conf, &sb) == 0 ? (sb.st_mode & 07777) : 0644;
	char *out = ganesha_conf_add_include(text, d->include);
	if (!out) {
		char *shown = str_escape(d->include);
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "fix nfs.ganesha.include_file in the config",
			 "%s failed: refusing to write include path '%s': it is not one quoted field of printable text",
			 a->summary, shown);
		free(shown);
		free(text);
		return -1;
	}
	rc = write_file_atomic(d->conf, out, strlen(out), mode);
	free(out);
	free(text);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot write '%s': %s",
			 a->summary, d->conf, strerror(-rc));
		return -1;
	}
	return 0;
}

int nfs_apply_reload(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	(void)ax;
	const struct nfs_reload_data *d = a->data;
	pid_t pid = nfs_ganesha_pid(d->pid_file);
	if (!pid) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "start nfs-ganesha: it reads the exports when it starts",
			 "%s failed: nfs-ganesha is no longer running (pid file '%s')", a->summary, d->pid_file);
		return -1;
	}
	if (kill(pid, SIGHUP)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot signal pid %ld: %s",
			 a->summary, (long)pid, strerror(errno));
		return -1;
	}
	/* ganesha rereads its exports in its signal thread; give it a moment so
	 * that the new table serves when apply returns */
	struct timespec ts = { 0, 500 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	return 0;
}

int nfs_apply_root(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	(void)ax;
	const struct nfs_root_data *d = a->data;
	if (d->mkdir) {
		int rc = mkdir_parents(d->path, 0755);
		if (rc) {
			diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot create '%s': %s",
				 a->summary, d->path, strerror(-rc));
			return -1;
		}
	}
	int fd = open(d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, "the export root must be a real directory",
			 "%s failed: cannot open '%s': %s", a->summary, d->path, strerror(errno));
		return -1;
	}
	int rc = 0;
	if ((d->set_uid || d->set_gid) &&
	    fchown(fd, d->set_uid ? d->uid : (uid_t)-1, d->set_gid ? d->gid : (gid_t)-1)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: chown '%s': %s", a->summary,
			 d->path, strerror(errno));
		rc = -1;
	}
	if (!rc && d->set_mode && fchmod(fd, d->mode)) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: chmod '%s': %s", a->summary,
			 d->path, strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}
