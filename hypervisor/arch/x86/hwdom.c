/* The hardware dom0 (dom0=pvh): its 1:1 RAM, e820, device ranges and stolen pages. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/bootinfo.h>
#include <keel/domain.h>
#include <keel/elf.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/hwdom_memmap.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/platform.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <keel/string.h>
#include <asm/hwdom_acpi.h>
#include <asm/hwdom_irq.h>
#include <asm/hwdom_ports.h>
#include <asm/vtd.h>

/* Pieces of dom0's RAM: keel's frames and other domains' make the holes. */
#define HWDOM_MAX_RAM 32
/* The local APIC's page: dom0 uses x2APIC MSRs; keel keeps it unmapped. */
#define LAPIC_PAGE 0xfee00000ULL

static struct boot_range ram[HWDOM_MAX_RAM];
static unsigned int nr_ram;
static struct boot_range kernel_range;	/* kept free for the kernel */
static struct hvm_memmap_table_entry memmap[HWDOM_MAX_MEMMAP];
/* The host map alone, sorted: device ranges are what is not RAM there. */
static struct hvm_memmap_table_entry hostmap[HWDOM_MAX_MEMMAP];

int arch_hwdom_prepare(struct boot_info *bi)
{
	const struct boot_module *m = &bi->modules[0];
	struct pvh_kernel k;
	u64 end;

	/* No PVH kernel: the dom0 builder says why later. */
	if (!bi->nr_modules ||
	    pvh_elf_check(phys_to_virt(m->start), m->end - m->start, GiB(4),
			  &k))
		return 0;
	/* The builder copies dom0's modules right after the kernel. */
	end = ALIGN_UP(k.highest, PAGE_SIZE);
	for (u32 i = 1; i < bi->nr_modules && i <= PVH_MAX_MODULES; i++)
		end += ALIGN_UP(bi->modules[i].end - bi->modules[i].start,
				PAGE_SIZE);
	/* 1:1, the kernel lands where it says: never on keel's image or low memory. */
	if (k.lowest < MiB(1) || (k.lowest < bi->image_phys_end &&
				  bi->image_phys_start < end)) {
		pr_err("d0: its kernel loads at %#llx-%#llx, over keel or below 1 MiB: it cannot own the machine (dom0=virtual boots it)\n",
		       (unsigned long long)k.lowest, (unsigned long long)end);
		return -EINVAL;
	}
	kernel_range = (struct boot_range){ ALIGN_DOWN(k.lowest, PAGE_SIZE),
					    end };
	return mm_keep_for_dom0(bi, kernel_range.start, kernel_range.end);
}

/* Add frame @pa to dom0's RAM list: false when the list is full. */
static bool ram_add(u64 pa)
{
	for (unsigned int i = 0; i < nr_ram; i++) {
		if (ram[i].end == pa) {
			ram[i].end += PAGE_SIZE;
			return true;
		}
	}
	if (nr_ram == HWDOM_MAX_RAM)
		return false;
	ram[nr_ram++] = (struct boot_range){ pa, pa + PAGE_SIZE };
	return true;
}

/* Claim what host RAM in [start, end) keel can give, up to *@left frames. */
static void claim_range(struct domain *d, u64 start, u64 end, u64 *left)
{
	for (u64 pa = ALIGN_UP(start, PAGE_SIZE); pa + PAGE_SIZE <= end &&
	     *left; pa += PAGE_SIZE) {
		if (mm_claim_frame(PFN_DOWN(pa)))
			continue;
		if (!ram_add(pa)) {
			put_page(pa);
			*left = 0;
			return;
		}
		/* Keel's or another domain's data may still be in it. */
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
		page_set_owner(pa, d->id);
		(*left)--;
	}
}

/* Keel's pages at the top of dom0's highest RAM below 4 GiB: 0 or -ENOMEM. */
static int steal_pages(struct domain *d, struct hwdom_steal steal[3])
{
	u64 special = HWDOM_SPECIAL_PAGES * PAGE_SIZE;
	u64 size = special + HWDOM_BOOT_SIZE, base = 0;

	for (unsigned int i = 0; i < nr_ram; i++)
		if (ram[i].end <= GiB(4) && ram[i].end - ram[i].start >= size)
			base = MAX(base, ram[i].end - size);
	if (!base)
		return -ENOMEM;
	d->special_base = base;
	d->special_size = size;
	d->boot_gpa = base + special;
	steal[0] = (struct hwdom_steal){ base,
		domain_special_gpa(d, PVH_SPECIAL_ACPI), XEN_HVM_MEMMAP_TYPE_RESERVED };
	steal[1] = (struct hwdom_steal){ steal[0].end, base + special,
					 XEN_HVM_MEMMAP_TYPE_ACPI };
	steal[2] = (struct hwdom_steal){ base + special, base + size,
					 XEN_HVM_MEMMAP_TYPE_RESERVED };
	return 0;
}

