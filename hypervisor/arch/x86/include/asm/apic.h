/* Host local APIC vectors and helpers. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#define APIC_TIMER_VECTOR 0xf0
#define APIC_KICK_VECTOR 0xf1	/* another CPU wants this one back in its loop */
#define APIC_SPURIOUS_VECTOR 0xff

#ifndef __ASSEMBLER__
int apic_init(void);
void apic_eoi(void);
/* Send fixed-delivery @vector to the CPU with APIC id @apic_id. */
void apic_send_ipi(u32 apic_id, u8 vector);
#endif

#endif
