/*
 * domctl: a privileged dom0 test guest driving keel's domain control.
 * (a) every hostile request gets its error code; (b) 100 create / populate
 * / map / destroy cycles return every page (keel's free count before and
 * after); (c) module 1 (the peer guest) is built as a new domain through
 * foreign mappings, runs, and its shutdown reaches dom0 (VIRQ_DOM_EXC and
 * getinfo) before dom0 destroys it; (d) a second copy told to crash (a
 * triple fault, which dom0 makes a crash with HVM_PARAM_TRIPLE_FAULT_REASON
 * as a toolstack may: Xen's default is a reboot) crashes alone while dom0
 * keeps running, and is destroyed afterwards;
 * (e) consoles and log: dom0 reads the peer's console output, writes a
 * line into its console input which the peer echoes, and finds keel's own
 * lines with readlog; (f) 200 domains live at once (keel's table once held
 * 64), each found by getinfo, then destroyed: every page back, and what one
 * costs keel (make bench's scale.txt).
 */
#include "guest.h"
#include "domctl.h"
#include <public/console.h>
#include <public/hvm_op.h>
#include <public/memory.h>
#include <public/sched.h>

#define CYCLES 100
#define MANY 200
#define PEER_MEM_MB 8
#define TEXT_MAX 4096			/* u.text.size */
#define PEER_INPUT "dom0 says hello through console_write\n"

static char text[TEXT_MAX + 1];
static char stream[65536 + 1];		/* a whole kept stream, NUL-terminated */

static u64 now(void)
{
	return pvclock_ns();
}

