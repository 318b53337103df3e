/* keel_domctl: the privileged toolstack's domain control (create, memory, boot, pause, destroy, info, consoles, log). */
#include <keel/console_keep.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/domain_stats.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/percpu.h>
#include <keel/platform.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <keel/schedule.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/hvm_op.h>
#include <public/keel_domctl.h>
#include <public/sched.h>

#define DOMCTL_CMDLINE_MAX 1024
#define DOMCTL_TEXT_MAX 4096	/* u.text.size */

BUILD_BUG_ON(sizeof(struct keel_domctl) != 96);

/* DOMID_INVALID: the next id after the last one picked, skipping taken ones (Xen's). */
static long domctl_create(struct keel_domctl *op)
{
	domid_t id = op->domain;
	struct domain *d;

	if (op->u.create.flags || !op->u.create.max_vcpus ||
	    op->u.create.max_vcpus > DOMAIN_MAX_VCPUS)
		return -EINVAL;
	if (id == 0 || (id >= DOMID_FIRST_RESERVED && id != DOMID_INVALID))
		return -EINVAL;
	d = domain_create(id, op->u.create.max_vcpus);
	if (!d)
		return id == DOMID_INVALID ? -ENOSPC : -EEXIST;
	/*
	 * Created paused by the toolstack, which unpauses it once loaded (Xen's):
	 * counted under d->lock, as another dom0 CPU may already pause the new id.
	 */
	domain_pause_by_controller(d);
	op->domain = d->id;
	pr_info("d%u: created by the toolstack, %u vCPU(s)\n", d->id, d->nr_vcpus);
	return 0;
}

static long domctl_set_memory(struct domain *d, u64 mem_kb)
{
	u64 bytes = mem_kb << 10;
	long rc;

	if (mem_kb < (PVH_MIN_MEM >> 10) || mem_kb > (GiB(64) >> 10) ||
	    !IS_ALIGNED(bytes, PAGE_SIZE))
		return -EINVAL;
	if (d->mem_size)
		return -EEXIST;
	if (bytes / PAGE_SIZE > host_pages.nr_free)
		return -ENOMEM;
	rc = domain_set_memory(d, bytes);
	if (!rc)
		rc = domain_setup_special_pages(d);
	return rc;
}

/* set_max_mem: Xen's max_mem, after its RAM was given (set_memory sets it first). */
static long domctl_set_max_mem(struct domain *d, u64 max_kb)
{
	if (!d->mem_size || max_kb > (GiB(64) >> 10) ||
	    !IS_ALIGNED(max_kb, PAGE_SIZE >> 10))
		return -EINVAL;
	p2m_set_max_pages(d, max_kb >> (PAGE_SHIFT - 10));
	return 0;
}

static long domctl_set_boot(struct vcpu *caller, struct domain *d,
			    struct keel_domctl *op)
{
	static char cmdline[DOMCTL_CMDLINE_MAX];
	static DEFINE_SPINLOCK(cmdline_lock);
	struct pvh_boot_params p = { .cmdline = NULL };
	u64 rd = op->u.boot.ramdisk_gpa, rd_size = op->u.boot.ramdisk_size;
	long rc;

	if (!d->mem_size)
		return -EINVAL;
	if (op->u.boot.entry >= PVH_MMIO_HOLE_START ||
	    op->u.boot.entry >= pvh_ram_end(d->mem_size))
		return -EINVAL;
	if (rd_size && (rd + rd_size < rd || rd + rd_size > d->mem_size ||
			rd + rd_size > PVH_MMIO_HOLE_START))
		return -EINVAL;
	if (rd_size)
		p.modules[p.nr_modules++] = (struct pvh_module){ rd, rd_size, NULL };
	spin_lock(&cmdline_lock);
	if (op->u.boot.cmdline) {
		unsigned int i;

		for (i = 0; i < DOMCTL_CMDLINE_MAX; i++) {
			if (copy_from_guest(caller, &cmdline[i],
					    op->u.boot.cmdline + i, 1)) {
				spin_unlock(&cmdline_lock);
				return -EFAULT;
			}
			if (!cmdline[i])
				break;
		}
		if (i == DOMCTL_CMDLINE_MAX) {
			spin_unlock(&cmdline_lock);
			return -E2BIG;
		}
		p.cmdline = cmdline;
	}
	rc = domain_set_boot(d, op->u.boot.entry, &p);
	spin_unlock(&cmdline_lock);
	/* Its boot vCPU is up (online), as Xen's once set; it runs when unpaused. */
	if (!rc)
		vcpu_up(d->vcpus[0]);
	return rc;
}

