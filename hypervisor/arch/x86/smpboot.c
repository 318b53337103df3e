/* Starting the other CPUs: found in the MADT, woken by INIT-SIPI-SIPI, set up like the boot CPU. */
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/image.h>
#include <keel/page_alloc.h>
#include <keel/pagetable.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/selftest.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/time.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/madt.h>
#include <asm/processor.h>
#include <asm/hvm.h>
#include <asm/vmx_internal.h>
#include <asm/x86_page.h>

#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200
#define AP_START_TIMEOUT_MS 1000
#define KICK_TIMEOUT_MS 100
/* Firmware tables beyond this are not looked at (the direct map's reach). */
#define FIRMWARE_MAX_PHYS (1ULL << 46)

/* The trampoline's low memory: its code page, then its own page tables. */
struct trampoline {
	u8 code[PAGE_SIZE];
	u64 pml4[PT_ENTRIES];
	u64 pdpt[PT_ENTRIES];
	u64 pd[PT_ENTRIES];
};

/* Laid out as at trampoline_params in trampoline.S. */
struct trampoline_params {
	u32 low_cr3;		/* struct trampoline's pml4 */
	u32 efer;
	u64 host_cr3;
	u64 stack_top;
	u64 entry;
} __packed;

/* What the boot CPU allocates for an AP before starting it. */
struct ap_memory {
	u8 stack[KEEL_STACK_SIZE];
	u8 ist_stacks[IST_COUNT][IST_STACK_SIZE];
	u8 vmxon_region[PAGE_SIZE];
};
#define AP_MEMORY_ORDER 3
BUILD_BUG_ON(sizeof(struct ap_memory) != PAGE_SIZE << AP_MEMORY_ORDER);

/* An AP's start: whichever side moves it on from AP_STARTING first decides. */
enum ap_state { AP_STARTING, AP_READY, AP_FAILED, AP_ABANDONED };

extern const char trampoline_start[], trampoline_params[], trampoline_end[];
extern const char ap_start64[];
void __noreturn smp_ap_start(void);

static u64 trampoline_phys;
static struct trampoline_params *params;
static unsigned int starting_cpu;
static int ap_state;
static u64 boot_cr0, boot_cr4;	/* every AP copies the boot CPU's */

