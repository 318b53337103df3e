/*
 * Host tests of keelctl mem-set and mem-max (xl's): sizes as xl reads them, the xenstore
 * nodes the guest's balloon driver follows, keel's limit, and the refusals, against the real
 * xenstored and a fake keel.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "commands.h"
#include "domains.h"
#include "fake_hv.h"
#include "host.h"
#include "keelctl_test.h"
#include "mem_size.h"
#include "util.h"
#include "xs.h"
#include "xs_client.h"

static struct xs_daemon daemon_;
static struct xenstore_domain_interface *rings[3];
static struct fake_hv fake;
static struct kc kc;
static struct out_buf out;
static char *kernel_path;

static int group_setup(void **state)
{
	size_t len;
	uint8_t *elf = test_kernel_elf(&len, 1);

	tmpdir_make();
	kernel_path = xstrdup(tmp_file("kernel.elf", elf, len));
	free(elf);
	return 0;
}

static int group_teardown(void **state)
{
	free(kernel_path);
	tmpdir_remove();
	return 0;
}

static int setup(void **state)
{
	assert_int_equal(daemon_start(&daemon_, NULL), 0);
	for (unsigned int i = 1; i < 3; i++) {
		rings[i] = daemon_ring_page(&daemon_, i);
		assert_non_null(rings[i]);
	}
	fake_hv_init(&fake);
	out_open(&out);
	capture_start();
	kc = (struct kc){ .hv = &fake.hv, .xs_path = daemon_.socket, .out = out.f };
	assert_non_null(kc_xs(&kc));
	return 0;
}

static int teardown(void **state)
{
	kc_close(&kc);
	capture_stop();
	out_close(&out);
	fake_hv_fini(&fake);
	for (unsigned int i = 1; i < 3; i++)
		munmap(rings[i], 4096);
	assert_true(daemon_alive(&daemon_));
	assert_int_equal(daemon_stop(&daemon_), 0);
	return 0;
}

#define run(...) run_command(&kc, __VA_ARGS__)

#define expect_node(path, want) expect_xs_node(&kc, path, want)

/* A guest of @mb MiB, started; its id. */
static uint16_t create(const char *name, unsigned int mb)
{
	char *text = xasprintf("name = '%s'\nkernel = '%s'\nmemory = %u\n", name, kernel_path, mb);
	char *path = tmp_file("mem.cfg", text, strlen(text));
	uint16_t domid;

	free(text);
	if (run("create", "-e", path, NULL))
		fail_msg("create %s failed:\n%s", name, captured());
	assert_int_equal(domain_find(&kc, name, &domid), 0);
	return domid;
}

static void test_sizes(void **state)
{
	static const struct { const char *s; uint64_t kb; } good[] = {
		{ "512", 512 << 10 }, { "512m", 512 << 10 }, { "512M", 512 << 10 },
		{ "2048k", 2048 }, { "1g", 1 << 20 }, { "2T", 2ULL << 30 },
		{ "1048576b", 1024 }, { "1500b", 1 }, { "0", 0 },
		{ "17592186044415k", 17592186044415ULL }, { "17592186044415g", 17592186044415ULL << 20 },
	};
	static const char *const bad[] = {
		"", "m", "-1", "+5", " 5", "5 ", "5mb", "5x", "1.5g", "0x10",
		"18446744073709551616k", "18014398509481984m", "17592186044416g",
	};
	uint64_t kb;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		kb = 7;
		if (!parse_mem_kb(good[i].s, &kb) || kb != good[i].kb)
			fail_msg("'%s': %llu", good[i].s, (unsigned long long)kb);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_mem_kb(bad[i], &kb))
			fail_msg("'%s' accepted: %llu", bad[i], (unsigned long long)kb);
	/* keel's limit: whole pages and libxl's slack. */
	assert_int_equal(mem_limit_kb(262144), 262144 + 1024);
	assert_int_equal(mem_limit_kb(262147), 262144 + 1024);
}

/* create writes what the balloon driver reads; mem-set moves the target and keel's limit. */
static void test_mem_set(void **state)
{
	uint16_t id = create("vm", 64);

	expect_node("/local/domain/1/memory/static-max", "65536");
	expect_node("/local/domain/1/memory/target", "65536");
	assert_int_equal(fake.dom[id].max_kb, 65536);

	assert_int_equal(run("mem-set", "vm", "48", NULL), EXIT_OK);
	expect_node("/local/domain/1/memory/target", "49152");
	expect_node("/local/domain/1/memory/static-max", "65536");
	assert_int_equal(fake.dom[id].max_kb, 49152 + 1024);
	assert_string_equal(captured(), "");

	/* The guest balloons: list shows what it has now. */
	fake.dom[id].cur_kb = 49152 + 12;
	assert_int_equal(run("list", "vm", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "vm                                           1    48"));

	/* Back up, by id and in KiB; to its maximum exactly. */
	assert_int_equal(run("mem-set", "1", "65536k", NULL), EXIT_OK);
	expect_node("/local/domain/1/memory/target", "65536");
	assert_int_equal(fake.dom[id].max_kb, 65536 + 1024);

	/* Above its maximum: refused, nothing changed. */
	assert_int_equal(run("mem-set", "vm", "65", NULL), EXIT_FAIL);
	expect_message("keelctl: mem-set: vm (d1): 65 MiB is above its maximum, 64 MiB "
		       "(keelctl mem-max raises it)\n");
	expect_node("/local/domain/1/memory/target", "65536");
	assert_int_equal(fake.dom[id].max_kb, 65536 + 1024);
}

