/*
 * platform: the MSRs and I/O ports keel promises a PVH guest. EFER shows
 * long mode (LME, LMA) and the NXE the guest sets, and a reserved EFER bit
 * is refused with #GP; APIC_BASE reads 0xfee00000 with the enable and BSP
 * bits; MISC_ENABLE reads and a UCODE_REV write is accepted, as Linux
 * expects; unknown MSRs raise #GP on read and write; the MSRs the guest
 * owns (STAR, LSTAR, FS_BASE, KERNEL_GS_BASE) read back what was written.
 * The Xen hypercall page: CPUID 0x40000002 names its MSR, writing a page's
 * address fills it with 32-byte "mov $nr, %eax; vmcall; ret" stubs, and
 * calling the xen_version stub answers 4.17. Ports keel does not emulate
 * read all-ones and drop writes, and bytes written to port 0xE9 come out
 * on keel's console as a "(d0)" line.
 */
#include "guest.h"

#define MSR_APIC_BASE 0x1b
#define MSR_UCODE_REV 0x8b
#define MSR_MISC_ENABLE 0x1a0
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FS_BASE 0xc0000100
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_LMA BIT(10)
#define EFER_RESERVED BIT(1)
#define APIC_BASE_ADDR 0xfee00000ULL
#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_ENABLE BIT(11)

#define HYPERCALL_STUB_SIZE 32
#define NR_STUBS (4096 / HYPERCALL_STUB_SIZE)
#define XEN_VERSION_4_17 ((4 << 16) | 17)

static u8 hypercall_page[4096] __aligned(4096);

static void efer(void)
{
	u64 before = rdmsr(MSR_EFER), after = 0;

	EXPECT(wrmsr_safe(MSR_EFER, before | EFER_NXE), NO_FAULT);
	EXPECT(rdmsr_safe(MSR_EFER, &after), NO_FAULT);
	printf("guest: EFER %#lx, after setting NXE %#lx\n", before, after);
	CHECK((after & (EFER_LME | EFER_LMA | EFER_NXE)) ==
	      (EFER_LME | EFER_LMA | EFER_NXE),
	      "EFER %#lx lacks LME, LMA or NXE", after);
	EXPECT(wrmsr_safe(MSR_EFER, after | EFER_RESERVED), X86_EXC_GP);
	CHECK(rdmsr(MSR_EFER) == after, "EFER %#lx after a refused write, was %#lx",
	      rdmsr(MSR_EFER), after);
}

static void emulated_msrs(void)
{
	u64 apic = 0, misc = 0;

	EXPECT(rdmsr_safe(MSR_APIC_BASE, &apic), NO_FAULT);
	printf("guest: APIC_BASE %#lx\n", apic);
	CHECK((apic & ~0xfffULL) == APIC_BASE_ADDR, "APIC_BASE %#lx: not at %#llx",
	      apic, APIC_BASE_ADDR);
	CHECK((apic & (APIC_BASE_ENABLE | APIC_BASE_BSP)) ==
	      (APIC_BASE_ENABLE | APIC_BASE_BSP),
	      "APIC_BASE %#lx: not enabled or not the BSP", apic);
	EXPECT(rdmsr_safe(MSR_MISC_ENABLE, &misc), NO_FAULT);
	printf("guest: MISC_ENABLE %#lx\n", misc);
	EXPECT(wrmsr_safe(MSR_UCODE_REV, 0), NO_FAULT);
}

static void unknown_msrs(void)
{
	static const u32 msrs[] = { 0x12345, 0xc0011234 };
	u64 val;

	for (unsigned int i = 0; i < ARRAY_SIZE(msrs); i++) {
		CHECK(rdmsr_safe(msrs[i], &val) == X86_EXC_GP,
		      "rdmsr %#x: vector %d, want #GP", msrs[i],
		      last_fault.vector);
		CHECK(wrmsr_safe(msrs[i], 1) == X86_EXC_GP,
		      "wrmsr %#x: vector %d, want #GP", msrs[i],
		      last_fault.vector);
		CHECK(last_fault.error_code == 0, "wrmsr %#x: error code %#lx",
		      msrs[i], last_fault.error_code);
	}
}

