/* Fuzz harness: the boot-domain device-tree parser, with Debian's libfdt. */
/*
 * Input: one byte (n: the tree is multiboot2 module n % 16, after n % 16 kernel or ramdisk
 * modules), then the tree, which keel reads at boot as hyperlaunch describes it.
 */
#include <string.h>
#include <keel/boot_domains.h>
#include <keel/domain.h>
#include <keel/sched_credit.h>
#include "fuzz_input.h"

static struct boot_info bi;
static u8 modules[BOOTINFO_MAX_MODULES][16];

/* Modules are host memory here. */
void *phys_to_virt(u64 phys)
{
	return (void *)(uintptr_t)phys;
}

static bool in_tree(const void *p, const uint8_t *tree, size_t size)
{
	const char *s = p;

	return s >= (const char *)tree && s < (const char *)tree + size &&
	       memchr(s, '\0', (const char *)tree + size - s);
}

static void check_domains(const uint8_t *tree, size_t size, int tree_index)
{
	for (unsigned int i = 0; i < nr_boot_domains; i++) {
		const struct boot_domain *d = &boot_domains[i];

		if (!in_tree(d->name, tree, size) ||
		    (d->cmdline && !in_tree(d->cmdline, tree, size)) ||
		    d->domid >= DOMID_FIRST_RESERVED || !d->mem || d->mem % 4096 ||
		    !d->vcpus || d->vcpus > DOMAIN_MAX_VCPUS || !d->weight ||
		    d->weight > SCHED_MAX_WEIGHT || d->cap > 100 * d->vcpus ||
		    d->kernel < 0 || d->kernel >= tree_index ||
		    d->ramdisk == d->kernel || d->ramdisk < -1 ||
		    d->ramdisk >= tree_index)
			__builtin_trap();
		for (unsigned int j = 0; j < i; j++)
			if (boot_domains[j].domid == d->domid)
				__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	int tree_index = fi_u8(&in) % BOOTINFO_MAX_MODULES;
	size_t tree_size;
	uint8_t *tree = fi_copy(&in, in.left, &tree_size);

	memset(&bi, 0, sizeof(bi));
	/* Kernels and ramdisks, then the tree. */
	bi.nr_modules = tree_index + 1;
	for (int i = 0; i < tree_index; i++) {
		bi.modules[i].start = (uintptr_t)modules[i];
		bi.modules[i].end = (uintptr_t)modules[i] + sizeof(modules[i]);
		strcpy(bi.modules[i].string, "module");
	}
	bi.modules[tree_index].start = (uintptr_t)tree;
	bi.modules[tree_index].end = (uintptr_t)tree + tree_size;
	nr_boot_domains = 0;
	if (boot_domains_init(&bi) == 0 && boot_domains_find(&bi) == tree_index)
		check_domains(tree, tree_size, tree_index);
	free(tree);
	return 0;
}
