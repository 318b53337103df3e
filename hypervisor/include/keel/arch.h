/*
 * The arch_* hooks: the only way generic hypervisor code reaches the
 * architecture. Each architecture implements them under hypervisor/arch/.
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <keel/types.h>
#include <keel/status.h>

struct boot_info;

/**
 * arch_console_probe() - find the consoles this machine offers.
 * @return a mask of CONSOLE_* sinks that are present.
 */
u32 arch_console_probe(void);

/**
 * arch_console_write() - write raw bytes to consoles.
 * @sinks: CONSOLE_* mask to write to (only probed ones are used).
 * @s: bytes to write; @len: how many.
 */
void arch_console_write(u32 sinks, const char *s, size_t len);

/**
 * arch_cpu_init() - set up the boot CPU's descriptor tables (GDT, IDT, TSS)
 * and exception handlers. Called once, first thing, on the boot CPU.
 */
void arch_cpu_init(void);

/**
 * arch_paging_init() - build the hypervisor's own page tables (direct map
 * of all RAM and the image with section permissions) and switch to them.
 * @bi: boot information with the memory map.
 * @return 0, or a negative errno when memory runs out.
 */
int arch_paging_init(const struct boot_info *bi);

/**
 * arch_virt_init() - detect and enable hardware virtualisation on this CPU
 * (VT-x: VMXON) and report its capabilities.
 * @return 0 on success; -ENODEV after printing one line naming what is
 * missing.
 */
int arch_virt_init(void);

/**
 * arch_machine_stop() - stop the machine for good: exit the emulator with
 * @status when running in one, else halt the CPU.
 */
void __noreturn arch_machine_stop(enum keel_status status);

/**
 * phys_to_virt()/virt_to_phys() - convert between physical addresses and
 * the hypervisor's mapping of them (direct map, or the image for symbols).
 */
void *phys_to_virt(u64 phys);
u64 virt_to_phys(const void *virt);

#endif
