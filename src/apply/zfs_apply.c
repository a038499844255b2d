#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/zfs_apply.h"
#include "util/fs.h"
#include "util/strbuf.h"

int zfs_apply_arc_write(const struct action *a, struct apply_ctx *ax, struct diag_list *dl)
{
	(void)ax;
	const struct arc_write *w = a->data;
	int rc;
	if (w->sysfs) {
		int fd = open(w->path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		rc = fd < 0 ? -errno : 0;
		if (!rc) {
			size_t len = strlen(w->content);
			if (write(fd, w->content, len) != (ssize_t)len)
				rc = -errno;
			close(fd);
		}
	} else {
		rc = write_file_atomic(w->path, w->content, strlen(w->content), 0644);
	}
	if (rc) {
		diag_add(dl, DIAG_ERROR, NULL, 0, 0, NULL, NULL, "%s failed: cannot write '%s': %s",
			 a->summary, w->path, strerror(-rc));
		return -1;
	}
	return 0;
}
