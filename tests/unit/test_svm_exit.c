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

static unsigned int gp_injected;

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
void svm_inject_exception(unsigned int vector, bool has_error, u32 error)
{
	assert_int_equal(vector, X86_EXC_GP);
	assert_true(has_error);
	assert_int_equal(error, 0);
	gp_injected++;
}
static unsigned int skipped;

void svm_skip_insn(unsigned int len) { skipped = len; }
void vcpu_block(struct vcpu *v) { (void)v; fail(); }
void vcpu_yield(struct vcpu *v, bool hand_on) { (void)v; (void)hand_on; fail(); }
void vlapic_park_ap(struct vcpu *v, const char *why) { (void)v; (void)why; fail(); }
static int tpr_set = -1;
bool svm_flush_by_asid;

void vlapic_set_tpr(struct vcpu *v, u8 tpr) { (void)v; tpr_set = tpr; }

/* The guest's code at RIP and its CPUID's CR4 bits, for CR4 writes. */
static u8 code_bytes[16];
static unsigned int code_len;
static bool long_mode = true;
static u64 cr4_valid = X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR;

unsigned int guest_fetch_insn(struct vcpu *v, u8 *buf)
{
	(void)v;
	memcpy(buf, code_bytes, code_len);
	return code_len;
}

u64 *guest_gpr(struct vcpu *v, unsigned int n)
{
	u64 *map[16] = { &v->arch.regs.rax, &v->arch.regs.rcx, &v->arch.regs.rdx,
			 &v->arch.regs.rbx, NULL, &v->arch.regs.rbp, &v->arch.regs.rsi,
			 &v->arch.regs.rdi, &v->arch.regs.r8, &v->arch.regs.r9,
			 &v->arch.regs.r10, &v->arch.regs.r11, &v->arch.regs.r12,
			 &v->arch.regs.r13, &v->arch.regs.r14, &v->arch.regs.r15 };

	return map[n & 15];
}

bool svm_guest_64bit(void) { return long_mode; }
u64 guest_cr4_valid(const struct vcpu *v) { (void)v; return cr4_valid; }

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
	/* IN EAX, DX from 0xcf8, address size bits clear (as QEMU leaves them for IN and OUT). */
	assert_true(take_exit(SVM_EXIT_IOIO, 0xcf8ULL << 16 | BIT(6), 0x1001));
	assert_int_equal(io_calls, 1);
	assert_int_equal(io_seen.port, 0xcf8);
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
	assert_false(take_exit(SVM_EXIT_IOIO, 0x80ULL << 16 | BIT(4) | BIT(2), 0x1001));
	assert_int_equal(io_calls, 0);		/* string I/O without an address size */
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

/* @insn (@len bytes, all of them the instruction) decodes as MOV to CR@cr from register @reg. */
static void expect_mov_to_cr(const u8 *insn, unsigned int len, bool is64,
			     unsigned int cr, unsigned int reg)
{
	unsigned int got_cr = 99, got_reg = 99;

	assert_int_equal(svm_decode_mov_to_cr(insn, len, is64, &got_cr, &got_reg), len);
	assert_int_equal(got_cr, cr);
	assert_int_equal(got_reg, reg);
}