/* Map the device range [start, end) 1:1, uncached, all but the LAPIC page. */
static int map_mmio(struct domain *d, u64 start, u64 end)
{
	int rc = 0;

	if (start >= end)
		return 0;
	if (start <= LAPIC_PAGE && LAPIC_PAGE < end) {
		if (start < LAPIC_PAGE)
			rc = p2m_map_mmio(d, start, LAPIC_PAGE);
		if (!rc && end > LAPIC_PAGE + PAGE_SIZE)
			rc = p2m_map_mmio(d, LAPIC_PAGE + PAGE_SIZE, end);
	} else {
		rc = p2m_map_mmio(d, start, end);
	}
	if (rc)
		pr_err("d%u: cannot map device range %#llx-%#llx: error %d\n",
		       d->id, (unsigned long long)start,
		       (unsigned long long)end, rc);
	return rc;
}

/*
 * Every host range below 4 GiB that is not RAM (PCI windows, ROMs,
 * firmware-reserved, ACPI, the holes no entry names), and every reserved,
 * ACPI or NVS range above it, 1:1 (dom0-hardware.md §2.5).
 */
static int map_device_ranges(struct domain *d, const struct boot_info *bi)
{
	int n = hwdom_memmap(bi->memmap, bi->nr_memmap, NULL, 0, NULL, 0,
			     hostmap, HWDOM_MAX_MEMMAP);
	u64 at, hpa, attr;

	if (n < 0)
		return n;
	/*
	 * Below 1 MiB Linux reads the BIOS data area and scans for an MP
	 * table with instructions keel does not emulate: every page there
	 * that is not its RAM nor keel's trampoline is the firmware's, 1:1
	 * (as Xen maps its PVH dom0's low MiB).
	 */
	for (u64 pa = 0; pa < MiB(1); pa += PAGE_SIZE)
		if (!mm_keels_low_page(pa) && p2m_lookup(d, pa, &hpa, &attr) &&
		    map_mmio(d, pa, pa + PAGE_SIZE))
			return -ENOMEM;
	at = MiB(1);
	for (int i = 0; i <= n; i++) {
		u64 start = i < n ? MAX(hostmap[i].addr, MiB(1)) : GiB(4);
		u64 end = i < n ? hostmap[i].addr + hostmap[i].size : GiB(4);

		if (i < n && end <= start)
			continue;	/* below 1 MiB: done above */
		/* The hole before this entry (below 4 GiB). */
		if (MIN(start, GiB(4)) > at &&
		    map_mmio(d, ALIGN_UP(at, PAGE_SIZE),
			     ALIGN_DOWN(MIN(start, GiB(4)), PAGE_SIZE)))
			return -ENOMEM;
		at = MAX(at, end);
		/* Host RAM (or bad memory) is never a device's. */
		if (i < n && hostmap[i].type != XEN_HVM_MEMMAP_TYPE_UNUSABLE &&
		    map_mmio(d, ALIGN_UP(start, PAGE_SIZE),
			     ALIGN_DOWN(end, PAGE_SIZE)))
			return -ENOMEM;
	}
	return 0;
}

