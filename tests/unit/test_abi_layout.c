/* Checks keel's copy of the Xen guest ABI against Xen's own public headers (libxen-dev). */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/vcpu.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/version.h>
#include <xen/arch-x86/hvm/start_info.h>

/* Xen's values, kept before keel's header redefines the macros. */
enum { XEN_MAX_VCPUS = XEN_LEGACY_MAX_VCPUS, XEN_DOMID_SELF = DOMID_SELF,
       XEN_DOMID_XEN = DOMID_XEN, XEN_DOMID_INVALID = DOMID_INVALID };
#undef DOMID_SELF
#undef DOMID_XEN
#undef DOMID_INVALID
#undef DOMID_FIRST_RESERVED
#undef XEN_LEGACY_MAX_VCPUS

#define XEN_VALUE(name) XEN_##name = name
/* vm_assist and the runstate area's update flag. */
enum {
	XEN_VALUE(VMASST_CMD_enable), XEN_VALUE(VMASST_CMD_disable),
	XEN_VALUE(VMASST_TYPE_runstate_update_flag),
};
static const uint64_t XEN_XEN_RUNSTATE_UPDATE = XEN_RUNSTATE_UPDATE;
#undef VMASST_CMD_enable
#undef VMASST_CMD_disable
#undef VMASST_TYPE_runstate_update_flag
#undef XEN_RUNSTATE_UPDATE
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
	XEN_VALUE(XENVER_compile_info), XEN_VALUE(XENVER_capabilities),
	XEN_VALUE(XENVER_changeset), XEN_VALUE(XENVER_platform_parameters),
	XEN_VALUE(XENVER_pagesize), XEN_VALUE(XENVER_guest_handle),
	XEN_VALUE(XENVER_commandline), XEN_VALUE(XENVER_build_id),
	XEN_VALUE(XENFEAT_writable_page_tables), XEN_VALUE(XENFEAT_auto_translated_physmap),
	XEN_VALUE(XENFEAT_supervisor_mode_kernel), XEN_VALUE(XENFEAT_hvm_callback_vector),
	XEN_VALUE(XENFEAT_hvm_safe_pvclock), XEN_VALUE(XENFEAT_hvm_pirqs),
	XEN_VALUE(XENFEAT_dom0), XEN_VALUE(XENFEAT_memory_op_vnode_supported),
	XEN_VALUE(XENFEAT_not_direct_mapped), XEN_VALUE(XENFEAT_direct_mapped),
	XEN_VALUE(XENFEAT_NR_SUBMAPS),
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
/* The FIFO event-channel ABI. */
enum {
	XEN_VALUE(EVTCHN_FIFO_PRIORITY_MAX),
	XEN_VALUE(EVTCHN_FIFO_PRIORITY_DEFAULT),
	XEN_VALUE(EVTCHN_FIFO_PRIORITY_MIN),
	XEN_VALUE(EVTCHN_FIFO_MAX_QUEUES),
	XEN_VALUE(EVTCHN_FIFO_PENDING),
	XEN_VALUE(EVTCHN_FIFO_MASKED),
	XEN_VALUE(EVTCHN_FIFO_LINKED),
	XEN_VALUE(EVTCHN_FIFO_BUSY),
	XEN_VALUE(EVTCHN_FIFO_LINK_BITS),
	XEN_VALUE(EVTCHN_FIFO_LINK_MASK),
	XEN_VALUE(EVTCHN_FIFO_NR_CHANNELS),
};
/* Grant tables and memory_op. */
enum {
	XEN_VALUE(GNTTABOP_map_grant_ref),
	XEN_VALUE(GNTTABOP_unmap_grant_ref),
	XEN_VALUE(GNTTABOP_setup_table),
	XEN_VALUE(GNTTABOP_dump_table),
	XEN_VALUE(GNTTABOP_transfer),
	XEN_VALUE(GNTTABOP_copy),
	XEN_VALUE(GNTTABOP_query_size),
	XEN_VALUE(GNTTABOP_unmap_and_replace),
	XEN_VALUE(GNTTABOP_set_version),
	XEN_VALUE(GNTTABOP_get_status_frames),
	XEN_VALUE(GNTTABOP_get_version),
	XEN_VALUE(GNTTABOP_swap_grant_ref),
	XEN_VALUE(GNTTABOP_cache_flush),
	XEN_VALUE(GTF_invalid),
	XEN_VALUE(GTF_permit_access),
	XEN_VALUE(GTF_accept_transfer),
	XEN_VALUE(GTF_transitive),
	XEN_VALUE(GTF_type_mask),
	XEN_VALUE(GTF_readonly),
	XEN_VALUE(GTF_reading),
	XEN_VALUE(GTF_writing),
	XEN_VALUE(GTF_PWT),
	XEN_VALUE(GTF_PCD),
	XEN_VALUE(GTF_PAT),
	XEN_VALUE(GTF_sub_page),
	XEN_VALUE(GTF_transfer_committed),
	XEN_VALUE(GTF_transfer_completed),
	XEN_VALUE(GNTTAB_NR_RESERVED_ENTRIES),
	XEN_VALUE(GNTTAB_RESERVED_CONSOLE),
	XEN_VALUE(GNTTAB_RESERVED_XENSTORE),
	XEN_VALUE(GNTMAP_device_map),
	XEN_VALUE(GNTMAP_host_map),
	XEN_VALUE(GNTMAP_readonly),
	XEN_VALUE(GNTMAP_application_map),
	XEN_VALUE(GNTMAP_contains_pte),
	XEN_VALUE(GNTCOPY_source_gref),
	XEN_VALUE(GNTCOPY_dest_gref),
	XEN_VALUE(GNTST_okay),
	XEN_VALUE(GNTST_general_error),
	XEN_VALUE(GNTST_bad_domain),
	XEN_VALUE(GNTST_bad_gntref),
	XEN_VALUE(GNTST_bad_handle),
	XEN_VALUE(GNTST_bad_virt_addr),
	XEN_VALUE(GNTST_bad_dev_addr),
	XEN_VALUE(GNTST_no_device_space),
	XEN_VALUE(GNTST_permission_denied),
	XEN_VALUE(GNTST_bad_page),
	XEN_VALUE(GNTST_bad_copy_arg),
	XEN_VALUE(GNTST_address_too_big),
	XEN_VALUE(GNTST_eagain),
	XEN_VALUE(GNTST_no_space),
	XEN_VALUE(XENMEM_add_to_physmap),
	XEN_VALUE(XENMEM_memory_map),
	XEN_VALUE(XENMEM_add_to_physmap_batch),
	XEN_VALUE(XENMEM_remove_from_physmap),
	XEN_VALUE(XENMAPSPACE_shared_info),
	XEN_VALUE(XENMAPSPACE_grant_table),
	XEN_VALUE(XENMAPSPACE_gmfn_foreign),
	XEN_VALUE(XENMEM_increase_reservation),
	XEN_VALUE(XENMEM_decrease_reservation),
	XEN_VALUE(XENMEM_maximum_ram_page), XEN_VALUE(XENMEM_current_reservation),
	XEN_VALUE(XENMEM_maximum_reservation), XEN_VALUE(XENMEM_populate_physmap),
	XEN_VALUE(XENMEMF_populate_on_demand),
};
#undef GNTTABOP_map_grant_ref
#undef GNTTABOP_unmap_grant_ref
#undef GNTTABOP_setup_table
#undef GNTTABOP_dump_table
#undef GNTTABOP_transfer
#undef GNTTABOP_copy
#undef GNTTABOP_query_size
#undef GNTTABOP_unmap_and_replace
#undef GNTTABOP_set_version
#undef GNTTABOP_get_status_frames
#undef GNTTABOP_get_version
#undef GNTTABOP_swap_grant_ref
#undef GNTTABOP_cache_flush
#undef GTF_invalid
#undef GTF_permit_access
#undef GTF_accept_transfer
#undef GTF_transitive
#undef GTF_type_mask
#undef GTF_readonly
#undef GTF_reading
#undef GTF_writing
#undef GTF_PWT
#undef GTF_PCD
#undef GTF_PAT
#undef GTF_sub_page
#undef GTF_transfer_committed
#undef GTF_transfer_completed
#undef GNTTAB_NR_RESERVED_ENTRIES
#undef GNTTAB_RESERVED_CONSOLE
#undef GNTTAB_RESERVED_XENSTORE
#undef GNTMAP_device_map
#undef GNTMAP_host_map
#undef GNTMAP_readonly
#undef GNTMAP_application_map
#undef GNTMAP_contains_pte
#undef GNTCOPY_source_gref
#undef GNTCOPY_dest_gref
#undef GNTST_okay
#undef GNTST_general_error
#undef GNTST_bad_domain
#undef GNTST_bad_gntref
#undef GNTST_bad_handle
#undef GNTST_bad_virt_addr
#undef GNTST_bad_dev_addr
#undef GNTST_no_device_space
#undef GNTST_permission_denied
#undef GNTST_bad_page
#undef GNTST_bad_copy_arg
#undef GNTST_address_too_big
#undef GNTST_eagain
#undef GNTST_no_space
#undef XENMEM_add_to_physmap
#undef XENMEM_memory_map
#undef XENMEM_add_to_physmap_batch
#undef XENMEM_remove_from_physmap
#undef XENMAPSPACE_shared_info
#undef XENMAPSPACE_grant_table
#undef XENMAPSPACE_gmfn_foreign
#undef XENMEM_increase_reservation
#undef XENMEM_decrease_reservation
#undef XENMEM_maximum_ram_page
#undef XENMEM_current_reservation
#undef XENMEM_maximum_reservation
#undef XENMEM_populate_physmap
#undef XENMEMF_get_address_bits
#undef XENMEMF_populate_on_demand
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
#undef EVTCHN_FIFO_PRIORITY_MAX
#undef EVTCHN_FIFO_PRIORITY_DEFAULT
#undef EVTCHN_FIFO_PRIORITY_MIN
#undef EVTCHN_FIFO_MAX_QUEUES
#undef EVTCHN_FIFO_PENDING
#undef EVTCHN_FIFO_MASKED
#undef EVTCHN_FIFO_LINKED
#undef EVTCHN_FIFO_BUSY
#undef EVTCHN_FIFO_LINK_BITS
#undef EVTCHN_FIFO_LINK_MASK
#undef EVTCHN_FIFO_NR_CHANNELS
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
#undef XENVER_compile_info
#undef XENVER_capabilities
#undef XENVER_changeset
#undef XENVER_platform_parameters
#undef XENVER_pagesize
#undef XENVER_guest_handle
#undef XENVER_commandline
#undef XENVER_build_id
#undef XENFEAT_writable_page_tables
#undef XENFEAT_auto_translated_physmap
#undef XENFEAT_supervisor_mode_kernel
#undef XENFEAT_hvm_callback_vector
#undef XENFEAT_hvm_safe_pvclock
#undef XENFEAT_hvm_pirqs
#undef XENFEAT_dom0
#undef XENFEAT_memory_op_vnode_supported
#undef XENFEAT_not_direct_mapped
#undef XENFEAT_direct_mapped
#undef XENFEAT_NR_SUBMAPS

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
#define evtchn_fifo_control_block keel_evtchn_fifo_control_block
#define evtchn_init_control keel_evtchn_init_control
#define evtchn_expand_array keel_evtchn_expand_array
#define evtchn_set_priority keel_evtchn_set_priority
#define xen_feature_info keel_xen_feature_info
#define xen_extraversion_t keel_xen_extraversion_t
#define xen_compile_info keel_xen_compile_info
#define xen_platform_parameters keel_xen_platform_parameters
#define xen_capabilities_info_t keel_xen_capabilities_info_t
#define xen_changeset_info_t keel_xen_changeset_info_t
#define xen_commandline_t keel_xen_commandline_t
#define xen_domain_handle_t keel_xen_domain_handle_t
#define grant_entry_v1 keel_grant_entry_v1
#define grant_entry_v1_t keel_grant_entry_v1_t
#define gnttab_map_grant_ref keel_gnttab_map_grant_ref
#define gnttab_unmap_grant_ref keel_gnttab_unmap_grant_ref
#define gnttab_setup_table keel_gnttab_setup_table
#define gnttab_copy keel_gnttab_copy
#define gnttab_copy_ptr keel_gnttab_copy_ptr
#define gnttab_query_size keel_gnttab_query_size
#define gnttab_set_version keel_gnttab_set_version
#define gnttab_get_version keel_gnttab_get_version
#define xen_add_to_physmap keel_xen_add_to_physmap
#define xen_memory_map keel_xen_memory_map
#define xen_add_to_physmap_batch keel_xen_add_to_physmap_batch
#define xen_remove_from_physmap keel_xen_remove_from_physmap
#define xen_memory_reservation keel_xen_memory_reservation
#define grant_ref_t keel_grant_ref_t
#define grant_handle_t keel_grant_handle_t
#include <public/xen.h>
#include <public/hvm_start_info.h>
#include <public/sched.h>
#include <public/version.h>
#include <public/features.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/memory.h>
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
#undef evtchn_fifo_control_block
#undef evtchn_init_control
#undef evtchn_expand_array
#undef evtchn_set_priority
#undef xen_feature_info
#undef xen_extraversion_t
#undef xen_compile_info
#undef xen_platform_parameters
#undef xen_capabilities_info_t
#undef xen_changeset_info_t
#undef xen_commandline_t
#undef xen_domain_handle_t
#undef grant_entry_v1
#undef grant_entry_v1_t
#undef gnttab_map_grant_ref
#undef gnttab_unmap_grant_ref
#undef gnttab_setup_table
#undef gnttab_copy
#undef gnttab_copy_ptr
#undef gnttab_query_size
#undef gnttab_set_version
#undef gnttab_get_version
#undef xen_add_to_physmap
#undef xen_memory_map
#undef xen_add_to_physmap_batch
#undef xen_remove_from_physmap
#undef xen_memory_reservation
#undef grant_ref_t
#undef grant_handle_t

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
	assert_int_equal(DOMID_INVALID, XEN_DOMID_INVALID);
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

