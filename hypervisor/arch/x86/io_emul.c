/* Guest port I/O exits of either backend: the 0xE9 console, keel's ACPI registers, a hardware dom0's traps. */
#include <keel/acpi.h>
#include <keel/assert.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/hwdom_ports.h>
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
u32 emulate_port_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		   u32 val)
{
	u32 ones = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

	/* The hardware domain's PCI configuration mechanism (vpci.c). */
	if (is_hardware_domain(v->domain) && vpci_portio(v, port, size, in, &val))
		return in ? val : 0;
	/* A hardware dom0: only its trapped ports exit; keel's virtual ACPI ports are not its. */
	if (v->domain->arch.hwdom_ports) {
		if (hwdom_portio(v, port, size, in, &val))
			return val;
		if (in || port != E9_PORT)
			return ones;
	}
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

/*
 * INS/OUTS of a hardware dom0 on a port it does not own (no driver does
 * that): refused as a bus without a device would answer nothing, the
 * instruction done with its pointer and count advanced, memory untouched.
 */
static bool string_io(struct vcpu *v, const struct io_exit *e)
{
	static unsigned int warned;
	u64 mask = e->addr_size == 8 ? ~0ULL : (1ULL << (8 * e->addr_size)) - 1;
	u64 count = e->rep ? v->arch.regs.rcx & mask : 1;
	u64 *ptr = e->in ? &v->arch.regs.rdi : &v->arch.regs.rsi;
	u64 step = count * e->size;

	if (warned < 10) {
		warned++;
		pr_warn("d%u: refused string %s of port %#x\n", v->domain->id,
			e->in ? "read" : "write", e->port);
	}
	if (hvm_get(HVM_RFLAGS) & BIT(10))	/* DF */
		step = -step;
	*ptr = (*ptr & ~mask) | ((*ptr + step) & mask);
	if (e->rep)
		v->arch.regs.rcx &= ~mask;
	hvm_skip_insn(e->len);
	return true;
}

bool handle_io_exit(struct vcpu *v, const struct io_exit *e)
{
	u32 mask = e->size == 4 ? 0xffffffffu : (1u << (e->size * 8)) - 1;
	u32 val;

	ASSERT(e->size == 1 || e->size == 2 || e->size == 4);
	if (e->string) {
		if (!v->domain->arch.hwdom_ports) {
			domain_crash(v->domain, "string I/O instruction");
			return false;
		}
		ASSERT(e->addr_size == 2 || e->addr_size == 4 || e->addr_size == 8);
		return string_io(v, e);
	}
	val = emulate_port_io(v, e->port, e->size, e->in, v->arch.regs.rax & mask);
	if (e->in)
		v->arch.regs.rax = (v->arch.regs.rax & ~(u64)mask) | (val & mask);
	hvm_skip_insn(e->len);
	return v->domain->state == DOMAIN_RUNNING;
}

/* VT-x's exit qualification; the address size of INS/OUTS is in the instruction information. */
bool vmx_handle_io(struct vcpu *v)
{
	u64 q = vmread(EXIT_QUALIFICATION);
	struct io_exit e = {
		.port = q >> 16, .size = (q & 7) + 1, .in = q & BIT(3),
		.string = q & BIT(4), .rep = q & BIT(5),
	};

	if (e.string)
		e.addr_size = 2 << ((vmread(VMX_INSTRUCTION_INFO) >> 7) & 7);
	return handle_io_exit(v, &e);
}
