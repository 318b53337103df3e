/* Loader of PVH guest kernels: checks a hostile ELF completely before any byte is copied. */
#include <keel/elf.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <public/elfnote.h>

#define ELF_MAX_PHDRS 64

static bool in_file(u64 offset, u64 len, size_t size)
{
	return offset <= size && len <= size - offset;
}

/* Look for the Xen PHYS32_ENTRY note in one PT_NOTE segment. */
static int find_entry_note(const u8 *notes, u64 len, u32 *entry)
{
	u64 off = 0;

	while (len - off >= sizeof(struct elf_note)) {
		struct elf_note n;
		u64 name_off = off + sizeof(n), desc_off, next;

		/* Copied: the segment may start at any file offset. */
		memcpy(&n, notes + off, sizeof(n));
		desc_off = name_off + ALIGN_UP((u64)n.namesz, 4);
		next = desc_off + ALIGN_UP((u64)n.descsz, 4);
		if (desc_off > len || next > len) {
			pr_err("elf: note at offset %llu overruns its segment\n",
			       (unsigned long long)off);
			return -EINVAL;
		}
		if (n.namesz == 4 && !memcmp(notes + name_off, "Xen", 4) &&
		    n.type == XEN_ELFNOTE_PHYS32_ENTRY) {
			if (n.descsz != 4 && n.descsz != 8) {
				pr_err("elf: PHYS32_ENTRY note has %u bytes\n",
				       n.descsz);
				return -EINVAL;
			}
			memcpy(entry, notes + desc_off, 4);
			return 1;
		}
		off = next;
	}
	return 0;
}

static int check_header(const struct elf64_ehdr *eh, size_t size)
{
	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\x7f" "ELF", 4)) {
		pr_err("elf: kernel is not an ELF file\n");
		return -ENOEXEC;
	}
	if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC) {
		pr_err("elf: kernel is not a little-endian x86-64 ELF64 executable\n");
		return -ENOEXEC;
	}
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || !eh->e_phnum ||
	    eh->e_phnum > ELF_MAX_PHDRS ||
	    !in_file(eh->e_phoff, (u64)eh->e_phnum * sizeof(struct elf64_phdr),
		     size)) {
		pr_err("elf: program headers malformed or outside the file\n");
		return -EINVAL;
	}
	return 0;
}

static int add_segment(struct pvh_kernel *k, const struct elf64_phdr *ph,
		       size_t size, u64 mem_limit)
{
	u64 end = ph->p_paddr + ph->p_memsz;

	if (ph->p_filesz > ph->p_memsz || !in_file(ph->p_offset, ph->p_filesz, size)) {
		pr_err("elf: segment at %#llx lies outside the file\n",
		       (unsigned long long)ph->p_paddr);
		return -EINVAL;
	}
	if (end < ph->p_paddr || end > mem_limit) {
		pr_err("elf: segment %#llx-%#llx does not fit in guest RAM (%llu MiB)\n",
		       (unsigned long long)ph->p_paddr, (unsigned long long)end,
		       (unsigned long long)mem_limit >> 20);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < k->nr_segments; i++) {
		if (ph->p_paddr < k->seg[i].paddr + k->seg[i].memsz &&
		    k->seg[i].paddr < end) {
			pr_err("elf: segments at %#llx and %#llx overlap\n",
			       (unsigned long long)k->seg[i].paddr,
			       (unsigned long long)ph->p_paddr);
			return -EINVAL;
		}
	}
	if (k->nr_segments == PVH_MAX_SEGMENTS) {
		pr_err("elf: more than %d loadable segments\n", PVH_MAX_SEGMENTS);
		return -EINVAL;
	}
	k->seg[k->nr_segments++] = (struct pvh_segment){
		ph->p_paddr, ph->p_offset, ph->p_filesz, ph->p_memsz,
	};
	k->lowest = MIN(k->lowest, ph->p_paddr);
	k->highest = MAX(k->highest, end);
	return 0;
}

int pvh_elf_check(const void *image, size_t size, u64 mem_limit,
		  struct pvh_kernel *k)
{
	const struct elf64_ehdr *eh = image;
	bool have_entry = false;
	int rc = check_header(eh, size);

	if (rc)
		return rc;
	memset(k, 0, sizeof(*k));
	k->lowest = ~0ULL;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr phdr, *ph = &phdr;

		/* Copied: e_phoff may be any file offset. */
		memcpy(ph, (const u8 *)image + eh->e_phoff + i * sizeof(*ph),
		       sizeof(*ph));
		if (ph->p_type == PT_LOAD && ph->p_memsz) {
			rc = add_segment(k, ph, size, mem_limit);
		} else if (ph->p_type == PT_NOTE && !have_entry) {
			if (!in_file(ph->p_offset, ph->p_filesz, size)) {
				pr_err("elf: note segment outside the file\n");
				return -EINVAL;
			}
			rc = find_entry_note((const u8 *)image + ph->p_offset,
					     ph->p_filesz, &k->entry);
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
	if (k->entry < k->lowest || k->entry >= k->highest) {
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
