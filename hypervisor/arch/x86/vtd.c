/* VT-d remapping units: bring-up, root and context tables, DMA domains, fault reporting. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/bootinfo.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/param.h>
#include <keel/platform.h>
#include <keel/printk.h>
#include <keel/stop.h>
#include <keel/string.h>
#include <keel/time.h>
#include <asm/acpi_walk.h>
#include <asm/intremap.h>
#include <asm/ioapic.h>
#include <asm/pci.h>
#include <asm/processor.h>
#include <asm/vtd_regs.h>

#define FAULT_LINES_PER_WINDOW 10

static struct vtd_unit units[DMAR_MAX_UNITS];
static unsigned int nr_units;
static struct dmar_info dmar;
static bool active, caching_mode, all_coherent = true;
static u16 next_did = 1;		/* DID 0 is reserved under caching mode */
static struct vtd_dom hwdom_vd;

/* ---- iommu= (Xen's names) ---------------------------------------------- */

static enum { IOMMU_DEFAULT, IOMMU_OFF, IOMMU_FORCE } iommu_mode;
bool iommu_intremap = true;
static bool iommu_verbose;

static int parse_iommu(const char *v)
{
	while (v && *v) {
		size_t n = 0;

		while (v[n] && v[n] != ',')
			n++;
#define IS(s) (n == sizeof(s) - 1 && !memcmp(v, s, n))
		if (IS("off") || IS("0") || IS("false") || IS("no"))
			iommu_mode = IOMMU_OFF;
		else if (IS("on") || IS("1") || IS("true") || IS("yes"))
			iommu_mode = IOMMU_DEFAULT;
		else if (IS("force") || IS("required"))
			iommu_mode = IOMMU_FORCE;
		else if (IS("no-intremap"))
			iommu_intremap = false;
		else if (IS("intremap"))
			iommu_intremap = true;
		else if (IS("verbose"))
			iommu_verbose = true;
		else
			return -EINVAL;
#undef IS
		v += n + (v[n] == ',');
	}
	return 0;
}
custom_param("iommu", parse_iommu);

/* ---- units ------------------------------------------------------------- */

struct vtd_unit *vtd_unit(unsigned int i)
{
	return i < nr_units ? &units[i] : NULL;
}

unsigned int vtd_nr_units(void)
{
	return nr_units;
}

bool vtd_active(void)
{
	return active;
}

struct vtd_unit *vtd_unit_for_sid(u16 segment, u16 sid)
{
	struct vtd_unit *all = NULL;

	for (unsigned int i = 0; i < nr_units; i++) {
		const struct dmar_unit *du = &units[i].drhd;

		if (du->segment != segment)
			continue;
		if (du->include_all)
			all = &units[i];
		for (unsigned int s = 0; s < du->nr_scopes; s++) {
			const struct dmar_scope *sc = &du->scopes[s];

			if (sc->sid == sid && (sc->type == DMAR_SCOPE_ENDPOINT ||
					       sc->type == DMAR_SCOPE_BRIDGE))
				return &units[i];
			/* a bridge's scope covers the buses below it */
			if (sc->type == DMAR_SCOPE_BRIDGE && !segment &&
			    sid >> 8 >= pci_conf_read(sc->sid, 0x19, 1) &&
			    sid >> 8 <= pci_conf_read(sc->sid, 0x1a, 1))
				return &units[i];
		}
	}
	return all;
}

int vtd_ioapic_sid(u8 ioapic_id, u16 *sid)
{
	for (unsigned int i = 0; i < dmar.nr_units; i++)
		for (unsigned int s = 0; s < dmar.units[i].nr_scopes; s++) {
			const struct dmar_scope *sc = &dmar.units[i].scopes[s];

			if (sc->type == DMAR_SCOPE_IOAPIC && sc->enum_id == ioapic_id) {
				*sid = sc->sid;
				return 0;
			}
		}
	return -ENOENT;
}

