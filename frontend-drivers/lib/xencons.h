/* The PV console frontend: write to the ring named by HVM_PARAM_CONSOLE_PFN/EVTCHN. */
#ifndef GUEST_XENCONS_H
#define GUEST_XENCONS_H

#include <keel/types.h>

/* Find the ring and its port; false (with a message) when the hypervisor offers none. */
bool xencons_init(void);
/* Queue @len bytes and notify; waits (yielding) while the ring is full. Returns bytes written. */
long xencons_write(const char *buf, unsigned long len);

#endif
