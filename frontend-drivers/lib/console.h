/* Guest console: printf through HYPERVISOR_console_io, or port 0xE9 without a hypervisor. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <keel/types.h>
#include <keel/stdarg.h>

#define DEBUGCON_PORT 0xe9

/* Choose the sink; hypervisor_detect() must have run. */
void console_init(void);
void console_write(const char *buf, size_t len);

/* Lines longer than CONSOLE_LINE_MAX - 1 bytes are cut short. */
#define CONSOLE_LINE_MAX 512
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);

/* Formatting, shared with the hypervisor (hypervisor/common/vsprintf.c). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
