/* The fuzzer's calls to xen_version, console_io, sched_op, vcpu_op, set_timer_op, hvm_op, keel_op and the hypercall-page MSR. */
#include <public/hvm_op.h>
#include <public/keel_domctl.h>
#include <public/vcpu.h>
#include "ops.h"

#define NR_VECTOR_PARAMS 44		/* HVM params keel has, and a few more */

u8 tmp[8192];

void op_xen_version(void)
{
	/* What each sub-op reads or writes, by Xen's ABI. */
	static const u16 sizes[] = { 0, 16, 144, 1024, 64, 8, 8, 0, 16, 1024, 8, 8 };
	u64 cmd = chance(90) ? below(14) : gen_int();
	u64 size = cmd < ARRAY_SIZE(sizes) ? sizes[cmd] : 64;
	u32 *w = (u32 *)tmp;

	memset(tmp, 0, 8);
	if (cmd == XENVER_get_features) {
		w[0] = chance(70) ? below(3) : gen_int();	/* submap_idx */
	} else if (cmd == 10) {				/* build_id: len, then bytes */
		w[0] = chance(50) ? below(64) : gen_int();
		size = 8 + MIN(w[0], 1024u);
	}
	memset(tmp + 8, 0, size - MIN(size, 8ULL));
	hc(__HYPERVISOR_xen_version, cmd, chance(80) ? put(tmp, size) : gen_ptr(size),
	   gen_int(), 0, 0);
}

void op_console_io(void)
{
	static const char line[] = "fuzzer: a console_io line\n";

	switch (below(6)) {
	case 0:		/* rare: every one is a line on keel's console */
		if (chance(5))
			hc(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(line) - 1,
			   put_in_arena(line, sizeof(line) - 1), 0, 0);
		break;
	case 1:
		hc(__HYPERVISOR_console_io, CONSOLEIO_write,
		   PICK(65537, 0x7fffffff, 0x80000000, 0xffffffff, ~0ULL), gen_ptr(64), 0, 0);
		break;
	case 2:		/* nothing keel could print from */
		hc(__HYPERVISOR_console_io, CONSOLEIO_write, 1 + below(4096), gen_bad_ptr(),
		   0, 0);
		break;
	case 3:
		hc(__HYPERVISOR_console_io, 1 /* CONSOLEIO_read */, gen_count(),
		   gen_ptr(4096), 0, 0);
		break;
	case 4:
		hc(__HYPERVISOR_console_io, CONSOLEIO_write, 0, gen_ptr(8), 0, 0);
		break;
	default:
		hc(__HYPERVISOR_console_io, gen_int() | 1, gen_int(), gen_ptr(64), gen_int(),
		   0);
		break;
	}
}

/*
 * An absolute timeout keel reaches soon after @now: poll and block must
 * come back. Never 0 (no timeout) and never "before boot": in keel's first
 * second, now - 1 s wraps to the far future (finding 23).
 */
u64 soon_after(u64 now)
{
	switch (below(4)) {
	case 0:
		return 1;				/* long past */
	case 1:
		return MAX(now - below(MIN(now, NS_PER_MS * 1000)), 1ULL);
	default:
		return now + 1 + below(2 * NS_PER_MS);
	}
}

static u64 soon(void)
{
	return soon_after(now_ns());
}

/*
 * Never SCHEDOP_shutdown with a real reason, never a poll or block that
 * nothing ends: their arguments are built here, in the arena or where keel
 * cannot read them, not left to chance.
 */
