/* Fuzz harness: keel's hypercall handlers on real domains, driven by step sequences. */
/*
 * Real domains (dom0, privileged, and two unprivileged ones) on a fake host RAM arena with
 * keel's page allocator reach the handlers as guests do. The input is a
 * sequence of steps: a hypercall from a runnable vCPU (its argument written into the
 * caller's own memory, with pointers the fuzzer picks among interesting guest addresses),
 * a guest's write to its own memory or grant table, time passing (timers fire), tasklets,
 * a vCPU moving CPU. After each step the p2ms are checked (hv_check.c); at the end every
 * domain is destroyed and every page must be back. The format: hypercall_format.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/hypercall.h>
#include <keel/page_alloc.h>
#include <keel/pvh_layout.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include <public/xen.h>
#include "fuzz_input.h"
#include "hv_env.h"
#include "hypercall_format.h"

/* d1 has a 2 MiB page of RAM at RAM_2M_GPA; d0 and d2 are smaller, which runs faster. */
#define DOM_MEM MiB(4)
#define SMALL_DOM_MEM MiB(2)
#define NR_BOOT_DOMS 3
#define MAX_STEPS 96
#define MAX_CONTINUATIONS 32	/* a preempted call re-issued at most this often per step */
#define ARG_MAX 256

#define EPT_W BIT(1)

/* ---- guest memory ------------------------------------------------------- */

/* A guest store: only where its p2m lets it write (EPT), else nothing happens. */
static void guest_write(struct domain *d, u64 gpa, const void *src, size_t len)
{
	const u8 *s = src;

	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		u64 hpa, attr;

		if (p2m_lookup(d, gpa & PAGE_MASK, &hpa, &attr) || !(attr & EPT_W))
			return;
		memcpy((u8 *)phys_to_virt(hpa & PAGE_MASK) + (gpa & (PAGE_SIZE - 1)), s,
		       chunk);
		gpa += chunk;
		s += chunk;
		len -= chunk;
	}
}

/* An address the fuzzer chose (enum hc_target). */
static u64 target_gpa(u8 sel, u8 extra)
{
	switch (sel % 16) {
	case HC_T_ARG: return ARG_GPA;
	case HC_T_ARG2: return ARG2_GPA + extra * 8;
	case HC_T_ARG2_END: return ARG2_GPA + PAGE_SIZE - 8 + (extra % 16);
	case HC_T_HOLE: return HOLE_GPA;
	case HC_T_HOLE_N: return HOLE_GPA + PFN_PHYS(extra);
	case HC_T_TABLE: return TABLE_GPA + PFN_PHYS(extra % 4);
	case HC_T_SHINFO: return SHINFO_GPA;
	case HC_T_SPECIAL: return PVH_SPECIAL_GPA(extra % (PVH_SPECIAL_PAGES + 1));
	case HC_T_RAM_2M: return RAM_2M_GPA + PFN_PHYS(extra);
	case HC_T_RAM_4K: return RAM_4K_GPA + PFN_PHYS(extra % 128);
	case HC_T_BAD: return BAD_GPA;
	case HC_T_ALIAS: return PT_ADDR_LIMIT + ARG2_GPA;
	case HC_T_BOOT: return PVH_BOOT_PAGE_GPA;
	case HC_T_LOW: return PFN_PHYS(extra);
	case HC_T_RAM_END: return pvh_ram_end(DOM_MEM) - PAGE_SIZE + extra;
	default: return (u64)extra << 40;
	}
}

/* ---- the domains ---------------------------------------------------------- */

static struct fuzz_input in;

static struct domain *boot_domain(domid_t id, unsigned int vcpus, bool privileged)
{
	struct domain *d = domain_create(id, vcpus);

	if (!d || domain_set_memory(d, id == 1 ? DOM_MEM : SMALL_DOM_MEM) ||
	    domain_setup_special_pages(d))
		hv_fail("cannot build d%u", id);
	d->privileged = privileged;
	for (unsigned int i = 0; i < vcpus; i++)
		vcpu_up(d->vcpus[i]);
	return d;
}

