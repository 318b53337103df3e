/* The dom0 builder: PVH kernel, modules and boot page into a fresh domain. */
#include <keel/acpi.h>
#include <keel/arch.h>
#include <keel/console_ring.h>
#include <keel/boot_domains.h>
#include <keel/bootinfo.h>
#include <keel/dom0_options.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/elf.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/frame.h>
#include <keel/grant_table.h>
#include <keel/p2m.h>
#include <keel/page.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <keel/schedule.h>
#include <keel/vcpu.h>
#include <public/console.h>
#include <public/grant_table.h>
#include <public/hvm_op.h>

static int write_guest(void *ctx, u64 gpa, const void *src, u64 len)
{
	struct domain *d = ctx;

	return src ? copy_to_guest_phys(d, gpa, src, len) :
		     clear_guest_phys(d, gpa, len);
}

static u64 dom0_mem_size(void)
{
	u64 mem = dom0_options.mem ? dom0_options.mem : DOM0_DEFAULT_MEM;

	if (dom0_options.mem_min && mem < dom0_options.mem_min)
		mem = dom0_options.mem_min;
	if (dom0_options.mem_max && mem > dom0_options.mem_max)
		mem = dom0_options.mem_max;
	return MAX(ALIGN_DOWN(mem, PAGE_SIZE), PVH_MIN_MEM);
}

/* What a boot-time domain is built from. */
struct domain_spec {
	domid_t domid;
	bool privileged;
	bool hardware;			/* owns the machine (dom0=pvh) */
	u64 mem;
	unsigned int vcpus;
	int kernel;			/* multiboot2 module index */
	const char *cmdline;
	unsigned int nr_modules;	/* passed on as PVH modules, in order */
	int modules[PVH_MAX_MODULES];
};

/*
 * The first @size bytes at or above @at, and below @limit, that are all
 * @d's own RAM; 0 if there are none. A hardware domain's RAM is the host's
 * 1:1, with holes where keel's pages and the moved boot modules are.
 */
static u64 fit_in_ram(struct domain *d, u64 at, u64 size, u64 limit)
{
	for (u64 pa = at; pa < at + size; pa += PAGE_SIZE) {
		if (at + size > limit)
			return 0;
		if (!guest_page(d, pa))
			at = pa + PAGE_SIZE;
	}
	return at + size <= limit ? at : 0;
}

/* Copy the spec's modules after the kernel, into its RAM, and describe them in @p. */
static int load_modules(struct domain *d, const struct boot_info *bi,
			const struct domain_spec *s, u64 at,
			struct pvh_boot_params *p)
{
	/* A hardware domain's keel pages are in its RAM: stop below them. */
	u64 limit = is_hardware_domain(d) ? d->special_base :
		    MIN(d->mem_size, PVH_MMIO_HOLE_START);

	for (unsigned int i = 0; i < s->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[s->modules[i]];
		u64 size = m->end - m->start;

		at = fit_in_ram(d, ALIGN_UP(at, PAGE_SIZE), size, limit);
		if (!at || copy_to_guest_phys(d, at, phys_to_virt(m->start), size)) {
			pr_err("d%u: module %d (%llu KiB) does not fit in %llu MiB\n",
			       d->id, s->modules[i], (unsigned long long)size >> 10,
			       (unsigned long long)d->mem_size >> 20);
			return -1;
		}
		p->modules[p->nr_modules++] = (struct pvh_module){
			at, size, m->string,
		};
		at += size;
	}
	return 0;
}

/*
 * The xenstore page and port. dom0's page says "reconnect" before any
 * xenstore daemon runs, so Linux does not block on xenstore at boot but
 * waits for an event on the port, which the daemon sends once it serves
 * the ring. Every port (dom0's own too) is for dom0's daemon to bind,
 * and grant GNTTAB_RESERVED_XENSTORE lets it map the page, as Xen's
 * toolstack seeds it.
 */
static int xenstore_page_init(struct domain *d)
{
	u64 gpa = domain_special_gpa(d, PVH_SPECIAL_XENSTORE);
	struct xenstore_domain_interface *store = guest_page(d, gpa);
	int port = evtchn_alloc_unbound_port(d, d->id ? 0 : d->id);

	if (!store || port < 0)
		return -1;
	if (!d->id)
		store->connection = XENSTORE_RECONNECT;
	grant_table_seed(d, GNTTAB_RESERVED_XENSTORE, 0, gpa >> PAGE_SHIFT);
	d->hvm_params[HVM_PARAM_STORE_PFN] = gpa >> PAGE_SHIFT;
	d->hvm_params[HVM_PARAM_STORE_EVTCHN] = port;
	return 0;
}

int domain_setup_special_pages(struct domain *d)
{
	u64 acpi = domain_special_gpa(d, PVH_SPECIAL_ACPI);

	/* A hardware domain's tables come from the host (arch_hwdom_init()). */
	if (!is_hardware_domain(d) &&
	    !acpi_build_tables(guest_page(d, acpi), PAGE_SIZE, acpi,
			       d->nr_vcpus, &d->rsdp_gpa))
		pr_warn("d%u: ACPI tables do not fit; booting without them\n", d->id);
	if (console_ring_init(d, d->id == 0) || xenstore_page_init(d)) {
		pr_err("d%u: cannot set up its console and xenstore pages\n", d->id);
		return -ENOMEM;
	}
	return 0;
}

