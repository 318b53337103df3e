/* This CPU's struct pcpu, found through the GS base (set per CPU at bring-up). */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

struct pcpu;

static inline struct pcpu *arch_this_cpu(void)
{
	struct pcpu *p;

	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

#endif