/*
 * One VMCALL of @v: the registers hold the call, as the guest set them. True when keel
 * preempted it with a continuation: the registers then hold the rest of the call and the
 * guest's RIP stays on the VMCALL (arch/x86/vmx/vmexit.c).
 */
static bool vmcall(struct vcpu *v, long *rc)
{
	struct guest_regs *r = &v->arch.regs;
	unsigned long args[5] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
	unsigned long nr = r->rax;
	bool preempted;

	hv_enter(v);
	*rc = do_hypercall(v, nr, args);
	preempted = v->hcall_preempted;
	v->hcall_preempted = false;
	if (!preempted)
		r->rax = *rc;
	hv_leave(v);
	if (hv_verbose())
		fprintf(stderr, "d%u v%u: hypercall %lu (%#lx, %#lx, %#lx) = %ld%s\n",
			v->domain->id, v->id, nr, args[0], args[1], args[2], *rc,
			preempted ? ", continued" : "");
	return preempted;
}

static long hypercall(struct vcpu *v, unsigned long nr, unsigned long a0, unsigned long a1,
		      unsigned long a2)
{
	long rc;

	v->arch.regs = (struct guest_regs){ .rax = nr, .rdi = a0, .rsi = a1, .rdx = a2 };
	if (vmcall(v, &rc))
		hv_fail("d%u: a setup hypercall was preempted", v->domain->id);
	return rc;
}

/* What Linux does first: shared_info over a RAM page, grant frames 0 and 1 in a hole. */
static void place_frames(struct domain *d)
{
	struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
					.gpfn = PFN_DOWN(SHINFO_GPA) };

	for (unsigned int i = 0; i < 3; i++) {
		if (i)
			x = (struct xen_add_to_physmap){ .domid = DOMID_SELF,
				.space = XENMAPSPACE_grant_table, .idx = i - 1,
				.gpfn = PFN_DOWN(TABLE_GPA) + i - 1 };
		guest_write(d, ARG_GPA, &x, sizeof(x));
		if (hypercall(d->vcpus[0], __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
			      ARG_GPA, 0))
			hv_fail("d%u: cannot place its shared_info and grant frames", d->id);
	}
}

/* A runnable vCPU of a live domain (ids below HC_MAX_CALLER), as the fuzzer names it. */
static struct vcpu *pick_vcpu(u8 who)
{
	struct domain *d = domain_held(who % HC_MAX_CALLER);
	struct vcpu *v;

	if (!d || d->dying || !d->nr_vcpus)
		return NULL;
	v = d->vcpus[(who / HC_MAX_CALLER) % d->nr_vcpus];
	return vcpu_runnable(v) ? v : NULL;
}

/* ---- the steps ------------------------------------------------------------ */

static const struct {
	unsigned long nr;
	int ptr;		/* which argument is the pointer; -1: none */
	int count;		/* which is cnt (a count, vCPU or length); -1: none */
} calls[HC_CALL_RAW] = {
	[HC_CALL_MEMORY] = { __HYPERVISOR_memory_op, 1, -1 },
	[HC_CALL_GRANT] = { __HYPERVISOR_grant_table_op, 1, 2 },
	[HC_CALL_EVTCHN] = { __HYPERVISOR_event_channel_op, 1, -1 },
	[HC_CALL_VCPU] = { __HYPERVISOR_vcpu_op, 2, 1 },
	[HC_CALL_DOMCTL] = { __HYPERVISOR_keel_op, 0, -1 },
	[HC_CALL_SCHED] = { __HYPERVISOR_sched_op, 1, -1 },
	[HC_CALL_HVM] = { __HYPERVISOR_hvm_op, 1, -1 },
	[HC_CALL_CONSOLE] = { __HYPERVISOR_console_io, 2, 1 },
	[HC_CALL_VERSION] = { __HYPERVISOR_xen_version, 1, -1 },
	[HC_CALL_TIMER] = { __HYPERVISOR_set_timer_op, -1, -1 },
};

