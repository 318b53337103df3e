/* Hypervisor log: printk with Xen-style log levels, consoles and the log ring kept for dmesg. */
#ifndef KEEL_PRINTK_H
#define KEEL_PRINTK_H

#include <keel/types.h>
#include <keel/stdarg.h>

/* Log levels, most severe first (Xen's loglvl= names). */
enum log_level {
	LOG_NONE = 0,	/* only for loglvl=none */
	LOG_ERR = 1,
	LOG_WARN = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4,
};

/* Console sinks selectable with console=. */
#define CONSOLE_COM1 BIT(0)
#define CONSOLE_E9 BIT(1)

void printk(enum log_level level, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level level, const char *fmt, va_list ap);

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Messages above this level are kept in the ring but not printed. */
void console_set_loglevel(enum log_level level);
enum log_level console_get_loglevel(void);
/* Restrict output to the given CONSOLE_* sinks (console=). */
void console_select(u32 sinks);
u32 console_selected(void);

/*
 * @n bytes of domain @id's console output (keel/guest_console.h decides
 * what) into the log ring when @to_ring (a guest's debug lines, as Xen's
 * conring; dom0's console is not keel's log) and onto the console when
 * @to_console, as a "(dN) " line. @cont: they continue the domain's unfinished line, when
 * nothing else was printed since (else they start a new one); @end: the
 * line is finished (else it stays open for the domain's next bytes).
 */
void console_print_domain(unsigned int id, const char *s, size_t n, bool cont,
			  bool end, bool to_ring, bool to_console);

/*
 * The log ring (every line, whatever the console level) as a stream:
 * copy up to @size bytes from position *@pos, which moves forward when
 * those bytes are gone (text_ring_read()). *@head: bytes ever logged.
 * Returns the bytes copied, or -EINVAL for a position past the head.
 */
long log_read(u64 *pos, char *buf, size_t size, u64 *head);
/* dmesg -c: forget the log up to stream position @upto (what was read). */
void log_clear(u64 upto);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
