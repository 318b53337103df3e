/* Fuzzes keel's PVH ELF loader: the check of a hostile kernel image, then its load. */
#include <keel/elf.h>
#include <keel/pvh_layout.h>
#include "fuzz_input.h"

/* Guest RAM below the MMIO hole, as build_domain() passes it for a 256 MiB domain. */
#define MEM_LIMIT MiB(256)

struct load {
	const uint8_t *image;
	size_t size;
	u64 bytes;
};

/* Every write must stay in guest RAM and read only the image (ASan checks the read). */
static int write_guest(void *ctx, u64 gpa, const void *src, u64 len)
{
	struct load *l = ctx;
	volatile uint8_t sink = 0;

	if (gpa + len < gpa || gpa + len > MEM_LIMIT)
		__builtin_trap();
	if (src) {
		const uint8_t *s = src;

		if (s < l->image || len > l->size || s - l->image > (ptrdiff_t)(l->size - len))
			__builtin_trap();
		for (u64 i = 0; i < len; i += 512)
			sink ^= s[i];
		if (len)
			sink ^= s[len - 1];
	}
	l->bytes += len;
	(void)sink;
	return 0;
}

static void check_kernel(const struct pvh_kernel *k)
{
	if (!k->nr_segments || k->nr_segments > PVH_MAX_SEGMENTS ||
	    k->entry < k->lowest || k->entry >= k->highest || k->highest > MEM_LIMIT)
		__builtin_trap();
	for (unsigned int i = 0; i < k->nr_segments; i++) {
		const struct pvh_segment *s = &k->seg[i];

		if (s->filesz > s->memsz || s->paddr < k->lowest ||
		    s->paddr + s->memsz > k->highest)
			__builtin_trap();
		for (unsigned int j = 0; j < i; j++)
			if (s->paddr < k->seg[j].paddr + k->seg[j].memsz &&
			    k->seg[j].paddr < s->paddr + s->memsz)
				__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *image = fuzz_dup(data, size);
	struct load l = { .image = image, .size = size };
	struct pvh_kernel k;

	if (!pvh_elf_check(image, size, MEM_LIMIT, &k)) {
		check_kernel(&k);
		if (pvh_elf_load(image, &k, write_guest, &l))
			__builtin_trap();
	}
	free(image);
	return 0;
}
