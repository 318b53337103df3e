/* Loader of PVH guest kernels (ELF32 and ELF64): checks a hostile ELF completely before any byte is copied. */
#include <keel/elf.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <public/elfnote.h>

#define ELF_MAX_PHDRS 64

/*
 * What keel uses of the file, copied out of it once (headers may sit at
 * any alignment, and are never read in place): the class, where the
 * program headers are, and one program header widened to 64 bits.
 */
struct elf_file {
	const u8 *image;
	size_t size;
	unsigned int class;
	u64 phoff;
	unsigned int phnum, phentsize;
};

struct elf_phdr {
	u32 type;
	u64 offset, paddr, filesz, memsz, align;
};

static bool in_file(u64 offset, u64 len, size_t size)
{
	return offset <= size && len <= size - offset;
}

static void read_phdr(const struct elf_file *f, unsigned int i,
		      struct elf_phdr *ph)
{
	const u8 *at = f->image + f->phoff + (u64)i * f->phentsize;

	if (f->class == ELFCLASS32) {
		struct elf32_phdr p;

		memcpy(&p, at, sizeof(p));
		*ph = (struct elf_phdr){ p.p_type, p.p_offset, p.p_paddr,
					 p.p_filesz, p.p_memsz, p.p_align };
	} else {
		struct elf64_phdr p;

		memcpy(&p, at, sizeof(p));
		*ph = (struct elf_phdr){ p.p_type, p.p_offset, p.p_paddr,
					 p.p_filesz, p.p_memsz, p.p_align };
	}
}

