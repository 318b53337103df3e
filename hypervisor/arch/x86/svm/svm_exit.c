/*
 * #VMEXIT dispatch: the intercepts vmcb.c sets, answered as their VT-x
 * twins in vmx/vmexit.c are (docs/vmexits.md, "SVM"), and counted under
 * the twin's VT-x reason so that reports and statistics read the same.
 * Without NRIP save the emulated instructions' lengths are fixed ones,
 * EXITINFO2's next RIP (I/O) or the MMIO decoder's.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/mmio.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/svm_internal.h>
#include <asm/vlapic.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

#define X86_EXC_BP 3
#define X86_EXC_OF 4

/*
 * The event the exit interrupted is delivered again at the next VMRUN;
 * not INTn, INT3 or INTO (SVM reports those two as exceptions), whose RIP
 * is still the instruction's: it runs again. Injected, the return address
 * pushed would be the instruction itself (Xen's
 * hvm_event_needs_reinjection()).
 */
static void requeue_event(struct vmcb *vmcb)
{
	u64 info = vmcb->exitintinfo;
	unsigned int type = info & EVENT_TYPE_MASK, vector = info & 0xff;

	if (!(info & EVENT_VALID) || type == EVENT_TYPE_SOFT ||
	    (type == EVENT_TYPE_EXCEPTION &&
	     (vector == X86_EXC_BP || vector == X86_EXC_OF)))
		return;
	vmcb->eventinj = info;
}

static bool crash(struct vcpu *v, struct vmcb *vmcb, const char *what)
{
	char why[160];

	snprintf(why, sizeof(why),
		 "%s (exit code %#llx, info %#llx %#llx, rip %#llx)", what,
		 (unsigned long long)vmcb->exitcode,
		 (unsigned long long)vmcb->exitinfo1,
		 (unsigned long long)vmcb->exitinfo2,
		 (unsigned long long)vmcb->rip);
	domain_crash(v->domain, why);
	return false;
}

/* VMMCALL: a hypercall from the guest kernel, as vmexit.c's handle_hypercall(). */
static bool hypercall(struct vcpu *v, struct vmcb *vmcb)
{
	struct guest_regs *r = &v->arch.regs;
	unsigned long args[5] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
	u64 rip = vmcb->rip, shadow = vmcb->int_state;
	long rc;

	svm_skip_insn(3);
	if (v->domain->state != DOMAIN_RUNNING)
		return false;
	if (vmcb->cpl) {
		r->rax = -EPERM;
		return true;
	}
	rc = do_hypercall(v, r->rax, args);
	if (v->hcall_preempted) {
		v->hcall_preempted = false;
		vmcb->rip = rip;
		vmcb->int_state = shadow;
		return false;
	}
	r->rax = rc;
	return v->domain->state == DOMAIN_RUNNING;
}

/*
 * IN/OUT/INS/OUTS: EXITINFO1 has port, size, direction, string, REP and
 * address size (QEMU leaves the last clear for IN and OUT); EXITINFO2 the
 * next RIP, NRIP save or not.
 */
static bool port_io(struct vcpu *v, struct vmcb *vmcb)
{
	u64 info = vmcb->exitinfo1;
	struct io_exit e = {
		.port = info >> 16, .in = info & BIT(0),
		.string = info & BIT(2), .rep = info & BIT(3),
		.size = (info >> 4) & 7,		/* one-hot: 1, 2 or 4 */
		.addr_size = ((info >> 7) & 7) << 1,	/* one-hot: 2, 4 or 8 */
		.len = vmcb->exitinfo2 - vmcb->rip,
	};

	if (!e.size || (e.size & (e.size - 1)) ||
	    (e.string && (!e.addr_size || (e.addr_size & (e.addr_size - 1)))))
		return crash(v, vmcb, "IOIO exit with a malformed EXITINFO1");
	return handle_io_exit(v, &e);
}

static bool hlt(struct vcpu *v, struct vmcb *vmcb)
{
	svm_skip_insn(1);
	if (v->id && !(vmcb->rflags & X86_EFLAGS_IF)) {
		vlapic_park_ap(v, "HLT with interrupts off");
		return false;
	}
	vcpu_block(v);
	return v->state == VCPU_RUNNABLE;
}

#define NPF_PRESENT BIT(0)
#define NPF_WRITE BIT(1)
#define NPF_FETCH BIT(4)
#define NPF_FINAL BIT(32)	/* at the final guest-physical address, not a walk's */

/*
 * A nested page fault: MMIO (mmio.c), as vmexit.c's EPT violation. The
 * event this exit interrupted is in EXITINTINFO still (requeue_event()
 * copied it): its delivery touched the hole, no instruction did.
 */