static bool ap_state_move(int from, int to)
{
	return __atomic_compare_exchange_n(&ap_state, &from, to, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static u64 tsc_after_us(u64 us)
{
	return arch_read_tsc() + tsc_hz / 1000000 * us;
}

static void delay_us(u64 us)
{
	u64 end = tsc_after_us(us);

	while (arch_read_tsc() < end)
		arch_cpu_relax();
}

/* selftest=ap-fail: an AP that cannot be set up must be left offline. */
static int selftest_ap_fail(unsigned int cpu)
{
	if (!selftest_enabled("ap-fail"))
		return 0;
	pr_info("selftest: CPU%u fails its setup on purpose\n", cpu);
	return -EIO;
}

/* An AP, on its own stack and keel's page tables: set it up, or leave it halted. */
void smp_ap_start(void)
{
	unsigned int cpu = READ_ONCE(starting_cpu);

	x86_cpu_tables_load(cpu);
	write_cr0(boot_cr0);
	write_cr4(boot_cr4);
	if (arch_irq_init() || selftest_ap_fail(cpu) || hvm_cpu_init()) {
		ap_state_move(AP_STARTING, AP_FAILED);
		cpu_halt_forever();
	}
	if (!ap_state_move(AP_STARTING, AP_READY)) {
		/* Too late: the boot CPU gave up. Its INIT parks us after VMXOFF. */
		if (!hvm_svm)
			asm volatile("vmxoff" : : : "cc", "memory");
		cpu_halt_forever();
	}
	smp_ap_main();
}

/* ACPI tables may lie in ranges the direct map leaves out: map those pages read-only. */
const void *acpi_map_firmware(u64 phys, u64 len, void *ctx)
{
	u64 nx = rdmsr(MSR_EFER) & EFER_NXE ? X86_PTE_NX : 0;
	u64 end = phys + len, pa, attr, size;

	if (end < phys || end > FIRMWARE_MAX_PHYS)
		return NULL;
	for (u64 page = ALIGN_DOWN(phys, PAGE_SIZE); page < end; page += PAGE_SIZE)
		if (pt_lookup(&host_page_table, DIRECTMAP_BASE + page, &pa,
			      &attr, &size) &&
		    pt_map(&host_page_table, DIRECTMAP_BASE + page, page,
			   PAGE_SIZE, X86_PTE_P | nx, 0))
			return NULL;
	return phys_to_virt(phys);
}

/* The CPUs ACPI lists, the boot CPU among them; false (said why) if only it can run. */
static bool find_cpus(struct madt_cpus *found)
{
	if (!boot_info.rsdp_phys) {
		pr_info("smp: the loader passed no ACPI tables: only the boot CPU runs\n");
		return false;
	}
	if (madt_find_cpus(boot_info.rsdp_phys, acpi_map_firmware, NULL, found)) {
		pr_err("smp: no usable CPU list in the ACPI tables: only the boot CPU runs\n");
		return false;
	}
	if (found->nr_dropped)
		pr_warn("smp: %u more CPUs than keel's limit of %u are not used\n",
			found->nr_dropped, MAX_CPUS);
	if (found->nr_hotplug)
		pr_info("smp: %u hot-pluggable CPUs are not started (no CPU hotplug)\n",
			found->nr_hotplug);
	for (unsigned int i = 0; i < found->nr; i++)
		if (found->apic_ids[i] == pcpus[0]->apic_id)
			return true;
	pr_err("smp: the MADT's CPU list lacks the boot CPU (APIC id %u): only the boot CPU runs\n",
	       pcpus[0]->apic_id);
	return false;
}

/* Copy the trampoline below 1 MiB, with page tables; false (said why) if there is no room. */
static bool trampoline_setup(void)
{
	const u64 *host_root = phys_to_virt(host_page_table.root);
	struct trampoline *t;

	trampoline_phys = mm_find_low_memory(&boot_info, sizeof(*t));
	if (!trampoline_phys) {
		pr_err("smp: no free memory below 1 MiB for the AP trampoline: only the boot CPU runs\n");
		return false;
	}
	t = phys_to_virt(trampoline_phys);
	memset(t, 0, sizeof(*t));
	memcpy(t->code, trampoline_start, trampoline_end - trampoline_start);
	/* The low 2 MiB identity-mapped and executable, and keel's upper half. */
	t->pml4[0] = (trampoline_phys + offsetof(struct trampoline, pdpt)) |
		     X86_PTE_P | X86_PTE_RW;
	t->pdpt[0] = (trampoline_phys + offsetof(struct trampoline, pd)) |
		     X86_PTE_P | X86_PTE_RW;
	t->pd[0] = X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
	memcpy(&t->pml4[PT_ENTRIES / 2], &host_root[PT_ENTRIES / 2],
	       PT_ENTRIES / 2 * sizeof(u64));

	params = (void *)(t->code + (trampoline_params - trampoline_start));
	params->low_cr3 = trampoline_phys + offsetof(struct trampoline, pml4);
	params->efer = rdmsr(MSR_EFER) & ~EFER_LMA;
	params->host_cr3 = host_page_table.root;
	params->entry = (u64)ap_start64;
	return true;
}

static void send_init(u32 apic_id)
{
	apic_send_ipi(apic_id, APIC_DM_INIT | APIC_LEVEL_ASSERT |
		      APIC_TRIGGER_LEVEL);
}

/* Start the AP with @apic_id as CPU @cpu; true once it is online. */
static bool start_ap(unsigned int cpu, u32 apic_id)
{
	struct ap_memory *mem = alloc_pages(AP_MEMORY_ORDER);
	struct cpu_data *data = alloc_page();
	u64 give_up;

	if (!mem || !data) {
		if (mem)
			free_pages(mem, AP_MEMORY_ORDER);
		if (data)
			free_page(data);
		pr_err("smp: no memory for the stacks of APIC id %u\n", apic_id);
		return false;
	}
	x86_cpu_tables_init(cpu, data, mem->ist_stacks);
	x86_cpu(cpu)->vmxon_region = mem->vmxon_region;
	pcpus[cpu]->apic_id = apic_id;
	params->stack_top = (u64)mem->stack + sizeof(mem->stack);
	starting_cpu = cpu;
	ap_state = AP_STARTING;
	smp_mb();

	send_init(apic_id);
	delay_us(INIT_DELAY_US);
	for (int i = 0; i < 2; i++) {
		apic_send_ipi(apic_id, APIC_DM_STARTUP | APIC_LEVEL_ASSERT |
			      trampoline_phys >> PAGE_SHIFT);
		delay_us(SIPI_DELAY_US);
	}
	give_up = tsc_after_us(AP_START_TIMEOUT_MS * 1000);
	while (READ_ONCE(ap_state) == AP_STARTING && arch_read_tsc() < give_up)
		arch_cpu_relax();

	if (ap_state_move(AP_STARTING, AP_ABANDONED))
		pr_err("smp: APIC id %u did not start within %u ms; left offline\n",
		       apic_id, AP_START_TIMEOUT_MS);
	if (READ_ONCE(ap_state) == AP_READY) {
		while (!READ_ONCE(pcpus[cpu]->online))
			arch_cpu_relax();
		return true;
	}
	if (READ_ONCE(ap_state) == AP_FAILED) {
		/*
		 * It halts itself with interrupts off, its tables loaded: no INIT.
		 * An INIT now could find our second startup IPI not yet taken
		 * (QEMU keeps it pending across the INIT) and start the AP again.
		 */
		pr_err("smp: CPU%u (APIC id %u) could not be set up; left offline\n",
		       cpu, apic_id);
		return false;
	}
	/*
	 * Abandoned: park it in wait-for-SIPI. Its memory stays allocated: the
	 * CPU may still touch it (an NMI on its interrupt stack) before the
	 * INIT lands.
	 */
	send_init(apic_id);
	return false;
}

/* "smp: 2 CPUs online (APIC ids 0,1)" */
static void report_cpus(void)
{
	char ids[MAX_CPUS * 11] = "";
	size_t used = 0;

	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		used += snprintf(ids + used, sizeof(ids) - used, "%s%u",
				 cpu ? "," : "", pcpus[cpu]->apic_id);
	pr_info("smp: %u CPU%s online (APIC ids %s)%s\n", nr_cpus,
		nr_cpus == 1 ? "" : "s", ids,
		smp_max_cpus == 1 ? ", maxcpus=1" : "");
}

/* selftest=ipi: every AP must take a kick IPI. */
static void selftest_kicks(void)
{
	for (unsigned int cpu = 1; cpu < nr_cpus; cpu++) {
		u64 before = x86_cpu(cpu)->kicks;
		u64 give_up = tsc_after_us(KICK_TIMEOUT_MS * 1000);

		arch_send_ipi(cpu);
		while (x86_cpu(cpu)->kicks == before && arch_read_tsc() < give_up)
			arch_cpu_relax();
		if (x86_cpu(cpu)->kicks == before)
			pr_err("selftest: CPU%u took no kick IPI within %u ms\n",
			       cpu, KICK_TIMEOUT_MS);
		else
			pr_info("selftest: CPU%u took a kick IPI\n", cpu);
	}
}

int arch_smp_init(void)
{
	struct madt_cpus found;

	boot_cr0 = read_cr0();
	boot_cr4 = read_cr4() & ~X86_CR4_VMXE;	/* each AP's VMXON sets it */
	nr_cpus = 1;
	if (smp_max_cpus > 1 && find_cpus(&found) && trampoline_setup()) {
		for (unsigned int i = 0; i < found.nr; i++) {
			u32 id = found.apic_ids[i];

			if (nr_cpus == smp_max_cpus)
				break;
			if (id == pcpus[0]->apic_id)
				continue;
			if (!apic_is_x2apic() && id > XAPIC_MAX_ID) {
				pr_err("smp: APIC id %u needs x2APIC mode; left offline\n",
				       id);
				continue;
			}
			if (start_ap(nr_cpus, id))
				nr_cpus++;
		}
	}
	report_cpus();
	if (selftest_enabled("ipi"))
		selftest_kicks();
	return nr_cpus;
}
