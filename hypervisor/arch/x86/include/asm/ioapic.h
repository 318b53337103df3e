/* The host's IOAPICs (keel owns them) and the host vectors device interrupts arrive on. */
#ifndef ASM_IOAPIC_H
#define ASM_IOAPIC_H

#include <keel/types.h>
#include <asm/madt.h>

struct ioapic_info {
	u32 id, phys, gsi_base, pins;
};

/* Boot CPU, once: find the IOAPICs (MADT), map them, mask every pin. */
void ioapic_init(void);
/* The @n-th host IOAPIC, or NULL past the last. */
const struct ioapic_info *ioapic_get(unsigned int n);
/* The MADT's interrupt source overrides (hwacpi's composer copies them). */
const struct madt_cpus *ioapic_madt(void);
/* Does keel keep GSI @gsi for itself (the PIT's, COM1's, ExtINT's pin 0)? */
bool ioapic_gsi_reserved(u32 gsi);
/*
 * Route @gsi to host @vector on the boot CPU, masked, with @level
 * trigger and @active_low polarity (through IRTE @vector when interrupts
 * are remapped): 0, -ENOENT (no such pin), -EPERM (keel's own), or
 * iommu_ir_ioapic_rte()'s error.
 */
int ioapic_route(u32 gsi, u8 vector, bool level, bool active_low);
void ioapic_mask(u32 gsi, bool masked);
/*
 * Route keel's own COM1 (ISA IRQ 4, or the GSI an override names, with
 * its polarity) to host @vector, edge-triggered and unmasked; @vector 0
 * masks it. 0, -ENOENT (no such pin), -EPERM (an override makes it
 * level-triggered), or iommu_ir_ioapic_rte()'s error.
 */
int ioapic_route_com1(u8 vector);
/* The entry of @gsi's pin as the IOAPIC holds it (selftest=vtd): 0 or -ENOENT. */
int ioapic_rte_read(u32 gsi, u64 *rte);

/* Host vectors for device interrupts (irq.c): @fn runs in do_irq(), then the EOI. */
typedef void (*irq_fn)(unsigned int vector, void *data);
/* A free vector bound to @fn(@data), or -ENOSPC. */
int irq_vector_alloc(irq_fn fn, void *data);
void irq_vector_free(unsigned int vector);
/*
 * irq_vector_free(), then wait until no CPU runs its handler: its data may
 * be freed after. Never with a lock its handler takes.
 */
void irq_vector_free_sync(unsigned int vector);
/* The APIC id device interrupts are sent to (the boot CPU's). */
u32 irq_dest_apic_id(void);

#endif
