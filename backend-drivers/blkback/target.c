/* The storage behind a virtual disk: a raw image file or a block device in dom0. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "bb.h"

/* Can this fd do O_DIRECT reads of one sector (the filesystem may refuse them)? */
static bool direct_works(int fd, uint32_t sector_size)
{
	void *buf;
	ssize_t n;

	if (posix_memalign(&buf, BB_PAGE_SIZE, BB_PAGE_SIZE))
		return false;
	n = pread(fd, buf, sector_size, 0);
	free(buf);
	return n >= 0;
}

/*
 * A loop device (auto-cleared at its last close) on the image @file, opened
 * with O_DIRECT: the kernel then copies between the page cache and the
 * grant-mapped pages, as for Linux's blkback, not a copy through this
 * process's addresses. Returns its descriptor, or -1 (the file is served as is).
 */
static int loop_open(int file, bool writable)
{
	struct loop_config lc = { .fd = (uint32_t)file };
	int ctl, fd = -1, n;
	char path[32];

	lc.info.lo_flags = LO_FLAGS_AUTOCLEAR | (writable ? 0 : LO_FLAGS_READ_ONLY);
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	for (int tries = 0; tries < 8 && fd < 0; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			break;
		snprintf(path, sizeof(path), "/dev/loop%d", n);
		fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (fd < 0)
			break;
		if (ioctl(fd, LOOP_CONFIGURE, &lc) == 0 &&
		    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_DIRECT) == 0)
			break;
		close(fd);	/* EBUSY: taken meanwhile; else cleared by this close */
		fd = -1;
	}
	close(ctl);
	return fd;
}

/*
 * A file served without O_DIRECT (dom0's tmpfs refuses it) on a local filesystem is mapped
 * shared, and the data of each read or write is copied once, with no system call, between
 * the file's pages and the guest's persistent grants (io.c; a frontend without them gets one
 * grant copy between its grants and the file's pages, done by keel). A file truncated under
 * us makes such a copy fail (-EFAULT) and the request with it: gntdev pins the pages of a
 * grant copy, and our own copies catch the SIGBUS (mapcopy.c). With --map no persistent
 * grants are offered: every request is one grant copy, and the guest copies nothing either
 * (docs/block.md). With --no-map-copy, or when mmap fails, the file is served as it is, with
 * preadv and pwritev straight into the persistent grants; --loop gives it a loop device.
 */

/* @fd's filesystem (statfs's f_type), 0 when unknown. */
static unsigned long fs_type(int fd)
{
	struct statfs fs;

	return fstatfs(fd, &fs) < 0 ? 0 : (unsigned long)fs.f_type;
}

/*
 * Is buffered I/O on @fd only CPU copies between the page cache and the caller's pages? For a
 * block device and the local filesystems below, yes. Not for every filesystem: 9p, FUSE with
 * direct I/O (virtiofs) or CIFS without a cache hand the caller's pages to a device (virtio,
 * RDMA) even without O_DIRECT, and a grant-mapped page's dom0 address is not its host address
 * when dom0's DMA is untranslated.
 */
