/* Host tests of VM-exit answers that hang on guest state: the RIP after a skipped instruction, task switches by CPL. */
#include <stdio.h>
#include <string.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/percpu.h>
#include <keel/vcpu.h>
#include <asm/mmio.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>
#include "host.h"

#define CS_AR_L BIT(13)
#define AR_CODE64_DPL(dpl) (0xa09bu | (dpl) << 5)	/* present, L, code */
#define AR_CODE32_DPL(dpl) (0xc09bu | (dpl) << 5)	/* present, D, code */
#define AR_DATA_DPL(dpl) (0xc093u | (dpl) << 5)
#define TASK_SWITCH_IRET (1u << 30)
#define X86_EXC_TS_VECTOR 10

HOSTED_PCPUS
__thread unsigned int hosted_cpu;

/* The current VMCS: every field keel reads or writes, by its encoding. */
static u64 vmcs[0x8000];

u64 vmread(enum vmcs_field f)
{
	assert_true((unsigned int)f < ARRAY_SIZE(vmcs));
	return vmcs[f];
}

void vmwrite(enum vmcs_field f, u64 v)
{
	assert_true((unsigned int)f < ARRAY_SIZE(vmcs));
	vmcs[f] = v;
}

static struct domain dom;
static struct vcpu vcpu;
static const char *crashed;	/* why domain_crash() was called, or NULL */

void domain_crash(struct domain *d, const char *why)
{
	assert_ptr_equal(d, &dom);
	crashed = why;
	d->state = DOMAIN_CRASHED;
}

/* A triple fault goes to domain.c, which shuts the domain down (HVM_PARAM_TRIPLE_FAULT_REASON). */
static const char *triple_faulted;

void domain_triple_fault(struct vcpu *v, const char *how)
{
	assert_ptr_equal(v, &vcpu);
	triple_faulted = how;
}

/* What vmexit.c calls for exits these tests do not make. */
void vmcs_dump(struct vcpu *v) { }
void vmcs_explain_failure(void) { }
void do_irq(unsigned int vector) { }
void vmx_set_intr_window(bool on) { }
void vmx_flush_vpid(struct vcpu *v) { }
static unsigned int blocks, parks;	/* vcpu_block() and vlapic_park_ap() calls */

void vcpu_block(struct vcpu *v) { blocks++; }
void vlapic_park_ap(struct vcpu *t, const char *why) { parks++; }
void vcpu_yield(struct vcpu *v, bool hand_on) { }
u64 tsc_read(const struct vcpu *v) { return 0; }
bool vmx_handle_io(struct vcpu *v) { return true; }
int emulate_rdmsr(struct vcpu *v) { return 0; }
int emulate_wrmsr(struct vcpu *v) { return 0; }
int emulate_cr_access(struct vcpu *v) { return 0; }
bool vmx_handle_dr_access(struct vcpu *v) { return true; }
void debugreg_debug_exception(struct vcpu *v, u32 intr_info) { }
void vmx_requeue_vectoring_event(void) { }
bool mmio_handle(struct vcpu *v, u64 gpa, u64 q, const char **why)
{
	*why = "no MMIO handler there";
	return false;
}
static unsigned int hypercalls;	/* do_hypercall() calls */

long do_hypercall(struct vcpu *v, unsigned long nr, unsigned long args[5])
{
	hypercalls++;
	return 0;
}

/* CPUID: the one instruction exit these tests make keel skip. */
int emulate_cpuid(struct vcpu *v)
{
	vmx_skip_instruction();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(vmcs, 0, sizeof(vmcs));
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu, 0, sizeof(vcpu));
	dom.state = DOMAIN_RUNNING;
	vcpu.domain = &dom;
	hosted_cpu = 0;
	pcpus[0]->curr = &vcpu;
	crashed = NULL;
	triple_faulted = NULL;
	hypercalls = 0;
	blocks = parks = 0;
	test_log_reset();
	return 0;
}

/* The guest at @cpl in 64-bit mode (IA-32e, CS.L) or not. */
static void guest_mode(bool long_mode, unsigned int cpl)
{
	vmcs[VM_ENTRY_CONTROLS] = long_mode ? VM_ENTRY_IA32E_MODE : 0;
	vmcs[GUEST_CS_AR_BYTES] = long_mode ? AR_CODE64_DPL(cpl) : AR_CODE32_DPL(cpl);
	vmcs[GUEST_SS_AR_BYTES] = AR_DATA_DPL(cpl);
}

/* A CPUID of @len bytes at @rip exits. */
static bool cpuid_exit(u64 rip, u64 len)
{
	vmcs[VM_EXIT_REASON] = EXIT_REASON_CPUID;
	vmcs[GUEST_RIP] = rip;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = len;
	return vmx_handle_exit(&vcpu);
}

