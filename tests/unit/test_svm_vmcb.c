/* Host tests of a vCPU's VMCB (arch/x86/svm/vmcb.c): what a guest's instructions exit on. */
#include <stdlib.h>
#include <string.h>
#include <keel/domain.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/vcpu.h>
#include <asm/svm.h>
#include <asm/svm_internal.h>
#include <asm/vmx_internal.h>
#include "host.h"

#define ICPT3_INVLPGA BIT(26)	/* APM Vol. 2, Appendix B: vector 3 */

u8 *svm_iopm_all;

void *alloc_pages(unsigned int order)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE << order);

	assert_non_null(p);
	memset(p, 0, PAGE_SIZE << order);
	return p;
}

void free_pages(void *virt, unsigned int order)
{
	(void)order;
	free(virt);
}

u64 virt_to_phys(const void *virt)
{
	return (u64)(uintptr_t)virt;
}

u64 tsc_offset(const struct vcpu *v)
{
	(void)v;
	return 0;
}

static struct domain dom;
static struct vcpu vcpu;

static struct vmcb *vmcb_of_new_vcpu(void)
{
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu, 0, sizeof(vcpu));
	dom.nr_vcpus = 2;
	vcpu.domain = &dom;
	svm_iopm_all = alloc_pages(2);
	assert_int_equal(svm_vmcb_init(&vcpu, 0x100000, 0x2000), 0);
	return vcpu.arch.vmcs;
}

static void vmcb_free(void)
{
	svm_vmcb_free(&vcpu);
	free_pages(svm_iopm_all, 2);
}

/*
 * The guest runs with EFER.SVME set (VMRUN wants it), so every SVM
 * instruction it may execute must exit: INVLPGA too, or a guest kernel
 * drops TLB entries of any ASID on its CPU, other guests' and keel's own.
 */
static void test_svm_instructions_exit(void **state)
{
	struct vmcb *vmcb;

	(void)state;
	vmcb = vmcb_of_new_vcpu();
	assert_true(vmcb->efer & EFER_SVME);
	assert_int_equal(vmcb->intercepts[4] & (ICPT_VMRUN | ICPT_VMLOAD | ICPT_VMSAVE |
						ICPT_STGI | ICPT_CLGI | ICPT_SKINIT),
			 ICPT_VMRUN | ICPT_VMLOAD | ICPT_VMSAVE | ICPT_STGI |
			 ICPT_CLGI | ICPT_SKINIT);
	assert_true(vmcb->intercepts[3] & ICPT3_INVLPGA);
	vmcb_free();
}

/*
 * CR4 writes exit, so that keel can refuse bits it does not switch (PKE,
 * LA57), and CR8 writes, the vLAPIC's TPR; CR0, CR3 and every read stay
 * the guest's.
 */
static void test_cr4_cr8_writes_exit(void **state)
{
	struct vmcb *vmcb;

	(void)state;
	vmcb = vmcb_of_new_vcpu();
	assert_int_equal(vmcb->intercepts[0], ICPT_CR_WRITE(4) | ICPT_CR_WRITE(8));
	vmcb_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svm_instructions_exit),
		cmocka_unit_test(test_cr4_cr8_writes_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
