/* A disk's backing store in dom0: the checks before create, and phy's loop devices. */
#ifndef KEELCTL_DISK_TARGET_H
#define KEELCTL_DISK_TARGET_H

#include <stdbool.h>
#include "disk_spec.h"

#define LOOP_DEV_PREFIX	"/dev/loop"

/* What Linux's xen-blkback opens for a phy disk. */
struct disk_phys {
	char *path;		/* the block device: the target, or the loop device made for it */
	unsigned int major, minor;
	bool loop;		/* path is a loop device keelctl set up (disk_loop_release()) */
};

/*
 * @d's target exists, is a regular file or a block device and can be opened for reading
 * (and writing unless read-only). 0, or -errno with a message naming @who and the disk.
 */
int disk_target_check(const char *who, const struct disk_spec *d);

/*
 * For a phy disk: the block device to give xen-blkback, a new loop device (LOOP_CTL_GET_FREE,
 * LOOP_CONFIGURE, read-only for a read-only disk) when the target is a file. 0 or -errno with
 * a message; disk_phys_free() either way.
 */
int disk_phys_setup(const char *who, const struct disk_spec *d, struct disk_phys *p);
void disk_phys_free(struct disk_phys *p);

/*
 * Detaches the loop device @path ("/dev/loopN" only); when Linux still holds it open (blkback
 * has not let go yet) it goes when the last user closes it. 0 or -errno.
 */
int disk_loop_release(const char *path);

#endif
