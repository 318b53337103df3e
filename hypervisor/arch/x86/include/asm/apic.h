/* Host local APIC vectors and helpers. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#define APIC_TIMER_VECTOR 0xf0
#define APIC_SPURIOUS_VECTOR 0xff

#ifndef __ASSEMBLER__
int apic_init(void);
void apic_eoi(void);
#endif

#endif
