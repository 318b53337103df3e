/*
 * Host tests of keelctl's domain builder against a fake keel: an ELF64, an ELF32, a bzImage
 * and (when present) Debian's kernel loaded into fake guest RAM; every failure leaves no domain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "builder.h"
#include "config.h"
#include "fake_hv.h"
#include "guest_mem.h"
#include "host.h"
#include "keelctl_test.h"
#include "kernel_image.h"
#include "util.h"

#define RAMDISK_LEN	10000

static struct fake_hv fake;
static char *elf_path, *elf32_path, *bz_path, *ramdisk_path, *noentry_path, *garbage_path;
static uint8_t ramdisk[RAMDISK_LEN];

static int setup(void **state)
{
	size_t len, bz_len;
	uint8_t *elf = test_kernel_elf(&len, 1), *bz = test_bzimage(elf, len, &bz_len);
	uint8_t *noentry = test_kernel_elf(&len, 0);
	size_t len32;
	uint8_t *elf32 = test_kernel_elf32(&len32);

	tmpdir_make();
	elf_path = xstrdup(tmp_file("kernel.elf", elf, len));
	bz_path = xstrdup(tmp_file("vmlinuz", bz, bz_len));
	noentry_path = xstrdup(tmp_file("noentry.elf", noentry, len));
	elf32_path = xstrdup(tmp_file("kernel32.elf", elf32, len32));
	garbage_path = xstrdup(tmp_file("garbage", "MZ this is no kernel at all", 27));
	for (size_t i = 0; i < RAMDISK_LEN; i++)
		ramdisk[i] = (uint8_t)(i * 31 + 7);
	ramdisk_path = xstrdup(tmp_file("initrd", ramdisk, RAMDISK_LEN));
	free(elf);
	free(bz);
	free(noentry);
	free(elf32);
	return 0;
}

static int teardown(void **state)
{
	free(elf_path);
	free(bz_path);
	free(noentry_path);
	free(elf32_path);
	free(garbage_path);
	free(ramdisk_path);
	tmpdir_remove();
	return 0;
}

static int before(void **state)
{
	fake_hv_init(&fake);
	capture_start();
	return 0;
}

static int after(void **state)
{
	capture_stop();
	fake_hv_fini(&fake);
	return 0;
}

/* A configuration from text with %s for the kernel and the ramdisk. */
static void config(struct domain_config *cfg, const char *fmt, const char *kernel,
		   const char *ramdisk)
{
	char *text = xasprintf(fmt, kernel, ramdisk);

	if (config_parse_text("t.cfg", text, strlen(text), NULL, 0, cfg, stderr))
		fail_msg("bad test config:\n%s", text);
	free(text);
}

#define GOOD_CFG "name = 'vm'\nmemory = 16\nvcpus = 2\nkernel = '%s'\nramdisk = '%s'\n" \
	"root = '/dev/xvda1'\nextra = 'console=hvc0'\non_reboot = 'preserve'\n"

static void check_loaded(const struct build_report *rep)
{
	struct fake_domain *d = &fake.dom[rep->domid];
	uint64_t rd = TK_HIGHEST;	/* page-aligned already */

	assert_int_equal(rep->domid, 1);
	assert_true(d->exists);
	assert_true(d->flags & KEEL_DOMINF_paused);
	assert_int_equal(d->vcpus, 2);
	assert_int_equal(d->mem_kb, 16 << 10);
	assert_int_equal(d->on_poweroff, KEEL_ACTION_destroy);
	assert_int_equal(d->on_reboot, KEEL_ACTION_preserve);
	assert_int_equal(d->on_crash, KEEL_ACTION_destroy);
	for (size_t i = 0; i < TK_SEG0_FILESZ; i++)
		if (d->ram[TK_SEG0_PADDR + i] != test_kernel_byte(0, i))
			fail_msg("segment 0 byte %zu", i);
	for (size_t i = 0; i < TK_SEG1_FILESZ; i++)
		if (d->ram[TK_SEG1_PADDR + i] != test_kernel_byte(1, i))
			fail_msg("segment 1 byte %zu", i);
	/* The bss is zeroed; the bytes around the image are untouched (0xa5). */
	for (size_t i = TK_SEG1_FILESZ; i < TK_SEG1_MEMSZ; i++)
		if (d->ram[TK_SEG1_PADDR + i])
			fail_msg("bss byte %#zx not zero", i);
	assert_int_equal(d->ram[TK_SEG0_PADDR - 1], 0xa5);
	assert_int_equal(d->ram[TK_SEG0_PADDR + TK_SEG0_MEMSZ], 0xa5);
	assert_memory_equal(d->ram + rd, ramdisk, RAMDISK_LEN);
	assert_int_equal(d->ram[rd + RAMDISK_LEN], 0xa5);
	assert_true(d->boot_set);
	assert_int_equal(d->entry, TK_ENTRY);
	assert_int_equal(d->ramdisk_gpa, rd);
	assert_int_equal(d->ramdisk_size, RAMDISK_LEN);
	assert_string_equal(d->cmdline, "root=/dev/xvda1 console=hvc0");
	assert_int_equal(rep->entry, TK_ENTRY);
	assert_int_equal(rep->kernel_start, TK_SEG0_PADDR);
	assert_int_equal(rep->kernel_end, TK_HIGHEST);
	assert_int_equal(rep->ramdisk_gpa, rd);
	assert_string_equal(rep->cmdline, "root=/dev/xvda1 console=hvc0");
	assert_int_equal(fake.maps_outstanding, 0);
	assert_int_equal(fake.calls[KEEL_DOMCTL_unpause], 0);
	assert_int_equal(fake.calls[KEEL_DOMCTL_destroy], 0);
}

