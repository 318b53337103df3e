/* A dom0 backend's environment in dom0: the real devices behind struct xenbe_env. */
#ifndef XENBE_LINUX_H
#define XENBE_LINUX_H

#include "xenbe_env.h"

struct xs;

struct xenbe_linux {
	struct xs *xs;
	int gntdev;
	int evtchn;	/* non-blocking: read() gives the ports that fired */
};

/* Opens xenstored's socket (@xs_path, NULL: the default) and the devices; 0 or -errno. */
int xenbe_linux_open(struct xenbe_linux *l, const char *xs_path, struct xenbe_env *env);
void xenbe_linux_close(struct xenbe_linux *l);

#endif
