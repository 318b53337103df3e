/* The fuzzer's round: raw calls with random arguments, writes into its own shared pages, directed sequences, and the mix of them all. */
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include <public/vcpu.h>
#include "ops.h"

#define SHARED_PENDING 2048		/* shared_info.evtchn_pending, then evtchn_mask */
#define SHARED_MASK 2560

static u64 raw_arg(void)
{
	switch (below(5)) {
	case 0:
	case 1:
		return gen_in_ptr(256);
	case 2:
	case 3:
		return gen_int();
	default:
		return gen_word();
	}
}

/*
 * Any hypercall number with random arguments, except what would end us
 * or move our frames: those sub-ops get built arguments instead.
 */
void op_raw(void)
{
	u64 nr = chance(80) ? below(64) : PICK(48, 64, 65, 255, 0x7fffffff, 0x80000000, ~0ULL,
					       gen_int());
	u64 a[5];
	u32 sub;

	for (unsigned int i = 0; i < 5; i++)
		a[i] = raw_arg();
	sub = a[0];
	/*
	 * A random argument may point at a page keel wrote junk into (scratch
	 * RAM): sub-ops that write where their argument says, or move frames,
	 * get built arguments instead.
	 */
	switch (nr) {
	case __HYPERVISOR_sched_op:
	case FZ_SCHED_OP_COMPAT:	/* block, shutdown, poll, remote_shutdown... */
		if (sub >= SCHEDOP_block && sub <= FZ_SCHEDOP_pin_override)
			a[0] = 0;
		break;
	case __HYPERVISOR_vcpu_op:	/* initialise, down, vcpu_info, runstate, time */
		if (sub == 0 || sub == 2 || sub == VCPUOP_register_runstate_memory_area ||
		    sub == VCPUOP_register_vcpu_info || sub == VCPUOP_set_periodic_timer ||
		    sub == VCPUOP_register_vcpu_time_memory_area) {
			op_vcpu();
			return;
		}
		break;
	case __HYPERVISOR_console_io:	/* garbage on keel's console */
		if (sub == CONSOLEIO_write)
			a[0] = 1;
		break;
	case __HYPERVISOR_memory_op:
		op_memory();
		return;
	case FZ_MULTICALL:		/* its entries could be any of the above */
		a[1] = 0;
		break;
	case __HYPERVISOR_grant_table_op:	/* setup, transfer, copy, replace, status */
		if (sub == GNTTABOP_setup_table || sub == GNTTABOP_transfer ||
		    sub == GNTTABOP_copy || sub == GNTTABOP_unmap_and_replace ||
		    sub == GNTTABOP_get_status_frames) {
			op_gnttab();
			return;
		}
		break;
	case __HYPERVISOR_event_channel_op:	/* FIFO control block and arrays */
		if (sub == EVTCHNOP_init_control || sub == EVTCHNOP_expand_array) {
			op_evtchn();
			return;
		}
		break;
	}
	for (unsigned int i = 0; i < 5; i++)	/* a batch may run to the guard */
		arena_dirty(a[i], ~0ULL);
	hc(nr, a[0], a[1], a[2], a[3], a[4]);
}

static void poke(u64 va, u64 val)
{
	if (!write_u64_safe(va, val))
		oracle_fail("writing %#lx faulted (vector %d): the fuzzer's page tables?", va,
			    last_fault.vector);
}

static u64 poke_value(void)
{
	return PICK(0, ~0ULL, rnd(), rnd(), BIT(below(64)), ~BIT(below(64)));
}

/* Place a frame of ours (shared_info, a grant frame) at @gfn; its address or 0. */
static u64 place_at(unsigned int space, u64 idx, u64 gfn)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = space, .idx = idx, .gpfn = gfn,
	};

	if (hc(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, put_in_arena(&x, sizeof(x)),
	       0, 0, 0))
		return 0;
	if (space == XENMAPSPACE_shared_info)
		S.sinfo_gpa = x.gpfn << 12;
	return x.gpfn << 12;
}

/* ... at a gfn we can write through our page tables. */
static u64 place(unsigned int space, u64 idx)
{
	return place_at(space, idx, gen_gfn_mapped());
}

