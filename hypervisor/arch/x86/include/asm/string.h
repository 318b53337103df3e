/* x86's block copy and fill for keel's memcpy/memmove/memset: string instructions. */
#ifndef ASM_X86_STRING_H
#define ASM_X86_STRING_H

#include <keel/types.h>

/*
 * arch_memcpy_fwd() - copy @n bytes upwards, 8 at a time then the rest: also right for
 * overlapping buffers when @dst < @src (each quadword is read before it is written).
 * Grant copies move whole pages through here: one string instruction, not a byte loop.
 */
static inline void arch_memcpy_fwd(void *dst, const void *src, size_t n)
{
	size_t q = n / 8, r = n % 8;

	asm volatile("rep movsq\n\t"
		     "mov %[r], %%rcx\n\t"
		     "rep movsb"
		     : "+D"(dst), "+S"(src), "+c"(q)
		     : [r] "r"(r)
		     : "memory");
}

/* arch_memset() - fill @n bytes at @dst with @c. */
static inline void arch_memset(void *dst, u8 c, size_t n)
{
	size_t q = n / 8, r = n % 8;
	u64 v = 0x0101010101010101ull * c;

	asm volatile("rep stosq\n\t"
		     "mov %[r], %%rcx\n\t"
		     "rep stosb"
		     : "+D"(dst), "+c"(q)
		     : "a"(v), [r] "r"(r)
		     : "memory");
}

#endif
