/*
 * Why keel stopped the machine. In an emulator the status becomes the
 * emulator's exit status (QEMU isa-debug-exit: (status << 1) | 1) and is
 * always printed as the last console line: "keel: stopped, status N (name)".
 */
#ifndef KEEL_STATUS_H
#define KEEL_STATUS_H

enum keel_status {
	KEEL_STATUS_OK = 0,		/* orderly stop: nothing left to run */
	KEEL_STATUS_PANIC = 1,		/* an internal check failed */
	KEEL_STATUS_NO_VMX = 2,		/* VT-x, EPT or unrestricted guest missing */
	KEEL_STATUS_BAD_BOOT = 3,	/* malformed boot information */
	KEEL_STATUS_FAULT = 4,		/* unexpected exception inside keel */
	KEEL_STATUS_DOM0_CRASHED = 5,	/* dom0 crashed or shut down with "crash" */
	KEEL_STATUS_DOM0_REBOOT = 6,	/* dom0 asked for a reboot */
	KEEL_STATUS_DOM0_OTHER = 7,	/* dom0 shut down for another reason */
	KEEL_STATUS_NO_IOMMU = 8,	/* iommu=force and no usable VT-d */
};

const char *keel_status_name(enum keel_status status);

#endif
