/* Guest memory access: guest-physical through the p2m, guest-virtual through the guest's page tables. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page.h>
#include <keel/string.h>
#include <keel/vcpu.h>

void *guest_page(struct domain *d, u64 gpa)
{
	u64 hpa, attr;

	if (p2m_lookup(d, gpa & PAGE_MASK, &hpa, &attr) ||
	    !(arch_p2m_access(attr) & P2M_OWNED))
		return NULL;
	return phys_to_virt(hpa & PAGE_MASK);
}

/*
 * Copy @len bytes page by page; @to_guest picks the direction. Each page
 * is held by a reference while keel touches it, so a concurrent change of
 * the p2m cannot free it under the copy; a write needs the p2m's write
 * permission, as the guest itself would (a read-only grant stays so).
 */
static int guest_phys_copy(struct domain *d, u64 gpa, void *buf, u64 len,
			   bool to_guest)
{
	unsigned int need = to_guest ? P2M_WRITE : P2M_READ;
	u8 *p = buf;

	while (len) {
		u64 chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		u64 hpa;
		u8 *page;

		if (p2m_get_page(d, gpa, need, &hpa, NULL))
			return -EFAULT;
		page = (u8 *)phys_to_virt(hpa) + (gpa & (PAGE_SIZE - 1));
		if (!p)
			memset(page, 0, chunk);
		else if (to_guest)
			memcpy(page, p, chunk);
		else
			memcpy(p, page, chunk);
		put_page(hpa);
		gpa += chunk;
		len -= chunk;
		if (p)
			p += chunk;
	}
	return 0;
}

int copy_to_guest_phys(struct domain *d, u64 gpa, const void *src, u64 len)
{
	return guest_phys_copy(d, gpa, (void *)src, len, true);
}

int copy_from_guest_phys(struct domain *d, void *dst, u64 gpa, u64 len)
{
	return guest_phys_copy(d, gpa, dst, len, false);
}

int clear_guest_phys(struct domain *d, u64 gpa, u64 len)
{
	return guest_phys_copy(d, gpa, NULL, len, true);
}

static int guest_virt_copy(struct vcpu *v, u64 va, void *buf, u64 len,
			   bool to_guest)
{
	u8 *p = buf;

	while (len) {
		u64 chunk = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		u64 gpa;

		if (arch_guest_virt_to_phys(v, va, to_guest, &gpa) ||
		    guest_phys_copy(v->domain, gpa, p, chunk, to_guest))
			return -EFAULT;
		va += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, u64 va, u64 len)
{
	return guest_virt_copy(v, va, dst, len, false);
}

int copy_to_guest(struct vcpu *v, u64 va, const void *src, u64 len)
{
	return guest_virt_copy(v, va, (void *)src, len, true);
}

int guest_virt_get_page(struct vcpu *v, u64 va, bool write, u64 *hpa)
{
	unsigned int need = P2M_OWNED | P2M_READ | (write ? P2M_WRITE : 0);
	u64 gpa;

	if (arch_guest_virt_to_phys(v, va, write, &gpa) ||
	    p2m_get_page(v->domain, gpa & PAGE_MASK, need, hpa, NULL))
		return -EFAULT;
	return 0;
}
