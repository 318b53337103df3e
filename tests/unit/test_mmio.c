/* Host tests of MMIO emulation (arch/x86/mmio.c): claims, register write-back, refusals, crashes. */
#include <stdlib.h>
#include <string.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/p2m.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/mmio.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>
#include "host.h"

#define CODE_VA 0x401ff8ULL	/* 8 bytes before a page boundary */
#define CODE_GPA1 0x10000ULL	/* its first page */
#define CODE_GPA2 0x30000ULL	/* the next page, elsewhere in guest memory */
#define DEV 0xfed40000ULL
#define Q_READ (3ULL << 7)	/* read, linear address valid, the access itself */
#define Q_WRITE (Q_READ | BIT(1))

static u64 vmcs[0x8000];
static u8 guest_mem[0x40000];
static struct domain dom;
static struct vcpu vcpu;
static u64 skipped, unmapped_start, unmapped_end;
static struct { unsigned int calls; u64 gpa; unsigned int size; u64 val; } wrote;
static u64 read_value;

u64 vmread(enum vmcs_field f)
{
	return vmcs[f];
}

void vmwrite(enum vmcs_field f, u64 v)
{
	vmcs[f] = v;
}

/* hvm.c's accessors on the fake VMCS, as on VT-x. */
static enum vmcs_field field(enum hvm_reg r)
{
	switch (r) {
	case HVM_RIP:
		return GUEST_RIP;
	case HVM_RSP:
		return GUEST_RSP;
	case HVM_RFLAGS:
		return GUEST_RFLAGS;
	default:
		fail();
		return 0;
	}
}

u64 hvm_get(enum hvm_reg r)
{
	return vmcs[field(r)];
}

void hvm_set(enum hvm_reg r, u64 val)
{
	vmcs[field(r)] = val;
}

bool hvm_guest_64bit(void)
{
	return vmcs[GUEST_CS_AR_BYTES] & BIT(13);
}

void hvm_skip_bytes(unsigned int len)
{
	skipped = len;
}

int arch_guest_virt_to_phys(struct vcpu *v, u64 va, bool write, u64 *gpa)
{
	if ((va & ~0xfffULL) == (CODE_VA & ~0xfffULL))
		*gpa = CODE_GPA1 + (va & 0xfff);
	else if ((va & ~0xfffULL) == (CODE_VA & ~0xfffULL) + 0x1000)
		*gpa = CODE_GPA2 + (va & 0xfff);
	else
		return -EFAULT;
	return 0;
}

int copy_from_guest_phys(struct domain *d, void *dst, u64 gpa, u64 len)
{
	if (gpa + len > sizeof(guest_mem))
		return -EFAULT;
	memcpy(dst, guest_mem + gpa, len);
	return 0;
}

bool p2m_gpa_valid(const struct domain *d, u64 gpa)
{
	return gpa < (1ULL << 40);
}

int p2m_unmap_mmio(struct domain *d, u64 start, u64 end)
{
	unmapped_start = start;
	unmapped_end = end;
	return 0;
}

int page_owner(u64 hpa)
{
	return hpa == 0x200000 ? 1 : -1;	/* d1's RAM */
}

unsigned int page_count(u64 hpa)
{
	return 0;
}

void *alloc_pages(unsigned int order)
{
	return calloc(1, 4096u << order);
}

void free_pages(void *virt, unsigned int order)
{
	free(virt);
}

static int dev_read(struct vcpu *v, u64 gpa, unsigned int size, u64 *val, void *priv)
{
	*val = read_value;
	return 0;
}

static int dev_write(struct vcpu *v, u64 gpa, unsigned int size, u64 val, void *priv)
{
	wrote.calls++;
	wrote.gpa = gpa;
	wrote.size = size;
	wrote.val = val;
	return 0;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write };

/* Put @insn at CODE_VA + @at (split over the two pages as it falls). */
static void code(unsigned int at, const u8 *insn, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		u64 va = CODE_VA + at + i, gpa;

		assert_int_equal(arch_guest_virt_to_phys(&vcpu, va, false, &gpa), 0);
		guest_mem[gpa] = insn[i];
	}
	vmcs[GUEST_RIP] = CODE_VA + at;
}

