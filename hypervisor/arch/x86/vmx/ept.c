/* EPT: the x86 format of the generic p2m, its memory type, and INVEPT. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/pagetable.h>
#include <keel/percpu.h>
#include <asm/hvm.h>
#include <asm/vmx_internal.h>
#include <asm/vmx.h>

#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXEC BIT(2)
#define EPT_MEMTYPE_UC (0ULL << 3)
#define EPT_MEMTYPE_WB (6ULL << 3)
#define EPT_MEMTYPE_MASK (7ULL << 3)
#define EPT_LARGE BIT(7)
#define EPTP_WALK_4 (3ULL << 3)

static const struct pt_format ept_format = {
	.present = EPT_READ | EPT_WRITE | EPT_EXEC,
	.table_attr = EPT_READ | EPT_WRITE | EPT_EXEC,
	.large = EPT_LARGE,
	.addr_mask = 0x000ffffffffff000ULL,
};

const struct pt_format *ept_format_get(void)
{
	return &ept_format;
}

/*
 * RAM is write-back, MMIO uncached; neither sets IPAT, so for MMIO the EPT
 * type plays the MTRR's part and a guest's WC mapping of a framebuffer
 * stays WC, as on bare metal (dom0-hardware.md §2.6). The memory type
 * also tells MMIO leaves apart: every other leaf is WB.
 */
u64 ept_attr(unsigned int access)
{
	return (access & P2M_READ ? EPT_READ : 0) |
	       (access & P2M_WRITE ? EPT_WRITE : 0) |
	       (access & P2M_EXEC ? EPT_EXEC : 0) |
	       (access & P2M_MMIO ? EPT_MEMTYPE_UC : EPT_MEMTYPE_WB) |
	       (access & P2M_OWNED ? P2M_OWNED_BIT : 0);
}

unsigned int ept_access(u64 attr)
{
	return (attr & EPT_READ ? P2M_READ : 0) |
	       (attr & EPT_WRITE ? P2M_WRITE : 0) |
	       (attr & EPT_EXEC ? P2M_EXEC : 0) |
	       (attr & P2M_OWNED_BIT ? P2M_OWNED : 0) |
	       (attr & P2M_FOREIGN_BIT ? P2M_FOREIGN : 0) |
	       ((attr & EPT_MEMTYPE_MASK) == EPT_MEMTYPE_UC ? P2M_MMIO : 0);
}

#define INVEPT_SINGLE_CONTEXT 1ULL
#define INVEPT_ALL_CONTEXT 2ULL

/* CPUs that drop every EPT translation before their next VM entry (a p2m was freed). */
static cpumask_t ept_flush_all_pending;

/* A new root; arch_domain_set_p2m() (hvm.c) makes it stale on every CPU, as Xen sets a new p2m's invalidate mask. */
void ept_set_p2m(struct domain *d)
{
	d->arch.eptp = d->p2m.root | VMX_MEMTYPE_WB | EPTP_WALK_4;
}

static void invept(u64 type, u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

void ept_flush_local(struct domain *d)
{
	if (vmx_caps.ept_vpid & EPT_CAP_INVEPT_SINGLE)
		invept(INVEPT_SINGLE_CONTEXT, d->arch.eptp);
	else
		invept(INVEPT_ALL_CONTEXT, 0);
}

/*
 * @d's p2m is about to be freed (its vCPUs are gone): this CPU drops its
 * translations now, every other one before its next VM entry, so none
 * outlives the tables they came from.
 */
void ept_p2m_teardown(struct domain *d)
{
	if (!d->arch.eptp)
		return;
	ept_flush_local(d);
	if (vmx_caps.ept_vpid & EPT_CAP_INVEPT_ALL)
		cpumask_set_all_atomic(&ept_flush_all_pending, nr_cpus,
				       smp_processor_id());
}

/*
 * Before entering a vCPU of @d: flush what arch_p2m_flush() left stale here.
 * in_guest is set first, so a flush that misses it sees it and waits.
 */
void ept_enter_guest(struct pcpu *c, struct domain *d)
{
	WRITE_ONCE(c->in_guest, true);
	smp_mb();
	if (cpumask_test_and_clear_atomic(&ept_flush_all_pending, c->id))
		invept(INVEPT_ALL_CONTEXT, 0);
	if (cpumask_test_and_clear_atomic(&d->arch.ept_stale, c->id))
		ept_flush_local(d);
}

/*
 * Every CPU drops @d's cached translations before it next runs @d; CPUs
 * in a guest now are kicked out and waited for, so on return no CPU uses
 * a removed mapping.
 */
void ept_p2m_flush(struct domain *d)
{
	cpumask_set_all_atomic(&d->arch.ept_stale, nr_cpus, smp_processor_id());
	ept_flush_local(d);
	hvm_p2m_kick(d);
}
