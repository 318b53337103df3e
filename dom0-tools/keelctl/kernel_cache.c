/*
 * keelctl's cache of unpacked bzImages: one file per kernel file (by device and inode) in a
 * root-only directory, a header naming the bzImage's identity, then the ELF with its zero
 * pages as holes. Unpacking Debian's bzImage is ~3.7 G instructions (xz); reading it back is
 * a copy.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "kernel_cache.h"
#include "kernel_image.h"
#include "util.h"

#define CACHE_MAGIC	"keelkc1"
#define CACHE_DATA	4096u	/* the ELF starts here: page-aligned, so its zero pages are holes */

const char *kernel_cache_dir;

struct cache_header {
	char magic[8];
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
	uint64_t elf_len;
};

static void header_of(const struct stat *st, uint64_t elf_len, struct cache_header *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, CACHE_MAGIC, sizeof(h->magic));
	h->dev = st->st_dev;
	h->ino = st->st_ino;
	h->size = st->st_size;
	h->mtime_sec = st->st_mtim.tv_sec;
	h->mtime_nsec = st->st_mtim.tv_nsec;
	h->ctime_sec = st->st_ctim.tv_sec;
	h->ctime_nsec = st->st_ctim.tv_nsec;
	h->elf_len = elf_len;
}

/* The cache directory, made if missing, when it is ours alone (no one else may plant a kernel). */
static int cache_dir_fd(void)
{
	struct stat st;
	int fd;

	if (!kernel_cache_dir || !*kernel_cache_dir)
		return -ENOENT;
	mkdir_parents(kernel_cache_dir);
	fd = open(kernel_cache_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_uid != geteuid() ||
	    ((st.st_mode & 077) && fchmod(fd, 0700))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void entry_name(const struct stat *st, char name[64])
{
	snprintf(name, 64, "%llx-%llx.elf", (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino);
}

int kernel_cache_lookup(const struct stat *st, uint8_t **elf, size_t *len)
{
	struct cache_header want, got;
	char name[64];
	uint8_t *buf;
	size_t n;
	int dir, fd, rc = -ENOENT;

	dir = cache_dir_fd();
	if (dir < 0)
		return -ENOENT;
	entry_name(st, name);
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	if (fd < 0)
		return -ENOENT;
	header_of(st, 0, &want);
	if (pread(fd, &got, sizeof(got), 0) != sizeof(got) ||
	    memcmp(&got, &want, offsetof(struct cache_header, elf_len)) ||
	    got.elf_len > KERNEL_FILE_MAX || lseek(fd, CACHE_DATA, SEEK_SET) != CACHE_DATA)
		goto out;
	if (read_whole_fd(fd, KERNEL_FILE_MAX, &buf, &n))
		goto out;
	if (n != got.elf_len) {
		free(buf);
		goto out;
	}
	futimens(fd, NULL);	/* recently used */
	*elf = buf;
	*len = n;
	rc = 0;
out:
	close(fd);
	return rc;
}

static bool zero_page(const uint8_t *p, size_t n)
{
	const uint64_t *w = (const uint64_t *)p;

	if (n < 4096)
		return false;
	for (size_t i = 0; i < 4096 / 8; i++)
		if (w[i])
			return false;
	return true;
}

/* The bytes @elf takes in the cache: its pages that are not all zeros. */
static uint64_t stored_size(const uint8_t *elf, size_t len)
{
	uint64_t n = CACHE_DATA;

	for (size_t off = 0; off < len; off += 4096)
		if (!zero_page(elf + off, len - off))
			n += 4096;
	return n;
}

/*
 * Is there room for @need bytes, taking at most half of what is free? dom0's root is often a
 * tmpfs in RAM (half of it at most): the cache must not be what fills it.
 */
static int room_for(int dir, uint64_t need)
{
	struct statvfs vfs;

	if (fstatvfs(dir, &vfs))
		return -errno;
	if (need > (uint64_t)vfs.f_bavail * vfs.f_frsize / 2)
		return -ENOSPC;
	return 0;
}

/* Writes @elf at CACHE_DATA, skipping its zero pages (left as holes), then sets the size. */
static int write_sparse(int fd, const uint8_t *elf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t run = 0;

		while (off < len && zero_page(elf + off, len - off))
			off += 4096;
		while (off + run < len && !zero_page(elf + off + run, len - off - run))
			run += len - off - run < 4096 ? len - off - run : 4096;
		for (size_t done = 0; done < run;) {
			ssize_t w = pwrite(fd, elf + off + done, run - done, CACHE_DATA + off + done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return w < 0 ? -errno : -EIO;
			done += w;
		}
		off += run;
	}
	return ftruncate(fd, CACHE_DATA + len) ? -errno : 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * Removes the least recently used entries until at most @keep remain, and what a killed
 * keelctl left half-written (tmp.PID older than a minute).
 */
static void evict(int dir, unsigned int keep)
{
	for (;;) {
		DIR *d = fdopendir(dup(dir));
		char oldest[256] = "";
		struct timespec t = { 0 };
		unsigned int n = 0;
		struct dirent *e;
		struct stat st;

		if (!d)
			return;
		while ((e = readdir(d))) {
			if (fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
				continue;
			if (!strncmp(e->d_name, "tmp.", 4)) {
				if (st.st_mtim.tv_sec + 60 < time(NULL))
					unlinkat(dir, e->d_name, 0);
				continue;
			}
			if (!has_suffix(e->d_name, ".elf"))
				continue;
			n++;
			if (!*oldest || st.st_mtim.tv_sec < t.tv_sec ||
			    (st.st_mtim.tv_sec == t.tv_sec && st.st_mtim.tv_nsec < t.tv_nsec)) {
				snprintf(oldest, sizeof(oldest), "%s", e->d_name);
				t = st.st_mtim;
			}
		}
		closedir(d);
		if (n <= keep || unlinkat(dir, oldest, 0))
			return;
	}
}

int kernel_cache_store(const struct stat *st, const uint8_t *elf, size_t len)
{
	struct cache_header h;
	char name[64], tmp[32];
	int dir, fd, rc;

	dir = cache_dir_fd();
	if (dir < 0)
		return dir;
	evict(dir, KERNEL_CACHE_ENTRIES - 1);
	rc = room_for(dir, stored_size(elf, len));
	if (rc) {
		close(dir);
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "tmp.%d", (int)getpid());
	unlinkat(dir, tmp, 0);
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		close(dir);
		return rc;
	}
	header_of(st, len, &h);
	rc = pwrite(fd, &h, sizeof(h), 0) == sizeof(h) ? write_sparse(fd, elf, len) : -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	entry_name(st, name);
	if (!rc && renameat(dir, tmp, dir, name))
		rc = -errno;
	if (rc)
		unlinkat(dir, tmp, 0);
	close(dir);
	return rc;
}
