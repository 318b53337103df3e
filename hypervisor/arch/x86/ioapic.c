/* The host IOAPICs: found in the MADT, every pin masked at boot, routed as the hardware domain asks. */
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/page.h>
#include <keel/pagetable.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <asm/intremap.h>
#include <asm/ioapic.h>
#include <asm/x86_page.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_RTE(pin) (0x10 + 2 * (pin))
#define RTE_MASKED BIT(16)
#define RTE_LEVEL BIT(15)
#define RTE_ACTIVE_LOW BIT(13)
#define ISA_IRQ_PIT 0
#define ISA_IRQ_COM1 4

struct ioapic {
	struct ioapic_info info;
	volatile u32 *regs;
};

static struct ioapic ioapics[MADT_MAX_IOAPICS];
static unsigned int nr_ioapics;
static struct madt_cpus madt;
static u32 pit_gsi, com1_gsi;
static DEFINE_SPINLOCK(ioapic_lock);	/* IOREGSEL/IOWIN pairs */

static u32 reg_read(struct ioapic *a, u32 reg)
{
	a->regs[IOREGSEL / 4] = reg;
	return a->regs[IOWIN / 4];
}

static void reg_write(struct ioapic *a, u32 reg, u32 val)
{
	a->regs[IOREGSEL / 4] = reg;
	a->regs[IOWIN / 4] = val;
}

static struct ioapic *find_pin(u32 gsi, u32 *pin)
{
	for (unsigned int i = 0; i < nr_ioapics; i++) {
		struct ioapic *a = &ioapics[i];

		if (gsi >= a->info.gsi_base && gsi - a->info.gsi_base < a->info.pins) {
			*pin = gsi - a->info.gsi_base;
			return a;
		}
	}
	return NULL;
}

/* The GSI of ISA IRQ @irq (an override's, else the same number) and its MPS INTI flags. */
static u32 isa_gsi(unsigned int irq, u16 *flags)
{
	for (unsigned int i = 0; i < madt.nr_isos; i++) {
		if (madt.isos[i].source == irq) {
			if (flags)
				*flags = madt.isos[i].flags;
			return madt.isos[i].gsi;
		}
	}
	if (flags)
		*flags = 0;		/* conforms to the bus: ISA's edge, active high */
	return irq;
}

void ioapic_init(void)
{
	/* Masked; remappable (through IRTE 0, never present) once IR is on. */
	u64 off = iommu_ir_active() ? ir_ioapic_rte(0, 0, false, false, true) :
				     RTE_MASKED;

	if (nr_ioapics || !boot_info.rsdp_phys ||
	    madt_find_cpus(boot_info.rsdp_phys, acpi_map_firmware, NULL, &madt))
		return;
	pit_gsi = isa_gsi(ISA_IRQ_PIT, NULL);
	com1_gsi = isa_gsi(ISA_IRQ_COM1, NULL);
	for (unsigned int i = 0; i < madt.nr_ioapics; i++) {
		struct ioapic *a = &ioapics[nr_ioapics];
		u64 phys = madt.ioapics[i].phys;

		if ((phys & ~PAGE_MASK) > PAGE_SIZE - 0x20 ||
		    pt_map(&host_page_table, DIRECTMAP_BASE + (phys & PAGE_MASK),
			   phys & PAGE_MASK, PAGE_SIZE, X86_PTE_P | X86_PTE_RW |
			   X86_PTE_PCD | X86_PTE_PWT | X86_PTE_NX, 0)) {
			pr_warn("ioapic: cannot map IOAPIC %u at %#llx: not used\n",
				madt.ioapics[i].id, (unsigned long long)phys);
			continue;
		}
		a->regs = phys_to_virt(phys);
		a->info = (struct ioapic_info){ madt.ioapics[i].id, phys,
			madt.ioapics[i].gsi_base,
			((reg_read(a, IOAPIC_VER) >> 16) & 0xff) + 1 };
		for (u32 pin = 0; pin < a->info.pins; pin++) {
			reg_write(a, IOAPIC_RTE(pin), RTE_MASKED);
			reg_write(a, IOAPIC_RTE(pin) + 1, off >> 32);
			reg_write(a, IOAPIC_RTE(pin), off);
		}
		pr_info("ioapic: id %u at %#x, GSIs %u-%u, all masked\n",
			a->info.id, a->info.phys, a->info.gsi_base,
			a->info.gsi_base + a->info.pins - 1);
		nr_ioapics++;
	}
}

