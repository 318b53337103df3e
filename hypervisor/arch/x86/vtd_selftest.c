/* selftest=vtd: QEMU's edu device DMAs through VT-d; each step prints PASS or FAIL with what it read. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/pagetable.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/time.h>
#include <asm/apic.h>
#include <asm/edu.h>
#include <asm/intremap.h>
#include <asm/io.h>
#include <asm/ioapic.h>
#include <asm/vtd_regs.h>

#define LEN 256			/* bytes per transfer */
/* The test's I/O virtual addresses: edu masks bus addresses to 28 bits. */
#define IOVA_SRC 0x100000ULL	/* read-write: the pattern */
#define IOVA_DST 0x101000ULL	/* read-write: where it comes back */
#define IOVA_RO 0x102000ULL	/* read-only */
#define IOVA_UNMAP 0x103000ULL	/* mapped, used, unmapped and flushed */
#define IOVA_NONE 0x200000ULL	/* never mapped */
#define FAULT_WRITE 5		/* fault reasons: no write, no read permission */

#define pass(step, fmt, ...) pr_info("vtd-selftest: %s: PASS " fmt "\n", step, ##__VA_ARGS__)
#define fail(step, fmt, ...) pr_err("vtd-selftest: %s: FAIL " fmt "\n", step, ##__VA_ARGS__)

static struct edu edu;
static struct vtd_unit *unit;
static struct page_table pt;
static struct vtd_dom vd;
static u8 *src, *dst, *ro, *spare;
/* keel's own memory, at its machine address as an IOVA: no DMA may reach it. */
static u8 canary[LEN] __aligned(LEN);
static unsigned int fault_irqs;

struct fault {
	u16 sid;
	u8 reason;
	bool write;
	u64 addr;
};

static void fill(u8 *buf, u8 seed)
{
	for (unsigned int i = 0; i < LEN; i++)
		buf[i] = (u8)(seed + i * 7);
}

/* The unit's fault event, on a vector of the test's: count it, then keel's usual log. */
static void fault_irq(unsigned int vector, void *data)
{
	fault_irqs++;
	vtd_faults_poll();
}

/* Interrupts may arrive from here on: 8259s masked, the local APIC up. */
static int irq_setup(void)
{
	int vector;

	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	if (apic_init())
		return -ENODEV;
	vector = irq_vector_alloc(fault_irq, NULL);
	if (vector < 0)
		return vector;
	vtd_write32(unit, VTD_FEDATA, vector);
	return 0;
}

/* Take pending interrupts until *@count reaches @want or 100 ms pass. */
static void take_irqs(unsigned int *count, unsigned int want)
{
	u64 start = arch_read_tsc();

	asm volatile("sti" ::: "memory");
	while (READ_ONCE(*count) < want && arch_read_tsc() - start < 100 * edu.tsc_per_ms)
		arch_cpu_relax();
	asm volatile("cli" ::: "memory");
}

/* The unit's pending fault record, read before keel's handler logs and clears it. */
static bool read_fault(struct fault *f)
{
	u32 fsts = vtd_read32(unit, VTD_FSTS);
	unsigned int rec = CAP_FRO(unit->cap) + ((fsts >> 8) & 0xff) % CAP_NFR(unit->cap) * 16;
	u64 hi = vtd_read64(unit, rec + 8);

	if (!(fsts & VTD_FSTS_PPF) || !(hi & BIT(63)))
		return false;
	f->addr = vtd_read64(unit, rec) & PAGE_MASK;
	f->sid = hi & 0xffff;
	f->reason = (hi >> 32) & 0xff;
	f->write = !(hi & BIT(62));
	return true;
}

/*
 * A DMA that must be blocked: the fault record names edu, @iova, a write
 * and @reason, the fault interrupt arrives and keel's handler clears it.
 */
static bool blocked(const char *step, u64 iova, bool write, u8 reason)
{
	unsigned int irqs = fault_irqs;
	struct fault f;
	int rc = edu_dma(&edu, iova, 0, LEN, write);

	if (rc) {
		fail(step, "edu DMA to IOVA %#llx: error %d", (unsigned long long)iova, rc);
		return false;
	}
	if (!read_fault(&f)) {
		fail(step, "no fault recorded for IOVA %#llx (FSTS %#x)",
		     (unsigned long long)iova, vtd_read32(unit, VTD_FSTS));
		return false;
	}
	take_irqs(&fault_irqs, irqs + 1);
	if (f.sid != edu.bdf || f.addr != (iova & PAGE_MASK) || f.write != write || f.reason != reason ||
	    fault_irqs != irqs + 1 || (vtd_read32(unit, VTD_FSTS) & VTD_FSTS_PPF)) {
		fail(step, "fault record sid %#06x iova %#llx %s reason %#x, %u interrupt(s), FSTS %#x",
		     f.sid, (unsigned long long)f.addr, f.write ? "write" : "read",
		     f.reason, fault_irqs - irqs, vtd_read32(unit, VTD_FSTS));
		return false;
	}
	return true;
}