/* Block for @ns (SCHEDOP_poll on no ports with a timeout). */
static void sleep_ns(u64 ns)
{
	struct sched_poll p = { .ports = 0, .nr_ports = 0, .timeout = now() + ns };

	HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/* Does @hay hold @needle? */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

/* A u.text command on @dom: a window of @size bytes at @buf from @offset; its result in *@op. */
static long text_op(struct keel_domctl *op, u32 cmd, domid_t dom, const void *buf,
		    u32 size, u64 offset)
{
	*op = (struct keel_domctl){ .cmd = cmd, .domain = dom,
		.u.text = { .buffer = (uptr)buf, .offset = offset, .size = size } };
	return keel_domctl(op);
}

/*
 * Everything keel kept of a stream (console_read of @dom, or readlog) from
 * position @from into stream[], NUL-terminated: its length, or -errno.
 */
static long read_stream(u32 cmd, domid_t dom, u64 from)
{
	struct keel_domctl op;
	u64 pos = from;
	long len = 0, rc;

	do {
		rc = text_op(&op, cmd, dom, stream + len,
			     MIN((u64)TEXT_MAX, sizeof(stream) - 1 - len), pos);
		if (rc)
			return rc;
		/* only the first window may start later than asked */
		if (!CHECK(!len || op.u.text.offset == pos, "window at %llu, asked %llu",
			   (unsigned long long)op.u.text.offset, (unsigned long long)pos))
			return -EIO;
		CHECK(op.u.text.offset + op.u.text.nr <= op.u.text.head,
		      "window past the head");
		pos = op.u.text.offset + op.u.text.nr;
		len += op.u.text.nr;
	} while (op.u.text.nr && len < (long)sizeof(stream) - 1);
	stream[len] = '\0';
	return len;
}

/* Wait until @dom's kept console output holds @needle. */
static bool console_shows(domid_t dom, const char *needle, u64 timeout)
{
	u64 end = now() + timeout;

	do {
		if (read_stream(KEEL_DOMCTL_console_read, dom, 0) >= 0 &&
		    contains(stream, needle))
			return true;
		sleep_ns(20 * NS_PER_MS);
	} while (now() < end);
	return false;
}

/* The u.text commands' hostile cases that need no running guest. */
static void check_text_hostile(void)
{
	struct keel_domctl op;
	u64 head, oldest;

	EXPECT(text_op(&op, KEEL_DOMCTL_readlog, 0, text, TEXT_MAX + 1, 0), -EINVAL);
	EXPECT(text_op(&op, KEEL_DOMCTL_readlog, 0, BAD_PTR, 64, 0), -EFAULT);
	EXPECT(text_op(&op, KEEL_DOMCTL_readlog, 0, NULL, 0, 0), 0);	/* just the head */
	head = op.u.text.head;
	CHECK(head && !op.u.text.nr, "readlog of 0 bytes: head %llu nr %u",
	      (unsigned long long)head, op.u.text.nr);
	EXPECT(text_op(&op, KEEL_DOMCTL_readlog, 0, text, 64, head + 4096), -EINVAL);
	/* readlog takes KEEL_TEXT_clear alone; a clear whose copy fails forgets nothing */
	EXPECT(text_op(&op, KEEL_DOMCTL_readlog, 0, text, 64, 0), 0);
	oldest = op.u.text.offset;
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_readlog,
		.u.text = { .buffer = (uptr)text, .size = 64, .flags = KEEL_TEXT_gone } };
	EXPECT(keel_domctl(&op), -EINVAL);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_readlog,
		.u.text = { .buffer = (uptr)BAD_PTR, .size = 64, .flags = KEEL_TEXT_clear } };
	EXPECT(keel_domctl(&op), -EFAULT);
	EXPECT(text_op(&op, KEEL_DOMCTL_readlog, 0, text, 64, 0), 0);
	CHECK(op.u.text.offset == oldest, "a failed readlog clear moved the log from %llu to %llu",
	      (unsigned long long)oldest, (unsigned long long)op.u.text.offset);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_read, 55, text, 64, 0), -ESRCH);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_read, 0x7fff, text, 64, 0), -ESRCH);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_write, 55, "x", 1, 0), -ESRCH);
	/* dom0's input comes from keel's serial line, never from itself */
	EXPECT(text_op(&op, KEEL_DOMCTL_console_write, 0, "x", 1, 0), -EINVAL);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_write, DOMID_SELF, "x", 1, 0), -EINVAL);
	/* reading its own console is harmless, and shows what it printed */
	printf("domctl: a line for my own console\n");
	CHECK(read_stream(KEEL_DOMCTL_console_read, DOMID_SELF, 0) > 0 &&
	      contains(stream, "domctl: a line for my own console\n"),
	      "dom0's own console output not kept");
}

/* console_read and console_write on a domain @dom that never ran; @has_memory: its console exists. */
static void check_text_idle(domid_t dom, bool has_memory)
{
	struct keel_domctl op;

	EXPECT(text_op(&op, KEEL_DOMCTL_console_read, dom, text, TEXT_MAX, 0), 0);
	CHECK(!op.u.text.nr && !op.u.text.head, "an idle domain's console holds %u bytes",
	      op.u.text.nr);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_read, dom, text, TEXT_MAX, 1), -EINVAL);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_read, dom, text, TEXT_MAX + 1, 0), -EINVAL);
	if (!has_memory) {
		EXPECT(text_op(&op, KEEL_DOMCTL_console_write, dom, "x", 1, 0), -EINVAL);
		return;
	}
	EXPECT(text_op(&op, KEEL_DOMCTL_console_write, dom, text, TEXT_MAX + 1, 0), -EINVAL);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_write, dom, BAD_PTR, 16, 0), -EFAULT);
	/* as many as fit: the input ring's size, then none */
	memset(text, 'x', TEXT_MAX);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_write, dom, text, TEXT_MAX, 0), 0);
	CHECK(op.u.text.nr == XENCONS_IN_SIZE, "console_write took %u bytes", op.u.text.nr);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_write, dom, text, TEXT_MAX, 0), 0);
	CHECK(op.u.text.nr == 0, "a full input ring took %u more bytes", op.u.text.nr);
}