static bool npf(struct vcpu *v, struct vmcb *vmcb)
{
	u64 err = vmcb->exitinfo1;
	struct p2m_fault f = {
		.write = err & NPF_WRITE,
		.fetch = err & NPF_FETCH,
		.present = err & NPF_PRESENT,
		.insn_access = (err & NPF_FINAL) &&
			       !(vmcb->exitintinfo & EVENT_VALID),
	};
	const char *reason;
	char what[160];

	if (mmio_emulate(v, vmcb->exitinfo2, &f, &reason))
		return v->domain->state == DOMAIN_RUNNING;
	snprintf(what, sizeof(what), "NPT violation: %s of guest-physical %#llx: %s",
		 f.fetch ? "instruction fetch" : f.write ? "write" : "read",
		 (unsigned long long)vmcb->exitinfo2, reason);
	return crash(v, vmcb, what);
}

#define EFER_LMA BIT(10)
#define CR4_FLUSH_TLB (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PCIDE | \
		      X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE)
#define PREFIX_LOCK 0xf0
#define CR8_VALID 0xfULL

/* Prefixes that do not change MOV CR's meaning; LOCK does (AMD's CR8 alias). */
static bool ignored_prefix(u8 b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
	       b == 0x65 || b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3;
}

/*
 * MOV to CRn (0F 22 /r): ModRM.reg, with REX.R, names CRn; ModRM.rm, with
 * REX.B, the source register (a REX counts only in 64-bit mode, as the
 * byte just before the opcode). The CPU ignores ModRM.mod and the other
 * legacy prefixes; LOCK turns CR0 into CR8 (AMD's AltMovCr8 for 32-bit
 * code). No decode assists under QEMU: CRn, the source and the length come
 * from the instruction's bytes. Returns the length, or 0 for anything else.
 */
unsigned int svm_decode_mov_to_cr(const u8 *insn, unsigned int avail, bool is64,
				  unsigned int *cr, unsigned int *reg)
{
	unsigned int i, rex = 0;
	bool lock = false;

	if (avail > MMIO_INSN_MAX)
		avail = MMIO_INSN_MAX;
	for (i = 0; i < avail; i++) {
		if (insn[i] == PREFIX_LOCK)
			lock = true;
		else if (!ignored_prefix(insn[i]))
			break;
	}
	if (is64 && i < avail && (insn[i] & 0xf0) == 0x40)
		rex = insn[i++];
	if (avail < i + 3 || insn[i] != 0x0f || insn[i + 1] != 0x22)
		return 0;
	*cr = ((insn[i + 2] >> 3) & 7) | (rex & 4 ? 8 : 0);
	if (lock && *cr)
		return 0;
	if (lock)
		*cr = 8;
	*reg = (insn[i + 2] & 7) | (rex & 1 ? 8 : 0);
	return i + 3;
}

/*
 * The value an intercepted MOV to CR@cr writes, and its length; else 0
 * for #GP at CPL > 0 (the CPU's own check comes first; never trust it),
 * or -1 when the domain crashed because the bytes at RIP are no such
 * instruction (another of its vCPUs rewrote them).
 */
static int mov_to_cr(struct vcpu *v, struct vmcb *vmcb, unsigned int cr,
		     u64 *val)
{
	u8 insn[MMIO_INSN_MAX];
	unsigned int found, reg, len;
	u64 *src;

	if (vmcb->cpl) {
		svm_inject_exception(X86_EXC_GP, true, 0);
		return 0;
	}
	len = svm_decode_mov_to_cr(insn, guest_fetch_insn(v, insn),
				   svm_guest_64bit(), &found, &reg);
	if (!len || found != cr) {
		crash(v, vmcb, "CR write keel cannot decode");
		return -1;
	}
	src = guest_gpr(v, reg);
	*val = src ? *src : vmcb->rsp;
	if (!svm_guest_64bit())
		*val = (u32)*val;
	return len;
}

/* The guest's TLB goes at its next VMRUN: its ASID's where the CPU can, else by a new ASID. */
static void flush_guest_tlb(struct vcpu *v)
{
	if (svm_flush_by_asid)
		v->arch.flush_asid = true;
	else
		v->arch.asid_gen = 0;
}

/*
 * A CR4 write: bits the guest's CPUID does not offer (PKE while keel
 * does not switch PKRU, LA57, VMXE, ...) are #GP and CR4 stays, as VT-x's
 * guest/host mask makes them; so is clearing PAE in long mode. A change
 * of a paging bit flushes the guest's TLB, as MOV CR4 does.
 */
static bool cr4_write(struct vcpu *v, struct vmcb *vmcb)
{
	u64 val;
	int len = mov_to_cr(v, vmcb, 4, &val);

	if (len <= 0)
		return !len;
	if ((val & ~guest_cr4_valid(v)) ||
	    ((vmcb->efer & EFER_LMA) && !(val & X86_CR4_PAE))) {
		svm_inject_exception(X86_EXC_GP, true, 0);
		return true;
	}
	if ((val ^ vmcb->cr4) & CR4_FLUSH_TLB)
		flush_guest_tlb(v);
	vmcb->cr4 = val;
	svm_skip_insn(len);
	return true;
}

/*
 * A CR8 write: the vLAPIC's task priority, which V_TPR (what CR8 reads)
 * copies at every VM entry. It exits so that a vector the old priority
 * held back is delivered as soon as the priority drops (VT-x's TPR
 * threshold does it there), and so that reserved bits are #GP, which
 * QEMU's SVM does not check.
 */
