/* What the xenstore client needs from its environment: notify the daemon, wait for its event, the time. */
#ifndef GUEST_XS_PORT_H
#define GUEST_XS_PORT_H

#include <keel/types.h>

/* Tell the daemon the ring moved (an event on the store port). */
void xs_port_notify(void);
/* Wait until the daemon notifies or @timeout_ns passed; consumes the event. */
void xs_port_wait(u64 timeout_ns);
/* Monotonic time in ns. */
u64 xs_now_ns(void);

#endif
