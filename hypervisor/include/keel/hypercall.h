/* Hypercall dispatch and the handlers' shared helpers. */
#ifndef KEEL_HYPERCALL_H
#define KEEL_HYPERCALL_H

#include <keel/types.h>

struct vcpu;
struct domain;

/* Run hypercall @nr for @v with the guest's five argument registers. */
long do_hypercall(struct vcpu *v, unsigned long nr, unsigned long args[5]);

/*
 * Preemption, as Xen's hypercall_preempt_check() and
 * hypercall_create_continuation(): a handler whose loop length the guest
 * controls asks, every few iterations, whether this CPU has other work (a
 * kick, a due timer, a tasklet, its vCPU paused or stopped). If so it
 * records its progress in the hypercall's arguments and returns
 * hypercall_create_continuation(): the guest's registers get hypercall
 * @nr with the @nargs arguments @args and its RIP stays on the VMCALL, so
 * that the call goes on when the vCPU next runs, after keel's loop has
 * done what was pending. The guest sees only its argument registers
 * change (Xen's ABI allows it). Each call must make progress first.
 */
bool hypercall_preempt_check(void);
long hypercall_create_continuation(struct vcpu *v, unsigned int nr,
				   const unsigned long *args, unsigned int nargs);
/* Every this many iterations of a guest-sized loop, hypercall_preempt_check(). */
#define HYPERCALL_PREEMPT_EVERY 16

/* Fill the guest page at @gpa with VMCALL stubs (the hypercall-page MSR). */
int hypercall_page_write(struct domain *d, u64 gpa);

/* Copy to and from guest-virtual addresses of @v's current address space. */
int copy_from_guest(struct vcpu *v, void *dst, u64 va, u64 len);
int copy_to_guest(struct vcpu *v, u64 va, const void *src, u64 len);
/*
 * A reference to the page of @v's domain's own RAM that guest-virtual @va
 * is in, which its page tables and the p2m let it read and, if @write,
 * write: 0 with the frame in *@hpa (page aligned), or -EFAULT. For a
 * handler that reads and writes many items of one guest array (a grant
 * batch): one translation per page, not two per item. The reference
 * keeps the frame, not @va's translation, which the guest may change:
 * the caller uses the page only within its hypercall and put_page()s it.
 * Pages another domain lends (grant or foreign mappings) are refused, as
 * the lender may take them back meanwhile: copy those with the above.
 */
int guest_virt_get_page(struct vcpu *v, u64 va, bool write, u64 *hpa);

long do_xen_version(struct vcpu *v, int cmd, u64 arg);
long do_console_io(struct vcpu *v, int cmd, u64 len, u64 buf);
long do_sched_op(struct vcpu *v, int cmd, u64 arg);
long do_vcpu_op(struct vcpu *v, int cmd, unsigned int vcpuid, u64 arg);
long do_set_timer_op(struct vcpu *v, u64 timeout);
long do_vm_assist(struct vcpu *v, unsigned int cmd, unsigned int type);
long do_memory_op(struct vcpu *v, int cmd, u64 arg);
long do_hvm_op(struct vcpu *v, int cmd, u64 arg);
long do_event_channel_op(struct vcpu *v, int cmd, u64 arg);
/* keel_op (48): domain control for the privileged domain, public/keel_domctl.h. */
long do_keel_domctl(struct vcpu *v, u64 arg);
long do_grant_table_op(struct vcpu *v, unsigned int cmd, u64 arg,
		       unsigned int count);

#endif
