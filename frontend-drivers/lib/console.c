/* Console output: CONSOLEIO_write under a hypervisor, port 0xE9 otherwise or if it fails. */
#include <asm/io.h>
#include "console.h"
#include "hypercall.h"
#include "hypervisor.h"

static bool use_hypercall;

void console_init(void)
{
	use_hypercall = hypervisor_present();
}

static void debugcon_write(const char *buf, size_t len)
{
	while (len--)
		outb(DEBUGCON_PORT, *buf++);
}

void console_write(const char *buf, size_t len)
{
	while (use_hypercall && len) {
		long rc = HYPERVISOR_console_io(CONSOLEIO_write, (int)len, buf);

		if (rc < 0) {
			/* As Linux's xen_raw_console_write: fall back to 0xE9. */
			use_hypercall = false;
			break;
		}
		/* Xen returns 0 once everything is written. */
		if (rc == 0 || (size_t)rc >= len)
			return;
		buf += rc;
		len -= rc;
	}
	debugcon_write(buf, len);
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[CONSOLE_LINE_MAX];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
