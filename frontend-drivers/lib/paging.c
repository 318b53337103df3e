/* Changing the guest's identity map one 2 MiB page at a time (for page-fault tests). */
#include <asm/x86_page.h>
#include <keel/errno.h>
#include "paging.h"

/* Four page directories of 512 entries each, contiguous (head.S). */
extern u64 pd[];

static int set_pde(u64 addr, u64 pde)
{
	if (!IS_ALIGNED(addr, LARGE_PAGE_SIZE) || addr >= IDENTITY_MAP_END)
		return -EINVAL;
	pd[addr / LARGE_PAGE_SIZE] = pde;
	asm volatile("invlpg (%0)" : : "r"(addr) : "memory");
	return 0;
}

int identity_unmap_2m(u64 addr)
{
	return set_pde(addr, 0);
}

int identity_map_2m(u64 addr)
{
	return set_pde(addr, addr | X86_PTE_P | X86_PTE_RW | X86_PTE_PS);
}
