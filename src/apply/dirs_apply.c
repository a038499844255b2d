#include "apply/dirs_apply.h"

#include <errno.h>
#include <stdlib.h>

#include "util/strbuf.h"

int dirs_apply_dir(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	const struct dirs_action_data *d = a->data;
	struct safe_dir_done done;
	char *err = NULL;
	int rc = safe_dir_ensure(ax->root, d->path, &d->req, &done, &err);
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL,
			 rc == -ELOOP ? "remove the link (it could redirect root's chown elsewhere) or point the config at the real directory"
			 : rc == -ENOTDIR ? "move the file away or choose another path" : NULL,
			 "%s failed: %s", a->summary, err);
		free(err);
		return -1;
	}
	return 0;
}
