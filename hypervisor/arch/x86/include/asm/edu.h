/* QEMU's edu PCI device (1234:11e8): the DMA engine and MSI the VT-d self-test drives. */
#ifndef ASM_EDU_H
#define ASM_EDU_H

#include <keel/types.h>

#define EDU_BUF 0x40000		/* the device's 4 KiB buffer, as its DMA engine names it */
#define EDU_BUF_SIZE 4096
#define EDU_RAISE 0x60		/* write: OR the value into the interrupt status, raise */
#define EDU_ACK 0x64		/* write: clear those status bits */

struct edu {
	u16 bdf;
	u8 msi;			/* MSI capability offset, 0 if none */
	volatile u8 *regs;	/* BAR0, uncached */
	u64 tsc_per_ms;		/* the DMA timeout's time base */
};

/* Find edu on bus 0, map BAR0, enable memory decoding and bus mastering: 0 or -ENODEV. */
int edu_probe(struct edu *e, u64 tsc_per_ms);
u32 edu_read(const struct edu *e, u16 reg);
void edu_write(const struct edu *e, u16 reg, u32 val);
/*
 * Copy @len bytes between bus address @bus and the device buffer at
 * @off: to_ram = device to memory. Waits for the engine (100 ms of
 * virtual time in QEMU). 0, -EINVAL (outside the buffer) or -ETIMEDOUT.
 */
int edu_dma(const struct edu *e, u64 bus, u32 off, u32 len, bool to_ram);
/* Program edu's MSI with @addr/@data (the high address half 0) and enable it; off when !on. */
void edu_msi(const struct edu *e, u32 addr, u32 data, bool on);

#endif
