/* Host tests of the boot-domain device-tree parser: valid trees, each malformation's message, fuzzing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <keel/boot_domains.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include "host.h"

#define TREE_BUF 4096
#define NO_VALUE (-1)		/* edit: delete the property */
#define FUZZ_ROUNDS 20000

/* The modules a boot loader would pass: 0 dom0's kernel, 1 its ramdisk, 2 a guest kernel, 3 the tree. */
static u8 dom0_kernel[64], dom0_ramdisk[32], guest_kernel[64];
static struct boot_info bi;
static struct boot_domain out[BOOT_DOMAINS_MAX];

void *phys_to_virt(u64 phys)
{
	return (void *)(uintptr_t)phys;
}

static void set_module(unsigned int i, const void *data, size_t size)
{
	bi.modules[i].start = (uintptr_t)data;
	bi.modules[i].end = (uintptr_t)data + size;
	snprintf(bi.modules[i].string, sizeof(bi.modules[i].string), "module%u", i);
}

static void set_modules(const void *tree, size_t size)
{
	memset(&bi, 0, sizeof(bi));
	set_module(0, dom0_kernel, sizeof(dom0_kernel));
	set_module(1, dom0_ramdisk, sizeof(dom0_ramdisk));
	set_module(2, guest_kernel, sizeof(guest_kernel));
	set_module(3, tree, size);
	bi.nr_modules = 4;
}

#define OK(x) assert_int_equal((x), 0)

static void begin_domain(void *fdt, const char *name, u32 domid)
{
	OK(fdt_begin_node(fdt, name));
	OK(fdt_property_string(fdt, "compatible", "keel,domain"));
	OK(fdt_property_u32(fdt, "domid", domid));
}

static void add_module(void *fdt, const char *name, const char *compat,
		       size_t compat_len, u32 index, const char *bootargs)
{
	OK(fdt_begin_node(fdt, name));
	OK(fdt_property(fdt, "compatible", compat, compat_len));
	OK(fdt_property_u32(fdt, "module-index", index));
	if (bootargs)
		OK(fdt_property_string(fdt, "bootargs", bootargs));
	OK(fdt_end_node(fdt));
}

/* dom0 (privileged, 32 MiB in two cells, kernel + ramdisk) and guest (64 MiB, 2 vCPUs, kernel). */
static void *valid_tree(void)
{
	static const char kernel_compat[] = "module,kernel\0multiboot,module";
	static const char ramdisk_compat[] = "module,ramdisk";
	void *fdt = malloc(TREE_BUF);

	OK(fdt_create(fdt, TREE_BUF));
	OK(fdt_finish_reservemap(fdt));
	OK(fdt_begin_node(fdt, ""));
	OK(fdt_begin_node(fdt, "chosen"));
	OK(fdt_begin_node(fdt, "hypervisor"));
	OK(fdt_property_string(fdt, "compatible", "keel,hypervisor"));

	begin_domain(fdt, "dom0", 0);
	OK(fdt_property(fdt, "privileged", NULL, 0));
	OK(fdt_property_u64(fdt, "memory", 0x8000));
	add_module(fdt, "kernel", kernel_compat, sizeof(kernel_compat), 0,
		   "console=hvc0");
	add_module(fdt, "ramdisk", ramdisk_compat, sizeof(ramdisk_compat), 1,
		   NULL);
	OK(fdt_end_node(fdt));

	begin_domain(fdt, "guest", 1);
	OK(fdt_property_u32(fdt, "memory", 0x10000));
	OK(fdt_property_u32(fdt, "cpus", 2));
	OK(fdt_property_u32(fdt, "weight", 512));
	OK(fdt_property_u32(fdt, "cap", 50));
	OK(fdt_property_string(fdt, "on-reboot", "destroy"));
	OK(fdt_property_string(fdt, "on-crash", "preserve"));
	add_module(fdt, "kernel", kernel_compat, 14, 2, "guest=1");
	OK(fdt_end_node(fdt));

	OK(fdt_end_node(fdt));
	OK(fdt_end_node(fdt));
	OK(fdt_end_node(fdt));
	OK(fdt_finish(fdt));
	return fdt;
}

