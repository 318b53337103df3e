/*
 * The x86-64 System V stack-protector ABI for library code keel links but
 * does not compile (Debian's libfdt.a, built -fstack-protector-strong): the
 * canary is read from %fs:0x28, and a mismatch calls __stack_chk_fail().
 * keel's own code is built without the protector and never touches FS.
 */
#include <keel/stop.h>
#include <asm/processor.h>
#include <asm/stack_guard.h>

struct stack_guard_block {
	u64 unused[5];
	u64 canary;		/* at %fs:0x28 */
};
BUILD_BUG_ON(offsetof(struct stack_guard_block, canary) != 0x28);

static struct stack_guard_block stack_guard;

void x86_stack_guard_init(void)
{
	/* Set once, on the first CPU: a protected frame may not see it change. */
	if (!stack_guard.canary)
		stack_guard.canary = (rdtsc() * 0x9e3779b97f4a7c15ULL) | 0x100;
	/* The low byte stays 0, as glibc's: a string overrun stops there. */
	stack_guard.canary &= ~0xffULL;
	wrmsr(MSR_FS_BASE, (u64)&stack_guard);
}

u64 x86_stack_guard_base(void)
{
	return (u64)&stack_guard;
}

void __noreturn __stack_chk_fail(void);

void __noreturn __stack_chk_fail(void)
{
	panic("stack protector: a stack frame was overwritten (return to %p)\n",
	      __builtin_return_address(0));
}