int dmar_bridge_bus(u16 segment, u8 bus, u8 devfn)
{
	u16 bdf = bus << 8 | devfn;

	if (segment || pci_conf_read(bdf, 0, 2) == 0xffff ||
	    (pci_conf_read(bdf, 0x0e, 1) & 0x7f) != 1)
		return -1;
	return pci_conf_read(bdf, 0x19, 1);
}

void vtd_sync(struct vtd_unit *u, const void *p, size_t len)
{
	if (u->ecap & ECAP_C)
		return;
	for (uptr a = (uptr)p & ~63UL; a < (uptr)p + len; a += 64)
		asm volatile("clflush %0" : "+m"(*(volatile char *)a));
	asm volatile("sfence" ::: "memory");
}

/* Wait until GSTS & @bit is @on; false (said) on timeout. */
static bool wait_gsts(struct vtd_unit *u, u32 bit, bool on)
{
	for (unsigned long i = 0; i < VTD_SPIN_MAX; i++) {
		if (!!(vtd_read32(u, VTD_GSTS) & bit) == on)
			return true;
		arch_cpu_relax();
	}
	pr_err("vtd: unit at %#llx: status bit %#x stuck %s\n",
	       (unsigned long long)u->drhd.base, bit, on ? "off" : "on");
	return false;
}

void vtd_gcmd_set(struct vtd_unit *u, u32 bit, bool on)
{
	u32 sts = vtd_read32(u, VTD_GSTS) & VTD_GCMD_ONESHOT;

	vtd_write32(u, VTD_GCMD, on ? sts | bit : sts & ~bit);
	wait_gsts(u, bit, on);
}

/* Drain the chipset's write buffer where CAP.RWBF asks for it. */
static void flush_write_buffer(struct vtd_unit *u)
{
	unsigned long flags;

	if (!(u->cap & CAP_RWBF))
		return;
	flags = spin_lock_irqsave(&u->lock);
	vtd_write32(u, VTD_GCMD, (vtd_read32(u, VTD_GSTS) & VTD_GCMD_ONESHOT) |
		    VTD_GCMD_WBF);
	wait_gsts(u, VTD_GCMD_WBF, false);
	spin_unlock_irqrestore(&u->lock, flags);
}

/* Poll a 64-bit register until @bit clears. */
static int wait_clear64(struct vtd_unit *u, unsigned int off, u64 bit)
{
	for (unsigned long i = 0; i < VTD_SPIN_MAX; i++) {
		if (!(vtd_read64(u, off) & bit))
			return 0;
		arch_cpu_relax();
	}
	pr_err("vtd: unit at %#llx: invalidation register %#x stuck\n",
	       (unsigned long long)u->drhd.base, off);
	return -EIO;
}

/*
 * Register-based invalidation: @val to the 64-bit register @off, then wait
 * for @busy to clear; under the unit's lock, as one may not start while
 * another runs (queued ones are serialised by vtd_qi_submit()).
 */
static int reg_invalidate(struct vtd_unit *u, unsigned int off, u64 val, u64 busy)
{
	unsigned long flags = spin_lock_irqsave(&u->lock);
	int rc;

	vtd_write64(u, off, val);
	rc = wait_clear64(u, off, busy);
	spin_unlock_irqrestore(&u->lock, flags);
	return rc;
}

/* Global context-cache invalidation, queued or through CCMD. */
static int flush_context(struct vtd_unit *u)
{
	u64 desc[2];

	flush_write_buffer(u);	/* the context entries reach memory first */
	if (u->qi_ring) {
		vtd_qi_cc_global(desc);
		return vtd_qi_submit(u, desc);
	}
	return reg_invalidate(u, VTD_CCMD, VTD_CCMD_ICC | VTD_CCMD_GLOBAL,
			      VTD_CCMD_ICC);
}

/*
 * IOTLB invalidation: global with @did < 0, else @did's pages
 * [gfn, gfn + nr) (PSI when the unit has it and the range is one
 * aligned block within MAMV, else the whole domain).
 */
