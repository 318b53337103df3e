/* EPT: the x86 format of the generic p2m, its memory type, and INVEPT. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/pagetable.h>
#include <asm/vmx.h>

#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXEC BIT(2)
#define EPT_MEMTYPE_WB (6ULL << 3)
#define EPT_LARGE BIT(7)
#define EPTP_WALK_4 (3ULL << 3)

static const struct pt_format ept_format = {
	.present = EPT_READ | EPT_WRITE | EPT_EXEC,
	.table_attr = EPT_READ | EPT_WRITE | EPT_EXEC,
	.large = EPT_LARGE,
	.addr_mask = 0x000ffffffffff000ULL,
};

const struct pt_format *arch_p2m_format(void)
{
	return &ept_format;
}

u64 arch_p2m_attr(unsigned int access)
{
	return (access & P2M_READ ? EPT_READ : 0) |
	       (access & P2M_WRITE ? EPT_WRITE : 0) |
	       (access & P2M_EXEC ? EPT_EXEC : 0) | EPT_MEMTYPE_WB |
	       (access & P2M_OWNED ? P2M_OWNED_BIT : 0);
}

void arch_domain_set_p2m(struct domain *d)
{
	d->arch.eptp = d->p2m.root | VMX_MEMTYPE_WB | EPTP_WALK_4;
}

void arch_p2m_flush(struct domain *d)
{
	struct { u64 eptp, zero; } desc = { d->arch.eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(1ULL) : "cc", "memory");
}
