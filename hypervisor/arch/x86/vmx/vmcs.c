/* VMCS setup of a vCPU: controls checked against the capability MSRs, host state, PVH entry state. */
#include <keel/arch.h>
#include <keel/percpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/selftest.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/desc.h>
#include <asm/hwdom_ports.h>
#include <asm/processor.h>
#include <asm/stack_guard.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>
#include <asm/vmx_internal.h>

#define PAT_DEFAULT 0x0007040600070406ULL
/*
 * PAUSE-loop exiting, Intel's recommended values (as KVM and Xen): PAUSEs
 * at most PLE_GAP_CYCLES apart form one spin loop, which exits after
 * PLE_WINDOW_CYCLES.
 */
#define PLE_GAP_CYCLES 128
#define PLE_WINDOW_CYCLES 4096

/* Segment access rights for the PVH entry state. */
#define AR_CODE16 0x009b
#define AR_DATA16 0x0093
#define AR_CODE32 0xc09b
#define AR_DATA32 0xc093
#define AR_TSS32_BUSY 0x008b
#define AR_UNUSABLE 0x10000

/* The I/O bitmaps (A, B) of every domain but a hardware dom0: each port exits. */
static const u8 io_bitmap_all[IO_BITMAP_BYTES] __aligned(PAGE_SIZE) = {
	[0 ... IO_BITMAP_BYTES - 1] = 0xff,
};

/* MSRs the guest owns outright: VMX switches them or keel never uses them. */
static const u32 passthrough_msrs[] = {
	0x174, 0x175, 0x176,			/* SYSENTER_CS/ESP/EIP */
	0x277,					/* PAT */
	0xc0000081, 0xc0000082, 0xc0000083,	/* STAR, LSTAR, CSTAR */
	0xc0000084,				/* SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,	/* FS/GS/KERNEL_GS base */
};

/*
 * Fit @want into what the capability MSR allows; fail when a @required
 * bit cannot be set.
 */
static int adjust_controls(const char *what, u32 msr, u32 want, u32 required,
			   u32 *out)
{
	u64 cap = rdmsr(msr);
	u32 v = (want | (u32)cap) & (u32)(cap >> 32);

	if ((v & required) != required) {
		pr_err("vmx: %s controls %#x not supported (allowed %#x)\n",
		       what, required & ~v, (u32)(cap >> 32));
		return -ENODEV;
	}
	*out = v;
	return 0;
}

static void msr_bitmap_pass(u8 *bitmap, u32 msr)
{
	u32 base = msr >= 0xc0000000 ? 1024 : 0;
	u32 bit = msr & 0x1fff;

	bitmap[base + bit / 8] &= ~(1 << (bit % 8));		/* read */
	bitmap[2048 + base + bit / 8] &= ~(1 << (bit % 8));	/* write */
}

/*
 * A vCPU spinning on a lock or flag that another vCPU of its domain holds
 * exits, so that the other one gets the CPU (vmexit.c): with PAUSE-loop
 * exiting where the CPU has it, else on every PAUSE. A domain with one
 * vCPU has no one to wait for.
 */
static void want_pause_exits(struct vcpu *v, u32 *want_cpu, u32 *want_cpu2)
{
	if (v->domain->nr_vcpus < 2)
		return;
	if (vmx_caps.cpu2_allowed1 & CPU2_PAUSE_LOOP_EXITING)
		*want_cpu2 |= CPU2_PAUSE_LOOP_EXITING;
	else
		*want_cpu |= CPU_PAUSE_EXITING;
}

/*
 * What a guest may not do to the CPU it shares (docs/vmexits.md): CR8
 * reaches the vLAPIC, not the host's TPR; MOV DR exits until its debug
 * registers are loaded; RDPMC, WBINVD, MONITOR/MWAIT and I/O ports exit
 * (every port, but those a hardware dom0's I/O bitmap passes through); its TSC is offset; #DB and #AC exit so that no exception loop
 * can hold the CPU (XSA-156). All are required.
 */
