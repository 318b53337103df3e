/* What VT-d's capability and fault fields mean, and the context entries keel writes (pure). */
#include <keel/errno.h>
#include <asm/vtd_regs.h>

#define SAGAW_3LEVEL BIT(1)
#define SAGAW_4LEVEL BIT(2)

int vtd_plan_ept(const u64 *caps, unsigned int nr, u64 gpa_end, bool ept_1g,
		 struct vtd_plan *p, const char **why)
{
	bool all4 = true, all3 = true;

	p->share = true;
	for (unsigned int i = 0; i < nr; i++) {
		all4 &= !!(CAP_SAGAW(caps[i]) & SAGAW_4LEVEL);
		all3 &= !!(CAP_SAGAW(caps[i]) & SAGAW_3LEVEL);
		if (CAP_MGAW(caps[i]) < 64 && gpa_end > BIT(CAP_MGAW(caps[i]))) {
			*why = "guest-physical space beyond a unit's MGAW";
			return -ENODEV;
		}
		if (!(caps[i] & CAP_SLLPS_2M) ||
		    (ept_1g && !(caps[i] & CAP_SLLPS_1G)))
			p->share = false;
	}
	if (all4) {
		p->levels = 4;
	} else if (all3 && gpa_end <= GiB(512)) {
		p->levels = 3;	/* PML4[0]'s table is the root */
	} else {
		*why = all3 ? "3-level units and guest-physical space beyond 512 GiB" :
			      "no page-table depth every unit supports";
		return -ENODEV;
	}
	return 0;
}

unsigned int vtd_nr_dids(u64 cap)
{
	return 1U << (4 + 2 * MIN(CAP_ND(cap), 6));
}

void vtd_context_entry(u64 ce[2], u64 root, unsigned int levels, u16 did)
{
	ce[0] = (root & ~0xfffULL) | 1;		/* present, TT 00: translated only */
	ce[1] = (levels - 2) | (u64)did << 8;	/* AW 1: 3-level, 2: 4-level */
}

const char *vtd_fault_reason(u8 reason)
{
	static const char *const dma[] = {
		[1] = "root entry not present",
		[2] = "context entry not present",
		[3] = "invalid context entry",
		[4] = "address beyond the guest address width",
		[5] = "write not permitted",
		[6] = "read not permitted",
		[7] = "bad next-level table pointer",
		[8] = "bad root table address",
		[9] = "bad context table pointer",
		[0xa] = "reserved bits in a root entry",
		[0xb] = "reserved bits in a context entry",
		[0xc] = "reserved bits in a page-table entry",
		[0xd] = "translated request blocked",
	};
	static const char *const ir[] = {
		"reserved bits in an interrupt request",
		"interrupt index beyond the table",
		"interrupt-remapping entry not present",
		"interrupt-remapping table fetch failed",
		"reserved bits in an interrupt-remapping entry",
		"compatibility-format interrupt blocked",
		"interrupt source-id check failed",
	};

	if (reason < ARRAY_SIZE(dma) && dma[reason])
		return dma[reason];
	if (reason >= 0x20 && reason - 0x20 < (int)ARRAY_SIZE(ir))
		return ir[reason - 0x20];
	return "unknown reason";
}