int arch_hwdom_set_memory(struct domain *d, u64 mem_size)
{
	const struct boot_info *bi = &boot_info;
	u64 left = PFN_DOWN(mem_size), top = GiB(4);
	/* Keel's pages, and page 0 (the BIOS's, map_device_ranges()) reserved. */
	struct hwdom_steal steal[4];
	int n;

	ASSERT(is_hardware_domain(d) && !d->mem_size);
	for (u32 i = 0; i < bi->nr_memmap; i++)
		top = MAX(top, bi->memmap[i].addr + bi->memmap[i].size);
	p2m_set_allocation(d, left, top);
	nr_ram = 0;
	/*
	 * Low RAM (Linux's real-mode trampoline), the kernel's range, then
	 * upwards from it; keel's own allocations fragment what is below it,
	 * so that comes last (every piece costs e820 entries).
	 */
	claim_range(d, PAGE_SIZE, MiB(1), &left);
	claim_range(d, kernel_range.start, kernel_range.end, &left);
	n = hwdom_memmap(bi->memmap, bi->nr_memmap, NULL, 0, NULL, 0, hostmap,
			 HWDOM_MAX_MEMMAP);
	for (u64 from = MAX(kernel_range.end, MiB(1));; from = MiB(1)) {
		for (int i = 0; i < n && left; i++)
			if (hostmap[i].type == XEN_HVM_MEMMAP_TYPE_UNUSABLE)
				claim_range(d, MAX(hostmap[i].addr, from),
					    hostmap[i].addr + hostmap[i].size,
					    &left);
		if (from == MiB(1))
			break;
	}
	d->mem_size = PFN_PHYS(frames_owned(d->id));
	for (unsigned int i = 0; i < nr_ram; i++) {
		if (!p2m_add_identity_ram(d, ram[i].start, ram[i].end))
			continue;
		pr_err("d%u: cannot map its RAM at %#llx\n", d->id,
		       (unsigned long long)ram[i].start);
		/* Frames no leaf holds yet: their claim's reference goes. */
		for (; i < nr_ram; i++)
			for (u64 pa = ram[i].start; pa < ram[i].end; pa += PAGE_SIZE)
				put_page(pa);
		return -ENOMEM;
	}
	if (steal_pages(d, steal)) {
		pr_err("d%u: no RAM below 4 GiB for keel's pages\n", d->id);
		return -ENOMEM;
	}
	steal[3] = (struct hwdom_steal){ 0, PAGE_SIZE, XEN_HVM_MEMMAP_TYPE_RESERVED };
	n = hwdom_memmap(bi->memmap, bi->nr_memmap, ram, nr_ram, steal, 4,
			 memmap, HWDOM_MAX_MEMMAP);
	if (n < 0) {
		pr_err("d%u: its memory map needs more than %d entries\n", d->id,
		       HWDOM_MAX_MEMMAP);
		return n;
	}
	d->memmap = memmap;
	d->nr_memmap = n;
	pr_info("d%u: %llu MiB of host RAM 1:1 in %u piece(s), keel's pages at %#llx, %d memory map entries\n",
		d->id, (unsigned long long)d->mem_size >> 20, nr_ram,
		(unsigned long long)d->special_base, n);
	return map_device_ranges(d, bi);
}

/*
 * What keel keeps leaves dom0's 1:1 device map: every host IOAPIC's page
 * (those keel emulates are claimed again by hwdom_irq_init(); the others
 * dom0 must not program raw either) and the ECAM windows.
 */
static int hide_host_chips(struct domain *d)
{
	struct boot_range win[8];
	u64 ioapic[64];
	struct acpi_walk w;
	int n;

	if (!boot_info.rsdp_phys ||
	    acpi_walk_init(&w, boot_info.rsdp_phys, acpi_map_firmware, NULL))
		return 0;		/* hwdom_acpi_build() says why */
	n = hwdom_acpi_ioapic_pages(&w, ioapic, ARRAY_SIZE(ioapic));
	for (int i = 0; i < n; i++)
		if (p2m_unmap_mmio(d, ioapic[i], ioapic[i] + PAGE_SIZE)) {
			pr_err("d%u: IOAPIC page %#llx is not a device range\n",
			       d->id, (unsigned long long)ioapic[i]);
			return -EBUSY;
		}
	if (n < 0 && n != -ENOENT)
		return n;
	n = hwdom_acpi_ecam(&w, win, ARRAY_SIZE(win));
	for (int i = 0; i < n; i++) {
		int rc = p2m_unmap_mmio(d, win[i].start, win[i].end);

		if (rc) {
			pr_err("d%u: the MCFG's ECAM window %#llx-%#llx is not a device range (%d)\n",
			       d->id, (unsigned long long)win[i].start,
			       (unsigned long long)win[i].end, rc);
			return rc;
		}
		pr_info("d%u: ECAM %#llx-%#llx kept from it (vPCI is CF8/CFC only)\n",
			d->id, (unsigned long long)win[i].start,
			(unsigned long long)win[i].end);
	}
	return n < 0 ? n : 0;
}

int arch_hwdom_init(struct domain *d)
{
	u64 acpi = domain_special_gpa(d, PVH_SPECIAL_ACPI);
	int rc;

	ASSERT(is_hardware_domain(d));
	/* Its devices behind VT-d first, before any interrupt is programmed. */
	rc = vtd_hwdom_attach(d);
	/* Its device ranges are mapped: the emulated ones punch their holes now. */
	if (!rc)
		rc = hwdom_ports_init(d);
	if (!rc)
		rc = hide_host_chips(d);
	if (!rc)
		rc = hwdom_irq_init(d);
	if (!rc)
		rc = hwdom_acpi_build(d, acpi, phys_to_virt(acpi),
				      HWDOM_ACPI_PAGES * PAGE_SIZE, &d->rsdp_gpa);
	if (rc) {
		pr_err("d%u: cannot set up the machine for it: error %d\n",
		       d->id, rc);
		return rc;
	}
	if (!platform_dma_translated())
		pr_warn("d%u owns the machine's devices and no IOMMU confines their DMA: dom0 can read and write all of memory, keel's and every domain's\n",
			d->id);
	return 0;
}
