/* Host local APIC vectors and helpers. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#define APIC_TIMER_VECTOR 0xf0
#define APIC_KICK_VECTOR 0xf1	/* arch_send_ipi(): back to the scheduler loop */
#define APIC_SPURIOUS_VECTOR 0xff
/* Device interrupts: the 8259s' remapped vectors, then the allocator's (irq_vector.c). */
#define APIC_DEVICE_VECTOR_FIRST 0x20
#define PIC_VECTOR_BASE 0x20		/* 0x20-0x2f: masked, only ever spurious */
#define APIC_ALLOC_VECTOR_FIRST 0x30
#define APIC_DEVICE_VECTOR_LAST 0xef

#ifndef __ASSEMBLER__
#include <keel/types.h>

/* ICR delivery modes and flags for apic_send_ipi(). */
#define APIC_DM_FIXED (0u << 8)
#define APIC_DM_INIT (5u << 8)
#define APIC_DM_STARTUP (6u << 8)
#define APIC_LEVEL_ASSERT (1u << 14)
#define APIC_TRIGGER_LEVEL (1u << 15)
#define XAPIC_MAX_ID 0xfe	/* 0xff is the broadcast address */

/* Set up this CPU's local APIC and timer; the first call (boot CPU) also probes and calibrates. */
int apic_init(void);
void apic_eoi(void);
/* Does the local APIC run in x2APIC mode (32-bit ids), not xAPIC (8-bit)? */
bool apic_is_x2apic(void);
/* Send an IPI (@icr_low: vector, delivery mode, flags) to the CPU with APIC id @apic_id. */
int apic_send_ipi(u32 apic_id, u32 icr_low);
#endif

#endif