static long domctl_unpause(struct domain *d)
{
	long rc;

	if (!d->mem_size || !d->vcpus[0]->arch.vmcs)
		return -EINVAL;		/* nothing loaded to run */
	rc = domain_unpause_by_controller(d);
	if (!rc)
		domain_notify_change();
	return rc;
}

static void fill_info(struct domain *d, struct keel_domctl_info *info)
{
	unsigned int blocked = 0;

	memset(info, 0, sizeof(*info));
	info->domid = d->id;
	info->flags = (d->privileged ? KEEL_DOMINF_privileged : 0) |
		      (d->pause_count ? KEEL_DOMINF_paused : 0) |
		      (d->dying ? KEEL_DOMINF_dying : 0) |
		      (d->state == DOMAIN_SHUTDOWN ? KEEL_DOMINF_shutdown : 0) |
		      (d->state == DOMAIN_CRASHED ? KEEL_DOMINF_crashed : 0);
	info->shutdown_reason = d->shutdown_reason;
	info->nr_vcpus = d->nr_vcpus;
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		info->nr_online_vcpus += v->state != VCPU_DOWN;
		blocked += v->state == VCPU_BLOCKED;
		if (READ_ONCE(v->is_running))
			info->flags |= KEEL_DOMINF_running;
	}
	if (info->nr_online_vcpus && blocked == info->nr_online_vcpus)
		info->flags |= KEEL_DOMINF_blocked;
	info->mem_kb = d->mem_size >> 10;
	info->cur_kb = p2m_tot_pages(d) << (PAGE_SHIFT - 10);
	info->cpu_time_ns = sched_domain_runtime(d);
	info->weight = d->sched_dom.weight;
	info->cap = d->sched_dom.cap;
	info->console_pfn = d->hvm_params[HVM_PARAM_CONSOLE_PFN];
	info->console_port = d->hvm_params[HVM_PARAM_CONSOLE_EVTCHN];
	info->xenstore_pfn = d->hvm_params[HVM_PARAM_STORE_PFN];
	info->xenstore_port = d->hvm_params[HVM_PARAM_STORE_EVTCHN];
	info->uptime_ns = now_ns() - d->created_ns;
}

static long domctl_list(struct vcpu *caller, struct keel_domctl *op)
{
	struct keel_domctl_info info;
	domid_t id = op->u.list.first;
	struct domain *d;

	op->u.list.nr = 0;
	while (op->u.list.nr < op->u.list.max && (d = domain_next(&id))) {
		fill_info(d, &info);
		domain_put(d);
		if (copy_to_guest(caller, op->u.list.buffer +
				  op->u.list.nr * sizeof(info), &info, sizeof(info)))
			return -EFAULT;
		op->u.list.nr++;
	}
	return 0;
}

static long domctl_physinfo(struct keel_domctl *op)
{
	domid_t id = 0;
	struct domain *d;

	op->u.physinfo.nr_cpus = nr_cpus;
	op->u.physinfo.nr_domains = 0;
	while ((d = domain_next(&id))) {
		op->u.physinfo.nr_domains++;
		domain_put(d);
	}
	op->u.physinfo.total_pages = host_pages.nr_pfns;
	op->u.physinfo.free_pages = host_pages.nr_free;
	op->u.physinfo.flags = (platform_dom0_owns_devices() ? KEEL_PHYS_dom0_owns_devices : 0) |
			       (platform_dma_translated() ? KEEL_PHYS_dma_translated : 0);
	op->u.physinfo.pad = 0;
	return 0;
}

/* u.text goes through one buffer of keel's, so a copy is one consistent window. */
static char text_buf[DOMCTL_TEXT_MAX];
static DEFINE_SPINLOCK(text_lock);

/*
 * console_read of domain @id (@d its domain_get_console(), or NULL), or
 * readlog with @console false: copy a window of the stream.
 */
static long domctl_text_read(struct vcpu *caller, bool console, struct domain *d,
			     domid_t id, struct keel_domctl *op)
{
	bool clear = !console && (op->u.text.flags & KEEL_TEXT_clear);
	bool gone = false;
	long n;

	if (op->u.text.size > DOMCTL_TEXT_MAX ||
	    (!console && (op->u.text.flags & ~KEEL_TEXT_clear)))
		return -EINVAL;
	spin_lock(&text_lock);
	if (console) {
		n = console_keep_read(d, id, &op->u.text.instance, &op->u.text.offset,
				      text_buf, op->u.text.size, &op->u.text.head, &gone);
	} else {
		op->u.text.instance = 0;
		n = log_read(&op->u.text.offset, text_buf, op->u.text.size,
			     &op->u.text.head);
	}
	if (n > 0 && copy_to_guest(caller, op->u.text.buffer, text_buf, n))
		n = -EFAULT;
	if (clear && n >= 0)
		log_clear(op->u.text.offset + n);	/* only what the caller got */
	spin_unlock(&text_lock);
	if (n < 0)
		return n;
	op->u.text.nr = n;
	op->u.text.flags = gone ? KEEL_TEXT_gone : 0;
	return 0;
}