static void assert_no_event(void)
{
	assert_int_equal(vmcs[VM_ENTRY_INTR_INFO] & INTR_INFO_VALID, 0);
}

static void assert_injected(unsigned int vector, u32 error)
{
	u64 info = vmcs[VM_ENTRY_INTR_INFO];

	assert_true(info & INTR_INFO_VALID);
	assert_int_equal(INTR_INFO_TYPE(info), INTR_TYPE_HW_EXCEPTION);
	assert_int_equal(INTR_INFO_VECTOR(info), vector);
	assert_true(info & INTR_INFO_DELIVER_CODE);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], error);
}

/* An ordinary instruction: RIP moves on by its length, nothing injected. */
static void test_skip_plain(void **state)
{
	guest_mode(true, 0);
	assert_true(cpuid_exit(0xffffffff81000000ULL, 2));
	assert_int_equal(vmcs[GUEST_RIP], 0xffffffff81000002ULL);
	assert_no_event();
	assert_null(crashed);
}

/* Outside 64-bit mode EIP wraps at 4 GiB, as the CPU's: VM entry refuses RIP 2^32. */
static void test_skip_wraps_eip(void **state)
{
	for (unsigned int cpl = 0; cpl <= 3; cpl += 3) {
		guest_mode(false, cpl);
		assert_true(cpuid_exit(0xfffffffeULL, 2));
		assert_int_equal(vmcs[GUEST_RIP], 0);
		assert_true(cpuid_exit(0xfffffffdULL, 2));
		assert_int_equal(vmcs[GUEST_RIP], 0xffffffffULL);
		assert_no_event();
		assert_null(crashed);
	}
	/* Compatibility mode (IA-32e, a 32-bit CS) too. */
	guest_mode(true, 3);
	vmcs[GUEST_CS_AR_BYTES] = AR_CODE32_DPL(3);
	assert_true(cpuid_exit(0xffffffffULL, 2));
	assert_int_equal(vmcs[GUEST_RIP], 1);
	assert_null(crashed);
}

/* 64-bit mode, CPL3: a next RIP in the canonical hole is #GP(0), with Xen's canonical RIP. */
static void test_skip_noncanonical_user(void **state)
{
	guest_mode(true, 3);
	assert_true(cpuid_exit(0x00007ffffffffffeULL, 2));
	assert_int_equal(vmcs[GUEST_RIP], 0xffff800000000000ULL);
	assert_injected(X86_EXC_GP, 0);
	assert_null(crashed);

	/* The last canonical byte is fine. */
	setup(NULL);
	guest_mode(true, 3);
	assert_true(cpuid_exit(0x00007ffffffffffdULL, 2));
	assert_int_equal(vmcs[GUEST_RIP], 0x00007fffffffffffULL);
	assert_no_event();
}

/* 64-bit mode, CPL0: Xen crashes the domain; keel never enters with a non-canonical RIP. */
static void test_skip_noncanonical_kernel(void **state)
{
	guest_mode(true, 0);
	cpuid_exit(0x00007ffffffffffeULL, 2);
	assert_non_null(crashed);
	assert_int_not_equal(vmcs[GUEST_RIP], 0x0000800000000000ULL);
}

/* A VMCALL whose next RIP crashed the domain runs no hypercall for it. */
static void test_hypercall_after_crash(void **state)
{
	guest_mode(true, 0);
	vmcs[VM_EXIT_REASON] = EXIT_REASON_VMCALL;
	vmcs[GUEST_RIP] = 0x00007ffffffffffdULL;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 3;
	assert_false(vmx_handle_exit(&vcpu));
	assert_non_null(crashed);
	assert_int_equal(hypercalls, 0);

	/* One that stays in the lower half runs. */
	setup(NULL);
	guest_mode(true, 0);
	vmcs[VM_EXIT_REASON] = EXIT_REASON_VMCALL;
	vmcs[GUEST_RIP] = 0x00007ffffffffffcULL;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 3;
	assert_true(vmx_handle_exit(&vcpu));
	assert_int_equal(hypercalls, 1);
	assert_int_equal(vmcs[GUEST_RIP], 0x00007fffffffffffULL);
}

/*
 * A hypercall reads RIP and the interrupt shadow once: the VMCALL is stepped
 * over, an STI shadow it sat in ends (the other interruptibility bits stay),
 * and a CPL3 caller gets -EPERM without a hypercall, still stepped over.
 */