/* No fault pending now: a transfer that should have worked did. */
static bool no_fault(const char *step)
{
	u32 fsts = vtd_read32(unit, VTD_FSTS);

	if (fsts & VTD_FSTS_PPF)
		fail(step, "unexpected fault (FSTS %#x)", fsts);
	return !(fsts & VTD_FSTS_PPF);
}

/* RAM -> edu -> RAM through IOVAs @from and @to. */
static int round_trip(u64 from, u64 to)
{
	int rc = edu_dma(&edu, from, 0, LEN, false);

	return rc ? rc : edu_dma(&edu, to, 0, LEN, true);
}

/* Step 1: the DMAR gave a unit that translates edu. */
static bool step_dmar(void)
{
	unit = vtd_unit_for_sid(0, edu.bdf);
	if (!vtd_active() || !unit) {
		fail("dmar", "VT-d %s, edu's unit %p", vtd_active() ? "active" : "not active", unit);
		return false;
	}
	pass("dmar", "%u unit(s); edu 0000:00:%02x.%u behind the unit at %#llx: cap %#llx, ecap %#llx, caching mode %s",
	     vtd_nr_units(), edu.bdf >> 3, edu.bdf & 7, (unsigned long long)unit->drhd.base,
	     (unsigned long long)unit->cap, (unsigned long long)unit->ecap,
	     unit->cap & CAP_CM ? "on" : "off");
	return true;
}

/* The test's DMA domain: its own second-level table, in EPT's format as dom0's is. */
static int domain_setup(void)
{
	static struct pt_ops ops;
	int rc;

	ops = host_table_ops;
	ops.sync = vtd_pt_sync;
	rc = pt_init(&pt, arch_p2m_format(), &ops);
	rc = rc ? rc : pt_map(&pt, IOVA_SRC, virt_to_phys(src), PAGE_SIZE, VTD_PTE_R | VTD_PTE_W, 0);
	rc = rc ? rc : pt_map(&pt, IOVA_DST, virt_to_phys(dst), PAGE_SIZE, VTD_PTE_R | VTD_PTE_W, 0);
	rc = rc ? rc : pt_map(&pt, IOVA_RO, virt_to_phys(ro), PAGE_SIZE, VTD_PTE_R, 0);
	rc = rc ? rc : vtd_dom_init_table(&vd, pt.root, 4);
	return rc ? rc : vtd_assign(&vd, 0, edu.bdf);
}

/* Step 2: a round trip through translated addresses delivers the pattern. */
static bool step_translate(void)
{
	int rc;

	fill(src, 0x5a);
	memset(dst, 0, LEN);
	rc = round_trip(IOVA_SRC, IOVA_DST);
	if (rc || memcmp(src, dst, LEN)) {
		fail("translate", "DMA %d; read back %02x %02x %02x, wanted %02x %02x %02x",
		     rc, dst[0], dst[1], dst[2], src[0], src[1], src[2]);
		return false;
	}
	if (!no_fault("translate"))
		return false;
	pass("translate", "%u bytes from IOVA %#llx (maddr %#llx) through edu to IOVA %#llx (maddr %#llx), equal",
	     LEN, IOVA_SRC, (unsigned long long)virt_to_phys(src), IOVA_DST,
	     (unsigned long long)virt_to_phys(dst));
	return true;
}

/* Step 3: an unmapped IOVA and keel's own memory are blocked, and said so. */
static bool step_blocked(void)
{
	u64 keel = virt_to_phys(canary);
	u8 before[LEN];

	memcpy(before, canary, LEN);
	if (!blocked("blocked", IOVA_NONE, true, FAULT_WRITE) ||
	    !blocked("blocked", keel, true, FAULT_WRITE))
		return false;
	if (memcmp(before, canary, LEN)) {
		fail("blocked", "keel's memory at %#llx changed", (unsigned long long)keel);
		return false;
	}
	pass("blocked", "writes to unmapped IOVA %#llx and to keel's own memory at %#llx: faults for edu, reason %#x, %u fault interrupts, keel's bytes unchanged",
	     IOVA_NONE, (unsigned long long)keel, FAULT_WRITE, fault_irqs);
	return true;
}