static int flush_iotlb(struct vtd_unit *u, int did, u64 gfn, u64 nr)
{
	unsigned int am = 0, iotlb = ECAP_IRO(u->ecap) + 8;
	u64 desc[2];

	flush_write_buffer(u);
	while (nr && am < 63 && (gfn >> am) != ((gfn + nr - 1) >> am))
		am++;
	if (!u->qi_ring)
		return reg_invalidate(u, iotlb, VTD_IOTLB_IVT | VTD_IOTLB_DR |
				      VTD_IOTLB_DW | (did < 0 ? VTD_IOTLB_GLOBAL :
				      VTD_IOTLB_DSI | (u64)did << 32), VTD_IOTLB_IVT);
	if (did < 0)
		vtd_qi_iotlb_global(desc);
	else if ((u->cap & CAP_PSI) && nr && am <= ((u->cap >> 48) & 0x3f))
		vtd_qi_iotlb_psi(desc, did, (gfn >> am << am) << 12, am);
	else
		vtd_qi_iotlb_dsi(desc, did);
	return vtd_qi_submit(u, desc);
}

/* ---- faults ------------------------------------------------------------ */

/* One rate limit for all units (each logs under its own lock): fault_log_lock guards it. */
static DEFINE_SPINLOCK(fault_log_lock);
static u64 fault_window_start;
static unsigned int fault_lines, faults_dropped;

/* May another fault line be printed in this window? Counts the ones that may not. */
static bool fault_line_allowed(void)
{
	u64 now = rdtsc(), window = tsc_hz ? tsc_hz : (1ULL << 31);
	unsigned int dropped = 0;
	bool ok;

	spin_lock(&fault_log_lock);
	if (now - fault_window_start > window) {
		dropped = faults_dropped;
		fault_window_start = now;
		fault_lines = faults_dropped = 0;
	}
	ok = fault_lines < FAULT_LINES_PER_WINDOW;
	if (ok)
		fault_lines++;
	else
		faults_dropped++;
	spin_unlock(&fault_log_lock);
	if (dropped)
		pr_warn("vtd: %u faults not logged\n", dropped);
	return ok;
}

static void log_fault(u16 seg, u64 lo, u64 hi)
{
	u16 sid = hi & 0xffff;
	u8 reason = (hi >> 32) & 0xff;

	if (!fault_line_allowed())
		return;
	pr_warn("vtd: fault: %04x:%02x:%02x.%u %s iova %#llx: %s (reason 0x%02x)\n",
		seg, sid >> 8, (sid >> 3) & 0x1f, sid & 7,
		hi & BIT(62) ? "read" : "write",
		(unsigned long long)(lo & ~0xfffULL), vtd_fault_reason(reason),
		reason);
}

/* Log and clear @u's pending fault records. */
static void unit_faults(struct vtd_unit *u)
{
	unsigned long flags = spin_lock_irqsave(&u->lock);
	unsigned int nfr = CAP_NFR(u->cap), fro = CAP_FRO(u->cap);
	u32 fsts = vtd_read32(u, VTD_FSTS);
	unsigned int fri = (fsts >> 8) & 0xff;

	for (unsigned int n = 0; (fsts & VTD_FSTS_PPF) && n < nfr; n++) {
		unsigned int rec = fro + (fri % nfr) * 16;
		u64 hi = vtd_read64(u, rec + 8), lo;

		if (!(hi & BIT(63)))
			break;
		lo = vtd_read64(u, rec);
		vtd_write32(u, rec + 12, 1U << 31);	/* F: write 1 to clear */
		log_fault(u->drhd.segment, lo, hi);
		fri++;
	}
	if ((fsts & VTD_FSTS_PFO) && fault_line_allowed())
		pr_warn("vtd: unit at %#llx: fault records overflowed\n",
			(unsigned long long)u->drhd.base);
	vtd_write32(u, VTD_FSTS, VTD_FSTS_PFO);
	spin_unlock_irqrestore(&u->lock, flags);
}

