/* Checks keel's copy of the Xen guest ABI against Xen's own public headers (libxen-dev). */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/vcpu.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/version.h>
#include <xen/arch-x86/hvm/start_info.h>

/* Xen's values, kept before keel's header redefines the macros. */
enum { XEN_MAX_VCPUS = XEN_LEGACY_MAX_VCPUS, XEN_DOMID_SELF = DOMID_SELF,
       XEN_DOMID_XEN = DOMID_XEN };
#undef DOMID_SELF
#undef DOMID_XEN
#undef DOMID_FIRST_RESERVED
#undef XEN_LEGACY_MAX_VCPUS

#define XEN_VALUE(name) XEN_##name = name
enum {
	XEN_VALUE(SCHEDOP_yield), XEN_VALUE(SCHEDOP_block),
	XEN_VALUE(SCHEDOP_shutdown), XEN_VALUE(SCHEDOP_poll),
	XEN_VALUE(SCHEDOP_remote_shutdown), XEN_VALUE(SCHEDOP_shutdown_code),
	XEN_VALUE(SCHEDOP_watchdog), XEN_VALUE(SCHEDOP_pin_override),
	XEN_VALUE(SHUTDOWN_poweroff), XEN_VALUE(SHUTDOWN_reboot),
	XEN_VALUE(SHUTDOWN_suspend), XEN_VALUE(SHUTDOWN_crash),
	XEN_VALUE(SHUTDOWN_watchdog), XEN_VALUE(SHUTDOWN_soft_reset),
	XEN_VALUE(SHUTDOWN_MAX),
	XEN_VALUE(XENVER_version), XEN_VALUE(XENVER_extraversion),
	XEN_VALUE(XENVER_get_features),
	XEN_VALUE(XEN_EXTRAVERSION_LEN),
	XEN_VALUE(EVTCHN_2L_NR_CHANNELS),
	XEN_VALUE(EVTCHNOP_bind_interdomain), XEN_VALUE(EVTCHNOP_bind_virq),
	XEN_VALUE(EVTCHNOP_bind_pirq), XEN_VALUE(EVTCHNOP_close),
	XEN_VALUE(EVTCHNOP_send), XEN_VALUE(EVTCHNOP_status),
	XEN_VALUE(EVTCHNOP_alloc_unbound), XEN_VALUE(EVTCHNOP_bind_ipi),
	XEN_VALUE(EVTCHNOP_bind_vcpu), XEN_VALUE(EVTCHNOP_unmask),
	XEN_VALUE(EVTCHNOP_reset), XEN_VALUE(EVTCHNOP_init_control),
	XEN_VALUE(EVTCHNOP_expand_array), XEN_VALUE(EVTCHNOP_set_priority),
	XEN_VALUE(EVTCHNSTAT_closed), XEN_VALUE(EVTCHNSTAT_unbound),
	XEN_VALUE(EVTCHNSTAT_interdomain), XEN_VALUE(EVTCHNSTAT_pirq),
	XEN_VALUE(EVTCHNSTAT_virq), XEN_VALUE(EVTCHNSTAT_ipi),
	XEN_VALUE(VIRQ_TIMER), XEN_VALUE(VIRQ_DEBUG), XEN_VALUE(VIRQ_CONSOLE),
	XEN_VALUE(VIRQ_DOM_EXC), XEN_VALUE(VIRQ_XENOPROF),
	XEN_VALUE(VIRQ_XENPMU), XEN_VALUE(NR_VIRQS),
};
#undef EVTCHN_2L_NR_CHANNELS
#undef EVTCHNOP_bind_interdomain
#undef EVTCHNOP_bind_virq
#undef EVTCHNOP_bind_pirq
#undef EVTCHNOP_close
#undef EVTCHNOP_send
#undef EVTCHNOP_status
#undef EVTCHNOP_alloc_unbound
#undef EVTCHNOP_bind_ipi
#undef EVTCHNOP_bind_vcpu
#undef EVTCHNOP_unmask
#undef EVTCHNOP_reset
#undef EVTCHNOP_init_control
#undef EVTCHNOP_expand_array
#undef EVTCHNOP_set_priority
#undef EVTCHNSTAT_closed
#undef EVTCHNSTAT_unbound
#undef EVTCHNSTAT_interdomain
#undef EVTCHNSTAT_pirq
#undef EVTCHNSTAT_virq
#undef EVTCHNSTAT_ipi
#undef VIRQ_TIMER
#undef VIRQ_DEBUG
#undef VIRQ_CONSOLE
#undef VIRQ_DOM_EXC
#undef VIRQ_XENOPROF
#undef VIRQ_XENPMU
#undef NR_VIRQS
#undef SCHEDOP_yield
#undef SCHEDOP_block
#undef SCHEDOP_shutdown
#undef SCHEDOP_poll
#undef SCHEDOP_remote_shutdown
#undef SCHEDOP_shutdown_code
#undef SCHEDOP_watchdog
#undef SCHEDOP_pin_override
#undef SHUTDOWN_poweroff
#undef SHUTDOWN_reboot
#undef SHUTDOWN_suspend
#undef SHUTDOWN_crash
#undef SHUTDOWN_watchdog
#undef SHUTDOWN_soft_reset
#undef SHUTDOWN_MAX
#undef XENVER_version
#undef XENVER_extraversion
#undef XENVER_get_features
#undef XEN_EXTRAVERSION_LEN

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
#define sched_shutdown keel_sched_shutdown
#define sched_poll keel_sched_poll
#define evtchn_alloc_unbound keel_evtchn_alloc_unbound
#define evtchn_bind_interdomain keel_evtchn_bind_interdomain
#define evtchn_bind_virq keel_evtchn_bind_virq
#define evtchn_bind_pirq keel_evtchn_bind_pirq
#define evtchn_bind_ipi keel_evtchn_bind_ipi
#define evtchn_close keel_evtchn_close
#define evtchn_send keel_evtchn_send
#define evtchn_status keel_evtchn_status
#define evtchn_bind_vcpu keel_evtchn_bind_vcpu
#define evtchn_unmask keel_evtchn_unmask
#define evtchn_reset keel_evtchn_reset
#define xen_feature_info keel_xen_feature_info
#define xen_extraversion_t keel_xen_extraversion_t
#include <public/xen.h>
#include <public/hvm_start_info.h>
#include <public/sched.h>
#include <public/version.h>
#include <public/event_channel.h>
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
#undef sched_shutdown
#undef sched_poll
#undef evtchn_alloc_unbound
#undef evtchn_bind_interdomain
#undef evtchn_bind_virq
#undef evtchn_bind_pirq
#undef evtchn_bind_ipi
#undef evtchn_close
#undef evtchn_send
#undef evtchn_status
#undef evtchn_bind_vcpu
#undef evtchn_unmask
#undef evtchn_reset
#undef xen_feature_info
#undef xen_extraversion_t

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
	assert_int_equal(DOMID_XEN, XEN_DOMID_XEN);
	assert_int_equal(EVTCHN_2L_NR_CHANNELS, XEN_EVTCHN_2L_NR_CHANNELS);
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

