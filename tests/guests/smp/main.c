/*
 * smp: two vCPUs (dom0_max_vcpus=2) on keel's one host CPU. The boot vCPU
 * starts the second one as Linux starts its APs, INIT then a startup IPI
 * into real mode at AP_START (ap.S), and each then spins with PAUSE, and
 * interrupts off, until the other has taken a step: that only ends if a
 * spinning vCPU gives the CPU to the other. The state VMX does not switch
 * stays each vCPU's own across the switches: CR2, KERNEL_GS_BASE and the
 * x87 control word and registers (FXSAVE's image). CPUID's x2APIC topology
 * leaf makes the vCPUs the cores of one package. With more vCPUs
 * (dom0_max_vcpus=16), each further one is started in 64-bit mode (ap64)
 * and proves it ran by setting its x2APIC id's bit.
 */
#include "guest.h"
#include "ap64.h"
#include "smp.h"
#include <public/vcpu.h>

#define APIC_ICR 0x830
#define ICR_DEST(apic_id) ((u64)(apic_id) << 32)
#define ICR_INIT_ASSERT 0xc500		/* level, assert, INIT */
#define ICR_INIT_DEASSERT 0x8500
#define ICR_STARTUP 0x0600
#define BSP_CR2 0x00decade
#define BSP_KERNEL_GS 0x00cd0000
#define BSP_FCW 0x027f			/* double precision, unlike FNINIT's */
#define PI_BITS 0x400921fb54442d18ULL	/* FLDPI, as a double */
#define SPIN_LIMIT 100000000UL
#define MSR_X2APIC_ID 0x802
#define MAX_VCPUS 16

static volatile u32 ran;		/* a bit per vCPU that ran its code */

extern const u8 ap_start[], ap_end[];

static volatile u32 *const ap_flag = (volatile u32 *)AP_FLAG;

/* Spin with PAUSE until the AP's flag reaches at least @step; false if it never does. */
static bool wait_for(u32 step)
{
	for (unsigned long i = 0; i < SPIN_LIMIT; i++) {
		if (*ap_flag >= step)
			return true;
		asm volatile("pause");
	}
	return false;
}

static void set_bsp_state(u64 cr2, u64 kernel_gs, u16 fcw)
{
	asm volatile("fninit; fldcw %0; fldpi" : : "m"(fcw));
	write_cr2(cr2);
	wrmsr(MSR_KERNEL_GS_BASE, kernel_gs);
}

static void check_bsp_state(u64 cr2, u64 kernel_gs, u16 fcw)
{
	u16 got_fcw;
	u64 st0;

	asm volatile("fnstcw %0; fstpl %1" : "=m"(got_fcw), "=m"(st0));
	asm volatile("fldpi");
	CHECK(read_cr2() == cr2, "CR2 %#llx, want %#llx",
	      (unsigned long long)read_cr2(), (unsigned long long)cr2);
	CHECK(rdmsr(MSR_KERNEL_GS_BASE) == kernel_gs, "KERNEL_GS_BASE %#llx",
	      (unsigned long long)rdmsr(MSR_KERNEL_GS_BASE));
	CHECK(got_fcw == fcw, "x87 control word %#x, want %#x", got_fcw, fcw);
	CHECK(st0 == PI_BITS, "x87 ST0 %#llx, want pi",
	      (unsigned long long)st0);
}

/* vCPUs the domain has: VCPUOP_is_up answers -ENOENT past the last. */
static unsigned int count_vcpus(void)
{
	unsigned int n = 0;

	while (n < 64 && HYPERVISOR_vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
		n++;
	return n;
}

static void check_topology(unsigned int n)
{
	struct cpuid_regs smt = cpuid_count(0xb, 0), core = cpuid_count(0xb, 1);
	struct cpuid_regs end = cpuid_count(0xb, 2);
	unsigned int width = 0;

	while ((1u << width) < n)
		width++;

	CHECK(smt.ebx == 1 && ((smt.ecx >> 8) & 0xff) == 1 && smt.edx == 0,
	      "leaf 0xb SMT level: ebx %#x ecx %#x edx %#x", smt.ebx, smt.ecx,
	      smt.edx);
	CHECK(core.eax == width && core.ebx == n && ((core.ecx >> 8) & 0xff) == 2,
	      "leaf 0xb core level: eax %#x ebx %#x ecx %#x", core.eax,
	      core.ebx, core.ecx);
	CHECK(end.ebx == 0 && ((end.ecx >> 8) & 0xff) == 0,
	      "leaf 0xb has a third level: ecx %#x", end.ecx);
}

/* An ap64 vCPU: its bit, then it halts with interrupts off (keel parks it). */
static void mark_ran(void *arg)
{
	__atomic_fetch_or(&ran, 1u << (u32)rdmsr(MSR_X2APIC_ID), __ATOMIC_SEQ_CST);
}

/* vCPUs 2 .. n-1, one after the other: each must run its code. */
static void check_more_vcpus(unsigned int n)
{
	u32 want = 0;

	if (!CHECK(n <= MAX_VCPUS, "%u vCPUs, the test knows %u", n, MAX_VCPUS))
		return;
	for (unsigned int v = 2; v < n; v++) {
		want |= 1u << v;
		CHECK(!ap64_start(v, mark_ran, NULL), "vCPU %u never ran", v);
	}
	/* On another host CPU the last one may still be on its way to mark_ran(). */
	for (unsigned long i = 0; i < SPIN_LIMIT && ran != want; i++)
		asm volatile("pause");
	CHECK(ran == want, "vCPUs that ran: %#x, want %#x", ran, want);
	if (n > 2)
		printf("smp: %u vCPUs ran (mask %#x and the two above)\n", n, ran);
}

int guest_main(const char *cmdline)
{
	unsigned int n = count_vcpus();

	check_topology(n);
	CHECK(ap_end - ap_start <= AP_CODE_MAX, "AP code too big");
	memcpy((void *)AP_START, ap_start, ap_end - ap_start);
	*ap_flag = 0;
	set_bsp_state(BSP_CR2, BSP_KERNEL_GS, BSP_FCW);

	EXPECT(wrmsr_safe(APIC_ICR, ICR_DEST(1) | ICR_INIT_ASSERT), NO_FAULT);
	EXPECT(wrmsr_safe(APIC_ICR, ICR_DEST(1) | ICR_INIT_DEASSERT), NO_FAULT);
	EXPECT(wrmsr_safe(APIC_ICR, ICR_DEST(1) | ICR_STARTUP | (AP_START >> 12)),
	       NO_FAULT);
	if (CHECK(wait_for(AP_RUNNING), "the AP never ran (flag %u)", *ap_flag)) {
		check_bsp_state(BSP_CR2, BSP_KERNEL_GS, BSP_FCW);
		set_bsp_state(BSP_CR2 + 1, BSP_KERNEL_GS + 1, BSP_FCW);
		*ap_flag = BSP_CHANGED;
		CHECK(wait_for(AP_STATE_KEPT), "the AP never finished (flag %u)",
		      *ap_flag);
		CHECK(*ap_flag == AP_STATE_KEPT,
		      "the AP lost its CR2, KERNEL_GS_BASE or x87 state");
		check_bsp_state(BSP_CR2 + 1, BSP_KERNEL_GS + 1, BSP_FCW);
	}
	check_more_vcpus(n);
	return test_result("smp");
}