static void test_hypercall_skip_and_shadow(void **state)
{
	guest_mode(true, 0);
	vmcs[VM_EXIT_REASON] = EXIT_REASON_VMCALL;
	vmcs[GUEST_RIP] = 0x1000;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 3;
	vmcs[GUEST_INTERRUPTIBILITY_INFO] = 1 | 8;	/* STI shadow, NMI blocked */
	assert_true(vmx_handle_exit(&vcpu));
	assert_int_equal(hypercalls, 1);
	assert_int_equal(vmcs[GUEST_RIP], 0x1003);
	assert_int_equal(vmcs[GUEST_INTERRUPTIBILITY_INFO], 8);

	setup(NULL);
	guest_mode(true, 3);
	vmcs[VM_EXIT_REASON] = EXIT_REASON_VMCALL;
	vmcs[GUEST_RIP] = 0x2000;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 3;
	vcpu.arch.regs.rax = 63;
	assert_true(vmx_handle_exit(&vcpu));
	assert_int_equal(hypercalls, 0);
	assert_int_equal(vcpu.arch.regs.rax, (u64)-EPERM);
	assert_int_equal(vmcs[GUEST_RIP], 0x2003);
	assert_no_event();
}

static bool task_switch_exit(u32 qualification)
{
	vmcs[VM_EXIT_REASON] = EXIT_REASON_TASK_SWITCH;
	vmcs[EXIT_QUALIFICATION] = qualification;
	vmcs[GUEST_RIP] = 0x1000;
	return vmx_handle_exit(&vcpu);
}

/*
 * A 32-bit kernel's user space: IRET with EFLAGS.NT set exits before the
 * CPU checks the back link. Not emulated, but the domain lives: #TS with
 * the selector, the CPU's answer for a null back link.
 */
static void test_task_switch_user(void **state)
{
	guest_mode(false, 3);
	assert_true(task_switch_exit(TASK_SWITCH_IRET | 0));
	assert_null(crashed);
	assert_injected(X86_EXC_TS_VECTOR, 0);
	assert_int_equal(vmcs[GUEST_RIP], 0x1000);	/* a fault: at the IRET */

	setup(NULL);
	guest_mode(false, 3);
	assert_true(task_switch_exit(TASK_SWITCH_IRET | 0x2b));
	assert_injected(X86_EXC_TS_VECTOR, 0x28);
	assert_null(crashed);
}

/* The kernel's own task switch: not emulated, the domain crashes (docs/vmexits.md). */
static void test_task_switch_kernel(void **state)
{
	guest_mode(false, 0);
	assert_false(task_switch_exit(TASK_SWITCH_IRET | 0x30));
	assert_non_null(crashed);
}

/* A triple fault is Xen's hvm_triple_fault(): a shutdown, not keel's crash. */
static void test_triple_fault_exit(void **state)
{
	vmcs[VM_EXIT_REASON] = EXIT_REASON_TRIPLE_FAULT;
	assert_false(vmx_handle_exit(&vcpu));
	assert_string_equal(triple_faulted, "triple fault");
	assert_null(crashed);
}

/* An exception while #DF is being delivered is a triple fault too, as on the CPU. */
static void test_fault_while_delivering_df(void **state)
{
	vmcs[VM_ENTRY_INTR_INFO] = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | X86_EXC_DF |
				   INTR_INFO_DELIVER_CODE;
	vmx_inject_exception(X86_EXC_GP, true, 0);
	assert_non_null(triple_faulted);
	assert_null(crashed);
	assert_no_event();
	/* Behind #PF, a #GP makes #DF instead. */
	triple_faulted = NULL;
	vmcs[VM_ENTRY_INTR_INFO] = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | X86_EXC_PF |
				   INTR_INFO_DELIVER_CODE;
	vmx_inject_exception(X86_EXC_GP, true, 0);
	assert_null(triple_faulted);
	assert_injected(X86_EXC_DF, 0);
}

/* HLT: an AP with interrupts off goes down until INIT/SIPI (Linux's offline CPU); else it blocks. */
static void test_hlt(void **state)
{
	static const struct { unsigned int id; u64 rflags; bool parked; } cases[] = {
		{ 1, 0x2, true }, { 1, 0x202, false }, { 0, 0x2, false }, { 0, 0x202, false },
	};

	guest_mode(true, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		vcpu.id = cases[i].id;
		vcpu.state = VCPU_RUNNABLE;
		blocks = parks = 0;
		vmcs[VM_EXIT_REASON] = EXIT_REASON_HLT;
		vmcs[GUEST_RIP] = 0x1000;
		vmcs[VM_EXIT_INSTRUCTION_LEN] = 1;
		vmcs[GUEST_RFLAGS] = cases[i].rflags;
		vmx_handle_exit(&vcpu);
		assert_int_equal(vmcs[GUEST_RIP], 0x1001);
		assert_int_equal(parks, cases[i].parked);
		assert_int_equal(blocks, !cases[i].parked);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, NULL)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_skip_plain),
		T(test_skip_wraps_eip),
		T(test_skip_noncanonical_user),
		T(test_skip_noncanonical_kernel),
		T(test_hypercall_after_crash),
		T(test_hypercall_skip_and_shadow),
		T(test_task_switch_user),
		T(test_task_switch_kernel),
		T(test_triple_fault_exit),
		T(test_fault_while_delivering_df),
		T(test_hlt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
