/* Guest port I/O: the 0xE9 console, keel's ACPI sleep and reset registers; the rest floats. */
#include <keel/acpi.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/vcpu.h>
#include <asm/vmcs.h>
#include <asm/vpci.h>
#include <asm/vmx_internal.h>
#include <public/sched.h>

#define E9_PORT 0xe9

static void sleep_control_write(struct vcpu *v, u32 val)
{
	if ((val & ACPI_SLEEP_ENABLE) &&
	    ((val >> 2) & 7) == ACPI_SLEEP_TYPE_S5)
		domain_shutdown(v->domain, SHUTDOWN_poweroff);
}

/* Emulate one IN or OUT of @size bytes; unknown ports read all-ones. */
static u32 port_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		   u32 val)
{
	u32 ones = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

	/* The hardware domain's PCI configuration mechanism (vpci.c). */
	if (is_hardware_domain(v->domain) && vpci_portio(v, port, size, in, &val))
		return in ? val : 0;
	if (in)
		return port == ACPI_SLEEP_STATUS_PORT ? 0 : ones;
	switch (port) {
	case E9_PORT: {
		char c = val;

		domain_console_write(v->domain, &c, 1);
		break;
	}
	case ACPI_SLEEP_CONTROL_PORT:
		sleep_control_write(v, val);
		break;
	case ACPI_RESET_PORT:
		if ((val & 0xff) == ACPI_RESET_VALUE)
			domain_shutdown(v->domain, SHUTDOWN_reboot);
		break;
	}
	return 0;
}

bool vmx_handle_io(struct vcpu *v)
{
	u64 q = vmread(EXIT_QUALIFICATION);
	unsigned int size = (q & 7) + 1;
	bool in = q & BIT(3);
	u32 mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	u32 val;

	if (q & BIT(4)) {
		domain_crash(v->domain, "string I/O instruction");
		return false;
	}
	val = port_io(v, q >> 16, size, in, v->arch.regs.rax & mask);
	if (in)
		v->arch.regs.rax = (v->arch.regs.rax & ~(u64)mask) | (val & mask);
	vmx_skip_instruction();
	return v->domain->state == DOMAIN_RUNNING;
}