/* Replace the tagged words of @buf (HC_TAG) by the addresses or frames they name. */
static void untag(u8 *buf, size_t len)
{
	for (size_t off = 0; off + 8 <= len; off += 8) {
		u64 w;

		memcpy(&w, buf + off, 8);
		if (w >> 40 != HC_TAG_MARK)
			continue;
		w = (w >> 16) & HC_TAG_GFN ? PFN_DOWN(target_gpa((u8)w, (u8)(w >> 8))) :
					     target_gpa((u8)w, (u8)(w >> 8));
		memcpy(buf + off, &w, 8);
	}
}

/* Write a pointer (or frame number) the fuzzer chose into the argument. */
static void fixup(u8 *arg, size_t *len)
{
	u8 off = fi_u8(&in), kind = fi_u8(&in), extra = fi_u8(&in);
	u64 v = target_gpa(kind, extra);
	size_t width = kind & 0x20 ? 4 : kind & 0x40 ? 2 : 8;

	if (kind & 0x10)
		v = PFN_DOWN(v);
	memcpy(arg + off, &v, width);
	*len = MAX(*len, (size_t)off + width);
}

/* Returns the hypercall's number, or 0 when no vCPU could make it. */
static unsigned long step_hypercall(void)
{
	u8 arg[ARG_MAX + 8] = { 0 }, arg2[ARG_MAX];
	u8 who, call, cmd, cnt, ptr, ptr_extra, nfix, preempt;
	unsigned long a[3] = { 0 }, nr;
	size_t len, len2;
	struct domain *d;
	struct vcpu *v;
	u64 count;
	long rc;
	int p = 1, c = 2;

	who = fi_u8(&in);
	call = fi_u8(&in) % 16;
	cmd = fi_u8(&in);
	cnt = fi_u8(&in);
	count = cnt == 0xff ? fi_u32(&in) : cnt;
	ptr = fi_u8(&in);
	ptr_extra = fi_u8(&in);
	len = fi_u8(&in);
	fi_bytes(&in, arg, len);
	for (nfix = fi_u8(&in) % 5; nfix; nfix--)
		fixup(arg, &len);
	len2 = fi_u8(&in);
	fi_bytes(&in, arg2, len2);
	untag(arg, len);
	untag(arg2, len2);
	a[0] = cmd;
	if (call < HC_CALL_RAW) {
		nr = calls[call].nr;
		p = calls[call].ptr;
		c = calls[call].count;
	} else {
		nr = cmd;		/* any number, unknown ones too */
		a[0] = fi_u8(&in);
	}
	preempt = fi_u8(&in);
	v = pick_vcpu(who);
	if (!v)
		return 0;
	d = v->domain;
	guest_write(d, ARG_GPA, arg, len);
	guest_write(d, ARG2_GPA, arg2, len2);
	if (p >= 0)
		a[p] = target_gpa(ptr, ptr_extra);
	if (c >= 0)
		a[c] = count;
	if (nr == __HYPERVISOR_set_timer_op)
		a[0] = cnt == 0xff ? count : cnt ? now_ns() + cnt * MILLISECS(1) / 4 : 0;

	/* Ours while the call and its continuations run (a tasklet may destroy it). */
	domain_hold(d);
	v->arch.regs = (struct guest_regs){ .rax = nr, .rdi = a[0], .rsi = a[1], .rdx = a[2] };
	hv_preempt_after = preempt;
	for (unsigned int round = 0; vmcall(v, &rc) && round < MAX_CONTINUATIONS; round++) {
		struct guest_regs *r = &v->arch.regs;
		u64 *const regs[6] = { &r->rax, &r->rdi, &r->rsi, &r->rdx, &r->r10, &r->r8 };
		u8 tamper = fi_u8(&in);

		/* keel's loop does what was pending, then the vCPU runs again. */
		hv_run_timers(v->processor);
		hv_run_tasklets();
		/* A hostile guest changes a register before the VMCALL runs again. */
		if (tamper)
			*regs[tamper % 6] ^= fi_u32(&in);
		if (d->dying || !vcpu_runnable(v))
			break;
		hv_preempt_after = preempt;
	}
	hv_preempt_after = 0;
	domain_put(d);
	return nr;
}