void vtd_faults_poll(void)
{
	for (unsigned int i = 0; i < nr_units; i++)
		unit_faults(&units[i]);
}

static void fault_irq(unsigned int vector, void *data)
{
	vtd_faults_poll();
}

/* ---- bring-up (dom0-hardware.md §4.9) ---------------------------------- */

/* Firmware, kexec or TXT may have left translation on: IRE, QIE, TE off. */
static void unit_quiesce(struct vtd_unit *u)
{
	u32 sts = vtd_read32(u, VTD_GSTS);

	if (sts & VTD_GCMD_IRE)
		vtd_gcmd_set(u, VTD_GCMD_IRE, false);
	if (sts & VTD_GCMD_QIE) {
		for (unsigned long i = 0; i < VTD_SPIN_MAX &&
		     vtd_read64(u, VTD_IQH) != vtd_read64(u, VTD_IQT); i++)
			arch_cpu_relax();
		vtd_gcmd_set(u, VTD_GCMD_QIE, false);
	}
	if (sts & VTD_GCMD_TE)
		vtd_gcmd_set(u, VTD_GCMD_TE, false);
}

/* The register pages: up to the fault records and IOTLB registers, or the DRHD size. */
static u64 regs_len(struct vtd_unit *u)
{
	u64 used = MAX(CAP_FRO(u->cap) + CAP_NFR(u->cap) * 16,
		       ECAP_IRO(u->ecap) + 16);

	/* The DRHD's size field, when firmware fills it, covers the whole set. */
	return MAX(ALIGN_UP(used, PAGE_SIZE), PAGE_SIZE << u->drhd.size_log2);
}

static int unit_init(struct vtd_unit *u, const struct dmar_unit *du, int vector)
{
	u32 ver;
	u64 len;

	u->drhd = *du;
	spin_lock_init(&u->lock);
	u->regs = pci_ioremap(du->base, PAGE_SIZE);
	if (!u->regs)
		return -ENOMEM;
	ver = vtd_read32(u, VTD_VER);
	u->cap = vtd_read64(u, VTD_CAP);
	u->ecap = vtd_read64(u, VTD_ECAP);
	len = regs_len(u);
	if (len > PAGE_SIZE && !(u->regs = pci_ioremap(du->base, len)))
		return -ENOMEM;
	if ((ver >> 4) < 1 || u->cap == ~0ULL) {
		pr_err("vtd: unit at %#llx: version %#x, not a usable unit\n",
		       (unsigned long long)du->base, ver);
		return -ENODEV;
	}
	unit_quiesce(u);

	/* Faults: old records cleared, then the event to keel's vector. */
	for (unsigned int i = 0; i < CAP_NFR(u->cap); i++)
		vtd_write32(u, CAP_FRO(u->cap) + i * 16 + 12, 1U << 31);
	vtd_write32(u, VTD_FSTS, 0x7d);
	if (vector >= 0) {
		vtd_write32(u, VTD_FEDATA, vector);
		vtd_write32(u, VTD_FEADDR, 0xfee00000 | (cpuid(1).ebx >> 24) << 12);
		vtd_write32(u, VTD_FEUADDR, 0);
		vtd_write32(u, VTD_FECTL, 0);
	}

	/* An empty root table: every request is blocked until assigned. */
	u->root = alloc_page();
	if (!u->root)
		return -ENOMEM;
	vtd_sync(u, u->root, PAGE_SIZE);
	flush_write_buffer(u);
	vtd_write64(u, VTD_RTADDR, virt_to_phys(u->root));
	vtd_gcmd_set(u, VTD_GCMD_SRTP, true);

	if (u->ecap & ECAP_QI) {
		u->qi_ring = alloc_page();
		if (!u->qi_ring)
			return -ENOMEM;
		u->qi_tail = 0;
		vtd_write64(u, VTD_IQT, 0);
		vtd_write64(u, VTD_IQA, virt_to_phys(u->qi_ring));
		vtd_gcmd_set(u, VTD_GCMD_QIE, true);
	}
	vtd_ir_setup(u);	/* vtdir: IRTA + SIRTP, before the global invalidations */
	if (flush_context(u) || flush_iotlb(u, -1, 0, 0))
		return -EIO;
	return 0;
}

