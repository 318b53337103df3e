/* VT-d invalidation: queued-invalidation descriptors (pure encoders) and their submission. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <asm/vtd_regs.h>

#define QI_CC 1
#define QI_IOTLB 2
#define QI_IEC 4
#define QI_WAIT 5
#define QI_GRAN(g) ((u64)(g) << 4)	/* 1 global, 2 domain, 3 device/page */
#define QI_DID(did) ((u64)(did) << 16)
#define QI_IOTLB_DW BIT(6)
#define QI_IOTLB_DR BIT(7)
#define QI_IEC_INDEX BIT(4)
#define QI_WAIT_SW BIT(5)

void vtd_qi_cc_global(u64 desc[2])
{
	desc[0] = QI_CC | QI_GRAN(1);
	desc[1] = 0;
}

void vtd_qi_cc_domain(u64 desc[2], u16 did)
{
	desc[0] = QI_CC | QI_GRAN(2) | QI_DID(did);
	desc[1] = 0;
}

/* Drain reads and writes (DR, DW) whenever the unit can: harmless otherwise. */
void vtd_qi_iotlb_global(u64 desc[2])
{
	desc[0] = QI_IOTLB | QI_GRAN(1) | QI_IOTLB_DW | QI_IOTLB_DR;
	desc[1] = 0;
}

void vtd_qi_iotlb_dsi(u64 desc[2], u16 did)
{
	desc[0] = QI_IOTLB | QI_GRAN(2) | QI_IOTLB_DW | QI_IOTLB_DR | QI_DID(did);
	desc[1] = 0;
}

void vtd_qi_iotlb_psi(u64 desc[2], u16 did, u64 addr, unsigned int am)
{
	desc[0] = QI_IOTLB | QI_GRAN(3) | QI_IOTLB_DW | QI_IOTLB_DR | QI_DID(did);
	desc[1] = (addr & ~0xfffULL) | (am & 0x3f);
}

void vtd_qi_iec_global(u64 desc[2])
{
	desc[0] = QI_IEC;
	desc[1] = 0;
}

void vtd_qi_iec_index(u64 desc[2], u16 index, u8 im)
{
	desc[0] = QI_IEC | QI_IEC_INDEX | (u64)(im & 0x1f) << 27 |
		  (u64)index << 32;
	desc[1] = 0;
}

void vtd_qi_wait(u64 desc[2], u64 status_maddr, u32 data)
{
	desc[0] = QI_WAIT | QI_WAIT_SW | (u64)data << 32;
	desc[1] = status_maddr & ~3ULL;
}

int vtd_qi_submit(struct vtd_unit *u, const u64 desc[2])
{
	unsigned long flags = spin_lock_irqsave(&u->lock);
	u64 *slot = &u->qi_ring[u->qi_tail * 2];
	unsigned long spins = 0;
	u32 fsts, seq;
	int rc = 0;

	/* Never 0, never an earlier one: a late wait cannot answer for this. */
	seq = ++u->qi_seq ? u->qi_seq : ++u->qi_seq;
	slot[0] = desc[0];
	slot[1] = desc[1];
	vtd_sync(u, slot, 16);
	slot = &u->qi_ring[((u->qi_tail + 1) % VTD_QI_ENTRIES) * 2];
	vtd_qi_wait(slot, virt_to_phys((const void *)&u->qi_status), seq);
	vtd_sync(u, slot, 16);
	u->qi_tail = (u->qi_tail + 2) % VTD_QI_ENTRIES;
	vtd_write64(u, VTD_IQT, (u64)u->qi_tail << 4);
	while (READ_ONCE(u->qi_status) != seq) {
		fsts = vtd_read32(u, VTD_FSTS);
		if ((fsts & (VTD_FSTS_IQE | VTD_FSTS_ITE | VTD_FSTS_ICE)) ||
		    ++spins > VTD_SPIN_MAX) {
			pr_err("vtd: invalidation queue stuck (fsts %#x, head %#llx)\n",
			       fsts, (unsigned long long)vtd_read64(u, VTD_IQH));
			vtd_write32(u, VTD_FSTS, fsts & (VTD_FSTS_IQE |
				    VTD_FSTS_ITE | VTD_FSTS_ICE));
			rc = -EIO;
			break;
		}
		arch_cpu_relax();
	}
	spin_unlock_irqrestore(&u->lock, flags);
	return rc;
}