static int setup(void **state)
{
	(void)state;
	memset(vmcs, 0, sizeof(vmcs));
	memset(guest_mem, 0x90, sizeof(guest_mem));
	memset(&wrote, 0, sizeof(wrote));
	mmio_domain_free(&dom);
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.domain = &dom;
	vmcs[GUEST_CS_AR_BYTES] = BIT(13);	/* 64-bit code */
	skipped = 0;
	test_log_reset();
	assert_int_equal(mmio_register(&dom, DEV, DEV + 0x20, &dev_ops, NULL), 0);
	assert_int_equal(unmapped_start, DEV);
	assert_int_equal(unmapped_end, DEV + 0x1000);
	return 0;
}

static bool handle(u64 gpa, u64 q, const char **why)
{
	return mmio_handle(&vcpu, gpa, q, why);
}

static void test_loads(void **state)
{
	const u8 mov32[] = { 0x8b, 0x07 }, mov16[] = { 0x66, 0x8b, 0x07 };
	const u8 mov_ah[] = { 0x8a, 0x27 }, movzx[] = { 0x48, 0x0f, 0xb7, 0x0f };
	const char *why;

	(void)state;
	read_value = 0x11223344;
	vcpu.arch.regs.rax = ~0ULL;
	code(0, mov32, sizeof(mov32));
	assert_true(handle(DEV, Q_READ, &why));
	assert_int_equal(vcpu.arch.regs.rax, 0x11223344);	/* bits 63:32 cleared */
	assert_int_equal(skipped, 2);
	vcpu.arch.regs.rax = ~0ULL;
	code(0, mov16, sizeof(mov16));
	assert_true(handle(DEV, Q_READ, &why));
	assert_int_equal(vcpu.arch.regs.rax, 0xffffffffffff3344ULL);	/* merged */
	code(0, mov_ah, sizeof(mov_ah));
	assert_true(handle(DEV, Q_READ, &why));
	assert_int_equal(vcpu.arch.regs.rax, 0xffffffffffff4444ULL);
	vcpu.arch.regs.rcx = ~0ULL;
	code(0, movzx, sizeof(movzx));
	assert_true(handle(DEV + 4, Q_READ, &why));
	assert_int_equal(vcpu.arch.regs.rcx, 0x3344);
}

static void test_stores(void **state)
{
	const u8 mov_r8[] = { 0x44, 0x89, 0x40, 0x10 }, mov_imm[] = { 0xc7, 0x00, 1, 0, 0, 0x80 };
	const u8 mov_rsp[] = { 0x48, 0x89, 0x20 };
	const char *why;

	(void)state;
	vcpu.arch.regs.r8 = 0xaaaabbbbccccddddULL;
	code(0, mov_r8, sizeof(mov_r8));
	assert_true(handle(DEV + 0x10, Q_WRITE, &why));
	assert_int_equal(wrote.calls, 1);
	assert_int_equal(wrote.gpa, DEV + 0x10);
	assert_int_equal(wrote.size, 4);
	assert_int_equal(wrote.val, 0xccccddddULL);
	code(0, mov_imm, sizeof(mov_imm));
	assert_true(handle(DEV, Q_WRITE, &why));
	assert_int_equal(wrote.val, 0x80000001ULL);
	vmcs[GUEST_RSP] = 0x1234;
	code(0, mov_rsp, sizeof(mov_rsp));
	assert_true(handle(DEV, Q_WRITE, &why));
	assert_int_equal(wrote.val, 0x1234);
	assert_int_equal(wrote.size, 8);
}

/* The instruction's second half is on another guest page (non-contiguous in guest memory). */
static void test_page_crossing(void **state)
{
	const u8 insn[] = { 0x4d, 0x8b, 0xbc, 0x24, 0x00, 0x00, 0x00, 0x00, 0x90 };
	const char *why;

	(void)state;
	read_value = 0x0123456789abcdefULL;
	code(0x5, insn, sizeof(insn));		/* 3 bytes on the first page, 6 on the next */
	assert_true(handle(DEV, Q_READ, &why));
	assert_int_equal(vcpu.arch.regs.r15, 0x0123456789abcdefULL);
	assert_int_equal(skipped, 8);
	/* The second page unreadable: not decodable, the domain crashes. */
	vmcs[GUEST_RIP] = CODE_VA + 0x1000 - 0x3 + 0x1000;
	assert_false(handle(DEV, Q_READ, &why));
	assert_string_equal(why, "MMIO access keel cannot emulate");
}

