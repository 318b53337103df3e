/* Fake /dev/xen/{evtchn,gntdev,privcmd} and keel for ring_xen.c and privcmd.c in the fuzzers. */
#ifndef XS_FUZZ_FAKE_DEV_H
#define XS_FUZZ_FAKE_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

/* Domains 0..FAKE_DOMAINS-1 exist for keel's getinfo; each has one ring page. */
#define FAKE_DOMAINS	8

enum fake_state {
	FAKE_RUNNING,
	FAKE_SHUTDOWN,
	FAKE_CRASHED,
	FAKE_DYING,
	FAKE_GONE,		/* getinfo: ESRCH */
	FAKE_GETINFO_FAILS,	/* getinfo: EIO */
	FAKE_STATES
};

struct fake_domain {
	enum fake_state state;
	bool map_fails;		/* its grant cannot be mapped */
	bool bind_fails;	/* its event channel cannot be bound */
};

extern struct fake_domain fake_domains[FAKE_DOMAINS];

/* The ring page of @domid (the same memory every time it is mapped). */
struct xenstore_domain_interface *fake_page(unsigned int domid);
/* Every domain running, pages zeroed, nothing pending. */
void fake_reset(void);
/* The next read of the event channel device reports VIRQ_DOM_EXC. */
void fake_raise_dom_exc(void);

#endif