static int parse(const void *fdt, size_t size, unsigned int max,
		 const char **err)
{
	set_modules(fdt, size);
	return boot_domains_parse(fdt, size, &bi, out, max, err);
}

static void test_valid_tree(void **state)
{
	void *fdt = valid_tree();
	const char *err = "unset";

	(void)state;
	assert_int_equal(parse(fdt, fdt_totalsize(fdt), BOOT_DOMAINS_MAX, &err), 2);
	assert_null(err);

	assert_string_equal(out[0].name, "dom0");
	assert_int_equal(out[0].domid, 0);
	assert_true(out[0].privileged);
	assert_int_equal(out[0].mem, MiB(32));
	assert_int_equal(out[0].vcpus, 1);
	assert_int_equal(out[0].weight, 256);
	assert_int_equal(out[0].cap, 0);
	assert_int_equal(out[0].kernel, 0);
	assert_int_equal(out[0].ramdisk, 1);
	assert_string_equal(out[0].cmdline, "console=hvc0");
	/* Without on-*: destroyed when it powers off or crashes, built again after a reboot. */
	assert_int_equal(out[0].on_poweroff, ACTION_DESTROY);
	assert_int_equal(out[0].on_reboot, ACTION_RESTART);
	assert_int_equal(out[0].on_crash, ACTION_DESTROY);
	/* Names and command lines point into the tree itself. */
	assert_true((char *)out[0].cmdline > (char *)fdt &&
		    (char *)out[0].cmdline < (char *)fdt + fdt_totalsize(fdt));

	assert_string_equal(out[1].name, "guest");
	assert_int_equal(out[1].domid, 1);
	assert_false(out[1].privileged);
	assert_int_equal(out[1].mem, MiB(64));
	assert_int_equal(out[1].vcpus, 2);
	assert_int_equal(out[1].weight, 512);
	assert_int_equal(out[1].cap, 50);
	assert_int_equal(out[1].kernel, 2);
	assert_int_equal(out[1].ramdisk, -1);
	assert_string_equal(out[1].cmdline, "guest=1");
	assert_int_equal(out[1].on_poweroff, ACTION_DESTROY);
	assert_int_equal(out[1].on_reboot, ACTION_DESTROY);
	assert_int_equal(out[1].on_crash, ACTION_PRESERVE);
	free(fdt);
}

/* A tree packed into a module larger than itself (loaders round up) still parses. */
static void test_module_larger_than_tree(void **state)
{
	void *fdt = valid_tree();
	const char *err;

	(void)state;
	assert_int_equal(parse(fdt, TREE_BUF, BOOT_DOMAINS_MAX, &err), 2);
	free(fdt);
}

static void test_find(void **state)
{
	void *fdt = valid_tree();
	u8 short_module[2] = { 0xd0, 0x0d };

	(void)state;
	set_modules(fdt, fdt_totalsize(fdt));
	assert_int_equal(boot_domains_find(&bi), 3);
	set_module(3, guest_kernel, sizeof(guest_kernel));
	assert_int_equal(boot_domains_find(&bi), -1);
	/* Two bytes of the magic in a two-byte module: not a tree, and nothing read past it. */
	set_module(1, short_module, sizeof(short_module));
	assert_int_equal(boot_domains_find(&bi), -1);
	bi.nr_modules = 0;
	assert_int_equal(boot_domains_find(&bi), -1);
	free(fdt);
}

/* One change to the valid tree and what the parser must say about it. */
struct bad_tree {
	const char *path;	/* node to change */
	const char *prop;	/* property to set (or delete); NULL: delete the node */
	const void *value;
	int len;		/* NO_VALUE: delete the property */
	int rc;
	const char *message;
};