static void step_guest_write(void)
{
	u8 who = fi_u8(&in), sel = fi_u8(&in), extra = fi_u8(&in), buf[ARG_MAX];
	u16 off = fi_u16(&in) % PAGE_SIZE;
	size_t len = fi_u8(&in);
	struct domain *d = domain_held(who % HC_MAX_CALLER);

	fi_bytes(&in, buf, len);
	if (d && !d->dying)
		guest_write(d, (target_gpa(sel, extra) & PAGE_MASK) + off, buf, len);
}

/* Grant entries name domains below this, or DOMID_SELF (the table once had 64 slots). */
#define HC_FUZZ_DOMIDS 64

/* The guest fills in one of its grant entries (frame and domid before the flags). */
static void step_grant_entry(void)
{
	u8 who = fi_u8(&in), sel = fi_u8(&in), extra = fi_u8(&in);
	u16 ref = fi_u16(&in) % (2 * PAGE_SIZE / sizeof(grant_entry_v1_t));
	u16 flags = fi_u16(&in), domid = fi_u16(&in) % (HC_FUZZ_DOMIDS + 2);
	u32 frame = PFN_DOWN(target_gpa(sel, extra));
	struct domain *d = domain_held(who % HC_MAX_CALLER);
	u64 at = TABLE_GPA + ref * sizeof(grant_entry_v1_t);

	if (!d || d->dying)
		return;
	if (domid == HC_FUZZ_DOMIDS + 1)
		domid = DOMID_SELF;
	guest_write(d, at + offsetof(grant_entry_v1_t, frame), &frame, sizeof(frame));
	guest_write(d, at + offsetof(grant_entry_v1_t, domid), &domid, sizeof(domid));
	guest_write(d, at + offsetof(grant_entry_v1_t, flags), &flags, sizeof(flags));
}

static void step_time(void)
{
	u16 t = fi_u16(&in);

	hv_time_advance(t == 0xffff ? 10 * NSEC_PER_SEC : (u64)t << 10);
	for (unsigned int cpu = 0; cpu < HV_NR_CPUS; cpu++)
		hv_run_timers(cpu);
}

static void step_migrate(void)
{
	struct vcpu *v = pick_vcpu(fi_u8(&in));

	if (v)
		hv_migrate(v, !v->processor);
}

/* The toolstack destroys whatever is left; then nothing of any domain may remain. */
static void finish(u64 free_at_start)
{
	domid_t id = 0;
	struct domain *d;

	while ((d = domain_next(&id))) {
		domain_destroy(d);
		domain_put(d);
	}
	hv_run_tasklets();
	hv_check_all_freed(free_at_start);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u64 free_at_start;
	unsigned long nr;
	u8 config;

	in = (struct fuzz_input){ data, size };
	config = fi_u8(&in);
	hv_env_reset();
	hv_sched_reset();
	free_at_start = hv_free_pages();
	boot_domain(0, 1 + (config & 1), true);
	boot_domain(1, 1 + ((config >> 1) & 3) % 3, false);
	boot_domain(2, 1 + ((config >> 3) & 1), false);
	if (!(config & 0x80))
		for (domid_t id = 0; id < NR_BOOT_DOMS; id++)
			place_frames(domain_held(id));
	hv_check_p2ms();
	for (unsigned int steps = 0; steps < MAX_STEPS && in.left && !hv_stopped; steps++) {
		/* Only these hypercalls and tasklets (shutdown, destroy) change p2ms. */
		switch (fi_u8(&in) % 8) {
		case HC_STEP_HYPERCALL: case 1: case 2:
			nr = step_hypercall();
			if (nr == __HYPERVISOR_memory_op || nr == __HYPERVISOR_grant_table_op ||
			    nr == __HYPERVISOR_keel_op || nr == __HYPERVISOR_sched_op)
				hv_check_p2ms();
			break;
		case HC_STEP_WRITE:
			step_guest_write();
			break;
		case HC_STEP_GRANT:
			step_grant_entry();
			break;
		case HC_STEP_TIME:
			step_time();
			break;
		case HC_STEP_TASKLETS:
			hv_run_tasklets();
			hv_check_p2ms();
			break;
		case HC_STEP_MIGRATE:
			step_migrate();
			break;
		}
	}
	hv_check_p2ms();
	finish(free_at_start);
	return 0;
}
