/*
 * The arch_* hooks: the only way generic hypervisor code reaches the
 * architecture. Each architecture implements them under hypervisor/arch/.
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <keel/types.h>
#include <keel/status.h>

struct boot_info;

/**
 * arch_console_probe() - find the consoles this machine offers.
 * @return a mask of CONSOLE_* sinks that are present.
 */
u32 arch_console_probe(void);

/**
 * arch_console_write() - write raw bytes to consoles.
 * @sinks: CONSOLE_* mask to write to (only probed ones are used).
 * @s: bytes to write; @len: how many.
 */
void arch_console_write(u32 sinks, const char *s, size_t len);

/**
 * arch_console_getc() - a byte typed on the console, if any.
 * @return the byte, or -1 when none is waiting.
 */
int arch_console_getc(void);

/**
 * arch_console_input_irq() - have @fn(@data) called from a host interrupt
 * when a byte is typed on the console; @fn NULL stops that and waits for
 * a running @fn to return (never call it with a lock @fn takes). The
 * interrupt is an edge: it comes again only once arch_console_getc() has
 * returned -1, so bytes left waiting must be polled for.
 * @return 0, or a negative errno when the console cannot interrupt (no
 * UART, no IOAPIC pin): poll arch_console_getc() instead.
 */
int arch_console_input_irq(void (*fn)(void *data), void *data);

/**
 * arch_cpu_init() - set up the boot CPU's descriptor tables (GDT, IDT, TSS)
 * and exception handlers. Called once, first thing, on the boot CPU.
 */
void arch_cpu_init(void);

/**
 * arch_paging_init() - build the hypervisor's own page tables (direct map
 * of all RAM and the image with section permissions) and switch to them.
 * @bi: boot information with the memory map.
 * @return 0, or a negative errno when memory runs out.
 */
int arch_paging_init(const struct boot_info *bi);

/**
 * arch_iommu_init() - find and bring up the DMA-remapping hardware
 * (iommu= decides), before any domain exists; it does not need VT-x. A
 * no-op where there is none; stops keel itself when iommu=force cannot
 * be met.
 */
void arch_iommu_init(const struct boot_info *bi);

/**
 * arch_virt_init() - detect and enable hardware virtualisation on this CPU
 * (VT-x: VMXON) and report its capabilities.
 * @return 0 on success; -ENODEV after printing one line naming what is
 * missing.
 */
int arch_virt_init(void);

/**
 * arch_irq_init() - set up the local interrupt controller and its timer.
 * @return 0 or a negative errno.
 */
int arch_irq_init(void);

/**
 * arch_smp_init() - bring up the other CPUs the firmware lists (ACPI MADT),
 * one at a time, at most smp_max_cpus in all: each gets the boot CPU's
 * setup, its own interrupt controller and VMX root operation, then runs
 * smp_ap_main(). Called once on the boot CPU after arch_irq_init(). A CPU
 * that fails to start is left offline with a message; without usable ACPI
 * tables only the boot CPU runs. Sets nr_cpus; CPUs are numbered 0 (the
 * boot CPU) to nr_cpus - 1.
 * @return nr_cpus, at least 1.
 */
int arch_smp_init(void);

/**
 * arch_timer_program() - raise a timer interrupt at system time @deadline
 * (ns); TIMER_NONE disarms it.
 */
void arch_timer_program(u64 deadline);

/**
 * arch_idle() - wait, interrupts enabled, until an interrupt arrives.
 */
void arch_idle(void);

/**
 * arch_send_ipi() - kick CPU @cpu: it leaves HLT or its guest and goes
 * back to its scheduler loop (timers, pending work, rescheduling). The
 * interrupt's handler does nothing else. Kicking the current CPU is
 * allowed (it takes effect at the next arch_idle() or VM entry); an
 * offline or unknown @cpu is ignored.
 */
void arch_send_ipi(unsigned int cpu);

/**
 * arch_iommu_selftest() - selftest=vtd: drive a test device's DMA (and
 * interrupts) through the IOMMU, printing a PASS or FAIL line per step.
 * Runs before VT-x is needed, so it works in emulators without it.
 */
void arch_iommu_selftest(void);

/**
 * arch_machine_stop() - stop the machine for good: exit the emulator with
 * @status when running in one, else halt the CPU.
 */
void __noreturn arch_machine_stop(enum keel_status status);

struct domain;
struct vcpu;
struct pt_format;

/* p2m access rights for arch_p2m_attr(). */
#define P2M_READ BIT(0)
#define P2M_WRITE BIT(1)
#define P2M_EXEC BIT(2)
#define P2M_OWNED BIT(3)	/* the domain owns the page: freed with it */
#define P2M_RWX (P2M_READ | P2M_WRITE | P2M_EXEC)
#define P2M_FOREIGN BIT(4)	/* another domain's page: its frame's owner names it */
#define P2M_MMIO BIT(5)		/* a host device range, 1:1, uncached: no frame reference */
/* p2m leaf bits the hardware walker ignores: owned, foreign. */
#define P2M_OWNED_BIT BIT(52)
#define P2M_FOREIGN_BIT BIT(53)

struct boot_info;
/**
 * arch_hwdom_prepare() - before mm_init(), with dom0=pvh: keep host RAM
 * where dom0's kernel must load (moving the loader's modules out of it).
 */
int arch_hwdom_prepare(struct boot_info *bi);

/**
 * arch_hwdom_set_memory() - the hardware dom0's RAM (instead of
 * domain_set_memory()): host RAM 1:1 up to @mem_size, its e820 from the
 * host's, keel's pages stolen from it, device ranges mapped 1:1.
 */
int arch_hwdom_set_memory(struct domain *d, u64 mem_size);

