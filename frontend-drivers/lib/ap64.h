/* Starting another vCPU of a test guest in 64-bit mode, on the boot vCPU's page tables and IDT. */
#ifndef GUEST_AP64_H
#define GUEST_AP64_H

/* The real-mode trampoline's page (startup IPI vector 9): guest RAM below 1 MiB. */
#define AP64_BASE 0x9000
#define AP64_STACK_SIZE 0x4000

#ifndef __ASSEMBLER__
#include <keel/types.h>

/*
 * Start vCPU @vcpu (its x2APIC id) with INIT and a startup IPI, as Linux
 * starts its APs: the trampoline (ap64_tramp.S) takes it from real mode to
 * long mode on the identity map, where it calls @fn(@arg), interrupts off,
 * on a stack of its own, and halts when @fn returns. Returns 0 once it
 * runs, -ETIMEDOUT when it never does. One vCPU at a time; vCPUs 1..15.
 */
int ap64_start(unsigned int vcpu, void (*fn)(void *arg), void *arg);
#endif

#endif
