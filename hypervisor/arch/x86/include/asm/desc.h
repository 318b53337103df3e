/* x86 segment selectors and descriptor-table setup. */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#define GDT_CODE_SEL 0x08
#define GDT_DATA_SEL 0x10
#define GDT_TSS_SEL 0x18

/* Interrupt stack table slots for exceptions that must not use the current stack. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3
#define IST_STACK_SIZE 4096

#ifndef __ASSEMBLER__
#include <keel/types.h>

/* An IDT gate in long mode. */
struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

#define IDT_GATE_INTERRUPT 0x8e	/* present, DPL 0, 64-bit interrupt gate */

/* The operand of LGDT/LIDT/SGDT/SIDT. */
struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static inline struct idt_entry idt_gate(u64 handler, u16 selector, u8 ist)
{
	return (struct idt_entry){
		.offset_lo = handler & 0xffff,
		.selector = selector,
		.ist = ist,
		.type_attr = IDT_GATE_INTERRUPT,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_hi = handler >> 32,
	};
}
#endif

#endif