static int setup_controls(struct vcpu *v)
{
	bool true_ctls = vmx_caps.basic & VMX_BASIC_TRUE_CTLS;
	u32 pin, cpu, cpu2, exit, entry, pause_cpu = 0, pause_cpu2 = 0;
	u32 want_cpu = CPU_HLT_EXITING | CPU_IO_BITMAPS |
		       CPU_MSR_BITMAPS | CPU_SECONDARY_CONTROLS |
		       CPU_MWAIT_EXITING | CPU_MONITOR_EXITING |
		       CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING |
		       CPU_MOV_DR_EXITING | CPU_RDPMC_EXITING |
		       CPU_USE_TSC_OFFSETTING;
	u32 want_cpu2 = CPU2_EPT | CPU2_VPID | CPU2_UNRESTRICTED_GUEST |
			CPU2_WBINVD_EXITING;
	u32 want_exit = VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_ACK_INTR_ON_EXIT |
			VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
			VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
			VM_EXIT_SAVE_DEBUG_CONTROLS;
	u32 want_entry = VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
			 VM_ENTRY_LOAD_DEBUG_CONTROLS;
	struct hwdom_ports *ports = v->domain->arch.hwdom_ports;
	const u8 *io_bitmap = ports ? ports->bitmap : io_bitmap_all;

	want_pause_exits(v, &pause_cpu, &pause_cpu2);
	if (adjust_controls("pin-based", true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			    MSR_IA32_VMX_PINBASED_CTLS,
			    PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER,
			    PIN_EXT_INTR_EXITING | PIN_NMI_EXITING, &pin) ||
	    adjust_controls("processor-based", true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			    MSR_IA32_VMX_PROCBASED_CTLS, want_cpu | pause_cpu,
			    want_cpu, &cpu) ||
	    adjust_controls("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
			    want_cpu2 | pause_cpu2, want_cpu2, &cpu2) ||
	    adjust_controls("exit", true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			    MSR_IA32_VMX_EXIT_CTLS, want_exit, want_exit, &exit) ||
	    adjust_controls("entry", true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			    MSR_IA32_VMX_ENTRY_CTLS, want_entry, want_entry, &entry))
		return -ENODEV;
	/*
	 * With EPT, CR3 accesses and INVLPG need not exit: they do only on a
	 * CPU without true controls, which forces CR3 exiting (cr.c).
	 */
	vmwrite(PIN_BASED_VM_EXEC_CONTROL, pin);
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, cpu);
	vmwrite(SECONDARY_VM_EXEC_CONTROL, cpu2);
	if (cpu2 & CPU2_PAUSE_LOOP_EXITING) {
		vmwrite(PLE_GAP, PLE_GAP_CYCLES);
		vmwrite(PLE_WINDOW, PLE_WINDOW_CYCLES);
	}
	vmwrite(VM_EXIT_CONTROLS, exit);
	vmwrite(VM_ENTRY_CONTROLS, entry & ~VM_ENTRY_IA32E_MODE);
	vmwrite(EXCEPTION_BITMAP, BIT(X86_EXC_DB) | BIT(X86_EXC_AC));
	vmwrite(TSC_OFFSET, tsc_offset(v));
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VIRTUAL_PROCESSOR_ID, v->arch.vpid);
	vmwrite(EPT_POINTER, v->domain->arch.eptp);
	vmwrite(MSR_BITMAP, virt_to_phys(v->arch.msr_bitmap));
	vmwrite(IO_BITMAP_A, virt_to_phys(io_bitmap));
	vmwrite(IO_BITMAP_B, virt_to_phys(io_bitmap + PAGE_SIZE));
	vmwrite(VMCS_LINK_POINTER, ~0ULL);
	return 0;
}

/* The host state of the CPU this VMCS is loaded on (per-CPU GDT, TSS, GS base). */
void vmcs_set_host_state(struct vcpu *v)
{
	struct desc_ptr gdtr, idtr;
	u16 tr;

	asm volatile("sgdt %0" : "=m"(gdtr));
	asm volatile("sidt %0" : "=m"(idtr));
	asm volatile("str %0" : "=r"(tr));
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SELECTOR, GDT_CODE_SEL);
	vmwrite(HOST_SS_SELECTOR, GDT_DATA_SEL);
	vmwrite(HOST_DS_SELECTOR, GDT_DATA_SEL);
	vmwrite(HOST_ES_SELECTOR, GDT_DATA_SEL);
	vmwrite(HOST_FS_SELECTOR, 0);
	vmwrite(HOST_GS_SELECTOR, 0);
	vmwrite(HOST_TR_SELECTOR, tr);
	vmwrite(HOST_FS_BASE, x86_stack_guard_base());
	vmwrite(HOST_GS_BASE, (u64)this_cpu());
	vmwrite(HOST_TR_BASE, x86_tss_base());
	vmwrite(HOST_GDTR_BASE, gdtr.base);
	vmwrite(HOST_IDTR_BASE, idtr.base);
	vmwrite(HOST_IA32_SYSENTER_CS, 0);
	vmwrite(HOST_IA32_SYSENTER_ESP, 0);
	vmwrite(HOST_IA32_SYSENTER_EIP, 0);
	vmwrite(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_IA32_PAT, rdmsr(0x277));
	vmwrite(HOST_RIP, (u64)vmx_exit_entry);
	v->arch.host_cpu = smp_processor_id();
}