static void test_crashes(void **state)
{
	const u8 mov32[] = { 0x8b, 0x07 }, lock_or[] = { 0xf0, 0x09, 0x07 };
	const u8 store[] = { 0x89, 0x07 }, mov64[] = { 0x48, 0x8b, 0x07 };
	const char *why;

	(void)state;
	code(0, mov32, sizeof(mov32));
	assert_false(handle(DEV, Q_READ | BIT(3), &why));	/* mapped: a permission fault */
	assert_false(handle(DEV, Q_READ & ~BIT(8), &why));	/* the guest's page walk */
	vmcs[IDT_VECTORING_INFO] = BIT(31) | 14;
	assert_false(handle(DEV, Q_READ, &why));		/* delivering an event */
	vmcs[IDT_VECTORING_INFO] = 0;
	vmcs[GUEST_CS_AR_BYTES] = 0;
	assert_false(handle(DEV, Q_READ, &why));		/* 32-bit code */
	vmcs[GUEST_CS_AR_BYTES] = BIT(13);
	code(0, lock_or, sizeof(lock_or));
	assert_false(handle(DEV, Q_WRITE, &why));
	code(0, store, sizeof(store));
	assert_false(handle(DEV, Q_READ, &why));		/* rewritten since it faulted */
	assert_string_equal(why, "MMIO instruction does not match the access");
	code(0, mov64, sizeof(mov64));
	assert_false(handle(DEV + 0x1c, Q_READ, &why));	/* past the claim's end */
	assert_string_equal(why, "MMIO access runs past the handler's range");
	/* A domain that is not the hardware domain: any hole crashes it. */
	code(0, mov32, sizeof(mov32));
	assert_false(handle(0xfee00300, Q_READ, &why));
	assert_string_equal(why, "no MMIO handler there");
	assert_int_equal(skipped, 0);
	assert_int_equal(wrote.calls, 0);
}

static void test_refusals(void **state)
{
	const u8 mov32[] = { 0x8b, 0x07 }, store[] = { 0x89, 0x07 }, lock_or[] = { 0xf0, 0x09, 0x07 };
	const char *why;

	(void)state;
	dom.hardware = true;
	vcpu.arch.regs.rax = 0;
	code(0, mov32, sizeof(mov32));
	assert_true(handle(0xfee00300, Q_READ, &why));
	assert_int_equal(vcpu.arch.regs.rax, 0xffffffffULL);
	assert_true(test_log_has("d0: refused read of 0xfee00300 (local APIC"));
	code(0, store, sizeof(store));
	assert_true(handle(0x200000, Q_WRITE, &why));
	assert_true(test_log_has("d0: refused write of 0x200000 (keel's or another domain's memory)"));
	assert_int_equal(wrote.calls, 0);
	/* Rate-limited: 16 lines, then each power of two. */
	test_log_reset();
	for (int i = 0; i < 100; i++)
		assert_true(handle(0xfed00000, Q_WRITE, &why));
	assert_true(test_log_has("[rate-limited]"));
	assert_true(strlen(test_log) < 20 * 100);
	/* Undecodable: still a crash. */
	code(0, lock_or, sizeof(lock_or));
	assert_false(handle(0xfed00000, Q_WRITE, &why));
}

#define ARITH_FLAGS 0x8d5ULL	/* CF PF AF ZF SF OF */

/* What this (x86) host's own CMP and TEST set, 32-bit: the oracle. */
static u64 host_cmp(u32 a, u32 b)
{
	u64 f;

	asm("cmpl %2, %1; pushfq; popq %0" : "=r"(f) : "r"(a), "r"(b) : "cc");
	return f & ARITH_FLAGS;
}