static void test_sched_version(void **state)
{
	(void)state;
	assert_int_equal(SCHEDOP_yield, XEN_SCHEDOP_yield);
	assert_int_equal(SCHEDOP_block, XEN_SCHEDOP_block);
	assert_int_equal(SCHEDOP_shutdown, XEN_SCHEDOP_shutdown);
	assert_int_equal(SCHEDOP_poll, XEN_SCHEDOP_poll);
	assert_int_equal(SCHEDOP_remote_shutdown, XEN_SCHEDOP_remote_shutdown);
	assert_int_equal(SCHEDOP_shutdown_code, XEN_SCHEDOP_shutdown_code);
	assert_int_equal(SCHEDOP_watchdog, XEN_SCHEDOP_watchdog);
	assert_int_equal(SCHEDOP_pin_override, XEN_SCHEDOP_pin_override);
	assert_int_equal(SHUTDOWN_poweroff, XEN_SHUTDOWN_poweroff);
	assert_int_equal(SHUTDOWN_reboot, XEN_SHUTDOWN_reboot);
	assert_int_equal(SHUTDOWN_suspend, XEN_SHUTDOWN_suspend);
	assert_int_equal(SHUTDOWN_crash, XEN_SHUTDOWN_crash);
	assert_int_equal(SHUTDOWN_watchdog, XEN_SHUTDOWN_watchdog);
	assert_int_equal(SHUTDOWN_soft_reset, XEN_SHUTDOWN_soft_reset);
	assert_int_equal(SHUTDOWN_MAX, XEN_SHUTDOWN_MAX);
	SAME_SIZE(keel_sched_shutdown, sched_shutdown);
	assert_int_equal(XENVER_version, XEN_XENVER_version);
	assert_int_equal(XENVER_extraversion, XEN_XENVER_extraversion);
	assert_int_equal(XENVER_get_features, XEN_XENVER_get_features);
	assert_int_equal(XEN_EXTRAVERSION_LEN, XEN_XEN_EXTRAVERSION_LEN);
	assert_int_equal(sizeof(keel_xen_extraversion_t),
			 sizeof(xen_extraversion_t));
	SAME_SIZE(keel_xen_feature_info, xen_feature_info);
	SAME(keel_xen_feature_info, xen_feature_info, submap);
}

