/* keel_main(): the generic boot sequence of the hypervisor. */
#include <keel/arch.h>
#include <keel/boot_domains.h>
#include <keel/bootinfo.h>
#include <keel/dom0_options.h>
#include <keel/errno.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/main.h>
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

/* Build dom0 and run it until it ends; true when it asked to reboot. */
static bool run_dom0_once(enum keel_status *status)
{
	struct domain *d = build_dom0(&boot_info);
	u64 free_before;
	bool reboot;

	if (!d) {
		pr_info("keel: no domains to run\n");
		*status = boot_info.nr_modules ? KEEL_STATUS_DOM0_CRASHED :
						 KEEL_STATUS_OK;
		return false;
	}
	schedule_run(d);
	if (d->state == DOMAIN_SHUTDOWN)
		pr_info("d0: ended with shutdown reason %s\n",
			shutdown_reason_name(d->shutdown_reason));
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		arch_vcpu_report(d->vcpus[i]);
	*status = dom0_exit_status(d);
	reboot = d->state == DOMAIN_SHUTDOWN &&
		 d->shutdown_reason == SHUTDOWN_reboot;
	free_before = host_pages.nr_free;
	domain_destroy(d);
	pr_info("mm: %llu pages free after d0 (%llu returned)\n",
		(unsigned long long)host_pages.nr_free,
		(unsigned long long)(host_pages.nr_free - free_before));
	return reboot;
}

/* dom0_restarts=<n>: how often a rebooting dom0 is rebuilt (default: always). */
static unsigned long dom0_restarts = ~0UL;

static int parse_dom0_restarts(const char *value)
{
	u64 n;

	if (!value || parse_uint(value, &value, &n) || *value)
		return -EINVAL;
	dom0_restarts = n;
	return 0;
}
custom_param("dom0_restarts", parse_dom0_restarts);

/* dom0 reboots are restarts: build it afresh, as Xen restarts the machine. */
static void __noreturn run_dom0(void)
{
	enum keel_status status;

	for (unsigned long restarts = 0; run_dom0_once(&status); restarts++) {
		if (restarts >= dom0_restarts) {
			pr_info("d0: not restarted again (dom0_restarts=%lu)\n",
				dom0_restarts);
			break;
		}
		pr_info("d0: restarting after reboot\n");
	}
	keel_stop(status);
}

void keel_main(void)
{
	pr_info("Keel hypervisor %s\n", KEEL_VERSION);
	cmdline_parse(boot_info.cmdline);
	report_boot_info(&boot_info);

	if (mm_init(&boot_info) || arch_paging_init(&boot_info))
		keel_stop(KEEL_STATUS_PANIC);
	selftest_after_paging();
	if (boot_domains_init(&boot_info))
		keel_stop(KEEL_STATUS_BAD_BOOT);
	if (arch_virt_init())
		keel_stop(KEEL_STATUS_NO_VMX);
	time_init();
	if (arch_irq_init())
		keel_stop(KEEL_STATUS_PANIC);

	run_dom0();
}
