/* The stack protector's canary at %fs:0x28, for code built for hosted x86-64 (Debian's libfdt.a). */
#ifndef ASM_STACK_GUARD_H
#define ASM_STACK_GUARD_H

#include <keel/types.h>

/* Point this CPU's FS base at the canary block; once per CPU, before any libfdt call. */
void x86_stack_guard_init(void);

/* The FS base keel runs with: a VM exit must restore it (VMCS host state). */
u64 x86_stack_guard_base(void);

#endif