static void test_event_channel_numbers(void **state)
{
	(void)state;
	assert_int_equal(EVTCHNOP_bind_interdomain, XEN_EVTCHNOP_bind_interdomain);
	assert_int_equal(EVTCHNOP_bind_virq, XEN_EVTCHNOP_bind_virq);
	assert_int_equal(EVTCHNOP_bind_pirq, XEN_EVTCHNOP_bind_pirq);
	assert_int_equal(EVTCHNOP_close, XEN_EVTCHNOP_close);
	assert_int_equal(EVTCHNOP_send, XEN_EVTCHNOP_send);
	assert_int_equal(EVTCHNOP_status, XEN_EVTCHNOP_status);
	assert_int_equal(EVTCHNOP_alloc_unbound, XEN_EVTCHNOP_alloc_unbound);
	assert_int_equal(EVTCHNOP_bind_ipi, XEN_EVTCHNOP_bind_ipi);
	assert_int_equal(EVTCHNOP_bind_vcpu, XEN_EVTCHNOP_bind_vcpu);
	assert_int_equal(EVTCHNOP_unmask, XEN_EVTCHNOP_unmask);
	assert_int_equal(EVTCHNOP_reset, XEN_EVTCHNOP_reset);
	assert_int_equal(EVTCHNOP_init_control, XEN_EVTCHNOP_init_control);
	assert_int_equal(EVTCHNOP_expand_array, XEN_EVTCHNOP_expand_array);
	assert_int_equal(EVTCHNOP_set_priority, XEN_EVTCHNOP_set_priority);
	assert_int_equal(EVTCHNSTAT_closed, XEN_EVTCHNSTAT_closed);
	assert_int_equal(EVTCHNSTAT_unbound, XEN_EVTCHNSTAT_unbound);
	assert_int_equal(EVTCHNSTAT_interdomain, XEN_EVTCHNSTAT_interdomain);
	assert_int_equal(EVTCHNSTAT_pirq, XEN_EVTCHNSTAT_pirq);
	assert_int_equal(EVTCHNSTAT_virq, XEN_EVTCHNSTAT_virq);
	assert_int_equal(EVTCHNSTAT_ipi, XEN_EVTCHNSTAT_ipi);
	assert_int_equal(VIRQ_TIMER, XEN_VIRQ_TIMER);
	assert_int_equal(VIRQ_DEBUG, XEN_VIRQ_DEBUG);
	assert_int_equal(VIRQ_CONSOLE, XEN_VIRQ_CONSOLE);
	assert_int_equal(VIRQ_DOM_EXC, XEN_VIRQ_DOM_EXC);
	assert_int_equal(VIRQ_XENOPROF, XEN_VIRQ_XENOPROF);
	assert_int_equal(VIRQ_XENPMU, XEN_VIRQ_XENPMU);
	assert_int_equal(NR_VIRQS, XEN_NR_VIRQS);
	assert_int_equal(sizeof(evtchn_port_t), sizeof(uint32_t));
}

