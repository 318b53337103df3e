/* selftest=vtd's interrupt-remapping step: IOAPIC entries and a device's MSI through the IRT. */
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <asm/intremap.h>
#include <asm/ioapic.h>
#include <asm/vtd.h>

#define WAIT_LOOPS 1000000	/* sti/cli windows: far longer than an MSI takes to land */
#define RTE_MASKED BIT(16)

static unsigned int arrived;

static void count(unsigned int vector, void *data)
{
	arrived++;
}

/* Take interrupts for a while: have @n arrived? */
static bool arrivals(unsigned int n)
{
	for (unsigned int i = 0; i < WAIT_LOOPS && READ_ONCE(arrived) < n; i++)
		asm volatile("sti; nop; cli" : : : "memory");
	return READ_ONCE(arrived) >= n;
}

static int fail(const char *what, unsigned long long val)
{
	pr_err("vtd: selftest: ir: %s (%#llx)\n", what, val);
	return -EIO;
}

/* Every pin masked in remappable form; the last pin routed and read back, then freed. */
static int check_ioapic(void)
{
	const struct ioapic_info *io = ioapic_get(0);
	u64 rte, e[2];
	u32 gsi;
	u16 sid;
	int v;

	if (!io)
		return fail("no IOAPIC", 0);
	for (gsi = io->gsi_base; gsi < io->gsi_base + io->pins; gsi++)
		if (ioapic_rte_read(gsi, &rte) || !(rte & IR_RTE_FORMAT) ||
		    !(rte & RTE_MASKED))
			return fail("IOAPIC pin not masked in remappable form", gsi);
	gsi--;
	v = irq_vector_alloc(count, NULL);
	if (v < 0 || vtd_ioapic_sid(io->id, &sid))
		return fail("no vector or no IOAPIC source-id", v);
	if (ioapic_route(gsi, v, true, true) || ioapic_rte_read(gsi, &rte))
		return fail("routing failed", gsi);
	if (rte != ir_ioapic_rte(v, v, true, true, true))
		return fail("IOAPIC entry read back", rte);
	vtd_ir_entry(v, e);
	if ((e[0] & 0xffff00ff) != ((u64)v << 16 | IRTE_TM | IRTE_P) ||
	    e[1] != (sid | (u64)IRTE_SVT_SID << 18))
		return fail("IRTE of the IOAPIC pin", e[0]);
	irq_vector_free(v);
	vtd_ir_entry(v, e);
	if (e[0] || e[1])
		return fail("IRTE left after the vector's release", e[0]);
	pr_info("vtd: selftest: ir: IOAPIC %u pins remappable; GSI %u via IRTE %u, source-id %04x\n",
		io->id, gsi, v, sid);
	return 0;
}

int vtd_ir_selftest(u16 sid, void (*program)(void *arg, u32 addr, u32 data),
		    void (*raise)(void *arg), void *arg)
{
	u32 addr, data;
	int v, rc;

	if (!iommu_ir_active())
		return fail("interrupt remapping is off", 0);
	ioapic_init();		/* arch_irq_init() has not run yet */
	rc = check_ioapic();
	if (rc)
		return rc;
	v = irq_vector_alloc(count, NULL);
	if (v < 0)
		return fail("no vector", v);
	addr = 0xfee00000u | irq_dest_apic_id() << 12;
	data = v;
	if (iommu_ir_msi(sid, &addr, &data) || !(addr & IR_MSI_FORMAT))
		return fail("no remappable message for the device", sid);
	program(arg, addr, data);
	arrived = 0;
	raise(arg);
	if (!arrivals(1))
		return fail("the MSI did not arrive", v);
	pr_info("vtd: selftest: ir: MSI %#x from %04x through IRTE %u arrived as vector %#x\n",
		addr, sid, v, v);
	iommu_ir_free(v);
	raise(arg);
	if (arrivals(2))
		return fail("the MSI arrived through a cleared IRTE", v);
	irq_vector_free(v);
	pr_info("vtd: selftest: ir: IRTE %u cleared and invalidated: nothing arrived\n", v);
	return 0;
}
