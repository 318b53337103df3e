/* VT-d: the host's DMAR, its remapping units, their invalidation and DMA domains. */
#ifndef ASM_VTD_H
#define ASM_VTD_H

#include <keel/spinlock.h>
#include <keel/types.h>

/* ---- the ACPI DMAR table (dmar.c, pure) ---- */

#define DMAR_MAX_UNITS 32	/* a 4-socket server has ~24 */
#define DMAR_MAX_SCOPES 64
#define DMAR_MAX_RMRRS 32
#define DMAR_MAX_ATSRS 4

#define DMAR_FLAG_INTR_REMAP BIT(0)
#define DMAR_FLAG_X2APIC_OPT_OUT BIT(1)

#define DMAR_SCOPE_ENDPOINT 1
#define DMAR_SCOPE_BRIDGE 2	/* a PCI sub-hierarchy */
#define DMAR_SCOPE_IOAPIC 3
#define DMAR_SCOPE_HPET 4
#define DMAR_SCOPE_ACPI 5

/* A device scope once its path is walked: @sid = bus << 8 | devfn. */
struct dmar_scope {
	u8 type;		/* DMAR_SCOPE_* */
	u8 enum_id;		/* IOAPIC id or HPET number */
	u16 sid;
};

/* A DRHD: one remapping unit and the devices it translates. */
struct dmar_unit {
	u64 base;		/* register page */
	u8 size_log2;		/* register set is 2^size_log2 pages (VT-d 3.x) */
	u16 segment;
	bool include_all;	/* every device of the segment no other unit lists */
	unsigned int nr_scopes;
	struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

/* An RMRR: firmware's DMA range [base, limit] its devices keep using. */
struct dmar_rmrr {
	u16 segment;
	u64 base, limit;	/* limit inclusive */
	unsigned int nr_scopes;
	struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

/* An ATSR: root ports below which devices may use ATS (keel never enables it). */
struct dmar_atsr {
	u16 segment;
	bool all_ports;
};

struct dmar_info {
	u8 haw;			/* host address width in bits */
	u8 flags;		/* DMAR_FLAG_* */
	unsigned int nr_units, nr_rmrrs, nr_atsrs;
	struct dmar_unit units[DMAR_MAX_UNITS];
	struct dmar_rmrr rmrrs[DMAR_MAX_RMRRS];
	struct dmar_atsr atsrs[DMAR_MAX_ATSRS];
};

/*
 * dmar_bridge_bus() - the secondary bus of the bridge at @bus:@devfn of
 * @segment, for walking a scope's path; -1 when there is no bridge there.
 * Provided by vtd.c from config space (and by the host tests).
 */
int dmar_bridge_bus(u16 segment, u8 bus, u8 devfn);

/*
 * dmar_parse() - decode the DMAR @table of @len bytes (header included,
 * checksum already checked) into *@out. Every length is checked.
 * @return 0, or -EINVAL after a pr_warn naming what is malformed.
 */
int dmar_parse(const void *table, size_t len, struct dmar_info *out);

/* ---- remapping units (vtd.c) ---- */

#define VTD_QI_ENTRIES 256	/* one 4 KiB page of 16-byte descriptors */

struct vtd_unit {
	void *regs;		/* register pages, uncached */
	u64 cap, ecap;
	struct dmar_unit drhd;
	u64 *qi_ring;		/* NULL: register-based invalidation */
	unsigned int qi_tail;	/* next free descriptor */
	volatile u32 qi_status;	/* written by the wait descriptor: qi_seq */
	u32 qi_seq;		/* the last submission's wait data */
	spinlock_t lock;	/* the registers, the queue, the context tables */
	u64 *root;		/* root table: 256 x 128-bit entries by bus -> context tables */
	bool ir;		/* interrupt remapping set up (vtd_ir.c) */
};

struct vtd_unit *vtd_unit(unsigned int i);
unsigned int vtd_nr_units(void);
/* The unit translating @sid of @segment (its scopes first, then INCLUDE_PCI_ALL). */
struct vtd_unit *vtd_unit_for_sid(u16 segment, u16 sid);
/* The source-id of IOAPIC @ioapic_id from the DMAR's IOAPIC scopes; -ENOENT if none. */
int vtd_ioapic_sid(u8 ioapic_id, u16 *sid);

/* GCMD bit @bit on or off (from GSTS, one-shot bits dropped); waits for GSTS. */
void vtd_gcmd_set(struct vtd_unit *u, u32 bit, bool on);

/* ---- queued invalidation (vtd_qi.c) ---- */

/* Queue @desc and a wait descriptor, wait. -EIO on IQE/ITE/ICE or timeout. */
int vtd_qi_submit(struct vtd_unit *u, const u64 desc[2]);

/* Descriptor encoders (pure). */
void vtd_qi_cc_global(u64 desc[2]);
void vtd_qi_cc_domain(u64 desc[2], u16 did);
void vtd_qi_iotlb_global(u64 desc[2]);
void vtd_qi_iotlb_dsi(u64 desc[2], u16 did);
/* Pages [addr, addr + 2^am pages) of @did; @addr aligned to that size. */
void vtd_qi_iotlb_psi(u64 desc[2], u16 did, u64 addr, unsigned int am);
void vtd_qi_iec_global(u64 desc[2]);
void vtd_qi_iec_index(u64 desc[2], u16 index, u8 im);
void vtd_qi_wait(u64 desc[2], u64 status_maddr, u32 data);

/* ---- DMA domains (vtd.c) ---- */

struct domain;
struct boot_info;

#include <keel/pagetable.h>

struct vtd_dom {
	u16 did;
	u64 root;		/* second-level root, machine address */
	unsigned int levels;	/* 3 or 4 */
	bool shared_ept;	/* root is (a level of) the domain's EPT */
	struct domain *d;	/* NULL for a private table */
	struct page_table mirror;	/* !shared_ept: the copy, under d's p2m lock */
	struct pt_ops mirror_ops;
};

/* dom0's: its EPT, shared when every unit allows, else mirrored tables. */
int vtd_dom_init(struct vtd_dom *vd, struct domain *d);
/* A private table (the self-test's) at @root_maddr of @levels levels. */
int vtd_dom_init_table(struct vtd_dom *vd, u64 root_maddr, unsigned int levels);
/* Point @sid's context entry (on its unit) at @vd. */
int vtd_assign(struct vtd_dom *vd, u16 segment, u16 sid);
/* Every bus of every segment at @vd: dom0 owns everything. */
int vtd_assign_all(struct vtd_dom *vd);
/* IOTLB invalidation of @nr pages from @gfn for @vd's DID on every unit. */
void vtd_dom_flush(struct vtd_dom *vd, u64 gfn, u64 nr);

/* Make table writes at [p, p + len) visible to every unit (CLFLUSH if one is not coherent). */
void vtd_pt_sync(const void *p, size_t len);

/*
 * Parse the DMAR and bring every unit up (iommu= decides), translation
 * still off: TE goes on with the first context entries. 0 or -errno;
 * with iommu=force a failure stops keel (KEEL_STATUS_NO_IOMMU).
 */
int vtd_init(const struct boot_info *bi);
bool vtd_active(void);
/* iommu=no-intremap clears it. */
extern bool iommu_intremap;
/* Log and clear every unit's pending fault records (also the fault interrupt's work). */
void vtd_faults_poll(void);

/* The hardware dom0: RMRRs checked, its EPT as every bus's DMA domain. */
int vtd_hwdom_attach(struct domain *d);
/* @d's p2m is going: its devices are cut off from it first. */
void vtd_p2m_teardown(struct domain *d);
/* After @d's p2m lost a mapping, before it is relied on: the IOTLB. */
void vtd_p2m_flush(struct domain *d);
/* Under @d's p2m lock, [gpa, gpa + size) became @hpa/@attr (0: unmapped). */
void vtd_p2m_changed(struct domain *d, u64 gpa, u64 hpa, u64 size, u64 attr);

/* ---- separate tables (vtd_mirror.c) ---- */

struct page_table;
struct pt_ops;
/* @m: a 4 KiB-only R/W copy of @ept's leaves. 0 or -ENOMEM. */
int vtd_mirror_init(struct page_table *m, const struct pt_ops *ops,
		    const struct page_table *ept);
/* [gpa, gpa + size) of @m to @hpa with @ept_attr's R/W (neither: unmapped). */
int vtd_mirror_update(struct page_table *m, u64 gpa, u64 hpa, u64 size,
		      u64 ept_attr);

#endif