int domain_set_boot(struct domain *d, u32 entry, struct pvh_boot_params *p)
{
	u64 hpa;
	int rc;

	/* Once it has a VMCS it may have run: its boot page is its own now. */
	if (d->vcpus[0]->arch.vmcs)
		return -EBUSY;
	if (p2m_get_page(d, d->boot_gpa, P2M_OWNED | P2M_WRITE, &hpa, NULL))
		return -EINVAL;
	p->mem_size = d->mem_size;
	p->rsdp_gpa = d->rsdp_gpa;
	p->memmap = d->memmap;
	p->nr_memmap = d->nr_memmap;
	/* A hardware domain's map needs more room: its boot pages are 1:1 and contiguous. */
	p->boot_size = is_hardware_domain(d) ? HWDOM_BOOT_SIZE : PAGE_SIZE;
	rc = pvh_write_boot_page(phys_to_virt(hpa), d->boot_gpa, p);
	put_page(hpa);
	if (rc)
		return -E2BIG;
	return arch_vcpu_init(d->vcpus[0], entry, d->boot_gpa);
}

static struct domain *build_domain(const struct boot_info *bi,
				   const struct domain_spec *s)
{
	const struct boot_module *kernel = &bi->modules[s->kernel];
	struct pvh_boot_params params = { .cmdline = s->cmdline };
	struct pvh_kernel k;
	struct domain *d;

	if (pvh_elf_check(phys_to_virt(kernel->start),
			  kernel->end - kernel->start,
			  s->hardware ? GiB(4) :
			  MIN(pvh_ram_end(s->mem), PVH_MMIO_HOLE_START), &k)) {
		pr_err("d%u: cannot boot module %d as a PVH kernel\n", s->domid,
		       s->kernel);
		return NULL;
	}
	d = domain_create(s->domid, s->vcpus);
	if (d)
		d->hardware = s->hardware;
	if (!d || (s->hardware ? arch_hwdom_set_memory(d, s->mem) :
			       domain_set_memory(d, s->mem))) {
		pr_err("d%u: cannot create a domain of %llu MiB\n", s->domid,
		       (unsigned long long)s->mem >> 20);
		if (d)
			domain_destroy(d);
		return NULL;
	}
	d->privileged = s->privileged;
	/* As Xen's dom0: as many ports as the ABI in use can name. */
	if (d->privileged)
		evtchn_set_max_ports(d, EVTCHN_MAX_PORTS);
	/* Its kernel loads where Linux must: not over keel's pages. */
	if (s->hardware && k.highest > d->special_base &&
	    k.lowest < d->special_base + d->special_size) {
		pr_err("d%u: its kernel would overwrite keel's pages at %#llx\n",
		       s->domid, (unsigned long long)d->special_base);
		domain_destroy(d);
		return NULL;
	}
	if (domain_setup_special_pages(d) ||
	    (s->hardware && arch_hwdom_init(d)) ||
	    pvh_elf_load(phys_to_virt(kernel->start), &k, write_guest, d) ||
	    load_modules(d, bi, s, k.highest, &params) ||
	    domain_set_boot(d, k.entry, &params)) {
		pr_err("d%u: cannot load the kernel, its modules or boot page\n",
		       s->domid);
		domain_destroy(d);
		return NULL;
	}
	pr_info("d%u: %u vCPU(s), %llu MiB, kernel %#llx-%#llx (ELF%u), entry %#x, %u module(s), command line \"%s\"\n",
		d->id, d->nr_vcpus, (unsigned long long)s->mem >> 20,
		(unsigned long long)k.lowest, (unsigned long long)k.highest,
		k.elf_class == ELFCLASS32 ? 32 : 64, k.entry, params.nr_modules,
		s->cmdline ? s->cmdline : "");
	return d;
}

struct domain *build_dom0(const struct boot_info *bi)
{
	struct domain_spec s = {
		.domid = 0, .privileged = true, .mem = dom0_mem_size(),
		.hardware = !dom0_options.virt,
		.vcpus = dom0_options.vcpus_max ? dom0_options.vcpus_max : 1,
		.kernel = 0,
	};

	if (!bi->nr_modules) {
		pr_info("d0: no kernel module given\n");
		return NULL;
	}
	s.cmdline = bi->modules[0].string;
	for (u32 i = 1; i < bi->nr_modules; i++) {
		if (s.nr_modules == PVH_MAX_MODULES) {
			pr_warn("d0: only %d modules are passed on, module %u dropped\n",
				PVH_MAX_MODULES, i);
			break;
		}
		s.modules[s.nr_modules++] = i;
	}
	return build_domain(bi, &s);
}

struct domain *build_boot_domain(const struct boot_info *bi,
				 const struct boot_domain *bd)
{
	struct domain_spec s = {
		.domid = bd->domid, .privileged = bd->privileged, .mem = bd->mem,
		.vcpus = bd->vcpus, .kernel = bd->kernel,
		.cmdline = bd->cmdline ? bd->cmdline : bi->modules[bd->kernel].string,
	};
	struct domain *d;

	if (bd->ramdisk >= 0)
		s.modules[s.nr_modules++] = bd->ramdisk;
	d = build_domain(bi, &s);
	if (!d)
		return NULL;
	d->on_poweroff = bd->on_poweroff;
	d->on_reboot = bd->on_reboot;
	d->on_crash = bd->on_crash;
	if (sched_domain_set_params(d, bd->weight, bd->cap))
		pr_warn("d%u: weight %u cap %u refused\n", d->id, bd->weight, bd->cap);
	pr_info("d%u: \"%s\" built from the boot tree\n", d->id, bd->name);
	return d;
}
