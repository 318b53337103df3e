/* Host tests of SVM #VMEXIT handling (arch/x86/svm/svm_exit.c): the event an exit interrupted. */
#include <string.h>
#include <keel/domain.h>
#include <keel/percpu.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/svm_internal.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>
#include "host.h"

HOSTED_PCPUS
__thread unsigned int hosted_cpu;

/* What svm_exit.c calls; none of it runs on the exits these tests take. */
long do_hypercall(struct vcpu *v, unsigned long nr, unsigned long args[5]) { (void)v; (void)nr; (void)args; fail(); return 0; }
void domain_crash(struct domain *d, const char *why) { (void)d; (void)why; fail(); }
void domain_triple_fault(struct vcpu *v, const char *why) { (void)v; (void)why; fail(); }
int emulate_cpuid(struct vcpu *v) { (void)v; fail(); return 0; }
u32 emulate_port_io(struct vcpu *v, u16 port, unsigned int size, bool in, u32 val)
{ (void)v; (void)port; (void)size; (void)in; (void)val; fail(); return 0; }
int emulate_rdmsr(struct vcpu *v) { (void)v; fail(); return 0; }
int emulate_wrmsr(struct vcpu *v) { (void)v; fail(); return 0; }
void svm_inject_exception(unsigned int vector, bool has_error, u32 error) { (void)vector; (void)has_error; (void)error; fail(); }
void svm_skip_insn(unsigned int len) { (void)len; fail(); }
void vcpu_block(struct vcpu *v) { (void)v; fail(); }
void vcpu_yield(struct vcpu *v) { (void)v; fail(); }
void vlapic_park_ap(struct vcpu *v, const char *why) { (void)v; (void)why; fail(); }

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hardware_events_requeued),
		cmocka_unit_test(test_software_events_not_requeued),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
