/*
 * Host tests of keelctl's cache of unpacked bzImages: a second open reads the cache, any change
 * to the bzImage misses it, the least recently used entry goes, zero pages are holes, and a
 * directory that is not keelctl's own or a symbolic link is not used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "host.h"
#include "keelctl_test.h"
#include "kernel_cache.h"
#include "kernel_image.h"
#include "progress.h"
#include "util.h"

static uint8_t *elf, *bz;
static size_t elf_len, bz_len;
static char cache[192], dir[128];

static int before(void **state)
{
	elf = test_kernel_elf(&elf_len, 1);
	bz = test_bzimage(elf, elf_len, &bz_len);
	snprintf(dir, sizeof(dir), "%s", tmpdir_make());
	snprintf(cache, sizeof(cache), "%s/cache/kernels", dir);
	kernel_cache_dir = cache;
	capture_start();
	return 0;
}

static int after(void **state)
{
	capture_stop();
	kernel_cache_dir = NULL;
	tmpdir_remove();
	free(elf);
	free(bz);
	return 0;
}

/* How many cache entries (*.elf) the directory holds. */
static unsigned int entries(void)
{
	char cmd[256];
	FILE *p;
	unsigned int n = 0;

	snprintf(cmd, sizeof(cmd), "ls %s 2>/dev/null | grep -c '\\.elf$'", cache);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%u", &n), 1);
	pclose(p);
	return n;
}

/* The one cache entry's path (the test made one). */
static const char *entry_path(const char *bzimage)
{
	struct stat st;

	assert_int_equal(stat(bzimage, &st), 0);
	return xasprintf_tmp("%s/%llx-%llx.elf", cache, (unsigned long long)st.st_dev,
			     (unsigned long long)st.st_ino);
}

static void open_ok(const char *path, struct kernel_image *img)
{
	assert_int_equal(kernel_image_open(path, 64 << 20, img), 0);
	assert_true(img->from_bzimage);
}

static void test_second_open_reads_the_cache(void **state)
{
	char *path = xstrdup(tmp_file("vmlinuz", bz, bz_len));
	struct kernel_image a, b, c;
	const char *entry;
	uint8_t mark = 0xA5;
	int fd;

	open_ok(path, &a);
	assert_int_equal(a.elf_len, elf_len);
	assert_memory_equal(a.elf, elf, elf_len);
	assert_int_equal(entries(), 1);
	entry = entry_path(path);

	/* Mark the cached copy: the next open must return the mark, so it read the cache. */
	fd = open(entry, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &mark, 1, 4096 + 0x1000 + 5), 1);
	close(fd);
	open_ok(path, &b);
	assert_int_equal(b.elf_len, elf_len);
	assert_int_equal(b.elf[0x1000 + 5], mark);
	assert_memory_equal(b.elf, elf, 0x1000 + 5);

	/* Any write to the bzImage changes its times: the cache misses and is made anew. */
	assert_int_equal(utimensat(AT_FDCWD, path, NULL, 0), 0);
	open_ok(path, &c);
	assert_memory_equal(c.elf, elf, elf_len);
	assert_int_equal(entries(), 1);
	kernel_image_free(&a);
	kernel_image_free(&b);
	kernel_image_free(&c);
	free(path);
}

static void test_plain_elf_is_not_cached(void **state)
{
	struct kernel_image img;

	assert_int_equal(kernel_image_open(tmp_file("kernel.elf", elf, elf_len), 64 << 20, &img), 0);
	assert_false(img.from_bzimage);
	assert_int_equal(entries(), 0);
	kernel_image_free(&img);
}

static void test_least_recently_used_goes(void **state)
{
	char *paths[KERNEL_CACHE_ENTRIES + 1];
	struct kernel_image img;
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };

	for (unsigned int i = 0; i <= KERNEL_CACHE_ENTRIES; i++) {
		paths[i] = xstrdup(tmp_file(xasprintf_tmp("vmlinuz-%u", i), bz, bz_len));
		open_ok(paths[i], &img);
		kernel_image_free(&img);
		if (i == 0)	/* the first is the oldest */
			assert_int_equal(utimensat(AT_FDCWD, entry_path(paths[0]), old, 0), 0);
		if (i == 1) {	/* the second too, but it is used again below */
			assert_int_equal(utimensat(AT_FDCWD, entry_path(paths[1]), old, 0), 0);
			open_ok(paths[1], &img);
			kernel_image_free(&img);
		}
	}
	assert_int_equal(entries(), KERNEL_CACHE_ENTRIES);
	assert_int_equal(access(entry_path(paths[0]), F_OK), -1);
	assert_int_equal(access(entry_path(paths[1]), F_OK), 0);
	for (unsigned int i = 0; i <= KERNEL_CACHE_ENTRIES; i++)
		free(paths[i]);
}

