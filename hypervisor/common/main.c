/* keel_main(): the generic boot sequence of the hypervisor. */
#include <keel/arch.h>
#include <keel/boot_domains.h>
#include <keel/bootinfo.h>
#include <keel/dom0_options.h>
#include <keel/errno.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/main.h>
#include <keel/frame.h>
#include <keel/page_alloc.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/selftest.h>
#include <keel/stop.h>
#include <keel/schedule.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/sched.h>

static const char *const memmap_type_names[] = {
	[MEM_USABLE] = "usable", [MEM_RESERVED] = "reserved",
	[MEM_ACPI] = "ACPI data", [MEM_NVS] = "ACPI NVS",
	[MEM_BAD] = "unusable",
};

static const char *boot_path_name(u32 path)
{
	switch (path) {
	case BOOT_MULTIBOOT2_BIOS:
		return "multiboot2 (BIOS)";
	case BOOT_MULTIBOOT2_EFI:
		return "multiboot2 (UEFI)";
	case BOOT_UEFI_APP:
		return "keel.efi (UEFI application)";
	default:
		return "unknown";
	}
}

static void report_boot_info(const struct boot_info *bi)
{
	pr_info("boot: %s, loader \"%s\"\n", boot_path_name(bi->boot_path),
		bi->loader_name);
	pr_info("boot: command line \"%s\"\n", bi->cmdline);
	for (u32 i = 0; i < bi->nr_memmap; i++) {
		const struct memmap_entry *e = &bi->memmap[i];

		pr_debug("mem: %016llx-%016llx %s\n",
			 (unsigned long long)e->addr,
			 (unsigned long long)(e->addr + e->size),
			 e->type < ARRAY_SIZE(memmap_type_names) ?
			 memmap_type_names[e->type] : "?");
	}
	for (u32 i = 0; i < bi->nr_modules; i++)
		pr_info("boot: module %u at %#llx-%#llx \"%s\"\n", i,
			(unsigned long long)bi->modules[i].start,
			(unsigned long long)bi->modules[i].end,
			bi->modules[i].string);
	if (bi->rsdp_phys)
		pr_info("boot: ACPI RSDP at %#llx\n",
			(unsigned long long)bi->rsdp_phys);
	if (dom0_options.mem || dom0_options.vcpus_max)
		pr_info("boot: dom0_mem %llu MiB (min %llu, max %llu), dom0_max_vcpus %u-%u\n",
			(unsigned long long)dom0_options.mem >> 20,
			(unsigned long long)dom0_options.mem_min >> 20,
			(unsigned long long)dom0_options.mem_max >> 20,
			dom0_options.vcpus_min, dom0_options.vcpus_max);
}

/* keel's status once dom0 has ended: poweroff is a clean stop. */
static enum keel_status dom0_exit_status(const struct domain *d)
{
	if (d->state == DOMAIN_CRASHED)
		return KEEL_STATUS_DOM0_CRASHED;
	switch (d->shutdown_reason) {
	case SHUTDOWN_poweroff:
		return KEEL_STATUS_OK;
	case SHUTDOWN_reboot:
		return KEEL_STATUS_DOM0_REBOOT;
	case SHUTDOWN_crash:
		return KEEL_STATUS_DOM0_CRASHED;
	default:
		return KEEL_STATUS_DOM0_OTHER;
	}
}

/* dom0_restarts=<n>: how often a rebooting dom0 is rebuilt (default: always). */
static unsigned long dom0_restarts = ~0UL;
static unsigned long dom0_restarted;
static u64 free_pages_at_start;

static int parse_dom0_restarts(const char *value)
{
	u64 n;

	if (!value || parse_uint(value, &value, &n) || *value)
		return -EINVAL;
	dom0_restarts = n;
	return 0;
}
custom_param("dom0_restarts", parse_dom0_restarts);

/* What keel itself holds once the boot domains are built (make bench's scale.txt). */
static void report_resident(struct domain **built, unsigned int n)
{
	u64 image = boot_info.image_phys_end - boot_info.image_phys_start;
	u64 guests = 0, used = 0;

	/* A failed dom0 hands keel the RAM it kept for it: more free than at init. */
	if (host_pages.nr_free < mm_free_at_init)
		used = mm_free_at_init - host_pages.nr_free;
	for (unsigned int i = 0; i < n; i++)
		guests += frames_owned(built[i]->id);
	used = used > guests ? PFN_PHYS(used - guests) : 0;
	pr_info("mm: keel resident %llu KiB: image %llu, page bitmap and frame table %llu, allocated %llu\n",
		(unsigned long long)(image + mm_tables_bytes + used) >> 10,
		(unsigned long long)image >> 10,
		(unsigned long long)mm_tables_bytes >> 10,
		(unsigned long long)used >> 10);
}

