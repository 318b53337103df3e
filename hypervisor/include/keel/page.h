/* Page sizes and page-frame arithmetic. */
#ifndef KEEL_PAGE_H
#define KEEL_PAGE_H

#include <keel/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define LARGE_PAGE_SHIFT 21
#define LARGE_PAGE_SIZE (1ULL << LARGE_PAGE_SHIFT)
#define HUGE_PAGE_SHIFT 30
#define HUGE_PAGE_SIZE (1ULL << HUGE_PAGE_SHIFT)

#define PFN_DOWN(addr) ((addr) >> PAGE_SHIFT)
#define PFN_UP(addr) (((addr) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_PHYS(pfn) ((u64)(pfn) << PAGE_SHIFT)

#endif