static void test_version_subops(void **state)
{
	(void)state;
	assert_int_equal(XENVER_compile_info, XEN_XENVER_compile_info);
	assert_int_equal(XENVER_capabilities, XEN_XENVER_capabilities);
	assert_int_equal(XENVER_changeset, XEN_XENVER_changeset);
	assert_int_equal(XENVER_platform_parameters, XEN_XENVER_platform_parameters);
	assert_int_equal(XENVER_pagesize, XEN_XENVER_pagesize);
	assert_int_equal(XENVER_guest_handle, XEN_XENVER_guest_handle);
	assert_int_equal(XENVER_commandline, XEN_XENVER_commandline);
	assert_int_equal(XENVER_build_id, XEN_XENVER_build_id);
	/* Xen 4.18's varbuf sub-ops: newer than these headers (4.17), numbers from Xen's. */
	assert_int_equal(XENVER_extraversion2, 11);
	assert_int_equal(XENVER_capabilities2, 12);
	assert_int_equal(XENVER_changeset2, 13);
	assert_int_equal(XENVER_commandline2, 14);
	SAME_SIZE(keel_xen_compile_info, xen_compile_info);
	SAME(keel_xen_compile_info, xen_compile_info, compile_by);
	SAME(keel_xen_compile_info, xen_compile_info, compile_domain);
	SAME(keel_xen_compile_info, xen_compile_info, compile_date);
	SAME_SIZE(keel_xen_platform_parameters, xen_platform_parameters);
	assert_int_equal(sizeof(keel_xen_capabilities_info_t), sizeof(xen_capabilities_info_t));
	assert_int_equal(sizeof(keel_xen_changeset_info_t), sizeof(xen_changeset_info_t));
	assert_int_equal(sizeof(keel_xen_commandline_t), sizeof(xen_commandline_t));
	assert_int_equal(sizeof(keel_xen_domain_handle_t), sizeof(xen_domain_handle_t));
	/* xen_varbuf is xen_build_id under a general name */
	SAME(xen_varbuf, xen_build_id, buf);
	assert_int_equal(sizeof(struct xen_varbuf), sizeof(struct xen_build_id));

	assert_int_equal(XENFEAT_writable_page_tables, XEN_XENFEAT_writable_page_tables);
	assert_int_equal(XENFEAT_auto_translated_physmap, XEN_XENFEAT_auto_translated_physmap);
	assert_int_equal(XENFEAT_supervisor_mode_kernel, XEN_XENFEAT_supervisor_mode_kernel);
	assert_int_equal(XENFEAT_hvm_callback_vector, XEN_XENFEAT_hvm_callback_vector);
	assert_int_equal(XENFEAT_hvm_safe_pvclock, XEN_XENFEAT_hvm_safe_pvclock);
	assert_int_equal(XENFEAT_hvm_pirqs, XEN_XENFEAT_hvm_pirqs);
	assert_int_equal(XENFEAT_dom0, XEN_XENFEAT_dom0);
	assert_int_equal(XENFEAT_memory_op_vnode_supported,
			 XEN_XENFEAT_memory_op_vnode_supported);
	assert_int_equal(XENFEAT_not_direct_mapped, XEN_XENFEAT_not_direct_mapped);
	assert_int_equal(XENFEAT_direct_mapped, XEN_XENFEAT_direct_mapped);
	assert_int_equal(XENFEAT_NR_SUBMAPS, XEN_XENFEAT_NR_SUBMAPS);
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

static void test_vm_assist_abi(void **state)
{
	(void)state;
	assert_int_equal(VMASST_CMD_enable, XEN_VMASST_CMD_enable);
	assert_int_equal(VMASST_CMD_disable, XEN_VMASST_CMD_disable);
	assert_int_equal(VMASST_TYPE_runstate_update_flag, XEN_VMASST_TYPE_runstate_update_flag);
	assert_true(XEN_RUNSTATE_UPDATE == XEN_XEN_RUNSTATE_UPDATE);
	SAME(keel_vcpu_runstate_info, vcpu_runstate_info, state);
	SAME(keel_vcpu_runstate_info, vcpu_runstate_info, state_entry_time);
}

static void test_fifo_abi(void **state)
{
	(void)state;
	assert_int_equal(EVTCHN_FIFO_PRIORITY_MAX, XEN_EVTCHN_FIFO_PRIORITY_MAX);
	assert_int_equal(EVTCHN_FIFO_PRIORITY_DEFAULT, XEN_EVTCHN_FIFO_PRIORITY_DEFAULT);
	assert_int_equal(EVTCHN_FIFO_PRIORITY_MIN, XEN_EVTCHN_FIFO_PRIORITY_MIN);
	assert_int_equal(EVTCHN_FIFO_MAX_QUEUES, XEN_EVTCHN_FIFO_MAX_QUEUES);
	assert_int_equal(EVTCHN_FIFO_PENDING, XEN_EVTCHN_FIFO_PENDING);
	assert_int_equal(EVTCHN_FIFO_MASKED, XEN_EVTCHN_FIFO_MASKED);
	assert_int_equal(EVTCHN_FIFO_LINKED, XEN_EVTCHN_FIFO_LINKED);
	assert_int_equal(EVTCHN_FIFO_BUSY, XEN_EVTCHN_FIFO_BUSY);
	assert_int_equal(EVTCHN_FIFO_LINK_BITS, XEN_EVTCHN_FIFO_LINK_BITS);
	assert_int_equal(EVTCHN_FIFO_LINK_MASK, XEN_EVTCHN_FIFO_LINK_MASK);
	assert_int_equal(EVTCHN_FIFO_NR_CHANNELS, XEN_EVTCHN_FIFO_NR_CHANNELS);
	assert_int_equal(sizeof(event_word_t), sizeof(uint32_t));
	SAME_SIZE(keel_evtchn_fifo_control_block, evtchn_fifo_control_block);
	SAME(keel_evtchn_fifo_control_block, evtchn_fifo_control_block, ready);
	SAME(keel_evtchn_fifo_control_block, evtchn_fifo_control_block, head);
	SAME_SIZE(keel_evtchn_init_control, evtchn_init_control);
	SAME(keel_evtchn_init_control, evtchn_init_control, control_gfn);
	SAME(keel_evtchn_init_control, evtchn_init_control, offset);
	SAME(keel_evtchn_init_control, evtchn_init_control, vcpu);
	SAME(keel_evtchn_init_control, evtchn_init_control, link_bits);
	SAME_SIZE(keel_evtchn_expand_array, evtchn_expand_array);
	SAME(keel_evtchn_expand_array, evtchn_expand_array, array_gfn);
	SAME_SIZE(keel_evtchn_set_priority, evtchn_set_priority);
	SAME(keel_evtchn_set_priority, evtchn_set_priority, port);
	SAME(keel_evtchn_set_priority, evtchn_set_priority, priority);
}

static void test_grant_table_numbers(void **state)
{
	(void)state;
	assert_int_equal(GNTTABOP_map_grant_ref, XEN_GNTTABOP_map_grant_ref);
	assert_int_equal(GNTTABOP_unmap_grant_ref, XEN_GNTTABOP_unmap_grant_ref);
	assert_int_equal(GNTTABOP_setup_table, XEN_GNTTABOP_setup_table);
	assert_int_equal(GNTTABOP_dump_table, XEN_GNTTABOP_dump_table);
	assert_int_equal(GNTTABOP_transfer, XEN_GNTTABOP_transfer);
	assert_int_equal(GNTTABOP_copy, XEN_GNTTABOP_copy);
	assert_int_equal(GNTTABOP_query_size, XEN_GNTTABOP_query_size);
	assert_int_equal(GNTTABOP_unmap_and_replace, XEN_GNTTABOP_unmap_and_replace);
	assert_int_equal(GNTTABOP_set_version, XEN_GNTTABOP_set_version);
	assert_int_equal(GNTTABOP_get_status_frames, XEN_GNTTABOP_get_status_frames);
	assert_int_equal(GNTTABOP_get_version, XEN_GNTTABOP_get_version);
	assert_int_equal(GNTTABOP_swap_grant_ref, XEN_GNTTABOP_swap_grant_ref);
	assert_int_equal(GNTTABOP_cache_flush, XEN_GNTTABOP_cache_flush);
	assert_int_equal(GTF_invalid, XEN_GTF_invalid);
	assert_int_equal(GTF_permit_access, XEN_GTF_permit_access);
	assert_int_equal(GTF_accept_transfer, XEN_GTF_accept_transfer);
	assert_int_equal(GTF_transitive, XEN_GTF_transitive);
	assert_int_equal(GTF_type_mask, XEN_GTF_type_mask);
	assert_int_equal(GTF_readonly, XEN_GTF_readonly);
	assert_int_equal(GTF_reading, XEN_GTF_reading);
	assert_int_equal(GTF_writing, XEN_GTF_writing);
	assert_int_equal(GTF_PWT, XEN_GTF_PWT);
	assert_int_equal(GTF_PCD, XEN_GTF_PCD);
	assert_int_equal(GTF_PAT, XEN_GTF_PAT);
	assert_int_equal(GTF_sub_page, XEN_GTF_sub_page);
	assert_int_equal(GTF_transfer_committed, XEN_GTF_transfer_committed);
	assert_int_equal(GTF_transfer_completed, XEN_GTF_transfer_completed);
	assert_int_equal(GNTTAB_NR_RESERVED_ENTRIES, XEN_GNTTAB_NR_RESERVED_ENTRIES);
	assert_int_equal(GNTTAB_RESERVED_CONSOLE, XEN_GNTTAB_RESERVED_CONSOLE);
	assert_int_equal(GNTTAB_RESERVED_XENSTORE, XEN_GNTTAB_RESERVED_XENSTORE);
	assert_int_equal(GNTMAP_device_map, XEN_GNTMAP_device_map);
	assert_int_equal(GNTMAP_host_map, XEN_GNTMAP_host_map);
	assert_int_equal(GNTMAP_readonly, XEN_GNTMAP_readonly);
	assert_int_equal(GNTMAP_application_map, XEN_GNTMAP_application_map);
	assert_int_equal(GNTMAP_contains_pte, XEN_GNTMAP_contains_pte);
	assert_int_equal(GNTCOPY_source_gref, XEN_GNTCOPY_source_gref);
	assert_int_equal(GNTCOPY_dest_gref, XEN_GNTCOPY_dest_gref);
	assert_int_equal(GNTST_okay, XEN_GNTST_okay);
	assert_int_equal(GNTST_general_error, XEN_GNTST_general_error);
	assert_int_equal(GNTST_bad_domain, XEN_GNTST_bad_domain);
	assert_int_equal(GNTST_bad_gntref, XEN_GNTST_bad_gntref);
	assert_int_equal(GNTST_bad_handle, XEN_GNTST_bad_handle);
	assert_int_equal(GNTST_bad_virt_addr, XEN_GNTST_bad_virt_addr);
	assert_int_equal(GNTST_bad_dev_addr, XEN_GNTST_bad_dev_addr);
	assert_int_equal(GNTST_no_device_space, XEN_GNTST_no_device_space);
	assert_int_equal(GNTST_permission_denied, XEN_GNTST_permission_denied);
	assert_int_equal(GNTST_bad_page, XEN_GNTST_bad_page);
	assert_int_equal(GNTST_bad_copy_arg, XEN_GNTST_bad_copy_arg);
	assert_int_equal(GNTST_address_too_big, XEN_GNTST_address_too_big);
	assert_int_equal(GNTST_eagain, XEN_GNTST_eagain);
	assert_int_equal(GNTST_no_space, XEN_GNTST_no_space);
	assert_int_equal(XENMEM_add_to_physmap, XEN_XENMEM_add_to_physmap);
	assert_int_equal(XENMEM_memory_map, XEN_XENMEM_memory_map);
	assert_int_equal(XENMAPSPACE_shared_info, XEN_XENMAPSPACE_shared_info);
	assert_int_equal(XENMAPSPACE_grant_table, XEN_XENMAPSPACE_grant_table);
	assert_int_equal(XENMAPSPACE_gmfn_foreign, XEN_XENMAPSPACE_gmfn_foreign);
}

static void test_grant_table_structs(void **state)
{
	(void)state;
	assert_int_equal(sizeof(keel_grant_ref_t), sizeof(grant_ref_t));
	assert_int_equal(sizeof(keel_grant_handle_t), sizeof(grant_handle_t));
	SAME_SIZE(keel_grant_entry_v1, grant_entry_v1);
	SAME(keel_grant_entry_v1, grant_entry_v1, flags);
	SAME(keel_grant_entry_v1, grant_entry_v1, domid);
	SAME(keel_grant_entry_v1, grant_entry_v1, frame);
	SAME_SIZE(keel_gnttab_map_grant_ref, gnttab_map_grant_ref);
	SAME(keel_gnttab_map_grant_ref, gnttab_map_grant_ref, host_addr);
	SAME(keel_gnttab_map_grant_ref, gnttab_map_grant_ref, flags);
	SAME(keel_gnttab_map_grant_ref, gnttab_map_grant_ref, ref);
	SAME(keel_gnttab_map_grant_ref, gnttab_map_grant_ref, dom);
	SAME(keel_gnttab_map_grant_ref, gnttab_map_grant_ref, status);
	SAME(keel_gnttab_map_grant_ref, gnttab_map_grant_ref, handle);
	SAME(keel_gnttab_map_grant_ref, gnttab_map_grant_ref, dev_bus_addr);
	SAME_SIZE(keel_gnttab_unmap_grant_ref, gnttab_unmap_grant_ref);
	SAME(keel_gnttab_unmap_grant_ref, gnttab_unmap_grant_ref, host_addr);
	SAME(keel_gnttab_unmap_grant_ref, gnttab_unmap_grant_ref, dev_bus_addr);
	SAME(keel_gnttab_unmap_grant_ref, gnttab_unmap_grant_ref, handle);
	SAME(keel_gnttab_unmap_grant_ref, gnttab_unmap_grant_ref, status);
	SAME_SIZE(keel_gnttab_setup_table, gnttab_setup_table);
	SAME(keel_gnttab_setup_table, gnttab_setup_table, dom);
	SAME(keel_gnttab_setup_table, gnttab_setup_table, nr_frames);
	SAME(keel_gnttab_setup_table, gnttab_setup_table, status);
	SAME(keel_gnttab_setup_table, gnttab_setup_table, frame_list);
	SAME_SIZE(keel_gnttab_copy_ptr, gnttab_copy_ptr);
	SAME(keel_gnttab_copy_ptr, gnttab_copy_ptr, u.ref);
	SAME(keel_gnttab_copy_ptr, gnttab_copy_ptr, u.gmfn);
	SAME(keel_gnttab_copy_ptr, gnttab_copy_ptr, domid);
	SAME(keel_gnttab_copy_ptr, gnttab_copy_ptr, offset);
	SAME_SIZE(keel_gnttab_copy, gnttab_copy);
	SAME(keel_gnttab_copy, gnttab_copy, source);
	SAME(keel_gnttab_copy, gnttab_copy, dest);
	SAME(keel_gnttab_copy, gnttab_copy, len);
	SAME(keel_gnttab_copy, gnttab_copy, flags);
	SAME(keel_gnttab_copy, gnttab_copy, status);
	SAME_SIZE(keel_gnttab_query_size, gnttab_query_size);
	SAME(keel_gnttab_query_size, gnttab_query_size, dom);
	SAME(keel_gnttab_query_size, gnttab_query_size, nr_frames);
	SAME(keel_gnttab_query_size, gnttab_query_size, max_nr_frames);
	SAME(keel_gnttab_query_size, gnttab_query_size, status);
	SAME_SIZE(keel_gnttab_set_version, gnttab_set_version);
	SAME_SIZE(keel_gnttab_get_version, gnttab_get_version);
	SAME(keel_gnttab_get_version, gnttab_get_version, dom);
	SAME(keel_gnttab_get_version, gnttab_get_version, version);
	SAME_SIZE(keel_xen_add_to_physmap, xen_add_to_physmap);
	SAME(keel_xen_add_to_physmap, xen_add_to_physmap, domid);
	SAME(keel_xen_add_to_physmap, xen_add_to_physmap, size);
	SAME(keel_xen_add_to_physmap, xen_add_to_physmap, space);
	SAME(keel_xen_add_to_physmap, xen_add_to_physmap, idx);
	SAME(keel_xen_add_to_physmap, xen_add_to_physmap, gpfn);
	SAME_SIZE(keel_xen_add_to_physmap_batch, xen_add_to_physmap_batch);
	SAME(keel_xen_add_to_physmap_batch, xen_add_to_physmap_batch, domid);
	SAME(keel_xen_add_to_physmap_batch, xen_add_to_physmap_batch, space);
	SAME(keel_xen_add_to_physmap_batch, xen_add_to_physmap_batch, size);
	assert_int_equal(offsetof(struct keel_xen_add_to_physmap_batch, foreign_domid),
			 offsetof(struct xen_add_to_physmap_batch, u.foreign_domid));
	SAME(keel_xen_add_to_physmap_batch, xen_add_to_physmap_batch, idxs);
	SAME(keel_xen_add_to_physmap_batch, xen_add_to_physmap_batch, gpfns);
	SAME(keel_xen_add_to_physmap_batch, xen_add_to_physmap_batch, errs);
	SAME_SIZE(keel_xen_remove_from_physmap, xen_remove_from_physmap);
	SAME(keel_xen_remove_from_physmap, xen_remove_from_physmap, domid);
	SAME(keel_xen_remove_from_physmap, xen_remove_from_physmap, gpfn);
	SAME_SIZE(keel_xen_memory_map, xen_memory_map);
	SAME(keel_xen_memory_map, xen_memory_map, buffer);
}

/* The balloon's sub-ops and their argument. */
static void test_memory_reservation(void **state)
{
	(void)state;
	assert_int_equal(XENMEM_increase_reservation, XEN_XENMEM_increase_reservation);
	assert_int_equal(XENMEM_decrease_reservation, XEN_XENMEM_decrease_reservation);
	assert_int_equal(XENMEM_maximum_ram_page, XEN_XENMEM_maximum_ram_page);
	assert_int_equal(XENMEM_current_reservation, XEN_XENMEM_current_reservation);
	assert_int_equal(XENMEM_maximum_reservation, XEN_XENMEM_maximum_reservation);
	assert_int_equal(XENMEM_populate_physmap, XEN_XENMEM_populate_physmap);
	assert_int_equal(XENMEMF_populate_on_demand, XEN_XENMEMF_populate_on_demand);
	assert_int_equal(XENMEMF_get_address_bits(0x1234), 0x34);
	SAME_SIZE(keel_xen_memory_reservation, xen_memory_reservation);
	SAME(keel_xen_memory_reservation, xen_memory_reservation, extent_start);
	SAME(keel_xen_memory_reservation, xen_memory_reservation, nr_extents);
	SAME(keel_xen_memory_reservation, xen_memory_reservation, extent_order);
	SAME(keel_xen_memory_reservation, xen_memory_reservation, mem_flags);
	SAME(keel_xen_memory_reservation, xen_memory_reservation, domid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_info),
		cmocka_unit_test(test_start_info),
		cmocka_unit_test(test_sched_version),
		cmocka_unit_test(test_version_subops),
		cmocka_unit_test(test_event_channel_numbers),
		cmocka_unit_test(test_event_channel_structs),
		cmocka_unit_test(test_fifo_abi),
		cmocka_unit_test(test_vm_assist_abi),
		cmocka_unit_test(test_grant_table_numbers),
		cmocka_unit_test(test_grant_table_structs),
		cmocka_unit_test(test_memory_reservation),
	};

	return cmocka_run_group_tests_name("abi_layout", tests, NULL, NULL);
}
