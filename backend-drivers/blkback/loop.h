/* keel-blkback's event loop: a xenstore and AIO thread, a data thread for the rings' events. */
#ifndef BLKBACK_LOOP_H
#define BLKBACK_LOOP_H

#include <signal.h>
#include "bb.h"
#include "xenbe_linux.h"

/* Set by the signal handlers: SIGTERM/SIGINT end the loop, SIGUSR1 logs the counts. */
extern volatile sig_atomic_t bb_loop_stop, bb_loop_want_stats;

/* Counts the system calls of @env's grant and event channel ops for the "stats:" line. */
void bb_loop_count_syscalls(struct xenbe_env *env);
/* Opens privcmd for bb_backend.yield (SCHEDOP_yield); without it, no yield (logged). */
void bb_loop_yield_init(struct bb_backend *be);
/* Serves until a signal or an error: 0, or -1 when it could not start. */
int bb_loop_run(struct bb_backend *be, struct xenbe_linux *l);

#endif