static void check_hostile(void)
{
	/* An affinity bitmap of 256 CPUs, then bytes keel must never write. */
	static struct {
		u8 map[32];
		u8 guard[32];
	} b;
	u8 *map = b.map;
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_create, .domain = DOMID_INVALID };
	struct keel_domctl_info info;
	long dom;

	op.version = 0;
	EXPECT(_hypercall5(__HYPERVISOR_keel_op, (uptr)&op, 0, 0, 0, 0), -EACCES);
	op.u.create.max_vcpus = 0;
	EXPECT(keel_domctl(&op), -EINVAL);
	op.u.create.max_vcpus = 65;		/* DOMAIN_MAX_VCPUS + 1 */
	EXPECT(keel_domctl(&op), -EINVAL);
	op = (struct keel_domctl){ .cmd = 99, .domain = 1 };
	EXPECT(keel_domctl(&op), -ESRCH);		/* no domain 1 yet */
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, 0), -EINVAL);	/* itself */
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_pause, DOMID_SELF), -EINVAL);
	EXPECT(keel_domctl_getinfo(63, &info), -ESRCH);
	EXPECT(keel_domctl_getinfo(0x7fff, &info), -ESRCH);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_unpause, 40), -ESRCH);
	EXPECT(_hypercall5(__HYPERVISOR_keel_op, (uptr)BAD_PTR, 0, 0, 0, 0), -EFAULT);

	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_create, .domain = DOMID_INVALID,
				   .u.create.max_vcpus = 1 };
	EXPECT(keel_domctl(&op), 0);
	dom = op.domain;
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_create, .domain = dom,
				   .u.create.max_vcpus = 1 };
	EXPECT(keel_domctl(&op), -EEXIST);		/* the id is taken */
	op = (struct keel_domctl){ .cmd = 99, .domain = dom };
	EXPECT(keel_domctl(&op), -ENOSYS);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_unpause, dom), -EINVAL);	/* empty */
	check_text_idle(dom, false);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_memory, .domain = dom,
				   .u.memory.mem_kb = 1024 };
	EXPECT(keel_domctl(&op), -EINVAL);		/* below 4 MiB */
	op.u.memory.mem_kb = 1ULL << 40;
	EXPECT(keel_domctl(&op), -EINVAL);
	op.u.memory.mem_kb = 4096;
	op.cmd = KEEL_DOMCTL_set_max_mem;		/* no RAM yet to limit */
	EXPECT(keel_domctl(&op), -EINVAL);
	op.cmd = KEEL_DOMCTL_set_memory;
	EXPECT(keel_domctl(&op), 0);
	EXPECT(keel_domctl(&op), -EEXIST);
	/* mem-max: a page multiple up to 64 GiB, never the caller's own */
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_max_mem, .domain = dom,
				   .u.max_mem.max_kb = 8194 };
	EXPECT(keel_domctl(&op), -EINVAL);
	op.u.max_mem.max_kb = (64ULL << 20) + 4;
	EXPECT(keel_domctl(&op), -EINVAL);
	op.u.max_mem.max_kb = 1024;			/* below what it has: allowed */
	EXPECT(keel_domctl(&op), 0);
	op.domain = DOMID_SELF;
	EXPECT(keel_domctl(&op), -EINVAL);
	EXPECT(keel_domctl_getinfo(dom, &info), 0);
	/* its RAM, the legacy range and keel's three special pages */
	CHECK(info.mem_kb == 4096 && info.cur_kb == 4096 + 12, "mem_kb %llu cur_kb %llu",
	      (unsigned long long)info.mem_kb, (unsigned long long)info.cur_kb);
	check_text_idle(dom, true);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_boot, .domain = dom,
				   .u.boot.entry = 0xfffff000 };
	EXPECT(keel_domctl(&op), -EINVAL);		/* entry outside RAM */
	op.u.boot.entry = 0x100000;
	op.u.boot.cmdline = (uptr)BAD_PTR;
	EXPECT(keel_domctl(&op), -EFAULT);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_sched, .domain = dom,
				   .u.sched.weight = 0 };
	EXPECT(keel_domctl(&op), -EINVAL);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_actions, .domain = dom,
				   .u.actions = { 0, 7, 0 } };
	EXPECT(keel_domctl(&op), -EINVAL);
	/*
	 * vCPUs: the index is checked; the bitmap is Xen's xenctl_bitmap, read as Xen does (only
	 * the bytes of keel's CPUs, its one CPU here: the bits past them ignored, none of them
	 * refused) and written back up to 256 CPUs at most. dom0 may read and pin its own.
	 */
	memset(&b, 0xa5, sizeof(b));
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_getvcpuinfo, .domain = dom,
				   .u.vcpu = { .vcpu = 1, .bitmap = (uptr)map, .nr_bits = 256 } };
	EXPECT(keel_domctl(&op), -ENOENT);
	op.u.vcpu.vcpu = 0;
	EXPECT(keel_domctl(&op), 0);
	EXPECT(op.u.vcpu.state, KEEL_VCPU_down);
	EXPECT(map[0], 1);			/* every CPU of one */
	EXPECT(map[31], 0);			/* the rest written as none */
	EXPECT(b.guard[0], 0xa5);		/* and nothing past 256 bits */
	memset(&b, 0xa5, sizeof(b));
	op.u.vcpu.nr_bits = 0xffffffff;		/* far past 256 (and + 7 wraps): a short buffer */
	EXPECT(keel_domctl(&op), 0);
	EXPECT(map[0], 1);
	EXPECT(map[31], 0);
	CHECK(b.guard[0] == 0xa5 && b.guard[31] == 0xa5, "keel wrote past 256 bits: %#x %#x",
	      b.guard[0], b.guard[31]);
	memset(&b, 0, sizeof(b));
	map[0] = 2;				/* CPU 1: none here */
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_setvcpuaffinity, .domain = dom,
				   .u.vcpu = { .bitmap = (uptr)map, .nr_bits = 8 } };
	EXPECT(keel_domctl(&op), -EINVAL);
	map[0] = 0;
	map[25] = 0x80;				/* CPU 207 alone: none here */
	op.u.vcpu.nr_bits = 256;
	EXPECT(keel_domctl(&op), -EINVAL);
	op.u.vcpu.nr_bits = 0;			/* no bits: none */
	EXPECT(keel_domctl(&op), -EINVAL);
	map[0] = 0xfe;				/* CPUs 1-7, 207, 248-255 past keel's */
	map[31] = 0xff;
	op.u.vcpu.nr_bits = 256;
	EXPECT(keel_domctl(&op), -EINVAL);
	map[0] = 0xff;				/* and CPU 0: taken, CPU 0 in force */
	EXPECT(keel_domctl(&op), 0);
	CHECK(map[0] == 1 && map[25] == 0 && map[31] == 0, "0-7,207,248-255 read back as "
	      "%#x, %#x, %#x: not CPU 0 alone", map[0], map[25], map[31]);
	memset(&b, 0xff, sizeof(b));		/* every CPU, nr_bits far past keel's */
	op.u.vcpu.nr_bits = 0xffffffff;
	EXPECT(keel_domctl(&op), 0);
	EXPECT(map[0], 1);
	EXPECT(map[31], 0);
	CHECK(b.guard[0] == 0xff && b.guard[31] == 0xff, "keel wrote past 256 bits: %#x %#x",
	      b.guard[0], b.guard[31]);
	memset(&b, 0, sizeof(b));
	map[0] = 0xff;				/* CPUs 1-7 past nr_bits 1: not read */
	op.u.vcpu.nr_bits = 1;
	EXPECT(keel_domctl(&op), 0);
	EXPECT(map[0], 1);			/* written back: CPU 0 */
	memset(&b, 0, sizeof(b));
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_getvcpuinfo, .domain = dom,
				   .u.vcpu = { .bitmap = (uptr)map, .nr_bits = 256 } };
	EXPECT(keel_domctl(&op), 0);
	EXPECT(map[0], 1);			/* getvcpuinfo: CPU 0, what is in force */
	op.cmd = KEEL_DOMCTL_setvcpuaffinity;
	op.u.vcpu.bitmap = (uptr)BAD_PTR;
	EXPECT(keel_domctl(&op), -EFAULT);
	op.u.vcpu.bitmap = (uptr)map;
	op.u.vcpu.vcpu = 0xffffffff;
	EXPECT(keel_domctl(&op), -ENOENT);
	memset(&b, 0, sizeof(b));
	map[0] = 1;
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_setvcpuaffinity, .domain = DOMID_SELF,
				   .u.vcpu = { .bitmap = (uptr)map, .nr_bits = 256 } };
	EXPECT(keel_domctl(&op), 0);
	EXPECT(map[0], 1);
	EXPECT(op.u.vcpu.running, 1);		/* it asks */
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_sched, .domain = DOMID_SELF,
				   .u.sched = { 512, 0 } };
	EXPECT(keel_domctl(&op), 0);

	/* Foreign mappings: only frames the domain owns, only of live domains. */
	EXPECT(foreign_map(dom, 0x100000000ULL >> 12, FOREIGN_WINDOW), -ENOENT);
	EXPECT(foreign_map(55, 0, FOREIGN_WINDOW), -ESRCH);
	EXPECT(foreign_map(0, 0, FOREIGN_WINDOW), -EINVAL);	/* itself */
	EXPECT(foreign_unmap(FOREIGN_WINDOW), -ENOENT);	/* nothing there */
	EXPECT(foreign_unmap(0x100000), -EINVAL);	/* its own RAM stays */
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), 0);
	EXPECT(keel_domctl_getinfo(dom, &info), -ESRCH);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), -ESRCH);
}

