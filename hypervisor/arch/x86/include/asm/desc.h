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

#endif
