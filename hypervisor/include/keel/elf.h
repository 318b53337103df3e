/* ELF32 and ELF64 file structures, and keel's loader of PVH guest kernels. */
#ifndef KEEL_ELF_H
#define KEEL_ELF_H

#include <keel/types.h>

#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_NOTE 4

struct elf32_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u32 e_entry;
	u32 e_phoff;
	u32 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf32_phdr {
	u32 p_type;
	u32 p_offset;
	u32 p_vaddr;
	u32 p_paddr;
	u32 p_filesz;
	u32 p_memsz;
	u32 p_flags;
	u32 p_align;
};

struct elf64_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

struct elf_note {
	u32 namesz;
	u32 descsz;
	u32 type;
};

#define PVH_MAX_SEGMENTS 16

struct pvh_segment {
	u64 paddr;		/* guest-physical load address */
	u64 offset;		/* in the file */
	u64 filesz;
	u64 memsz;		/* the rest up to memsz is zeroed */
};

/* A checked PVH kernel: where its segments go and where it starts. */
struct pvh_kernel {
	unsigned int elf_class;	/* ELFCLASS32 or ELFCLASS64 */
	u32 entry;		/* XEN_ELFNOTE_PHYS32_ENTRY */
	u64 lowest;		/* lowest guest-physical byte loaded */
	u64 highest;		/* one past the highest */
	unsigned int nr_segments;
	struct pvh_segment seg[PVH_MAX_SEGMENTS];
};

/*
 * Check that @image (@size bytes, any alignment) is an x86 ELF32 or ELF64
 * executable (EM_X86_64, or EM_386 in ELF32: PVH kernels are entered in
 * 32-bit mode whatever their container) carrying XEN_ELFNOTE_PHYS32_ENTRY,
 * whose PT_LOAD segments lie inside the file and inside guest RAM
 * [0, @mem_limit) without overlapping each other, and whose entry lies in
 * one of them. Fills @k on success; on failure prints why and returns
 * -ENOEXEC (not a PVH ELF) or -EINVAL (malformed), -E2BIG (does not fit).
 */
int pvh_elf_check(const void *image, size_t size, u64 mem_limit,
		  struct pvh_kernel *k);

/*
 * Copy the checked segments to guest memory through @write(@ctx, gpa, src,
 * len), where src NULL means zero-fill. Returns 0 or @write's error.
 */
int pvh_elf_load(const void *image, const struct pvh_kernel *k,
		 int (*write)(void *ctx, u64 gpa, const void *src, u64 len),
		 void *ctx);

#endif
