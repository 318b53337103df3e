/*
 * Host tests of a domain's end: real domains, vCPUs, timers and consoles
 * (domain.c, vcpu.c, timer.c, console_ring.c) on a fake host RAM arena with
 * keel's own page allocator. Destroy is idempotent (audit finding 12),
 * kills every timer before the memory goes (finding 4), and the guest
 * loops yield with continuations (finding 7). A destroyed domain's console
 * output stays readable, whole, for a reader that has not read it all yet.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* libc has a sched_yield() of its own (pthread.h), keel's scheduler too. */
#define sched_yield keel_sched_yield
#include <keel/arch.h>
#include <keel/console_keep.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/domain_stats.h>
#include <keel/frame.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/console.h>
#include <public/grant_table.h>
#include <public/hvm_op.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/xen.h>
#include "host.h"
#include "stub_domain.h"

#define ARENA_SIZE MiB(64)
#define DOM_MEM MiB(4)
#define RAM_GPA 0x200000ULL

/* ---- the host side keel's code expects (the rest: stub_domain.c) -------- */

u64 boot_wallclock_sec, boot_tsc;
struct time_scale tsc_scale;
HOSTED_PCPUS
unsigned int nr_cpus = 2;
__thread unsigned int hosted_cpu;
static u64 now;

void arch_send_ipi(unsigned int cpu) { }
void arch_timer_program(u64 deadline) { }
static unsigned int vcpus_destroyed, vcpus_destroyed_at_arch_free = ~0u;

void arch_vcpu_destroy(struct vcpu *v) { vcpus_destroyed++; }
/* The hardware domain's interrupt bindings go here: its vCPUs must still exist. */
void arch_domain_free(struct domain *d) { vcpus_destroyed_at_arch_free = vcpus_destroyed; }
bool arch_vcpu_has_pending_interrupt(const struct vcpu *v) { return false; }
void arch_vcpu_dump(const struct vcpu *v)
{
	printk(LOG_INFO, "arch state of d%uv%u\n", v->domain->id, v->id);
}
/* COM1 as console_ring.c sees it: the bytes waiting in the UART, its interrupt. */
static const char *uart_rx;
static bool uart_irq_works;
static void (*uart_irq_fn)(void *data);
static void *uart_irq_data;

int arch_console_getc(void)
{
	return uart_rx && *uart_rx ? (unsigned char)*uart_rx++ : -1;
}

int arch_console_input_irq(void (*fn)(void *data), void *data)
{
	if (fn && !uart_irq_works)
		return -ENODEV;
	uart_irq_fn = fn;
	uart_irq_data = data;
	return 0;
}
u64 arch_read_tsc(void) { return 0; }
u64 arch_vcpu_guest_tsc(const struct vcpu *v, u64 host_tsc) { return host_tsc; }
u64 scale_delta(u64 delta, const struct time_scale *ts) { return delta; }

u64 now_ns(void)
{
	return __atomic_load_n(&now, __ATOMIC_RELAXED);
}

/* The scheduler is not part of this test: its vCPUs never run. */
void vcpu_sleep_sync(struct vcpu *v) { assert_false(v->is_running); }
bool vcpu_sleep_try(struct vcpu *v) { return !v->is_running; }

/* main.c's rebuild: the old domain must be gone so that its id can be reused. */
static unsigned int rebuilds;
static struct domain *rebuilt;

void domain_rebuild(domid_t id)
{
	rebuilds++;
	rebuilt = domain_create(id, 1);
}

static unsigned int tasklets_scheduled;

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data)
{
	t->fn = fn;
	t->data = data;
}

void tasklet_schedule(struct tasklet *t)
{
	tasklets_scheduled++;
}

/* keel's console: what the domains printed on it. */
static char screen[8192];

enum log_level console_get_loglevel(void)
{
	return LOG_INFO;
}

void console_print_domain(unsigned int id, const char *s, size_t n, bool cont,
			  bool end, bool to_ring, bool to_console)
{
	size_t used = strlen(screen);

	snprintf(screen + used, sizeof(screen) - used, "%s%.*s%s",
		 cont ? "" : "(d) ", (int)n, s, end ? "\n" : "");
}

/* Guest-virtual addresses are host pointers. */
int copy_from_guest(struct vcpu *v, void *dst, u64 va, u64 len)
{
	memcpy(dst, (void *)(uintptr_t)va, len);
	return 0;
}

/*
 * The copies to guest memory, counted; the first few's lengths, and the
 * watched runstate area's state_entry_time just after each (what another
 * vCPU would read then).
 */
static struct vcpu_runstate_info *watched_area;
static struct { u64 len, entry_time; } copies[8];
static unsigned int nr_copies;

/* Set by a test: guest-virtual addresses are its domain's guest-physical ones. */
static bool va_is_gpa;

/* The byte at guest-physical @gpa of @d's RAM. */
static u8 *guest_byte(struct domain *d, u64 gpa)
{
	return (u8 *)guest_page(d, gpa) + (gpa & ~PAGE_MASK);
}

int copy_to_guest(struct vcpu *v, u64 va, const void *src, u64 len)
{
	if (va_is_gpa)
		for (u64 i = 0; i < len; i++)
			*guest_byte(v->domain, va + i) = ((const u8 *)src)[i];
	else
		memcpy((void *)(uintptr_t)va, src, len);
	if (nr_copies < ARRAY_SIZE(copies)) {
		copies[nr_copies].len = len;
		copies[nr_copies].entry_time = watched_area ? watched_area->state_entry_time : 0;
	}
	nr_copies++;
	return 0;
}

int guest_virt_get_page(struct vcpu *v, u64 va, bool write, u64 *hpa)
{
	if (!va_is_gpa ||
	    p2m_get_page(v->domain, va & PAGE_MASK, P2M_OWNED | P2M_READ | P2M_WRITE, hpa, NULL))
		return -EFAULT;
	return 0;
}

void *guest_page(struct domain *d, u64 gpa)
{
	u64 hpa, attr, size;

	if (pt_lookup(&d->p2m, gpa & ~(PAGE_SIZE - 1), &hpa, &attr, &size))
		return NULL;
	return phys_to_virt(hpa + (gpa & (size - 1) & ~(PAGE_SIZE - 1)));
}

/* Preemption: the test says when; a continuation records its arguments. */
static unsigned int preempt_after, preempt_checks;
static unsigned long cont_nr, cont_args[5];
static unsigned int cont_nargs, continuations;

bool hypercall_preempt_check(void)
{
	return ++preempt_checks >= preempt_after;
}

long hypercall_create_continuation(struct vcpu *v, unsigned int nr,
				   const unsigned long *args, unsigned int nargs)
{
	assert_true(nargs <= 5);
	cont_nr = nr;
	cont_nargs = nargs;
	memcpy(cont_args, args, nargs * sizeof(*args));
	continuations++;
	return -ERESTART;
}

