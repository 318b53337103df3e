/*
 * hello: the smallest useful guest. It prints a greeting, the command line,
 * the hvm_start_info header and its memory map and module list, and checks
 * that the start info is version 1 or later with a memory map whose RAM
 * covers the guest image at 1 MiB. Under a hypervisor it also asks
 * XENVER_version. Passes if the start info is sane; a hypervisor that gets
 * the PVH entry or start-info page wrong shows up here first.
 */
#include "guest.h"

/* hello32 builds this file too, under its own name. */
#ifndef HELLO_NAME
#define HELLO_NAME "hello"
#endif

static const char *memmap_type(u32 type)
{
	switch (type) {
	case XEN_HVM_MEMMAP_TYPE_RAM:
		return "RAM";
	case XEN_HVM_MEMMAP_TYPE_RESERVED:
		return "reserved";
	case XEN_HVM_MEMMAP_TYPE_ACPI:
		return "ACPI";
	case XEN_HVM_MEMMAP_TYPE_NVS:
		return "NVS";
	default:
		return "other";
	}
}

static void check_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *map =
		(const void *)si->memmap_paddr;
	u64 start = (uptr)__image_start, end = (uptr)__image_end;
	bool image_in_ram = false;

	printf("guest: memmap: %u entries at %#lx\n", si->memmap_entries,
	       si->memmap_paddr);
	if (!CHECK(si->memmap_paddr && si->memmap_entries,
		   "start info has no memory map"))
		return;
	if (!CHECK(si->memmap_paddr < IDENTITY_MAP_END,
		   "memory map at %#lx is above 4 GiB", si->memmap_paddr))
		return;
	for (u32 i = 0; i < si->memmap_entries; i++) {
		printf("guest:   %016lx-%016lx %s (%u)\n", map[i].addr,
		       map[i].addr + map[i].size - 1, memmap_type(map[i].type),
		       map[i].type);
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM &&
		    map[i].addr <= start && end <= map[i].addr + map[i].size)
			image_in_ram = true;
	}
	CHECK(image_in_ram, "no RAM entry covers the image %#lx-%#lx",
	      start, end);
}

static void print_modules(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *mod = (const void *)si->modlist_paddr;

	printf("guest: modules: %u at %#lx\n", si->nr_modules,
	       si->modlist_paddr);
	if (!si->nr_modules)
		return;
	if (!CHECK(si->modlist_paddr && si->modlist_paddr < IDENTITY_MAP_END,
		   "module list at %#lx is not mapped", si->modlist_paddr))
		return;
	for (u32 i = 0; i < si->nr_modules; i++) {
		const char *cmd = "";

		if (mod[i].cmdline_paddr &&
		    mod[i].cmdline_paddr < IDENTITY_MAP_END)
			cmd = (const char *)mod[i].cmdline_paddr;
		printf("guest:   module %u: %#lx, %lu bytes, cmdline \"%s\"\n",
		       i, mod[i].paddr, mod[i].size, cmd);
	}
}

int guest_main(const char *cmdline)
{
	const struct hvm_start_info *si = start_info;

	printf("guest: hello from a keel PVH guest\n");
	printf("guest: cmdline \"%s\"\n", cmdline);
	printf("guest: start info at %p: version %u, flags %#x, rsdp %#lx\n",
	       si, si->version, si->flags, si->rsdp_paddr);
	if (hypervisor_present()) {
		long v = HYPERVISOR_xen_version(XENVER_version, NULL);

		printf("guest: hypervisor at CPUID %#x, xen_version %ld.%ld\n",
		       xen_cpuid_base(), v >> 16, v & 0xffff);
		CHECK(v >= 0, "XENVER_version returned %ld", v);
	} else {
		printf("guest: no hypervisor found, console on port 0xe9\n");
	}

	CHECK(si->version >= 1, "start info version %u, want >= 1",
	      si->version);
	if (si->version >= 1)
		check_memmap(si);
	print_modules(si);
	return test_result(HELLO_NAME);
}