/* getstats: @d's counts, through one buffer of keel's (too big for the stack). */
static long domctl_getstats(struct vcpu *caller, struct domain *d, struct keel_domctl *op)
{
	static struct keel_domstats stats;
	static DEFINE_SPINLOCK(stats_lock);
	long rc = 0;

	if (op->u.stats.size != sizeof(stats))
		return -EINVAL;
	spin_lock(&stats_lock);
	domain_stats_fill(d, &stats);
	if (copy_to_guest(caller, op->u.stats.buffer, &stats, sizeof(stats)))
		rc = -EFAULT;
	spin_unlock(&stats_lock);
	return rc;
}

BUILD_BUG_ON(KEEL_MAX_CPUS != MAX_CPUS);

/*
 * getvcpuinfo and setvcpuaffinity: one vCPU of @d, its index checked; the
 * affinity bitmap as Xen's xenctl_bitmap_to_bitmap() reads it: only the
 * bytes that hold keel's CPUs, copied in once, bits past them ignored; a
 * mask with none of keel's CPUs is -EINVAL (vcpu_set_hard_affinity()).
 * The affinity in force is written back, zeros up to KEEL_MAX_CPUS bits
 * at most: bytes past those are never touched, whatever nr_bits says.
 */
static long domctl_vcpu(struct vcpu *caller, struct domain *d, struct keel_domctl *op)
{
	u32 idx = op->u.vcpu.vcpu, nr_bits = MIN(op->u.vcpu.nr_bits, MAX_CPUS);
	u32 in_bits = MIN(nr_bits, nr_cpus);
	u8 map[MAX_CPUS / 8];
	unsigned int cpu;
	cpumask_t mask;
	u64 run_ns;
	struct vcpu *v;
	long rc;

	if (idx >= d->nr_vcpus)
		return -ENOENT;
	v = d->vcpus[idx];
	if (op->cmd == KEEL_DOMCTL_setvcpuaffinity) {
		if (copy_from_guest(caller, map, op->u.vcpu.bitmap, (in_bits + 7) / 8))
			return -EFAULT;
		cpumask_from_bytes(&mask, map, in_bits);
		rc = sched_vcpu_set_affinity(v, &mask);	/* -EINVAL: none of keel's CPUs */
		if (rc)
			return rc;
	}
	sched_vcpu_info(v, &cpu, &run_ns, &mask);
	op->u.vcpu.cpu = cpu;
	op->u.vcpu.cpu_time_ns = run_ns;
	op->u.vcpu.state = v->state == VCPU_DOWN ? KEEL_VCPU_down :
			   v->state == VCPU_BLOCKED ? KEEL_VCPU_blocked : KEEL_VCPU_runnable;
	op->u.vcpu.running = READ_ONCE(v->is_running);
	cpumask_to_bytes(&mask, map, nr_bits);
	if (copy_to_guest(caller, op->u.vcpu.bitmap, map, (nr_bits + 7) / 8))
		return -EFAULT;
	return 0;
}

/* console_write: the caller's bytes into @d's console input ring. */
static long domctl_console_write(struct vcpu *caller, struct domain *d,
				 struct keel_domctl *op)
{
	long n;

	if (op->u.text.size > DOMCTL_TEXT_MAX)
		return -EINVAL;
	spin_lock(&text_lock);
	if (copy_from_guest(caller, text_buf, op->u.text.buffer, op->u.text.size))
		n = -EFAULT;
	else
		n = console_ring_write(d, text_buf, op->u.text.size);
	spin_unlock(&text_lock);
	if (n < 0)
		return n;
	op->u.text.nr = n;
	return 0;
}

