/* A fake keel for keelctl's host tests: domains with guest RAM in memory behind struct hv_ops. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <xen/sched.h>
#include "fake_hv.h"

#define PAGE 4096u

struct mapping {
	struct mapping *next;
	void *addr;
	uint16_t domid;
	unsigned int n;
	uint64_t *gfns;
};

static struct mapping *mappings;

static struct fake_hv *to_fake(struct hv *hv)
{
	return (struct fake_hv *)hv;
}

static void free_domain(struct fake_domain *d)
{
	free(d->ram);
	memset(d, 0, sizeof(*d));
}

static void fill_info(const struct fake_domain *d, uint16_t domid, struct keel_domctl_info *i)
{
	memset(i, 0, sizeof(*i));
	i->domid = domid;
	i->flags = d->flags;
	i->shutdown_reason = d->shutdown_reason;
	i->nr_vcpus = d->vcpus;
	/* vCPU 0 is up once set_boot ran (as keel's); the guest brings the rest up once it runs. */
	i->nr_online_vcpus = d->ran ? d->vcpus : d->boot_set;
	i->uptime_ns = d->uptime_ns;
	i->mem_kb = d->mem_kb;
	i->cur_kb = d->cur_kb;
	i->cpu_time_ns = d->cpu_time_ns;
	i->weight = d->weight;
	i->cap = d->cap;
	if (d->ram) {
		i->console_pfn = FAKE_CONSOLE_PFN;
		i->xenstore_pfn = FAKE_XENSTORE_PFN;
		i->console_port = FAKE_CONSOLE_PORT;
		i->xenstore_port = FAKE_XENSTORE_PORT;
	}
}

static int text_read(const uint8_t *ring, size_t size, uint64_t head, struct keel_domctl *op)
{
	uint64_t oldest = head > size ? head - size : 0, pos = op->u.text.offset;
	uint32_t n = 0;

	if (op->u.text.size > 4096)
		return -EINVAL;
	if (pos < oldest)
		pos = oldest;
	if (pos > head)
		pos = head;
	while (n < op->u.text.size && pos + n < head) {
		((uint8_t *)(uintptr_t)op->u.text.buffer)[n] = ring[(pos + n) % size];
		n++;
	}
	op->u.text.offset = pos;
	op->u.text.nr = n;
	op->u.text.head = head;
	return 0;
}

/* Destroy: keel keeps a copy of its console output (the newest destroyed domain's here). */
static void destroy_domain(struct fake_hv *f, struct fake_domain *d)
{
	free(f->buried.ram);
	f->buried = *d;
	f->buried.ram = NULL;
	f->buried_id = (uint16_t)(d - f->dom);
	free_domain(d);
}

/* console_read: a live domain's output, or the copy of a destroyed one's. */
static int console_read(struct fake_hv *f, uint16_t id, struct keel_domctl *op)
{
	struct fake_domain *d = id < FAKE_MAX_DOMAINS ? &f->dom[id] : NULL;
	uint64_t want = op->u.text.instance;

	if (f->before_console_read)
		f->before_console_read(f, id);
	if (d && d->exists && (!want || want == d->console_instance)) {
		op->u.text.flags = 0;
	} else if (f->buried.exists && f->buried_id == id &&
		   (!want || want == f->buried.console_instance)) {
		d = &f->buried;
		op->u.text.flags = KEEL_TEXT_gone;
	} else {
		return -ESRCH;
	}
	op->u.text.instance = d->console_instance;
	return text_read(d->console_out, sizeof(d->console_out), d->console_head, op);
}

/* keel's action for a shutdown. */
static void shutdown_domain(struct fake_hv *f, struct fake_domain *d, uint32_t reason)
{
	uint8_t action = reason == SHUTDOWN_poweroff ? d->on_poweroff :
			 reason == SHUTDOWN_reboot ? d->on_reboot : d->on_crash;

	if (action == KEEL_ACTION_destroy) {
		destroy_domain(f, d);
		return;
	}
	d->flags |= KEEL_DOMINF_shutdown;
	d->flags &= (uint16_t)~(KEEL_DOMINF_running | KEEL_DOMINF_blocked);
	d->shutdown_reason = reason;
}