/* TE on once context entries exist (§4.10: never before), then PMRs off. */
static void unit_enable(struct vtd_unit *u)
{
	if (vtd_read32(u, VTD_GSTS) & VTD_GCMD_TE)
		return;
	vtd_gcmd_set(u, VTD_GCMD_TE, true);
	vtd_ir_enable(u);	/* vtdir: IRE, after TE */
	if (vtd_read32(u, VTD_PMEN) & VTD_PMEN_PRS) {
		vtd_write32(u, VTD_PMEN, 0);
		for (unsigned long i = 0; i < VTD_SPIN_MAX &&
		     (vtd_read32(u, VTD_PMEN) & VTD_PMEN_PRS); i++)
			arch_cpu_relax();
	}
}

static void unit_report(unsigned int i, struct vtd_unit *u)
{
	u32 ver = vtd_read32(u, VTD_VER);

	pr_info("vtd: unit %u at %#llx: ver %u.%u, %u-level, %s invalidation, %s, %s, caching mode %s, ir %s\n",
		i, (unsigned long long)u->drhd.base, ver >> 4 & 0xf, ver & 0xf,
		CAP_SAGAW(u->cap) & BIT(2) ? 4 : 3,
		u->qi_ring ? "qi" : "register",
		u->cap & CAP_SLLPS_2M ? "shared EPT" : "separate tables",
		u->ecap & ECAP_C ? "coherent" : "flushes caches",
		u->cap & CAP_CM ? "on" : "off", u->ir ? "on" : "off");
	if (iommu_verbose)
		pr_info("vtd: unit %u: cap %#llx ecap %#llx, %u scope(s)%s\n", i,
			(unsigned long long)u->cap, (unsigned long long)u->ecap,
			u->drhd.nr_scopes, u->drhd.include_all ? ", all others" : "");
}

/* With iommu=force a machine keel cannot confine does not run. */
static int give_up(const char *why)
{
	if (iommu_mode == IOMMU_FORCE) {
		pr_err("vtd: %s, and iommu=force: stopping\n", why);
		keel_stop(KEEL_STATUS_NO_IOMMU);
	}
	pr_warn("vtd: %s: dom0's DMA is not confined (iommu=off to run without VT-d quietly)\n",
		why);
	return -ENODEV;
}

int vtd_init(const struct boot_info *bi)
{
	struct acpi_walk w;
	const u8 *table;
	int vector, rc;

	if (iommu_mode == IOMMU_OFF) {
		pr_info("vtd: off (iommu=off)\n");
		return 0;
	}
	if (!bi->rsdp_phys || acpi_walk_init(&w, bi->rsdp_phys, acpi_map_firmware, NULL) ||
	    acpi_find_table(&w, "DMAR", &table, NULL)) {
		if (iommu_mode == IOMMU_FORCE)
			return give_up("no DMAR table");
		pr_info("vtd: no DMAR table: no IOMMU\n");
		return 0;
	}
	if (dmar_parse(table, *(const u32 *)(table + 4), &dmar))
		return give_up("the DMAR table is malformed");
	vector = irq_vector_alloc(fault_irq, NULL);
	for (unsigned int i = 0; i < dmar.nr_units; i++) {
		struct vtd_unit *u = &units[i];

		nr_units = i + 1;
		rc = unit_init(u, &dmar.units[i], vector);
		if (rc) {
			nr_units = 0;
			return give_up("a remapping unit did not come up");
		}
		caching_mode |= !!(u->cap & CAP_CM);
		all_coherent &= !!(u->ecap & ECAP_C);
		if (vtd_nr_dids(u->cap) < 4)
			return give_up("a unit with too few domain ids");
	}
	active = true;
	for (unsigned int i = 0; i < nr_units; i++)
		unit_report(i, &units[i]);
	return 0;
}

