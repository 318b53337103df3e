/* keel-blkback's environment in dom0: the real devices behind struct bb_env. */
#ifndef BLKBACK_ENV_LINUX_H
#define BLKBACK_ENV_LINUX_H

#include "env.h"

struct xs;

struct bb_linux {
	struct xs *xs;
	int gntdev;
	int evtchn;	/* non-blocking: read() gives the ports that fired */
};

/* Opens xenstored's socket (@xs_path, NULL: the default) and the devices; 0 or -errno. */
int bb_linux_open(struct bb_linux *l, const char *xs_path, struct bb_env *env);
void bb_linux_close(struct bb_linux *l);

#endif
