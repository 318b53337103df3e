/* Declarations shared by the UEFI-facing parts of keel.efi. */
#ifndef KEEL_EFI_LOADER_H
#define KEEL_EFI_LOADER_H

/* keel headers first: they define NULL, gnu-efi does only if it is unset. */
#include <keel/types.h>
#include <keel/bootinfo.h>
#include <keel/image.h>
#include <keel/string.h>
#include <efi.h>
#include <efilib.h>

#define BELOW_4G		0xffffffffULL
#define LOADER_MAX_ALLOCS	32
#define LOADER_PATH_LEN		512

/* alloc.c: EfiLoaderData pages below 4 GiB, freed again if loading fails. */
EFI_STATUS alloc_pages(u64 size, u64 *phys);
EFI_STATUS alloc_pages_aligned(u64 size, u64 align, u64 *phys);
void alloc_free_all(void);

/* files.c: the volume and directory keel.efi was loaded from. */
struct boot_dir {
	EFI_FILE_HANDLE root;
	CHAR16 dir[LOADER_PATH_LEN];	/* with a trailing '\', or empty */
};

EFI_STATUS boot_dir_open(EFI_LOADED_IMAGE *li, struct boot_dir *bd);
void boot_dir_close(struct boot_dir *bd);
/* Read name (relative to the directory unless it starts with '\' or '/'). */
EFI_STATUS boot_file_read_pool(struct boot_dir *bd, const char *name,
			       u64 max_size, void **buf, u64 *size);
EFI_STATUS boot_file_read_pages(struct boot_dir *bd, const char *name,
				u64 *phys, u64 *size);

/* config.c: the hypervisor command line and the modules. */
EFI_STATUS boot_config(EFI_LOADED_IMAGE *li, struct boot_info *bi);

/* core.c: the embedded hypervisor core and its page tables. */
struct core {
	u64 base;			/* 2 MiB-aligned physical copy */
	u64 alloc_size;			/* bytes allocated at base */
	struct keel_image_header hdr;
};

EFI_STATUS core_load(struct core *core);
EFI_STATUS core_map(const struct core *core, struct boot_info *bi, u64 *cr3);

/* memmap.c: the firmware memory map and leaving boot services. */
EFI_STATUS memmap_top(u64 *top);
EFI_STATUS memmap_exit(EFI_HANDLE image, struct boot_info *bi, bool *tried);

/* enter.c */
__noreturn void enter_core(u64 cr3, u64 entry, u64 bi_phys, u64 stack_top);

#endif
