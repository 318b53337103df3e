/* VT-d interrupt remapping: the one IRT every unit uses, an IRTE per host interrupt keel binds. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/stop.h>
#include <asm/intremap.h>
#include <asm/pci.h>
#include <asm/processor.h>
#include <asm/vtd.h>
#include <asm/vtd_regs.h>

#define VTD_IRTA 0xb8
#define ECAP_EIM BIT(4)
#define CPUID1_ECX_X2APIC BIT(21)
#define MSI_DEST(addr) (((addr) >> 12) & 0xff)
#define RTE_DEST(rte) ((u32)((rte) >> 56))
#define RTE_ACTIVE_LOW BIT(13)
#define RTE_LEVEL BIT(15)
#define RTE_MASKED BIT(16)
#define PCI_PRIMARY_BUS 0x18

static u64 (*irt)[2];		/* IRT_ENTRIES IRTEs; handle == host vector */
static bool x2apic_dest;	/* IRTA.EIME: 32-bit destinations */
static bool ir_failed;		/* a unit cannot remap: none does */
static u32 setup_units, on_units;	/* bit i: unit i has IRTP, IRE */
static DEFINE_SPINLOCK(ir_lock);	/* the IRT and its invalidations */

static unsigned int unit_index(const struct vtd_unit *u)
{
	unsigned int i = 0;

	while (i < vtd_nr_units() && vtd_unit(i) != u)
		i++;
	ASSERT(i < vtd_nr_units());
	return i;
}

/* IR off everywhere (said once): compatibility-format interrupts flow again. */
static void ir_refuse(const struct vtd_unit *u, const char *why)
{
	if (!ir_failed)
		pr_warn("vtd: unit at %#llx: %s: interrupt remapping off\n",
			(unsigned long long)u->drhd.base, why);
	ir_failed = true;
	for (unsigned int i = 0; i < vtd_nr_units(); i++) {
		if (on_units & BIT(i))
			vtd_gcmd_set(vtd_unit(i), VTD_GCMD_IRE, false);
		vtd_unit(i)->ir = false;
	}
	on_units = 0;
}

void vtd_ir_setup(struct vtd_unit *u)
{
	volatile u64 *irta = (volatile u64 *)((u8 *)u->regs + VTD_IRTA);
	u64 desc[2];

	if (!iommu_intremap || ir_failed)
		return;
	if (!(u->ecap & ECAP_IR))
		return ir_refuse(u, "no interrupt remapping (ECAP.IR)");
	if (!u->qi_ring)
		return ir_refuse(u, "no queued invalidation, which it needs");
	if (!irt) {
		irt = alloc_page();
		if (!irt)
			return ir_refuse(u, "no memory for the table");
		/* keel's APIC runs x2APIC where the CPU has it (apic.c). */
		x2apic_dest = (cpuid(1).ecx & CPUID1_ECX_X2APIC) &&
			      (u->ecap & ECAP_EIM);
	} else if (x2apic_dest && !(u->ecap & ECAP_EIM)) {
		return ir_refuse(u, "no x2APIC destinations (ECAP.EIM) unlike the others");
	}
	vtd_pt_sync(irt, PAGE_SIZE);
	*irta = virt_to_phys(irt) | (x2apic_dest ? IRTA_EIME : 0) | IRTA_SIZE;
	vtd_gcmd_set(u, VTD_GCMD_SIRTP, true);
	vtd_qi_iec_global(desc);
	if (vtd_qi_submit(u, desc))
		return ir_refuse(u, "interrupt-entry cache invalidation failed");
	setup_units |= BIT(unit_index(u));
	u->ir = true;		/* its boot line: IRE follows with TE */
}

void vtd_ir_enable(struct vtd_unit *u)
{
	unsigned int i = unit_index(u);

	if (ir_failed || !(setup_units & BIT(i)))
		return;
	vtd_gcmd_set(u, VTD_GCMD_IRE, true);
	/* GCMD writes keep GSTS's CFIS: one firmware left on must go. */
	vtd_gcmd_set(u, VTD_GCMD_CFI, false);
	on_units |= BIT(i);
}

bool iommu_ir_active(void)
{
	unsigned int n = vtd_nr_units();

	return n && !ir_failed && on_units == (u32)BIT(n) - 1;
}

