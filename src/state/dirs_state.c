#include "state/dirs_state.h"

#include <stdlib.h>

#include "sys/safe_dir.h"

void dirs_state_discover(const struct dirs_config *cfg, const char *root, struct dir_seen *seen)
{
	for (size_t i = 0; i < cfg->n; i++) {
		struct dir_seen *s = &seen[i];
		struct safe_dir_state st;
		char *err = NULL;
		int rc = safe_dir_inspect(root, cfg->v[i].path, &st, &err);
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
}

void dirs_state_free(struct dir_seen *seen, size_t n)
{
	for (size_t i = 0; seen && i < n; i++) {
		free(seen[i].first_missing);
		free(seen[i].error);
	}
}