/* One cycle: create, populate, map a frame, destroy while mapped, unmap. */
static bool cycle(unsigned int i)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_create,
		.domain = DOMID_INVALID, .u.create.max_vcpus = 1 + i % 2 };
	volatile u32 *page = (u32 *)(uptr)FOREIGN_WINDOW;
	domid_t dom;

	if (!CHECK(!keel_domctl(&op), "cycle %u: create failed", i))
		return false;
	dom = op.domain;
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_memory,
		.domain = dom, .u.memory.mem_kb = 4096 };
	CHECK(!keel_domctl(&op), "cycle %u: set_memory failed", i);
	/* A mapping still held when the domain goes must not leak either. */
	if (!CHECK(!foreign_map(dom, 0x100, FOREIGN_WINDOW), "cycle %u: map", i))
		return false;
	*page = 0x600d0000 + i;
	CHECK(*page == 0x600d0000 + i, "cycle %u: foreign page not writable", i);
	CHECK(!keel_domctl_simple(KEEL_DOMCTL_destroy, dom), "cycle %u: destroy", i);
	return CHECK(!foreign_unmap(FOREIGN_WINDOW), "cycle %u: unmap", i);
}

/* (b): nothing a create/destroy cycle allocates may stay behind. */
static void check_cycles(void)
{
	u64 before, after;
	unsigned int done = 0;

	/* The first mapping at the window gives dom0's p2m the tables it keeps. */
	cycle(0);
	before = keel_free_pages();
	for (unsigned int i = 0; i < CYCLES && cycle(i); i++)
		done++;
	after = keel_free_pages();
	printf("domctl: %u create/destroy cycles: %llu free pages before, %llu after\n",
	       done, (unsigned long long)before, (unsigned long long)after);
	CHECK(done == CYCLES && before == after && before,
	      "%lld pages leaked", (long long)(before - after));
}