static void test_build_elf(void **state)
{
	struct domain_config cfg;
	struct build_report rep;

	config(&cfg, GOOD_CFG, elf_path, ramdisk_path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), 0);
	check_loaded(&rep);
	assert_false(rep.from_bzimage);
	/* No weight or cap: keel's defaults stay. */
	assert_int_equal(fake.calls[KEEL_DOMCTL_set_sched], 0);
	assert_string_equal(captured(), "");
	build_report_free(&rep);
	config_free(&cfg);
}

/* An ELF32 PVH kernel (objcopy -O elf32-i386 of a 64-bit one) is built the same way. */
static void test_build_elf32(void **state)
{
	struct domain_config cfg;
	struct build_report rep;

	config(&cfg, GOOD_CFG, elf32_path, ramdisk_path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), 0);
	check_loaded(&rep);
	assert_false(rep.from_bzimage);
	assert_string_equal(captured(), "");
	build_report_free(&rep);
	config_free(&cfg);
}

static void test_build_bzimage(void **state)
{
	struct domain_config cfg;
	struct build_report rep;

	config(&cfg, GOOD_CFG "cpu_weight = 512\ncap = 25\n", bz_path, ramdisk_path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), 0);
	check_loaded(&rep);
	assert_true(rep.from_bzimage);
	assert_int_equal(fake.dom[1].weight, 512);
	assert_int_equal(fake.dom[1].cap, 25);
	build_report_free(&rep);
	config_free(&cfg);
}

static void test_build_debian_kernel(void **state)
{
	struct domain_config cfg;
	struct build_report rep;
	struct kernel_image img;

	if (access(DEBIAN_VMLINUZ, R_OK)) {
		fprintf(stderr, "skipped: %s is not there ('make linux' fetches Debian's kernel)\n",
			DEBIAN_VMLINUZ);
		skip();
	}
	config(&cfg, "name='deb'\nmemory=128\nkernel='%s'\nramdisk='%s'\ncmdline='console=hvc0'\n",
	       DEBIAN_VMLINUZ, ramdisk_path);
	assert_int_equal(kernel_image_open(DEBIAN_VMLINUZ, 128 << 20, &img), 0);
	assert_true(img.from_bzimage);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), 0);
	assert_int_equal(fake.dom[rep.domid].entry, img.entry);
	assert_int_equal(rep.kernel_end, img.highest);
	/* Linux's first PT_LOAD is file offset 0x200000 at its lowest address. */
	assert_memory_equal(fake.dom[rep.domid].ram + img.lowest, img.elf + 0x200000, 1 << 20);
	assert_int_equal(fake.dom[rep.domid].ramdisk_gpa, (img.highest + 4095) & ~4095ull);
	assert_memory_equal(fake.dom[rep.domid].ram + fake.dom[rep.domid].ramdisk_gpa, ramdisk,
			    RAMDISK_LEN);
	assert_string_equal(fake.dom[rep.domid].cmdline, "console=hvc0");
	assert_int_equal(fake.maps_outstanding, 0);
	kernel_image_free(&img);
	build_report_free(&rep);
	config_free(&cfg);
}