/* Store IRTE @h whole (the units may read it meanwhile), then invalidate its cached copies. */
static int irte_write(unsigned int h, u64 lo, u64 hi)
{
	u64 old_lo = irt[h][0], old_hi = irt[h][1], desc[2];
	int rc = 0;

	ASSERT(spin_is_locked(&ir_lock));
	if (old_lo == lo && old_hi == hi)
		return 0;
	asm volatile("1: lock cmpxchg16b %0\n\tjnz 1b"
		     : "+m"(*(__int128 *)irt[h]), "+a"(old_lo), "+d"(old_hi)
		     : "b"(lo), "c"(hi) : "memory", "cc");
	vtd_pt_sync(irt[h], sizeof(irt[h]));
	vtd_qi_iec_index(desc, h, 0);
	for (unsigned int i = 0; i < vtd_nr_units(); i++)
		if ((setup_units & BIT(i)) && vtd_qi_submit(vtd_unit(i), desc))
			rc = -EIO;
	if (rc)
		pr_err("vtd: IRTE %u: interrupt-entry cache invalidation failed\n", h);
	return rc;
}

/*
 * The source-id check for device @sid's messages: the device itself, or,
 * below a bridge the DMAR lists (scope type 2), the bus range from the
 * bridge's bus to its subordinate bus (a PCIe-to-PCI bridge forwards its
 * devices' messages under its own or its secondary bus's id).
 */
static unsigned int msi_source(const struct vtd_unit *u, u16 sid, u16 *check)
{
	u8 bus = sid >> 8;

	for (unsigned int i = 0; i < u->drhd.nr_scopes; i++) {
		const struct dmar_scope *s = &u->drhd.scopes[i];
		u32 buses;

		if (s->type != DMAR_SCOPE_BRIDGE || s->sid == sid)
			continue;
		buses = pci_conf_read(s->sid, PCI_PRIMARY_BUS, 4);
		if (bus >= ((buses >> 8) & 0xff) && bus <= ((buses >> 16) & 0xff) &&
		    (buses & 0xff00)) {
			*check = (s->sid & 0xff00) | ((buses >> 16) & 0xff);
			return IRTE_SVT_BUS;
		}
	}
	*check = sid;
	return IRTE_SVT_SID;
}

int iommu_ir_msi(u16 sid, u32 *addr, u32 *data)
{
	u8 vector = *data & 0xff;
	struct vtd_unit *u;
	unsigned int svt;
	u64 e[2];
	u16 check;
	int rc;

	if (!iommu_ir_active() || !(u = vtd_unit_for_sid(0, sid)))
		return 0;
	svt = msi_source(u, sid, &check);
	irte_encode(e, MSI_DEST(*addr), x2apic_dest, vector, false, check, svt);
	spin_lock(&ir_lock);
	rc = irte_write(vector, e[0], e[1]);
	spin_unlock(&ir_lock);
	*addr = ir_msi_addr(vector);
	*data = 0;
	return rc;
}

int iommu_ir_ioapic_rte(u8 ioapic_id, u64 *rte)
{
	u8 vector = *rte & 0xff;
	u64 e[2];
	u16 sid;
	int rc;

	if (!iommu_ir_active())
		return 0;
	if (vtd_ioapic_sid(ioapic_id, &sid)) {
		pr_warn("vtd: the DMAR names no source-id for IOAPIC %u: its pins stay masked\n",
			ioapic_id);
		return -ENODEV;
	}
	irte_encode(e, RTE_DEST(*rte), x2apic_dest, vector, *rte & RTE_LEVEL,
		    sid, IRTE_SVT_SID);
	spin_lock(&ir_lock);
	rc = irte_write(vector, e[0], e[1]);
	spin_unlock(&ir_lock);
	*rte = ir_ioapic_rte(vector, vector, *rte & RTE_LEVEL,
			     *rte & RTE_ACTIVE_LOW, *rte & RTE_MASKED);
	return rc;
}

void vtd_ir_entry(unsigned int h, u64 e[2])
{
	e[0] = irt && h < IRT_ENTRIES ? irt[h][0] : 0;
	e[1] = irt && h < IRT_ENTRIES ? irt[h][1] : 0;
}

void iommu_ir_free(unsigned int vector)
{
	int rc;

	if (!irt || vector >= IRT_ENTRIES)
		return;
	spin_lock(&ir_lock);
	rc = irte_write(vector, 0, 0);
	spin_unlock(&ir_lock);
	/* The vector is reused next: a unit still caching the entry would deliver into it. */
	if (rc)
		panic("vtd: IRTE %u: clearing it failed: a device may still raise vector %u\n",
		      vector, vector);
}
