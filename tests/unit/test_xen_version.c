/*
 * Host tests of xen_version (common/version.c): each sub-op's answer, its size in guest memory
 * (no byte more), its error codes and the control domain's privileges, as Xen's do_xen_version.
 */
#include <stdlib.h>
#include <string.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/build_info.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/vcpu.h>
#include <public/features.h>
#include <public/version.h>
#include "host.h"

/* What the build would have written (build/compile_info.c); compile_by is too long on purpose. */
const char keel_compiler[] = "gcc (Test 1.0) 1.0";
const char keel_compile_by[] = "a-user-name-longer-than-16";
const char keel_compile_domain[] = "example.org";
const char keel_compile_date[] = "Thu Jan  1 00:00:00 UTC 1970";
const char keel_changeset[] = "Thu Jan 1 00:00:00 1970 +0000 git:0123abc";

/* A build-id note as ld --build-id=sha1 writes it, where build_id.c looks for it. */
asm(".section .rodata\n"
    ".balign 4\n"
    ".globl __note_gnu_build_id_start\n"
    "__note_gnu_build_id_start:\n"
    ".long 4, 20, 3\n"
    ".asciz \"GNU\"\n"
    ".byte 0x01,0x23,0x45,0x67,0x89,0xab,0xcd,0xef,0x10,0x32\n"
    ".byte 0x54,0x76,0x98,0xba,0xdc,0xfe,0x11,0x22,0x33,0x44\n"
    ".globl __note_gnu_build_id_end\n"
    "__note_gnu_build_id_end:\n"
    ".previous\n");
static const u8 build_id[20] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32,
	0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x11, 0x22, 0x33, 0x44,
};

struct boot_info boot_info;

/* Guest memory: GUEST_SIZE bytes at guest-virtual GUEST_VA, 0xee where nothing was written. */
#define GUEST_VA 0x10000ULL
#define GUEST_SIZE 8192
#define FILL 0xee
static u8 mem[GUEST_SIZE];
static unsigned int copies_to_guest;

static u8 *at(u64 va, u64 len)
{
	if (va < GUEST_VA || va - GUEST_VA > GUEST_SIZE || len > GUEST_SIZE - (va - GUEST_VA))
		return NULL;
	return mem + (va - GUEST_VA);
}