static void set_segment(enum vmcs_field sel, u16 selector, u32 limit, u32 ar)
{
	/* Selector, limit, access rights and base fields share the low bits. */
	u32 idx = sel - GUEST_ES_SELECTOR;

	vmwrite(sel, selector);
	vmwrite(GUEST_ES_LIMIT + idx, limit);
	vmwrite(GUEST_ES_AR_BYTES + idx, ar);
	vmwrite(GUEST_ES_BASE + idx, 0);
}

/* The PVH entry contract: 32-bit protected mode, paging off, EBX = start info. */
static void setup_guest_state(struct vcpu *v, u32 entry, u32 start_info)
{
	u64 cr0_fixed = rdmsr(MSR_IA32_VMX_CR0_FIXED0) &
			~(X86_CR0_PE | X86_CR0_PG);
	u64 cr4_fixed = rdmsr(MSR_IA32_VMX_CR4_FIXED0);

	set_segment(GUEST_CS_SELECTOR, 0x10, 0xffffffff, AR_CODE32);
	set_segment(GUEST_DS_SELECTOR, 0x18, 0xffffffff, AR_DATA32);
	set_segment(GUEST_ES_SELECTOR, 0x18, 0xffffffff, AR_DATA32);
	set_segment(GUEST_SS_SELECTOR, 0x18, 0xffffffff, AR_DATA32);
	set_segment(GUEST_FS_SELECTOR, 0x18, 0xffffffff, AR_DATA32);
	set_segment(GUEST_GS_SELECTOR, 0x18, 0xffffffff, AR_DATA32);
	set_segment(GUEST_TR_SELECTOR, 0x20, 0x67, AR_TSS32_BUSY);
	set_segment(GUEST_LDTR_SELECTOR, 0, 0, AR_UNUSABLE);
	vmwrite(GUEST_GDTR_BASE, 0);
	vmwrite(GUEST_GDTR_LIMIT, 0);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0);

	/* Bits VMX forces on are hidden from the guest behind read shadows. */
	vmwrite(CR0_GUEST_HOST_MASK, cr0_fixed);
	vmwrite(CR0_READ_SHADOW, X86_CR0_PE | X86_CR0_ET);
	vmwrite(GUEST_CR0, X86_CR0_PE | X86_CR0_ET | cr0_fixed);
	/* Keel owns every CR4 bit the guest may not set: setting one exits (cr.c). */
	vmwrite(CR4_GUEST_HOST_MASK, cr4_fixed | ~guest_cr4_valid(v));
	vmwrite(CR4_READ_SHADOW, 0);
	vmwrite(GUEST_CR4, cr4_fixed);
	vmwrite(GUEST_CR3, 0);
	vmwrite(GUEST_IA32_EFER, 0);
	vmwrite(GUEST_IA32_PAT, PAT_DEFAULT);
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_IA32_DEBUGCTL, 0);
	vmwrite(GUEST_RSP, 0);
	vmwrite(GUEST_RIP, entry);
	vmwrite(GUEST_RFLAGS, 0x2);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(GUEST_ACTIVITY_STATE, 0);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmwrite(VM_ENTRY_INTR_INFO, 0);
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.rbx = start_info;
}

/*
 * An application processor after INIT and a startup IPI: real mode at
 * @vector << 12 (CS = vector << 8, IP = 0), as the SIPI defines.
 */