/* A build that keel refuses at @cmd: the domain is destroyed, nothing stays mapped. */
static void expect_refused(uint32_t cmd, int rc, const char *message)
{
	struct domain_config cfg;
	struct build_report rep;

	fake_hv_fini(&fake);
	fake_hv_init(&fake);
	capture_reset();
	fake.fail_cmd = cmd;
	fake.fail_rc = rc;
	config(&cfg, GOOD_CFG "cpu_weight = 100\n", elf_path, ramdisk_path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), rc);
	expect_message(message);
	assert_int_equal(fake_hv_domains(&fake), 0);
	assert_int_equal(fake.maps_outstanding, 0);
	assert_int_equal(fake.calls[KEEL_DOMCTL_destroy], cmd == KEEL_DOMCTL_create ? 0 : 1);
	assert_int_equal(fake.calls[KEEL_DOMCTL_unpause], 0);
	config_free(&cfg);
}

static void test_refused_hypercalls_leave_nothing(void **state)
{
	expect_refused(KEEL_DOMCTL_create, -ENOSPC,
		       "keelctl: vm: keel refused create (2 vCPUs): No space left on device (ENOSPC)\n");
	expect_refused(KEEL_DOMCTL_set_actions, -EINVAL,
		       "keelctl: vm (d1): keel refused set_actions: Invalid argument (EINVAL)\n");
	expect_refused(KEEL_DOMCTL_set_sched, -EINVAL,
		       "keelctl: vm (d1): keel refused set_sched (weight 100, cap 0): Invalid argument (EINVAL)\n");
	expect_refused(KEEL_DOMCTL_set_memory, -ENOMEM,
		       "keelctl: vm (d1): keel refused set_memory (16 MiB): Cannot allocate memory (ENOMEM)\n");
	expect_refused(KEEL_DOMCTL_set_boot, -E2BIG,
		       "keelctl: vm (d1): keel refused set_boot (entry 0x100040): Argument list too long (E2BIG)\n");
}

static void expect_map_failure(unsigned int at, const char *message)
{
	struct domain_config cfg;
	struct build_report rep;

	fake_hv_fini(&fake);
	fake_hv_init(&fake);
	capture_reset();
	fake.fail_map_at = at;
	config(&cfg, GOOD_CFG, elf_path, ramdisk_path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), -ENOENT);
	expect_message("cannot map guest frames");
	expect_message(message);
	assert_int_equal(fake_hv_domains(&fake), 0);
	assert_int_equal(fake.maps_outstanding, 0);
	assert_int_equal(fake.calls[KEEL_DOMCTL_destroy], 1);
	assert_int_equal(fake.calls[KEEL_DOMCTL_set_boot], 0);
	config_free(&cfg);
}

static void test_map_failures_leave_nothing(void **state)
{
	/* Segment 0, the bss of segment 1, the ramdisk. */
	expect_map_failure(1, "keelctl: vm (d1): loading the kernel");
	expect_map_failure(3, "keelctl: vm (d1): loading the kernel");
	expect_map_failure(4, "keelctl: vm (d1): loading the ramdisk");
}

/* A build whose input is bad: refused before keel is asked for a domain. */
static void expect_bad_input(const char *fmt, const char *kernel, const char *rd, int rc,
			     const char *message)
{
	struct domain_config cfg;
	struct build_report rep;

	capture_reset();
	config(&cfg, fmt, kernel, rd);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), rc);
	expect_message(message);
	assert_int_equal(fake.calls[KEEL_DOMCTL_create], 0);
	assert_int_equal(fake.map_calls, 0);
	config_free(&cfg);
}

static void test_bad_input_creates_nothing(void **state)
{
	char *msg;

	expect_bad_input("name='vm'\nkernel='%s'\n", "/nonexistent/vmlinuz", NULL, -ENOENT,
			 "keelctl: /nonexistent/vmlinuz: No such file or directory\n");
	msg = xasprintf("keelctl: %s: elf: not a PVH kernel: no XEN_ELFNOTE_PHYS32_ENTRY note\n",
			noentry_path);
	expect_bad_input("name='vm'\nkernel='%s'\n", noentry_path, NULL, -ENOEXEC, msg);
	free(msg);
	msg = xasprintf("keelctl: %s: not a PVH kernel: ", garbage_path);
	expect_bad_input("name='vm'\nkernel='%s'\n", garbage_path, NULL, -ENOEXEC, msg);
	free(msg);
	expect_bad_input("name='vm'\nkernel='%s'\nramdisk='%s'\n", elf_path, "/nonexistent/initrd",
			 -ENOENT, "keelctl: /nonexistent/initrd: No such file or directory\n");
	expect_bad_input("name='vm'\nkernel='%s'\nramdisk='%s'\n", elf_path, "/dev/null", -EINVAL,
			 "keelctl: /dev/null: the ramdisk is empty\n");
	expect_bad_input("name='vm'\nkernel='%s'\nramdisk='%s'\n", elf_path, "/", -EISDIR,
			 "keelctl: /: Is a directory\n");
}

