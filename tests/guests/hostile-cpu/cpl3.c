/* At CPL3: VMX and SVM instructions #UD (SVM's #GP under SVM), privileged ones #GP, a hypercall -EPERM, #AC delivered; the guest kernel goes on. */
#include "hostile.h"
#include "hypercall.h"

static struct {
	struct vmx_result vmx;
	int rdpmc, rdpmc_pce, wbinvd, mov_dr, mov_cr8, ac;
	long hypercall;
} user;
static u8 ac_buf[16] __aligned(16);

static void user_vmx(void)
{
	vmx_instruction_faults(&user.vmx);
}

static void user_privileged(void)
{
	u32 lo, hi;

	user.rdpmc = TRY_INSN("rdpmc", : "=a"(lo), "=d"(hi) : "c"(0));
	user.wbinvd = TRY_INSN("wbinvd", : : : "memory");
	user.mov_dr = TRY_INSN("mov %0, %%dr0", : : "r"(0ULL));
	user.mov_cr8 = TRY_INSN("mov %0, %%cr8", : : "r"(0ULL));
	/* The vendor's own instruction (VMCALL is #UD on AMD): keel refuses it at CPL3. */
	user.hypercall = _hypercall5(__HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
}

static void user_rdpmc(void)
{
	u32 lo, hi;

	user.rdpmc_pce = TRY_INSN("rdpmc", : "=a"(lo), "=d"(hi) : "c"(0));
}

/* EFLAGS.AC with CR0.AM: a misaligned load at CPL3 raises #AC; AC goes off either way. */
static void user_alignment(void)
{
	u32 v;

	fault_reset();
	asm volatile("pushfq\n\t"
		     "orq %2, (%%rsp)\n\t"
		     "popfq\n"
		     "1: movl (%1), %0\n"
		     "2: pushfq\n\t"
		     "andq %3, (%%rsp)\n\t"
		     "popfq\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : "=r"(v) : "r"(ac_buf + 1), "i"(X86_EFLAGS_AC),
		       "i"(~X86_EFLAGS_AC) : "memory", "cc");
	user.ac = last_fault.vector;
}

void check_cpl3(void)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4();

	run_user(user_vmx);
	CHECK(user.vmx.count == 19, "%u VMX and SVM instructions ran at CPL3",
	      user.vmx.count);
	CHECK(!user.vmx.wrong, "%s at CPL3: vector %d, want #UD", user.vmx.wrong,
	      user.vmx.vector);

	run_user(user_privileged);
	CHECK(user.rdpmc == X86_EXC_GP, "CPL3 RDPMC (CR4.PCE clear): vector %d, want #GP",
	      user.rdpmc);
	CHECK(user.wbinvd == X86_EXC_GP, "CPL3 WBINVD: vector %d, want #GP", user.wbinvd);
	CHECK(user.mov_dr == X86_EXC_GP, "CPL3 MOV DR0: vector %d, want #GP", user.mov_dr);
	CHECK(user.mov_cr8 == X86_EXC_GP, "CPL3 MOV CR8: vector %d, want #GP",
	      user.mov_cr8);
	CHECK(user.hypercall == -EPERM, "CPL3 hypercall returned %ld, want -EPERM",
	      user.hypercall);

	write_cr4(cr4 | X86_CR4_PCE);
	run_user(user_rdpmc);
	write_cr4(cr4);
	CHECK(user.rdpmc_pce == X86_EXC_GP, "CPL3 RDPMC (CR4.PCE set): vector %d, want #GP",
	      user.rdpmc_pce);

	write_cr0(cr0 | X86_CR0_AM);
	run_user(user_alignment);
	write_cr0(cr0);
	/* QEMU's TCG checks no alignment: no fault there; the Bochs run requires #AC. */
	CHECK(user.ac == X86_EXC_AC || user.ac == NO_FAULT,
	      "CPL3 misaligned load with AC: vector %d, want #AC", user.ac);
	printf("guest: CPL3 misaligned load with AC: %s\n",
	       user.ac == X86_EXC_AC ? "#AC delivered" : "no fault (this CPU does not check)");
	printf("guest: CPL3: VMX and SVM #UD, RDPMC/WBINVD/MOV DR/MOV CR8 #GP, hypercall -EPERM\n");
}
