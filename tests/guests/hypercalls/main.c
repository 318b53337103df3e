/*
 * hypercalls: every hypercall keel offers so far, with valid and hostile
 * arguments. Valid calls must succeed with the documented results
 * (xen_version 4.17 and each of its sub-ops as Xen answers them, feature
 * bits, the memory map, HVM parameters, shared_info placement with a
 * working wall clock, vcpu_info registration with a ticking pvclock,
 * timers); hostile ones must fail with Xen's error code and change
 * nothing: bad pointers give -EFAULT, bad sub-ops -ENOSYS, bad values
 * -EINVAL, foreign domains -ESRCH, read-only parameters -EPERM, missing
 * vCPUs -ENOENT. keel must keep running throughout; the guest ends with
 * one PASS/FAIL line. It also balloons pages out and back in
 * (decrease_reservation, populate_physmap) and checks its reservation:
 * never more than it was given, fresh pages zeroed.
 *
 * As dom0 with a module (itself, command line "domu"), it then builds that
 * module as an unprivileged domain, which runs the same checks as an
 * unprivileged caller (xen_version's command line and build id are the
 * control domain's) and prints its own PASS line; dom0 waits for it to
 * power off and destroys it.
 */
#include "guest.h"
#include "cmdline.h"
#include "domctl.h"
#include <public/features.h>
#include <public/hvm_op.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>

static u8 shared_page[4096] __attribute__((aligned(4096)));
static u8 vcpu_info_page[4096] __attribute__((aligned(4096)));
#define BALLOON_PAGES 8
static u8 balloon_pages[BALLOON_PAGES][4096] __attribute__((aligned(4096)));
/* A GFN nothing backs (above RAM, in the identity map): populated later. */
#define SPARE_GPA 0x80000000ULL
static bool privileged;

#define CAPS "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 "
#define FILL 0xee
/* A buffer for xen_version's answers, filled with FILL around what each may write. */
static u8 buf[2048] __attribute__((aligned(8)));

