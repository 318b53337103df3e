/* The hardware domain's virtual IOAPICs: one per host IOAPIC, routing physical GSIs to its vLAPICs. */
#ifndef ASM_VIOAPIC_H
#define ASM_VIOAPIC_H

#include <keel/spinlock.h>
#include <keel/types.h>
#include <asm/mmio.h>

#define VIOAPIC_MAX_PINS 120	/* more than any host IOAPIC we met has (24-120) */
#define VIOAPIC_VERSION 0x11	/* no EOI register: Linux EOIs by the vLAPIC broadcast */

struct domain;
struct ioapic_info;
struct vioapic;

/* A pin and what keel holds for it on the host. */
struct vioapic_pin {
	struct vioapic *vio;
	u16 pin;
	u8 host_vector;		/* 0: not bound yet */
	bool line;		/* a level interrupt arrived while masked or in service */
};

struct vioapic {
	struct domain *d;
	spinlock_t lock;	/* everything below */
	u32 id, phys, gsi_base, pins;
	u32 ioregsel;
	u64 rte[VIOAPIC_MAX_PINS];
	struct vioapic_pin pin[VIOAPIC_MAX_PINS];
};

/* Set up @vio for @d as a copy of host IOAPIC @host: every pin masked. */
void vioapic_init(struct vioapic *vio, struct domain *d,
		  const struct ioapic_info *host);
/* IOREGSEL (+0x00) and IOWIN (+0x10): its page's handlers (priv: the vioapic). */
extern const struct mmio_ops vioapic_mmio_ops;
/* A host vector bound to a pin fired (do_irq; data: its vioapic_pin). */
void vioapic_host_irq(unsigned int vector, void *data);
/* One vioapic's part of a vLAPIC EOI of level-triggered @vector. */
void vioapic_eoi(struct vioapic *vio, u8 vector);

#endif
