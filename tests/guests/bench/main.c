/*
 * bench: keel's micro-benchmarks, each in emulated TSC ticks (Bochs with
 * clock: sync=none counts one per instruction), the same binary on keel
 * (dom0) and on Xen 4.17 (PVH dom0, dom0=pvh dom0-iommu=none). Each figure
 * is ITERS timed rounds after one untimed round, printed as "bench: <name>
 * min M median D ticks (n N)"; scripts/bench-micro.sh reads them.
 *   null            hypercall 63 (unused on both: -ENOSYS), the bare
 *                   exit, dispatch and return
 *   xen_version     xen_version(XENVER_version)
 *   evtchn_send     EVTCHNOP_send on a masked IPI port of our own (only
 *                   its pending bit is set; cleared between rounds)
 *   pingpong        vCPU 0 sends to vCPU 1's IPI port and halts; vCPU 1's
 *                   upcall sends back to vCPU 0's port: one round trip
 *   grant_copy      GNTTABOP_copy of 4096 bytes from our own grant to a
 *                   page of ours
 *   grant_map_unmap GNTTABOP_map_grant_ref of our own grant at an empty GFN,
 *                   then GNTTABOP_unmap_grant_ref (keel maps a domain's own
 *                   grant; Xen 4.17 answers GNTST_bad_page to its PVH dom0)
 *   timer           set_timer_op(now) to the VIRQ_TIMER upcall
 * pingpong needs a second vCPU (dom0_max_vcpus=2); without one it says
 * "skipped". The guest then prints "bench: done" and powers off.
 */
#include "guest.h"
#include "ap64.h"
#include "stats.h"
#include <public/hvm_op.h>

#define ITERS 256
#define NULL_HYPERCALL 63
#define SELF 0				/* dom0's id: grant ops name it */
#define MAP_GPA 0x80000000ULL		/* empty guest-physical space */
#define GREF 8
#define AP_UPCALL_VECTOR 0xf4
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_EN BIT(11)
#define MSR_X2APIC_SVR 0x80f
#define MSR_X2APIC_EOI 0x80b
#define SVR_ENABLE_SPURIOUS_FF 0x1ff

static u8 table_page[4096] __aligned(4096);
static u8 pages[2][4096] __aligned(4096);
static struct samples s;
static bool ok = true;

static void report(const char *name)
{
	ok &= samples_report(name, &s);
	s.n = 0;
}

static void bench_null(void)
{
	for (unsigned int i = 0; i <= ITERS; i++) {
		u64 t0 = rdtsc();
		long rc = _hypercall5(NULL_HYPERCALL, 0, 0, 0, 0, 0);
		u64 t1 = rdtsc();

		if (rc != -ENOSYS)
			ok = CHECK(false, "hypercall %d = %ld", NULL_HYPERCALL, rc);
		if (i)
			samples_add(&s, t1 - t0);
	}
	report("null");
}

static void bench_xen_version(void)
{
	for (unsigned int i = 0; i <= ITERS; i++) {
		u64 t0 = rdtsc();
		long rc = HYPERVISOR_xen_version(XENVER_version, NULL);
		u64 t1 = rdtsc();

		if (rc <= 0)
			ok = CHECK(false, "xen_version = %ld", rc);
		if (i)
			samples_add(&s, t1 - t0);
	}
	report("xen_version");
}

static void bench_evtchn_send(void)
{
	evtchn_port_t port;

	if (!CHECK(evtchn_bind_ipi(0, &port) == 0, "bind_ipi(0) failed")) {
		ok = false;
		return;
	}
	evtchn_set_mask(port, true);
	for (unsigned int i = 0; i <= ITERS; i++) {
		u64 t0, t1;
		long rc;

		evtchn_clear_pending(port);
		t0 = rdtsc();
		rc = evtchn_send(port);
		t1 = rdtsc();
		if (rc || !evtchn_is_pending(port))
			ok = CHECK(false, "send: %ld, pending %d", rc,
				   evtchn_is_pending(port));
		if (i)
			samples_add(&s, t1 - t0);
	}
	evtchn_clear_pending(port);
	evtchn_set_mask(port, false);	/* the next bind may reuse the port */
	evtchn_close(port);
	report("evtchn_send");
}

/* End an upcall taken through the local APIC (Xen sets its ISR bit, as Linux's ack). */
static void apic_eoi(void)
{
	wrmsr_safe(MSR_X2APIC_EOI, 0);
}

/* Ping-pong: vCPU 1 answers each event on ping_port with one on pong_port. */
static evtchn_port_t ping_port, pong_port;
static volatile unsigned int pongs;
static volatile bool ap_ready;

static void ap_upcall(struct cpu_regs *regs)
{
	volatile struct vcpu_info *vi = &events_shared_info()->vcpu_info[1];

	vi->evtchn_upcall_pending = 0;
	__atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	if (evtchn_is_pending(ping_port)) {
		evtchn_clear_pending(ping_port);
		evtchn_send(pong_port);
	}
	apic_eoi();
}

/*
 * This vCPU's local APIC in x2APIC mode and software-enabled: Xen's starts in
 * xAPIC mode, disabled, and delivers no upcall vector through it until the
 * guest enables it (as Linux does); keel's starts so.
 */