static void test_ramdisk_must_fit(void **state)
{
	uint8_t *big = calloc(1, 2 << 20);
	struct domain_config cfg;
	struct build_report rep;
	char *path, *msg;

	assert_non_null(big);
	path = xstrdup(tmp_file("big-initrd", big, 2 << 20));
	/* 4 MiB: the kernel ends at 0x205000, 2 MiB more ends past 0x400000. */
	config(&cfg, "name='vm'\nmemory=4\nkernel='%s'\nramdisk='%s'\n", elf_path, path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), -E2BIG);
	msg = xasprintf("keelctl: vm: ramdisk %s (2048 KiB) does not fit in 4 MiB after the kernel (it would end at 0x405000, RAM at 0x400000): raise memory\n",
			path);
	expect_message(msg);
	assert_int_equal(fake.calls[KEEL_DOMCTL_create], 0);
	config_free(&cfg);
	/* With 5 MiB it fits, right after the kernel. */
	config(&cfg, "name='vm'\nmemory=5\nkernel='%s'\nramdisk='%s'\n", elf_path, path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), 0);
	assert_int_equal(fake.dom[rep.domid].ramdisk_gpa, TK_HIGHEST);
	assert_int_equal(fake.dom[rep.domid].ramdisk_size, 2 << 20);
	build_report_free(&rep);
	config_free(&cfg);
	free(msg);
	free(path);
	free(big);
}

static void test_kernel_must_fit(void **state)
{
	struct kernel_image img;
	char *msg = xasprintf("keelctl: %s: elf: segment 0x200000-0x205000 does not fit in guest RAM (2 MiB)\n",
			      elf_path);

	assert_int_equal(kernel_image_open(elf_path, 2 << 20, &img), -E2BIG);
	expect_message(msg);
	assert_null(img.elf);
	free(msg);
}

/*
 * Before anything is decompressed or created: a bzImage's header (load address + init_size)
 * and the ramdisk's size against memory, with the sizes in the message.
 */
static void test_kernel_and_ramdisk_fit_checked_first(void **state)
{
	size_t elf_len, bz_len;
	uint8_t *elf = test_kernel_elf(&elf_len, 1), *bz = test_bzimage(elf, elf_len, &bz_len);
	uint8_t *big = calloc(1, 6 << 20);
	uint64_t pref = 0x100000;
	uint32_t init = 8 << 20;
	struct domain_config cfg;
	struct build_report rep;
	char *bz_path, *rd_path;

	memcpy(bz + 0x258, &pref, 8);
	memcpy(bz + 0x260, &init, 4);
	bz_path = xstrdup(tmp_file("fit-bzimage", bz, bz_len));
	rd_path = xstrdup(tmp_file("fit-initrd", big, 6 << 20));
	config(&cfg, "name='vm'\nmemory=8\nkernel='%s'\n", bz_path, NULL);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), -E2BIG);
	expect_message(xasprintf_tmp("keelctl: vm: the kernel %s needs 9 MiB (up to its end); memory is 8 MiB: raise memory\n",
				     bz_path));
	config_free(&cfg);
	capture_reset();
	config(&cfg, "name='vm'\nmemory=12\nkernel='%s'\nramdisk='%s'\n", bz_path, rd_path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), -E2BIG);
	expect_message(xasprintf_tmp("keelctl: vm: the kernel %s (9 MiB up to its end) and the ramdisk %s (6 MiB) need 15 MiB; memory is 12 MiB: raise memory\n",
				     bz_path, rd_path));
	config_free(&cfg);
	/* An ELF's needs are known once opened: the ramdisk alone is checked first. */
	capture_reset();
	config(&cfg, "name='vm'\nmemory=6\nkernel='%s'\nramdisk='%s'\n", elf_path, rd_path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), -E2BIG);
	expect_message(xasprintf_tmp("keelctl: vm: the ramdisk %s (6 MiB) needs more than 7 MiB with the kernel; memory is 6 MiB: raise memory\n",
				     rd_path));
	config_free(&cfg);
	assert_int_equal(fake.calls[KEEL_DOMCTL_create], 0);
	/* Enough: built. */
	config(&cfg, "name='vm'\nmemory=16\nkernel='%s'\nramdisk='%s'\n", bz_path, rd_path);
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), 0);
	build_report_free(&rep);
	config_free(&cfg);
	if (!access(DEBIAN_VMLINUZ, R_OK)) {
		/* Debian's kernel: 16 MiB + its init_size, about 80 MiB. */
		capture_reset();
		config(&cfg, "name='deb'\nmemory=64\nkernel='%s'\n", DEBIAN_VMLINUZ, NULL);
		assert_int_equal(build_domain(&fake.hv, &cfg, &rep), -E2BIG);
		expect_message("; memory is 64 MiB: raise memory\n");
		config_free(&cfg);
	}
	free(rd_path);
	free(bz_path);
	free(big);
	free(bz);
	free(elf);
}