/* ---- domains ------------------------------------------------------------ */

static u64 free_at_start;

static int setup_ram(u64 size)
{
	stub_ram_init(size);
	free_at_start = host_pages.nr_free;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
		pcpus[cpu]->self = pcpus[cpu];
		pcpus[cpu]->id = cpu;
	}
	hosted_cpu = 0;
	now = 1000;
	screen[0] = '\0';
	preempt_after = ~0U;
	preempt_checks = continuations = 0;
	tasklets_scheduled = 0;
	return 0;
}

static int setup(void **state)
{
	return setup_ram(ARENA_SIZE);
}

/* Room for test_thousands_of_domains. */
static int setup_big(void **state)
{
	return setup_ram(MiB(128));
}

static int teardown(void **state)
{
	u64 nr_free = host_pages.nr_free;

	stub_ram_free();
	/* Every page of every domain is back. */
	assert_int_equal(nr_free, free_at_start);
	return 0;
}

static struct domain *create(domid_t id, unsigned int vcpus)
{
	struct domain *d = domain_create(id, vcpus);

	assert_non_null(d);
	assert_int_equal(domain_set_memory(d, DOM_MEM), 0);
	return d;
}

static int refs(struct domain *d)
{
	return atomic_read(&d->refcnt);
}

/* ---- finding 12: destroy is idempotent ---------------------------------- */

/*
 * The guest shut itself down (the tasklet holds a reference) and the
 * toolstack destroys it (domctl, with domain_get()'s reference): each path
 * calls domain_destroy(), and only the table's one reference goes.
 */
static void test_two_destroys_drop_one_reference(void **state)
{
	struct domain *d = create(1, 1), *ctl;

	domain_hold(d);				/* domain_stop(): the tasklet's */
	ctl = domain_get(1);			/* the toolstack's domctl */
	assert_ptr_equal(ctl, d);
	assert_int_equal(refs(d), 3);
	domain_destroy(ctl);			/* KEEL_DOMCTL_destroy */
	assert_int_equal(refs(d), 2);
	assert_true(d->dying);
	assert_null(domain_get(1));		/* gone from the table */
	assert_ptr_equal(domain_held(1), d);	/* the id is not reused yet */
	domain_destroy(d);			/* shutdown_work(): a no-op now */
	assert_int_equal(refs(d), 2);
	domain_destroy(d);
	assert_int_equal(refs(d), 2);
	domain_put(ctl);
	assert_int_equal(refs(d), 1);
	assert_ptr_equal(domain_held(1), d);
	domain_put(d);				/* the tasklet's: freed */
	assert_null(domain_held(1));
	/* The id is free again. */
	d = create(1, 1);
	domain_destroy(d);
	assert_null(domain_held(1));
}

/*
 * A host interrupt of a hardware domain's device is delivered to its vCPUs
 * (vioapic.c, vmsi.c) until arch_domain_free() has unbound it: that runs
 * before any vCPU is freed.
 */
static void test_interrupts_unbound_before_vcpus_go(void **state)
{
	struct domain *d = create(1, 2);

	vcpus_destroyed = 0;
	vcpus_destroyed_at_arch_free = ~0u;
	domain_destroy(d);
	assert_int_equal(vcpus_destroyed_at_arch_free, 0);
	assert_int_equal(vcpus_destroyed, 2);
}

/* A domctl unpause that raced the destroy cannot undo its pause. */
static void test_unpause_of_a_dying_domain(void **state)
{
	struct domain *d = create(2, 1), *ctl = domain_get(2);

	domain_pause(d);			/* the toolstack paused it */
	domain_destroy(d);
	assert_int_equal(ctl->pause_count, 2);
	domain_unpause(ctl);
	assert_int_equal(ctl->pause_count, 2);
	domain_put(ctl);
}

/* Destroys racing on two CPUs: the reference goes once, whoever comes second. */
struct racer {
	struct domain *d;
	pthread_barrier_t *go;
	unsigned int cpu;
};

static void *destroy_racer(void *arg)
{
	struct racer *r = arg;

	hosted_cpu = r->cpu;
	pthread_barrier_wait(r->go);
	domain_destroy(r->d);
	domain_put(r->d);			/* each racer held one */
	return NULL;
}

static void test_destroy_race(void **state)
{
	pthread_barrier_t go;

	assert_int_equal(pthread_barrier_init(&go, NULL, 3), 0);
	for (int round = 0; round < 300; round++) {
		struct domain *d = create(3, 2);
		struct racer r[2] = { { d, &go, 0 }, { d, &go, 1 } };
		pthread_t t[2];

		domain_hold(d);
		domain_hold(d);
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&t[i], NULL, destroy_racer, &r[i]), 0);
		pthread_barrier_wait(&go);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		assert_null(domain_held(3));	/* freed, once */
	}
	pthread_barrier_destroy(&go);
}

/* ---- the shutdown tasklet ------------------------------------------------ */

/* What the scheduler loop on CPU0 does with the tasklet domain_stop() queued. */
static void run_shutdown_tasklet(struct domain *d)
{
	d->shutdown_work.fn(d->shutdown_work.data);
}

/*
 * A vCPU still on a CPU (in a long hypercall): the tasklet does not wait
 * for it but comes back on a later pass, then destroys the domain.
 */
static void test_shutdown_tasklet_retries_instead_of_waiting(void **state)
{
	struct domain *d = create(8, 2);

	domain_hold(d);				/* our look at it */
	domain_shutdown(d, SHUTDOWN_poweroff);
	assert_int_equal(tasklets_scheduled, 1);
	d->vcpus[1]->is_running = true;		/* not at its preemption point yet */
	run_shutdown_tasklet(d);
	assert_int_equal(tasklets_scheduled, 2);	/* again, later */
	assert_false(d->dying);
	run_shutdown_tasklet(d);
	assert_int_equal(tasklets_scheduled, 3);
	d->vcpus[1]->is_running = false;	/* it left its CPU */
	run_shutdown_tasklet(d);
	assert_int_equal(tasklets_scheduled, 3);
	assert_true(d->dying);
	assert_int_equal(refs(d), 1);		/* the table's and the tasklet's went */
	domain_put(d);
	assert_null(domain_held(8));
}

/* A preserved domain waits for nothing: the tasklet drops its reference at once. */
static void test_shutdown_tasklet_preserve(void **state)
{
	struct domain *d = create(11, 1);

	d->on_poweroff = ACTION_PRESERVE;
	domain_shutdown(d, SHUTDOWN_poweroff);
	d->vcpus[0]->is_running = true;		/* still leaving its CPU */
	run_shutdown_tasklet(d);
	assert_int_equal(tasklets_scheduled, 1);	/* not again */
	assert_false(d->dying);
	assert_int_equal(refs(d), 1);		/* the table's, for dom0's destroy */
	d->vcpus[0]->is_running = false;
	domain_destroy(d);
	assert_null(domain_held(11));
}

