/* A hardware dom0's I/O ports: its VMX I/O bitmap and what keel does with the ports it traps. */
#ifndef ASM_HWDOM_PORTS_H
#define ASM_HWDOM_PORTS_H

#include <keel/spinlock.h>
#include <keel/types.h>
#include <asm/fadt.h>

struct domain;
struct vcpu;

#define IO_BITMAP_BYTES 8192	/* VMX I/O bitmaps A (ports 0-0x7fff) and B, one bit a port */

/* One 8259 of the inert vPIC: it remembers what Linux programs and never interrupts. */
struct vpic_chip {
	u8 imr;
	u8 elcr;
	u8 icw_step;		/* 0: ready; 1-3: ICW2-ICW4 expected next */
	bool icw4, single;
};

struct hwdom_ports {
	spinlock_t lock;	/* leaf: the vPIC, the PM1 records, 0xCF9 */
	struct fadt_ports fadt;	/* the host's registers, read once at init */
	struct vpic_chip pic[2];
	u8 cf9;			/* the reset control register's latched bits */
	u8 slp_typ[2];		/* the last SLP_TYP dom0 wrote to PM1a/PM1b_CNT */
	u16 off_cnt[2];		/* the PM1a/PM1b_CNT values that power the host off */
	u8 *bitmap;		/* IO_BITMAP_BYTES, two pages: A then B; then SVM's third, all set */
};

/* What keel does after a trapped access (hwdom_port_access()). */
enum hwdom_io_act {
	HWDOM_IO_DONE,		/* emulated or refused: dom0 goes on */
	HWDOM_IO_NOT_MINE,	/* not a policy port (0xE9, PCI config): the caller's */
	HWDOM_IO_POWEROFF,	/* S5: dom0 shuts down (poweroff) */
	HWDOM_IO_REBOOT,	/* a reset register: dom0 shuts down (reboot) */
	HWDOM_IO_REFUSED,	/* a sleep state other than S5: dropped, say so */
};

/* The real ports, for bytes keel performs on dom0's behalf (tests pass fakes). */
struct port_hw {
	u32 (*in)(u16 port, unsigned int size);
	void (*out)(u16 port, unsigned int size, u32 val);
};

/* Is @port kept from a hardware dom0 (its bit set in the I/O bitmap)? */
bool hwdom_port_trapped(const struct hwdom_ports *p, u16 port);

/* Fill @bitmap (IO_BITMAP_BYTES) from hwdom_port_trapped(). */
void hwdom_io_bitmap_fill(const struct hwdom_ports *p, u8 *bitmap);

/* A fresh port state for the host registers @fadt (no bitmap yet). */
void hwdom_ports_setup(struct hwdom_ports *p, const struct fadt_ports *fadt);

/*
 * hwdom_port_access() - one trapped IN/OUT of @size (1, 2 or 4) bytes at
 * @port; *@val is the value written or receives the value read. Bytes of
 * the access on ports dom0 owns are done on @hw.
 */
enum hwdom_io_act hwdom_port_access(struct hwdom_ports *p, u16 port,
				    unsigned int size, bool in, u32 *val,
				    const struct port_hw *hw);

/* hwdom_ports_init() - the I/O bitmap and port policy of hardware domain @d (hwdom.c). */
int hwdom_ports_init(struct domain *d);

/* hwdom_ports_free() - what hwdom_ports_init() allocated. */
void hwdom_ports_free(struct domain *d);

/* hwdom_portio() - io_emul.c's hook for a hardware domain: true when the access was handled. */
bool hwdom_portio(struct vcpu *v, u16 port, unsigned int size, bool in,
		  u32 *val);

/*
 * hwdom_machine_off() - on real hardware, after keel's orderly stop: power
 * off through the PM1 values dom0 wrote, or reset (RESET_REG, else 0xCF9).
 * Returns when neither applies, or when no hardware dom0 was set up.
 */
void hwdom_machine_off(bool reboot);

#endif
