/* The ring backend of a Linux dom0: /dev/xen/gntdev, /dev/xen/evtchn, /dev/xen/privcmd. */
#ifndef XENSTORED_RING_XEN_H
#define XENSTORED_RING_XEN_H

struct ring_backend;

/* Opens the event channel and grant devices; NULL with errno set if there are none. */
const struct ring_backend *ring_xen_backend(void);
/* Connects dom0's own kernel (its ring and port from keel's getinfo); -errno on failure. */
int ring_xen_connect_dom0(void);

#endif
