/* Debug registers: the guest's own values, kept across a block; #DB from single-stepping reaches it with DR6.BS. */
#include "hostile.h"

#define DR6_BS BIT(14)
#define DR6_FIXED 0xffff0ff0ULL

#define DR_ACCESSORS(n)							\
	static u64 get_dr##n(void)					\
	{								\
		u64 v;							\
		asm volatile("mov %%dr" #n ", %0" : "=r"(v));		\
		return v;						\
	}								\
	static void set_dr##n(u64 v)					\
	{								\
		asm volatile("mov %0, %%dr" #n : : "r"(v) : "memory");	\
	}
DR_ACCESSORS(0)
DR_ACCESSORS(1)
DR_ACCESSORS(2)
DR_ACCESSORS(3)
DR_ACCESSORS(6)
DR_ACCESSORS(7)

static volatile unsigned int db_count;
static volatile u64 db_dr6, db_rip;

static void debug_trap(struct cpu_regs *regs)
{
	db_count++;
	db_dr6 = get_dr6();
	db_rip = regs->rip;
	regs->rflags &= ~X86_EFLAGS_TF;
	set_dr6(DR6_FIXED);
}

static void check_values(const char *when, const u64 *want)
{
	u64 got[4] = { get_dr0(), get_dr1(), get_dr2(), get_dr3() };

	for (unsigned int i = 0; i < 4; i++)
		CHECK(got[i] == want[i], "%s: DR%u %#lx, want %#lx", when, i,
		      got[i], want[i]);
}

void check_debug_registers(void)
{
	const u64 want[4] = {
		0x1111000ULL, 0x2222000ULL, 0xffffffff80001000ULL, 0x7000ULL,
	};
	u64 dr4, after;

	set_dr0(want[0]);
	set_dr1(want[1]);
	set_dr2(want[2]);
	set_dr3(want[3]);
	set_dr7(0x400);		/* nothing armed */
	check_values("written", want);
	CHECK(get_dr7() == 0x400, "DR7 %#lx, want 0x400", get_dr7());

	/* Blocked and switched out: the values come back with the vCPU. */
	CHECK(sleep_on_timer(2 * NS_PER_MS), "no timer event");
	check_values("after a block", want);

	/* DR4 is DR6 while CR4.DE is clear (the instruction ran natively). */
	asm volatile("mov %%dr4, %0" : "=r"(dr4));
	CHECK(dr4 == get_dr6(), "DR4 %#lx is not DR6 %#lx", dr4, get_dr6());

	/* One single step: #DB after the next instruction, with DR6.BS. */
	set_exception_handler(X86_EXC_DB, debug_trap);
	set_dr6(DR6_FIXED);
	asm volatile("pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"		/* TF on: the next instruction traps */
		     "nop\n"
		     "1: lea 1b(%%rip), %0"
		     : "=r"(after) : : "memory", "cc");
	set_exception_handler(X86_EXC_DB, NULL);
	CHECK(db_count == 1, "%u #DB from one single step", db_count);
	CHECK(db_dr6 & DR6_BS, "DR6 %#lx at the single-step #DB lacks BS", db_dr6);
	CHECK(db_rip == after, "single-step #DB at %#lx, want %#lx", db_rip, after);
	set_dr0(0);
	set_dr1(0);
	set_dr2(0);
	set_dr3(0);
	printf("guest: DR0-3 kept across a block; single-step #DB with DR6 %#lx\n",
	       db_dr6);
}