void arch_iommu_init(const struct boot_info *bi)
{
	vtd_init(bi);
}

/* ---- DMA domains ------------------------------------------------------- */

static int new_did(struct vtd_dom *vd)
{
	for (unsigned int i = 0; i < nr_units; i++)
		if (next_did >= vtd_nr_dids(units[i].cap))
			return -ENOSPC;
	vd->did = next_did++;
	return 0;
}

int vtd_dom_init_table(struct vtd_dom *vd, u64 root_maddr, unsigned int levels)
{
	memset(vd, 0, sizeof(*vd));
	if (!active || (levels != 3 && levels != 4))
		return -EINVAL;
	for (unsigned int i = 0; i < nr_units; i++)
		if (!(CAP_SAGAW(units[i].cap) & BIT(levels - 2)))
			return -EOPNOTSUPP;
	vd->root = root_maddr;
	vd->levels = levels;
	return new_did(vd);
}

void vtd_pt_sync(const void *p, size_t len)
{
	for (unsigned int i = 0; i < nr_units; i++)
		if (!(units[i].ecap & ECAP_C)) {
			vtd_sync(&units[i], p, len);
			return;
		}
}

static u64 mirror_alloc(void *ctx)
{
	void *page = alloc_page();

	return page ? virt_to_phys(page) : 0;
}

static void mirror_free(void *ctx, u64 phys)
{
	free_page(phys_to_virt(phys));
}

int vtd_dom_init(struct vtd_dom *vd, struct domain *d)
{
	u64 caps[DMAR_MAX_UNITS];
	struct vtd_plan plan;
	const char *why = NULL;
	int rc;

	memset(vd, 0, sizeof(*vd));
	if (!active)
		return -ENODEV;
	for (unsigned int i = 0; i < nr_units; i++)
		caps[i] = units[i].cap;
	if (vtd_plan_ept(caps, nr_units, d->p2m_gpa_limit, false, &plan, &why))
		return pr_err("vtd: d%u: %s\n", d->id, why), -EOPNOTSUPP;
	rc = new_did(vd);
	if (rc)
		return rc;
	/* Under the p2m lock: from here on its changes reach this table. */
	spin_lock(&d->p2m_lock);
	if (!plan.share) {
		/* A unit cannot walk 2 MiB pages: a copy of the EPT, kept in step. */
		vd->mirror_ops = (struct pt_ops){ .phys_to_virt = phys_to_virt,
			.alloc_table = mirror_alloc, .free_table = mirror_free,
			.sync = vtd_pt_sync };
		rc = vtd_mirror_init(&vd->mirror, &vd->mirror_ops, &d->p2m);
	}
	vd->root = plan.share ? d->p2m.root : vd->mirror.root;
	if (!rc && plan.levels == 3)	/* PML4[0]'s table: gfns < 512 GiB */
		vd->root = *(u64 *)phys_to_virt(vd->root) & 0x000ffffffffff000ULL;
	if (!rc && !vd->root)
		rc = -EINVAL;
	if (!rc && plan.share && !all_coherent) {
		/* From now on every entry write is flushed; what exists already, now. */
		d->p2m_ops.sync = vtd_pt_sync;
		asm volatile("wbinvd" ::: "memory");
	}
	if (!rc) {
		vd->levels = plan.levels;
		vd->shared_ept = plan.share;
		vd->d = d;
	}
	spin_unlock(&d->p2m_lock);
	if (rc && !plan.share)
		pt_destroy(&vd->mirror);
	return rc;
}

/* @u's context table for @bus, NULL when its root entry is not present. */
static u64 *context_of(struct vtd_unit *u, unsigned int bus)
{
	u64 e = u->root[bus * 2];

	return (e & 1) ? phys_to_virt(e & PAGE_MASK) : NULL;
}

