/* printk: log levels, the "(keel) " line prefix, console output and the log ring for dmesg. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/text_ring.h>

#define LOG_RING_SIZE 65536
#define LINE_PREFIX "(keel) "

static char log_ring_buf[LOG_RING_SIZE];
static struct text_ring log_ring = { .buf = log_ring_buf, .size = LOG_RING_SIZE };
static enum log_level console_level = LOG_INFO;
static u32 console_sinks = ~0u;
static u32 console_present;
static bool console_probed;
/* Each sink's line state: dom0's lines reach the console but not the ring. */
static bool ring_at_line_start = true, console_at_line_start = true;

void console_set_loglevel(enum log_level level)
{
	console_level = level;
}

enum log_level console_get_loglevel(void)
{
	return console_level;
}

void console_select(u32 sinks)
{
	console_sinks = sinks;
}

u32 console_selected(void)
{
	return console_sinks;
}

static const char *memchr_nl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			return s + i;
	return NULL;
}

/* Emit @s to the log ring and/or the console, the line prefix at the start of every line. */
static void emit(const char *s, size_t n, bool to_ring, bool to_console)
{
	u32 sinks;

	if (!console_probed) {
		console_present = arch_console_probe();
		console_probed = true;
	}
	sinks = console_sinks & console_present;
	while (n) {
		const char *nl = memchr_nl(s, n);
		size_t chunk = nl ? (size_t)(nl - s) + 1 : n;

		if (to_ring) {
			if (ring_at_line_start)
				text_ring_put(&log_ring, LINE_PREFIX,
					      sizeof(LINE_PREFIX) - 1);
			text_ring_put(&log_ring, s, chunk);
			ring_at_line_start = nl != NULL;
		}
		if (to_console) {
			if (console_at_line_start)
				arch_console_write(sinks, LINE_PREFIX,
						   sizeof(LINE_PREFIX) - 1);
			arch_console_write(sinks, s, chunk);
			console_at_line_start = nl != NULL;
		}
		s += chunk;
		n -= chunk;
	}
}

/*
 * One line at a time from all CPUs. A CPU that faults while printing must
 * still get its report out: after a long wait the lock is taken anyway.
 */
#define PRINTK_LOCK_SPINS (1u << 24)
static u8 printk_busy;

static bool printk_lock(void)
{
	for (u32 spins = 0; __atomic_exchange_n(&printk_busy, 1, __ATOMIC_ACQUIRE);
	     spins++) {
		if (spins == PRINTK_LOCK_SPINS)
			return false;
		arch_cpu_relax();
	}
	return true;
}

static void printk_unlock(bool locked)
{
	if (locked)
		__atomic_store_n(&printk_busy, 0, __ATOMIC_RELEASE);
}

/*
 * A domain's unfinished line that its next output may continue (its id),
 * or -1; @open_to_ring, @open_to_console: where it went. Anything else
 * printed finishes it first.
 */
static int open_domain = -1;
static bool open_to_ring, open_to_console;

static void finish_open_line(void)
{
	if (open_domain < 0)
		return;
	emit("\n", 1, open_to_ring, open_to_console);
	open_domain = -1;
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char buf[512];
	int len = vsnprintf(buf, sizeof(buf), fmt, ap);
	bool locked;

	if (len >= (int)sizeof(buf))
		len = sizeof(buf) - 1;
	locked = printk_lock();
	finish_open_line();
	emit(buf, len, true, level <= console_level);
	printk_unlock(locked);
}

void console_print_domain(unsigned int id, const char *s, size_t n, bool cont,
			  bool end, bool to_ring, bool to_console)
{
	char prefix[16];
	bool locked = printk_lock();

	if (!cont || open_domain != (int)id || open_to_ring != to_ring ||
	    open_to_console != to_console) {
		finish_open_line();
		emit(prefix, snprintf(prefix, sizeof(prefix), "(d%u) ", id),
		     to_ring, to_console);
	}
	emit(s, n, to_ring, to_console);
	if (end) {
		emit("\n", 1, to_ring, to_console);
		open_domain = -1;
	} else {
		open_domain = id;
		open_to_ring = to_ring;
		open_to_console = to_console;
	}
	printk_unlock(locked);
}

long log_read(u64 *pos, char *buf, size_t size, u64 *head)
{
	bool locked = printk_lock();
	long n = text_ring_read(&log_ring, pos, buf, size);

	*head = log_ring.head;
	printk_unlock(locked);
	return n;
}

void log_clear(u64 upto)
{
	bool locked = printk_lock();

	text_ring_discard(&log_ring, upto);
	printk_unlock(locked);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

/* loglvl=<level>[/<rate-limited level>], levels named as in Xen. */
static int parse_loglvl(const char *value)
{
	static const char *const names[] = {
		[LOG_NONE] = "none", [LOG_ERR] = "error",
		[LOG_WARN] = "warning", [LOG_INFO] = "info",
		[LOG_DEBUG] = "debug",
	};
	const char *slash;
	size_t len;

	if (!value)
		return -EINVAL;
	slash = strchr(value, '/');
	len = slash ? (size_t)(slash - value) : strlen(value);
	if (len == 3 && !strncmp(value, "all", 3)) {
		console_level = LOG_DEBUG;
		return 0;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (strlen(names[i]) == len && !strncmp(value, names[i], len)) {
			console_level = i;
			return 0;
		}
	}
	return -EINVAL;
}
custom_param("loglvl", parse_loglvl);

/* console=<sink>[,<sink>...] with sinks com1, e9 and none. */
static int parse_console(const char *value)
{
	u32 sinks = 0;
	bool none = false;

	if (!value || !*value)
		return -EINVAL;
	while (*value) {
		const char *comma = strchr(value, ',');
		size_t len = comma ? (size_t)(comma - value) : strlen(value);

		if (len == 4 && !strncmp(value, "com1", 4))
			sinks |= CONSOLE_COM1;
		else if (len == 2 && !strncmp(value, "e9", 2))
			sinks |= CONSOLE_E9;
		else if (len == 4 && !strncmp(value, "none", 4))
			none = true;
		else
			pr_warn("console: '%.*s' is not supported by keel, ignored\n",
				(int)len, value);
		value += len + (comma != NULL);
	}
	if (!sinks && !none)
		return -EINVAL;	/* keep a console rather than silently lose it */
	console_sinks = sinks;
	return 0;
}
custom_param("console", parse_console);
