/* Checking and placing the hypervisor core ELF image (pure C, no gnu-efi). */
#ifndef KEEL_EFI_ELFLOAD_H
#define KEEL_EFI_ELFLOAD_H

#include <keel/types.h>
#include <keel/image.h>

/* Upper bounds that make a core image "sane". */
#define CORE_MAX_PHDRS		32
#define CORE_MAX_SPAN		MiB(256)
#define CORE_HDR_SCAN		KiB(64)

/* Physical extent of the PT_LOAD segments, by p_paddr. */
struct core_span {
	u64 lowest;		/* lowest p_paddr: the physical link address */
	u64 end;		/* highest p_paddr + p_memsz */
	u32 nr_load;		/* number of PT_LOAD segments */
};

/*
 * Validate the ELF file in [elf, elf + len) and compute its span.
 * Returns 0 or sets *why to a static message and returns -ENOEXEC.
 */
int core_check(const void *elf, u64 len, struct core_span *span,
	       const char **why);

/* Copy the PT_LOAD segments to dst (holding span->lowest), zero the rest. */
void core_place(const void *elf, const struct core_span *span, void *dst,
		u64 dst_size);

/*
 * Find the keel_image_header in the first CORE_HDR_SCAN bytes of the
 * placed image and check it against the span and the ELF's segments.
 * Copies it to *hdr; returns 0 or sets *why and returns -ENOEXEC.
 */
int core_find_header(const void *elf, const struct core_span *span,
		     const void *image, u64 image_alloc,
		     struct keel_image_header *hdr, const char **why);

#endif