#define BE32(x) ((const u8[]){ (u8)((x) >> 24), (u8)((x) >> 16), (u8)((x) >> 8), (u8)(x) })
#define GUEST "/chosen/hypervisor/guest"
#define DOM0 "/chosen/hypervisor/dom0"

static const struct bad_tree bad_trees[] = {
	{ GUEST, "memory", NULL, NO_VALUE, -ENOENT, "guest: memory: missing" },
	{ GUEST, "memory", BE32(0), 4, -EINVAL,
	  "guest: memory: 0 KiB is not a non-zero multiple of 4 KiB" },
	{ GUEST, "memory", BE32(4097), 4, -EINVAL,
	  "guest: memory: 4097 KiB is not a non-zero multiple of 4 KiB" },
	{ GUEST, "memory", "\xff\xff\xff\xff\xff\xff\xff\xfc", 8, -EINVAL,
	  "guest: memory: 18446744073709551612 KiB is not a non-zero multiple of 4 KiB" },
	{ GUEST, "memory", "\0\0\x10", 3, -EINVAL,
	  "guest: memory: 3 bytes, expected 4 or 8 (KiB)" },
	{ GUEST, "memory", "\0\0\0\0\0\0\0\0\0\0\x10\0", 12, -EINVAL,
	  "guest: memory: 12 bytes, expected 4 or 8 (KiB)" },
	{ GUEST, "domid", NULL, NO_VALUE, -ENOENT, "guest: domid: missing" },
	{ GUEST, "domid", "\0\x01", 2, -EINVAL,
	  "guest: domid: 2 bytes, expected one 4-byte cell" },
	{ GUEST, "domid", BE32(0), 4, -EEXIST,
	  "two domains with domid 0 (dom0 and guest)" },
	{ GUEST, "domid", BE32(32752), 4, -EINVAL,
	  "guest: domid: 32752 is out of range 0..32751" },
	{ GUEST, "cpus", BE32(0), 4, -EINVAL, "guest: cpus: 0 is out of range 1..64" },
	{ GUEST, "cpus", BE32(65), 4, -EINVAL, "guest: cpus: 65 is out of range 1..64" },
	{ GUEST, "cpus", "", 0, -EINVAL,
	  "guest: cpus: 0 bytes, expected one 4-byte cell" },
	{ GUEST, "weight", BE32(0), 4, -EINVAL,
	  "guest: weight: 0 is out of range 1..65535" },
	{ GUEST, "weight", BE32(65536), 4, -EINVAL,
	  "guest: weight: 65536 is out of range 1..65535" },
	{ GUEST, "cap", BE32(201), 4, -EINVAL, "guest: cap: 201 is out of range 0..200" },
	{ GUEST, "on-reboot", "reboot", 7, -EINVAL,
	  "guest: on-reboot: \"reboot\" is not destroy, restart or preserve" },
	{ GUEST, "on-poweroff", "destroy", 7, -EINVAL,
	  "guest: on-poweroff: not one NUL-terminated string" },
	{ GUEST, "privileged", "yes", 4, -EINVAL,
	  "guest: privileged: a flag takes no value (4 bytes given)" },
	{ GUEST, "compatible", "keel,dom", 9, -EINVAL,
	  "guest: compatible: not \"keel,domain\"" },
	{ GUEST, "compatible", NULL, NO_VALUE, -ENOENT, "guest: compatible: missing" },
	{ "/chosen/hypervisor", "compatible", "hypervisor,xen", 15, -EINVAL,
	  "hypervisor: compatible: not \"keel,hypervisor\"" },
	{ GUEST "/kernel", "module-index", BE32(7), 4, -ENOENT,
	  "guest/kernel: module index 7 out of range (4 modules)" },
	{ GUEST "/kernel", "module-index", BE32(3), 4, -EINVAL,
	  "guest/kernel: module index 3 is a device tree, not a kernel" },
	{ GUEST "/kernel", "module-index", NULL, NO_VALUE, -ENOENT,
	  "guest/kernel: module-index: missing" },
	{ GUEST "/kernel", "bootargs", "guest=1", 7, -EINVAL,
	  "guest/kernel: bootargs: not one NUL-terminated string" },
	{ GUEST "/kernel", "bootargs", "a\0b", 4, -EINVAL,
	  "guest/kernel: bootargs: not one NUL-terminated string" },
	{ GUEST "/kernel", "compatible", "module,config", 14, -EINVAL,
	  "guest/kernel: compatible: neither \"module,kernel\" nor \"module,ramdisk\"" },
	{ GUEST "/kernel", NULL, NULL, 0, -ENOENT,
	  "guest: no kernel (a module node compatible with \"module,kernel\")" },
	{ DOM0 "/ramdisk", "bootargs", "x", 2, -EINVAL,
	  "dom0/ramdisk: bootargs: only a kernel takes a command line" },
	{ DOM0 "/ramdisk", "module-index", BE32(0), 4, -EINVAL,
	  "dom0: kernel and ramdisk are both module 0" },
	{ DOM0 "/ramdisk", "compatible", "module,kernel", 14, -EINVAL,
	  "dom0/ramdisk: a second kernel module" },
	{ "/chosen/hypervisor", NULL, NULL, 0, -ENOENT, "no /chosen/hypervisor node" },
};