/*
 * Step 4: a write to a read-only mapping faults, and the page reads back
 * unchanged. The write comes first: QEMU drops a write through a read-only
 * translation already in its IOTLB without recording a fault.
 */
static bool step_read_only(void)
{
	u8 seed = 0x33;

	fill(ro, seed);
	fill(src, 0xc4);
	if (edu_dma(&edu, IOVA_SRC, 0, LEN, false) ||
	    !blocked("read-only", IOVA_RO, true, FAULT_WRITE))
		return false;
	memset(dst, 0, LEN);
	fill(src, seed);
	if (round_trip(IOVA_RO, IOVA_DST) || memcmp(src, dst, LEN) || memcmp(src, ro, LEN) ||
	    !no_fault("read-only")) {
		fail("read-only", "read back %02x %02x, page %02x %02x, wanted %02x %02x",
		     dst[0], dst[1], ro[0], ro[1], src[0], src[1]);
		return false;
	}
	pass("read-only", "the write to IOVA %#llx faulted (reason %#x); the page reads back unchanged",
	     IOVA_RO, FAULT_WRITE);
	return true;
}

/* Step 5: once unmapped and flushed, a translation the IOTLB held is gone. */
static bool step_unmap(void)
{
	u64 gfn = IOVA_UNMAP >> PAGE_SHIFT;

	/* Not present -> present: caching mode wants a flush too. */
	if (pt_map(&pt, IOVA_UNMAP, virt_to_phys(spare), PAGE_SIZE, VTD_PTE_R | VTD_PTE_W, 0)) {
		fail("unmap", "cannot map IOVA %#llx", IOVA_UNMAP);
		return false;
	}
	vtd_dom_flush(&vd, gfn, 1);
	fill(src, 0x71);
	memset(spare, 0, LEN);
	if (edu_dma(&edu, IOVA_SRC, 0, LEN, false) || edu_dma(&edu, IOVA_UNMAP, 0, LEN, true) ||
	    memcmp(src, spare, LEN) || !no_fault("unmap")) {
		fail("unmap", "the write through the mapping did not arrive: %02x, wanted %02x",
		     spare[0], src[0]);
		return false;
	}
	pt_unmap(&pt, IOVA_UNMAP, PAGE_SIZE);
	vtd_dom_flush(&vd, gfn, 1);
	memset(spare, 0, LEN);
	if (!blocked("unmap", IOVA_UNMAP, true, FAULT_WRITE))
		return false;
	if (spare[0] || memcmp(spare, spare + 1, LEN - 1)) {
		fail("unmap", "the page was written after its unmap: %02x", spare[0]);
		return false;
	}
	pass("unmap", "IOVA %#llx written, unmapped and flushed (DID %u), then the write faulted and the page stayed zero",
	     IOVA_UNMAP, vd.did);
	return true;
}

static void ir_program(void *arg, u32 addr, u32 data)
{
	edu_msi(arg, addr, data, true);
}

static void ir_raise(void *arg)
{
	edu_write(arg, EDU_RAISE, 1);
	edu_write(arg, EDU_ACK, 1);
}

/* Step 6: edu's MSI through an IRTE arrives, and not once the IRTE is cleared. */
static void step_ir(void)
{
	if (vtd_ir_selftest(edu.bdf, ir_program, ir_raise, &edu))
		fail("ir", "see the line above");
	else
		pass("ir", "edu's MSI arrived through its IRTE, and not after the IRTE was cleared");
}

void arch_iommu_selftest(void)
{
	u64 hz;

	if (!tsc_hz)
		time_init();
	hz = tsc_hz;
	src = alloc_page();
	dst = alloc_page();
	ro = alloc_page();
	spare = alloc_page();
	if (!src || !dst || !ro || !spare || edu_probe(&edu, hz / 1000)) {
		fail("edu", "no edu device (1234:11e8) on bus 0, or no memory");
		return;
	}
	pr_info("vtd-selftest: edu at 0000:00:%02x.%u, BAR0 mapped, MSI capability at %#x\n",
		edu.bdf >> 3, edu.bdf & 7, edu.msi);
	fill(canary, 0xee);
	if (!step_dmar())
		return;
	if (irq_setup() || domain_setup()) {
		fail("setup", "interrupts or the test's DMA domain could not be set up");
		return;
	}
	if (step_translate() && step_blocked() && step_read_only())
		step_unmap();
	step_ir();
	/* edu keeps its context entry on the test's table: the pages stay. */
}