void op_sched(void)
{
	struct sched_poll *p = (struct sched_poll *)tmp;
	u32 *w = (u32 *)tmp;
	u64 nr, cmd;

	memset(tmp, 0, 64);
	switch (below(10)) {
	case 0:
		hc(__HYPERVISOR_sched_op, SCHEDOP_yield, gen_ptr(8), 0, 0, 0);
		break;
	case 1:
	case 2: {
		u32 ports[130];

		nr = chance(60) ? below(4) : PICK(0, 1, 127, 128, 129, 1024, 0xffffffff,
						  gen_int());
		for (unsigned int i = 0; i < MIN(nr, (u64)ARRAY_SIZE(ports)); i++)
			ports[i] = gen_port();
		p->ports = chance(90) ? put(ports, 4 * MIN(nr, (u64)ARRAY_SIZE(ports))) :
				       gen_ptr(4 * MIN(nr, 64ULL));
		p->nr_ports = nr;
		p->timeout = soon();
		hc(__HYPERVISOR_sched_op, SCHEDOP_poll,
		   chance(90) ? put_in_arena(p, sizeof(*p)) : gen_bad_ptr(), 0, 0, 0);
		break;
	}
	case 3:
		self_ipi();
		hc(__HYPERVISOR_sched_op, SCHEDOP_block, gen_ptr(8), 0, 0, 0);
		break;
	case 4:
	case 5:		/* shutdown and shutdown_code with no valid reason */
		w[0] = SHUTDOWN_MAX + 1 + below(chance(50) ? 8 : 0x7ffffff0);
		hc(__HYPERVISOR_sched_op, chance(50) ? SCHEDOP_shutdown : SCHEDOP_shutdown_code,
		   chance(80) ? put_in_arena(tmp, 4) : gen_bad_ptr(), 0, 0, 0);
		break;
	case 6: {
		struct fz_sched_remote_shutdown *r = (void *)tmp;
		long rc;

		r->domain_id = gen_domid();
		if (r->domain_id == DOMID_SELF || r->domain_id == S.self)
			r->domain_id = S.peer;
		r->reason = chance(80) ? below(SHUTDOWN_MAX + 1) : gen_int();
		rc = hc(__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown,
			chance(90) ? put_in_arena(r, sizeof(*r)) : gen_bad_ptr(), 0, 0, 0);
		if (rc >= 0 && other_domain(r->domain_id))
			oracle_fail("SCHEDOP_remote_shutdown of d%u: %ld", r->domain_id, rc);
		break;
	}
	case 7:		/* a watchdog that could fire is left out */
		w[0] = chance(50) ? 0 : gen_int();
		w[1] = 0;
		hc(__HYPERVISOR_sched_op, FZ_SCHEDOP_watchdog,
		   chance(90) ? put_in_arena(tmp, 8) : gen_bad_ptr(), 0, 0, 0);
		break;
	case 8:
		w[0] = gen_int();
		hc(__HYPERVISOR_sched_op, FZ_SCHEDOP_pin_override, put(tmp, 4), 0, 0, 0);
		break;
	default:
		cmd = gen_int();
		if ((u32)cmd <= FZ_SCHEDOP_pin_override)	/* keel reads an int */
			cmd += 8;
		hc(__HYPERVISOR_sched_op, cmd, gen_ptr(64), gen_int(), 0, 0);
		break;
	}
}

void op_vcpu(void)
{
	u64 cmd = chance(85) ? PICK(3, 5, 6, 7, 8, 9, 10, 13, 3, 5, 6, 8, 10, 13, 0, 1, 2, 4,
				   11, 12, 14, 15, 16, 17, 18, 19, 20) : gen_int();
	u64 vcpu = chance(70) ? 0 : gen_vcpu(), size = 64;
	u64 *q = (u64 *)tmp;
	u32 *w = (u32 *)tmp;

	/* VCPUOP_initialise or VCPUOP_down of our only vCPU would end us. */
	if (((u32)cmd == 0 || (u32)cmd == 2) && (u32)vcpu == 0)
		vcpu = 1 + below(8);
	memset(tmp, 0, 64);
	switch (cmd) {
	case VCPUOP_register_runstate_memory_area:
	case VCPUOP_register_vcpu_time_memory_area:
		/*
		 * Not in the arena: keel writes these whenever we are scheduled,
		 * also between a call's parts, and arena_sanitize() would not see it.
		 */
		q[0] = gen_ptr(48);
		if (in_arena(q[0], 1))
			q[0] = gen_bad_ptr();
		size = 8;
		break;
	case VCPUOP_set_periodic_timer:
		q[0] = chance(80) ? PICK(0, 1, 999999, 1000000, 1000001, 10 * NS_PER_MS,
					 100 * NS_PER_MS, 1000 * NS_PER_MS) : gen_int();
		if ((S.known & BIT(FZ_FINDING_PERIOD_OVERFLOW)) && q[0] > BIT(62))
			q[0] = BIT(62);	/* now + period wraps: the timer fires forever */
		size = 8;
		break;
	case VCPUOP_set_singleshot_timer:
		q[0] = chance(80) ? soon() : PICK(0, ~0ULL, BIT(63), gen_int());
		w[2] = chance(70) ? below(4) : gen_int();
		size = 16;
		break;
	case VCPUOP_register_vcpu_info:	/* elsewhere, then freed: finding 1 */
		q[0] = chance(25) || (S.known & BIT(1)) ? S.vinfo_pfn : gen_gfn();
		w[2] = chance(60) ? below(8) * 8 : chance(50) ? below(4096) : gen_int();
		w[3] = chance(90) ? 0 : gen_int();
		size = 16;
		break;
	default:
		for (unsigned int i = 0; i < 8; i++)
			q[i] = gen_word();
		break;
	}
	/* A period or a vcpu_info frame from junk could bring back a finding left out. */
	if (cmd == VCPUOP_set_periodic_timer || cmd == VCPUOP_register_vcpu_info)
		hc(__HYPERVISOR_vcpu_op, cmd, vcpu,
		   chance(90) ? put_in_arena(tmp, size) : gen_bad_ptr(), 0, 0);
	else
		hc(__HYPERVISOR_vcpu_op, cmd, vcpu, put(tmp, size), 0, 0);
}