/* The toolstack destroyed it before the tasklet ran: the tasklet only drops its reference. */
static void test_shutdown_tasklet_after_a_destroy(void **state)
{
	struct domain *d = create(9, 1), *ctl;

	domain_shutdown(d, SHUTDOWN_crash);
	ctl = domain_get(9);
	domain_destroy(ctl);
	domain_put(ctl);
	assert_ptr_equal(domain_held(9), d);	/* the tasklet still holds it */
	run_shutdown_tasklet(d);
	assert_null(domain_held(9));
}

/* A boot-tree domain that reboots is rebuilt under its id: the old one is gone first. */
static void test_restart_reuses_the_id(void **state)
{
	struct domain *d = create(10, 1);

	d->on_reboot = ACTION_RESTART;
	domain_shutdown(d, SHUTDOWN_reboot);
	rebuilds = 0;
	rebuilt = NULL;
	run_shutdown_tasklet(d);
	assert_int_equal(rebuilds, 1);
	assert_non_null(rebuilt);		/* domain_create() got id 10 again */
	assert_int_equal(rebuilt->id, 10);
	domain_destroy(rebuilt);
	assert_null(domain_held(10));
}

/* ---- domain ids: Xen's rover --------------------------------------------- */

/* A new id each time, the next after the last one picked, never a taken one. */
static void test_ids_increase_and_skip_taken_ones(void **state)
{
	struct domain *a = domain_create(DOMID_INVALID, 1), *b, *c, *held;
	domid_t first;

	assert_non_null(a);
	first = a->id;
	assert_true(first > 0 && first < DOMID_FIRST_RESERVED - 4);
	domain_destroy(a);			/* freed: its id could be reused, is not */
	b = domain_create(DOMID_INVALID, 1);
	assert_int_equal(b->id, first + 1);
	held = domain_create(first + 2, 1);	/* a boot-time domain keeps its id */
	assert_non_null(held);
	domain_hold(held);
	domain_destroy(held);			/* dying, not freed: still taken */
	c = domain_create(DOMID_INVALID, 1);
	assert_int_equal(c->id, first + 3);
	assert_null(domain_create(c->id, 1));	/* taken */
	assert_ptr_equal(domain_get(b->id), b);
	domain_put(b);
	domain_put(held);
	domain_destroy(b);
	domain_destroy(c);
}

/*
 * Past DOMID_FIRST_RESERVED - 1 the ids wrap to 1, skipping live ones; a
 * domain's id is its frame owner, so far-apart ids each count their own frames.
 */
static void test_ids_wrap_and_own_frames(void **state)
{
	struct domain *one = domain_create(1, 1), *d, *e;

	assert_non_null(one);
	do {
		d = domain_create(DOMID_INVALID, 1);
		assert_non_null(d);
		assert_int_not_equal(d->id, 1);
		domain_destroy(d);
	} while (d->id != DOMID_FIRST_RESERVED - 1);
	d = domain_create(DOMID_INVALID, 1);
	assert_int_equal(d->id, 2);		/* 0 is never picked, 1 is live */
	domain_destroy(d);

	e = create(DOMID_FIRST_RESERVED - 1, 1);
	assert_ptr_equal(domain_held(DOMID_FIRST_RESERVED - 1), e);
	assert_ptr_equal(domain_in_slot(e->id), e);
	assert_int_equal(p2m_tot_pages(one), 0);
	assert_true(p2m_tot_pages(e) > 0);
	assert_int_equal(p2m_tot_pages(e), frames_owned(e->id));
	domain_destroy(one);
	d = domain_get(DOMID_FIRST_RESERVED - 1);
	assert_ptr_equal(d, e);
	domain_put(d);
	domain_destroy(e);
	assert_null(domain_get(DOMID_FIRST_RESERVED));
	assert_null(domain_held(DOMID_FIRST_RESERVED - 1));
	assert_null(domain_in_slot(DOMID_FIRST_RESERVED));
	assert_null(domain_create(DOMID_FIRST_RESERVED, 1));
}

/*
 * Thousands of domains at once, as Xen: each found by its id and by
 * domain_next() in order, a taken id refused; the domain table's pages come
 * with the first domain of their block of ids and go with the last, so
 * every page is back after (checked by the teardown).
 */
#define MANY_DOMAINS 2048
static void test_thousands_of_domains(void **state)
{
	static struct domain *d[MANY_DOMAINS];
	u64 before = host_pages.nr_free, one_domain;
	struct domain *e;
	domid_t next = 0;

	e = domain_create(DOMID_INVALID, 1);
	one_domain = before - host_pages.nr_free;
	domain_destroy(e);
	assert_int_equal(host_pages.nr_free, before);
	print_message("one domain of 1 vCPU without RAM: %llu pages\n",
		      (unsigned long long)one_domain);
	for (unsigned int i = 0; i < MANY_DOMAINS; i++) {
		d[i] = domain_create(DOMID_INVALID, 1);
		assert_non_null(d[i]);
	}
	/* Memory follows the domains: theirs and a page of table per 512 ids. */
	assert_true(before - host_pages.nr_free <=
		    MANY_DOMAINS * one_domain + MANY_DOMAINS / 512 + 2);
	assert_null(domain_create(d[MANY_DOMAINS / 2]->id, 1));
	for (unsigned int i = 0; i < MANY_DOMAINS; i++) {
		e = domain_get(d[i]->id);
		assert_ptr_equal(e, d[i]);
		domain_put(e);
	}
	for (unsigned int i = 0; i < MANY_DOMAINS; i++) {
		e = domain_next(&next);
		assert_non_null(e);
		assert_int_equal(e->id, d[i]->id);	/* ids rise from the rover */
		domain_put(e);
	}
	if (d[0]->id > 1)	/* no wrap in between: nothing more */
		assert_null(domain_next(&next));
	for (unsigned int i = 0; i < MANY_DOMAINS; i++) {
		domid_t id = d[i]->id;

		domain_destroy(d[i]);
		assert_null(domain_get(id));
	}
	assert_int_equal(host_pages.nr_free, before);
}

