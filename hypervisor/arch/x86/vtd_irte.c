/* VT-d interrupt-remapping encoders (pure): IRTEs, remappable MSI addresses and IOAPIC entries. */
#include <asm/intremap.h>

#define IRTE_VECTOR_SHIFT 16
#define IRTE_DEST_SHIFT 32
#define IRTE_XAPIC_DEST_SHIFT 40
#define IRTE_SVT_SHIFT 18		/* of the high word; SQ (17:16) stays 0 */
#define MSI_ADDR_BASE 0xfee00000u
#define IR_MSI_HANDLE_SHIFT 5
#define IR_MSI_HANDLE15 BIT(2)
#define RTE_HANDLE_SHIFT 49
#define RTE_HANDLE15 BIT(11)
#define RTE_ACTIVE_LOW BIT(13)
#define RTE_LEVEL BIT(15)
#define RTE_MASKED BIT(16)

void irte_encode(u64 irte[2], u32 dest, bool x2apic, u8 vector, bool level,
		 u16 sid, unsigned int svt)
{
	/* DM 0 (physical), RH 0, DLM 0 (fixed), IM 0 (remapped). */
	irte[0] = IRTE_P | (level ? IRTE_TM : 0) |
		  (u64)vector << IRTE_VECTOR_SHIFT |
		  (x2apic ? (u64)dest << IRTE_DEST_SHIFT :
			    (u64)(dest & 0xff) << IRTE_XAPIC_DEST_SHIFT);
	irte[1] = sid | (u64)(svt & 3) << IRTE_SVT_SHIFT;
}

u32 ir_msi_addr(u16 handle)
{
	return MSI_ADDR_BASE | (u32)(handle & 0x7fff) << IR_MSI_HANDLE_SHIFT |
	       IR_MSI_FORMAT | (handle & 0x8000 ? IR_MSI_HANDLE15 : 0);
}

u64 ir_ioapic_rte(u16 handle, u8 vector, bool level, bool active_low,
		  bool masked)
{
	return (u64)(handle & 0x7fff) << RTE_HANDLE_SHIFT | IR_RTE_FORMAT |
	       (handle & 0x8000 ? RTE_HANDLE15 : 0) |
	       (masked ? RTE_MASKED : 0) | (level ? RTE_LEVEL : 0) |
	       (active_low ? RTE_ACTIVE_LOW : 0) | vector;
}