/* Apply @b to a copy of the valid tree, repacked. */
static void *make_bad_tree(const struct bad_tree *b)
{
	void *valid = valid_tree(), *fdt = malloc(TREE_BUF);
	int node;

	OK(fdt_open_into(valid, fdt, TREE_BUF));
	free(valid);
	node = fdt_path_offset(fdt, b->path);
	assert_true(node >= 0);
	if (!b->prop)
		OK(fdt_del_node(fdt, node));
	else if (b->len == NO_VALUE)
		OK(fdt_delprop(fdt, node, b->prop));
	else
		OK(fdt_setprop(fdt, node, b->prop, b->value, b->len));
	OK(fdt_pack(fdt));
	return fdt;
}

static void test_bad_trees(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_trees); i++) {
		const struct bad_tree *b = &bad_trees[i];
		void *fdt = make_bad_tree(b);
		const char *err = NULL;
		int rc = parse(fdt, fdt_totalsize(fdt), BOOT_DOMAINS_MAX, &err);

		if (rc != b->rc || !err || strcmp(err, b->message)) {
			fprintf(stderr, "case %zu: rc %d, \"%s\"; expected %d, \"%s\"\n",
				i, rc, err ? err : "(null)", b->rc, b->message);
			fail();
		}
		free(fdt);
	}
}

static void expect_error(const void *fdt, size_t size, unsigned int max,
			 int rc, const char *message)
{
	const char *err = NULL;

	assert_int_equal(parse(fdt, size, max, &err), rc);
	assert_non_null(err);
	assert_string_equal(err, message);
}

static void test_no_domains(void **state)
{
	void *fdt = malloc(TREE_BUF);

	(void)state;
	OK(fdt_create(fdt, TREE_BUF));
	OK(fdt_finish_reservemap(fdt));
	OK(fdt_begin_node(fdt, ""));
	OK(fdt_begin_node(fdt, "chosen"));
	OK(fdt_begin_node(fdt, "hypervisor"));
	OK(fdt_property_string(fdt, "compatible", "keel,hypervisor"));
	OK(fdt_end_node(fdt));
	OK(fdt_end_node(fdt));
	OK(fdt_end_node(fdt));
	OK(fdt_finish(fdt));
	expect_error(fdt, fdt_totalsize(fdt), BOOT_DOMAINS_MAX, -ENOENT,
		     "/chosen/hypervisor: no domain nodes");
	free(fdt);
}

static void test_too_many_domains(void **state)
{
	void *fdt = valid_tree();

	(void)state;
	expect_error(fdt, fdt_totalsize(fdt), 1, -ENOSPC,
		     "too many domains: at most 1");
	free(fdt);
}

