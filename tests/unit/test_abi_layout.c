/* Checks keel's copy of the Xen guest ABI against Xen's own public headers (libxen-dev). */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/vcpu.h>
#include <xen/arch-x86/hvm/start_info.h>

/* Xen's values, kept before keel's header redefines the macros. */
enum { XEN_MAX_VCPUS = XEN_LEGACY_MAX_VCPUS, XEN_DOMID_SELF = DOMID_SELF };
#undef DOMID_SELF
#undef DOMID_FIRST_RESERVED
#undef XEN_LEGACY_MAX_VCPUS

/* keel's structures, renamed so both sets can be compared. */
#define shared_info keel_shared_info
#define vcpu_info keel_vcpu_info
#define vcpu_time_info keel_vcpu_time_info
#define arch_vcpu_info keel_arch_vcpu_info
#define arch_shared_info keel_arch_shared_info
#define vcpu_runstate_info keel_vcpu_runstate_info
#define hvm_start_info keel_hvm_start_info
#define hvm_modlist_entry keel_hvm_modlist_entry
#define hvm_memmap_table_entry keel_hvm_memmap_table_entry
#include <public/xen.h>
#include <public/hvm_start_info.h>
#include "host.h"

#undef shared_info
#undef vcpu_info
#undef vcpu_time_info
#undef hvm_start_info
#undef hvm_modlist_entry
#undef hvm_memmap_table_entry
#undef vcpu_runstate_info
#undef arch_vcpu_info
#undef arch_shared_info

#define SAME(keel, xen, field) \
	assert_int_equal(offsetof(struct keel, field), offsetof(struct xen, field))
#define SAME_SIZE(keel, xen) \
	assert_int_equal(sizeof(struct keel), sizeof(struct xen))

static void test_shared_info(void **state)
{
	(void)state;
	SAME_SIZE(keel_vcpu_time_info, vcpu_time_info);
	SAME(keel_vcpu_time_info, vcpu_time_info, tsc_timestamp);
	SAME(keel_vcpu_time_info, vcpu_time_info, system_time);
	SAME(keel_vcpu_time_info, vcpu_time_info, tsc_to_system_mul);
	SAME(keel_vcpu_time_info, vcpu_time_info, tsc_shift);
	SAME(keel_vcpu_time_info, vcpu_time_info, flags);
	SAME_SIZE(keel_vcpu_info, vcpu_info);
	SAME(keel_vcpu_info, vcpu_info, evtchn_pending_sel);
	SAME(keel_vcpu_info, vcpu_info, time);
	SAME_SIZE(keel_shared_info, shared_info);
	SAME(keel_shared_info, shared_info, evtchn_pending);
	SAME(keel_shared_info, shared_info, evtchn_mask);
	SAME(keel_shared_info, shared_info, wc_version);
	SAME(keel_shared_info, shared_info, wc_sec);
	SAME(keel_shared_info, shared_info, wc_nsec);
	SAME(keel_shared_info, shared_info, wc_sec_hi);
	SAME(keel_shared_info, shared_info, arch);
	SAME_SIZE(keel_vcpu_runstate_info, vcpu_runstate_info);
	SAME(keel_vcpu_runstate_info, vcpu_runstate_info, state_entry_time);
	SAME(keel_vcpu_runstate_info, vcpu_runstate_info, time);
	assert_int_equal(XEN_LEGACY_MAX_VCPUS, XEN_MAX_VCPUS);
	assert_int_equal(DOMID_SELF, XEN_DOMID_SELF);
}

static void test_start_info(void **state)
{
	(void)state;
	SAME_SIZE(keel_hvm_start_info, hvm_start_info);
	SAME(keel_hvm_start_info, hvm_start_info, modlist_paddr);
	SAME(keel_hvm_start_info, hvm_start_info, cmdline_paddr);
	SAME(keel_hvm_start_info, hvm_start_info, rsdp_paddr);
	SAME(keel_hvm_start_info, hvm_start_info, memmap_paddr);
	SAME(keel_hvm_start_info, hvm_start_info, memmap_entries);
	SAME_SIZE(keel_hvm_modlist_entry, hvm_modlist_entry);
	SAME(keel_hvm_modlist_entry, hvm_modlist_entry, cmdline_paddr);
	SAME_SIZE(keel_hvm_memmap_table_entry, hvm_memmap_table_entry);
	SAME(keel_hvm_memmap_table_entry, hvm_memmap_table_entry, type);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_info),
		cmocka_unit_test(test_start_info),
	};

	return cmocka_run_group_tests_name("abi_layout", tests, NULL, NULL);
}