/* The toolstack's pauses nest as Xen's: a count with a limit, no unpause without a pause. */
static void test_controller_pauses_nest(void **state)
{
	struct domain *d = create(4, 1);
	unsigned int n = 0;

	assert_int_equal(domain_unpause_by_controller(d), -EINVAL);
	assert_int_equal(domain_pause_by_controller(d), 0);
	assert_int_equal(domain_pause_by_controller(d), 0);
	domain_pause(d);			/* keel's own, e.g. a destroy in progress */
	assert_int_equal(d->pause_count, 3);
	assert_int_equal(domain_unpause_by_controller(d), 0);
	assert_int_equal(d->pause_count, 2);	/* one unpause undoes one pause */
	assert_int_equal(domain_unpause_by_controller(d), 0);
	assert_int_equal(domain_unpause_by_controller(d), -EINVAL);
	assert_int_equal(d->pause_count, 1);	/* keel's pause is not the toolstack's */
	domain_unpause(d);
	assert_int_equal(d->pause_count, 0);
	while (domain_pause_by_controller(d) == 0)
		n++;
	assert_int_equal(n, DOMAIN_MAX_CONTROLLER_PAUSES);
	assert_int_equal(domain_pause_by_controller(d), -EOVERFLOW);
	assert_int_equal(d->pause_count, DOMAIN_MAX_CONTROLLER_PAUSES);
	domain_destroy(d);
}

/* ---- a triple fault: Xen's hvm_triple_fault() ---------------------------- */

static long hvm_param(struct domain *caller, unsigned int cmd, domid_t dom,
		      u32 index, u64 *value)
{
	struct xen_hvm_param p = { .domid = dom, .index = index, .value = *value };
	long rc = do_hvm_op(caller->vcpus[0], cmd, (u64)(uintptr_t)&p);

	*value = p.value;
	return rc;
}

/*
 * By default a triple fault reboots the domain; a control domain may make it
 * a crash (as XenServer's toolstack does), the domain itself may neither
 * read nor choose it, and another unprivileged domain may not either.
 */
static void test_triple_fault_reason(void **state)
{
	struct domain *d0 = create(0, 1), *d1 = create(1, 1), *d2 = create(2, 1);
	u64 v = SHUTDOWN_crash;

	d0->privileged = true;
	domain_triple_fault(d1->vcpus[0], "triple fault");
	assert_int_equal(d1->state, DOMAIN_SHUTDOWN);
	assert_int_equal(d1->shutdown_reason, SHUTDOWN_reboot);
	run_shutdown_tasklet(d1);		/* on_reboot: destroy */
	d1 = create(1, 1);

	assert_int_equal(hvm_param(d1, HVMOP_set_param, DOMID_SELF,
				   HVM_PARAM_TRIPLE_FAULT_REASON, &v), -EPERM);
	assert_int_equal(hvm_param(d1, HVMOP_get_param, DOMID_SELF,
				   HVM_PARAM_TRIPLE_FAULT_REASON, &v), -EPERM);
	assert_int_equal(hvm_param(d2, HVMOP_set_param, 1,
				   HVM_PARAM_TRIPLE_FAULT_REASON, &v), -EPERM);
	assert_int_equal(hvm_param(d0, HVMOP_set_param, 7,
				   HVM_PARAM_TRIPLE_FAULT_REASON, &v), -ESRCH);
	v = SHUTDOWN_MAX + 1;
	assert_int_equal(hvm_param(d0, HVMOP_set_param, 1,
				   HVM_PARAM_TRIPLE_FAULT_REASON, &v), -EINVAL);
	v = SHUTDOWN_crash;
	assert_int_equal(hvm_param(d0, HVMOP_set_param, 1,
				   HVM_PARAM_TRIPLE_FAULT_REASON, &v), 0);
	/* keel's own parameters stay keel's */
	assert_int_equal(hvm_param(d0, HVMOP_set_param, 1, HVM_PARAM_STORE_PFN, &v), -EPERM);
	v = 0;
	assert_int_equal(hvm_param(d0, HVMOP_get_param, 1,
				   HVM_PARAM_TRIPLE_FAULT_REASON, &v), 0);
	assert_int_equal(v, SHUTDOWN_crash);

	domain_triple_fault(d1->vcpus[0], "triple fault");
	assert_int_equal(d1->state, DOMAIN_CRASHED);
	assert_true(test_log_has("d1 crashed: triple fault"));
	run_shutdown_tasklet(d1);
	domain_destroy(d2);
	domain_destroy(d0);
}

/* ---- finding 4: every timer dies with the domain ------------------------ */

static void test_destroy_kills_every_timer(void **state)
{
	struct domain *d = create(4, 2);
	struct vcpu *v0 = d->vcpus[0], *v1 = d->vcpus[1];

	assert_int_equal(console_ring_init(d, true), 0);	/* arms console_poll */
	timer_set(&v0->singleshot_timer, now + 100);
	v0->periodic_period = MILLISECS(1);
	timer_set(&v0->periodic_timer, now + 200);
	timer_migrate(&v1->periodic_timer, 1);		/* it last ran on CPU 1 */
	v1->periodic_period = MILLISECS(1);
	timer_set(&v1->periodic_timer, now + 200);
	timer_set(&v1->poll_timer, now + 300);
	domain_console_write(d, "no newline yet", 14);	/* no flush: silent domU */
	d->privileged = true;				/* dom0's prompt is flushed */
	domain_console_write(d, "prompt$ ", 8);
	assert_true(d->console_flush.active);
	assert_true(d->console_poll.active);
	assert_int_not_equal(timers_next_deadline(), TIMER_NONE);

	domain_destroy(d);		/* the last reference: freed at once */
	assert_null(domain_held(4));
	/* No timer of it is left on any CPU (vcpu_destroy() asserted them killed). */
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
	hosted_cpu = 1;
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
	hosted_cpu = 0;
	/* What waited of its output reached keel's console at the end. */
	assert_non_null(strstr(screen, "(d) prompt$ \n"));
}

/*
 * dom0's console input by interrupt: each one moves what waits in the UART
 * into the ring and arms no timer; only while the ring is full does a
 * timer poll (the UART's edge-triggered line would not fire again), until
 * the rest fits. The destroy stops the interrupt.
 */
