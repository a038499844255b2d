/* lock: one apply at a time, with an flock'ed file under <root>/run. */
#ifndef PH_LOCK_H
#define PH_LOCK_H
#include "util/diag.h"

/* Takes the lock; returns an fd (>= 0) to pass to lock_release, or -1 with an error in dl. */
int lock_acquire(const char *root, struct diag_list *dl);
void lock_release(int fd);

#endif
