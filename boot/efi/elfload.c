/* Checking and placing the hypervisor core ELF image (pure C, no gnu-efi). */
#include <keel/types.h>
#include <keel/string.h>
#include <keel/errno.h>
#include <keel/image.h>
#include "elf64.h"
#include "elfload.h"

/* The blob is only byte-aligned in general, so headers are copied out. */
static void get_phdr(const void *elf, const struct elf64_ehdr *eh, u32 i,
		     struct elf64_phdr *ph)
{
	memcpy(ph, (const u8 *)elf + eh->e_phoff + (u64)i * eh->e_phentsize,
	       sizeof(*ph));
}

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -ENOEXEC;
}

static int check_ehdr(const struct elf64_ehdr *eh, u64 len, const char **why)
{
	if (memcmp(eh->e_ident, ELFMAG, 4))
		return fail(why, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(why, "not ELF64");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return fail(why, "bad ELF byte order or version");
	if (eh->e_machine != EM_X86_64)
		return fail(why, "not an x86-64 ELF");
	if (eh->e_type != ET_EXEC)
		return fail(why, "not an ELF executable");
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return fail(why, "bad program header size");
	if (!eh->e_phnum || eh->e_phnum > CORE_MAX_PHDRS)
		return fail(why, "bad number of program headers");
	if (eh->e_phoff > len ||
	    (u64)eh->e_phnum * eh->e_phentsize > len - eh->e_phoff)
		return fail(why, "program headers outside the file");
	return 0;
}

static int check_segment(const struct elf64_phdr *ph, u64 len,
			 const char **why)
{
	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return fail(why, "PT_LOAD segment outside the file");
	if (ph->p_filesz > ph->p_memsz)
		return fail(why, "PT_LOAD segment with filesz > memsz");
	if (ph->p_memsz > CORE_MAX_SPAN)
		return fail(why, "PT_LOAD segment too large");
	if (ph->p_paddr > ~0ULL - ph->p_memsz)
		return fail(why, "PT_LOAD segment wraps around");
	return 0;
}

static bool overlaps(const struct elf64_phdr *a, const struct elf64_phdr *b)
{
	return a->p_paddr < b->p_paddr + b->p_memsz &&
	       b->p_paddr < a->p_paddr + a->p_memsz;
}

int core_check(const void *elf, u64 len, struct core_span *span,
	       const char **why)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph, other;
	u32 i, j;
	int ret;

	if (len < sizeof(eh))
		return fail(why, "file too short for an ELF header");
	memcpy(&eh, elf, sizeof(eh));
	ret = check_ehdr(&eh, len, why);
	if (ret)
		return ret;

	span->lowest = ~0ULL;
	span->end = 0;
	span->nr_load = 0;
	for (i = 0; i < eh.e_phnum; i++) {
		get_phdr(elf, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		ret = check_segment(&ph, len, why);
		if (ret)
			return ret;
		for (j = 0; j < i; j++) {
			get_phdr(elf, &eh, j, &other);
			if (other.p_type == PT_LOAD && other.p_memsz &&
			    overlaps(&ph, &other))
				return fail(why, "PT_LOAD segments overlap");
		}
		span->lowest = MIN(span->lowest, ph.p_paddr);
		span->end = MAX(span->end, ph.p_paddr + ph.p_memsz);
		span->nr_load++;
	}
	if (!span->nr_load)
		return fail(why, "no PT_LOAD segments");
	if (span->end - span->lowest > CORE_MAX_SPAN)
		return fail(why, "PT_LOAD segments span too much memory");
	return 0;
}

void core_place(const void *elf, const struct core_span *span, void *dst,
		u64 dst_size)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	u8 *base = dst;
	u32 i;

	/* Zeroing everything covers .bss, gaps and the 2 MiB round-up. */
	memset(dst, 0, dst_size);
	memcpy(&eh, elf, sizeof(eh));
	for (i = 0; i < eh.e_phnum; i++) {
		get_phdr(elf, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		memcpy(base + (ph.p_paddr - span->lowest),
		       (const u8 *)elf + ph.p_offset, ph.p_filesz);
	}
}

/* Every segment linked in the high half must sit where virt_start puts it. */
static int check_virt(const void *elf, const struct core_span *span,
		      const struct keel_image_header *hdr, const char **why)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	u32 i;

	memcpy(&eh, elf, sizeof(eh));
	for (i = 0; i < eh.e_phnum; i++) {
		get_phdr(elf, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || !ph.p_memsz ||
		    ph.p_vaddr == ph.p_paddr)
			continue;
		if (ph.p_vaddr - hdr->virt_start != ph.p_paddr - span->lowest)
			return fail(why, "a segment's p_vaddr is not virt_start + (p_paddr - phys_link_start)");
	}
	return 0;
}

static int check_header(const struct keel_image_header *hdr,
			const struct core_span *span, u64 image_alloc,
			const char **why)
{
	if (hdr->phys_link_start != span->lowest)
		return fail(why, "header phys_link_start is not the lowest p_paddr");
	if (!hdr->image_size || hdr->image_size > image_alloc)
		return fail(why, "header image_size is 0 or beyond the PT_LOAD span");
	if (!IS_ALIGNED(hdr->virt_start, MiB(2)))
		return fail(why, "header virt_start is not 2 MiB aligned");
	if (hdr->virt_start < 0xffff800000000000ULL ||
	    ALIGN_UP(hdr->image_size, MiB(2)) > -hdr->virt_start)
		return fail(why, "header virt_start is not in the upper half");
	if (hdr->entry64 < hdr->virt_start ||
	    hdr->entry64 - hdr->virt_start >= hdr->image_size)
		return fail(why, "header entry64 is outside the image");
	return 0;
}

int core_find_header(const void *elf, const struct core_span *span,
		     const void *image, u64 image_alloc,
		     struct keel_image_header *hdr, const char **why)
{
	u64 limit = MIN(CORE_HDR_SCAN, span->end - span->lowest);
	u64 off, magic;
	int ret;

	for (off = 0; off + sizeof(*hdr) <= limit; off += 8) {
		memcpy(&magic, (const u8 *)image + off, sizeof(magic));
		if (magic != KEEL_IMAGE_MAGIC0)
			continue;
		memcpy(hdr, (const u8 *)image + off, sizeof(*hdr));
		ret = check_header(hdr, span, image_alloc, why);
		if (ret)
			return ret;
		return check_virt(elf, span, hdr, why);
	}
	return fail(why, "no keel_image_header in the first 64 KiB");
}