/**
 * arch_hwdom_init() - the rest of the hardware dom0, once its RAM is in
 * place and before its vCPUs run: I/O ports, interrupts, ACPI tables.
 */
int arch_hwdom_init(struct domain *d);

/**
 * arch_p2m_format() - the entry format of guest-physical page tables (EPT).
 */
const struct pt_format *arch_p2m_format(void);

/**
 * arch_p2m_attr() - leaf attribute bits for @access (P2M_* flags), write-back.
 * arch_p2m_foreign_attr(): the same for a foreign mapping (P2M_FOREIGN).
 */
u64 arch_p2m_attr(unsigned int access);
u64 arch_p2m_foreign_attr(unsigned int access);

/**
 * arch_p2m_access() - the P2M_* flags (READ, WRITE, EXEC, OWNED, FOREIGN)
 * of a leaf's attribute bits @attr, as pt_lookup() returns them.
 */
unsigned int arch_p2m_access(u64 attr);

/**
 * arch_domain_set_p2m() - make @d's p2m root the one its vCPUs use.
 */
void arch_domain_set_p2m(struct domain *d);

/**
 * arch_domain_free() - free @d's arch state (MMIO handlers, its interrupt
 * bindings) first in domain_free(), while its vCPUs still exist: when it
 * returns no host interrupt handler runs for @d or will again.
 */
void arch_domain_free(struct domain *d);

/**
 * arch_p2m_flush() - drop cached translations of @d's p2m (after unmapping),
 * the CPUs' and its devices' (IOMMU), before the old target is reused.
 */
void arch_p2m_flush(struct domain *d);

/**
 * arch_p2m_changed() - under @d's p2m lock, right after [gpa, gpa + size)
 * became @hpa with leaf bits @attr (0: unmapped): an IOMMU with its own
 * copy of the p2m follows it, one that caches not-present entries (VT-d
 * caching mode) forgets them. Removals are flushed by arch_p2m_flush().
 */
void arch_p2m_changed(struct domain *d, u64 gpa, u64 hpa, u64 size, u64 attr);

/**
 * arch_p2m_teardown() - @d's p2m tables are about to be freed, its vCPUs
 * gone: no CPU may keep translations through them (INVEPT everywhere).
 */
void arch_p2m_teardown(struct domain *d);

/**
 * arch_vcpu_init() - prepare @v to start at the PVH entry @entry with the
 * start-info page at @start_info (both guest-physical).
 * @return 0 or a negative errno.
 */
int arch_vcpu_init(struct vcpu *v, u32 entry, u32 start_info);
void arch_vcpu_destroy(struct vcpu *v);

/**
 * arch_vcpu_guest_tsc() - the TSC @v reads when the host's reads @host_tsc
 * (each domain's counts from 0 at its build), for its pvclock.
 */
u64 arch_vcpu_guest_tsc(const struct vcpu *v, u64 host_tsc);

/**
 * arch_vcpu_switch_in() - make @v this CPU's loaded vCPU; the arch refreshes
 * what belongs to another CPU (host state, cached translations) itself.
 */
void arch_vcpu_switch_in(struct vcpu *v);

/**
 * arch_vcpu_switch_out() - save @v's state to memory so that any CPU can
 * load it next.
 */
void arch_vcpu_switch_out(struct vcpu *v);

/**
 * arch_vcpu_run() - run the loaded vCPU @v until it stops being runnable,
 * this CPU must reschedule, or a host interrupt needs the scheduler loop.
 */
void arch_vcpu_run(struct vcpu *v);

/**
 * arch_vcpu_has_pending_interrupt() - does @v's interrupt controller have
 * an interrupt to deliver (so HLT must not block)?
 */
bool arch_vcpu_has_pending_interrupt(const struct vcpu *v);

/**
 * arch_hypercall_continuation() - make the loaded vCPU @v issue hypercall
 * @nr again with @args[0..@nargs) (the other argument registers kept) when
 * it next runs: the hypercall instruction is not stepped over.
 */
void arch_hypercall_continuation(struct vcpu *v, unsigned long nr,
				 const unsigned long *args, unsigned int nargs);

/**
 * arch_hypercall_insn() - the 3-byte hypercall instruction of this CPU
 * (VMCALL on VT-x, VMMCALL on SVM) for the hypercall page's stubs.
 */
void arch_hypercall_insn(u8 insn[3]);

/**
 * arch_vcpu_report() - print @v's VM-exit counts by reason.
 */
void arch_vcpu_report(struct vcpu *v);

/**
 * arch_vcpu_dump() - print @v's interrupt state (its local APIC, RFLAGS.IF).
 */
void arch_vcpu_dump(const struct vcpu *v);

/**
 * arch_vcpu_exit_counts() - add @v's VM exits so far to @counts[0..@n) by the
 * arch's exit reason (reasons >= @n are not added there).
 * @return all of @v's exits, whatever their reason.
 */
u64 arch_vcpu_exit_counts(const struct vcpu *v, u64 *counts, unsigned int n);

/**
 * arch_guest_virt_to_phys() - translate a guest-virtual address of @v
 * through the guest's own page tables.
 * @write: the access is a write (needs writable mappings).
 * @return 0 with *@gpa set, or -EFAULT.
 */
int arch_guest_virt_to_phys(struct vcpu *v, u64 va, bool write, u64 *gpa);

/**
 * arch_xen_caps() - the guest types keel runs, as xen_version's
 * capabilities string names them (Xen's format, e.g. "hvm-3.0-x86_64 ").
 */
const char *arch_xen_caps(void);

/**
 * phys_to_virt()/virt_to_phys() - convert between physical addresses and
 * the hypervisor's mapping of them (direct map, or the image for symbols).
 */
void *phys_to_virt(u64 phys);
u64 virt_to_phys(const void *virt);

#endif
