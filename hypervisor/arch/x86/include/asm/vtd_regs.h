/* VT-d register layout and accessors, and the pure decisions vtd_decode.c makes from CAP/ECAP. */
#ifndef ASM_VTD_REGS_H
#define ASM_VTD_REGS_H

#include <keel/types.h>
#include <asm/vtd.h>

#define VTD_VER 0x00
#define VTD_CAP 0x08
#define VTD_ECAP 0x10
#define VTD_GCMD 0x18
#define VTD_GSTS 0x1c
#define VTD_RTADDR 0x20
#define VTD_CCMD 0x28
#define VTD_FSTS 0x34
#define VTD_FECTL 0x38
#define VTD_FEDATA 0x3c
#define VTD_FEADDR 0x40
#define VTD_FEUADDR 0x44
#define VTD_PMEN 0x64
#define VTD_IQH 0x80
#define VTD_IQT 0x88
#define VTD_IQA 0x90

#define VTD_GCMD_TE BIT(31)
#define VTD_GCMD_SRTP BIT(30)
#define VTD_GCMD_WBF BIT(27)
#define VTD_GCMD_QIE BIT(26)
#define VTD_GCMD_IRE BIT(25)
#define VTD_GCMD_SIRTP BIT(24)
#define VTD_GCMD_CFI BIT(23)
#define VTD_GCMD_ONESHOT 0x96ffffffU	/* GSTS bits that are not states */

#define VTD_FSTS_PFO BIT(0)
#define VTD_FSTS_PPF BIT(1)
#define VTD_FSTS_IQE BIT(4)
#define VTD_FSTS_ICE BIT(5)
#define VTD_FSTS_ITE BIT(6)
#define VTD_FECTL_IM BIT(31)
#define VTD_PMEN_EPM BIT(31)
#define VTD_PMEN_PRS BIT(0)

#define VTD_CCMD_ICC BIT(63)
#define VTD_CCMD_GLOBAL (1ULL << 61)
#define VTD_IOTLB_IVT BIT(63)
#define VTD_IOTLB_GLOBAL (1ULL << 60)
#define VTD_IOTLB_DSI (2ULL << 60)
#define VTD_IOTLB_DR BIT(49)
#define VTD_IOTLB_DW BIT(48)

#define CAP_ND(c) ((c) & 7)
#define CAP_RWBF BIT(4)
#define CAP_CM BIT(7)
#define CAP_SAGAW(c) (((c) >> 8) & 0x1f)
#define CAP_MGAW(c) ((((c) >> 16) & 0x3f) + 1)
#define CAP_FRO(c) ((((c) >> 24) & 0x3ff) * 16)
#define CAP_SLLPS_2M BIT(34)
#define CAP_SLLPS_1G BIT(35)
#define CAP_PSI BIT(39)
#define CAP_NFR(c) ((((c) >> 40) & 0xff) + 1)
#define ECAP_C BIT(0)
#define ECAP_QI BIT(1)
#define ECAP_IR BIT(3)
#define ECAP_IRO(e) ((((e) >> 8) & 0x3ff) * 16)

#ifndef VTD_SPIN_MAX	/* the host tests make it short */
#define VTD_SPIN_MAX 20000000UL	/* polls of a register before keel gives up */
#endif

/* Second-level (and EPT) leaf and table bits VT-d reads. */
#define VTD_PTE_R BIT(0)
#define VTD_PTE_W BIT(1)

/* ---- pure (vtd_decode.c) ---- */

/* How one DMA domain over a 4-level EPT fits every unit. */
struct vtd_plan {
	unsigned int levels;	/* 3 or 4 */
	bool share;		/* the EPT's tables are valid VT-d tables for every unit */
};

/*
 * vtd_plan_ept() - for units with capabilities @caps[0..@nr), an EPT that
 * uses 2 MiB pages (and 1 GiB ones with @ept_1g) and maps guest-physical
 * addresses below @gpa_end. -ENODEV (with *@why) when no common walk fits.
 */
int vtd_plan_ept(const u64 *caps, unsigned int nr, u64 gpa_end, bool ept_1g,
		 struct vtd_plan *p, const char **why);
/* How many domain ids the unit has (DID 0 is reserved with CM). */
unsigned int vtd_nr_dids(u64 cap);
/* The context entry for @did over @root with @levels. */
void vtd_context_entry(u64 ce[2], u64 root, unsigned int levels, u16 did);
/* Text for fault reason @reason. */
const char *vtd_fault_reason(u8 reason);

/* ---- register access (vtd.c) ---- */

#ifndef KEEL_HOSTED
static inline u32 vtd_read32(struct vtd_unit *u, unsigned int off)
{
	return *(volatile u32 *)((u8 *)u->regs + off);
}

static inline u64 vtd_read64(struct vtd_unit *u, unsigned int off)
{
	return *(volatile u64 *)((u8 *)u->regs + off);
}

static inline void vtd_write32(struct vtd_unit *u, unsigned int off, u32 v)
{
	*(volatile u32 *)((u8 *)u->regs + off) = v;
}

static inline void vtd_write64(struct vtd_unit *u, unsigned int off, u64 v)
{
	*(volatile u64 *)((u8 *)u->regs + off) = v;
}
#else	/* the host tests' fake units */
u32 vtd_read32(struct vtd_unit *u, unsigned int off);
u64 vtd_read64(struct vtd_unit *u, unsigned int off);
void vtd_write32(struct vtd_unit *u, unsigned int off, u32 v);
void vtd_write64(struct vtd_unit *u, unsigned int off, u64 v);
#endif

/* Make [p, p + len) visible to @u's table walks (CLFLUSH when ECAP.C = 0). */
void vtd_sync(struct vtd_unit *u, const void *p, size_t len);

#endif
