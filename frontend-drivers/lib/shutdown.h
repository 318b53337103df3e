/* Ending the guest: SCHEDOP_shutdown, or isa-debug-exit (port 0x501) without a hypervisor. */
#ifndef GUEST_SHUTDOWN_H
#define GUEST_SHUTDOWN_H

#include <keel/types.h>
#include <public/sched.h>

/* QEMU: -device isa-debug-exit,iobase=0x501,iosize=2 exits with (code << 1) | 1. */
#define DEBUG_EXIT_PORT 0x501

/* @reason is a SHUTDOWN_* value. Never returns. */
void __noreturn guest_shutdown(unsigned int reason);

const char *shutdown_reason_name(unsigned int reason);

#endif
