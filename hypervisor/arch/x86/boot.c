/* x86_start(): from the loader's registers to a checked struct boot_info, then keel_main(). */
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/image.h>
#include <keel/main.h>
#include <keel/multiboot2.h>
#include <keel/page.h>
#include <keel/printk.h>
#include <keel/stop.h>
#include <keel/string.h>
#include <asm/x86_page.h>

#define EARLY_MAPPED_END GiB(4)

extern char __image_end[];

struct boot_info boot_info;

static int boot_from_multiboot2(u64 info_phys)
{
	size_t avail;

	if (info_phys >= EARLY_MAPPED_END) {
		pr_err("multiboot2: information block at %#llx is above 4 GiB\n",
		       (unsigned long long)info_phys);
		return -1;
	}
	avail = MIN(EARLY_MAPPED_END - info_phys, (u64)MB2_INFO_MAX_SIZE);
	if (mb2_parse(phys_to_virt(info_phys), avail, info_phys, &boot_info))
		return -1;
	boot_info.image_phys_start = KEEL_LOAD_PHYS;
	boot_info.image_phys_end = (u64)__image_end - KEEL_VIRT_BASE;
	return 0;
}

static int boot_from_keel_efi(u64 info_phys)
{
	const struct boot_info *bi = phys_to_virt(info_phys);

	if (bi->version != KEEL_BOOTINFO_VERSION) {
		pr_err("boot: keel.efi passed boot information version %u, this keel needs %u\n",
		       bi->version, KEEL_BOOTINFO_VERSION);
		return -1;
	}
	if (bi->nr_memmap == 0 || bi->nr_memmap > BOOTINFO_MAX_MEMMAP ||
	    bi->nr_modules > BOOTINFO_MAX_MODULES ||
	    bi->nr_reserved > BOOTINFO_MAX_RESERVED ||
	    !IS_ALIGNED(bi->image_phys_start, LARGE_PAGE_SIZE)) {
		pr_err("boot: keel.efi's boot information is inconsistent (%u map entries, %u modules, image at %#llx)\n",
		       bi->nr_memmap, bi->nr_modules,
		       (unsigned long long)bi->image_phys_start);
		return -1;
	}
	memcpy(&boot_info, bi, sizeof(boot_info));
	boot_info.cmdline[BOOTINFO_CMDLINE_LEN - 1] = '\0';
	boot_info.loader_name[BOOTINFO_LOADER_LEN - 1] = '\0';
	for (u32 i = 0; i < boot_info.nr_modules; i++)
		boot_info.modules[i].string[BOOTINFO_MODSTR_LEN - 1] = '\0';
	image_phys_start = boot_info.image_phys_start;
	return 0;
}

void x86_start(u32 magic, u64 info_phys)
{
	int rc;

	arch_cpu_init();
	if (magic == MB2_BOOTLOADER_MAGIC) {
		rc = boot_from_multiboot2(info_phys);
	} else if (magic == KEEL_BOOTINFO_MAGIC) {
		rc = boot_from_keel_efi(info_phys);
	} else {
		pr_err("boot: unknown loader magic %#x; start keel with a multiboot2 loader (GRUB) or keel.efi\n",
		       magic);
		rc = -1;
	}
	if (rc)
		keel_stop(KEEL_STATUS_BAD_BOOT);
	keel_main();
}