/* MOV to CRn's forms: CRn (REX.R; LOCK for CR8), the register (REX.B in 64-bit mode only), the length. */
static void test_decode_mov_to_cr(void **state)
{
	const u8 rax[] = { 0x0f, 0x22, 0xe0 }, rdi[] = { 0x0f, 0x22, 0xe7 };
	const u8 r12[] = { 0x41, 0x0f, 0x22, 0xe4 }, cr3[] = { 0x0f, 0x22, 0xd8 };
	const u8 mod0[] = { 0x0f, 0x22, 0x20 }, lock_cr8[] = { 0xf0, 0x0f, 0x22, 0xc1 };
	const u8 cr8_rax[] = { 0x44, 0x0f, 0x22, 0xc0 }, cr8_r9[] = { 0x4d, 0x0f, 0x22, 0xc1 };
	const u8 lock_cr4[] = { 0xf0, 0x0f, 0x22, 0xe0 };
	const u8 prefixed[] = { 0x66, 0x2e, 0x41, 0x0f, 0x22, 0xe1 };
	const u8 rex_early[] = { 0x41, 0x66, 0x0f, 0x22, 0xe1 };	/* a REX the CPU ignores: refused */
	const u8 too_long[16] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				  0x66, 0x66, 0x66, 0x66, 0x66, 0x0f, 0x22, 0xe0 };
	unsigned int cr = 99, reg = 99;

	(void)state;
	expect_mov_to_cr(rax, 3, true, 4, 0);
	expect_mov_to_cr(rdi, 3, false, 4, 7);
	expect_mov_to_cr(r12, 4, true, 4, 12);
	/* 0x41 is INC ECX outside 64-bit mode: not this instruction. */
	assert_int_equal(svm_decode_mov_to_cr(r12, 4, false, &cr, &reg), 0);
	expect_mov_to_cr(cr3, 3, true, 3, 0);
	/* The CPU ignores ModRM.mod: 0F 22 20 is mov %rax, %cr4. */
	expect_mov_to_cr(mod0, 3, true, 4, 0);
	expect_mov_to_cr(prefixed, 6, true, 4, 9);
	/* CR8: REX.R in 64-bit mode, LOCK with CR0 in any mode; LOCK with another CR is #UD. */
	expect_mov_to_cr(cr8_rax, 4, true, 8, 0);
	expect_mov_to_cr(cr8_r9, 4, true, 8, 9);
	expect_mov_to_cr(lock_cr8, 4, false, 8, 1);
	assert_int_equal(svm_decode_mov_to_cr(lock_cr4, 4, true, &cr, &reg), 0);
	assert_int_equal(svm_decode_mov_to_cr(rex_early, 5, true, &cr, &reg), 0);
	assert_int_equal(svm_decode_mov_to_cr(too_long, 16, true, &cr, &reg), 0);	/* past 15 bytes */
	assert_int_equal(svm_decode_mov_to_cr(r12, 3, true, &cr, &reg), 0);	/* cut short */
	assert_int_equal(svm_decode_mov_to_cr(rax, 0, true, &cr, &reg), 0);
}

/* A CR4 write exit of `mov %r8, %cr4` with R8 = @val, CR4 @old before it. */
static bool cr4_exit(u64 old, u64 val)
{
	const u8 insn[] = { 0x41, 0x0f, 0x22, 0xe0 };

	memcpy(code_bytes, insn, sizeof(insn));
	code_len = sizeof(insn);
	gp_injected = skipped = 0;
	memset(&vmcb, 0, sizeof(vmcb));
	vcpu.domain = &dom;
	vcpu.arch.vmcs = &vmcb;
	vmcb.exitcode = SVM_EXIT_CR0_WRITE + 4;
	vmcb.rip = 0x1000;
	vmcb.cr4 = old;
	vmcb.efer = BIT(10) | BIT(8);		/* LMA, LME */
	vcpu.arch.regs.r8 = val;
	vcpu.arch.asid_gen = 7;
	return svm_handle_exit(&vcpu, &vmcb);
}

/*
 * The bits the guest's CPUID offers are written and the instruction
 * skipped; any other bit (PKE while PKRU is not switched, LA57, VMXE) or
 * PAE cleared in long mode is #GP, CR4 as it was.
 */
