/*
 * triplefault: loads an empty IDT and executes ud2. The #UD cannot be
 * delivered, nor can the #GP and #DF that follow, so the vCPU triple
 * faults. The hypervisor must report the triple fault, end or reset this
 * domain, and keep running itself. The guest never prints a PASS line;
 * if execution ever continues past ud2 it prints FAIL.
 */
#include "guest.h"

int guest_main(const char *cmdline)
{
	struct {
		u16 limit;
		u64 base;
	} __packed empty_idt = { 0, 0 };

	printf("guest: triple-faulting now\n");
	asm volatile("lidt %0\n\t"
		     "ud2" : : "m"(empty_idt) : "memory");
	CHECK(false, "still running after a triple fault");
	return test_result("triplefault");
}