static void test_guest_ram_ranges(void **state)
{
	assert_true(guest_ram_range(16 << 20, 0, 0x9f000));
	assert_false(guest_ram_range(16 << 20, 0x9e000, 0x2000));	/* into the boot page */
	assert_false(guest_ram_range(16 << 20, 0xff000, 0x2000));	/* from legacy space */
	assert_true(guest_ram_range(16 << 20, 0x100000, 0x1000));
	assert_true(guest_ram_range(16 << 20, (16 << 20) - 4096, 4096));
	assert_false(guest_ram_range(16 << 20, (16 << 20) - 4096, 8192));
	assert_false(guest_ram_range(16 << 20, ~0ull - 10, 100));	/* wraps */
	assert_int_equal(guest_low_ram_end(8ull << 30), 0xf0000000ull);
	assert_int_equal(guest_low_ram_end(64 << 20), 64 << 20);
}

static void test_guest_mem_chunks(void **state)
{
	size_t len = (5 << 20) + 100;
	uint8_t *data = malloc(len);
	struct guest_mem gm = { .hv = &fake.hv };
	uint16_t domid;

	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(i ^ (i >> 9));
	assert_int_equal(hv_create(&fake.hv, 1, &domid), 0);
	assert_int_equal(hv_set_memory(&fake.hv, domid, 16 << 10), 0);
	gm.domid = domid;
	/* Unaligned start: 1281 pages in chunks of 1024. */
	assert_int_equal(guest_mem_write(&gm, 0x100123, data, len), 0);
	assert_int_equal(fake.map_calls, 2);
	assert_memory_equal(fake.dom[domid].ram + 0x100123, data, len);
	assert_int_equal(fake.dom[domid].ram[0x100122], 0xa5);
	assert_int_equal(fake.dom[domid].ram[0x100123 + len], 0xa5);
	assert_int_equal(guest_mem_write(&gm, 0x100200, NULL, 5000), 0);
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(fake.dom[domid].ram[0x100200 + i], 0);
	assert_int_equal(gm.bytes_written, len + 5000);
	/* Past the end of its RAM: keel's error, reported. */
	assert_int_equal(guest_mem_write(&gm, (16 << 20) - 100, data, 200), -EINVAL);
	expect_message("keelctl: d1: cannot map guest frames 0xfff-0x1000: Invalid argument (EINVAL)\n");
	assert_int_equal(fake.maps_outstanding, 0);
	free(data);
}

static void test_overlong_cmdline_creates_nothing(void **state)
{
	struct domain_config cfg;
	struct build_report rep;

	config(&cfg, "name='vm'\nkernel='%s'\n", elf_path, NULL);
	cfg.cmdline = malloc(1100);
	memset(cfg.cmdline, 'x', 1099);
	cfg.cmdline[1099] = '\0';
	assert_int_equal(build_domain(&fake.hv, &cfg, &rep), -E2BIG);
	expect_message("keelctl: vm: the kernel command line is 1099 bytes; keel takes at most 1023\n");
	assert_int_equal(fake.calls[KEEL_DOMCTL_create], 0);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build_elf, before, after),
		cmocka_unit_test_setup_teardown(test_build_elf32, before, after),
		cmocka_unit_test_setup_teardown(test_build_bzimage, before, after),
		cmocka_unit_test_setup_teardown(test_build_debian_kernel, before, after),
		cmocka_unit_test_setup_teardown(test_refused_hypercalls_leave_nothing, before, after),
		cmocka_unit_test_setup_teardown(test_map_failures_leave_nothing, before, after),
		cmocka_unit_test_setup_teardown(test_bad_input_creates_nothing, before, after),
		cmocka_unit_test_setup_teardown(test_ramdisk_must_fit, before, after),
		cmocka_unit_test_setup_teardown(test_kernel_must_fit, before, after),
		cmocka_unit_test_setup_teardown(test_kernel_and_ramdisk_fit_checked_first, before, after),
		cmocka_unit_test_setup_teardown(test_guest_ram_ranges, before, after),
		cmocka_unit_test_setup_teardown(test_guest_mem_chunks, before, after),
		cmocka_unit_test_setup_teardown(test_overlong_cmdline_creates_nothing, before, after),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