static void test_console_input_by_interrupt(void **state)
{
	struct domain *d = create(4, 1);
	struct xencons_interface *ring;
	static char flood[XENCONS_IN_SIZE + 100];

	uart_irq_works = true;
	uart_rx = "typed before the guest ran\n";
	assert_int_equal(console_ring_init(d, true), 0);
	assert_non_null(uart_irq_fn);
	assert_ptr_equal(uart_irq_data, d);
	ring = d->console_ring;
	/* What waited before the interrupt was on raised no edge: read once. */
	assert_true(d->console_poll.active);
	timers_run(now);
	assert_int_equal(ring->in_prod, 27);
	assert_memory_equal(ring->in, "typed before the guest ran\n", 27);
	assert_false(d->console_poll.active);

	/* A key: in the ring at its interrupt, no timer. */
	uart_rx = "ls\n";
	uart_irq_fn(uart_irq_data);
	assert_int_equal(ring->in_prod, 30);
	assert_memory_equal(ring->in + 27, "ls\n", 3);
	assert_false(d->console_poll.active);
	assert_int_equal(timers_next_deadline(), TIMER_NONE);

	/* More than fits: the ring fills, the rest is polled for. */
	ring->in_cons = 30;
	memset(flood, 'x', sizeof(flood) - 1);
	flood[sizeof(flood) - 2] = 'y';
	uart_rx = flood;
	uart_irq_fn(uart_irq_data);
	assert_int_equal(ring->in_prod - ring->in_cons, XENCONS_IN_SIZE);
	assert_true(d->console_poll.active);
	now += MILLISECS(20);
	timers_run(now);			/* still full: polls on */
	assert_true(d->console_poll.active);
	assert_int_equal(strlen(uart_rx), sizeof(flood) - 1 - XENCONS_IN_SIZE);
	ring->in_cons = ring->in_prod;		/* the guest read it all */
	now += MILLISECS(20);
	timers_run(now);
	assert_int_equal(*uart_rx, '\0');
	assert_int_equal(ring->in[(ring->in_prod - 1) % XENCONS_IN_SIZE], 'y');
	assert_false(d->console_poll.active);

	domain_destroy(d);
	assert_null(uart_irq_fn);
	uart_irq_works = false;
	uart_rx = NULL;
}

/* Killed timers stay dead while a holder still has the domain. */
static void test_killed_timers_ignore_rearming(void **state)
{
	struct domain *d = create(5, 1);
	struct vcpu *v;

	domain_hold(d);
	v = d->vcpus[0];
	v->periodic_period = MILLISECS(1);
	timer_set(&v->periodic_timer, now + 10);
	domain_destroy(d);
	assert_int_equal(v->periodic_period, 0);
	assert_true(v->periodic_timer.killed && v->singleshot_timer.killed &&
		    v->poll_timer.killed && d->console_poll.killed &&
		    d->console_flush.killed);
	/* Hypercall paths or a late callback arming them: nothing happens. */
	timer_set(&v->singleshot_timer, now + 1);
	timer_set(&v->periodic_timer, now + 1);
	timer_set(&d->console_poll, now + 1);
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
	timers_run(now + 1000);
	domain_put(d);
}

/* ---- finding 7: long guest loops yield with a continuation -------------- */

/* A copy batch preempted every 16 ops goes on from where it stopped, each op once. */
static void test_copy_batch_continues(void **state)
{
	struct domain *d = create(6, 1);
	struct vcpu *v = d->vcpus[0];
	enum { N = 40 };
	struct gnttab_copy ops[N];
	unsigned int cmd = GNTTABOP_copy, count = N, rounds = 0;
	u64 arg = (uintptr_t)ops;
	u8 *page = guest_page(d, RAM_GPA);
	long rc;

	for (unsigned int i = 0; i < N; i++)
		ops[i] = (struct gnttab_copy){
			.source = { .u.gmfn = RAM_GPA >> PAGE_SHIFT, .domid = DOMID_SELF,
				    .offset = i },
			.dest = { .u.gmfn = (RAM_GPA >> PAGE_SHIFT) + 1,
				  .domid = DOMID_SELF, .offset = i },
			.len = 1, .status = 99,
		};
	for (unsigned int i = 0; i < N; i++)
		page[i] = 0xa0 + i;
	preempt_after = 1;		/* pending work at every check */
	while ((rc = do_grant_table_op(v, cmd, arg, count)) == -ERESTART) {
		assert_int_equal(cont_nr, __HYPERVISOR_grant_table_op);
		assert_int_equal(cont_nargs, 3);
		assert_int_equal(cont_args[0], GNTTABOP_copy);	/* no bits above the op */
		/* HYPERCALL_PREEMPT_EVERY done, the rest left. */
		assert_int_equal(cont_args[1], arg + HYPERCALL_PREEMPT_EVERY * sizeof(ops[0]));
		assert_int_equal(cont_args[2], count - HYPERCALL_PREEMPT_EVERY);
		for (unsigned int i = 0; i < N; i++)
			assert_int_equal(ops[i].status,
					 (u64)(uintptr_t)&ops[i] < cont_args[1] ? GNTST_okay : 99);
		cmd = cont_args[0];
		arg = cont_args[1];
		count = cont_args[2];
		rounds++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(rounds, N / HYPERCALL_PREEMPT_EVERY);
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal(ops[i].status, GNTST_okay);
		assert_int_equal(page[PAGE_SIZE + i], 0xa0 + i);
	}
	/* Nothing pending: one call does it all. */
	preempt_after = ~0U;
	continuations = 0;
	assert_int_equal(do_grant_table_op(v, GNTTABOP_copy, (uintptr_t)ops, N), 0);
	assert_int_equal(continuations, 0);
	domain_destroy(d);
}

/* A console_io write yields between chunks; its bytes are kept once, in order. */
static void test_console_io_continues(void **state)
{
	struct domain *d = create(7, 1);
	struct vcpu *v = d->vcpus[0];
	static char text[3000], kept[4096];
	u64 len = sizeof(text), buf = (uintptr_t)text, pos = 0, head;
	unsigned int calls = 0;
	long rc;

	assert_int_equal(console_ring_init(d, false), 0);
	for (unsigned int i = 0; i < sizeof(text); i++)
		text[i] = 'a' + i % 26;
	preempt_after = 1;
	while ((rc = do_console_io(v, CONSOLEIO_write, len, buf)) == -ERESTART) {
		assert_int_equal(cont_nr, __HYPERVISOR_console_io);
		assert_int_equal(cont_args[0], CONSOLEIO_write);
		assert_true(cont_args[1] < len && cont_args[2] == buf + (len - cont_args[1]));
		len = cont_args[1];
		buf = cont_args[2];
		calls++;
	}
	assert_int_equal(rc, 0);
	assert_true(calls >= sizeof(text) / 128 - 1);
	assert_int_equal(console_ring_read(d, &pos, kept, sizeof(kept), &head),
			 (long)sizeof(text));
	assert_int_equal(head, sizeof(text));
	assert_memory_equal(kept, text, sizeof(text));
	domain_destroy(d);
}

/* ---- console output outlives the domain (issue 20) ----------------------- */

/* One console_read as domctl does it: the bytes from *@pos up to the head, appended to @out. */
static long console_read(domid_t id, u64 *instance, u64 *pos, char *out, bool *gone)
{
	struct domain *d = domain_get_console(id);
	char buf[4096];
	u64 head;
	long n = console_keep_read(d, id, instance, pos, buf, sizeof(buf) - 1, &head, gone);

	if (d)
		domain_put(d);
	if (n < 0)
		return n;
	buf[n] = '\0';
	strcat(out, buf);
	*pos += n;
	assert_true(*pos <= head);
	return n;
}

