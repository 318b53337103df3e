/* The lock order: every keel lock, outermost first; code takes them only in this order. */
#ifndef KEEL_LOCK_ORDER_H
#define KEEL_LOCK_ORDER_H

/*
 * A CPU holding a lock may take only locks further down this list. Locks
 * on one line of the same kind are never held two at a time unless the
 * line says how (e.g. by domain id).
 *
 *  1. domain_table_lock (domain.c)      the id -> domain table
 *  2. d->lock (struct domain)           state, pause count, vCPU list
 *  3. gt->lock (grant_table.c)          one table's pins, frames, maptrack;
 *                                       never two tables at once
 *  4. d->evtchn->lock (evtchn.c)        ports and their delivery (2-level
 *                                       or FIFO queues and frames); two
 *                                       domains' locks in ascending
 *                                       domain-id order
 *  4a. vp->lock (arch/x86/vpci.h)      a hardware domain's CF8 latch, its
 *                                       devices' MSI/MSI-X shadows
 *  4b. c->lock (arch/x86/mmio.c)        adding a domain's MMIO claims
 *  5. d->p2m_lock (struct domain)       the p2m, its table count and
 *                                       unreachable frames (p2m.c only)
 *  5a. text_lock (domctl.c)             console_read/readlog windows
 *  5b. stats_lock (domctl.c)            getstats' buffer (as text_lock)
 *  6. d->console_lock (struct domain)   console ring indices, kept output
 *  6a. keep_lock (console_keep.c)       destroyed domains' output copies
 *  6b. vio->lock (arch/x86/vioapic.h)  one vIOAPIC's registers and pins
 *  6c. vector_lock (arch/x86/irq.c)     leaf: host vector allocation
 *  6c1. ir_lock (arch/x86/vtd_ir.c)    the IRT; a unit's lock for each IEC
 *                                       invalidation inside it
 *  6c2. u->lock (asm/vtd.h)            one VT-d unit's registers, queue,
 *                                       context tables; interrupts off
 *                                       (its fault interrupt takes it);
 *                                       under p2m_lock for caching-mode
 *                                       flushes, under ir_lock for IECs
 *  6c3. fault_log_lock (vtd.c)          leaf, under u->lock: the fault
 *                                       lines' rate limit for all units
 *  6d. ioapic_lock, pci_lock (arch/x86) leaf, interrupts off: a host
 *                                       IOAPIC's or CF8's register pair
 *  6e. ports->lock (arch/x86/          leaf: a hardware dom0's vPIC, PM1
 *      hwdom_ports.h)                   and 0xCF9 state (port_policy.c)
 *  7. sched_lock (schedule.c)           vCPU states and run queues
 *  8. c->timer_lock (timer.c)           one CPU's timer heap; two CPUs'
 *                                       in ascending CPU order
 *  9. tasklet_lock (schedule.c)         the tasklet list
 * 10. host_pages.lock (page_alloc.c)    leaf, interrupts off: alloc/free
 *                                       (put_page() of a last reference
 *                                       too) take nothing else
 * 11. vpid_lock (arch/x86/vmx/vpid.c)      leaf: VPIDs for vCPUs being set up
 * 12. printk_busy (printk.c)            leaf: printk may be called anywhere
 *
 * Two domains' p2m locks are never held at once: a foreign mapping takes
 * its reference under the owner's lock, drops it, then takes the mapper's.
 * p2m.c flushes and releases (put_page, domain_put, table frees) after it
 * dropped the p2m lock; a grant unmap's release (frames and tables only,
 * never a domain_put) runs under the mapper's gt->lock.
 *
 * Lock-free by design: a domain's refcnt (atomic), a frame's reference
 * count and owner (one word, compare-and-swap; frame.c), a grant entry's
 * flags (compare-and-swap against the guest), event-channel pending bits
 * and FIFO event words in guest-visible pages (locked RMW; FIFO's LINK by
 * compare-and-swap with bounded tries).
 *
 * Assert what a function relies on: ASSERT(spin_is_locked(&d->p2m_lock)).
 */

#endif
