/* Hypercall dispatch (Xen numbering) and the hypercall page. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page.h>
#include <keel/percpu.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/xen.h>

#define HYPERCALL_STUB_SIZE 32

long hypercall_create_continuation(struct vcpu *v, unsigned int nr,
				   const unsigned long *args, unsigned int nargs)
{
	ASSERT(nargs <= 5);
	/* The registers and RIP are the loaded vCPU's. */
	ASSERT(this_cpu()->curr == v && READ_ONCE(v->is_running));
	arch_hypercall_continuation(v, nr, args, nargs);
	v->hcall_preempted = true;	/* the arch's exit handler keeps RIP */
	return -ERESTART;
}

static long dispatch(struct vcpu *v, unsigned long nr, unsigned long args[5])
{
	switch (nr) {
	case __HYPERVISOR_xen_version:
		return do_xen_version(v, args[0], args[1]);
	case __HYPERVISOR_console_io:
		return do_console_io(v, args[0], args[1], args[2]);
	case __HYPERVISOR_sched_op:
		return do_sched_op(v, args[0], args[1]);
	case __HYPERVISOR_vcpu_op:
		return do_vcpu_op(v, args[0], args[1], args[2]);
	case __HYPERVISOR_set_timer_op:
		return do_set_timer_op(v, args[0]);
	case __HYPERVISOR_vm_assist:
		return do_vm_assist(v, args[0], args[1]);
	case __HYPERVISOR_memory_op:
		return do_memory_op(v, args[0], args[1]);
	case __HYPERVISOR_hvm_op:
		return do_hvm_op(v, args[0], args[1]);
	case __HYPERVISOR_event_channel_op:
		return do_event_channel_op(v, args[0], args[1]);
	case __HYPERVISOR_keel_op:
		return do_keel_domctl(v, args[0]);
	case __HYPERVISOR_grant_table_op:
		return do_grant_table_op(v, args[0], args[1], args[2]);
	default:	/* not logged, as Xen's: a guest would fill keel's log */
		return -ENOSYS;
	}
}

long do_hypercall(struct vcpu *v, unsigned long nr, unsigned long args[5])
{
	long rc;

	ASSERT(!v->hcall_preempted);
	v->hcall_count[nr < KEEL_STATS_HCALLS ? nr : KEEL_STATS_HCALLS - 1]++;
	rc = dispatch(v, nr, args);
	/* -ERESTART never reaches a guest: it comes with a continuation only. */
	ASSERT((rc == -ERESTART) == v->hcall_preempted);
	return rc;
}

/*
 * Each stub: mov $nr, %eax; vmcall (vmmcall on SVM); ret (what older
 * Linux calls into).
 * Only into a writable page the domain owns, held while keel writes it:
 * never a read-only grant mapping or keel's own pages.
 */
int hypercall_page_write(struct domain *d, u64 gpa)
{
	u64 hpa;
	u8 *page;

	if (gpa & (PAGE_SIZE - 1) ||
	    p2m_get_page(d, gpa, P2M_OWNED | P2M_WRITE, &hpa, NULL))
		return -EINVAL;
	page = phys_to_virt(hpa);
	memset(page, 0xcc, PAGE_SIZE);	/* int3 between stubs */
	for (unsigned int nr = 0; nr < PAGE_SIZE / HYPERCALL_STUB_SIZE; nr++) {
		u8 *stub = page + nr * HYPERCALL_STUB_SIZE;

		stub[0] = 0xb8;			/* mov $nr, %eax */
		memcpy(stub + 1, &nr, 4);
		arch_hypercall_insn(stub + 5);
		stub[8] = 0xc3;			/* ret */
	}
	put_page(hpa);
	return 0;
}
