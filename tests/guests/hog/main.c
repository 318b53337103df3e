/*
 * hog: an unprivileged guest built by the preempt test's dom0 that keeps
 * keel busy inside its hypercalls (audit findings 7 and 13). mode= on its
 * command line:
 *  copy           GNTTABOP_copy with a count of 2^31-1 over 80 GiB of
 *                 virtual space that aliases one 2 MiB chunk: hours of
 *                 work in one call. dom0 destroys it meanwhile.
 *  copy-shutdown  the same on vCPU 0, and vCPU 1 asks for shutdown once
 *                 vCPU 0 is inside the call.
 *  flood          vCPU 0 writes 64 KiB per console_io call, of lines,
 *                 escape sequences, control bytes and empty lines, without
 *                 end; vCPU 1 fills the PV console ring and notifies, without
 *                 end. dom0 destroys it.
 * It prints "hog: <mode> running" (console_io) before it starts.
 */
#include "guest.h"
#include "ap64.h"
#include "xencons.h"
#include <public/grant_table.h>

#define ALIAS_CHUNK 0x1000000ULL	/* 16 MiB: the 2 MiB of RAM every alias maps */
#define ALIAS_VA GiB(4)			/* after the identity map */
#define ALIAS_GIB 80			/* 2^31 ops x 40 bytes */
#define HUGE_COUNT 0x7fffffffU
#define PTE_P_RW 0x003ULL
#define PDE_2M 0x083ULL

extern u64 pml4[];

static u64 alias_pd[512] __aligned(4096);
static volatile bool copying;
static char flood_buf[65536];

/* PDPT entries 4..83 all point to one directory whose 512 entries map the chunk. */
static void map_alias(void)
{
	u64 *pdpt = (u64 *)(uptr)(pml4[0] & ~0xfffULL);

	for (unsigned int i = 0; i < 512; i++)
		alias_pd[i] = ALIAS_CHUNK | PDE_2M;
	for (unsigned int i = 0; i < ALIAS_GIB; i++)
		pdpt[ALIAS_VA / GiB(1) + i] = (uptr)alias_pd | PTE_P_RW;
	write_cr3(read_cr3());
	memset((void *)(uptr)ALIAS_CHUNK, 0, LARGE_PAGE_SIZE);
}

/* The call that should take hours; it returns only if keel cut it short. */
static void huge_copy(void)
{
	long rc;

	copying = true;
	rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, (void *)ALIAS_VA, HUGE_COUNT);
	CHECK(false, "the 2^31-1 op copy returned %ld", rc);
}

/* vCPU 1: once vCPU 0 is inside the copy, ask for the domain's shutdown. */
static void shutdown_while_copying(void *arg)
{
	struct sched_shutdown s = { .reason = SHUTDOWN_poweroff };

	while (!copying)
		asm volatile("pause");
	for (volatile unsigned long i = 0; i < 1000000; i++)
		;
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

static const char flood_pattern[] =
	"flood: \x1b[2J\x1b]0;title\x07 escape sequences and \x01\x02\x7f bytes\n\n\n";
static const char ring_line[] = "ring flood \x1b[31mred\x1b[0m \x07 line\n";

/*
 * One line of console_io before the floods start: both floods share the domain's line buffer
 * and rate-limit bucket in keel (1 KiB a second, from nothing at creation), so once they run,
 * whichever comes first after a refill takes it and the other's lines may never come out whole.
 * This line comes out alone, with the little the bucket holds at first.
 */
static void flood_first_line(void)
{
	HYPERVISOR_console_io(CONSOLEIO_write, sizeof(flood_pattern) - 1, flood_pattern);
}

/* vCPU 1: the PV console ring, full and notified, for ever. */
static void flood_ring(void *arg)
{
	for (;;)
		xencons_write(ring_line, sizeof(ring_line) - 1);
}

/* vCPU 0: 64 KiB console_io writes, for ever. */
static void flood_console_io(void)
{
	for (size_t i = 0; i < sizeof(flood_buf); i++)
		flood_buf[i] = flood_pattern[i % (sizeof(flood_pattern) - 1)];
	for (;;)
		HYPERVISOR_console_io(CONSOLEIO_write, sizeof(flood_buf), flood_buf);
}

int guest_main(const char *cmdline)
{
	char mode[16] = "";

	cmdline_param(cmdline, "mode", mode, sizeof(mode));
	printf("hog: %s running\n", mode);
	if (!strcmp(mode, "copy") || !strcmp(mode, "copy-shutdown")) {
		map_alias();
		if (!strcmp(mode, "copy-shutdown"))
			EXPECT(ap64_start(1, shutdown_while_copying, NULL), 0);
		huge_copy();
	} else if (!strcmp(mode, "flood")) {
		flood_first_line();
		if (CHECK(xencons_init(), "no PV console"))
			EXPECT(ap64_start(1, flood_ring, NULL), 0);
		flood_console_io();
	} else {
		CHECK(false, "unknown mode '%s'", mode);
	}
	return test_result("hog");
}