static bool has(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

/* @len bytes of buf written, and nothing after them. */
static bool wrote(size_t len)
{
	return buf[len] == FILL;
}

/* A NUL-padded string of @size bytes in buf: its text, zeroes to the end, nothing after. */
static bool padded_string(size_t size)
{
	size_t n = strnlen((char *)buf, size);

	if (n == size || !wrote(size))
		return false;
	for (size_t i = n; i < size; i++)
		if (buf[i])
			return false;
	return true;
}

/* A variable-length sub-op with room for @room bytes: its result. */
static long varbuf(int cmd, u32 room)
{
	memset(buf, FILL, sizeof(buf));
	memcpy(buf, &room, sizeof(room));
	return HYPERVISOR_xen_version(cmd, buf);
}

/* The fixed-size string sub-ops, and the fixed answers. */
static void xen_version_fixed(void)
{
	struct xen_compile_info *ci = (void *)buf;
	struct xen_feature_info fi = { .submap_idx = 0 };
	u64 want = BIT(XENFEAT_writable_page_tables) | BIT(XENFEAT_auto_translated_physmap) |
		   BIT(XENFEAT_hvm_callback_vector) | BIT(XENFEAT_hvm_safe_pvclock) |
		   BIT(XENFEAT_not_direct_mapped);

	memset(buf, FILL, sizeof(buf));
	EXPECT(HYPERVISOR_xen_version(XENVER_compile_info, ci), 0);
	CHECK(wrote(sizeof(*ci)) && ci->compiler[0] && memchr(ci->compiler, 0, 64) &&
	      memchr(ci->compile_by, 0, 16) && memchr(ci->compile_domain, 0, 32) &&
	      ci->compile_date[0] && memchr(ci->compile_date, 0, 32),
	      "compile_info not four terminated strings");
	printf("guest: keel compiled with \"%s\" by %s on %s\n", ci->compiler,
	       ci->compile_by, ci->compile_date);

	memset(buf, FILL, sizeof(buf));
	EXPECT(HYPERVISOR_xen_version(XENVER_capabilities, buf), 0);
	CHECK(padded_string(1024) && !strcmp((char *)buf, CAPS), "capabilities \"%.64s\"", buf);

	memset(buf, FILL, sizeof(buf));
	EXPECT(HYPERVISOR_xen_version(XENVER_changeset, buf), 0);
	CHECK(padded_string(64) && (has((char *)buf, " git:") ||
				    !strcmp((char *)buf, "unavailable")),
	      "changeset \"%.64s\"", buf);
	printf("guest: keel changeset %s\n", buf);

	memset(buf, FILL, sizeof(buf));
	EXPECT(HYPERVISOR_xen_version(XENVER_platform_parameters, buf), 0);
	CHECK(padded_string(8), "platform_parameters: virt_start not 0 for PVH");

	EXPECT(HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096);
	EXPECT(HYPERVISOR_xen_version(XENVER_pagesize, buf), -EINVAL);

	memset(buf, FILL, sizeof(buf));
	EXPECT(HYPERVISOR_xen_version(XENVER_guest_handle, buf), 0);
	CHECK(padded_string(16), "guest_handle not 16 zero bytes");

	EXPECT(HYPERVISOR_xen_version(XENVER_get_features, &fi), 0);
	CHECK(fi.submap == want, "features %#x, want %#llx", fi.submap,
	      (unsigned long long)want);
	fi = (struct xen_feature_info){ .submap_idx = 1, .submap = 0x5a5a };
	EXPECT(HYPERVISOR_xen_version(XENVER_get_features, &fi), -EINVAL);
	CHECK(fi.submap == 0x5a5a, "a refused get_features wrote %#x", fi.submap);

	for (int cmd = XENVER_extraversion; cmd <= XENVER_guest_handle; cmd++)
		if (cmd != XENVER_pagesize)
			EXPECT(HYPERVISOR_xen_version(cmd, BAD_PTR), -EFAULT);
}

/* The command line and build id: the control domain's; the varbuf sub-ops. */
static void xen_version_private(void)
{
	char cmdline[1024];
	long n;

	memset(buf, FILL, sizeof(buf));
	EXPECT(HYPERVISOR_xen_version(XENVER_commandline, buf), 0);
	if (privileged) {
		CHECK(padded_string(1024) && has((char *)buf, "dom0_mem="),
		      "keel's command line \"%.80s\"", buf);
		printf("guest: keel's command line \"%s\"\n", buf);
	} else {
		CHECK(!strcmp((char *)buf, "<denied>") && wrote(9),
		      "an unprivileged domain read keel's command line \"%.80s\"", buf);
	}
	strlcpy(cmdline, (char *)buf, sizeof(cmdline));
	EXPECT(HYPERVISOR_xen_version(XENVER_commandline, BAD_PTR), -EFAULT);

	if (privileged) {
		n = HYPERVISOR_xen_version(XENVER_build_id, NULL);
		CHECK(n == 20, "build id of %ld bytes, want 20 (sha1)", n);
		EXPECT(varbuf(XENVER_build_id, 19), -ENOBUFS);
		CHECK(buf[4] == FILL, "a refused build_id wrote");
		EXPECT(varbuf(XENVER_build_id, 64), 20);
		CHECK(buf[24] == FILL, "build_id wrote past its 20 bytes");
		printf("guest: keel build id %02x%02x%02x%02x...\n", buf[4], buf[5], buf[6],
		       buf[7]);
		n = HYPERVISOR_xen_version(XENVER_commandline2, NULL);
		CHECK(n == (long)strlen(cmdline), "commandline2 length %ld", n);
		EXPECT(varbuf(XENVER_commandline2, 1024), n);
		CHECK(!memcmp(buf + 4, cmdline, n) && buf[4 + n] == FILL,
		      "commandline2 differs from commandline");
		EXPECT(HYPERVISOR_xen_version(XENVER_build_id, BAD_PTR), -EFAULT);
	} else {
		EXPECT(HYPERVISOR_xen_version(XENVER_build_id, NULL), -EPERM);
		EXPECT(varbuf(XENVER_build_id, 64), -EPERM);
		EXPECT(HYPERVISOR_xen_version(XENVER_commandline2, NULL), -EPERM);
		EXPECT(varbuf(XENVER_commandline2, 1024), -EPERM);
		CHECK(buf[4] == FILL, "a refused varbuf sub-op wrote");
	}

	/* everyone's: extraversion, capabilities and changeset without truncation */
	EXPECT(HYPERVISOR_xen_version(XENVER_extraversion2, NULL), 7);
	EXPECT(varbuf(XENVER_extraversion2, 6), -ENOBUFS);
	EXPECT(varbuf(XENVER_extraversion2, 7), 7);
	CHECK(!memcmp(buf + 4, ".0-keel", 7) && buf[11] == FILL, "extraversion2");
	EXPECT(HYPERVISOR_xen_version(XENVER_capabilities2, NULL), (long)strlen(CAPS));
	EXPECT(varbuf(XENVER_capabilities2, 1024), (long)strlen(CAPS));
	CHECK(!memcmp(buf + 4, CAPS, strlen(CAPS)), "capabilities2");
	n = HYPERVISOR_xen_version(XENVER_changeset2, NULL);
	CHECK(n > 0 && n < 64, "changeset2 length %ld", n);
	EXPECT(varbuf(XENVER_changeset2, 0), -ENOBUFS);
	EXPECT(varbuf(XENVER_extraversion2, 64), 7);
	EXPECT(HYPERVISOR_xen_version(XENVER_extraversion2, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_xen_version(15, NULL), -ENOSYS);
}

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
	xen_version_fixed();
	xen_version_private();

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
	/* Once only (as Xen): keel holds that page now. */
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.mfn = (u64)shared_page >> 12;	/* keel's shared_info: not its own */
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.mfn = (u64)vcpu_info_page >> 12;
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

static long reservation(unsigned int cmd, u64 *gfns, u64 n, unsigned int order,
			domid_t dom)
{
	struct xen_memory_reservation r = {
		.extent_start = (u64)gfns, .nr_extents = n,
		.extent_order = order, .domid = dom,
	};

	return HYPERVISOR_memory_op(cmd, &r);
}

static long current_reservation(domid_t dom)
{
	return HYPERVISOR_memory_op(XENMEM_current_reservation, &dom);
}

/* Balloon BALLOON_PAGES pages out and back in, and one more up to the maximum. */
static void balloon(void)
{
	long max = HYPERVISOR_memory_op(XENMEM_maximum_reservation,
					&(domid_t){ DOMID_SELF });
	long cur = current_reservation(DOMID_SELF), out, in, peak;
	u64 gfns[BALLOON_PAGES + 2];
	unsigned int dirty = 0;

	/* shared_info went over one of its RAM pages: one below its maximum. */
	CHECK(cur > 0 && cur == max - 1, "reservation %ld of %ld", cur, max);
	for (unsigned int i = 0; i < BALLOON_PAGES; i++) {
		memset(balloon_pages[i], 0x5a, 4096);
		gfns[i] = (u64)balloon_pages[i] >> 12;
	}
	gfns[BALLOON_PAGES] = SPARE_GPA >> 12;
	gfns[BALLOON_PAGES + 1] = (SPARE_GPA >> 12) + 1;
	/* Whole requests that are wrong do nothing: 0 extents. */
	EXPECT(reservation(XENMEM_decrease_reservation, gfns, 1, 1, DOMID_SELF), 0);
	EXPECT(reservation(XENMEM_decrease_reservation, gfns, 1, 0, 7), 0);
	EXPECT(reservation(XENMEM_decrease_reservation, BAD_PTR, 1, 0, DOMID_SELF), 0);
	EXPECT(HYPERVISOR_memory_op(XENMEM_decrease_reservation, BAD_PTR), 0);
	/* Not RAM of its own: keel's shared_info, nothing at all. */
	EXPECT(reservation(XENMEM_decrease_reservation,
			   &(u64){ (u64)shared_page >> 12 }, 1, 0, DOMID_SELF), 0);
	EXPECT(reservation(XENMEM_decrease_reservation, &gfns[BALLOON_PAGES], 1,
			   0, DOMID_SELF), 0);
	EXPECT(current_reservation(DOMID_SELF), cur);

	out = reservation(XENMEM_decrease_reservation, gfns, BALLOON_PAGES, 0,
			  DOMID_SELF);
	EXPECT(out, BALLOON_PAGES);
	EXPECT(current_reservation(DOMID_SELF), cur - BALLOON_PAGES);
	/* Back, and one more where nothing was; the next is over its maximum. */
	in = reservation(XENMEM_populate_physmap, gfns, BALLOON_PAGES + 2, 0,
			 DOMID_SELF);
	EXPECT(in, BALLOON_PAGES + 1);
	peak = current_reservation(DOMID_SELF);
	EXPECT(peak, max);
	EXPECT(reservation(XENMEM_populate_physmap, &gfns[BALLOON_PAGES + 1], 1,
			   0, DOMID_SELF), 0);
	EXPECT(reservation(XENMEM_increase_reservation, NULL, 1, 0, DOMID_SELF), 0);
	for (unsigned int i = 0; i < BALLOON_PAGES; i++)
		for (unsigned int b = 0; b < 4096; b++)
			dirty += ((volatile u8 *)balloon_pages[i])[b] != 0;
	dirty += *(volatile u64 *)SPARE_GPA != 0;
	CHECK(!dirty, "%u bytes of the fresh pages not zeroed", dirty);
	/* The spare page goes again: back to where it started. */
	EXPECT(reservation(XENMEM_decrease_reservation, &gfns[BALLOON_PAGES], 1,
			   0, DOMID_SELF), 1);
	EXPECT(current_reservation(DOMID_SELF), cur);

	EXPECT(HYPERVISOR_memory_op(XENMEM_current_reservation, BAD_PTR), -EFAULT);
	EXPECT(current_reservation(42), -ESRCH);
	if (!privileged)
		EXPECT(current_reservation(0), -EPERM);
	CHECK(HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL) > 0,
	      "no maximum RAM page");
	printf("guest: balloon: %ld pages out, %ld in, reservation %ld of %ld\n",
	       out, in, peak, max);
}

static void sched_ops(void)
{
	struct sched_shutdown s = { .reason = 99 };

	EXPECT(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_shutdown, &s), -EINVAL);
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_shutdown, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_sched_op(555, NULL), -ENOSYS);
}