static void test_bad_headers(void **state)
{
	void *fdt = valid_tree();
	u32 total = fdt_totalsize(fdt);
	char message[128];

	(void)state;
	expect_error(fdt, 20, BOOT_DOMAINS_MAX, -EINVAL,
		     "device tree truncated: 20 bytes, a header alone is 40");
	snprintf(message, sizeof(message),
		 "device tree truncated: header says %u bytes, module holds %u",
		 total, total - 1);
	expect_error(fdt, total - 1, BOOT_DOMAINS_MAX, -EINVAL, message);

	fdt_set_totalsize(fdt, BOOT_DOMAINS_MAX_FDT_SIZE + 1);
	expect_error(fdt, total, BOOT_DOMAINS_MAX, -E2BIG,
		     "device tree of 65537 bytes is over the 65536-byte limit");
	fdt_set_totalsize(fdt, total);

	fdt_set_version(fdt, 1);
	expect_error(fdt, total, BOOT_DOMAINS_MAX, -EINVAL,
		     "device tree is malformed: FDT_ERR_BADVERSION");
	/*
	 * Found by fuzzing: Debian's libfdt 1.6.1 dereferences NULL in
	 * fdt_check_full() for a tree older than version 16 whose node names
	 * are not full paths; keel refuses such trees before calling it.
	 */
	fdt_set_version(fdt, 15);
	fdt_set_last_comp_version(fdt, 2);
	expect_error(fdt, total, BOOT_DOMAINS_MAX, -EINVAL,
		     "device tree version 15 is too old: keel reads version 16 and later");
	fdt_set_version(fdt, 17);
	fdt_set_last_comp_version(fdt, 16);

	fdt_set_off_dt_strings(fdt, total + 8);
	expect_error(fdt, total, BOOT_DOMAINS_MAX, -EINVAL,
		     "device tree is malformed: FDT_ERR_TRUNCATED");
	fdt_set_off_dt_strings(fdt, total - fdt_size_dt_strings(fdt));

	/* The first tag of the structure block is no FDT_BEGIN_NODE. */
	memset((char *)fdt + fdt_off_dt_struct(fdt), 0x55, 4);
	expect_error(fdt, total, BOOT_DOMAINS_MAX, -EINVAL,
		     "device tree is malformed: FDT_ERR_BADSTRUCTURE");

	fdt_set_magic(fdt, 0xfeedd00d);
	expect_error(fdt, total, BOOT_DOMAINS_MAX, -EINVAL,
		     "not a device tree (bad magic 0xfeedd00d)");
	free(fdt);
}

/* What a successful parse returns must hold however odd the tree was. */
static void assert_domains_sane(const void *fdt, size_t size, int n)
{
	for (int i = 0; i < n; i++) {
		const struct boot_domain *d = &out[i];

		assert_true(d->vcpus >= 1 && d->vcpus <= DOMAIN_MAX_VCPUS);
		assert_true(d->weight >= 1 && d->weight <= 65535);
		assert_true(d->cap <= 100 * d->vcpus);
		assert_true(d->mem && d->mem % 4096 == 0);
		assert_true(d->kernel >= 0 && d->kernel < (int)bi.nr_modules);
		assert_true(d->ramdisk >= -1 && d->ramdisk < (int)bi.nr_modules);
		assert_int_not_equal(d->kernel, d->ramdisk);
		assert_true(d->name >= (char *)fdt && d->name < (char *)fdt + size);
		assert_true(strnlen(d->name, (char *)fdt + size - d->name) <
			    (size_t)((char *)fdt + size - d->name));
		if (d->cmdline)
			assert_true(d->cmdline >= (char *)fdt &&
				    d->cmdline + strlen(d->cmdline) < (char *)fdt + size);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(d->domid, out[j].domid);
	}
}

/*
 * Random byte flips, header-field rewrites and truncations of the valid
 * tree, each in a buffer of exactly its size (ASan catches any read past
 * it): the parser must return domains that make sense or a message.
 */
