/* The hardware domain's PCI configuration space: forwarded to the host, MSI and MSI-X shadowed. */
#ifndef ASM_VPCI_H
#define ASM_VPCI_H

#include <keel/spinlock.h>
#include <keel/types.h>

struct domain;
struct vcpu;
struct vpci_dev;

#define VPCI_MAX_DEVS 64	/* functions with MSI or MSI-X */
#define VPCI_MSIX_MAX 64	/* MSI-X entries keel shadows per function; the rest stay masked */

/* One message: the guest's address and data, and the host vector behind it. */
struct vmsi {
	struct vpci_dev *dev;
	u64 addr;
	u32 data;
	u32 ctrl;		/* MSI-X vector control (bit 0: masked) */
	u8 vector;		/* host vector; 0: none yet */
};

struct vpci_dev {
	struct domain *d;
	u16 bdf;
	u8 msi_cap, msix_cap;	/* 0: none */
	/* MSI: the guest's enable bit; the capability's RO 64-bit/per-vector-mask bits. */
	bool msi_enabled;
	u16 msi_flags;
	struct vmsi msi;
	/* MSI-X: the guest's control, the table keel claimed and its mapping. */
	u16 msix_ctrl;
	u32 msix_entries;	/* the table's size */
	u64 msix_table;		/* host physical; 0 until claimed */
	u64 msix_claim_end;	/* the claimed pages' end */
	u8 *msix_page;		/* keel's mapping of the first claimed page */
	u32 guard_refusals;	/* table-moving writes refused (vmsix_guard_write) */
	struct vmsi msix[VPCI_MSIX_MAX];
};

struct vpci {
	spinlock_t lock;	/* the latch, the devices and their shadows */
	u32 cf8;
	unsigned int nr;
	struct vpci_dev *dev[VPCI_MAX_DEVS];
	u64 plain[65536 / 64];	/* functions probed that have neither MSI nor MSI-X */
};

/* The hardware domain @v's port I/O at 0xCF8-0xCFF: true when vPCI handled it. */
bool vpci_portio(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val);
/* Configuration access of the hardware domain to @bdf (@reg + @size within a dword). */
u32 vpci_conf_read(struct vpci *vp, struct domain *d, u16 bdf, u16 reg, unsigned int size);
void vpci_conf_write(struct vpci *vp, struct domain *d, u16 bdf, u16 reg, unsigned int size,
		     u32 val);

/* vmsi.c: the MSI and MSI-X capabilities' registers, and the MSI-X table. */
u32 vmsi_read(struct vpci_dev *dev, u16 reg, unsigned int size, u32 hw);
/* The bytes of the write keel does not shadow go to the device. */
void vmsi_write(struct vpci_dev *dev, u16 reg, unsigned int size, u32 val);
/* The domain goes: MSI off and every MSI-X entry masked at the device. */
void vmsi_quiesce(struct vpci_dev *dev);
/* Claim @dev's MSI-X table (its BAR assigned) and mask every hardware entry. */
void vmsix_claim(struct vpci_dev *dev);
/* May dom0's configuration write go to hardware (*@val possibly trimmed)? */
bool vmsix_guard_write(struct vpci_dev *dev, u16 reg, unsigned int size,
		       u32 *val);

#endif
