/* The host side of keel's hypercall handlers under the fuzzer: RAM, arch hooks, clock. */
/*
 * Host RAM is an arena whose free pages ASan sees as poisoned; also the arch_* hooks, the
 * build facts xen_version reports, and what main.c does when dom0 or the last domain ends.
 */
#include <sanitizer/asan_interface.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/build_info.h>
#include <keel/domain.h>
#include <keel/frame.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/pagetable.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include "hv_env.h"

__thread unsigned int hosted_cpu;
bool hv_stopped;

static u8 *arena;
static u64 *bitmap;
static u64 fake_tsc;

void hv_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "hypercall fuzzer: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	__builtin_trap();
}

/* ---- host RAM ---------------------------------------------------------- */

void *phys_to_virt(u64 phys)
{
	if (phys >= HV_ARENA_SIZE)
		hv_fail("phys_to_virt(%#llx) outside host RAM", (unsigned long long)phys);
	return arena + phys;
}

u64 virt_to_phys(const void *virt)
{
	const u8 *p = virt;

	if (p < arena || p >= arena + HV_ARENA_SIZE)
		hv_fail("virt_to_phys(%p) outside host RAM", virt);
	return p - arena;
}

/*
 * keel's allocator, wrapped (the link's --wrap): a page is addressable only while allocated,
 * so keel touching a page it freed is an ASan report; freeing a free page is a failure.
 */
int __real_page_alloc_frames(struct page_allocator *pa, unsigned int order, u64 *pfn);
int __real_page_free_frames(struct page_allocator *pa, u64 pfn, unsigned int order);

int __wrap_page_alloc_frames(struct page_allocator *pa, unsigned int order, u64 *pfn)
{
	int rc = __real_page_alloc_frames(pa, order, pfn);

	if (!rc)
		ASAN_UNPOISON_MEMORY_REGION(arena + PFN_PHYS(*pfn), PAGE_SIZE << order);
	return rc;
}

int __wrap_page_free_frames(struct page_allocator *pa, u64 pfn, unsigned int order)
{
	if (__real_page_free_frames(pa, pfn, order))
		hv_fail("free of %u free page(s) at pfn %#llx", 1u << order,
			(unsigned long long)pfn);
	ASAN_POISON_MEMORY_REGION(arena + PFN_PHYS(pfn), PAGE_SIZE << order);
	return 0;
}

u64 hv_free_pages(void)
{
	return host_pages.nr_free;
}

/* ---- CPUs, clock --------------------------------------------------------- */

u64 arch_read_tsc(void)
{
	return fake_tsc;
}

/* time_init() is not called here: hv_env_reset() sets the clock. */
u64 arch_calibrate_tsc(void)
{
	return NSEC_PER_SEC;
}

u64 arch_read_rtc(void)
{
	return 1700000000;
}

void hv_time_advance(u64 ns)
{
	fake_tsc += ns;
}

void arch_timer_program(u64 deadline) { }
void arch_send_ipi(unsigned int cpu) { }

void hv_run_timers(unsigned int cpu)
{
	unsigned int was = hosted_cpu;

	hosted_cpu = cpu;
	timers_run(now_ns());
	hosted_cpu = was;
}

static struct pcpu hv_pcpus[HV_NR_CPUS];	/* as CPUs that came up */
static u64 frame_counts[HV_ARENA_SIZE >> PAGE_SHIFT];

void hv_env_reset(void)
{
	u64 nr_pfns = HV_ARENA_SIZE >> PAGE_SHIFT;

	/* Poisoned once: every input ends with every page freed (and so poisoned) again. */
	if (!arena) {
		arena = aligned_alloc(PAGE_SIZE, HV_ARENA_SIZE);
		bitmap = malloc(page_alloc_bitmap_bytes(nr_pfns));
		if (!arena || !bitmap)
			abort();
		ASAN_POISON_MEMORY_REGION(arena, HV_ARENA_SIZE);
	}
	page_alloc_init(&host_pages, bitmap, nr_pfns);
	/* The frame table (mm/frame.c): every count 0 again, as after mm_init(). */
	memset(frame_counts, 0, sizeof(frame_counts));
	frame_table_init(frame_counts, nr_pfns);
	/* Physical 0 stays in use: page tables take 0 for "no memory". */
	page_alloc_add_free(&host_pages, PAGE_SIZE, HV_ARENA_SIZE);
	memset(hv_pcpus, 0, sizeof(hv_pcpus));
	for (unsigned int i = 0; i < HV_NR_CPUS; i++) {
		pcpus[i] = &hv_pcpus[i];
		pcpus[i]->self = pcpus[i];
		pcpus[i]->id = i;
		pcpus[i]->online = true;
	}
	nr_cpus = HV_NR_CPUS;
	hosted_cpu = 0;
	/* The TSC counts nanoseconds; keel booted a second ago. */
	tsc_scale = time_scale_for(NSEC_PER_SEC);
	boot_tsc = 0;
	fake_tsc = NSEC_PER_SEC;
	boot_wallclock_sec = 1700000000;
	hv_stopped = false;
}