/*
 * The guest prints its last words and powers off; keel destroys it at
 * once (on_poweroff = "destroy"), before the reader's next poll. The
 * reader still gets every byte, in order, told that no more will come,
 * and the domain's frames all go back (teardown checks).
 */
static void test_console_outlives_the_domain(void **state)
{
	struct domain *d = create(12, 1);
	static char out[8192];
	u64 instance = 0, pos = 0, first;
	bool gone = true;

	out[0] = '\0';
	assert_int_equal(console_ring_init(d, false), 0);
	domain_console_write(d, "line 1\nline 2\n", 14);
	assert_int_equal(console_read(12, &instance, &pos, out, &gone), 14);
	assert_false(gone);
	first = instance;
	assert_int_equal(first, d->console_instance);
	domain_console_write(d, "line 3\nlast words\n", 18);
	domain_shutdown(d, SHUTDOWN_poweroff);
	run_shutdown_tasklet(d);
	assert_null(domain_held(12));		/* freed, with its console */
	assert_null(domain_get_console(12));

	assert_int_equal(console_read(12, &instance, &pos, out, &gone), 18);
	assert_true(gone);
	assert_int_equal(instance, first);
	assert_string_equal(out, "line 1\nline 2\nline 3\nlast words\n");
	assert_int_equal(console_read(12, &instance, &pos, out, &gone), 0);
	assert_true(gone);

	/* The id again: a new domain, its own console; the old one's copy stays. */
	d = create(12, 1);
	assert_int_equal(console_ring_init(d, false), 0);
	domain_console_write(d, "new\n", 4);
	instance = 0;
	pos = 0;
	out[0] = '\0';
	assert_int_equal(console_read(12, &instance, &pos, out, &gone), 4);
	assert_false(gone);
	assert_true(instance > first);
	instance = first;
	pos = 14;
	out[0] = '\0';
	assert_int_equal(console_read(12, &instance, &pos, out, &gone), 18);
	assert_true(gone);
	assert_string_equal(out, "line 3\nlast words\n");
	domain_destroy(d);
	/* The newest of id 12 is the one destroyed last. */
	instance = 0;
	pos = 0;
	out[0] = '\0';
	assert_int_equal(console_read(12, &instance, &pos, out, &gone), 4);
	assert_true(gone && instance > first);
}

/* A reader holding the domain while it is destroyed reads it to the end, then the copy says gone. */
static void test_console_read_across_the_destroy(void **state)
{
	struct domain *d = create(13, 1), *held;
	char buf[64];
	u64 instance = 0, pos = 0, head;
	bool gone;

	assert_int_equal(console_ring_init(d, false), 0);
	domain_console_write(d, "bye\n", 4);
	held = domain_get_console(13);
	assert_ptr_equal(held, d);
	domain_destroy(d);			/* dying, not freed: we hold it */
	assert_null(domain_get_console(13));	/* closed: readers go to the copy */
	assert_int_equal(console_keep_read(held, 13, &instance, &pos, buf, sizeof(buf), &head,
					   &gone), 4);
	assert_false(gone);
	domain_put(held);
	pos = 4;
	assert_int_equal(console_keep_read(NULL, 13, &instance, &pos, buf, sizeof(buf), &head,
					   &gone), 0);
	assert_true(gone);
	assert_int_equal(head, 4);
	pos = 5;
	assert_int_equal(console_keep_read(NULL, 13, &instance, &pos, buf, sizeof(buf), &head,
					   &gone), -EINVAL);
}

/* Bytes the guest left in its output ring without notifying are kept at its destroy. */
static void test_console_unnotified_ring_bytes_are_kept(void **state)
{
	struct domain *d = create(14, 1);
	struct xencons_interface *ring;
	static const char text[] = "in the ring, never notified\n";
	char buf[64];
	u64 instance = 0, pos = 0, head;
	bool gone;

	assert_int_equal(console_ring_init(d, false), 0);
	ring = d->console_ring;
	for (unsigned int i = 0; i < sizeof(text) - 1; i++)
		ring->out[(ring->out_prod + i) % XENCONS_OUT_SIZE] = text[i];
	ring->out_prod += sizeof(text) - 1;
	domain_destroy(d);
	assert_int_equal(console_keep_read(NULL, 14, &instance, &pos, buf, sizeof(buf), &head,
					   &gone), (long)sizeof(text) - 1);
	assert_true(gone);
	assert_memory_equal(buf, text, sizeof(text) - 1);
}

/* Copies are kept of the newest CONSOLE_KEEP_DEAD domains; none of one that never had memory. */
static void test_console_copies_are_bounded(void **state)
{
	u64 instances[CONSOLE_KEEP_DEAD + 1], instance, pos = 0, head;
	struct domain *d;
	char buf[16];
	bool gone;

	for (unsigned int i = 0; i <= CONSOLE_KEEP_DEAD; i++) {
		d = create(20 + i, 1);
		assert_int_equal(console_ring_init(d, false), 0);
		domain_console_write(d, "x", 1);
		instances[i] = d->console_instance;
		domain_destroy(d);
	}
	instance = instances[0];		/* the oldest made room */
	assert_int_equal(console_keep_read(NULL, 20, &instance, &pos, buf, sizeof(buf), &head,
					   &gone), -ESRCH);
	for (unsigned int i = 1; i <= CONSOLE_KEEP_DEAD; i++) {
		instance = 0;
		pos = 0;
		assert_int_equal(console_keep_read(NULL, 20 + i, &instance, &pos, buf,
						   sizeof(buf), &head, &gone), 1);
		assert_int_equal(instance, instances[i]);
	}
	d = domain_create(30, 1);		/* no memory, no console */
	assert_non_null(d);
	domain_destroy(d);
	instance = 0;
	assert_int_equal(console_keep_read(NULL, 30, &instance, &pos, buf, sizeof(buf), &head,
					   &gone), -ESRCH);
	/* An id that never was, and one past the table. */
	assert_int_equal(console_keep_read(NULL, 31, &instance, &pos, buf, sizeof(buf), &head,
					   &gone), -ESRCH);
	assert_null(domain_get_console(DOMID_FIRST_RESERVED));
}

/* ---- getstats: VM exits and hypercalls, the vCPUs summed ------------------ */

