/*
 * Debug registers: each vCPU's DR0-3 and DR6 go into the CPU on its first
 * MOV DR (which exits until then) and out at switch-out, as Xen switches
 * them lazily; DR7 and DEBUGCTL travel in the VMCS. #DB is intercepted
 * (XSA-156) and reflected with DR6 updated.
 */
#include <keel/assert.h>
#include <keel/percpu.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>
#include <asm/vmx_internal.h>

#define DR6_RESERVED_ONES 0xffff0ff0ULL
#define DR6_B0_B3 0xfULL
#define DR6_BD BIT(13)
#define DR6_BS BIT(14)
#define DR6_RTM BIT(16)
#define DR7_RESET 0x400ULL
#define DR7_ACTIVE 0xffULL		/* L0-L3, G0-G3 */
#define X86_EFLAGS_TF BIT(8)
#define INTR_SHADOW_STI_MOVSS 3

#define DR_ACCESSORS(n)							\
	static inline u64 read_dr##n(void)				\
	{								\
		u64 v;							\
		asm volatile("mov %%dr" #n ", %0" : "=r"(v));		\
		return v;						\
	}								\
	static inline void write_dr##n(u64 v)				\
	{								\
		asm volatile("mov %0, %%dr" #n : : "r"(v));		\
	}
DR_ACCESSORS(0)
DR_ACCESSORS(1)
DR_ACCESSORS(2)
DR_ACCESSORS(3)
DR_ACCESSORS(6)

static void set_mov_dr_exiting(bool on)
{
	u64 ctl = vmread(CPU_BASED_VM_EXEC_CONTROL);

	vmwrite(CPU_BASED_VM_EXEC_CONTROL, on ? ctl | CPU_MOV_DR_EXITING :
				ctl & ~CPU_MOV_DR_EXITING);
}

void debugreg_init(struct vcpu *v)
{
	memset(v->arch.dr, 0, sizeof(v->arch.dr));
	v->arch.dr6 = DR6_RESERVED_ONES;
	v->arch.dr7 = DR7_RESET;
	v->arch.dr_loaded = false;
}

/* Put @v's (loaded) registers in the CPU; its MOV DR no longer exits. */
static void debugreg_load(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	ASSERT(this_cpu()->curr == v);	/* the CPU's registers are @v's */
	if (a->dr_loaded)
		return;
	write_dr0(a->dr[0]);
	write_dr1(a->dr[1]);
	write_dr2(a->dr[2]);
	write_dr3(a->dr[3]);
	write_dr6(a->dr6);
	a->dr_loaded = true;
	set_mov_dr_exiting(false);
}

/*
 * After vmcs_load(): breakpoints the guest left armed in DR7 need its
 * addresses in the CPU before it runs; otherwise they wait for a MOV DR.
 */
void debugreg_switch_in(struct vcpu *v)
{
	if (v->arch.dr7 & DR7_ACTIVE)
		debugreg_load(v);
}

/* Before vmcs_clear(): the CPU's registers go back to @v, and MOV DR exits again. */
void debugreg_switch_out(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	ASSERT(this_cpu()->curr == v);
	a->dr7 = vmread(GUEST_DR7);
	if (!a->dr_loaded)
		return;
	a->dr[0] = read_dr0();
	a->dr[1] = read_dr1();
	a->dr[2] = read_dr2();
	a->dr[3] = read_dr3();
	a->dr6 = read_dr6();
	a->dr_loaded = false;
	set_mov_dr_exiting(true);
}

/*
 * MOV to or from a debug register: give the guest its registers and run
 * the instruction again, now without an exit (RIP stays).
 */
bool vmx_handle_dr_access(struct vcpu *v)
{
	debugreg_load(v);
	return true;
}

/*
 * An intercepted #DB: the CPU left DR6 alone and put the new status in
 * the exit qualification. B0-B3 are replaced, BD and BS accumulate, RTM
 * is active-low, as the CPU would have written them.
 */
void debugreg_debug_exception(struct vcpu *v, u32 intr_info)
{
	u64 q = vmread(EXIT_QUALIFICATION), dr6;

	debugreg_load(v);
	dr6 = (read_dr6() & ~DR6_B0_B3) | (q & (DR6_B0_B3 | DR6_BD | DR6_BS));
	dr6 = q & DR6_RTM ? dr6 & ~DR6_RTM : dr6 | DR6_RTM;
	write_dr6(dr6 | DR6_RESERVED_ONES);
	/*
	 * Single-stepping over STI or MOV SS: entry checks want BS pending
	 * while the shadow lasts (Xen's XSA-156 fix-up).
	 */
	if ((vmread(GUEST_RFLAGS) & X86_EFLAGS_TF) &&
	    (vmread(GUEST_INTERRUPTIBILITY_INFO) & INTR_SHADOW_STI_MOVSS))
		vmwrite(GUEST_PENDING_DBG_EXCEPTIONS,
			vmread(GUEST_PENDING_DBG_EXCEPTIONS) | DR6_BS);
	vmx_reflect_exception(intr_info);
}
