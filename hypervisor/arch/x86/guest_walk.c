/* Guest-virtual to guest-physical translation through the guest's own page tables. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/p2m.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/hvm.h>
#include <asm/x86_page.h>

int arch_guest_virt_to_phys(struct vcpu *v, u64 va, bool write, u64 *gpa)
{
	u64 cr0 = hvm_get(HVM_CR0), cr4 = hvm_get(HVM_CR4);
	u64 table = hvm_get(HVM_CR3) & X86_PTE_ADDR;
	int levels;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = va;
		return 0;
	}
	if (!(hvm_get(HVM_EFER) & BIT(10)) || !(cr4 & X86_CR4_PAE))
		return -EFAULT;	/* hypercalls come from 64-bit guests only */
	/* 4-level paging: bits 63..47 must all equal bit 47, or the CPU faults (#GP). */
	if ((u64)((s64)(va << 16) >> 16) != va)
		return -EFAULT;
	for (levels = 4; levels > 0; levels--) {
		unsigned int shift = 12 + 9 * (levels - 1);
		u64 entry;

		if (p2m_read_u64(v->domain, table + ((va >> shift) & 511) * 8,
				 &entry))
			return -EFAULT;
		if (!(entry & X86_PTE_P) || (write && !(entry & X86_PTE_RW)))
			return -EFAULT;
		if (levels == 1 || (levels <= 3 && (entry & X86_PTE_PS))) {
			u64 size = 1ULL << shift;

			*gpa = (entry & X86_PTE_ADDR & ~(size - 1)) |
			       (va & (size - 1));
			return 0;
		}
		table = entry & X86_PTE_ADDR;
	}
	return -EFAULT;
}