/* Random words into our own shared_info, grant table or vcpu_info, right where keel just put them. */
void op_poke(void)
{
	u64 page, n = 1 + below(16);

	switch (below(3)) {
	case 0:
		page = place(XENMAPSPACE_shared_info, 0);
		if (!page)
			return;
		for (unsigned int i = 0; i < n; i++) {
			u64 off = PICK(SHARED_PENDING, SHARED_MASK, 0, 0) + below(512);

			poke(page + ALIGN_DOWN(off, 8), poke_value());
		}
		break;
	case 1:
		page = place(XENMAPSPACE_grant_table, chance(70) ? below(2) : below(64));
		if (!page)
			return;
		for (unsigned int i = 0; i < n; i++) {
			u16 flags = chance(60) ? GTF_permit_access | (chance(50) ? GTF_readonly : 0) :
				   rnd();
			u64 e = (u64)(u32)gen_gfn() << 32 | (u64)gen_domid() << 16 | flags;

			poke(page + below(512) * 8, e);
		}
		break;
	default:
		page = S.vinfo_pfn << 12;
		for (unsigned int i = 0; i < n; i++)
			poke(page + (chance(80) ? below(2) : below(8)) * 8, poke_value());
		break;
	}
}

/* Steps the audit's findings take, in order, so that the fuzzer meets them often. */
void op_sequence(void)
{
	struct vcpu_register_vcpu_info r = { .mfn = gen_gfn_mapped() };
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	struct vcpu_register_runstate_memory_area rs;
	u64 va;

	switch (below(3)) {
	case 0:		/* vcpu_info in a page that is then freed, then events for it */
		if ((S.known & BIT(1)) ||
		    hc(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0,
		       put_in_arena(&r, sizeof(r)), 0, 0))
			return;
		arena_sanitize();
		if (!chance(50) || !place_at(XENMAPSPACE_grant_table, below(2), r.mfn))
			place_at(XENMAPSPACE_shared_info, 0, r.mfn);
		arena_sanitize();
		va = put_in_arena(&ipi, sizeof(ipi));
		if (!hc(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, va, 0, 0, 0) &&
		    get(&ipi, va, sizeof(ipi))) {
			arena_sanitize();
			for (int i = 0; i < 3; i++) {
				hc(__HYPERVISOR_event_channel_op, EVTCHNOP_send,
				   put_in_arena(&ipi.port, 4), 0, 0, 0);
				arena_sanitize();
			}
			track_port(ipi.port);
		}
		break;
	case 1:		/* the runstate area in the peer's read-only page, then a switch */
		if (!S.ro_mapped || (S.known & BIT(8)))
			return;
		rs.addr = S.ro_gpa + below(4096 - 48);
		hc(__HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 0,
		   put_in_arena(&rs, sizeof(rs)), 0, 0);
		arena_sanitize();
		hc(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
		break;
	default:	/* shared_info hopping to new 2 MiB regions */
		for (int i = 0; i < 4; i++) {
			place(XENMAPSPACE_shared_info, 0);
			arena_sanitize();
		}
		break;
	}
}

/*
 * A pointer with bits 48-63 set that keel's page walk would take for one
 * into our arena if it dropped them: Xen and the CPU refuse it (-EFAULT).
 */
void op_noncanonical(void)
{
	u64 va = BIT(63) | (L.arena + ALIGN_DOWN(below(ARENA_SIZE - 16), 8));
	long rc;

	if (S.known & BIT(FZ_FINDING_NONCANONICAL))
		return;
	arena_dirty(va & ~BIT(63), 16);
	rc = hc(__HYPERVISOR_xen_version, XENVER_extraversion, va, 0, 0, 0);
	if (rc != -EFAULT)
		oracle_fail("XENVER_extraversion to the non-canonical %#lx: %ld, want %d", va,
			    rc, -EFAULT);
}

struct weighted {
	void (*fn)(void);
	unsigned int weight;
};

static const struct weighted mix[] = {
	{ op_raw, 20 }, { op_xen_version, 5 }, { op_console_io, 2 }, { op_sched, 6 },
	{ op_vcpu, 8 }, { op_set_timer, 3 }, { op_memory, 12 }, { op_gnttab, 14 },
	{ op_evtchn, 14 }, { op_hvm, 5 }, { op_keel, 3 }, { op_hypercall_page, 2 },
	{ op_poke, 6 }, { op_sequence, 2 }, { op_noncanonical, 1 },
};

void fuzz_one(void)
{
	unsigned int total = 0, r;

	for (unsigned int i = 0; i < ARRAY_SIZE(mix); i++)
		total += mix[i].weight;
	r = below(total);
	for (unsigned int i = 0; i < ARRAY_SIZE(mix); i++) {
		if (r < mix[i].weight) {
			mix[i].fn();
			break;
		}
		r -= mix[i].weight;
	}
	arena_sanitize();
}
