/*
 * Stopping the machine: in QEMU through isa-debug-exit, in Bochs through
 * its shutdown port, on real hardware by ACPI power-off or reset as a
 * hardware dom0 asked (hwdom_ports.c), else by halting the CPU.
 */
#include <keel/arch.h>
#include <keel/string.h>
#include <asm/hwdom_ports.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <asm/vmx_internal.h>

#define QEMU_FW_CFG_SELECTOR 0x510
#define QEMU_FW_CFG_DATA 0x511
#define QEMU_DEBUG_EXIT_PORT 0x501	/* -device isa-debug-exit,iobase=0x501 */
#define BOCHS_SHUTDOWN_PORT 0x8900
#define E9_PORT 0xe9

/* QEMU answers "QEMU" on fw_cfg's signature key (selector 0). */
static bool running_in_qemu(void)
{
	char sig[4];

	if (!(cpuid(1).ecx & CPUID1_ECX_HYPERVISOR))
		return false;
	outw(QEMU_FW_CFG_SELECTOR, 0);
	for (int i = 0; i < 4; i++)
		sig[i] = inb(QEMU_FW_CFG_DATA);
	return !memcmp(sig, "QEMU", 4);
}

/* Bochs's port_e9_hack reads back 0xE9; real hardware floats to 0xFF. */
static bool running_in_bochs(void)
{
	return inb(E9_PORT) == E9_PORT;
}

void arch_machine_stop(enum keel_status status)
{
	asm volatile("cli");
	x86_console_flush();
	if (running_in_qemu()) {
		outw(QEMU_DEBUG_EXIT_PORT, status);
	} else if (running_in_bochs()) {
		for (const char *p = "Shutdown"; *p; p++)
			outb(BOCHS_SHUTDOWN_PORT, *p);
	} else if (status == KEEL_STATUS_OK || status == KEEL_STATUS_DOM0_REBOOT) {
		hwdom_machine_off(status == KEEL_STATUS_DOM0_REBOOT);
	}
	cpu_halt_forever();
	__builtin_unreachable();
}
