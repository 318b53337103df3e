/* The hardware domain's interrupt hardware: its vIOAPICs and vPCI, set up by arch_hwdom_init(). */
#ifndef ASM_HWDOM_IRQ_H
#define ASM_HWDOM_IRQ_H

#include <keel/types.h>
#include <asm/madt.h>

struct domain;
struct vioapic;
struct vpci;

struct hwdom_irq {
	unsigned int nr_vioapics;
	struct vioapic *vioapic[MADT_MAX_IOAPICS];
	struct vpci *vpci;
};

/*
 * A vIOAPIC per host IOAPIC (same id, address, pins, GSI base; its page
 * claimed through mmio_register()) and vPCI for @d: 0 or -ENOMEM/-EBUSY.
 */
int hwdom_irq_init(struct domain *d);
/* The vLAPIC EOI of level-triggered @vector (broadcast to @d's vIOAPICs). */
void hwdom_irq_eoi(struct domain *d, u8 vector);
/* Unbind every host interrupt @d holds and free its state (domain_free). */
void hwdom_irq_free(struct domain *d);

#endif