static void test_mem_max(void **state)
{
	uint16_t id = create("vm", 64);

	assert_int_equal(run("mem-set", "vm", "32", NULL), EXIT_OK);
	/* Below the target: refused, as xl's. */
	capture_reset();
	assert_int_equal(run("mem-max", "vm", "31", NULL), EXIT_FAIL);
	expect_message("keelctl: mem-max: vm (d1): 31 MiB is below its memory target, 32 MiB "
		       "(keelctl mem-set lowers that first)\n");
	expect_node("/local/domain/1/memory/static-max", "65536");
	assert_int_equal(fake.dom[id].max_kb, 32768 + 1024);

	/* At the target; then above what it was built with, and mem-set up to it warns. */
	assert_int_equal(run("mem-max", "vm", "32", NULL), EXIT_OK);
	expect_node("/local/domain/1/memory/static-max", "32768");
	assert_int_equal(fake.dom[id].max_kb, 32768 + 1024);
	assert_int_equal(run("mem-set", "vm", "40", NULL), EXIT_FAIL);
	assert_int_equal(run("mem-max", "vm", "1g", NULL), EXIT_OK);
	expect_node("/local/domain/1/memory/static-max", "1048576");
	assert_int_equal(fake.dom[id].max_kb, 1048576 + 1024);
	capture_reset();
	assert_int_equal(run("mem-set", "vm", "128", NULL), EXIT_OK);
	expect_message("keelctl: warning: vm (d1) was built with 64 MiB: a PVH guest on keel "
		       "cannot grow past that (it would need memory hotplug)\n");
	expect_node("/local/domain/1/memory/target", "131072");
}

static void test_refusals(void **state)
{
	create("vm", 64);
	assert_int_equal(run("mem-set", "vm", NULL), EXIT_USAGE);
	expect_message("keelctl mem-set: a domain and a size are needed\n");
	assert_int_equal(run("mem-max", "vm", "1", "2", NULL), EXIT_USAGE);
	expect_message("keelctl mem-max: one domain and one size only\n");
	assert_int_equal(run("mem-set", "vm", "lots", NULL), EXIT_USAGE);
	expect_message("keelctl mem-set: 'lots' is not a memory size (a number, unit k, m, g or t; "
		       "m when none)\n");
	assert_int_equal(run("mem-set", "vm", "3", NULL), EXIT_USAGE);
	expect_message("keelctl mem-set: 3 is outside 4 MiB to 64 GiB\n");
	assert_int_equal(run("mem-max", "vm", "65g", NULL), EXIT_USAGE);
	assert_int_equal(run("mem-set", "nosuch", "32", NULL), EXIT_FAIL);
	expect_message("keelctl: no domain named 'nosuch'\n");
	assert_int_equal(run("mem-set", "Domain-0", "128", NULL), EXIT_FAIL);
	expect_message("dom0 gets no memory settings (dom0_mem= sets its memory)");
	/* A guest without its nodes (not keelctl's): said so, keel untouched. */
	assert_int_equal(xs_rm(kc.xs, 0, "/local/domain/1/memory"), 0);
	capture_reset();
	assert_int_equal(run("mem-set", "vm", "32", NULL), EXIT_FAIL);
	expect_message("keelctl: d1: cannot read /local/domain/1/memory/static-max from xenstore: ");
	assert_int_equal(fake.dom[1].max_kb, 65536);
	/* keel's refusal is reported. */
	assert_int_equal(xs_write(kc.xs, 0, "/local/domain/1/memory/target", "1024"), 0);
	fake.fail_cmd = KEEL_DOMCTL_set_max_mem;
	fake.fail_rc = -EINVAL;
	assert_int_equal(run("mem-max", "vm", "32", NULL), EXIT_FAIL);
	expect_message("keelctl: vm (d1): keel refused set_max_mem: Invalid argument (EINVAL)\n");
	assert_int_equal(xs_read(kc.xs, 0, "/local/domain/1/memory/static-max", &(char *){ 0 }),
			 -ENOENT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		T(test_mem_set),
		T(test_mem_max),
		T(test_refusals),
	};

	return cmocka_run_group_tests_name("keelctl_mem", tests, group_setup, group_teardown);
}