/* Wait until @dom stops running; its info then. */
static bool wait_stopped(domid_t dom, struct keel_domctl_info *info, u64 timeout)
{
	u64 end = now() + timeout;

	while (now() < end) {
		if (keel_domctl_getinfo(dom, info))
			return false;
		if (info->flags & (KEEL_DOMINF_shutdown | KEEL_DOMINF_crashed))
			return true;
		sleep_ns(20 * NS_PER_MS);
	}
	return false;
}

static long build_peer(const char *args)
{
	const struct hvm_modlist_entry *mods = (const void *)start_info->modlist_paddr;
	char cmdline[256];
	long dom;

	if (!CHECK(start_info->nr_modules >= 1, "no peer guest module"))
		return -ENOENT;
	snprintf(cmdline, sizeof(cmdline), "%s",
		 args);
	dom = domu_build((const void *)mods[0].paddr, mods[0].size, 1,
			 PEER_MEM_MB, cmdline);
	CHECK(dom > 0, "building the peer: %ld", dom);
	return dom;
}

/* (e): the running peer's console, read and written through keel. */
static void check_peer_console(domid_t peer)
{
	struct keel_domctl op;
	u64 head;
	long len;

	if (!CHECK(console_shows(peer, "guest: peer waiting for console input\n",
				 3000 * NS_PER_MS), "the peer's console output never showed"))
		return;
	/* windows: the tail of the stream, a bad buffer */
	len = read_stream(KEEL_DOMCTL_console_read, peer, 0);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_read, peer, NULL, 0, 0), 0);
	head = op.u.text.head;
	CHECK(len > 0 && (u64)len <= head && op.u.text.offset == 0,
	      "console_read: %ld bytes read, head %llu", len, (unsigned long long)head);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_read, peer, text, TEXT_MAX, head - 6), 0);
	CHECK(op.u.text.nr >= 6 && op.u.text.offset == head - 6, "tail window");
	EXPECT(text_op(&op, KEEL_DOMCTL_console_read, peer, BAD_PTR, TEXT_MAX, 0), -EFAULT);
	EXPECT(text_op(&op, KEEL_DOMCTL_console_write, peer, PEER_INPUT,
		       sizeof(PEER_INPUT) - 1, 0), 0);
	CHECK(op.u.text.nr == sizeof(PEER_INPUT) - 1, "console_write took %u bytes",
	      op.u.text.nr);
}

