/*
 * libfdt's environment inside keel: the types and byte-order helpers its
 * header needs, without libc. Debian's libfdt.h (libfdt-dev) includes this
 * file in place of its own libfdt_env.h, which pulls in hosted libc headers.
 */
#ifndef LIBFDT_ENV_H
#define LIBFDT_ENV_H

#include <keel/string.h>
#include <keel/types.h>

typedef u8 uint8_t;
typedef u16 uint16_t;
typedef u32 uint32_t;
typedef u64 uint64_t;
typedef uptr uintptr_t;

#define INT_MAX __INT_MAX__
#define INT32_MAX __INT32_MAX__
#define UINT32_MAX __UINT32_MAX__

/* The tree is big-endian; x86 is little-endian. */
typedef u16 fdt16_t;
typedef u32 fdt32_t;
typedef u64 fdt64_t;

static inline u16 fdt16_to_cpu(fdt16_t x)
{
	return __builtin_bswap16(x);
}

static inline fdt16_t cpu_to_fdt16(u16 x)
{
	return __builtin_bswap16(x);
}

static inline u32 fdt32_to_cpu(fdt32_t x)
{
	return __builtin_bswap32(x);
}

static inline fdt32_t cpu_to_fdt32(u32 x)
{
	return __builtin_bswap32(x);
}

static inline u64 fdt64_to_cpu(fdt64_t x)
{
	return __builtin_bswap64(x);
}

static inline fdt64_t cpu_to_fdt64(u64 x)
{
	return __builtin_bswap64(x);
}

#endif