static void setup_ap_real_mode(u8 vector)
{
	set_segment(GUEST_CS_SELECTOR, vector << 8, 0xffff, AR_CODE16);
	vmwrite(GUEST_CS_BASE, (u64)vector << 12);
	set_segment(GUEST_DS_SELECTOR, 0, 0xffff, AR_DATA16);
	set_segment(GUEST_ES_SELECTOR, 0, 0xffff, AR_DATA16);
	set_segment(GUEST_SS_SELECTOR, 0, 0xffff, AR_DATA16);
	set_segment(GUEST_FS_SELECTOR, 0, 0xffff, AR_DATA16);
	set_segment(GUEST_GS_SELECTOR, 0, 0xffff, AR_DATA16);
	set_segment(GUEST_TR_SELECTOR, 0, 0xffff, AR_TSS32_BUSY);
	vmwrite(GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(GUEST_IDTR_LIMIT, 0xffff);
	vmwrite(CR0_READ_SHADOW, X86_CR0_ET);
	vmwrite(GUEST_CR0, X86_CR0_ET | vmread(CR0_GUEST_HOST_MASK));
	vmwrite(GUEST_RIP, 0);
}

void vmcs_restart_ap(struct vcpu *v)
{
	setup_guest_state(v, 0, 0);
	setup_ap_real_mode(v->arch.sipi_vector);
	vmx_update_long_mode();		/* EFER is 0: the IA-32e entry control goes */
}

static u64 vmcs_current(void)
{
	u64 phys;

	asm volatile("vmptrst %0" : "=m"(phys) : : "memory");
	return phys;
}

static void vmcs_load_phys(u64 phys)
{
	asm volatile("vmptrld %0" : : "m"(phys) : "cc", "memory");
}

static void vmcs_clear_phys(u64 phys)
{
	asm volatile("vmclear %0" : : "m"(phys) : "cc", "memory");
}

/* Fill in the new VMCS of @v, then leave it clear (loadable on any CPU). */
static int vmcs_fill(struct vcpu *v, u32 entry, u32 start_info)
{
	int rc = setup_controls(v);

	if (rc)
		return rc;
	vmcs_set_host_state(v);
	setup_guest_state(v, entry, start_info);
	if (v->arch.sipi_vector)
		setup_ap_real_mode(v->arch.sipi_vector);
	if (selftest_enabled("bad-guest-state"))
		vmwrite(GUEST_TR_AR_BYTES, 0x0089);	/* an available, not busy, TSS */
	return 0;
}

int vmcs_init(struct vcpu *v, u32 entry, u32 start_info)
{
	u64 phys, current = vmcs_current();
	u8 failed;
	int rc;

	v->arch.vmcs = alloc_page();
	v->arch.msr_bitmap = alloc_page();
	if (!v->arch.vmcs || !v->arch.msr_bitmap)
		return -ENOMEM;
	memset(v->arch.msr_bitmap, 0xff, PAGE_SIZE);
	for (unsigned int i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msr_bitmap_pass(v->arch.msr_bitmap, passthrough_msrs[i]);
	*(u32 *)v->arch.vmcs = VMX_BASIC_REVISION(vmx_caps.basic);
	phys = virt_to_phys(v->arch.vmcs);
	asm volatile("vmclear %1; setna %0" : "=qm"(failed) : "m"(phys) : "cc", "memory");
	if (!failed)
		asm volatile("vmptrld %1; setna %0" : "=qm"(failed) : "m"(phys) : "cc", "memory");
	if (failed) {
		pr_err("vmx: cannot load the VMCS of d%uv%u\n", v->domain->id, v->id);
		return -EIO;
	}
	rc = vmcs_fill(v, entry, start_info);
	/* Built from any context (a hypercall too): put back what was loaded. */
	vmcs_clear_phys(phys);
	if (current != ~0ULL)
		vmcs_load_phys(current);
	v->arch.launched = false;
	return rc;
}

void vmcs_load(struct vcpu *v)
{
	vmcs_load_phys(virt_to_phys(v->arch.vmcs));
}

void vmcs_clear(struct vcpu *v)
{
	vmcs_clear_phys(virt_to_phys(v->arch.vmcs));
	v->arch.launched = false;
}

void vmcs_free(struct vcpu *v)
{
	u64 phys;

	if (v->arch.vmcs) {
		phys = virt_to_phys(v->arch.vmcs);
		asm volatile("vmclear %0" : : "m"(phys) : "cc", "memory");
		free_page(v->arch.vmcs);
	}
	if (v->arch.msr_bitmap)
		free_page(v->arch.msr_bitmap);
	v->arch.vmcs = v->arch.msr_bitmap = NULL;
}