static void test_stats_sum_the_vcpus(void **state)
{
	static struct keel_domstats s;
	struct domain *d = create(40, 2);

	domain_stats_fill(d, &s);
	assert_int_equal(s.nr_vcpus, 2);
	assert_int_equal(s.exits_total, 0);
	assert_int_equal(s.hypercalls_total, 0);
	d->vcpus[0]->arch.exit_count[18] = 5;	/* VMCALL */
	d->vcpus[1]->arch.exit_count[18] = 7;
	d->vcpus[1]->arch.exit_count[EXIT_REASON_MAX] = 3;
	d->vcpus[0]->hcall_count[__HYPERVISOR_event_channel_op] = 4;
	d->vcpus[1]->hcall_count[__HYPERVISOR_event_channel_op] = 1;
	d->vcpus[1]->hcall_count[KEEL_STATS_HCALLS - 1] = 2;
	domain_stats_fill(d, &s);
	assert_int_equal(s.exits[18], 12);
	assert_int_equal(s.exits[EXIT_REASON_MAX], 3);
	assert_int_equal(s.exits_total, 15);
	assert_int_equal(s.hypercalls[__HYPERVISOR_event_channel_op], 5);
	assert_int_equal(s.hypercalls[KEEL_STATS_HCALLS - 1], 2);
	assert_int_equal(s.hypercalls_total, 7);
	/* Another domain's counts are its own. */
	domain_destroy(d);
	d = create(41, 1);
	domain_stats_fill(d, &s);
	assert_int_equal(s.exits_total + s.hypercalls_total, 0);
	domain_destroy(d);
}

/* Reasons past the table: in the total only, never written beyond it. */
static void test_stats_clamp_exit_reasons(void **state)
{
	u64 counts[4] = { 0 };
	struct domain *d = create(42, 1);

	d->vcpus[0]->arch.exit_count[2] = 1;
	d->vcpus[0]->arch.exit_count[10] = 9;
	assert_int_equal(arch_vcpu_exit_counts(d->vcpus[0], counts, 3), 10);
	assert_int_equal(counts[2], 1);
	assert_int_equal(counts[3], 0);	/* n = 3: untouched */
	domain_destroy(d);
}

/* KEEL_DOMCTL_dump_vcpus: what could wake a vCPU (finding 23's post-mortem). */
static void test_dump_shows_a_poll_that_never_ends(void **state)
{
	struct domain *d = create(43, 1);
	struct vcpu *v = d->vcpus[0];

	v->polling = true;
	timer_set(&v->poll_timer, ~0ULL - 999999);	/* "now - 1 s" before a second passed */
	test_log_reset();
	vcpu_dump(v);
	assert_true(test_log_has("d43v0: state 2 runstate 3 CPU0 polling;"));
	assert_true(test_log_has("single-shot off, periodic off (0 ns), poll 0xfffffffffff0bdc0"));
	assert_true(test_log_has("arch state of d43v0"));
	v->polling = false;
	timer_stop(&v->poll_timer);
	domain_destroy(d);
}

/*
 * Finding 22's kept areas: a time area is a guest-virtual address of its
 * own vCPU, which only that vCPU's page tables translate. vCPU 0
 * registering vCPU 1's vcpu_info (Linux does so before starting it) must
 * not write vCPU 1's area through vCPU 0's translation (the loaded VMCS's
 * CR3); vCPU 1 refreshes it when it next runs.
 */
static void test_time_area_written_only_by_its_vcpu(void **state)
{
	static u8 area[sizeof(struct vcpu_time_info)];
	struct vcpu_register_vcpu_info r = { .mfn = RAM_GPA >> 12 };
	struct domain *d = create(44, 2);
	struct vcpu *v0 = d->vcpus[0], *v1 = d->vcpus[1];

	memset(area, 0x5a, sizeof(area));
	v1->time_area_va = (uptr)area;
	this_cpu()->curr = v0;
	assert_int_equal(do_vcpu_op(v0, VCPUOP_register_vcpu_info, 1, (uptr)&r), 0);
	for (size_t i = 0; i < sizeof(area); i++)
		assert_int_equal(area[i], 0x5a);
	this_cpu()->curr = v1;
	vcpu_update_time(v1);
	assert_int_equal(((struct vcpu_time_info *)area)->version,
			 v1->vcpu_info->time.version);
	this_cpu()->curr = NULL;
	domain_destroy(d);
}

/*
 * Finding 22's candidates: the runstate area is a guest-virtual address too.
 * Registered for vCPU 1 by vCPU 0, it is written only once vCPU 1 is loaded.
 */
static void test_runstate_written_only_by_its_vcpu(void **state)
{
	static u8 area[sizeof(struct vcpu_runstate_info)];
	struct vcpu_register_runstate_memory_area r = { .addr = (uptr)area };
	struct domain *d = create(45, 2);
	struct vcpu *v0 = d->vcpus[0], *v1 = d->vcpus[1];

	memset(area, 0x5a, sizeof(area));
	this_cpu()->curr = v0;
	assert_int_equal(do_vcpu_op(v0, VCPUOP_register_runstate_memory_area, 1,
				    (uptr)&r), 0);
	vcpu_set_runstate(v1, RUNSTATE_runnable);
	for (size_t i = 0; i < sizeof(area); i++)
		assert_int_equal(area[i], 0x5a);
	this_cpu()->curr = v1;
	vcpu_set_runstate(v1, RUNSTATE_running);
	assert_int_equal(((struct vcpu_runstate_info *)area)->state, RUNSTATE_running);
	this_cpu()->curr = NULL;
	domain_destroy(d);
}

/*
 * audit19: another domain's copy through its mapping of one of d's grants
 * still holds the frame (a reference, none to d) when the unmap drops d's
 * last reference. domain_free() waits for that put, which charges d's
 * count through d's table slot, before the slot goes: no ASSERT, and the
 * frame is freed and counted against d, not against whoever gets its id.
 */
static u64 borrowed;

static void *copy_ends_later(void *arg)
{
	(void)arg;
	usleep(20000);			/* the memcpy */
	put_page(borrowed);
	return NULL;
}

static void test_free_waits_for_a_borrowed_frame(void **state)
{
	struct domain *d = create(49, 1);
	u64 free_before = READ_ONCE(host_pages.nr_free);
	pthread_t t;

	assert_int_equal(p2m_get_page(d, RAM_GPA, P2M_READ, &borrowed, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, copy_ends_later, NULL), 0);
	domain_destroy(d);		/* the last reference: freed here */
	pthread_join(t, NULL);
	assert_int_equal(page_count(borrowed), 0);
	assert_int_equal(frames_owned(49), 0);
	assert_true(READ_ONCE(host_pages.nr_free) > free_before);
}

/*
 * A frame still held a second later (a leak, or the copying CPU stalled
 * that long): the domain is kept, dying, with its id and its count, so the
 * late put charges it and no other domain; what stays is its struct and
 * its table page, on purpose. The domain table is left holding it: this
 * test runs last.
 */
static int stall_over;

static void *copy_stalls(void *arg)
{
	(void)arg;
	usleep(10000);
	__atomic_add_fetch(&now, 2 * NSEC_PER_SEC, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&stall_over, __ATOMIC_SEQ_CST))
		usleep(1000);
	put_page(borrowed);
	return NULL;
}

