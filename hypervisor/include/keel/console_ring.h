/* A domain's PV console, served by keel (HVM_PARAM_CONSOLE_PFN/EVTCHN), and the output kept of it. */
#ifndef KEEL_CONSOLE_RING_H
#define KEEL_CONSOLE_RING_H

#include <keel/types.h>

struct domain;

/*
 * Set up the ring page, its event channel and the output kept (16 KiB),
 * and publish the ring in @d's HVM params; @input: keel's console input
 * goes to this ring (dom0). 0 or a negative errno.
 */
int console_ring_init(struct domain *d, bool input);
/* Free the output kept (with the domain). */
void console_ring_free(struct domain *d);
/* Set up @d's console timers (domain_create()). */
void console_domain_init(struct domain *d);
/*
 * @d is being destroyed: kill its console timers, print what waits of its
 * output and how much was suppressed, and have console_keep.c copy what
 * it kept (domain_destroy()).
 */
void console_domain_destroy(struct domain *d);

/*
 * Console output of @d however it came (ring, console_io, port 0xE9):
 * kept, and as keel/guest_console.h says printed as "(dN) ..." lines.
 */
void domain_console_write(struct domain *d, const char *s, size_t n);

/*
 * The output kept of @d from stream position *@pos (text_ring_read()):
 * bytes copied to @buf or -EINVAL; *@head: bytes it ever wrote.
 */
long console_ring_read(struct domain *d, u64 *pos, char *buf, size_t size,
		       u64 *head);
/*
 * Queue up to @n bytes in @d's console input ring, as many as fit, and
 * notify it. Returns the bytes taken, -EINVAL before it has a console,
 * -EIO when the guest corrupted the ring's indices.
 */
long console_ring_write(struct domain *d, const char *buf, size_t n);

#endif
