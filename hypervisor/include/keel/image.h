/*
 * Layout of the hypervisor image, shared by the linker script, the
 * multiboot2 entry (head.S) and the native UEFI loader (keel.efi).
 *
 * The image is linked twice over: a small .boot part at its physical load
 * address (the multiboot2 header, the 32-bit entry and its page tables),
 * and the rest at KEEL_VIRT_BASE + physical link address, in the top 2 GiB
 * of the address space (-mcmodel=kernel). GRUB loads the image at
 * KEEL_LOAD_PHYS; keel.efi may load it at any 2 MiB-aligned address and
 * maps the high half there.
 *
 * Entering the core from a 64-bit loader (keel.efi):
 *  - long mode, interrupts off, any valid stack;
 *  - CR3 identity-maps all RAM and maps [virt_start, virt_start + size)
 *    onto the image's physical copy, which starts 2 MiB aligned;
 *  - RDI = KEEL_BOOTINFO_MAGIC, RSI = physical address of a struct
 *    boot_info whose reserved[] lists the page tables and itself;
 *  - jump to entry64, read from the keel_image_header found in .boot.
 */
#ifndef KEEL_IMAGE_H
#define KEEL_IMAGE_H

#define KEEL_LOAD_PHYS 0x200000
#define KEEL_VIRT_BASE 0xffffffff80000000
#define KEEL_IMAGE_MAGIC0 0x474d494c4545454bULL /* "KEEELIMG" little-endian */

#define KEEL_STACK_SIZE 0x4000

#ifndef __ASSEMBLER__
#include <keel/types.h>

struct keel_image_header {
	u64 magic;		/* KEEL_IMAGE_MAGIC0 */
	u64 entry64;		/* virtual address of the 64-bit entry */
	u64 virt_start;		/* virtual address of the first byte of the image */
	u64 phys_link_start;	/* physical address the image is linked for */
	u64 image_size;		/* bytes from the start to the end of .bss */
};
#endif

#endif
