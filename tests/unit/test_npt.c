/* Host tests of AMD nested paging (arch/x86/svm/npt.c): leaf bits, the p2m builder in its format, flushes. */
#include <stdlib.h>
#include <string.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/page.h>
#include <keel/pagetable.h>
#include <keel/percpu.h>
#include <asm/hvm.h>
#include <asm/svm_internal.h>
#include "host.h"

#define POOL_PAGES 16
#define POOL_PHYS 0x40000000ULL
#define NPT_P BIT(0)
#define NPT_RW BIT(1)
#define NPT_US BIT(2)
#define NPT_PWT BIT(3)
#define NPT_PCD BIT(4)
#define NPT_NX BIT(63)

HOSTED_PCPUS
unsigned int nr_cpus = 4;
__thread unsigned int hosted_cpu;
static u64 kicked;

/* A kicked CPU leaves its guest at once (its flush then happens at its next VMRUN). */
void arch_send_ipi(unsigned int cpu)
{
	kicked |= BIT(cpu);
	pcpus[cpu]->in_guest = false;
}


static uint8_t *pool;
static int used;

static void *fake_phys_to_virt(u64 phys)
{
	assert_true(phys >= POOL_PHYS && phys < POOL_PHYS + POOL_PAGES * PAGE_SIZE);
	return pool + (phys - POOL_PHYS);
}

static u64 fake_alloc(void *ctx)
{
	(void)ctx;
	if (used == POOL_PAGES)
		return 0;
	memset(pool + used * PAGE_SIZE, 0, PAGE_SIZE);
	return POOL_PHYS + used++ * PAGE_SIZE;
}

static void fake_free(void *ctx, u64 phys) { (void)ctx; (void)phys; }

static const struct pt_ops ops = {
	.phys_to_virt = fake_phys_to_virt,
	.alloc_table = fake_alloc,
	.free_table = fake_free,
};

static void test_leaf_bits(void **state)
{
	static const unsigned int accesses[] = {
		P2M_READ, P2M_READ | P2M_WRITE, P2M_READ | P2M_EXEC, P2M_RWX,
		P2M_RWX | P2M_OWNED, P2M_READ | P2M_WRITE | P2M_MMIO,
	};

	(void)state;
	/* every present leaf is a user page (nested walks are user accesses) */
	assert_int_equal(npt_attr(P2M_RWX), NPT_P | NPT_RW | NPT_US);
	assert_int_equal(npt_attr(P2M_READ), NPT_P | NPT_US | NPT_NX);
	assert_int_equal(npt_attr(P2M_READ | P2M_WRITE | P2M_MMIO),
			 NPT_P | NPT_RW | NPT_US | NPT_NX | NPT_PCD | NPT_PWT);
	assert_int_equal(npt_attr(P2M_RWX | P2M_OWNED),
			 NPT_P | NPT_RW | NPT_US | P2M_OWNED_BIT);
	assert_int_equal(npt_attr(0), 0);
	assert_int_equal(npt_access(0), 0);
	for (unsigned int i = 0; i < sizeof(accesses) / sizeof(accesses[0]); i++)
		assert_int_equal(npt_access(npt_attr(accesses[i])), accesses[i]);
	/* the foreign bit sits where AMD's walker ignores it */
	assert_int_equal(npt_access(npt_attr(P2M_READ) | P2M_FOREIGN_BIT),
			 P2M_READ | P2M_FOREIGN);
	assert_int_equal((P2M_FOREIGN_BIT | P2M_OWNED_BIT) &
			 (NPT_NX | 0x000ffffffffff000ULL), 0);
}

/* The generic builder in AMD's format: leaves as asked, every table entry P|RW|US. */
static void test_builder(void **state)
{
	struct page_table t;
	u64 pa, attr, ps, *entry;

	(void)state;
	pool = aligned_alloc(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	used = 0;
	assert_int_equal(pt_init(&t, &npt_format, &ops), 0);
	assert_int_equal(pt_map(&t, 0, 0x80000000, 4 * LARGE_PAGE_SIZE,
				npt_attr(P2M_READ | P2M_EXEC), 0), 0);
	assert_int_equal(pt_map(&t, 0x1000000, 0x5000, PAGE_SIZE,
				npt_attr(P2M_RWX | P2M_OWNED), 0), 0);
	assert_int_equal(pt_lookup(&t, 0x234567, &pa, &attr, &ps), 0);
	assert_int_equal(pa, 0x80234567);
	assert_int_equal(npt_access(attr), P2M_READ | P2M_EXEC);
	assert_int_equal(ps, LARGE_PAGE_SIZE);
	assert_int_equal(pt_lookup(&t, 0x1000abc, &pa, &attr, &ps), 0);
	assert_int_equal(pa, 0x5abc);
	assert_int_equal(npt_access(attr), P2M_RWX | P2M_OWNED);
	assert_int_equal(ps, PAGE_SIZE);
	/* root -> PDPT -> PD: table entries a guest's user walk may pass */
	entry = fake_phys_to_virt(t.root);
	assert_int_equal(entry[0] & 7, NPT_P | NPT_RW | NPT_US);
	entry = fake_phys_to_virt(entry[0] & 0x000ffffffffff000ULL);
	assert_int_equal(entry[0] & 7, NPT_P | NPT_RW | NPT_US);
	entry = fake_phys_to_virt(entry[0] & 0x000ffffffffff000ULL);
	assert_int_equal(entry[0] & (NPT_P | NPT_US | BIT(7)), NPT_P | NPT_US | BIT(7));
	assert_int_equal(entry[8] & 7, NPT_P | NPT_RW | NPT_US);	/* 0x1000000's table */
	assert_int_equal(pt_unmap(&t, 0x1000000, PAGE_SIZE), 0);
	assert_int_equal(pt_lookup(&t, 0x1000000, &pa, &attr, &ps), -ENOENT);
	free(pool);
}

/*
 * A p2m change leaves the domain stale on every CPU, this one included
 * (it flushes at its next VMRUN); CPUs in a guest are kicked out, idle
 * ones are not. A teardown flushes every CPU for every domain.
 */
static void test_flush(void **state)
{
	struct domain d;

	(void)state;
	memset(&d, 0, sizeof(d));
	for (unsigned int i = 0; i < nr_cpus; i++)
		pcpus[i]->id = i;
	hosted_cpu = 1;
	pcpus[1]->in_guest = false;
	pcpus[2]->in_guest = true;
	pcpus[3]->in_guest = false;
	kicked = 0;
	npt_p2m_flush(&d);
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		assert_int_equal(d.arch.ept_stale.w[i], ~0ULL);
	assert_int_equal(kicked, BIT(2));
	npt_flush_all_pending = (cpumask_t){ 0 };
	npt_p2m_teardown(&d);
	assert_int_equal(npt_flush_all_pending.w[0], 0xf);
	for (unsigned int i = 1; i < CPUMASK_WORDS; i++)
		assert_int_equal(npt_flush_all_pending.w[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_bits),
		cmocka_unit_test(test_builder),
		cmocka_unit_test(test_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
