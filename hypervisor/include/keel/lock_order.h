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
 *  5. d->p2m_lock (struct domain)       the p2m and keel's walks of it
 *  6. d->console_lock (struct domain)   console ring indices, kept output
 *  7. sched_lock (schedule.c)           vCPU states and run queues
 *  8. c->timer_lock (timer.c)           one CPU's timer heap; two CPUs'
 *                                       in ascending CPU order
 *  9. tasklet_lock (schedule.c)         the tasklet list
 * 10. the host page allocator's lock    leaf: alloc/free take nothing else
 * 11. vpid_lock (arch/x86/vpid.c)      leaf: VPIDs for vCPUs being set up
 * 12. text_lock (printk.c)              leaf: printk may be called anywhere
 *
 * Lock-free by design: a domain's refcnt (atomic), a grant entry's
 * flags (compare-and-swap against the guest), event-channel pending bits
 * and FIFO event words in guest-visible pages (locked RMW; FIFO's LINK by
 * compare-and-swap with bounded tries).
 *
 * Assert what a function relies on: ASSERT(spin_is_locked(&d->p2m_lock)).
 */

#endif
