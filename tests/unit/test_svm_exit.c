/* Host tests of SVM #VMEXIT handling (arch/x86/svm/svm_exit.c): requeued events, IOIO and NPF decoding. */
#include <stdio.h>
#include <string.h>
#include <keel/domain.h>
#include <keel/percpu.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/hvm.h>
#include <asm/mmio.h>
#include <asm/svm.h>
#include <asm/svm_internal.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>
#include "host.h"

HOSTED_PCPUS
__thread unsigned int hosted_cpu;

/* What svm_exit.c calls; none of it runs on the exits these tests take. */
long do_hypercall(struct vcpu *v, unsigned long nr, unsigned long args[5]) { (void)v; (void)nr; (void)args; fail(); return 0; }
static char crash_buf[200];
static const char *crash_reason;

void domain_crash(struct domain *d, const char *why)
{
	(void)d;
	snprintf(crash_buf, sizeof(crash_buf), "%s", why);
	crash_reason = crash_buf;
}
void domain_triple_fault(struct vcpu *v, const char *why) { (void)v; (void)why; fail(); }
int emulate_cpuid(struct vcpu *v) { (void)v; fail(); return 0; }
int emulate_rdmsr(struct vcpu *v) { (void)v; fail(); return 0; }
int emulate_wrmsr(struct vcpu *v) { (void)v; fail(); return 0; }
void svm_inject_exception(unsigned int vector, bool has_error, u32 error) { (void)vector; (void)has_error; (void)error; fail(); }
void svm_skip_insn(unsigned int len) { (void)len; fail(); }
void vcpu_block(struct vcpu *v) { (void)v; fail(); }
void vcpu_yield(struct vcpu *v) { (void)v; fail(); }
void vlapic_park_ap(struct vcpu *v, const char *why) { (void)v; (void)why; fail(); }

/* What the IOIO and NPF exits hand to the shared emulation (io_emul.c, mmio.c). */
static struct io_exit io_seen;
static struct p2m_fault fault_seen;
static u64 gpa_seen;
static unsigned int io_calls, mmio_calls;
static bool mmio_answer;

bool handle_io_exit(struct vcpu *v, const struct io_exit *e)
{
	(void)v;
	io_calls++;
	io_seen = *e;
	return true;
}

bool mmio_emulate(struct vcpu *v, u64 gpa, const struct p2m_fault *f, const char **why)
{
	(void)v;
	mmio_calls++;
	gpa_seen = gpa;
	fault_seen = *f;
	*why = "no MMIO handler there";
	return mmio_answer;
}

#define X86_EXC_BP 3
#define X86_EXC_OF 4

static struct domain dom;
static struct vcpu vcpu;
static struct vmcb vmcb;

/* A VINTR exit (nothing else to do) that interrupted the delivery of @info. */
static u64 after_exit(u64 info)
{
	memset(&vmcb, 0, sizeof(vmcb));
	vcpu.domain = &dom;
	vcpu.arch.vmcs = &vmcb;
	vmcb.exitcode = SVM_EXIT_VINTR;
	vmcb.exitintinfo = info;
	assert_true(svm_handle_exit(&vcpu, &vmcb));
	return vmcb.eventinj;
}

/* Events the guest did not itself execute are delivered again. */
static void test_hardware_events_requeued(void **state)
{
	u64 intr = EVENT_VALID | EVENT_TYPE_INTR | 0xf3;
	u64 pf = EVENT_VALID | EVENT_TYPE_EXCEPTION | EVENT_HAS_ERROR | X86_EXC_PF |
		 (6ULL << 32);

	(void)state;
	assert_int_equal(after_exit(intr), intr);
	assert_int_equal(after_exit(pf), pf);
	assert_int_equal(after_exit(0), 0);
}

/*
 * INTn, INT3 and INTO leave RIP at the instruction when their delivery
 * exits: it runs again. Injected instead, the CPU would push that RIP as
 * the return address and the handler would return onto the instruction
 * (INT3 twice, the kernel's text-poke handler misled), as Xen's
 * hvm_event_needs_reinjection() avoids.
 */
static void test_software_events_not_requeued(void **state)
{
	(void)state;
	assert_int_equal(after_exit(EVENT_VALID | EVENT_TYPE_SOFT | 0x80), 0);
	assert_int_equal(after_exit(EVENT_VALID | EVENT_TYPE_EXCEPTION | X86_EXC_BP), 0);
	assert_int_equal(after_exit(EVENT_VALID | EVENT_TYPE_EXCEPTION | X86_EXC_OF), 0);
}

/* An exit of @code with @info1/@info2 at RIP 0x1000, nothing being delivered. */
static bool take_exit(u64 code, u64 info1, u64 info2)
{
	memset(&vmcb, 0, sizeof(vmcb));
	vcpu.domain = &dom;
	vcpu.arch.vmcs = &vmcb;
	vmcb.exitcode = code;
	vmcb.exitinfo1 = info1;
	vmcb.exitinfo2 = info2;
	vmcb.rip = 0x1000;
	io_calls = mmio_calls = 0;
	crash_reason = NULL;
	return svm_handle_exit(&vcpu, &vmcb);
}