/* System time from the vcpu_info vcpu_ops() registered. */
static u64 now(void)
{
	return pvclock_read(&((volatile struct vcpu_info *)(vcpu_info_page + 64))->time);
}

/*
 * The runstate area, and vm_assist's one assist: the area names the state it
 * is in (running), counts a 5 ms SCHEDOP_poll as blocked time, and with
 * runstate_update_flag on is never left with XEN_RUNSTATE_UPDATE set.
 */
static volatile struct vcpu_runstate_info runstate;

static void runstate_and_vm_assist(void)
{
	struct vcpu_register_runstate_memory_area r = { .addr = (uptr)&runstate };
	const unsigned int flag = VMASST_TYPE_runstate_update_flag;
	u64 blocked;

	EXPECT(HYPERVISOR_vm_assist(VMASST_CMD_enable, 4), -EINVAL);
	EXPECT(HYPERVISOR_vm_assist(VMASST_CMD_enable, 64), -EINVAL);
	EXPECT(HYPERVISOR_vm_assist(7, flag), -ENOSYS);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, BAD_PTR), -EFAULT);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &r), 0);
	CHECK(runstate.state == RUNSTATE_running && runstate.state_entry_time,
	      "runstate area: state %d, entry time %llu", runstate.state,
	      (unsigned long long)runstate.state_entry_time);
	EXPECT(HYPERVISOR_vm_assist(VMASST_CMD_enable, flag), 0);
	for (unsigned int i = 0; i < 2; i++) {
		struct sched_poll p = { .timeout = now() + 5 * NS_PER_MS };

		blocked = runstate.time[RUNSTATE_blocked];
		EXPECT(HYPERVISOR_sched_op(SCHEDOP_poll, &p), 0);
		blocked = runstate.time[RUNSTATE_blocked] - blocked;
		CHECK(runstate.state == RUNSTATE_running &&
		      !(runstate.state_entry_time & XEN_RUNSTATE_UPDATE) &&
		      blocked >= 4 * NS_PER_MS && blocked < 1000 * NS_PER_MS,
		      "runstate after a 5 ms poll (update flag %s): state %d, entry time %#llx, "
		      "blocked %llu ns", i ? "off" : "on", runstate.state,
		      (unsigned long long)runstate.state_entry_time, (unsigned long long)blocked);
		EXPECT(HYPERVISOR_vm_assist(VMASST_CMD_disable, flag), 0);
	}
	printf("guest: runstate: blocked %llu us in a 5 ms poll\n",
	       (unsigned long long)blocked / NS_PER_US);
}