void op_set_timer(void)
{
	hc(__HYPERVISOR_set_timer_op, chance(70) ? soon() : PICK(0, ~0ULL, BIT(63), gen_int()),
	   0, 0, 0, 0);
}

void op_hvm(void)
{
	u64 cmd = chance(85) ? PICK(0, 0, 1, 1, 23, 9, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 14, 15,
				   16, 17, 18, 19, 20, 21, 22, 24, 25) : gen_int();
	struct xen_hvm_param *p = (struct xen_hvm_param *)tmp;
	long rc;

	memset(tmp, 0, 64);
	switch (cmd) {
	case HVMOP_set_param:
	case HVMOP_get_param:
		p->domid = chance(70) ? PICK(DOMID_SELF, S.self) : gen_domid();
		p->index = chance(85) ? below(NR_VECTOR_PARAMS) : gen_int();
		p->value = chance(50) ? (u64)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | below(256) :
			   gen_int();
		rc = hc(__HYPERVISOR_hvm_op, cmd, put(p, sizeof(*p)), 0, 0, 0);
		if (rc >= 0 && put_placed() && cmd == HVMOP_set_param && other_domain(p->domid))
			oracle_fail("HVMOP_set_param %u on d%u: %ld", p->index, p->domid, rc);
		break;
	case HVMOP_set_evtchn_upcall_vector: {
		struct xen_hvm_evtchn_upcall_vector *u = (void *)tmp;

		u->vcpu = gen_vcpu();
		u->vector = rnd();
		hc(__HYPERVISOR_hvm_op, cmd, put(u, sizeof(*u)), 0, 0, 0);
		break;
	}
	default:
		for (unsigned int i = 0; i < 8; i++)
			((u64 *)tmp)[i] = gen_word();
		hc(__HYPERVISOR_hvm_op, cmd, put(tmp, 64), 0, 0, 0);
		break;
	}
}

/* keel's domain control: every command must be refused to an unprivileged domain. */
void op_keel(void)
{
	struct keel_domctl *op = (struct keel_domctl *)tmp;
	long rc;

	for (unsigned int i = 0; i < sizeof(*op) / 8; i++)
		((u64 *)tmp)[i] = gen_word();
	op->cmd = chance(85) ? below(18) : gen_int();
	op->version = chance(85) ? KEEL_DOMCTL_VERSION : gen_int();
	op->domain = gen_domid();
	rc = hc(__HYPERVISOR_keel_op, put(op, sizeof(*op)), gen_int(), 0, 0, 0);
	if (rc >= 0)
		oracle_fail("keel_op %u on d%u: %ld", op->cmd, op->domain, rc);
}

/* Xen's hypercall-page MSR: keel writes a page of stubs at any frame but ours. */
void op_hypercall_page(void)
{
	u64 gpa = gen_gfn() << 12;

	if (chance(10))
		gpa |= below(4096);
	if (S.iter >= S.trace_from)
		printf("fuzzer: #%lu wrmsr %#x %#lx\n", S.iter, FZ_HYPERCALL_PAGE_MSR, gpa);
	wrmsr_safe(FZ_HYPERCALL_PAGE_MSR, gpa);
}
