/* The hypervisor's own page tables: the direct map of RAM and the image with section permissions. */
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/image.h>
#include <keel/page_alloc.h>
#include <keel/pagetable.h>
#include <keel/printk.h>
#include <asm/processor.h>
#include <asm/x86_page.h>

#define IMAGE_VIRT_START (KEEL_VIRT_BASE + KEEL_LOAD_PHYS)

extern char __text_start[], __text_end[], __rodata_end[], __image_end[];

u64 image_phys_start = KEEL_LOAD_PHYS;

static const struct pt_format x86_host_format = {
	.present = X86_PTE_P,
	.table_attr = X86_PTE_P | X86_PTE_RW,
	.large = X86_PTE_PS,
	.addr_mask = X86_PTE_ADDR,
};

void *phys_to_virt(u64 phys)
{
	return (void *)(phys + DIRECTMAP_BASE);
}

u64 virt_to_phys(const void *virt)
{
	u64 v = (u64)virt;

	if (v >= IMAGE_VIRT_START)
		return v - IMAGE_VIRT_START + image_phys_start;
	return v - DIRECTMAP_BASE;
}

struct page_table host_page_table;

static int map_image_part(void *start, void *end, u64 attr)
{
	u64 va = (u64)start;

	return pt_map(&host_page_table, va, virt_to_phys(start),
		      (u64)end - va, attr, 0);
}

int arch_paging_init(const struct boot_info *bi)
{
	u64 nx = 0, rw = X86_PTE_P | X86_PTE_RW;
	unsigned int flags = 0;
	int rc;

	if (cpuid(0x80000001).edx & CPUID_80000001_EDX_NX) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
		nx = X86_PTE_NX;
	}
	if (cpuid(0x80000001).edx & CPUID_80000001_EDX_PAGE1GB)
		flags |= PT_MAP_1G;

	rc = pt_init(&host_page_table, &x86_host_format, &host_table_ops);
	for (u32 i = 0; !rc && i < bi->nr_memmap; i++) {
		const struct memmap_entry *e = &bi->memmap[i];
		u64 start = ALIGN_DOWN(e->addr, PAGE_SIZE);
		u64 end = ALIGN_UP(e->addr + e->size, PAGE_SIZE);

		/* RAM and ACPI data only: MMIO is mapped uncached on demand. */
		if (e->type == MEM_USABLE || e->type == MEM_ACPI ||
		    e->type == MEM_NVS)
			rc = pt_map(&host_page_table, DIRECTMAP_BASE + start,
				    start, end - start, rw | nx, flags);
	}
	if (!rc)
		rc = map_image_part((void *)IMAGE_VIRT_START, __text_start,
				    rw | nx);
	if (!rc)
		rc = map_image_part(__text_start, __text_end, X86_PTE_P);
	if (!rc)
		rc = map_image_part(__text_end, __rodata_end, X86_PTE_P | nx);
	if (!rc)
		rc = map_image_part(__rodata_end, __image_end, rw | nx);
	if (rc) {
		pr_err("paging: cannot build keel's page tables (%d)\n", rc);
		return rc;
	}
	write_cr0(read_cr0() | X86_CR0_WP);
	write_cr3(host_page_table.root);
	pr_info("paging: keel's page tables active, direct map at %#llx%s\n",
		DIRECTMAP_BASE, nx ? ", NX on" : "");
	return 0;
}
