/*
 * job_state: reads and records the tool's memory between runs
 * (formats/jobstate.h) in JOB_STATE_FILE under --root: `run` records each
 * job that succeeded and each TRIM it started; the health model reads the
 * times for the metrics (phoenix_storage_job_last_success_timestamp_seconds).
 * Updates are read-modify-write under the host lock "jobs" and written
 * atomically (util/fs.h write_file_atomic), so jobs that run at once (take,
 * prune, scrub: separate locks) never lose each other's records.
 */
#ifndef PH_JOB_STATE_H
#define PH_JOB_STATE_H
#include <stddef.h>
#include <stdint.h>

#include "formats/jobstate.h"

#define JOB_STATE_FILE "/var/lib/phoenix-storage/jobs"

/*
 * Reads the file under root into js (empty when it does not exist). A file
 * that cannot be read or parsed is a warning in dl and reads as what parsed
 * before the bad line. Returns 0.
 */
int job_state_load(const char *root, struct jobstate *js, struct diag_list *dl);

/*
 * Sets (kind, names[i]) to at for each name and writes the file. Returns 0,
 * or -1 with an error in dl (the lock, the write).
 */
int job_state_record(const char *root, const char *kind, const char *const *names, size_t n, int64_t at,
		     struct diag_list *dl);

#endif
