/*
 * badmem: a read of guest-physical memory that is not there. 0xe0000000 is
 * inside the guest's own identity map (the first 4 GiB) but is neither RAM
 * nor anything keel emulates, so keel must crash the domain with an EPT
 * violation report naming the address, and keep running to print dom0's
 * exit counts. The guest never reaches a result line: if the read
 * returns, it says so and fails.
 */
#include "guest.h"

#define HOLE 0xe0000000UL

int guest_main(const char *cmdline)
{
	u8 val;

	printf("guest: touching guest-physical %#lx\n", HOLE);
	val = *(volatile u8 *)HOLE;
	CHECK(false, "read of %#lx returned %#x: keel let it through", HOLE,
	      val);
	return test_result("badmem");
}