const struct ioapic_info *ioapic_get(unsigned int n)
{
	return n < nr_ioapics ? &ioapics[n].info : NULL;
}

const struct madt_cpus *ioapic_madt(void)
{
	return &madt;
}

bool ioapic_gsi_reserved(u32 gsi)
{
	return gsi == 0 || gsi == pit_gsi || gsi == com1_gsi;
}

/* Write @rte into @a's @pin, masked first so that no half-written entry fires. */
static void write_rte(struct ioapic *a, u32 pin, u64 rte)
{
	unsigned long flags = spin_lock_irqsave(&ioapic_lock);

	reg_write(a, IOAPIC_RTE(pin), RTE_MASKED);
	reg_write(a, IOAPIC_RTE(pin) + 1, rte >> 32);
	reg_write(a, IOAPIC_RTE(pin), rte);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

/* Route @gsi to @vector on the boot CPU with @rte's flags, through IRTE @vector under IR. */
static int route(u32 gsi, u8 vector, u64 rte)
{
	u32 pin, dest = irq_dest_apic_id();
	struct ioapic *a = find_pin(gsi, &pin);
	int rc;

	if (!a)
		return -ENOENT;
	if (dest > 0xff)
		return -EPERM;
	rte |= (u64)dest << 56 | vector;
	rc = iommu_ir_ioapic_rte(a->info.id, &rte);
	if (!rc)
		write_rte(a, pin, rte);
	return rc;
}

int ioapic_route_com1(u8 vector)
{
	u16 inti;
	u32 pin, gsi = isa_gsi(ISA_IRQ_COM1, &inti);
	struct ioapic *a = find_pin(gsi, &pin);

	if (!a)
		return -ENOENT;
	if (!vector) {
		write_rte(a, pin, RTE_MASKED);
		return 0;
	}
	/* MPS INTI trigger (bits 3:2) 3 is level: console input expects an edge. */
	if ((inti >> 2 & 3) == 3)
		return -EPERM;
	/* Polarity (bits 1:0) 3 is active low. */
	return route(gsi, vector, (inti & 3) == 3 ? RTE_ACTIVE_LOW : 0);
}

int ioapic_route(u32 gsi, u8 vector, bool level, bool active_low)
{
	if (ioapic_gsi_reserved(gsi))
		return -EPERM;
	return route(gsi, vector, RTE_MASKED | (level ? RTE_LEVEL : 0) |
		     (active_low ? RTE_ACTIVE_LOW : 0));
}

int ioapic_rte_read(u32 gsi, u64 *rte)
{
	u32 pin;
	struct ioapic *a = find_pin(gsi, &pin);
	unsigned long flags;

	if (!a)
		return -ENOENT;
	flags = spin_lock_irqsave(&ioapic_lock);
	*rte = reg_read(a, IOAPIC_RTE(pin)) |
	       (u64)reg_read(a, IOAPIC_RTE(pin) + 1) << 32;
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

void ioapic_mask(u32 gsi, bool masked)
{
	u32 pin, lo;
	struct ioapic *a = find_pin(gsi, &pin);
	unsigned long flags;

	if (!a || ioapic_gsi_reserved(gsi))
		return;
	flags = spin_lock_irqsave(&ioapic_lock);
	lo = reg_read(a, IOAPIC_RTE(pin));
	reg_write(a, IOAPIC_RTE(pin), masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}