static int domctl_on(struct fake_hv *f, struct fake_domain *d, struct keel_domctl *op)
{
	switch (op->cmd) {
	case KEEL_DOMCTL_set_memory:
		if (d->ram)
			return -EEXIST;
		if (op->u.memory.mem_kb < 4096 || op->u.memory.mem_kb % 4)
			return -EINVAL;
		d->mem_kb = op->u.memory.mem_kb;
		d->cur_kb = d->max_kb = d->mem_kb;
		d->ram = malloc(d->mem_kb << 10);
		if (!d->ram)
			return -ENOMEM;
		/* Junk, so that tests see what the builder zeroes. */
		memset(d->ram, 0xa5, d->mem_kb << 10);
		return 0;
	case KEEL_DOMCTL_set_max_mem:
		if (!d->ram || op->u.max_mem.max_kb % 4 || op->u.max_mem.max_kb > (64ULL << 20))
			return -EINVAL;
		d->max_kb = op->u.max_mem.max_kb;
		return 0;
	case KEEL_DOMCTL_set_boot: {
		const char *cmdline = (const char *)(uintptr_t)op->u.boot.cmdline;
		uint64_t mem = d->mem_kb << 10;

		if (!d->ram || op->u.boot.entry >= mem ||
		    op->u.boot.ramdisk_gpa + op->u.boot.ramdisk_size > mem)
			return -EINVAL;
		if (d->boot_set)
			return -EBUSY;
		if (cmdline && strlen(cmdline) >= sizeof(d->cmdline))
			return -E2BIG;
		d->boot_set = true;
		d->entry = op->u.boot.entry;
		d->ramdisk_gpa = op->u.boot.ramdisk_gpa;
		d->ramdisk_size = op->u.boot.ramdisk_size;
		strcpy(d->cmdline, cmdline ? cmdline : "");
		return 0;
	}
	case KEEL_DOMCTL_unpause:
		/* As keel's: the toolstack's pauses nest, the create's is the first. */
		if (!d->boot_set || !d->pauses)
			return -EINVAL;
		if (--d->pauses)
			return 0;
		d->flags &= (uint16_t)~KEEL_DOMINF_paused;
		d->flags |= KEEL_DOMINF_blocked;
		if (d->vcpu_state[0] == KEEL_VCPU_down)
			d->vcpu_state[0] = KEEL_VCPU_blocked;
		d->ran = true;
		return 0;
	case KEEL_DOMCTL_pause:
		if (d->pauses >= 255)
			return -EOVERFLOW;
		d->pauses++;
		d->flags |= KEEL_DOMINF_paused;
		return 0;
	case KEEL_DOMCTL_destroy:
		destroy_domain(f, d);
		return 0;
	case KEEL_DOMCTL_set_sched:
		if (!op->u.sched.weight || op->u.sched.weight > 65535)
			return -EINVAL;
		d->weight = op->u.sched.weight;
		d->cap = op->u.sched.cap;
		return 0;
	case KEEL_DOMCTL_set_actions:
		if (op->u.actions.on_poweroff > 2 || op->u.actions.on_reboot > 2 ||
		    op->u.actions.on_crash > 2)
			return -EINVAL;
		d->on_poweroff = op->u.actions.on_poweroff;
		d->on_reboot = op->u.actions.on_reboot;
		d->on_crash = op->u.actions.on_crash;
		return 0;
	case KEEL_DOMCTL_shutdown:
		shutdown_domain(f, d, op->u.shutdown.reason);
		return 0;
	case KEEL_DOMCTL_console_write: {
		uint32_t room = sizeof(d->console_in) - d->console_in_len;
		uint32_t n = op->u.text.size < room ? op->u.text.size : room;

		if (f->console_ring_room && n > f->console_ring_room)
			n = f->console_ring_room;
		memcpy(d->console_in + d->console_in_len, (void *)(uintptr_t)op->u.text.buffer, n);
		d->console_in_len += n;
		op->u.text.nr = n;
		return 0;
	}
	default:
		return -ENOSYS;
	}
}

/*
 * getvcpuinfo and setvcpuaffinity as keel checks them: any domain, dom0 too; the affinity a
 * xenctl_bitmap of which only the bytes of FAKE_NR_CPUS CPUs are read (bits past those are
 * ignored, none of them is -EINVAL), written back as the CPUs in force, zeros after them up to
 * KEEL_MAX_CPUS bits at most, whatever nr_bits says.
 */