static void test_event_channel_structs(void **state)
{
	(void)state;
	SAME_SIZE(keel_evtchn_alloc_unbound, evtchn_alloc_unbound);
	SAME(keel_evtchn_alloc_unbound, evtchn_alloc_unbound, dom);
	SAME(keel_evtchn_alloc_unbound, evtchn_alloc_unbound, remote_dom);
	SAME(keel_evtchn_alloc_unbound, evtchn_alloc_unbound, port);
	SAME_SIZE(keel_evtchn_bind_interdomain, evtchn_bind_interdomain);
	SAME(keel_evtchn_bind_interdomain, evtchn_bind_interdomain, remote_dom);
	SAME(keel_evtchn_bind_interdomain, evtchn_bind_interdomain, remote_port);
	SAME(keel_evtchn_bind_interdomain, evtchn_bind_interdomain, local_port);
	SAME_SIZE(keel_evtchn_bind_virq, evtchn_bind_virq);
	SAME(keel_evtchn_bind_virq, evtchn_bind_virq, virq);
	SAME(keel_evtchn_bind_virq, evtchn_bind_virq, vcpu);
	SAME(keel_evtchn_bind_virq, evtchn_bind_virq, port);
	SAME_SIZE(keel_evtchn_bind_pirq, evtchn_bind_pirq);
	SAME(keel_evtchn_bind_pirq, evtchn_bind_pirq, flags);
	SAME(keel_evtchn_bind_pirq, evtchn_bind_pirq, port);
	SAME_SIZE(keel_evtchn_bind_ipi, evtchn_bind_ipi);
	SAME(keel_evtchn_bind_ipi, evtchn_bind_ipi, vcpu);
	SAME(keel_evtchn_bind_ipi, evtchn_bind_ipi, port);
	SAME_SIZE(keel_evtchn_close, evtchn_close);
	SAME_SIZE(keel_evtchn_send, evtchn_send);
	SAME_SIZE(keel_evtchn_status, evtchn_status);
	SAME(keel_evtchn_status, evtchn_status, dom);
	SAME(keel_evtchn_status, evtchn_status, port);
	SAME(keel_evtchn_status, evtchn_status, status);
	SAME(keel_evtchn_status, evtchn_status, vcpu);
	SAME(keel_evtchn_status, evtchn_status, u);
	SAME(keel_evtchn_status, evtchn_status, u.unbound.dom);
	SAME(keel_evtchn_status, evtchn_status, u.interdomain.dom);
	SAME(keel_evtchn_status, evtchn_status, u.interdomain.port);
	SAME(keel_evtchn_status, evtchn_status, u.pirq);
	SAME(keel_evtchn_status, evtchn_status, u.virq);
	SAME_SIZE(keel_evtchn_bind_vcpu, evtchn_bind_vcpu);
	SAME(keel_evtchn_bind_vcpu, evtchn_bind_vcpu, port);
	SAME(keel_evtchn_bind_vcpu, evtchn_bind_vcpu, vcpu);
	SAME_SIZE(keel_evtchn_unmask, evtchn_unmask);
	SAME_SIZE(keel_evtchn_reset, evtchn_reset);
	SAME(keel_evtchn_reset, evtchn_reset, dom);
	SAME_SIZE(keel_sched_poll, sched_poll);
	SAME(keel_sched_poll, sched_poll, ports);
	SAME(keel_sched_poll, sched_poll, nr_ports);
	SAME(keel_sched_poll, sched_poll, timeout);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_info),
		cmocka_unit_test(test_start_info),
		cmocka_unit_test(test_sched_version),
		cmocka_unit_test(test_event_channel_numbers),
		cmocka_unit_test(test_event_channel_structs),
	};

	return cmocka_run_group_tests_name("abi_layout", tests, NULL, NULL);
}