static u64 host_cmp8(u8 a, u8 b)
{
	u64 f;

	asm("cmpb %2, %1; pushfq; popq %0" : "=r"(f) : "q"(a), "q"(b) : "cc");
	return f & ARITH_FLAGS;
}

static u64 host_test(u32 a, u32 b)
{
	u64 f;

	asm("testl %2, %1; pushfq; popq %0" : "=r"(f) : "r"(a), "r"(b) : "cc");
	return f & ARITH_FLAGS;
}

/* CMP and TEST on a claim or a refused page (Linux's scan of page 0 for "_MP_"): flags as hardware's. */
static void test_cmp_test(void **state)
{
	const u8 cmp_mp[] = { 0x81, 0x38, 0x5f, 0x4d, 0x50, 0x5f }, cmpb[] = { 0x80, 0x78, 0x08, 0x01 };
	const u8 cmp_rev[] = { 0x3b, 0x0a }, test_imm[] = { 0xf7, 0x07, 0x80, 0, 0, 0 };
	const u32 values[] = { 0, 1, 0x5f504d5f, 0x80000000u, 0xffffffffu, 0x7fffffffu, 0x5f504d60 };
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		read_value = values[i];
		vmcs[GUEST_RFLAGS] = 0x202 | ARITH_FLAGS;
		code(0, cmp_mp, sizeof(cmp_mp));
		assert_true(handle(DEV, Q_READ, &why));
		assert_int_equal(vmcs[GUEST_RFLAGS], 0x202 | host_cmp(values[i], 0x5f504d5f));
		assert_int_equal(skipped, 6);
		code(0, cmpb, sizeof(cmpb));
		assert_true(handle(DEV + 8, Q_READ, &why));
		assert_int_equal(vmcs[GUEST_RFLAGS], 0x202 | host_cmp8(values[i], 1));
		vcpu.arch.regs.rcx = 0x5f504d5f;
		code(0, cmp_rev, sizeof(cmp_rev));
		assert_true(handle(DEV, Q_READ, &why));
		assert_int_equal(vmcs[GUEST_RFLAGS], 0x202 | host_cmp(0x5f504d5f, values[i]));
		code(0, test_imm, sizeof(test_imm));
		assert_true(handle(DEV, Q_READ, &why));
		assert_int_equal(vmcs[GUEST_RFLAGS], 0x202 | host_test(values[i], 0x80));
	}
	assert_int_equal(wrote.calls, 0);
	/* The hardware domain's refused page reads all-ones: no "_MP_" there, ZF clear. */
	dom.hardware = true;
	code(0, cmp_mp, sizeof(cmp_mp));
	assert_true(handle(0x0, Q_READ, &why));
	assert_false(vmcs[GUEST_RFLAGS] & BIT(6));
	assert_true(test_log_has("d0: refused read of 0 ("));
	/* A CMP that faulted as a write was rewritten: crash. */
	assert_false(handle(0x0, Q_WRITE, &why));
}

static void test_register(void **state)
{
	(void)state;
	assert_int_equal(mmio_register(&dom, DEV + 0x10, DEV + 0x30, &dev_ops, NULL), -EBUSY);
	assert_int_equal(mmio_register(&dom, DEV + 0x20, DEV + 0x20, &dev_ops, NULL), -EINVAL);
	assert_int_equal(mmio_register(&dom, 1ULL << 41, (1ULL << 41) + 4, &dev_ops, NULL), -EINVAL);
	for (int i = 1;; i++) {
		int rc = mmio_register(&dom, DEV + i * 0x1000, DEV + i * 0x1000 + 4, &dev_ops, NULL);

		if (rc) {
			assert_int_equal(rc, -ENOSPC);
			assert_true(i > 64);
			break;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_loads, setup),
		cmocka_unit_test_setup(test_stores, setup),
		cmocka_unit_test_setup(test_page_crossing, setup),
		cmocka_unit_test_setup(test_crashes, setup),
		cmocka_unit_test_setup(test_refusals, setup),
		cmocka_unit_test_setup(test_cmp_test, setup),
		cmocka_unit_test_setup(test_register, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	mmio_domain_free(&dom);
	return rc;
}
