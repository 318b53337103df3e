/* Host tests of vcpu_op's timer sub-ops: the periodic timer's bounds (Xen's), its arming and stop. */
#include <string.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/p2m.h>
#include <keel/hypercall.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/vcpu.h>
#include "host.h"

#define NOW 5000000000ULL

static struct domain dom;
static struct vcpu vcpu0;

/* Guest-virtual addresses are host pointers. */
int copy_from_guest(struct vcpu *v, void *dst, u64 va, u64 len)
{
	memcpy(dst, (void *)(uintptr_t)va, len);
	return 0;
}

void *guest_page(struct domain *d, u64 gpa)
{
	return NULL;
}

/* No guest RAM here: vcpu_info registration finds nothing to hold. */
int p2m_get_page(struct domain *d, u64 gpa, unsigned int need, u64 *hpa,
		 u64 *attr)
{
	return -ENOENT;
}

void put_page(u64 hpa) { }

void *phys_to_virt(u64 phys)
{
	return NULL;
}

u64 now_ns(void)
{
	return NOW;
}

void vcpu_update_time(struct vcpu *v) { }
void vcpu_set_runstate(struct vcpu *v, int state) { }

void timer_set(struct timer *t, u64 expires)
{
	t->expires = expires;
	t->active = true;
}

void timer_stop(struct timer *t)
{
	t->active = false;
}

static int setup(void **state)
{
	(void)state;
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu0, 0, sizeof(vcpu0));
	vcpu0.domain = &dom;
	dom.nr_vcpus = 1;
	dom.vcpus[0] = &vcpu0;
	return 0;
}

static long set_periodic(u64 period_ns)
{
	struct vcpu_set_periodic_timer p = { period_ns };

	return do_vcpu_op(&vcpu0, VCPUOP_set_periodic_timer, 0, (u64)(uintptr_t)&p);
}

static void test_periodic_timer(void **state)
{
	(void)state;
	assert_int_equal(set_periodic(MILLISECS(1)), 0);
	assert_true(vcpu0.periodic_timer.active);
	assert_int_equal(vcpu0.periodic_timer.expires, NOW + MILLISECS(1));
	assert_int_equal(vcpu0.periodic_period, MILLISECS(1));
	assert_int_equal(do_vcpu_op(&vcpu0, VCPUOP_stop_periodic_timer, 0, 0), 0);
	assert_false(vcpu0.periodic_timer.active);
	assert_int_equal(vcpu0.periodic_period, 0);
	assert_int_equal(set_periodic(MILLISECS(1) - 1), -EINVAL);
	assert_false(vcpu0.periodic_timer.active);
}

/*
 * Found by fuzzing: a period near 2^64 made now + period wrap to the past, so the timer was
 * due at once and re-armed itself in the past at every firing: the CPU's timer loop never
 * ended. Xen refuses periods above STIME_DELTA_MAX (2^62 - 1); so does keel now.
 */
static void test_periodic_timer_too_long(void **state)
{
	(void)state;
	assert_int_equal(set_periodic(~0ULL >> 2), 0);
	assert_true(vcpu0.periodic_timer.expires > NOW);
	assert_int_equal(do_vcpu_op(&vcpu0, VCPUOP_stop_periodic_timer, 0, 0), 0);
	assert_int_equal(set_periodic((~0ULL >> 2) + 1), -EINVAL);
	assert_int_equal(set_periodic(~0ULL - NOW + 1), -EINVAL);
	assert_int_equal(set_periodic(~0ULL), -EINVAL);
	assert_false(vcpu0.periodic_timer.active);
	assert_int_equal(vcpu0.periodic_period, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_periodic_timer, setup),
		cmocka_unit_test_setup(test_periodic_timer_too_long, setup),
	};

	return cmocka_run_group_tests_name("vcpu_op", tests, NULL, NULL);
}
