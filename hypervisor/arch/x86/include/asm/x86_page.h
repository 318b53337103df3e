/* x86 page-table entry bits and the host page-table format for the generic builder. */
#ifndef ASM_X86_PAGE_H
#define ASM_X86_PAGE_H

#include <keel/types.h>

#define X86_PTE_P BIT(0)
#define X86_PTE_RW BIT(1)
#define X86_PTE_US BIT(2)
#define X86_PTE_PWT BIT(3)
#define X86_PTE_PCD BIT(4)
#define X86_PTE_PS BIT(7)
#define X86_PTE_G BIT(8)
#define X86_PTE_NX BIT(63)
#define X86_PTE_ADDR 0x000ffffffffff000ULL

/* Start of the direct map of physical memory (PML4 slot 256). */
#define DIRECTMAP_BASE 0xffff800000000000ULL

/* Where the image's first byte sits in RAM (KEEL_LOAD_PHYS under GRUB). */
extern u64 image_phys_start;

struct page_table;
extern struct page_table host_page_table;

#endif
