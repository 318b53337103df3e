/* xl's disk specifications ('/img,raw,xvda,rw', 'vdev=xvda, target=/img') and vbd device ids. */
#ifndef KEELCTL_DISK_SPEC_H
#define KEELCTL_DISK_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#define DISK_SPEC_MAX	4096	/* longer specifications are refused */

enum disk_backend {
	DISK_BACKEND_QDISK,	/* keel's keel-blkback daemon (the default) */
	DISK_BACKEND_PHY,	/* Linux's in-kernel xen-blkback in dom0 */
};

struct disk_spec {
	char *text;		/* the specification as written */
	char *target;		/* an absolute path (a relative one got "/dev/" in front) */
	char *vdev;		/* as written: "xvda", "hdc", "d0p1", "51712" */
	uint32_t devid;		/* the vbd number (xen-vbd-interface(7)) */
	bool readonly;		/* access=r / ro (always for a CD-ROM) */
	bool cdrom;		/* devtype=cdrom */
	bool discard;		/* discard-enable: default on when writable */
	bool direct_io_safe;
	bool trusted;		/* fe "trusted": default on */
	enum disk_backend backend;
};

/*
 * Parses one disk specification in either of xl's syntaxes (xl-disk-configuration(5)):
 * positional "target,format,vdev,access" (empty items take the default), key=value items
 * with "target=" last (it swallows the rest, commas included), flags and the deprecated
 * "raw:/path,xvda,w" / "phy:/dev/x,xvda:cdrom,r". Only what keel supports is accepted.
 * Returns 0, or -1 with *@err a new string saying what is wrong (without the spec itself).
 */
int disk_spec_parse(const char *text, struct disk_spec *d, char **err);
void disk_spec_free(struct disk_spec *d);
void disk_spec_copy(struct disk_spec *dst, const struct disk_spec *src);

/*
 * The vbd number of @vdev as libxl computes it: xvdX[N] and dNpM (202 << 8 | disk << 4 |
 * part, or the extended 1 << 28 | disk << 8 | part past disk 15 or partition 15), hdX[N],
 * sdX[N], or a number (decimal, 0x hex, 0 octal) up to INT_MAX. Returns 0 or -1.
 */
int vdev_devid(const char *vdev, uint32_t *devid);

/* "qdisk" or "phy": the be directory's kind is "qdisk" or "vbd". */
const char *disk_backend_name(enum disk_backend b);
const char *disk_backend_kind(enum disk_backend b);

#endif