/* dom0 with a module: build it as an unprivileged domain, let it run its checks, destroy it. */
static void run_unprivileged_copy(void)
{
	const struct hvm_modlist_entry *mod = (const void *)start_info->modlist_paddr;
	struct keel_domctl op;
	struct keel_domctl_info info;
	u64 end;
	long dom;

	if (!privileged || !start_info->nr_modules)
		return;
	dom = domu_build((const void *)mod[0].paddr, mod[0].size, 1, 8,
			 mod[0].cmdline_paddr ? (const char *)mod[0].cmdline_paddr : "");
	if (!CHECK(dom > 0, "building the unprivileged copy: %ld", dom))
		return;
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_actions, .domain = dom,
				   .u.actions = { KEEL_ACTION_preserve, KEEL_ACTION_preserve,
						  KEEL_ACTION_preserve } };
	EXPECT(keel_domctl(&op), 0);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_unpause, dom), 0);
	end = now() + 20000 * NS_PER_MS;
	while (!keel_domctl_getinfo(dom, &info) &&
	       !(info.flags & (KEEL_DOMINF_shutdown | KEEL_DOMINF_crashed)) && now() < end) {
		struct sched_poll p = { .timeout = now() + 20 * NS_PER_MS };

		HYPERVISOR_sched_op(SCHEDOP_poll, &p);
	}
	CHECK(info.flags & KEEL_DOMINF_shutdown && info.shutdown_reason == SHUTDOWN_poweroff,
	      "d%ld: flags %#x, reason %u (its checks failed or it did not end)", dom,
	      info.flags, info.shutdown_reason);
	printf("guest: d%ld, unprivileged, ended with reason %u\n", dom, info.shutdown_reason);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), 0);
}

int guest_main(const char *cmdline)
{
	privileged = !cmdline_param(cmdline, "domu", NULL, 0);
	version_and_console();
	memory_ops();
	hvm_params();
	vcpu_ops();
	balloon();
	sched_ops();
	runstate_and_vm_assist();
	run_unprivileged_copy();
	return test_result(privileged ? "hypercalls" : "hypercalls-domu");
}