/* (c) and (d). */
static void check_peers(void)
{
	u64 before = keel_free_pages(), log_before;
	struct keel_domctl_info info;
	struct keel_domctl op;
	evtchn_port_t virq_port;
	long peer, crasher;
	struct xen_hvm_param tf;
	char line[80];

	EXPECT(evtchn_bind_virq(VIRQ_DOM_EXC, 0, &virq_port), 0);
	EXPECT(text_op(&op, KEEL_DOMCTL_readlog, 0, NULL, 0, 0), 0);
	log_before = op.u.text.head;
	peer = build_peer("peer echo");
	if (peer < 0)
		return;
	/* (e) keel's log since then tells of the new domain */
	snprintf(line, sizeof(line), "(keel) d%ld: created by the toolstack, 1 vCPU(s)\n",
		 peer);
	CHECK(read_stream(KEEL_DOMCTL_readlog, 0, log_before) > 0 && contains(stream, line),
	      "readlog from %llu has no \"%s\"", (unsigned long long)log_before, line);
	EXPECT(keel_domctl_getinfo(peer, &info), 0);
	CHECK(info.flags & KEEL_DOMINF_paused, "a new domain is not paused");
	CHECK(info.mem_kb == PEER_MEM_MB << 10, "mem_kb %llu", (unsigned long long)info.mem_kb);
	CHECK(info.console_pfn && info.xenstore_pfn && info.xenstore_port,
	      "console/xenstore pages or ports missing");
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_actions, .domain = peer,
				   .u.actions = { KEEL_ACTION_preserve, KEEL_ACTION_preserve,
						  KEEL_ACTION_preserve } };
	EXPECT(keel_domctl(&op), 0);
	evtchn_set_mask(virq_port, true);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_unpause, peer), 0);
	check_peer_console(peer);
	if (CHECK(wait_stopped(peer, &info, 3000 * NS_PER_MS), "the peer did not stop")) {
		CHECK(info.flags & KEEL_DOMINF_shutdown && info.shutdown_reason == SHUTDOWN_poweroff,
		      "peer: flags %#x reason %u", info.flags, info.shutdown_reason);
		CHECK(info.cpu_time_ns > 0, "the peer never ran");
	}
	/* its echo came back through its output ring; stopped, its output stays readable */
	CHECK(console_shows(peer, "guest: peer read: " PEER_INPUT, 0),
	      "the peer's echo is not in its console output");
	CHECK(contains(stream, "guest: PASS peer\n"), "the peer's result is not in its console");
	CHECK(evtchn_is_pending(virq_port), "no VIRQ_DOM_EXC for the peer's shutdown");
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, peer), 0);

	/* A crash takes down only the guest that crashed. */
	crasher = build_peer("peer crash");
	if (crasher < 0)
		return;
	/* Its triple fault: a reboot by default (Xen's); a crash as dom0 chooses. */
	tf = (struct xen_hvm_param){ .domid = crasher, .index = HVM_PARAM_TRIPLE_FAULT_REASON };
	EXPECT(HYPERVISOR_hvm_op(HVMOP_get_param, &tf), 0);
	CHECK(tf.value == SHUTDOWN_reboot, "triple fault reason %llu by default",
	      (unsigned long long)tf.value);
	tf.value = SHUTDOWN_MAX + 1;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_set_param, &tf), -EINVAL);
	tf.value = SHUTDOWN_crash;
	EXPECT(HYPERVISOR_hvm_op(HVMOP_set_param, &tf), 0);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_actions, .domain = crasher,
				   .u.actions = { KEEL_ACTION_preserve, KEEL_ACTION_preserve,
						  KEEL_ACTION_preserve } };
	EXPECT(keel_domctl(&op), 0);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_unpause, crasher), 0);
	if (CHECK(wait_stopped(crasher, &info, 3000 * NS_PER_MS), "the crasher did not stop"))
		CHECK(info.flags & KEEL_DOMINF_crashed, "crasher: flags %#x", info.flags);
	printf("domctl: d%ld crashed, dom0 still running\n", crasher);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, crasher), 0);
	CHECK(keel_free_pages() == before, "peers leaked %lld pages",
	      (long long)(before - keel_free_pages()));
}

