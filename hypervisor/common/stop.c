/* keel_stop() and panic(): how keel ends, always with a final status line. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/printk.h>
#include <keel/stop.h>

void keel_stop(enum keel_status status)
{
	printk(LOG_ERR, "keel: stopped, status %d (%s)\n", status,
	       keel_status_name(status));
	arch_machine_stop(status);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	printk(LOG_ERR, "PANIC: ");
	va_start(ap, fmt);
	vprintk(LOG_ERR, fmt, ap);
	va_end(ap);
	keel_stop(KEEL_STATUS_PANIC);
}

void assert_failed(const char *expr, const char *file, unsigned int line)
{
	panic("Assertion '%s' failed at %s:%u\n", expr, file, line);
}

const char *keel_status_name(enum keel_status status)
{
	switch (status) {
	case KEEL_STATUS_OK:
		return "ok";
	case KEEL_STATUS_PANIC:
		return "panic";
	case KEEL_STATUS_NO_VMX:
		return "no-vmx";
	case KEEL_STATUS_BAD_BOOT:
		return "bad-boot";
	case KEEL_STATUS_FAULT:
		return "fault";
	case KEEL_STATUS_DOM0_CRASHED:
		return "dom0-crashed";
	case KEEL_STATUS_DOM0_REBOOT:
		return "dom0-reboot";
	case KEEL_STATUS_DOM0_OTHER:
		return "dom0-shutdown";
	case KEEL_STATUS_NO_IOMMU:
		return "no-iommu";
	}
	return "unknown";
}