/* @u's context table for @bus, made present in its root table if new. */
static u64 *context_table(struct vtd_unit *u, u8 bus)
{
	u64 *ctx = context_of(u, bus);

	if (!ctx) {
		ctx = alloc_page();
		if (!ctx)
			return NULL;
		vtd_sync(u, ctx, PAGE_SIZE);
		u->root[bus * 2] = virt_to_phys(ctx) | 1;
		vtd_sync(u, &u->root[bus * 2], 16);
	}
	return ctx;
}

/* Point @u's entries for buses [first, last] x devfns [df0, df1] at @vd. */
static int assign_range(struct vtd_unit *u, struct vtd_dom *vd, unsigned int first,
			unsigned int last, unsigned int df0, unsigned int df1)
{
	u64 ce[2];
	int rc;

	unsigned long flags;

	vtd_context_entry(ce, vd->root, vd->levels, vd->did);
	flags = spin_lock_irqsave(&u->lock);
	for (unsigned int bus = first; bus <= last; bus++) {
		u64 *t = context_table(u, bus);

		if (!t) {
			spin_unlock_irqrestore(&u->lock, flags);
			return -ENOMEM;
		}
		for (unsigned int df = df0; df <= df1; df++) {
			t[df * 2 + 1] = ce[1];
			WRITE_ONCE(t[df * 2], ce[0]);
		}
		vtd_sync(u, &t[df0 * 2], (df1 - df0 + 1) * 16);
	}
	spin_unlock_irqrestore(&u->lock, flags);
	/* Entries may have been present (or cached, under CM): flush both. */
	rc = flush_context(u);
	if (!rc)
		rc = flush_iotlb(u, vd->did, 0, 0);
	if (!rc)
		unit_enable(u);
	return rc;
}

int vtd_assign(struct vtd_dom *vd, u16 segment, u16 sid)
{
	struct vtd_unit *u = vtd_unit_for_sid(segment, sid);

	if (!active || !vd->levels)
		return -ENODEV;
	if (!u)
		return -ENOENT;
	return assign_range(u, vd, sid >> 8, sid >> 8, sid & 0xff, sid & 0xff);
}

int vtd_assign_all(struct vtd_dom *vd)
{
	int rc = active && vd->levels ? 0 : -ENODEV;

	for (unsigned int i = 0; i < nr_units && !rc; i++)
		rc = assign_range(&units[i], vd, 0, 255, 0, 255);
	return rc;
}

/*
 * The callers free or reuse what was unmapped right after (p2m.c release()):
 * a unit that did not invalidate would leave it in a device's reach.
 */
static void must_flush(int rc, unsigned int unit, const char *what)
{
	if (rc)
		panic("vtd: unit %u: %s failed: devices may still reach freed memory\n",
		      unit, what);
}

void vtd_dom_flush(struct vtd_dom *vd, u64 gfn, u64 nr)
{
	for (unsigned int i = 0; i < nr_units; i++)
		must_flush(flush_iotlb(&units[i], vd->did, gfn, nr), i,
			   "IOTLB invalidation");
}

/* ---- the hardware domain ----------------------------------------------- */

/* Is every page of [base, limit] mapped 1:1 in @d (a reserved range it owns)? */
static bool identity_mapped(struct domain *d, u64 base, u64 limit)
{
	u64 hpa, attr;

	for (u64 gpa = base; gpa <= limit && gpa >= base; gpa += PAGE_SIZE)
		if (p2m_lookup(d, gpa, &hpa, &attr) || hpa != gpa)
			return false;
	return true;
}

/*
 * Without an INCLUDE_PCI_ALL unit for segment 0, a device the DMAR's scopes
 * leave out is translated by no unit: its DMA reaches all of memory. How
 * many such devices the boot-time bus walk finds (each said).
 */
static unsigned int uncovered_devices(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_units; i++)
		if (!units[i].drhd.segment && units[i].drhd.include_all)
			return 0;
	for (u32 sid = 0; sid < 0x10000; sid++) {
		if (pci_conf_read(sid, 0, 2) == 0xffff) {
			if (!(sid & 7))
				sid |= 7;	/* no function 0: no device */
			continue;
		}
		if (!vtd_unit_for_sid(0, sid) && n++ < 8)
			pr_err("vtd: device 0000:%02x:%02x.%u is behind no remapping unit (the DMAR is wrong)\n",
			       sid >> 8, (sid >> 3) & 0x1f, sid & 7);
	}
	return n;
}