static int vcpu_op(struct fake_domain *d, struct keel_domctl *op)
{
	uint32_t i = op->u.vcpu.vcpu;
	uint32_t nr_bits = op->u.vcpu.nr_bits < KEEL_MAX_CPUS ? op->u.vcpu.nr_bits : KEEL_MAX_CPUS;
	uint8_t *map = (uint8_t *)(uintptr_t)op->u.vcpu.bitmap;
	uint64_t all = (1ULL << FAKE_NR_CPUS) - 1, mask = 0;

	if (i >= d->vcpus)
		return -ENOENT;
	if (op->cmd == KEEL_DOMCTL_setvcpuaffinity) {
		for (uint32_t cpu = 0; cpu < nr_bits && cpu < FAKE_NR_CPUS; cpu++)
			if (map[cpu / 8] >> (cpu % 8) & 1)
				mask |= 1ULL << cpu;
		if (!mask)
			return -EINVAL;
		d->affinity[i] = mask;
	}
	mask = d->affinity[i] ? d->affinity[i] : all;
	memset(map, 0, (nr_bits + 7) / 8);
	for (uint32_t cpu = 0; cpu < nr_bits && cpu < FAKE_NR_CPUS; cpu++)
		if (mask >> cpu & 1)
			map[cpu / 8] |= 1 << (cpu % 8);
	op->u.vcpu.state = d->vcpu_state[i];
	op->u.vcpu.cpu = (uint32_t)__builtin_ctzll(mask);
	op->u.vcpu.running = d->vcpu_state[i] == KEEL_VCPU_runnable;
	op->u.vcpu.cpu_time_ns = d->vcpu_time_ns[i];
	return 0;
}

static int fake_domctl(struct hv *hv, struct keel_domctl *op)
{
	struct fake_hv *f = to_fake(hv);
	uint16_t id = op->domain;

	if (op->version != KEEL_DOMCTL_VERSION)
		return -EACCES;
	if (f->before_domctl && !f->in_before_domctl) {
		f->in_before_domctl = true;
		f->before_domctl(f, op);
		f->in_before_domctl = false;
	}
	if (op->cmd < 32)
		f->calls[op->cmd]++;
	if (f->fail_rc && op->cmd == f->fail_cmd)
		return f->fail_rc;
	switch (op->cmd) {
	case KEEL_DOMCTL_create:
		if (!op->u.create.max_vcpus || op->u.create.max_vcpus > 8 || op->u.create.flags)
			return -EINVAL;
		/* Like Xen, ids rotate: a freed one is not handed out again at once. */
		for (unsigned int tries = 1; tries < FAKE_MAX_DOMAINS; tries++) {
			id = (uint16_t)(f->last_id % (FAKE_MAX_DOMAINS - 1) + 1);
			f->last_id = id;
			if (!f->dom[id].exists)
				break;
		}
		if (f->dom[id].exists)
			return -ENOSPC;
		f->dom[id] = (struct fake_domain){
			.exists = true, .flags = KEEL_DOMINF_paused, .pauses = 1,
			.vcpus = op->u.create.max_vcpus, .weight = 256,
			.console_instance = ++f->instances,
		};
		op->domain = id;
		return 0;
	case KEEL_DOMCTL_list: {
		struct keel_domctl_info *out = (void *)(uintptr_t)op->u.list.buffer;
		uint32_t n = 0;

		for (id = op->u.list.first; id < FAKE_MAX_DOMAINS && n < op->u.list.max; id++)
			if (f->dom[id].exists)
				fill_info(&f->dom[id], id, &out[n++]);
		op->u.list.nr = n;
		return 0;
	}
	case KEEL_DOMCTL_physinfo:
		op->u.physinfo.nr_cpus = FAKE_NR_CPUS;
		op->u.physinfo.nr_domains = fake_hv_domains(f) + 1;
		op->u.physinfo.total_pages = f->total_pages;
		op->u.physinfo.free_pages = f->free_pages;
		return 0;
	case KEEL_DOMCTL_readlog: {
		uint32_t clear = op->u.text.flags;
		int rc;

		if (clear & ~KEEL_TEXT_clear)
			return -EINVAL;
		if (op->u.text.offset < f->log_start)
			op->u.text.offset = f->log_start;
		rc = text_read((const uint8_t *)f->log, sizeof(f->log), strlen(f->log), op);
		if (!rc && clear)
			f->log_start = op->u.text.offset + op->u.text.nr;
		return rc;
	}
	}
	if (op->cmd == KEEL_DOMCTL_console_read)
		return console_read(f, id, op);
	if (id >= FAKE_MAX_DOMAINS || !f->dom[id].exists)
		return -ESRCH;
	if (op->cmd == KEEL_DOMCTL_getinfo) {
		fill_info(&f->dom[id], id, &op->u.info);
		return 0;
	}
	if (op->cmd == KEEL_DOMCTL_getstats) {
		if (op->u.stats.size != sizeof(struct keel_domstats))
			return -EINVAL;
		memcpy((void *)(uintptr_t)op->u.stats.buffer, &f->dom[id].stats,
		       sizeof(struct keel_domstats));
		return 0;
	}
	if (op->cmd == KEEL_DOMCTL_getvcpuinfo || op->cmd == KEEL_DOMCTL_setvcpuaffinity)
		return vcpu_op(&f->dom[id], op);
	if (id == 0 && op->cmd != KEEL_DOMCTL_set_sched)
		return -EINVAL;
	return domctl_on(f, &f->dom[id], op);
}