/*
 * EXITINFO1 of IOIO (APM Vol. 2, 15.10.2): port 31:16, address size 9:7,
 * operand size 6:4 (one-hot), REP 3, string 2, IN 0; the length from
 * EXITINFO2, the next RIP, which the CPU gives without NRIP save too.
 */
static void test_ioio_decoded(void **state)
{
	(void)state;
	/* OUT DX, AL to 0x3f8: one byte, two bytes long (EE is one; 66 EF...). */
	assert_true(take_exit(SVM_EXIT_IOIO, 0x3f8ULL << 16 | BIT(4) | BIT(8), 0x1001));
	assert_int_equal(io_calls, 1);
	assert_int_equal(io_seen.port, 0x3f8);
	assert_int_equal(io_seen.size, 1);
	assert_false(io_seen.in);
	assert_false(io_seen.string);
	assert_int_equal(io_seen.len, 1);
	/* IN EAX, DX from 0xcfc. */
	assert_true(take_exit(SVM_EXIT_IOIO, 0xcfcULL << 16 | BIT(6) | BIT(8) | BIT(0), 0x1002));
	assert_int_equal(io_seen.port, 0xcfc);
	assert_int_equal(io_seen.size, 4);
	assert_true(io_seen.in);
	assert_int_equal(io_seen.len, 2);
	/* REP INSW with 64-bit addresses (F3 66 6D, three bytes). */
	assert_true(take_exit(SVM_EXIT_IOIO, 0x1f0ULL << 16 | BIT(9) | BIT(5) | BIT(3) |
			      BIT(2) | BIT(0), 0x1003));
	assert_int_equal(io_seen.size, 2);
	assert_true(io_seen.string);
	assert_true(io_seen.rep);
	assert_int_equal(io_seen.addr_size, 8);
	assert_int_equal(io_seen.len, 3);
	/* OUTSB with 16-bit addresses. */
	assert_true(take_exit(SVM_EXIT_IOIO, 0x80ULL << 16 | BIT(7) | BIT(4) | BIT(2), 0x1001));
	assert_int_equal(io_seen.addr_size, 2);
	assert_false(io_seen.rep);
	/* Sizes that are not one-hot: no emulation, the domain stops with a reason. */
	assert_false(take_exit(SVM_EXIT_IOIO, 0x80ULL << 16 | BIT(4) | BIT(5) | BIT(8), 0x1001));
	assert_int_equal(io_calls, 0);
	assert_non_null(crash_reason);
	assert_false(take_exit(SVM_EXIT_IOIO, 0x80ULL << 16 | BIT(4), 0x1001));
	assert_int_equal(io_calls, 0);
}

/*
 * EXITINFO1 of a nested page fault: P 0, W 1, ID 4, and which access
 * faulted: the final guest-physical address (32) or a guest page-table
 * walk (33); EXITINFO2 the guest-physical address.
 */
static void test_npf_decoded(void **state)
{
	(void)state;
	mmio_answer = true;
	assert_true(take_exit(SVM_EXIT_NPF, BIT(32) | BIT(1), 0xfebc0008));
	assert_int_equal(mmio_calls, 1);
	assert_int_equal(gpa_seen, 0xfebc0008);
	assert_true(fault_seen.write);
	assert_false(fault_seen.fetch);
	assert_false(fault_seen.present);
	assert_true(fault_seen.insn_access);
	/* A read during the guest's page walk, a fetch, a permission fault. */
	assert_true(take_exit(SVM_EXIT_NPF, BIT(33), 0xfebc0000));
	assert_false(fault_seen.write);
	assert_false(fault_seen.insn_access);
	assert_true(take_exit(SVM_EXIT_NPF, BIT(32) | BIT(4), 0xfebc0000));
	assert_true(fault_seen.fetch);
	assert_true(take_exit(SVM_EXIT_NPF, BIT(32) | BIT(1) | BIT(0), 0x1000));
	assert_true(fault_seen.present);
	/* The delivery of an event touched the hole: not the instruction's access. */
	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.exitcode = SVM_EXIT_NPF;
	vmcb.exitinfo1 = BIT(32);
	vmcb.exitinfo2 = 0xfebc0000;
	vmcb.exitintinfo = EVENT_VALID | EVENT_TYPE_EXCEPTION | EVENT_HAS_ERROR | 14;
	vcpu.arch.vmcs = &vmcb;
	assert_true(svm_handle_exit(&vcpu, &vmcb));
	assert_false(fault_seen.insn_access);
	/* Not emulated: the domain stops, saying where and why. */
	mmio_answer = false;
	assert_false(take_exit(SVM_EXIT_NPF, BIT(32), 0xfee00300));
	assert_non_null(crash_reason);
	assert_non_null(strstr(crash_reason, "read of guest-physical 0xfee00300: no MMIO handler there"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hardware_events_requeued),
		cmocka_unit_test(test_software_events_not_requeued),
		cmocka_unit_test(test_ioio_decoded),
		cmocka_unit_test(test_npf_decoded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
