/* A vCPU's VMCB: intercepts, the MSR and I/O permission maps, nested paging, the PVH entry state. */
#include <keel/domain.h>
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/hwdom_ports.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/svm_internal.h>
#include <asm/vmx_internal.h>

#define PAT_DEFAULT 0x0007040600070406ULL
#define MSRPM_ORDER 1		/* two pages */

/*
 * MSRs the guest owns: VMLOAD/VMSAVE and the VMCB switch them (PAT is
 * G_PAT under nested paging). Everything else exits, EFER too: its SVME
 * must stay set.
 */
static const u32 passthrough_msrs[] = {
	0x174, 0x175, 0x176,			/* SYSENTER_CS/ESP/EIP */
	0x277,					/* PAT */
	0xc0000081, 0xc0000082, 0xc0000083,	/* STAR, LSTAR, CSTAR */
	0xc0000084,				/* SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,	/* FS/GS/KERNEL_GS base */
};

/* Two bits an MSR (read, write) in three 2 KiB ranges (APM Vol. 2, 15.11). */
static void msrpm_pass(u8 *pm, u32 msr)
{
	u32 base = msr >= 0xc0000000 ? 0x800 : 0;
	u32 bit = (msr & 0x1fff) * 2;

	pm[base + bit / 8] &= ~(3 << (bit % 8));
}

/* VT-x's access rights (vmcs.c's AR_*) in the VMCB's packed form. */
static void set_seg(struct vmcb_seg *s, u16 sel, u32 limit, u16 ar)
{
	s->sel = sel;
	s->attrib = (ar & 0xff) | ((ar >> 4) & 0xf00);
	s->limit = limit;
	s->base = 0;
}

/* The PVH entry contract: 32-bit protected mode, paging off, EBX = start info. */
static void pvh_state(struct vcpu *v, struct vmcb *vmcb, u32 entry, u32 start_info)
{
	set_seg(&vmcb->cs, 0x10, 0xffffffff, 0xc09b);
	set_seg(&vmcb->ds, 0x18, 0xffffffff, 0xc093);
	vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
	set_seg(&vmcb->tr, 0x20, 0x67, 0x008b);
	set_seg(&vmcb->ldtr, 0, 0, 0);
	set_seg(&vmcb->gdtr, 0, 0, 0);
	set_seg(&vmcb->idtr, 0, 0, 0);
	vmcb->cpl = 0;
	vmcb->cr0 = X86_CR0_PE | X86_CR0_ET;
	vmcb->cr3 = 0;
	vmcb->cr4 = 0;
	vmcb->efer = EFER_SVME;
	vmcb->g_pat = PAT_DEFAULT;
	vmcb->dr6 = 0xffff0ff0;
	vmcb->dr7 = 0x400;
	vmcb->dbgctl = 0;
	vmcb->rflags = 0x2;
	vmcb->rip = entry;
	vmcb->rsp = 0;
	vmcb->int_state = 0;
	vmcb->eventinj = 0;
	vmcb->vintr = V_INTR_MASKING;
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.rbx = start_info;
}

/* An AP after INIT and a startup IPI: real mode at its vector's page. */
void svm_restart_ap(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcs;
	u8 vector = v->arch.sipi_vector;

	pvh_state(v, vmcb, 0, 0);
	set_seg(&vmcb->cs, vector << 8, 0xffff, 0x009b);
	vmcb->cs.base = (u64)vector << 12;
	set_seg(&vmcb->ds, 0, 0xffff, 0x0093);
	vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
	set_seg(&vmcb->tr, 0, 0xffff, 0x008b);
	vmcb->gdtr.limit = vmcb->idtr.limit = 0xffff;
	vmcb->cr0 = X86_CR0_ET;
}

/*
 * What exits (docs/vmexits.md, "SVM"): CR4 and CR8 writes, physical
 * interrupts, NMIs, INIT, CPUID, HLT, every port and MSR outside the maps,
 * VMMCALL (hypercalls), shutdown (triple fault), task switches, RDPMC,
 * INVD/WBINVD, MONITOR/MWAIT, XSETBV (XCR0 stays x87|SSE: keel switches
 * only FXSAVE state), the SVM instructions (VMRUN must; INVLPGA, which
 * would drop any ASID's translations, keel's too), RDTSCP, PAUSE with
 * other vCPUs to wait for; #DB and #AC (XSA-156).
 */
static void set_intercepts(struct vcpu *v, struct vmcb *vmcb)
{
	struct hwdom_ports *ports = v->domain->arch.hwdom_ports;

	vmcb->intercepts[0] = ICPT_CR_WRITE(4) | ICPT_CR_WRITE(8);
	vmcb->intercepts[2] = BIT(X86_EXC_DB) | BIT(X86_EXC_AC);
	vmcb->intercepts[3] = ICPT_INTR | ICPT_NMI | ICPT_INIT | ICPT_CPUID |
			      ICPT_HLT | ICPT_IOIO | ICPT_MSR | ICPT_SHUTDOWN |
			      ICPT_TASK_SWITCH | ICPT_RDPMC | ICPT_INVD | ICPT_INVLPGA |
			      (v->domain->nr_vcpus > 1 ? ICPT_PAUSE : 0);
	vmcb->intercepts[4] = ICPT_VMRUN | ICPT_VMMCALL | ICPT_VMLOAD |
			      ICPT_VMSAVE | ICPT_STGI | ICPT_CLGI |
			      ICPT_SKINIT | ICPT_RDTSCP | ICPT_WBINVD |
			      ICPT_MONITOR | ICPT_MWAIT | ICPT_XSETBV;
	vmcb->iopm_base_pa = virt_to_phys(ports ? ports->bitmap : svm_iopm_all);
	vmcb->msrpm_base_pa = virt_to_phys(v->arch.msr_bitmap);
	vmcb->tsc_offset = tsc_offset(v);
	vmcb->np_enable = 1;
	vmcb->n_cr3 = v->domain->p2m.root;
}

int svm_vmcb_init(struct vcpu *v, u32 entry, u32 start_info)
{
	struct vmcb *vmcb = alloc_page();

	v->arch.msr_bitmap = alloc_pages(MSRPM_ORDER);
	if (!vmcb || !v->arch.msr_bitmap) {
		if (vmcb)
			free_page(vmcb);
		return -ENOMEM;
	}
	memset(vmcb, 0, sizeof(*vmcb));
	memset(v->arch.msr_bitmap, 0xff, PAGE_SIZE << MSRPM_ORDER);
	for (unsigned int i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msrpm_pass(v->arch.msr_bitmap, passthrough_msrs[i]);
	v->arch.vmcs = vmcb;
	set_intercepts(v, vmcb);
	pvh_state(v, vmcb, entry, start_info);
	if (v->arch.sipi_vector)
		svm_restart_ap(v);
	return 0;
}

void svm_vmcb_free(struct vcpu *v)
{
	if (v->arch.vmcs)
		free_page(v->arch.vmcs);
	if (v->arch.msr_bitmap)
		free_pages(v->arch.msr_bitmap, MSRPM_ORDER);
	v->arch.vmcs = v->arch.msr_bitmap = NULL;
}
