/* guest_start(): from head.S with the PVH start info to the test's guest_main() and shutdown. */
#include "guest.h"

const struct hvm_start_info *start_info;

void __noreturn guest_start(const struct hvm_start_info *si);

void guest_start(const struct hvm_start_info *si)
{
	const char *cmdline = NULL;

	hypervisor_detect();
	console_init();
	traps_init();

	if (si->magic != XEN_HVM_START_MAGIC_VALUE) {
		printf("guest: bad hvm_start_info magic %#x at %p\n",
		       si->magic, si);
		guest_shutdown(SHUTDOWN_crash);
	}
	start_info = si;
	if (si->cmdline_paddr >= IDENTITY_MAP_END)
		printf("guest: command line at %#lx is not mapped, ignored\n",
		       si->cmdline_paddr);
	else if (si->cmdline_paddr)
		cmdline = (const char *)si->cmdline_paddr;
	cmdline_save(cmdline);

	guest_shutdown(guest_main(cmdline_get()));
}
