/*
 * hypercalls: every hypercall keel offers so far, with valid and hostile
 * arguments. Valid calls must succeed with the documented results
 * (xen_version 4.17, extraversion, feature bits, the memory map, HVM
 * parameters, shared_info placement with a working wall clock, vcpu_info
 * registration with a ticking pvclock, timers); hostile ones must fail
 * with Xen's error code and change nothing: bad pointers give -EFAULT,
 * bad sub-ops -ENOSYS, bad values -EINVAL, foreign domains -ESRCH,
 * read-only parameters -EPERM, missing vCPUs -ENOENT. keel must keep
 * running throughout; the guest ends with one PASS/FAIL line.
 */
#include "guest.h"
#include <public/features.h>
#include <public/hvm_op.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>

static u8 shared_page[4096] __attribute__((aligned(4096)));
static u8 vcpu_info_page[4096] __attribute__((aligned(4096)));

static void version_and_console(void)
{
	xen_extraversion_t extra;
	struct xen_feature_info fi = { .submap_idx = 0 };

	EXPECT(HYPERVISOR_xen_version(XENVER_version, NULL), (4 << 16) | 17);
	EXPECT(HYPERVISOR_xen_version(XENVER_extraversion, extra), 0);
	CHECK(!strncmp(extra, ".0-keel", 7), "extraversion \"%.16s\"", extra);
	EXPECT(HYPERVISOR_xen_version(XENVER_get_features, &fi), 0);
	CHECK(fi.submap & BIT(XENFEAT_auto_translated_physmap),
	      "features %#x lack auto_translated_physmap", fi.submap);
	EXPECT(HYPERVISOR_xen_version(XENVER_get_features, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_xen_version(XENVER_extraversion, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_xen_version(99, NULL), -ENOSYS);

	EXPECT(HYPERVISOR_console_io(CONSOLEIO_write, 3, "ok\n"), 0);
	EXPECT(HYPERVISOR_console_io(CONSOLEIO_write, 16, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_console_io(CONSOLEIO_write, 1 << 30, "x"), -EINVAL);
	EXPECT(HYPERVISOR_console_io(CONSOLEIO_read, 1, "x"), -ENOSYS);
	EXPECT(_hypercall5(63, 0, 0, 0, 0, 0), -ENOSYS);
	EXPECT(_hypercall5(~0UL, 0, 0, 0, 0, 0), -ENOSYS);
}

static void memory_ops(void)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
		.gpfn = (u64)shared_page >> 12,
	};
	struct { u64 addr, size; u32 type; } __attribute__((packed)) e820[8];
	struct xen_memory_map map = { .nr_entries = 8, .buffer = (u64)e820 };
	struct shared_info *si = (void *)shared_page;

	x.idx = 1;
	EXPECT(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -EINVAL);
	x.idx = 0;
	x.domid = 7;
	EXPECT(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -ESRCH);
	x.domid = DOMID_SELF;
	x.space = 77;
	EXPECT(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -ENOSYS);
	x.space = XENMAPSPACE_shared_info;
	EXPECT(HYPERVISOR_memory_op(XENMEM_add_to_physmap, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), 0);
	CHECK(si->wc_version % 2 == 0 && si->wc_version,
	      "wall clock version %u", si->wc_version);
	CHECK(si->wc_sec > 1600000000u, "wall clock %u s since 1970",
	      si->wc_sec);
	printf("guest: wall clock at boot: %u s since 1970\n", si->wc_sec);

	EXPECT(HYPERVISOR_memory_op(XENMEM_memory_map, &map), 0);
	CHECK(map.nr_entries >= 3, "memory map has %u entries", map.nr_entries);
	CHECK(e820[0].addr == 0 && e820[0].type == 1, "first entry %#llx type %u",
	      (unsigned long long)e820[0].addr, e820[0].type);
	map.buffer = (u64)BAD_PTR;
	EXPECT(HYPERVISOR_memory_op(XENMEM_memory_map, &map), -EFAULT);
	EXPECT(HYPERVISOR_memory_op(1234, &map), -ENOSYS);
}

static void hvm_params(void)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF,
				   .index = HVM_PARAM_STORE_PFN };
	struct xen_hvm_evtchn_upcall_vector u = { .vcpu = 0, .vector = 0xf3 };

	EXPECT(HYPERVISOR_hvm_op(HVMOP_get_param, &p), 0);
	p.value = 0x1234;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_set_param, &p), -EPERM);
	p.index = 10000;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_get_param, &p), -EINVAL);
	p.index = HVM_PARAM_CALLBACK_IRQ;
	p.domid = 3;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_get_param, &p), -ESRCH);
	p.domid = DOMID_SELF;
	p.value = (2ULL << 56) | 0x05;	/* an exception vector */
	EXPECT(HYPERVISOR_hvm_op(HVMOP_set_param, &p), -EINVAL);
	p.value = (2ULL << 56) | 0xf3;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_set_param, &p), 0);
	p.value = 0;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_get_param, &p), 0);
	CHECK(p.value == ((2ULL << 56) | 0xf3), "callback %#llx",
	      (unsigned long long)p.value);
	EXPECT(HYPERVISOR_hvm_op(HVMOP_get_param, BAD_PTR), -EFAULT);
	u.vcpu = 5;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &u), -EINVAL);
	u.vcpu = 0;
	u.vector = 2;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &u), -EINVAL);
	EXPECT(HYPERVISOR_hvm_op(4321, &u), -ENOSYS);
}

static void vcpu_ops(void)
{
	struct vcpu_register_vcpu_info r = {
		.mfn = (u64)vcpu_info_page >> 12, .offset = 64,
	};
	struct vcpu_set_periodic_timer per = { .period_ns = 1000 };
	struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = 1,
		.flags = VCPU_SSHOTTMR_future };
	volatile struct vcpu_info *vi = (void *)(vcpu_info_page + 64);
	u64 t0, t1;

	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), -ENOENT);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0xffffffff, NULL), -ENOENT);
	r.offset = 4090;
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.offset = 64;
	r.mfn = 0x7fffffffffULL;	/* beyond guest memory */
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.mfn = (u64)vcpu_info_page >> 12;
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), 0);
	CHECK(vi->time.version && !(vi->time.version & 1) &&
	      vi->time.tsc_to_system_mul, "pvclock not set up (version %u)",
	      vi->time.version);
	t0 = pvclock_read(&vi->time);
	for (volatile int i = 0; i < 100000; i++)
		;
	t1 = pvclock_read(&vi->time);
	CHECK(t1 > t0, "pvclock does not advance (%llu then %llu)",
	      (unsigned long long)t0, (unsigned long long)t1);
	printf("guest: pvclock %llu ns, then %llu ns\n", (unsigned long long)t0,
	       (unsigned long long)t1);

	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), -EINVAL);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss), -ETIME);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 3, NULL), -ENOENT);
	EXPECT(HYPERVISOR_vcpu_op(77, 0, NULL), -ENOSYS);
	EXPECT(HYPERVISOR_set_timer_op(0), 0);
}

static void sched_ops(void)
{
	struct sched_shutdown s = { .reason = 99 };

	EXPECT(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_shutdown, &s), -EINVAL);
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_shutdown, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_sched_op(555, NULL), -ENOSYS);
}

int guest_main(const char *cmdline)
{
	version_and_console();
	memory_ops();
	hvm_params();
	vcpu_ops();
	sched_ops();
	return test_result("hypercalls");
}