/*
 * Build the boot-time domains — those of the boot tree, else dom0 from
 * module 0 — and let them run; false when none could be built.
 */
static bool start_boot_domains(void)
{
	struct domain *built[BOOT_DOMAINS_MAX];
	unsigned int n = 0;

	free_pages_at_start = host_pages.nr_free;
	if (!nr_boot_domains) {
		built[0] = build_dom0(&boot_info);
		n = built[0] ? 1 : 0;
	}
	for (unsigned int i = 0; i < nr_boot_domains; i++) {
		built[n] = build_boot_domain(&boot_info, &boot_domains[i]);
		if (!built[n]) {
			/* A half-built set is no configuration: none runs. */
			while (n)
				domain_destroy(built[--n]);
			return false;
		}
		n++;
	}
	report_resident(built, n);
	for (unsigned int i = 0; i < n; i++)
		vcpu_up(built[i]->vcpus[0]);
	return n > 0;
}

/* Destroy every domain but @keep; report what came back. */
static void destroy_other_domains(struct domain *keep)
{
	domid_t id = 0;
	struct domain *d;

	while ((d = domain_next(&id))) {
		if (d != keep)
			domain_destroy(d);
		domain_put(d);
	}
}

/*
 * dom0 ended (a tasklet, outside its vCPUs; its reference is ours): keel stops with dom0's
 * reason, or builds everything afresh when dom0 rebooted, as Xen
 * restarts the machine.
 */
void control_domain_ended(struct domain *d)
{
	enum keel_status status = dom0_exit_status(d);
	bool reboot = d->state == DOMAIN_SHUTDOWN &&
		      d->shutdown_reason == SHUTDOWN_reboot;
	/* Its devices are in whatever state it left them: reset them all, as Xen. */
	bool owned_machine = is_hardware_domain(d);

	if (d->state == DOMAIN_SHUTDOWN)
		pr_info("d0: ended with shutdown reason %s\n",
			shutdown_reason_name(d->shutdown_reason));
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		arch_vcpu_report(d->vcpus[i]);
	sched_report();
	destroy_other_domains(NULL);
	domain_put(d);		/* the shutdown tasklet's: dom0 is freed now */
	pr_info("mm: %llu pages free after d0, %llu at start\n",
		(unsigned long long)host_pages.nr_free,
		(unsigned long long)free_pages_at_start);
	if (reboot && owned_machine) {
		pr_info("d0: owned the machine: keel resets it\n");
	} else if (reboot && dom0_restarted < dom0_restarts) {
		dom0_restarted++;
		pr_info("d0: restarting after reboot\n");
		if (start_boot_domains())
			return;
		status = KEEL_STATUS_DOM0_CRASHED;
	} else if (reboot) {
		pr_info("d0: not restarted again (dom0_restarts=%lu)\n",
			dom0_restarts);
	}
	keel_stop(status);
}

void domain_rebuild(domid_t id)
{
	struct domain *nd;

	for (unsigned int i = 0; i < nr_boot_domains; i++) {
		if (boot_domains[i].domid != id)
			continue;
		nd = build_boot_domain(&boot_info, &boot_domains[i]);
		if (nd)
			vcpu_up(nd->vcpus[0]);
		else
			pr_err("d%u: cannot restart it (is its memory still mapped?)\n", id);
		return;
	}
	pr_info("d%u: no boot description to rebuild it from\n", id);
}

void last_domain_ended(void)
{
	pr_info("keel: every domain has ended; %llu pages free, %llu at start\n",
		(unsigned long long)host_pages.nr_free,
		(unsigned long long)free_pages_at_start);
	sched_report();
	keel_stop(KEEL_STATUS_OK);
}

void keel_main(void)
{
	pr_info("Keel hypervisor %s\n", KEEL_VERSION);
	cmdline_parse(boot_info.cmdline);
	report_boot_info(&boot_info);

	/* A failure is dom0's (said why), not keel's: the builder refuses it. */
	if (!dom0_options.virt)
		arch_hwdom_prepare(&boot_info);
	if (mm_init(&boot_info) || arch_paging_init(&boot_info))
		keel_stop(KEEL_STATUS_PANIC);
	selftest_after_paging();
	arch_iommu_init(&boot_info);
	selftest_after_iommu();
	if (boot_domains_init(&boot_info))
		keel_stop(KEEL_STATUS_BAD_BOOT);
	if (arch_virt_init())
		keel_stop(KEEL_STATUS_NO_VMX);
	time_init();
	if (arch_irq_init())
		keel_stop(KEEL_STATUS_PANIC);
	arch_smp_init();
	scheduler_init();

	if (!start_boot_domains()) {
		pr_info("keel: no domains to run\n");
		keel_stop(boot_info.nr_modules ? KEEL_STATUS_DOM0_CRASHED :
						 KEEL_STATUS_OK);
	}
	schedule_loop();
}