static int fake_map(struct hv *hv, uint16_t domid, const uint64_t *gfns, unsigned int n,
		    void **addr)
{
	struct fake_hv *f = to_fake(hv);
	struct fake_domain *d = &f->dom[domid % FAKE_MAX_DOMAINS];
	struct mapping *m;

	f->map_calls++;
	if (f->fail_map_at && f->map_calls >= f->fail_map_at)
		return -ENOENT;
	if (domid >= FAKE_MAX_DOMAINS || !d->exists || domid == 0)
		return -ESRCH;
	for (unsigned int i = 0; i < n; i++)
		if (!d->ram || (gfns[i] + 1) * PAGE > d->mem_kb << 10)
			return -EINVAL;
	m = calloc(1, sizeof(*m));
	m->addr = aligned_alloc(PAGE, (size_t)n * PAGE);
	m->gfns = malloc(n * sizeof(*m->gfns));
	m->domid = domid;
	m->n = n;
	memcpy(m->gfns, gfns, n * sizeof(*gfns));
	for (unsigned int i = 0; i < n; i++)
		memcpy((uint8_t *)m->addr + (size_t)i * PAGE, d->ram + gfns[i] * PAGE, PAGE);
	m->next = mappings;
	mappings = m;
	f->maps_outstanding++;
	*addr = m->addr;
	return 0;
}

static int fake_unmap(struct hv *hv, void *addr, unsigned int n)
{
	struct fake_hv *f = to_fake(hv);

	for (struct mapping **p = &mappings; *p; p = &(*p)->next) {
		struct mapping *m = *p;
		struct fake_domain *d = &f->dom[m->domid];

		if (m->addr != addr)
			continue;
		if (m->n != n)
			return -EINVAL;
		/* Written back only while the domain lives (keel keeps the pages meanwhile). */
		for (unsigned int i = 0; d->exists && d->ram && i < n; i++)
			memcpy(d->ram + m->gfns[i] * PAGE, (uint8_t *)addr + (size_t)i * PAGE, PAGE);
		*p = m->next;
		free(m->addr);
		free(m->gfns);
		free(m);
		f->maps_outstanding--;
		return 0;
	}
	return -EINVAL;
}

static void fake_close(struct hv *hv)
{
	/* The test owns the fake; kc_close() must not free it. */
}

static const struct hv_ops fake_ops = {
	.domctl = fake_domctl, .map = fake_map, .unmap = fake_unmap, .close = fake_close,
};

void fake_hv_init(struct fake_hv *f)
{
	memset(f, 0, sizeof(*f));
	f->hv.ops = &fake_ops;
	f->dom[0] = (struct fake_domain){
		.exists = true, .flags = KEEL_DOMINF_privileged | KEEL_DOMINF_running,
		.vcpus = 1, .mem_kb = 256 << 10, .cur_kb = 256 << 10, .weight = 256, .boot_set = true,
		.cpu_time_ns = 5000000000ull, .vcpu_state = { KEEL_VCPU_runnable },
		.vcpu_time_ns = { 5000000000ull },
	};
	f->total_pages = 262144;	/* 1 GiB */
	f->free_pages = 131072;
}

void fake_hv_fini(struct fake_hv *f)
{
	for (unsigned int i = 0; i < FAKE_MAX_DOMAINS; i++)
		free_domain(&f->dom[i]);
	free_domain(&f->buried);
}

unsigned int fake_hv_domains(const struct fake_hv *f)
{
	unsigned int n = 0;

	for (unsigned int i = 1; i < FAKE_MAX_DOMAINS; i++)
		n += f->dom[i].exists;
	return n;
}

void fake_console_print(struct fake_hv *f, uint16_t domid, const char *s)
{
	struct fake_domain *d = &f->dom[domid];

	for (; *s; s++)
		d->console_out[d->console_head++ % FAKE_CONSOLE_SIZE] = (uint8_t)*s;
}

void fake_guest_shutdown(struct fake_hv *f, uint16_t domid, uint32_t reason)
{
	shutdown_domain(f, &f->dom[domid], reason);
}
