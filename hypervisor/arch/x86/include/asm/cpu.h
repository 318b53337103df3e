/* Each CPU's own x86 state: its GDT and TSS, its VMXON region, a count of kick IPIs. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <keel/percpu.h>
#include <keel/types.h>
#include <asm/desc.h>

#define GDT_ENTRIES 5		/* null, code, data, TSS (two slots) */

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct x86_cpu {
	u64 gdt[GDT_ENTRIES] __aligned(16);
	struct tss tss __aligned(16);
	void *vmxon_region;		/* a page, physically contiguous; SVM's host save area */
	u64 svm_host_pa;		/* SVM: the page VMSAVE/VMLOAD keep keel's FS, GS, TR in */
	u32 asid_next, asid_gen;	/* SVM: the next ASID here, and its generation (svm_run.c) */
	volatile u64 kicks;		/* kick IPIs taken */
	u64 last_domain_uid;		/* whose vCPU ran here last (spec_ctrl.c) */
};

/* CPU @cpu's, which has come up (pcpus[cpu]->arch). */
static inline struct x86_cpu *x86_cpu(unsigned int cpu)
{
	return pcpus[cpu]->arch;
}

static inline struct x86_cpu *this_x86_cpu(void)
{
	return this_cpu()->arch;
}

/* A CPU's generic and x86 state, in one allocation for an AP. */
struct cpu_data {
	struct pcpu pcpu;
	struct x86_cpu x86;
};

/*
 * Make @data CPU @cpu's (pcpus[@cpu]) and fill in its GDT and TSS, with
 * interrupt stacks in @ist_stacks (IST_COUNT * IST_STACK_SIZE bytes).
 */
void x86_cpu_tables_init(unsigned int cpu, struct cpu_data *data, void *ist_stacks);
/* Load CPU @cpu's GDT, TSS and the shared IDT, and point GS at pcpus[@cpu]-> */
void x86_cpu_tables_load(unsigned int cpu);

#endif
