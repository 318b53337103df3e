/* keel.efi: the native UEFI loader that boots the embedded hypervisor core. */
#include "loader.h"

#define CR4_LA57	BIT(12)

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

/* What efi_main needs once boot services are gone. */
struct handoff {
	struct boot_info *bi;
	u64 cr3;
	u64 entry;
	u64 stack_top;
};

static u64 find_rsdp(EFI_SYSTEM_TABLE *st)
{
	u64 acpi10 = 0;
	UINTN i;

	for (i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

		if (!CompareGuid(&t->VendorGuid, &acpi20_guid))
			return (u64)(uptr)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi10_guid))
			acpi10 = (u64)(uptr)t->VendorTable;
	}
	return acpi10;
}

static EFI_STATUS new_bootinfo(struct boot_info **bip)
{
	struct boot_info *bi;
	EFI_STATUS status;
	u64 phys;

	status = alloc_pages(sizeof(*bi), &phys);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: no memory for boot_info: %r\n", status);
		return status;
	}
	bi = (struct boot_info *)(uptr)phys;
	memset(bi, 0, sizeof(*bi));
	bi->version = KEEL_BOOTINFO_VERSION;
	bi->boot_path = BOOT_UEFI_APP;
	strlcpy(bi->loader_name, "keel.efi", sizeof(bi->loader_name));
	bootinfo_add_reserved(bi, phys, phys + ALIGN_UP(sizeof(*bi), 4096));
	*bip = bi;
	return EFI_SUCCESS;
}

/* A stack of our own in reserved memory, so the core may start with calls. */
static EFI_STATUS new_stack(struct boot_info *bi, u64 *top)
{
	EFI_STATUS status;
	u64 phys;

	status = alloc_pages(KEEL_STACK_SIZE, &phys);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: no memory for a stack: %r\n", status);
		return status;
	}
	if (bootinfo_add_reserved(bi, phys, phys + KEEL_STACK_SIZE)) {
		Print(L"keel.efi: boot_info reserved[] is full\n");
		return EFI_LOAD_ERROR;
	}
	*top = phys + KEEL_STACK_SIZE;
	return EFI_SUCCESS;
}

/* Everything that needs boot services; prints why on failure. */
static EFI_STATUS prepare(EFI_HANDLE image, EFI_SYSTEM_TABLE *st,
			  struct handoff *h)
{
	EFI_LOADED_IMAGE *li;
	EFI_STATUS status;
	struct core core;
	u64 cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 & CR4_LA57) {
		Print(L"keel.efi: firmware runs with 5-level paging, not supported\n");
		return EFI_UNSUPPORTED;
	}
	status = uefi_call_wrapper(BS->HandleProtocol, 3, image,
				   &gEfiLoadedImageProtocolGuid, (void **)&li);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: no loaded-image protocol: %r\n", status);
		return status;
	}

	status = new_bootinfo(&h->bi);
	if (EFI_ERROR(status))
		return status;
	status = boot_config(li, h->bi);
	if (EFI_ERROR(status))
		return status;
	Print(L"keel.efi: command line \"%a\"\n", h->bi->cmdline);

	status = core_load(&core);
	if (EFI_ERROR(status))
		return status;
	h->bi->image_phys_start = core.base;
	h->bi->image_phys_end = core.base + core.hdr.image_size;
	h->entry = core.hdr.entry64;
	h->bi->rsdp_phys = find_rsdp(st);
	h->bi->efi_systab_phys = (u64)(uptr)st;
	if (!h->bi->rsdp_phys)
		Print(L"keel.efi: warning: no ACPI RSDP in the EFI system table\n");

	status = new_stack(h->bi, &h->stack_top);
	if (EFI_ERROR(status))
		return status;
	/* Last allocation before the memory map is taken: the page tables. */
	return core_map(&core, h->bi, &h->cr3);
}

/* Undo a failed load; boot services must still be fully usable. */
static EFI_STATUS give_up(EFI_STATUS status)
{
	alloc_free_all();
	/* Leave the message readable before the boot manager moves on. */
	Print(L"keel.efi: boot failed (%r), back to the firmware in 5 s\n",
	      status);
	uefi_call_wrapper(BS->Stall, 1, 5 * 1000 * 1000);
	return status;
}

/* gnu-efi's crt0 calls this with the SysV ABI, so it is not EFIAPI. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct handoff h;
	EFI_STATUS status;
	bool tried;

	InitializeLib(image, st);
	Print(L"keel.efi: loading hypervisor\n");

	status = prepare(image, st, &h);
	if (EFI_ERROR(status))
		return give_up(status);
	Print(L"keel.efi: exiting boot services, entering the hypervisor\n");

	status = memmap_exit(image, h.bi, &tried);
	if (EFI_ERROR(status)) {
		/* Boot services may be half gone: no printing or freeing. */
		if (tried)
			return status;
		return give_up(status);
	}
	enter_core(h.cr3, h.entry, (u64)(uptr)h.bi, h.stack_top);
}
