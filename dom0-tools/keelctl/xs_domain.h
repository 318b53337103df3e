/* A domain's xenstore entries as libxl writes them: /local/domain/N and /vm/<uuid>. */
#ifndef KEELCTL_XS_DOMAIN_H
#define KEELCTL_XS_DOMAIN_H

#include <stdint.h>
#include "xs.h"

struct xs_domain {
	uint16_t domid;
	const char *name;
	const char *uuid;
	uint64_t mem_kb;		/* memory/target and memory/static-max */
	unsigned int vcpus;		/* cpu/I/availability = online */
	unsigned int max_vcpus;		/* and offline from vcpus up to this */
	uint64_t store_ring;		/* store/ring-ref */
	uint32_t store_port;
	uint64_t console_ring;		/* console/ring-ref */
	uint32_t console_port;
	const char *kernel, *ramdisk, *cmdline;	/* /vm/<uuid>/image/ (ramdisk may be NULL) */
};

/*
 * Writes the entries of @d in one transaction (retried on EAGAIN), replacing whatever was
 * left at those paths. dom0 owns them and the guest may read its home; the guest owns
 * control/shutdown, control/feature-{poweroff,reboot,suspend}, control/sysrq, data,
 * drivers, feature, attr and error. Returns 0 or -errno.
 */
int xs_domain_write(struct xs *xs, const struct xs_domain *d);

/*
 * Removes /local/domain/@domid and the /vm path it points at, in one transaction. When
 * @expect_vm is not NULL, only if /local/domain/@domid/vm is that path (so that a newer
 * domain with the same id is left alone). Missing entries are no error.
 */
int xs_domain_remove(struct xs *xs, uint16_t domid, const char *expect_vm);

/* Writes @value (or decimal @value) at @dir/@rel. 0 or -errno. */
int xs_put(struct xs *xs, uint32_t tx, const char *dir, const char *rel, const char *value);
int xs_put_uint(struct xs *xs, uint32_t tx, const char *dir, const char *rel,
		unsigned long long value);
/* An empty node at @path with permissions @perms (libxl__xs_mknod). 0 or -errno. */
int xs_mknod(struct xs *xs, uint32_t tx, const char *path, const char *const *perms,
	     unsigned int nr);

/* "/local/domain/N" and "/vm/UUID". */
char *xs_domain_path(uint16_t domid);
char *xs_vm_path(const char *uuid);

#endif