int copy_to_guest(struct vcpu *v, u64 va, const void *src, u64 len)
{
	u8 *p = at(va, len);

	copies_to_guest++;
	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, u64 va, u64 len)
{
	u8 *p = at(va, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

static struct domain dom0 = { .privileged = true }, domu = { .id = 1 };
static struct vcpu v0 = { .domain = &dom0 }, v1 = { .domain = &domu };

#define BAD_VA 0xdead00000000ULL
#define ARG (GUEST_VA + 16)

static int setup(void **state)
{
	(void)state;
	memset(mem, FILL, sizeof(mem));
	copies_to_guest = 0;
	memset(boot_info.cmdline, 0, sizeof(boot_info.cmdline));
	strcpy(boot_info.cmdline, "console=com1 loglvl=all dom0_mem=32M");
	return 0;
}

/* @len bytes written at ARG and not one more (nor before). */
static void written(size_t len)
{
	assert_int_equal(mem[15], FILL);
	assert_int_equal(mem[16 + len], FILL);
	for (size_t i = 0; i < len; i++)
		if (mem[16 + i] == FILL)
			fail_msg("byte %zu of %zu not written", i, len);
}

/* A fixed-size string answer: @s, then NULs up to @size. */
static void string_answer(const char *s, size_t size)
{
	size_t n = strlen(s);

	assert_true(n < size);
	assert_memory_equal(mem + 16, s, n);
	for (size_t i = n; i < size; i++)
		if (mem[16 + i])
			fail_msg("byte %zu of %zu is %#x, not NUL", i, size, mem[16 + i]);
	assert_int_equal(mem[16 + size], FILL);
}

static void test_version_and_strings(void **state)
{
	struct xen_compile_info ci;

	(void)state;
	assert_int_equal(do_xen_version(&v1, XENVER_version, 0), (4 << 16) | 17);
	assert_int_equal(do_xen_version(&v1, XENVER_version, BAD_VA), (4 << 16) | 17);

	assert_int_equal(do_xen_version(&v1, XENVER_extraversion, ARG), 0);
	string_answer(".0-keel", 16);

	setup(NULL);
	assert_int_equal(do_xen_version(&v1, XENVER_compile_info, ARG), 0);
	written(sizeof(ci));
	memcpy(&ci, mem + 16, sizeof(ci));
	assert_string_equal(ci.compiler, keel_compiler);
	assert_string_equal(ci.compile_by, "a-user-name-lon");	/* 15 + NUL */
	assert_string_equal(ci.compile_domain, "example.org");
	assert_string_equal(ci.compile_date, keel_compile_date);
	assert_int_equal(ci.compile_domain[31], 0);

	setup(NULL);
	assert_int_equal(do_xen_version(&v1, XENVER_capabilities, ARG), 0);
	string_answer("hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ", 1024);

	setup(NULL);
	assert_int_equal(do_xen_version(&v1, XENVER_changeset, ARG), 0);
	string_answer(keel_changeset, 64);

	for (int cmd = XENVER_extraversion; cmd <= XENVER_changeset; cmd++)
		assert_int_equal(do_xen_version(&v1, cmd, BAD_VA), -EFAULT);
	/* the answer must fit in guest memory: one byte short faults */
	assert_int_equal(do_xen_version(&v1, XENVER_extraversion, GUEST_VA + GUEST_SIZE - 15),
			 -EFAULT);
}

static void test_platform_pagesize_handle(void **state)
{
	(void)state;
	assert_int_equal(do_xen_version(&v1, XENVER_platform_parameters, ARG), 0);
	string_answer("", 8);		/* virt_start 0: a PVH guest has no split with Xen */
	assert_int_equal(do_xen_version(&v1, XENVER_platform_parameters, BAD_VA), -EFAULT);

	assert_int_equal(do_xen_version(&v1, XENVER_pagesize, 0), 4096);
	assert_int_equal(do_xen_version(&v1, XENVER_pagesize, ARG), -EINVAL);
	assert_int_equal(copies_to_guest, 2);

	setup(NULL);
	assert_int_equal(do_xen_version(&v1, XENVER_guest_handle, ARG), 0);
	string_answer("", 16);		/* no UUID given: zeroes, as Xen's */
	assert_int_equal(do_xen_version(&v0, XENVER_guest_handle, BAD_VA), -EFAULT);
}

static void test_features(void **state)
{
	struct xen_feature_info fi = { .submap_idx = 0, .submap = 0xdeadbeef };

	(void)state;
	memcpy(mem + 16, &fi, sizeof(fi));
	assert_int_equal(do_xen_version(&v0, XENVER_get_features, ARG), 0);
	memcpy(&fi, mem + 16, sizeof(fi));
	assert_int_equal(fi.submap_idx, 0);
	assert_int_equal(fi.submap, BIT(XENFEAT_writable_page_tables) |
			 BIT(XENFEAT_auto_translated_physmap) | BIT(XENFEAT_hvm_callback_vector) |
			 BIT(XENFEAT_hvm_safe_pvclock) | BIT(XENFEAT_not_direct_mapped));
	/* the same for every domain (no XENFEAT_dom0: keel's dom0 owns no hardware) */
	assert_int_equal(do_xen_version(&v1, XENVER_get_features, ARG), 0);
	assert_memory_equal(mem + 16, &fi, sizeof(fi));

	/* other submaps: -EINVAL, nothing written */
	fi = (struct xen_feature_info){ .submap_idx = 1, .submap = 0x5a5a5a5a };
	memcpy(mem + 16, &fi, sizeof(fi));
	copies_to_guest = 0;
	assert_int_equal(do_xen_version(&v1, XENVER_get_features, ARG), -EINVAL);
	fi.submap_idx = ~0u;
	memcpy(mem + 16, &fi, sizeof(fi));
	assert_int_equal(do_xen_version(&v1, XENVER_get_features, ARG), -EINVAL);
	assert_int_equal(copies_to_guest, 0);
	assert_int_equal(do_xen_version(&v1, XENVER_get_features, BAD_VA), -EFAULT);
}

static void test_commandline(void **state)
{
	(void)state;
	assert_int_equal(do_xen_version(&v0, XENVER_commandline, ARG), 0);
	string_answer(boot_info.cmdline, 1024);

	/* another domain gets "<denied>" and its NUL, not one byte more, and success */
	setup(NULL);
	assert_int_equal(do_xen_version(&v1, XENVER_commandline, ARG), 0);
	written(9);
	assert_string_equal((char *)mem + 16, "<denied>");
	assert_int_equal(do_xen_version(&v1, XENVER_commandline, BAD_VA), -EFAULT);
	assert_int_equal(do_xen_version(&v0, XENVER_commandline, BAD_VA), -EFAULT);

	/* a command line that fills the buffer is cut with its NUL */
	setup(NULL);
	memset(boot_info.cmdline, 'x', sizeof(boot_info.cmdline) - 1);
	assert_int_equal(do_xen_version(&v0, XENVER_commandline, ARG), 0);
	assert_int_equal(mem[16 + 1022], 'x');
	assert_int_equal(mem[16 + 1023], 0);
	assert_int_equal(mem[16 + 1024], FILL);
}

/* A varbuf sub-op at ARG with room for @room bytes: its result. */
static long varbuf(struct vcpu *v, int cmd, u32 room)
{
	memcpy(mem + 16, &room, sizeof(room));
	return do_xen_version(v, cmd, ARG);
}

static void test_build_id(void **state)
{
	(void)state;
	assert_int_equal(do_xen_version(&v0, XENVER_build_id, 0), 20);	/* its length */
	assert_int_equal(varbuf(&v0, XENVER_build_id, 19), -ENOBUFS);
	assert_int_equal(mem[16 + 4], FILL);
	assert_int_equal(varbuf(&v0, XENVER_build_id, 0), -ENOBUFS);
	assert_int_equal(varbuf(&v0, XENVER_build_id, 64), 20);
	assert_memory_equal(mem + 16 + 4, build_id, 20);
	assert_int_equal(mem[16 + 24], FILL);
	assert_int_equal(do_xen_version(&v0, XENVER_build_id, BAD_VA), -EFAULT);
	/* room claimed past guest memory: the copy faults */
	assert_int_equal(do_xen_version(&v0, XENVER_build_id, GUEST_VA + GUEST_SIZE - 8),
			 -EFAULT);

	/* the control domain's only */
	setup(NULL);
	assert_int_equal(do_xen_version(&v1, XENVER_build_id, 0), -EPERM);
	assert_int_equal(varbuf(&v1, XENVER_build_id, 64), -EPERM);
	assert_int_equal(mem[16 + 4], FILL);
}

static void test_varbuf_strings(void **state)
{
	const char *caps = "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ";
	struct {
		int cmd;
		const char *s;
		bool privileged_only;
	} ops[] = {
		{ XENVER_extraversion2, ".0-keel", false },
		{ XENVER_capabilities2, caps, false },
		{ XENVER_changeset2, keel_changeset, false },
		{ XENVER_commandline2, boot_info.cmdline, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		long n = strlen(ops[i].s);

		for (int priv = 1; priv >= 0; priv--) {
			struct vcpu *v = priv ? &v0 : &v1;

			setup(NULL);
			if (!priv && ops[i].privileged_only) {
				assert_int_equal(do_xen_version(v, ops[i].cmd, 0), -EPERM);
				assert_int_equal(varbuf(v, ops[i].cmd, 2048), -EPERM);
				assert_int_equal(mem[16 + 4], FILL);
				continue;
			}
			assert_int_equal(do_xen_version(v, ops[i].cmd, 0), n);
			assert_int_equal(varbuf(v, ops[i].cmd, n - 1), -ENOBUFS);
			assert_int_equal(mem[16 + 4], FILL);
			/* exactly the string, no NUL */
			assert_int_equal(varbuf(v, ops[i].cmd, 2048), n);
			assert_memory_equal(mem + 16 + 4, ops[i].s, n);
			assert_int_equal(mem[16 + 4 + n], FILL);
			assert_int_equal(do_xen_version(v, ops[i].cmd, BAD_VA), -EFAULT);
		}
	}
}

static void test_unknown_subops(void **state)
{
	(void)state;
	assert_int_equal(do_xen_version(&v0, 15, ARG), -ENOSYS);
	assert_int_equal(do_xen_version(&v1, 15, ARG), -ENOSYS);
	assert_int_equal(do_xen_version(&v0, 99, 0), -ENOSYS);
	assert_int_equal(do_xen_version(&v0, -1, 0), -ENOSYS);
	assert_int_equal(do_xen_version(&v1, 0x7fffffff, 0), -ENOSYS);
	assert_int_equal(copies_to_guest, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_version_and_strings, setup),
		cmocka_unit_test_setup(test_platform_pagesize_handle, setup),
		cmocka_unit_test_setup(test_features, setup),
		cmocka_unit_test_setup(test_commandline, setup),
		cmocka_unit_test_setup(test_build_id, setup),
		cmocka_unit_test_setup(test_varbuf_strings, setup),
		cmocka_unit_test_setup(test_unknown_subops, setup),
	};

	return cmocka_run_group_tests_name("xen_version", tests, NULL, NULL);
}