/* ---- vCPUs (the p2m's arch hooks: tests/unit/stub_domain.c) ------------- */

/* Every domain's TSC is the host's here. */
u64 arch_vcpu_guest_tsc(const struct vcpu *v, u64 host_tsc)
{
	return host_tsc;
}

/* A VMCS page, as the real one allocates: domctl unpause looks for it. */
int arch_vcpu_init(struct vcpu *v, u32 entry, u32 start_info)
{
	v->arch.vmcs = alloc_page();
	return v->arch.vmcs ? 0 : -ENOMEM;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (v->arch.vmcs)
		free_page(v->arch.vmcs);
	v->arch.vmcs = NULL;
}

void arch_vcpu_dump(const struct vcpu *v)
{
}

/* No hardware dom0 here: its domains are all virtual. */
int arch_hwdom_set_memory(struct domain *d, u64 mem_size)
{
	return -ENOSYS;
}

int arch_hwdom_init(struct domain *d)
{
	return -ENOSYS;
}

/* Guest paging is off (as a PVH guest starts): virtual is physical. */
int arch_guest_virt_to_phys(struct vcpu *v, u64 va, bool write, u64 *gpa)
{
	*gpa = va;
	return 0;
}

/* ---- consoles --------------------------------------------------------------- */

u32 arch_console_probe(void)
{
	return CONSOLE_COM1;
}

/* keel's console: on stderr with FUZZ_VERBOSE set (to follow what an input does). */
bool hv_verbose(void)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	return verbose;
}

void arch_console_write(u32 sinks, const char *s, size_t len)
{
	if (hv_verbose())
		fwrite(s, 1, len, stderr);
}

int arch_console_getc(void)
{
	return -1;
}

int arch_console_input_irq(void (*fn)(void *data), void *data)
{
	return -ENODEV;		/* polled, with nothing typed */
}

/* ---- what the build and the boot loader give xen_version ------------------- */

const char keel_compiler[] = "clang (fuzzing)";
const char keel_compile_by[] = "fuzz";
const char keel_compile_domain[] = "keel.invalid";
const char keel_compile_date[] = "Thu Jan  1 00:00:00 UTC 1970";
const char keel_changeset[] = "Thu Jan 1 00:00:00 1970 +0000 git:0000000";

/* A build-id note, where build_id.c looks for the one ld --build-id writes. */
asm(".section .rodata\n"
    ".balign 4\n"
    ".globl __note_gnu_build_id_start\n"
    "__note_gnu_build_id_start:\n"
    ".long 4, 8, 3\n"
    ".asciz \"GNU\"\n"
    ".byte 0x6b,0x65,0x65,0x6c,0x66,0x75,0x7a,0x7a\n"
    ".globl __note_gnu_build_id_end\n"
    "__note_gnu_build_id_end:\n"
    ".previous\n");

/* keel's own command line (XENVER_commandline for dom0). */
struct boot_info boot_info = {
	.cmdline = "console=com1,e9 loglvl=all dom0_mem=min:32M,max:1G dom0_max_vcpus=2",
};

/* ---- what main.c does when domains end ------------------------------------ */

/* dom0 ended: keel destroys the rest and stops (no restarts here). */
void control_domain_ended(struct domain *d)
{
	domid_t id = 0;
	struct domain *o;

	while ((o = domain_next(&id))) {
		domain_destroy(o);
		domain_put(o);
	}
	domain_put(d);
	hv_stopped = true;
}

/* Only boot-tree domains restart, and the harness builds none. */
void domain_rebuild(domid_t id)
{
	hv_fail("domain_rebuild(d%u): no domain here has on_reboot=restart", id);
}

void last_domain_ended(void)
{
	hv_stopped = true;
}
