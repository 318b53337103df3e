/* The hypercall fuzzer's input format, shared by hypercall.c and mkcorpus.c. */
/*
 * An input is a configuration byte, then steps; each step is a kind byte
 * (value % 8) and its fields, read in the order listed. Numbers are little-endian; an input
 * that ends early reads as zeros.
 *
 * config: bit 0: d0 has 2 vCPUs; bits 1-2 (% 3): d1 has 1-3; bit 3: d2 has 2;
 *         bit 7: leave shared_info and the grant frames unplaced.
 *
 * HC_STEP_HYPERCALL: who, call, cmd, cnt, [u32 count if cnt == 0xff], ptr, ptr_extra,
 *     len, arg[len], nfix, nfix x (offset, target, extra), len2, arg2[len2],
 *     [u8 first argument when call is HC_CALL_RAW], preempt,
 *     then for each continuation: tamper, [u32 x if tamper]
 *   who: the calling domain (% HC_MAX_CALLER) and vCPU (/ HC_MAX_CALLER); it must be
 *   runnable. arg goes to ARG_GPA of the caller, arg2 to ARG2_GPA. The pointer argument is
 *   hc_target(ptr, ptr_extra); a fixup writes hc_target(target, extra) into arg at offset:
 *   as a frame number if target & 0x10, 4 bytes wide if & 0x20, 2 if & 0x40, else 8.
 *   Any 8-byte-aligned word of arg or arg2 tagged HC_TAG (below) becomes the address it
 *   names, so that mutations move guest addresses between calls as whole values.
 *   preempt: hypercall_preempt_check() sees a kick at check number preempt (0: never).
 *   A preempted call is re-issued from the registers its continuation left (up to 32
 *   times), keel's timers and tasklets run in between; a tamper byte first XORs x into
 *   the register tamper % 6 (RAX, RDI, RSI, RDX, R10, R8), as a hostile guest may.
 * HC_STEP_WRITE: who, target, extra, u16 offset, len, bytes[len]: the guest stores into
 *   its own memory (only where its p2m lets it write).
 * HC_STEP_GRANT: who, target, extra, u16 ref, u16 flags, u16 domid: the guest fills in
 *   grant entry ref % 1024 of its table at TABLE_GPA for frame hc_target(target, extra)
 *   and domain domid % 66 (65: DOMID_SELF).
 * HC_STEP_TIME: u16 t: t << 10 ns pass (0xffff: 10 s); both CPUs run their timers.
 * HC_STEP_TASKLETS: the boot CPU runs the queued tasklets.
 * HC_STEP_MIGRATE: who: that vCPU moves to the other CPU.
 */
#ifndef TESTS_FUZZ_HYPERCALL_FORMAT_H
#define TESTS_FUZZ_HYPERCALL_FORMAT_H

enum hc_step {
	HC_STEP_HYPERCALL = 0,	/* 1 and 2 too: hypercalls are most steps */
	HC_STEP_WRITE = 3,
	HC_STEP_GRANT = 4,
	HC_STEP_TIME = 5,
	HC_STEP_TASKLETS = 6,
	HC_STEP_MIGRATE = 7,
};

/* The call byte (% 16); the argument that is the pointer and the one that is cnt. */
enum hc_call {
	HC_CALL_MEMORY,		/* memory_op(cmd, ptr) */
	HC_CALL_GRANT,		/* grant_table_op(cmd, ptr, cnt) */
	HC_CALL_EVTCHN,		/* event_channel_op(cmd, ptr) */
	HC_CALL_VCPU,		/* vcpu_op(cmd, cnt = vCPU, ptr) */
	HC_CALL_DOMCTL,		/* keel_op(ptr) */
	HC_CALL_SCHED,		/* sched_op(cmd, ptr) */
	HC_CALL_HVM,		/* hvm_op(cmd, ptr) */
	HC_CALL_CONSOLE,	/* console_io(cmd, cnt = length, ptr) */
	HC_CALL_VERSION,	/* xen_version(cmd, ptr) */
	HC_CALL_TIMER,		/* set_timer_op(now + cnt / 4 ms; 0: stop; 0xff: count) */
	HC_CALL_RAW,		/* 10 and above: hypercall number cmd, (u8, ptr, cnt) */
};

#define HC_MAX_CALLER 8		/* domains 0-2 and ones dom0 creates */

/* Guest-physical addresses (every domain has the same layout). */
#define ARG_GPA 0x10000ULL		/* the hypercall's argument (guest RAM) */
#define ARG2_GPA 0x20000ULL		/* what it points to: lists, strings, buffers */
#define SHINFO_GPA 0x30000ULL		/* shared_info, over a RAM page (as Linux) */
#define TABLE_GPA 0x90000000ULL		/* grant frames 0 and 1, in the MMIO hole */
#define HOLE_GPA 0x80000000ULL		/* empty: where grants get mapped */
#define RAM_4K_GPA 0x180000ULL		/* guest RAM in 4 KiB pages */
#define RAM_2M_GPA 0x200000ULL		/* d1's guest RAM in a 2 MiB page */
#define BAD_GPA 0xdead0000000ULL	/* nothing, ever */

/* The target byte (% 16) of a pointer or frame. */
enum hc_target {
	HC_T_ARG,		/* ARG_GPA */
	HC_T_ARG2,		/* ARG2_GPA + extra * 8 */
	HC_T_ARG2_END,		/* ARG2_GPA + 4 KiB - 8 + extra % 16: across a page end */
	HC_T_HOLE,		/* HOLE_GPA */
	HC_T_HOLE_N,		/* HOLE_GPA + extra pages */
	HC_T_TABLE,		/* TABLE_GPA + extra % 4 pages */
	HC_T_SHINFO,		/* SHINFO_GPA */
	HC_T_SPECIAL,		/* special page extra % 4: console, xenstore, ACPI, after */
	HC_T_RAM_2M,		/* RAM_2M_GPA + extra pages */
	HC_T_RAM_4K,		/* RAM_4K_GPA + extra % 128 pages */
	HC_T_BAD,		/* BAD_GPA */
	HC_T_ALIAS,		/* 2^48 + ARG2_GPA */
	HC_T_BOOT,		/* the PVH boot page */
	HC_T_LOW,		/* extra pages */
	HC_T_RAM_END,		/* d1's last RAM page + extra bytes */
	HC_T_RAW,		/* extra << 40 */
};

/*
 * A tagged word: hc_target(target, extra), as a frame number with HC_TAG_GFN. Its top 24
 * bits are the tag (raw words with them are no guest address or frame anyway).
 */
#define HC_TAG_MARK 0xf0f0f0ULL
#define HC_TAG_GFN 1
#define HC_TAG(target, extra, flags) \
	(HC_TAG_MARK << 40 | (unsigned long long)(flags) << 16 | \
	 (unsigned long long)(extra) << 8 | (target))

#endif