static void apic_enable(void)
{
	u64 base;

	if (rdmsr_safe(MSR_APIC_BASE, &base) == NO_FAULT &&
	    !(base & APIC_BASE_EXTD))
		wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	wrmsr_safe(MSR_X2APIC_SVR, SVR_ENABLE_SPURIOUS_FF);
}

static void ap_main(void *arg)
{
	struct xen_hvm_evtchn_upcall_vector u = {
		.vcpu = 1, .vector = AP_UPCALL_VECTOR,
	};

	apic_enable();
	if (HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &u))
		return;
	ap_ready = true;
	for (;;)
		asm volatile("sti; hlt; cli" ::: "memory");
}

static void pong(evtchn_port_t port, void *data)
{
	pongs++;
	apic_eoi();
}

/* The AP's x2APIC id: Xen gives vCPU n id 2n, keel n. */
static unsigned int ap_apic_id(void)
{
	xen_extraversion_t extra = "";

	size_t n;

	HYPERVISOR_xen_version(XENVER_extraversion, extra);
	n = strnlen(extra, sizeof(extra));
	return n >= 4 && !memcmp(extra + n - 4, "keel", 4) ? 1 : 2;
}

static void bench_pingpong(void)
{
	set_exception_handler(AP_UPCALL_VECTOR, ap_upcall);
	if (evtchn_bind_ipi(1, &ping_port) || evtchn_bind_ipi(0, &pong_port) ||
	    ap64_start(ap_apic_id(), ap_main, NULL) ||
	    !spin_until(ap_ready, 1000000000ULL)) {
		printf("bench: pingpong skipped (no second vCPU)\n");
		return;
	}
	bind_port_handler(pong_port, pong, NULL);
	irq_disable();
	for (unsigned int i = 0; i <= ITERS; i++) {
		unsigned int want = pongs + 1;
		u64 t0 = rdtsc(), t1;

		evtchn_send(ping_port);
		while (pongs != want)
			asm volatile("sti; hlt; cli" ::: "memory");
		t1 = rdtsc();
		if (i)
			samples_add(&s, t1 - t0);
	}
	irq_enable();
	report("pingpong");
}

static void bench_grants(void)
{
	struct gnttab_copy_ptr src = gnttab_ref_ptr(SELF, GREF, 0);
	struct gnttab_copy_ptr dst = gnttab_local_ptr((uptr)pages[1], 0);
	grant_handle_t h;
	s16 st;

	if (!CHECK(gnttab_init((uptr)table_page, 1) == 0, "gnttab_init")) {
		ok = false;
		return;
	}
	memset(pages[0], 0x5a, sizeof(pages[0]));
	gnttab_grant_access(GREF, SELF, (uptr)pages[0], false);
	for (unsigned int i = 0; i <= ITERS; i++) {
		u64 t0 = rdtsc();
		long rc = gnttab_copy(&src, &dst, 4096, GNTCOPY_source_gref, &st);
		u64 t1 = rdtsc();

		if (rc || st != GNTST_okay)
			ok = CHECK(false, "copy: rc %ld status %d", rc, st);
		if (i)
			samples_add(&s, t1 - t0);
	}
	ok &= CHECK(pages[1][4095] == 0x5a, "the copy did not land");
	report("grant_copy");

	for (unsigned int i = 0; i <= ITERS; i++) {
		u64 t0 = rdtsc(), t1;
		long rc = gnttab_map(SELF, GREF, MAP_GPA, GNTMAP_host_map, &h, &st);

		if (rc || st != GNTST_okay) {
			ok = CHECK(false, "map: rc %ld status %d", rc, st);
			break;
		}
		rc = gnttab_unmap(h, MAP_GPA, &st);
		t1 = rdtsc();
		if (rc || st != GNTST_okay)
			ok = CHECK(false, "unmap: rc %ld status %d", rc, st);
		if (i)
			samples_add(&s, t1 - t0);
	}
	report("grant_map_unmap");
	gnttab_end_access(GREF);
}

static volatile u64 timer_tsc;

static void timer_fired(evtchn_port_t port, void *data)
{
	timer_tsc = rdtsc();
	apic_eoi();
}

static void bench_timer(void)
{
	evtchn_port_t port;

	if (!CHECK(evtchn_bind_virq(VIRQ_TIMER, 0, &port) == 0, "bind VIRQ_TIMER")) {
		ok = false;
		return;
	}
	bind_port_handler(port, timer_fired, NULL);
	evtchn_set_mask(port, false);
	irq_disable();
	for (unsigned int i = 0; i <= ITERS; i++) {
		u64 t0;

		timer_tsc = 0;
		t0 = rdtsc();
		HYPERVISOR_set_timer_op(pvclock_ns());
		while (!timer_tsc)
			asm volatile("sti; hlt; cli" ::: "memory");
		if (i)
			samples_add(&s, timer_tsc - t0);
	}
	irq_enable();
	report("timer");
}

int guest_main(const char *cmdline)
{
	apic_enable();
	if (!CHECK(events_init() == 0, "events_init"))
		return test_result("bench");
	bench_null();
	bench_xen_version();
	bench_evtchn_send();
	bench_grants();
	bench_timer();
	bench_pingpong();
	CHECK(ok, "a figure is missing or zero");
	printf("bench: done\n");
	return test_result("bench");
}
