/* VT-d interrupt remapping: IRTE and remappable-message encoders, and the hooks keel's interrupt code calls. */
#ifndef ASM_INTREMAP_H
#define ASM_INTREMAP_H

#include <keel/types.h>

/*
 * One table for every unit, indexed by host vector: each host interrupt
 * keel binds owns one vector (irq.c), so its IRTE's handle is that
 * vector; 256 entries of 16 bytes fill one page (IRTA.S = 7).
 */
#define IRT_ENTRIES 256
#define IRTA_SIZE 7			/* 2^(S + 1) entries */
#define IRTA_EIME BIT(11)

#define IRTE_P BIT(0)
#define IRTE_TM BIT(4)			/* level */
#define IRTE_SVT_SID 1			/* verify the full source-id */
#define IRTE_SVT_BUS 2			/* verify the bus range sid[15:8]..sid[7:0] */

#define IR_MSI_FORMAT BIT(4)		/* remappable address */
#define IR_RTE_FORMAT BIT(48)		/* remappable IOAPIC entry */

/*
 * irte_encode() - a present IRTE: fixed delivery of @vector to physical
 * APIC id @dest (x2APIC 32-bit when @x2apic, else xAPIC in bits 47:40),
 * @level trigger; requests checked against @sid as @svt (IRTE_SVT_*).
 */
void irte_encode(u64 irte[2], u32 dest, bool x2apic, u8 vector, bool level,
		 u16 sid, unsigned int svt);
/* The remappable MSI address naming IRTE @handle (no subhandle: data 0). */
u32 ir_msi_addr(u16 handle);
/*
 * The remappable IOAPIC entry for IRTE @handle: @vector must be the
 * IRTE's (the IOAPIC matches EOIs by it), polarity, trigger, mask.
 */
u64 ir_ioapic_rte(u16 handle, u8 vector, bool level, bool active_low,
		  bool masked);

/* ---- vtd_ir.c: the table, and the hooks keel's interrupt code calls ---- */

struct vtd_unit;

/* After QI is on, before the unit's global invalidations: IRTA, SIRTP, IEC; u->ir. */
void vtd_ir_setup(struct vtd_unit *u);
/* After TE: IRE (CFI stays 0: compatibility-format interrupts blocked). */
void vtd_ir_enable(struct vtd_unit *u);
/* Are interrupts remapped (every unit has IRE)? */
bool iommu_ir_active(void);
/*
 * iommu_ir_msi() - the message device @sid (segment 0) sends. In: the
 * compatibility address and data (host vector, APIC id); out: unchanged
 * when IR is off or no unit translates @sid, else remappable through the
 * IRTE just written. 0, or -EIO (the IRTE may not be in effect).
 */
int iommu_ir_msi(u16 sid, u32 *addr, u32 *data);
/*
 * iommu_ir_ioapic_rte() - the entry a pin of IOAPIC @ioapic_id gets: in,
 * the compatibility entry (host vector, APIC id); out, unchanged when IR
 * is off, else remappable. -ENODEV when the DMAR names no source-id for
 * the IOAPIC, -EIO as iommu_ir_msi().
 */
int iommu_ir_ioapic_rte(u8 ioapic_id, u64 *rte);
/* Host @vector unbound: its IRTE cleared and invalidated on every unit. */
void iommu_ir_free(unsigned int vector);
/* IRTE @h as the table holds it (zeros without a table). */
void vtd_ir_entry(unsigned int h, u64 e[2]);

/*
 * vtd_ir_selftest() - selftest=vtd's interrupt-remapping step, after
 * vtd_init() and before the VT-x check, on the boot CPU with its APIC up
 * and the 8259s masked (the caller's), IR on: the IOAPICs found and their
 * pins masked in remappable form, one routed and read back;
 * then device @sid's MSI through the IRTE of a fresh vector:
 * @program(@arg, addr, data) writes the message into the device and
 * enables its MSI, @raise(@arg) makes the device send it (edu: 0x60).
 * The vector must arrive; after the IRTE is cleared and invalidated,
 * nothing may. Leaves the device's MSI enabled. 0, or -EIO after a
 * "vtd: selftest: ir:" line saying what failed.
 */
int vtd_ir_selftest(u16 sid, void (*program)(void *arg, u32 addr, u32 data),
		    void (*raise)(void *arg), void *arg);

#endif
