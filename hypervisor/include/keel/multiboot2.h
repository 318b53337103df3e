/* Multiboot2 ABI (header and boot information tags) and keel's parser of it. */
#ifndef KEEL_MULTIBOOT2_H
#define KEEL_MULTIBOOT2_H

#ifndef __ASSEMBLER__
#include <keel/types.h>
#endif

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB2_ARCH_I386 0

#define MB2_HEADER_TAG_END 0
#define MB2_HEADER_TAG_INFO_REQUEST 1
#define MB2_HEADER_TAG_CONSOLE_FLAGS 4

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV 5
#define MB2_TAG_MMAP 6
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ELF_SECTIONS 9
#define MB2_TAG_APM 10
#define MB2_TAG_EFI32 11
#define MB2_TAG_EFI64 12
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_NETWORK 16
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS 18
#define MB2_TAG_EFI32_IH 19
#define MB2_TAG_EFI64_IH 20
#define MB2_TAG_LOAD_BASE_ADDR 21

#ifndef __ASSEMBLER__
struct mb2_info_header {
	u32 total_size;
	u32 reserved;
};

struct mb2_tag {
	u32 type;
	u32 size;
};

struct mb2_tag_string {		/* CMDLINE, LOADER_NAME */
	u32 type;
	u32 size;
	char string[];
};

struct mb2_tag_module {
	u32 type;
	u32 size;
	u32 mod_start;
	u32 mod_end;
	char string[];
};

struct mb2_mmap_entry {
	u64 addr;
	u64 len;
	u32 type;
	u32 zero;
};

struct mb2_tag_mmap {
	u32 type;
	u32 size;
	u32 entry_size;
	u32 entry_version;
	struct mb2_mmap_entry entries[];
};

struct mb2_tag_efi64 {
	u32 type;
	u32 size;
	u64 pointer;
};

struct mb2_tag_efi_mmap {
	u32 type;
	u32 size;
	u32 descr_size;
	u32 descr_vers;
	u8 efi_mmap[];
};

/* Largest info block keel accepts; GRUB's are a few KiB. */
#define MB2_INFO_MAX_SIZE (1u << 20)

struct boot_info;

/*
 * Parse the multiboot2 information at @info (physical address @info_phys,
 * for the reserved-range record) into @bi. @avail bounds how many bytes
 * may be read. Every malformation is reported with pr_err() and makes the
 * parse fail with -EINVAL; nothing is read outside [info, info + avail).
 */
int mb2_parse(const void *info, size_t avail, u64 info_phys,
	      struct boot_info *bi);
#endif

#endif
