/* Introduced domains: INTRODUCE maps a domain's ring and connects it, RELEASE disconnects it. */
#ifndef XENSTORED_DOMAIN_H
#define XENSTORED_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

struct ring_backend;

/* Where domains' rings come from; without one INTRODUCE fails with ENOSYS. */
void domain_set_backend(const struct ring_backend *backend);
/*
 * Connects domain @domid through its ring page @mfn and event channel @evtchn, and fires
 * @introduceDomain. -EINVAL for dom0 or a reserved id, -EIO if the ring cannot be mapped.
 * Introducing a connected domain again changes nothing; one whose connection was dropped
 * is connected afresh.
 */
int domain_introduce(unsigned int domid, uint64_t mfn, unsigned int evtchn);
/* Disconnects @domid and fires @releaseDomain; -ENOENT if it was not introduced. */
int domain_release(unsigned int domid);
/*
 * Asks the backend how every introduced domain is (after the hypervisor said some domain
 * changed): the gone ones are released; one @releaseDomain fires if any went or shut down,
 * as Xen's xenstored does.
 */
void domain_check_all(void);
/* Dom0 always is. */
bool domain_is_introduced(unsigned int domid);
/* Forgets every domain (at exit), without events; their connections are killed. */
void domain_fini(void);

#endif