static bool cpu_copies_only(int fd, const struct stat *st)
{
	if (S_ISBLK(st->st_mode))
		return true;
	switch (fs_type(fd)) {
	case TMPFS_MAGIC:
	case RAMFS_MAGIC:
	case EXT4_SUPER_MAGIC:		/* ext2, ext3 and ext4 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
		return true;
	default:
		return false;
	}
}

/*
 * A run of a tmpfs file's data: mapped into our page tables now (the pages exist: nothing is
 * allocated, read or dirtied), writable when the disk is, so that the copies of the first
 * pass over it take no faults. Not on a disk filesystem: populating for writing there would
 * read the whole image in and dirty every page (unsharing a btrfs snapshot's extents).
 */
struct populate_arg {
	uint8_t *map;
	int advice;
};

static void populate_run(void *arg, uint64_t off, uint64_t len)
{
	struct populate_arg *a = arg;

	(void)madvise(a->map + off, len, a->advice);
}

static void map_file(struct bb_dev *dev, int fd, uint64_t bytes, bool writable)
{
	unsigned long fs = fs_type(fd);
	void *m;

	m = mmap(NULL, (size_t)bytes, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return;
	/*
	 * Reading a hole through a shared mapping allocates a page where pread() does not (and
	 * on a full tmpfs fails): a guest reading what it never wrote would fill dom0's memory
	 * up to its disk's size. So reads go through the mapping (our copies, or keel's grant
	 * copies with --map) only where every page is known to hold data (populated.c), the
	 * others by pread. ramfs's SEEK_DATA calls every hole data: there only what we write
	 * is known.
	 */
	if (bb_populated_init(&dev->pop, fs == RAMFS_MAGIC ? -1 : fd, bytes) < 0) {
		munmap(m, (size_t)bytes);
		return;
	}
	dev->map = m;
	dev->map_len = bytes;
	dev->map_shmem = fs == TMPFS_MAGIC;
	if (!dev->map_gcopy && dev->map_shmem) {
		struct populate_arg a = { m, writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ };

		bb_populated_each(&dev->pop, populate_run, &a);
	}
}

static void close_file(struct bb_dev *dev)
{
	if (dev->file_fd < 0)
		return;
	close(dev->file_fd);
	dev->file_fd = -1;
	dev->be->open_fds--;
}

int bb_target_open(struct bb_dev *dev, const char *params, bool writable, uint32_t want)
{
	int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	const char *path = params;
	uint32_t lss = 512, pss = 512;
	uint64_t bytes;
	struct stat st;
	int fd;

	if (!strncmp(path, "raw:", 4))
		path += 4;
	if (path[0] != '/')
		return -EINVAL;
	fd = open(path, flags | (dev->be->cfg.direct ? O_DIRECT : 0));
	dev->direct = fd >= 0 && dev->be->cfg.direct;
	if (fd < 0 && dev->be->cfg.direct && errno == EINVAL)
		fd = open(path, flags);
	if (fd < 0)
		return -errno;
	dev->inline_io = false;
	if (fstat(fd, &st) < 0)
		goto err;
	if (S_ISREG(st.st_mode) && dev->be->cfg.direct && !dev->direct && dev->be->cfg.loop &&
	    !dev->be->cfg.map) {
		int lfd = loop_open(fd, writable);

		if (lfd >= 0) {
			/* Kept for small requests (bb_io's BB_SMALL_IO): same page cache. */
			dev->file_fd = fd;
			dev->be->open_fds++;
			fd = lfd;
			dev->direct = true;
			dev->inline_io = true;
			if (fstat(fd, &st) < 0)
				goto err;
		}
	}
	if (S_ISBLK(st.st_mode)) {
		int ss = 0;
		unsigned int ps = 0;

		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
			goto err;
		if (ioctl(fd, BLKSSZGET, &ss) == 0 && ss >= 512 && ss <= 4096)
			lss = ss;
		if (ioctl(fd, BLKPBSZGET, &ps) == 0 && ps >= lss && ps <= 65536)
			pss = ps;
		dev->is_blkdev = true;
	} else if (S_ISREG(st.st_mode)) {
		bytes = st.st_size;
		dev->is_blkdev = false;
	} else {
		errno = EINVAL;
		goto err;
	}
	if (want == 4096 && lss < 4096)
		lss = 4096;
	if (pss < lss)
		pss = lss;
	if (dev->direct && !direct_works(fd, lss)) {
		/* O_DIRECT opened but does not work here (alignment, filesystem): go buffered. */
		int fl = fcntl(fd, F_GETFL);

		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_DIRECT) < 0)
			goto err;
		dev->direct = false;
	}
	dev->cpu_copies = !dev->direct && cpu_copies_only(fd, &st);
	if (!dev->direct) {
		/* A loop device's own page cache and the file's would not agree: one path only. */
		close_file(dev);
		dev->inline_io = true;
		dev->map_gcopy = dev->be->cfg.map;
		if (!dev->is_blkdev && bytes &&
		    (dev->be->cfg.map || (dev->be->cfg.map_copy && dev->cpu_copies)))
			map_file(dev, fd, bytes, writable);
	}
	dev->fd = fd;
	dev->be->open_fds++;
	dev->lim.sector_size = lss;
	dev->phys_sector_size = pss;
	/* Whole logical blocks only; in 512-byte units as the wire wants. */
	dev->lim.sectors = (bytes / lss) * (lss >> BB_SECTOR_SHIFT);
	dev->lim.readonly = !writable;
	return 0;
err:
	{
		int err = -errno;

		close(fd);
		close_file(dev);
		return err;
	}
}

void bb_target_close(struct bb_dev *dev)
{
	close_file(dev);
	if (dev->map) {
		munmap(dev->map, (size_t)dev->map_len);
		dev->map = NULL;
	}
	bb_populated_fini(&dev->pop);
	if (dev->fd < 0)
		return;
	close(dev->fd);
	dev->fd = -1;
	dev->be->open_fds--;
}

int bb_target_discard(struct bb_dev *dev, uint64_t sector, uint64_t nr_sectors)
{
	uint64_t off = sector << BB_SECTOR_SHIFT, len = nr_sectors << BB_SECTOR_SHIFT;

	if (!nr_sectors)
		return 0;
	if (dev->is_blkdev) {
		uint64_t range[2] = { off, len };

		return ioctl(dev->fd, BLKDISCARD, range) < 0 ? -errno : 0;
	}
	if (fallocate(dev->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) < 0)
		return -errno;
	if (dev->pop.leaves)
		bb_populated_clear(&dev->pop, off, len);
	return 0;
}
