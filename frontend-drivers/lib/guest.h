/* Everything a keel test guest uses: entry contract, start info, console, traps, events, grants, time, tests. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <keel/types.h>
#include <keel/string.h>
#include <keel/errno.h>
#include <public/hvm_start_info.h>
#include <public/xen.h>
#include <public/sched.h>
#include <public/version.h>
#include <asm/processor.h>
#include <asm/io.h>
#include "cmdline.h"
#include "console.h"
#include "events.h"
#include "extable.h"
#include "gnttab.h"
#include "hypercall.h"
#include "hypervisor.h"
#include "paging.h"
#include "pvclock.h"
#include "shutdown.h"
#include "test.h"
#include "traps.h"

/*
 * Provided by each test guest. Runs in long mode on the identity map with
 * the console and IDT set up, interrupts off. The return value is the
 * SHUTDOWN_* reason the guest then shuts down with.
 */
int guest_main(const char *cmdline);

/* The boot information from the hypervisor (identity mapped). */
extern const struct hvm_start_info *start_info;

/* The loaded image, from the linker script. */
extern char __image_start[], __image_end[];

#endif
