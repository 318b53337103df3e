/* The host under real domains in host tests: RAM arena, EPT-format p2m hooks, idle rest. */
/*
 * domain.c, p2m.c, memory_op.c, grant_table.c and the event channel code run
 * on the host as keel runs them; this file gives them what keel's arch code
 * and the parts a test leaves out would: host RAM (an arena), the p2m's
 * arch hooks with EPT's bit layout, and a scheduler, timers, tasklets and
 * consoles that do nothing. Every one is weak: a test that records or checks
 * a call defines its own, and real keel code linked in replaces them. No
 * cmocka here, so the fuzz harness (tests/fuzz/hv_env.c) and the audit's
 * PoCs (tests/security/poc-run.sh) link it too.
 */
#include <stdlib.h>
#include <string.h>
#include <keel/arch.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/schedule.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include "stub_domain.h"

#define __weak __attribute__((weak))

/* EPT's leaf bits, as arch/x86/ept.c makes them. */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)

/* ---- host RAM ------------------------------------------------------------- */

static u8 *arena;
static u64 arena_size;
static u64 *frame_words;

void stub_ram_init(u64 size)
{
	u64 nr_pfns = size >> PAGE_SHIFT;

	arena = aligned_alloc(PAGE_SIZE, size);
	frame_words = calloc(nr_pfns, sizeof(u64));
	if (!arena || !frame_words)
		abort();
	memset(arena, 0, size);
	arena_size = size;
	page_alloc_init(&host_pages, calloc(page_alloc_bitmap_bytes(nr_pfns), 1),
			nr_pfns);
	frame_table_init(frame_words, nr_pfns);
	page_alloc_add_free(&host_pages, PAGE_SIZE, size);
}

void stub_ram_free(void)
{
	free(host_pages.bitmap);
	free(frame_words);
	free(arena);
	arena = NULL;
	frame_words = NULL;
	arena_size = 0;
}

__weak void *phys_to_virt(u64 phys)
{
	if (phys >= arena_size)
		abort();
	return arena + phys;
}

__weak u64 virt_to_phys(const void *virt)
{
	const u8 *p = virt;

	if (p < arena || p >= arena + arena_size)
		abort();
	return p - arena;
}

/* ---- the p2m's arch hooks --------------------------------------------------- */

unsigned int stub_p2m_flushes;
void (*stub_p2m_flush_hook)(struct domain *d);

static const struct pt_format ept_format = {
	.present = EPT_R | EPT_W | EPT_X, .table_attr = EPT_R | EPT_W | EPT_X,
	.large = BIT(7), .addr_mask = 0x000ffffffffff000ULL,
};

__weak const struct pt_format *arch_p2m_format(void)
{
	return &ept_format;
}

__weak u64 arch_p2m_attr(unsigned int access)
{
	return (access & P2M_READ ? EPT_R : 0) | (access & P2M_WRITE ? EPT_W : 0) |
	       (access & P2M_EXEC ? EPT_X : 0) |
	       (access & P2M_MMIO ? 0 : (6ULL << 3)) |
	       (access & P2M_OWNED ? P2M_OWNED_BIT : 0);
}

/* VMCALL, as on VT-x. */
__weak void arch_hypercall_insn(u8 insn[3])
{
	insn[0] = 0x0f;
	insn[1] = 0x01;
	insn[2] = 0xc1;
}

__weak u64 arch_p2m_foreign_attr(unsigned int access)
{
	return arch_p2m_attr(access & ~P2M_OWNED) | P2M_FOREIGN_BIT;
}

__weak unsigned int arch_p2m_access(u64 attr)
{
	return (attr & EPT_R ? P2M_READ : 0) | (attr & EPT_W ? P2M_WRITE : 0) |
	       (attr & EPT_X ? P2M_EXEC : 0) |
	       (attr & P2M_OWNED_BIT ? P2M_OWNED : 0) |
	       (attr & P2M_FOREIGN_BIT ? P2M_FOREIGN : 0) |
	       ((attr & (7ULL << 3)) ? 0 : P2M_MMIO);
}

__weak void arch_domain_set_p2m(struct domain *d) { }
__weak void arch_p2m_teardown(struct domain *d) { }
__weak void arch_p2m_changed(struct domain *d, u64 gpa, u64 hpa, u64 size,
			     u64 attr) { }
__weak void arch_domain_free(struct domain *d) { }

__weak void arch_p2m_flush(struct domain *d)
{
	__atomic_fetch_add(&stub_p2m_flushes, 1, __ATOMIC_RELAXED);
	if (stub_p2m_flush_hook)
		stub_p2m_flush_hook(d);
}

/* Guest paging off (as a PVH guest starts): virtual is physical. */
__weak int arch_guest_virt_to_phys(struct vcpu *v, u64 va, bool write, u64 *gpa)
{
	*gpa = va;
	return 0;
}

/*
 * Tests with copy_{from,to}_guest() of their own (host pointers) have no
 * guest frame behind an address: grant batches copy each op as before.
 */
__weak int guest_virt_get_page(struct vcpu *v, u64 va, bool write, u64 *hpa)
{
	return -EFAULT;
}

/* ---- the rest of keel: idle ------------------------------------------------- */

/* The scheduler: vCPUs here never run. */
__weak void sched_domain_add(struct domain *d) { }
__weak void sched_domain_remove(struct domain *d) { }
__weak void vcpu_sleep(struct vcpu *v) { }
__weak void vcpu_sleep_sync(struct vcpu *v) { }
__weak bool vcpu_sleep_try(struct vcpu *v) { return true; }
__weak void vcpu_wake(struct vcpu *v) { }
__weak void vcpu_kick(struct vcpu *v) { }
__weak void vcpu_poll_wake(struct vcpu *v) { }
__weak void vcpu_signalled(struct vcpu *v) { }
__weak void vcpu_update_time(struct vcpu *v) { }
__weak void vcpu_set_runstate(struct vcpu *v, int s) { }
/* Time stands still; no timer fires, no tasklet runs. */
__weak u64 now_ns(void) { return 0; }
__weak void timer_stop(struct timer *t) { }
__weak void timer_set(struct timer *t, u64 e) { }
__weak void vcpu_kill_timers(struct vcpu *v) { }
__weak void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data) { }
__weak void tasklet_schedule(struct tasklet *t) { }
/* Nothing is kept of a domain's console output. */
__weak void console_ring_free(struct domain *d) { }
__weak void console_domain_init(struct domain *d) { }
__weak void console_domain_destroy(struct domain *d) { }
/* Hypercalls run to their end. */
__weak bool hypercall_preempt_check(void) { return false; }
/* What main.c does when domains end: nothing here. */
__weak void control_domain_ended(struct domain *d) { }
__weak void domain_rebuild(domid_t id) { }
__weak void last_domain_ended(void) { }