static void test_cr4_write(void **state)
{
	u64 base = X86_CR4_PAE | X86_CR4_OSFXSR;

	(void)state;
	vmcb.cr4 = 0;
	assert_true(cr4_exit(base, base | X86_CR4_PGE));
	assert_int_equal(vmcb.cr4, base | X86_CR4_PGE);
	assert_int_equal(skipped, 4);
	assert_int_equal(gp_injected, 0);
	assert_int_equal(vcpu.arch.asid_gen, 0);	/* PGE toggled: a new ASID, flushed */
	assert_false(vcpu.arch.flush_asid);
	assert_true(cr4_exit(base, base));
	assert_int_equal(vcpu.arch.asid_gen, 7);	/* nothing of paging changed */
	assert_false(vcpu.arch.flush_asid);
	svm_flush_by_asid = true;			/* the CPU flushes one ASID: that */
	assert_true(cr4_exit(base, base | X86_CR4_PGE));
	assert_int_equal(vcpu.arch.asid_gen, 7);
	assert_true(vcpu.arch.flush_asid);
	vcpu.arch.flush_asid = svm_flush_by_asid = false;
	assert_true(cr4_exit(base, base | X86_CR4_PKE));
	assert_int_equal(gp_injected, 1);
	assert_int_equal(vmcb.cr4, base);
	assert_int_equal(skipped, 0);
	assert_true(cr4_exit(base, base | BIT(12)));		/* LA57 */
	assert_int_equal(gp_injected, 1);
	assert_int_equal(vmcb.cr4, base);
	assert_true(cr4_exit(base, base | X86_CR4_VMXE));
	assert_int_equal(gp_injected, 1);
	assert_true(cr4_exit(base, X86_CR4_OSFXSR));		/* PAE off in long mode */
	assert_int_equal(gp_injected, 1);
	assert_int_equal(vmcb.cr4, base);
	/* At CPL3 even a valid value is #GP: MOV to CR4 is CPL0's. */
	gp_injected = 0;
	vmcb.exitcode = SVM_EXIT_CR0_WRITE + 4;
	vmcb.cpl = 3;
	vcpu.arch.regs.r8 = base | X86_CR4_PGE;
	assert_true(svm_handle_exit(&vcpu, &vmcb));
	assert_int_equal(gp_injected, 1);
	assert_int_equal(vmcb.cr4, base);
	assert_int_equal(skipped, 0);
	/* 32-bit code: the register's low half only, and 0x41 is no REX there. */
	long_mode = false;
	code_bytes[0] = 0x0f, code_bytes[1] = 0x22, code_bytes[2] = 0xe0;
	code_len = 3;
	memset(&vmcb, 0, sizeof(vmcb));
	vcpu.arch.regs.rax = (1ULL << 40) | X86_CR4_PAE;
	assert_true(take_exit(SVM_EXIT_CR0_WRITE + 4, 0, 0));
	assert_int_equal(vmcb.cr4, X86_CR4_PAE);
	assert_int_equal(skipped, 3);
	long_mode = true;
	/* Not a MOV to CR4 at RIP (rewritten meanwhile): the domain stops, saying so. */
	code_bytes[0] = 0x90;
	assert_false(take_exit(SVM_EXIT_CR0_WRITE + 4, 0, 0));
	assert_string_equal(crash_reason, "CR write keel cannot decode (exit code 0x14, info 0 0, rip 0x1000)");
	/* A MOV to CR8 where the exit says CR4: the same. */
	memcpy(code_bytes, (u8[]){ 0x44, 0x0f, 0x22, 0xc0 }, 4);
	code_len = 4;
	crash_reason = NULL;
	assert_false(take_exit(SVM_EXIT_CR0_WRITE + 4, 0, 0));
	assert_non_null(crash_reason);
}

/*
 * CR8 writes set the vLAPIC's TPR (CR8 << 4) and skip the instruction;
 * reserved bits are #GP with the TPR unchanged, and so is any write at CPL3.
 */
static void test_cr8_write(void **state)
{
	(void)state;
	memcpy(code_bytes, (u8[]){ 0x44, 0x0f, 0x22, 0xc0 }, 4);	/* mov %rax, %cr8 */
	code_len = 4;
	memset(&vmcb, 0, sizeof(vmcb));
	gp_injected = skipped = 0;
	tpr_set = -1;
	vcpu.arch.regs.rax = 3;
	assert_true(take_exit(SVM_EXIT_CR0_WRITE + 8, 0, 0));
	assert_int_equal(tpr_set, 0x30);
	assert_int_equal(skipped, 4);
	assert_int_equal(gp_injected, 0);
	tpr_set = -1, skipped = 0;
	vcpu.arch.regs.rax = 0x10;
	assert_true(take_exit(SVM_EXIT_CR0_WRITE + 8, 0, 0));
	assert_int_equal(gp_injected, 1);
	assert_int_equal(tpr_set, -1);
	assert_int_equal(skipped, 0);
	/* 32-bit code's LOCK MOV CR0 alias, ECX's low half only. */
	long_mode = false;
	memcpy(code_bytes, (u8[]){ 0xf0, 0x0f, 0x22, 0xc1 }, 4);
	vcpu.arch.regs.rcx = (1ULL << 32) | 15;
	assert_true(take_exit(SVM_EXIT_CR0_WRITE + 8, 0, 0));
	assert_int_equal(tpr_set, 0xf0);
	assert_int_equal(skipped, 4);
	long_mode = true;
	tpr_set = -1, skipped = gp_injected = 0;
	vcpu.arch.regs.rax = 1;
	memcpy(code_bytes, (u8[]){ 0x44, 0x0f, 0x22, 0xc0 }, 4);
	vmcb.exitcode = SVM_EXIT_CR0_WRITE + 8;
	vmcb.cpl = 3;
	assert_true(svm_handle_exit(&vcpu, &vmcb));
	assert_int_equal(gp_injected, 1);
	assert_int_equal(tpr_set, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hardware_events_requeued),
		cmocka_unit_test(test_software_events_not_requeued),
		cmocka_unit_test(test_ioio_decoded),
		cmocka_unit_test(test_npf_decoded),
		cmocka_unit_test(test_decode_mov_to_cr),
		cmocka_unit_test(test_cr4_write),
		cmocka_unit_test(test_cr8_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
