/*
 * The boot information every boot path (multiboot2 from BIOS or EFI GRUB,
 * keel.efi) hands to the hypervisor core. The rest of keel reads only this.
 */
#ifndef KEEL_BOOTINFO_H
#define KEEL_BOOTINFO_H

#include <keel/types.h>

/* Passed in RDI by keel.efi with a pointer to a struct boot_info in RSI. */
#define KEEL_BOOTINFO_MAGIC 0x4b45454cU /* "KEEL" */
#define KEEL_BOOTINFO_VERSION 1

#define BOOTINFO_MAX_MEMMAP 128
#define BOOTINFO_MAX_MODULES 16
#define BOOTINFO_MAX_RESERVED 16
#define BOOTINFO_CMDLINE_LEN 1024
#define BOOTINFO_MODSTR_LEN 256
#define BOOTINFO_LOADER_LEN 64

/* Memory map entry types, numbered as in the e820/multiboot2 map. */
enum memmap_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI = 3,
	MEM_NVS = 4,
	MEM_BAD = 5,
};

enum boot_path {
	BOOT_MULTIBOOT2_BIOS = 1,	/* GRUB on legacy BIOS */
	BOOT_MULTIBOOT2_EFI = 2,	/* GRUB on UEFI, boot services exited */
	BOOT_UEFI_APP = 3,		/* keel.efi, a native UEFI application */
};

struct memmap_entry {
	u64 addr;
	u64 size;
	u32 type;		/* enum memmap_type */
	u32 pad;
};

struct boot_module {
	u64 start;		/* physical, inclusive */
	u64 end;		/* physical, exclusive */
	char string[BOOTINFO_MODSTR_LEN];
};

/* A physical range [start, end) that must not be handed out as free RAM. */
struct boot_range {
	u64 start;
	u64 end;
};

struct boot_info {
	u32 version;		/* KEEL_BOOTINFO_VERSION */
	u32 boot_path;		/* enum boot_path */
	char loader_name[BOOTINFO_LOADER_LEN];
	char cmdline[BOOTINFO_CMDLINE_LEN];

	u32 nr_memmap;
	struct memmap_entry memmap[BOOTINFO_MAX_MEMMAP];

	u32 nr_modules;
	struct boot_module modules[BOOTINFO_MAX_MODULES];

	/* Loader-owned memory still in use at entry (page tables, this struct). */
	u32 nr_reserved;
	struct boot_range reserved[BOOTINFO_MAX_RESERVED];

	u64 rsdp_phys;		/* ACPI RSDP, 0 if the loader did not find one */
	u64 efi_systab_phys;	/* EFI system table, 0 on BIOS */
	u64 image_phys_start;	/* where the hypervisor image sits in RAM */
	u64 image_phys_end;
};

/* Append helpers shared by the loaders; they return -ENOSPC when full. */
int bootinfo_add_memmap(struct boot_info *bi, u64 addr, u64 size, u32 type);
int bootinfo_add_module(struct boot_info *bi, u64 start, u64 end,
			const char *string);
int bootinfo_add_reserved(struct boot_info *bi, u64 start, u64 end);

/* Size of the EFI memory descriptor fields keel reads (EFI_MEMORY_DESCRIPTOR). */
struct efi_memory_desc {
	u32 type;
	u32 pad;
	u64 phys_start;
	u64 virt_start;
	u64 nr_pages;
	u64 attribute;
};

/* Map an EFI memory type (EfiConventionalMemory = 7, ...) to enum memmap_type. */
u32 efi_memtype_to_memmap(u32 efi_type);

/* The checked copy of the loader's boot information the core works from. */
extern struct boot_info boot_info;

#endif