/* Commands on an existing domain @d other than the caller's own. */
static long domctl_on(struct vcpu *caller, struct domain *d, struct keel_domctl *op)
{
	u8 *act = &op->u.actions.on_poweroff;

	switch (op->cmd) {
	case KEEL_DOMCTL_set_memory:
		return domctl_set_memory(d, op->u.memory.mem_kb);
	case KEEL_DOMCTL_set_boot:
		return domctl_set_boot(caller, d, op);
	case KEEL_DOMCTL_set_max_mem:
		return domctl_set_max_mem(d, op->u.max_mem.max_kb);
	case KEEL_DOMCTL_unpause:
		return domctl_unpause(d);
	case KEEL_DOMCTL_pause: {
		long rc = domain_pause_by_controller(d);

		if (!rc)
			domain_notify_change();
		return rc;
	}
	case KEEL_DOMCTL_destroy:
		pr_info("d%u: destroyed by the toolstack\n", d->id);
		domain_destroy(d);
		domain_notify_change();
		return 0;
	case KEEL_DOMCTL_set_actions:
		for (int i = 0; i < 3; i++)
			if (act[i] > KEEL_ACTION_preserve)
				return -EINVAL;
		/* A toolstack restart is the toolstack's job: keel keeps the domain. */
		d->on_poweroff = act[0] == KEEL_ACTION_restart ? ACTION_PRESERVE : act[0];
		d->on_reboot = act[1] == KEEL_ACTION_restart ? ACTION_PRESERVE : act[1];
		d->on_crash = act[2] == KEEL_ACTION_restart ? ACTION_PRESERVE : act[2];
		return 0;
	case KEEL_DOMCTL_shutdown:
		if (op->u.shutdown.reason > SHUTDOWN_MAX)
			return -EINVAL;
		domain_shutdown(d, op->u.shutdown.reason);
		return 0;
	case KEEL_DOMCTL_console_write:
		return domctl_console_write(caller, d, op);
	case KEEL_DOMCTL_dump_vcpus:
		for (unsigned int i = 0; i < d->nr_vcpus; i++)
			vcpu_dump(d->vcpus[i]);
		return 0;
	default:
		return -ENOSYS;
	}
}

long do_keel_domctl(struct vcpu *v, u64 arg)
{
	struct keel_domctl op;
	struct domain *d;
	long rc;

	if (!v->domain->privileged)
		return -EPERM;
	if (copy_from_guest(v, &op, arg, sizeof(op)))
		return -EFAULT;
	if (op.version != KEEL_DOMCTL_VERSION)
		return -EACCES;		/* as Xen answers a domctl version mismatch */
	switch (op.cmd) {
	case KEEL_DOMCTL_create:
		rc = domctl_create(&op);
		break;
	case KEEL_DOMCTL_list:
		rc = domctl_list(v, &op);
		break;
	case KEEL_DOMCTL_physinfo:
		rc = domctl_physinfo(&op);
		break;
	case KEEL_DOMCTL_readlog:
		rc = domctl_text_read(v, false, NULL, 0, &op);
		break;
	case KEEL_DOMCTL_console_read: {
		/* Reading is harmless: any domain, the caller too, and one destroyed lately. */
		domid_t id = op.domain == DOMID_SELF ? v->domain->id : op.domain;

		d = domain_get_console(id);
		rc = domctl_text_read(v, true, d, id, &op);
		if (d)
			domain_put(d);
		break;
	}
	case KEEL_DOMCTL_getinfo:
		d = domain_get(op.domain == DOMID_SELF ? v->domain->id : op.domain);
		if (!d)
			return -ESRCH;
		fill_info(d, &op.u.info);
		rc = 0;
		domain_put(d);
		break;
	case KEEL_DOMCTL_getvcpuinfo:
	case KEEL_DOMCTL_setvcpuaffinity:
	case KEEL_DOMCTL_set_sched:
		/* Any domain, the caller too: xl pins and weighs Domain-0's vCPUs. */
		d = domain_get(op.domain == DOMID_SELF ? v->domain->id : op.domain);
		if (!d)
			return -ESRCH;
		if (op.cmd == KEEL_DOMCTL_set_sched)
			rc = sched_domain_set_params(d, op.u.sched.weight, op.u.sched.cap);
		else
			rc = domctl_vcpu(v, d, &op);
		domain_put(d);
		break;
	case KEEL_DOMCTL_getstats:
		/* Any domain, the caller too (a bench samples dom0 itself). */
		d = domain_get(op.domain == DOMID_SELF ? v->domain->id : op.domain);
		if (!d)
			return -ESRCH;
		rc = domctl_getstats(v, d, &op);
		domain_put(d);
		break;
	default:
		if (op.domain == v->domain->id || op.domain == DOMID_SELF)
			return -EINVAL;		/* never on the caller itself */
		d = domain_get(op.domain);
		if (!d)
			return -ESRCH;
		rc = domctl_on(v, d, &op);
		domain_put(d);
		break;
	}
	if (!rc && copy_to_guest(v, arg, &op, sizeof(op)))
		rc = -EFAULT;
	return rc;
}