static void passthrough_msrs(void)
{
	static const struct {
		u32 msr;
		u64 val;
	} msrs[] = {
		{ MSR_STAR, 0x0023001000000000ULL },
		{ MSR_LSTAR, 0xffffffff81e00000ULL },
		{ MSR_FS_BASE, 0x00007f0012345000ULL },
		{ MSR_KERNEL_GS_BASE, 0xffff888012340000ULL },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(msrs); i++) {
		u64 old = rdmsr(msrs[i].msr), val = 0;

		EXPECT(wrmsr_safe(msrs[i].msr, msrs[i].val), NO_FAULT);
		EXPECT(rdmsr_safe(msrs[i].msr, &val), NO_FAULT);
		CHECK(val == msrs[i].val, "MSR %#x reads %#lx after writing %#lx",
		      msrs[i].msr, val, msrs[i].val);
		wrmsr(msrs[i].msr, old);
	}
}

/* Call stub @nr of the hypercall page as older Linux did. */
static long stub_call(unsigned int nr, unsigned long a1, unsigned long a2)
{
	register unsigned long r10 asm("r10") = 0;
	register unsigned long r8 asm("r8") = 0;
	unsigned long a3 = 0;
	long ret;

	asm volatile("call *%[stub]"
		     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
		       "+r"(r8)
		     : [stub] "r"(hypercall_page + nr * HYPERCALL_STUB_SIZE)
		     : "rcx", "r9", "r11", "cc", "memory");
	return ret;
}

static void hypercall_page_msr(void)
{
	/* vmcall; ret (vmmcall on AMD) */
	const u8 tail[] = { 0x0f, 0x01, hypercall_vmmcall ? 0xd9 : 0xc1, 0xc3 };
	struct cpuid_regs r = cpuid(xen_cpuid_base() + 2);
	unsigned int bad = 0;

	printf("guest: CPUID %#x: %u hypercall page(s), MSR %#x\n",
	       xen_cpuid_base() + 2, r.eax, r.ebx);
	CHECK(r.eax >= 1 && r.ebx == 0x40000000,
	      "hypercall pages %u, MSR %#x", r.eax, r.ebx);
	EXPECT(wrmsr_safe(r.ebx, (uptr)hypercall_page | 1), X86_EXC_GP);
	if (!CHECK(wrmsr_safe(r.ebx, (uptr)hypercall_page) == NO_FAULT,
		   "wrmsr %#x: vector %d", r.ebx, last_fault.vector))
		return;
	for (unsigned int nr = 0; nr < NR_STUBS; nr++) {
		const u8 *stub = hypercall_page + nr * HYPERCALL_STUB_SIZE;
		u32 imm;

		memcpy(&imm, stub + 1, sizeof(imm));
		if (stub[0] != 0xb8 || imm != nr ||
		    memcmp(stub + 5, tail, sizeof(tail)))
			bad++;
	}
	CHECK(!bad, "%u of %u hypercall stubs are not mov $nr, %%eax; vm(m)call; ret",
	      bad, NR_STUBS);
	printf("guest: stub 0: %02x %02x %02x %02x %02x %02x %02x %02x %02x\n",
	       hypercall_page[0], hypercall_page[1], hypercall_page[2],
	       hypercall_page[3], hypercall_page[4], hypercall_page[5],
	       hypercall_page[6], hypercall_page[7], hypercall_page[8]);
	if (!bad)
		EXPECT(stub_call(__HYPERVISOR_xen_version, XENVER_version, 0),
		       XEN_VERSION_4_17);
}

static void unemulated_ports(void)
{
	static const u16 ports[] = { 0x2f8, 0x3e8, 0xcfc };

	for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++) {
		u16 port = ports[i];

		CHECK(inb(port) == 0xff, "inb %#x: %#x", port, inb(port));
		CHECK(inw(port) == 0xffff, "inw %#x: %#x", port, inw(port));
		CHECK(inl(port) == 0xffffffff, "inl %#x: %#x", port, inl(port));
		outb(port, 0x5a);
		outw(port, 0x5a5a);
		outl(port, 0x5a5a5a5a);
		CHECK(inb(port) == 0xff, "inb %#x after writes: %#x", port,
		      inb(port));
	}
	printf("guest: ports 0x2f8, 0x3e8, 0xcfc float and drop writes\n");
}

static void port_e9(void)
{
	static const char line[] = "guest: hello via port e9\n";

	for (const char *c = line; *c; c++)
		outb(DEBUGCON_PORT, *c);
}

int guest_main(const char *cmdline)
{
	efer();
	emulated_msrs();
	unknown_msrs();
	passthrough_msrs();
	hypercall_page_msr();
	unemulated_ports();
	port_e9();
	return test_result("platform");
}