static void test_frame_held_too_long_keeps_the_id(void **state)
{
	u64 free_before = READ_ONCE(host_pages.nr_free);
	struct domain *d = create(50, 1);
	pthread_t t;

	assert_int_equal(p2m_get_page(d, RAM_GPA, P2M_READ, &borrowed, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, copy_stalls, NULL), 0);
	domain_destroy(d);
	assert_true(test_log_has("d50: 1 frame(s) still held a second after its last reference went"));
	assert_ptr_equal(domain_in_slot(50), d);
	assert_null(domain_get(50));
	assert_int_equal(frames_owned(50), 1);
	__atomic_store_n(&stall_over, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	assert_int_equal(frames_owned(50), 0);
	assert_int_equal(page_count(borrowed), 0);
	assert_int_equal(free_before - READ_ONCE(host_pages.nr_free), 2 + 1);
}

static int teardown_kept_domain(void **state)
{
	stub_ram_free();
	return 0;
}

/* vm_assist: only runstate_update_flag, Xen's error codes for the rest. */
static void test_vm_assist_answers_as_xen(void **state)
{
	struct domain *d = create(46, 1);
	struct vcpu *v = d->vcpus[0];
	const unsigned int flag = VMASST_TYPE_runstate_update_flag;

	assert_int_equal(do_vm_assist(v, VMASST_CMD_enable, 4), -EINVAL);
	assert_int_equal(do_vm_assist(v, VMASST_CMD_enable, 32), -EINVAL);
	assert_int_equal(do_vm_assist(v, VMASST_CMD_enable, 0xffffffff), -EINVAL);
	assert_int_equal(do_vm_assist(v, 2, flag), -ENOSYS);
	assert_false(vm_assist_enabled(d, flag));
	assert_int_equal(do_vm_assist(v, VMASST_CMD_enable, flag), 0);
	assert_true(vm_assist_enabled(d, flag));
	assert_int_equal(do_vm_assist(v, VMASST_CMD_enable, flag), 0);
	assert_int_equal(do_vm_assist(v, VMASST_CMD_disable, flag), 0);
	assert_false(vm_assist_enabled(d, flag));
	assert_int_equal(d->vm_assist, 0);
	domain_destroy(d);
}

/*
 * Without the flag one copy; with it, the flag's byte first, then the area
 * with the flag set, then the byte cleared: a reader between any two sees
 * XEN_RUNSTATE_UPDATE and retries.
 */
static void test_runstate_update_flag_brackets_the_copy(void **state)
{
	static struct vcpu_runstate_info area;
	struct vcpu_register_runstate_memory_area r = { .addr = (uptr)&area };
	struct domain *d = create(47, 1);
	struct vcpu *v = d->vcpus[0];

	this_cpu()->curr = v;
	assert_int_equal(do_vcpu_op(v, VCPUOP_register_runstate_memory_area, 0, (uptr)&r), 0);
	watched_area = &area;
	nr_copies = 0;
	vcpu_set_runstate(v, RUNSTATE_running);
	assert_int_equal(nr_copies, 1);
	assert_int_equal(copies[0].len, sizeof(area));
	assert_false(copies[0].entry_time & XEN_RUNSTATE_UPDATE);

	assert_int_equal(do_vm_assist(v, VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag), 0);
	nr_copies = 0;
	vcpu_set_runstate(v, RUNSTATE_blocked);
	assert_int_equal(nr_copies, 3);
	assert_int_equal(copies[0].len, 1);
	assert_true(copies[0].entry_time & XEN_RUNSTATE_UPDATE);
	assert_int_equal(copies[1].len, sizeof(area));
	assert_int_equal(copies[1].entry_time, v->runstate.state_entry_time | XEN_RUNSTATE_UPDATE);
	assert_int_equal(copies[2].len, 1);
	assert_int_equal(copies[2].entry_time, v->runstate.state_entry_time);
	assert_int_equal(area.state, RUNSTATE_blocked);
	assert_memory_equal(area.time, v->runstate.time, sizeof(area.time));
	watched_area = NULL;
	this_cpu()->curr = NULL;
	domain_destroy(d);
}

/*
 * An area in one page of the guest's RAM is written through the page (no
 * copy); one across a page boundary by the three copies. Both end with the
 * runstate and the flag clear.
 */
static void test_runstate_flag_through_the_page(void **state)
{
	struct domain *d = create(48, 1);
	struct vcpu *v = d->vcpus[0];
	u64 gpas[] = { RAM_GPA + 64, RAM_GPA + PAGE_SIZE - 20 };

	this_cpu()->curr = v;
	va_is_gpa = true;
	assert_int_equal(do_vm_assist(v, VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(gpas); i++) {
		struct vcpu_register_runstate_memory_area r = { .addr = gpas[i] };
		struct vcpu_runstate_info seen;

		assert_int_equal(do_vcpu_op(v, VCPUOP_register_runstate_memory_area, 0,
					    (uptr)&r), 0);
		nr_copies = 0;
		vcpu_set_runstate(v, RUNSTATE_runnable);
		vcpu_set_runstate(v, RUNSTATE_running);
		assert_int_equal(nr_copies, i ? 6 : 0);
		for (unsigned int b = 0; b < sizeof(seen); b++)
			((u8 *)&seen)[b] = *guest_byte(d, gpas[i] + b);
		assert_int_equal(seen.state, RUNSTATE_running);
		assert_int_equal(seen.state_entry_time, v->runstate.state_entry_time);
		assert_false(seen.state_entry_time & XEN_RUNSTATE_UPDATE);
	}
	va_is_gpa = false;
	this_cpu()->curr = NULL;
	domain_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_destroys_drop_one_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupts_unbound_before_vcpus_go, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpause_of_a_dying_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_tasklet_retries_instead_of_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_tasklet_preserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_tasklet_after_a_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_reuses_the_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_increase_and_skip_taken_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_wrap_and_own_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thousands_of_domains, setup_big, teardown),
		cmocka_unit_test_setup_teardown(test_controller_pauses_nest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triple_fault_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_kills_every_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_input_by_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_timers_ignore_rearming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_batch_continues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_io_continues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_outlives_the_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_read_across_the_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_copies_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_unnotified_ring_bytes_are_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_sum_the_vcpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_clamp_exit_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_shows_a_poll_that_never_ends, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_time_area_written_only_by_its_vcpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_runstate_written_only_by_its_vcpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_assist_answers_as_xen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_waits_for_a_borrowed_frame, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_runstate_update_flag_brackets_the_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_runstate_flag_through_the_page, setup,
						teardown),
		/* Last: it leaves a domain in the table. */
		cmocka_unit_test_setup_teardown(test_frame_held_too_long_keeps_the_id, setup,
						teardown_kept_domain),
	};

	return cmocka_run_group_tests_name("domain_life", tests, NULL, NULL);
}