/* (f): MANY domains of one vCPU and no RAM at once, then none. */
static void check_many(void)
{
	static domid_t ids[MANY];
	u64 before = keel_free_pages(), during;
	unsigned int n = 0;

	for (; n < MANY; n++) {
		struct keel_domctl op = { .cmd = KEEL_DOMCTL_create,
			.domain = DOMID_INVALID, .u.create.max_vcpus = 1 };

		if (!CHECK(!keel_domctl(&op), "domain %u of %u: create failed", n, MANY))
			break;
		ids[n] = op.domain;
	}
	during = keel_free_pages();
	for (unsigned int i = 0; i < n; i++)
		CHECK(!keel_domctl_simple(KEEL_DOMCTL_getinfo, ids[i]),
		      "d%u: getinfo failed", ids[i]);
	for (unsigned int i = 0; i < n; i++)
		CHECK(!keel_domctl_simple(KEEL_DOMCTL_destroy, ids[i]),
		      "d%u: destroy failed", ids[i]);
	printf("domctl: %u domains at once, %llu pages each: %llu free pages before, %llu after\n",
	       n, (unsigned long long)(n ? (before - during) / n : 0),
	       (unsigned long long)before, (unsigned long long)keel_free_pages());
	CHECK(keel_free_pages() == before, "%u domains leaked %lld pages", n,
	      (long long)(before - keel_free_pages()));
}

int guest_main(const char *cmdline)
{
	if (events_init())
		return test_result("domctl");
	check_hostile();
	check_text_hostile();
	check_cycles();
	check_many();
	check_peers();
	return test_result("domctl");
}