static int read_header(const void *image, size_t size, struct elf_file *f)
{
	u8 ident[EI_NIDENT];
	u16 type, machine;

	if (size < EI_NIDENT || memcmp(image, "\x7f" "ELF", 4)) {
		pr_err("elf: kernel is not an ELF file\n");
		return -ENOEXEC;
	}
	memcpy(ident, image, sizeof(ident));
	*f = (struct elf_file){ .image = image, .size = size,
				.class = ident[EI_CLASS] };
	if (f->class == ELFCLASS32) {
		struct elf32_ehdr eh;

		if (size < sizeof(eh))
			goto truncated;
		memcpy(&eh, image, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		f->phoff = eh.e_phoff;
		f->phnum = eh.e_phnum;
		f->phentsize = eh.e_phentsize;
	} else if (f->class == ELFCLASS64) {
		struct elf64_ehdr eh;

		if (size < sizeof(eh))
			goto truncated;
		memcpy(&eh, image, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		f->phoff = eh.e_phoff;
		f->phnum = eh.e_phnum;
		f->phentsize = eh.e_phentsize;
	} else {
		type = machine = 0;
	}
	/* EM_386 only in an ELF32 container (objcopy -O elf32-i386). */
	if (!type || ident[EI_DATA] != ELFDATA2LSB || type != ET_EXEC ||
	    (machine != EM_X86_64 &&
	     (machine != EM_386 || f->class != ELFCLASS32))) {
		pr_err("elf: kernel is not a little-endian x86 ELF32 or ELF64 executable\n");
		return -ENOEXEC;
	}
	if (f->phentsize != (f->class == ELFCLASS32 ? sizeof(struct elf32_phdr) :
						      sizeof(struct elf64_phdr)) ||
	    !f->phnum || f->phnum > ELF_MAX_PHDRS ||
	    !in_file(f->phoff, (u64)f->phnum * f->phentsize, size)) {
		pr_err("elf: program headers malformed or outside the file\n");
		return -EINVAL;
	}
	return 0;

truncated:
	pr_err("elf: ELF%u header truncated (%zu bytes)\n",
	       f->class == ELFCLASS32 ? 32 : 64, size);
	return -EINVAL;
}

/*
 * Look for the Xen PHYS32_ENTRY note in one PT_NOTE segment of @len bytes
 * whose notes are padded to @align (4, or 8 in an 8-aligned segment).
 */
static int find_entry_note(const u8 *notes, u64 len, u64 align, u32 *entry)
{
	u64 off = 0;

	while (len - off >= sizeof(struct elf_note)) {
		struct elf_note n;
		u64 desc_off, next;

		memcpy(&n, notes + off, sizeof(n));
		desc_off = ALIGN_UP(off + sizeof(n) + n.namesz, align);
		next = ALIGN_UP(desc_off + n.descsz, align);
		if (desc_off > len || next > len) {
			pr_err("elf: note at offset %llu overruns its segment\n",
			       (unsigned long long)off);
			return -EINVAL;
		}
		if (n.namesz == 4 && !memcmp(notes + off + sizeof(n), "Xen", 4) &&
		    n.type == XEN_ELFNOTE_PHYS32_ENTRY) {
			u64 val = 0;

			if (n.descsz != 4 && n.descsz != 8) {
				pr_err("elf: PHYS32_ENTRY note has %u bytes\n",
				       n.descsz);
				return -EINVAL;
			}
			memcpy(&val, notes + desc_off, n.descsz);
			if (val >> 32) {
				pr_err("elf: PHYS32_ENTRY %#llx is above 4 GiB\n",
				       (unsigned long long)val);
				return -EINVAL;
			}
			*entry = val;
			return 1;
		}
		off = next;
	}
	return 0;
}

static int scan_notes(const struct elf_file *f, const struct elf_phdr *ph,
		      u32 *entry)
{
	u64 align = ph->align == 8 ? 8 : 4;

	if (!in_file(ph->offset, ph->filesz, f->size)) {
		pr_err("elf: note segment outside the file\n");
		return -EINVAL;
	}
	if (ph->offset % align) {
		pr_err("elf: note segment at offset %#llx is not aligned to %llu\n",
		       (unsigned long long)ph->offset, (unsigned long long)align);
		return -EINVAL;
	}
	return find_entry_note(f->image + ph->offset, ph->filesz, align, entry);
}

static int add_segment(struct pvh_kernel *k, const struct elf_phdr *ph,
		       size_t size, u64 mem_limit)
{
	u64 end = ph->paddr + ph->memsz;

	if (ph->filesz > ph->memsz) {
		pr_err("elf: segment at %#llx: file size %#llx exceeds its memory size %#llx\n",
		       (unsigned long long)ph->paddr, (unsigned long long)ph->filesz,
		       (unsigned long long)ph->memsz);
		return -EINVAL;
	}
	if (!ph->memsz)
		return 0;
	if (!in_file(ph->offset, ph->filesz, size)) {
		pr_err("elf: segment at %#llx lies outside the file\n",
		       (unsigned long long)ph->paddr);
		return -EINVAL;
	}
	/* An ELF32 segment must also end within the 32-bit address space. */
	if (end < ph->paddr || end > mem_limit ||
	    (k->elf_class == ELFCLASS32 && end > GiB(4))) {
		pr_err("elf: segment %#llx-%#llx does not fit in guest RAM (%llu MiB)\n",
		       (unsigned long long)ph->paddr, (unsigned long long)end,
		       (unsigned long long)mem_limit >> 20);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < k->nr_segments; i++) {
		if (ph->paddr < k->seg[i].paddr + k->seg[i].memsz &&
		    k->seg[i].paddr < end) {
			pr_err("elf: segments at %#llx and %#llx overlap\n",
			       (unsigned long long)k->seg[i].paddr,
			       (unsigned long long)ph->paddr);
			return -EINVAL;
		}
	}
	if (k->nr_segments == PVH_MAX_SEGMENTS) {
		pr_err("elf: more than %d loadable segments\n", PVH_MAX_SEGMENTS);
		return -EINVAL;
	}
	k->seg[k->nr_segments++] = (struct pvh_segment){
		ph->paddr, ph->offset, ph->filesz, ph->memsz,
	};
	k->lowest = MIN(k->lowest, ph->paddr);
	k->highest = MAX(k->highest, end);
	return 0;
}

/* Is the entry inside a loaded segment (not merely between the lowest and highest)? */
static bool entry_loaded(const struct pvh_kernel *k)
{
	for (unsigned int i = 0; i < k->nr_segments; i++)
		if (k->entry >= k->seg[i].paddr &&
		    k->entry - k->seg[i].paddr < k->seg[i].memsz)
			return true;
	return false;
}

int pvh_elf_check(const void *image, size_t size, u64 mem_limit,
		  struct pvh_kernel *k)
{
	struct elf_file f;
	bool have_entry = false;
	int rc = read_header(image, size, &f);

	if (rc)
		return rc;
	memset(k, 0, sizeof(*k));
	k->elf_class = f.class;
	k->lowest = ~0ULL;
	for (unsigned int i = 0; i < f.phnum; i++) {
		struct elf_phdr ph;

		read_phdr(&f, i, &ph);
		if (ph.type == PT_LOAD) {
			rc = add_segment(k, &ph, size, mem_limit);
		} else if (ph.type == PT_NOTE && !have_entry) {
			rc = scan_notes(&f, &ph, &k->entry);
			have_entry = rc == 1;
			rc = rc < 0 ? rc : 0;
		}
		if (rc)
			return rc;
	}
	if (!k->nr_segments) {
		pr_err("elf: kernel has no loadable segment\n");
		return -EINVAL;
	}
	if (!have_entry) {
		pr_err("elf: not a PVH kernel: no XEN_ELFNOTE_PHYS32_ENTRY note\n");
		return -ENOEXEC;
	}
	if (!entry_loaded(k)) {
		pr_err("elf: PVH entry %#x is outside the loaded image %#llx-%#llx\n",
		       k->entry, (unsigned long long)k->lowest,
		       (unsigned long long)k->highest);
		return -EINVAL;
	}
	return 0;
}

int pvh_elf_load(const void *image, const struct pvh_kernel *k,
		 int (*write)(void *ctx, u64 gpa, const void *src, u64 len),
		 void *ctx)
{
	for (unsigned int i = 0; i < k->nr_segments; i++) {
		const struct pvh_segment *s = &k->seg[i];
		int rc = write(ctx, s->paddr, (const u8 *)image + s->offset,
			       s->filesz);

		if (!rc && s->memsz > s->filesz)
			rc = write(ctx, s->paddr + s->filesz, NULL,
				   s->memsz - s->filesz);
		if (rc)
			return rc;
	}
	return 0;
}
