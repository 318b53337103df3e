/* The PV console frontend: write to the ring named by HVM_PARAM_CONSOLE_PFN/EVTCHN. */
#ifndef GUEST_XENCONS_H
#define GUEST_XENCONS_H

#include <keel/types.h>
#include <public/event_channel.h>

/* Find the ring and its port; false (with a message) when the hypervisor offers none. */
bool xencons_init(void);
/* Queue @len bytes and notify; waits (yielding) while the ring is full. Returns bytes written. */
long xencons_write(const char *buf, unsigned long len);
/* Take up to @len bytes of input from the ring without waiting; returns how many. */
long xencons_read(char *buf, unsigned long len);
/* The ring's event channel: pending once input arrives (after xencons_init()). */
evtchn_port_t xencons_port(void);

#endif
