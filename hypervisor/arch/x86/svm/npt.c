/* AMD nested paging: the generic p2m in the long-mode page-table format, and its TLB flushes. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/pagetable.h>
#include <keel/percpu.h>
#include <asm/hvm.h>

#define NPT_P BIT(0)
#define NPT_RW BIT(1)
#define NPT_US BIT(2)		/* nested walks are user accesses: every entry has it */
#define NPT_PWT BIT(3)
#define NPT_PCD BIT(4)
#define NPT_PS BIT(7)
#define NPT_NX BIT(63)		/* honoured: keel runs with EFER.NXE */

const struct pt_format npt_format = {
	.present = NPT_P,
	.table_attr = NPT_P | NPT_RW | NPT_US,
	.large = NPT_PS,
	.addr_mask = 0x000ffffffffff000ULL,
};

/*
 * A present leaf is readable: AMD's format has no write- or execute-only
 * entries, and keel asks for none. MMIO is PCD|PWT, the host PAT's UC
 * entry (as EPT's UC type, the guest's own PAT can make it WC); RAM WB.
 */
u64 npt_attr(unsigned int access)
{
	if (!(access & P2M_READ))
		return 0;
	return NPT_P | NPT_US | (access & P2M_WRITE ? NPT_RW : 0) |
	       (access & P2M_EXEC ? 0 : NPT_NX) |
	       (access & P2M_MMIO ? NPT_PCD | NPT_PWT : 0) |
	       (access & P2M_OWNED ? P2M_OWNED_BIT : 0);
}

unsigned int npt_access(u64 attr)
{
	if (!(attr & NPT_P))
		return 0;
	return P2M_READ | (attr & NPT_RW ? P2M_WRITE : 0) |
	       (attr & NPT_NX ? 0 : P2M_EXEC) |
	       (attr & P2M_OWNED_BIT ? P2M_OWNED : 0) |
	       (attr & P2M_FOREIGN_BIT ? P2M_FOREIGN : 0) |
	       (attr & NPT_PCD ? P2M_MMIO : 0);
}

/*
 * No INVEPT here: a CPU drops a domain's translations with the
 * TLB_CONTROL of its next VMRUN of it (svm_run.c), for every CPU whose
 * bit is set in the domain's ept_stale. Freed tables: every CPU, for
 * every domain, before its next VMRUN.
 */
cpumask_t npt_flush_all_pending;

void npt_p2m_teardown(struct domain *d)
{
	cpumask_set_all_atomic(&npt_flush_all_pending, nr_cpus, MAX_CPUS);
}

/* As ept_p2m_flush(), this CPU too: its next VMRUN of @d flushes. */
void npt_p2m_flush(struct domain *d)
{
	cpumask_set_all_atomic(&d->arch.ept_stale, MAX_CPUS, MAX_CPUS);
	hvm_p2m_kick(d);
}
