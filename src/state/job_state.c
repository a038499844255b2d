#include "state/job_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/lock.h"
#include "util/strbuf.h"

#define JOBS_LOCK "jobs"
#define JOBS_LOCK_WAIT_S 10

int job_state_load(const char *root, struct jobstate *js, struct diag_list *dl)
{
	char *path = root_path(root, JOB_STATE_FILE), *text = NULL;
	int rc = read_file(path, &text, NULL);
	if (rc && rc != -ENOENT)
		diag_add(dl, DIAG_WARNING, path, 0, 0, NULL, NULL, "cannot read the job state: %s; taken as empty",
			 strerror(-rc));
	if (!rc) {
		struct diag_list bad = { 0 };
		if (jobstate_parse(text, path, js, &bad)) {
			for (size_t i = 0; i < bad.n; i++)
				bad.v[i].level = DIAG_WARNING;
			diag_move(dl, &bad);
		}
		diag_list_free(&bad);
	}
	free(text);
	free(path);
	return 0;
}

int job_state_record(const char *root, const char *kind, const char *const *names, size_t n, int64_t at,
		     struct diag_list *dl)
{
	int lock = lock_acquire(JOBS_LOCK, JOBS_LOCK_WAIT_S, dl);
	if (lock < 0)
		return -1;
	struct jobstate js = { 0 };
	job_state_load(root, &js, dl);
	for (size_t i = 0; i < n; i++)
		jobstate_set(&js, kind, names[i], at);
	char *text = jobstate_render(&js), *path = root_path(root, JOB_STATE_FILE);
	int rc = write_file_atomic(path, text, strlen(text), 0644);
	if (rc)
		diag_add(dl, DIAG_ERROR, path, 0, 0, NULL, NULL, "cannot write the job state: %s", strerror(-rc));
	free(path);
	free(text);
	jobstate_free(&js);
	lock_release(lock);
	return rc ? -1 : 0;
}