static bool cr8_write(struct vcpu *v, struct vmcb *vmcb)
{
	u64 val;
	int len = mov_to_cr(v, vmcb, 8, &val);

	if (len <= 0)
		return !len;
	if (val & ~CR8_VALID) {
		svm_inject_exception(X86_EXC_GP, true, 0);
		return true;
	}
	vlapic_set_tpr(v, val << 4);
	svm_skip_insn(len);
	return true;
}

static bool count(struct vcpu *v, unsigned int vmx_reason)
{
	v->arch.exit_count[vmx_reason]++;
	return true;
}

bool svm_handle_exit(struct vcpu *v, struct vmcb *vmcb)
{
	u64 code = vmcb->exitcode;

	requeue_event(vmcb);
	switch (code) {
	case SVM_EXIT_INTR:		/* taken by keel's IDT once interrupts are on */
		count(v, EXIT_REASON_EXTERNAL_INTERRUPT);
		asm volatile("sti; nop; cli" : : : "memory");
		return false;
	case SVM_EXIT_NMI:
		count(v, EXIT_REASON_EXCEPTION_NMI);
		pr_warn("NMI while d%uv%u ran; ignored\n", v->domain->id, v->id);
		return true;
	case SVM_EXIT_VINTR:
		count(v, EXIT_REASON_INTERRUPT_WINDOW);
		vmcb->vintr &= ~(V_IRQ | V_IGN_TPR);
		vmcb->intercepts[3] &= ~ICPT_VINTR;
		return true;
	case SVM_EXIT_CPUID:
		count(v, EXIT_REASON_CPUID);
		return !emulate_cpuid(v);
	case SVM_EXIT_HLT:
		count(v, EXIT_REASON_HLT);
		return hlt(v, vmcb);
	case SVM_EXIT_VMMCALL:
		count(v, EXIT_REASON_VMCALL);
		return hypercall(v, vmcb);
	case SVM_EXIT_IOIO:
		count(v, EXIT_REASON_IO_INSTRUCTION);
		return port_io(v, vmcb);
	case SVM_EXIT_MSR:
		if (vmcb->exitinfo1) {
			count(v, EXIT_REASON_MSR_WRITE);
			return !emulate_wrmsr(v);
		}
		count(v, EXIT_REASON_MSR_READ);
		return !emulate_rdmsr(v);
	case SVM_EXIT_CR0_WRITE + 4:
		count(v, EXIT_REASON_CR_ACCESS);
		return cr4_write(v, vmcb);
	case SVM_EXIT_CR0_WRITE + 8:
		count(v, EXIT_REASON_CR_ACCESS);
		return cr8_write(v, vmcb);
	case SVM_EXIT_NPF:
		count(v, EXIT_REASON_EPT_VIOLATION);
		return npf(v, vmcb);
	case SVM_EXIT_PAUSE:
		count(v, EXIT_REASON_PAUSE);
		svm_skip_insn(2);	/* F3 90 */
		vcpu_yield(v, false);
		return false;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:		/* no DMA of a guest to flush for */
		count(v, code == SVM_EXIT_INVD ? EXIT_REASON_INVD : EXIT_REASON_WBINVD);
		svm_skip_insn(2);
		return true;
	case SVM_EXIT_SHUTDOWN:
		count(v, EXIT_REASON_TRIPLE_FAULT);
		domain_triple_fault(v, "triple fault");
		return false;
	case SVM_EXIT_INIT:
		count(v, EXIT_REASON_INIT);
		pr_warn("CPU%u: INIT signal while d%uv%u ran; ignored, as Xen does\n",
			smp_processor_id(), v->domain->id, v->id);
		return true;
	case SVM_EXIT_EXCP_BASE + X86_EXC_DB:
		count(v, EXIT_REASON_EXCEPTION_NMI);
		svm_inject_exception(X86_EXC_DB, false, 0);
		return true;
	case SVM_EXIT_EXCP_BASE + X86_EXC_AC:
		count(v, EXIT_REASON_EXCEPTION_NMI);
		svm_inject_exception(X86_EXC_AC, true, vmcb->exitinfo1);
		return true;
	case SVM_EXIT_RDPMC:		/* no vPMU */
		count(v, EXIT_REASON_RDPMC);
		svm_inject_exception(X86_EXC_GP, true, 0);
		return true;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_RDTSCP:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_XSETBV:		/* hidden features, nested SVM off: #UD */
		count(v, EXIT_REASON_VMCLEAR);
		svm_inject_exception(X86_EXC_UD, false, 0);
		return true;
	case SVM_EXIT_TASK_SWITCH:
		count(v, EXIT_REASON_TASK_SWITCH);
		return crash(v, vmcb, "task switch (not emulated)");
	case SVM_EXIT_INVALID:
		return crash(v, vmcb, "VMRUN failed: invalid guest state in the VMCB");
	default:
		return crash(v, vmcb, "unexpected #VMEXIT");
	}
}