int vtd_hwdom_attach(struct domain *d)
{
	unsigned int uncovered;
	int rc;

	if (!active)
		return 0;
	/* The units' registers are keel's: dom0 could turn translation off. */
	for (unsigned int i = 0; i < nr_units; i++) {
		u64 base = units[i].drhd.base;

		rc = p2m_unmap_mmio(d, base, base + regs_len(&units[i]));
		if (rc) {
			pr_err("vtd: d%u: unit registers at %#llx are not a device range (%d)\n",
			       d->id, (unsigned long long)base, rc);
			return rc;
		}
	}
	for (unsigned int i = 0; i < dmar.nr_rmrrs; i++) {
		const struct dmar_rmrr *r = &dmar.rmrrs[i];

		if (!identity_mapped(d, r->base, r->limit)) {
			pr_err("vtd: RMRR %#llx-%#llx is not in d%u's 1:1 reserved maps (the DMAR is wrong)\n",
			       (unsigned long long)r->base,
			       (unsigned long long)r->limit, d->id);
			give_up("an RMRR outside dom0's reserved ranges");
			return 0;
		}
	}
	uncovered = uncovered_devices();
	rc = vtd_dom_init(&hwdom_vd, d);
	if (!rc)
		rc = vtd_assign_all(&hwdom_vd);
	if (rc) {
		pr_err("vtd: d%u's devices cannot be put behind VT-d: error %d\n",
		       d->id, rc);
		give_up("dom0's DMA domain could not be set up");
		return 0;
	}
	if (uncovered) {
		/* The others stay confined; with iommu=force keel stops. */
		give_up("devices outside every remapping unit");
		return 0;
	}
	platform_set_dma_translated();
	pr_info("vtd: d%u's devices translated through %s, DID %u, %u-level\n",
		d->id, hwdom_vd.shared_ept ? "its EPT" : "a copy of its EPT",
		hwdom_vd.did, hwdom_vd.levels);
	return 0;
}

void vtd_p2m_teardown(struct domain *d)
{
	if (hwdom_vd.d != d)
		return;
	/* Every context entry not present: its devices' DMA blocked, not loose. */
	for (unsigned int i = 0; i < nr_units; i++) {
		struct vtd_unit *u = &units[i];
		unsigned long flags = spin_lock_irqsave(&u->lock);

		for (unsigned int bus = 0; bus < 256; bus++) {
			u64 *ctx = context_of(u, bus);

			if (ctx) {
				memset(ctx, 0, PAGE_SIZE);
				vtd_sync(u, ctx, PAGE_SIZE);
			}
		}
		spin_unlock_irqrestore(&u->lock, flags);
		must_flush(flush_context(u) || flush_iotlb(u, -1, 0, 0), i,
			   "invalidation before the p2m is freed");
	}
	hwdom_vd.d = NULL;
}

void vtd_p2m_flush(struct domain *d)
{
	if (hwdom_vd.d == d)
		vtd_dom_flush(&hwdom_vd, 0, 0);
}

void vtd_p2m_changed(struct domain *d, u64 gpa, u64 hpa, u64 size, u64 attr)
{
	struct vtd_dom *vd = &hwdom_vd;

	if (vd->d != d)
		return;
	ASSERT(spin_is_locked(&d->p2m_lock));
	/* A failed add leaves the device a fault, never more access. */
	if (!vd->shared_ept && vtd_mirror_update(&vd->mirror, gpa, hpa, size, attr))
		pr_err("vtd: d%u: no memory to map %#llx in its DMA table\n",
		       d->id, (unsigned long long)gpa);
	if (attr && caching_mode)
		vtd_dom_flush(vd, gpa >> PAGE_SHIFT, size >> PAGE_SHIFT);
}
