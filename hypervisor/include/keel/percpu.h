/* Per-CPU state: each physical CPU's identity, what it runs, its timers and pending work. */
#ifndef KEEL_PERCPU_H
#define KEEL_PERCPU_H

#include <keel/spinlock.h>
#include <keel/types.h>

#define MAX_CPUS 256		/* x2APIC ids may be any 32-bit value */

struct timer;
struct vcpu;

struct pcpu {
	struct pcpu *self;		/* first: arch_this_cpu() reads it */
	unsigned int id;		/* keel's CPU number, 0 = boot CPU */
	u32 apic_id;
	bool online;
	struct vcpu *curr;		/* the vCPU it runs; NULL while idle */
	u64 slice_end;			/* when curr's time slice ends */
	volatile bool need_resched;	/* pick again at the next chance */
	volatile bool in_guest;		/* between VM entry and exit */
	spinlock_t timer_lock;
	struct timer *timers;		/* deadline-ordered, fired here */
	u64 idle_ns;			/* time spent idle in HLT */
	void *arch;			/* the arch's own per-CPU data */
};

/* Each CPU's, allocated as it comes up (the boot CPU's is static); NULL beyond. */
extern struct pcpu *pcpus[MAX_CPUS];
extern unsigned int nr_cpus;		/* CPUs online */

#ifdef KEEL_HOSTED
/* Host tests: pcpus[] over storage of their own, every CPU's. */
#define HOSTED_PCPUS							\
	static struct pcpu hosted_pcpu_store[MAX_CPUS];			\
	struct pcpu *pcpus[MAX_CPUS];					\
	__attribute__((constructor)) static void hosted_pcpus_link(void) \
	{								\
		for (unsigned int i = 0; i < MAX_CPUS; i++)		\
			pcpus[i] = &hosted_pcpu_store[i];		\
	}

/* Host tests choose the "current" CPU, each thread its own. */
extern __thread unsigned int hosted_cpu;
static inline struct pcpu *this_cpu(void)
{
	return pcpus[hosted_cpu];
}
#else
#include <asm/percpu.h>
static inline struct pcpu *this_cpu(void)
{
	return arch_this_cpu();
}
#endif

static inline unsigned int smp_processor_id(void)
{
	return this_cpu()->id;
}

#endif
