/* A disk's backing store in dom0: the checks before create, and phy's loop devices. */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "disk_target.h"
#include "util.h"

#define LOOP_CONTROL	"/dev/loop-control"
#define LOOP_TRIES	8	/* another user may take the free device first */

int disk_target_check(const char *who, const struct disk_spec *d)
{
	int flags = (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct stat st;
	int fd, err;

	fd = open(d->target, flags);
	if (fd < 0) {
		err = errno;
		kc_err("%s: disk %s: cannot open %s%s: %s", who, d->vdev, d->target,
		       d->readonly ? "" : " for writing", strerror(err));
		return -err;
	}
	err = fstat(fd, &st) ? errno : 0;
	close(fd);
	if (err) {
		kc_err("%s: disk %s: %s: %s", who, d->vdev, d->target, strerror(err));
		return -err;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		kc_err("%s: disk %s: %s is neither a file nor a block device", who, d->vdev,
		       d->target);
		return -EINVAL;
	}
	if (S_ISREG(st.st_mode) && st.st_size < 512) {
		kc_err("%s: disk %s: %s is smaller than one sector", who, d->vdev, d->target);
		return -EINVAL;
	}
	return 0;
}

void disk_phys_free(struct disk_phys *p)
{
	free(p->path);
	memset(p, 0, sizeof(*p));
}

/* Binds @file to a free loop device; its path in @p. */
static int loop_setup(const char *who, const struct disk_spec *d, int file, struct disk_phys *p)
{
	struct loop_config lc;
	int ctl, loop, n, err = 0;
	struct stat st;

	ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		err = errno;
		kc_err("%s: disk %s: %s: %s (is the loop module loaded?)", who, d->vdev,
		       LOOP_CONTROL, strerror(err));
		return -err;
	}
	for (int tries = 0; tries < LOOP_TRIES; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			err = errno;
			break;
		}
		free(p->path);
		p->path = xasprintf(LOOP_DEV_PREFIX "%d", n);
		loop = open(p->path, O_RDWR | O_CLOEXEC);
		if (loop < 0) {
			err = errno;
			break;
		}
		memset(&lc, 0, sizeof(lc));
		lc.fd = (uint32_t)file;
		lc.info.lo_flags = d->readonly ? LO_FLAGS_READ_ONLY : 0;
		snprintf((char *)lc.info.lo_file_name, sizeof(lc.info.lo_file_name), "%s",
			 d->target);
		err = ioctl(loop, LOOP_CONFIGURE, &lc) ? errno : 0;
		if (!err && fstat(loop, &st))
			err = errno;
		close(loop);
		if (err != EBUSY)
			break;
	}
	close(ctl);
	if (err) {
		kc_err("%s: disk %s: no loop device for %s: %s", who, d->vdev, d->target,
		       strerror(err));
		return -err;
	}
	p->major = major(st.st_rdev);
	p->minor = minor(st.st_rdev);
	p->loop = true;
	return 0;
}

int disk_phys_setup(const char *who, const struct disk_spec *d, struct disk_phys *p)
{
	int fd, err;
	struct stat st;

	memset(p, 0, sizeof(*p));
	fd = open(d->target, (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = errno;
		kc_err("%s: disk %s: cannot open %s: %s", who, d->vdev, d->target, strerror(err));
		return -err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
	} else if (S_ISBLK(st.st_mode)) {
		p->path = xstrdup(d->target);
		p->major = major(st.st_rdev);
		p->minor = minor(st.st_rdev);
		err = 0;
	} else if (S_ISREG(st.st_mode)) {
		err = loop_setup(who, d, fd, p);
	} else {
		kc_err("%s: disk %s: %s is neither a file nor a block device", who, d->vdev,
		       d->target);
		err = -EINVAL;
	}
	close(fd);
	return err;
}

int disk_loop_release(const char *path)
{
	int fd, err = 0;

	if (strncmp(path, LOOP_DEV_PREFIX, strlen(LOOP_DEV_PREFIX)) || strchr(path, '.'))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, LOOP_CLR_FD, 0))
		err = errno == ENXIO ? 0 : -errno;	/* ENXIO: already free */
	close(fd);
	return err;
}