static void test_zero_pages_are_holes(void **state)
{
	/* A kernel with 4 MiB of zeros in its file: the entry takes far less than that. */
	size_t big_len = elf_len + (4u << 20);
	uint8_t *big = calloc(1, big_len), *big_bz;
	size_t big_bz_len;
	struct kernel_image img;
	struct stat st;
	char *path;

	memcpy(big, elf, elf_len);
	big_bz = test_bzimage(big, big_len, &big_bz_len);
	path = xstrdup(tmp_file("vmlinuz-big", big_bz, big_bz_len));
	open_ok(path, &img);
	kernel_image_free(&img);
	assert_int_equal(stat(entry_path(path), &st), 0);
	assert_int_equal(st.st_size, 4096 + big_len);
	assert_true((size_t)st.st_blocks * 512 < (1u << 20));
	open_ok(path, &img);
	assert_int_equal(img.elf_len, big_len);
	assert_memory_equal(img.elf, big, big_len);
	kernel_image_free(&img);
	free(path);
	free(big);
	free(big_bz);
}

static void test_unsafe_directory_is_not_used(void **state)
{
	char *path = xstrdup(tmp_file("vmlinuz", bz, bz_len));
	const char *target = xasprintf_tmp("%s/elsewhere", cache);
	struct kernel_image img;
	struct stat st;

	/* Group- and world-writable: made keelctl's alone before use. */
	assert_int_equal(mkdir_parents(cache), 0);
	assert_int_equal(chmod(cache, 0777), 0);
	open_ok(path, &img);
	kernel_image_free(&img);
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(entries(), 1);

	/* A symbolic link in its place is not followed. */
	assert_int_equal(mkdir(target, 0700), 0);
	kernel_cache_dir = xasprintf_tmp("%s/link", cache);
	assert_int_equal(symlink(target, kernel_cache_dir), 0);
	assert_int_equal(utimensat(AT_FDCWD, path, NULL, 0), 0);
	open_ok(path, &img);
	kernel_image_free(&img);
	assert_int_equal(system(xasprintf_tmp("test -z \"$(ls %s)\"", target)), 0);
	free(path);
}

/* A kernel that would take more than half of a small file system's free space is not kept. */
static void test_full_file_system_is_left_alone(void **state)
{
	size_t big_len = elf_len + (200u << 10);
	uint8_t *big = malloc(big_len), *big_bz;
	const char *fs = xasprintf_tmp("%s/small", dir);
	struct kernel_image img;
	size_t big_bz_len;
	char *path;

	memcpy(big, elf, elf_len);
	for (size_t i = elf_len; i < big_len; i++)
		big[i] = (uint8_t)(i * 7 + 1);
	big_bz = test_bzimage(big, big_len, &big_bz_len);
	path = xstrdup(tmp_file("vmlinuz-full", big_bz, big_bz_len));
	assert_int_equal(mkdir(fs, 0700), 0);
	if (mount("keelctl-test", fs, "tmpfs", 0, "size=256k")) {
		fprintf(stderr, "skipped: cannot mount a tmpfs (%s)\n", strerror(errno));
		free(path), free(big), free(big_bz);
		skip();
	}
	kernel_cache_dir = fs;
	progress_begin(PROGRESS_LINES, kc_errf, "full");
	open_ok(path, &img);
	progress_end();
	assert_memory_equal(img.elf, big, big_len);
	kernel_image_free(&img);
	expect_message("the unpacked kernel is not kept in");
	assert_int_equal(system(xasprintf_tmp("test -z \"$(ls %s)\"", fs)), 0);
	assert_int_equal(umount(fs), 0);
	free(path);
	free(big);
	free(big_bz);
}

static void test_no_cache_when_off(void **state)
{
	struct kernel_image img;

	kernel_cache_dir = NULL;
	open_ok(tmp_file("vmlinuz", bz, bz_len), &img);
	kernel_image_free(&img);
	assert_int_equal(access(cache, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_second_open_reads_the_cache, before, after),
		cmocka_unit_test_setup_teardown(test_plain_elf_is_not_cached, before, after),
		cmocka_unit_test_setup_teardown(test_least_recently_used_goes, before, after),
		cmocka_unit_test_setup_teardown(test_zero_pages_are_holes, before, after),
		cmocka_unit_test_setup_teardown(test_unsafe_directory_is_not_used, before, after),
		cmocka_unit_test_setup_teardown(test_full_file_system_is_left_alone, before, after),
		cmocka_unit_test_setup_teardown(test_no_cache_when_off, before, after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