static void test_fuzz(void **state)
{
	void *valid = valid_tree();
	size_t total = fdt_totalsize(valid);
	unsigned int seed = getenv("FUZZ_SEED") ? atoi(getenv("FUZZ_SEED")) : 1;
	unsigned int parsed = 0, refused = 0;

	(void)state;
	srand(seed);
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		size_t size = total;
		u8 *fdt;
		const char *err = NULL;
		int rc;

		if (rand() % 8 == 0)
			size = rand() % (total + 1);
		fdt = malloc(size ? size : 1);
		memcpy(fdt, valid, size);
		for (int flips = 1 + rand() % 4; size && flips--;) {
			/* A quarter of the flips land in the 40-byte header. */
			size_t at = rand() % 4 ? rand() % size : rand() % MIN(size, 40);

			fdt[at] ^= 1 << (rand() % 8);
			if (rand() % 16 == 0)
				fdt[at] = rand();
		}
		rc = parse(fdt, size, BOOT_DOMAINS_MAX, &err);
		if (rc > 0) {
			assert_null(err);
			assert_true(rc <= BOOT_DOMAINS_MAX);
			assert_domains_sane(fdt, size, rc);
			parsed++;
		} else {
			assert_true(rc < 0);
			assert_non_null(err);
			assert_true(strlen(err) > 0);
			refused++;
		}
		free(fdt);
	}
	/* Both outcomes occurred: the fuzzing reached past the header checks. */
	printf("# fuzz (seed %u): %u parsed, %u refused\n", seed, parsed, refused);
	assert_true(parsed > 100 && refused > 100);
	free(valid);
}

static void test_init_reports(void **state)
{
	void *fdt = valid_tree();

	(void)state;
	set_modules(fdt, fdt_totalsize(fdt));
	test_log_reset();
	assert_int_equal(boot_domains_init(&bi), 0);
	assert_int_equal(nr_boot_domains, 2);
	assert_true(test_log_has("boot: device tree in module 3 describes 2 domains\n"));
	assert_true(test_log_has("boot: domain 0 \"dom0\" (privileged): 1 vCPU, 32 MiB, weight 256, cap 0, kernel module 0, ramdisk module 1, command line \"console=hvc0\"\n"));
	assert_true(test_log_has("boot: domain 1 \"guest\": 2 vCPUs, 64 MiB, weight 512, cap 50, kernel module 2, no ramdisk, command line \"guest=1\"\n"));

	/* Without bootargs, the command line is the kernel module's own string. */
	OK(fdt_open_into(fdt, fdt, TREE_BUF));
	set_modules(fdt, TREE_BUF);
	OK(fdt_delprop(fdt, fdt_path_offset(fdt, GUEST "/kernel"), "bootargs"));
	OK(fdt_setprop_u32(fdt, fdt_path_offset(fdt, GUEST), "memory", 1028));
	test_log_reset();
	assert_int_equal(boot_domains_init(&bi), 0);
	assert_true(test_log_has("boot: domain 1 \"guest\": 2 vCPUs, 1028 KiB, weight 512, cap 50, kernel module 2, no ramdisk, command line \"module2\"\n"));

	OK(fdt_setprop_u32(fdt, fdt_path_offset(fdt, GUEST), "cpus", 0));
	test_log_reset();
	assert_int_equal(boot_domains_init(&bi), -EINVAL);
	assert_true(test_log_has("boot: device tree in module 3: guest: cpus: 0 is out of range 1..64\n"));

	/* No tree: nothing to say, and keel boots module 0 as dom0. */
	set_module(3, guest_kernel, sizeof(guest_kernel));
	test_log_reset();
	assert_int_equal(boot_domains_init(&bi), 0);
	assert_string_equal(test_log, "");
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_tree),
		cmocka_unit_test(test_module_larger_than_tree),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_bad_trees),
		cmocka_unit_test(test_no_domains),
		cmocka_unit_test(test_too_many_domains),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_init_reports),
	};

	return cmocka_run_group_tests_name("boot_domains", tests, NULL, NULL);
}
