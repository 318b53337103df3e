/* A domain's console lines on keel's console: guest_loglvl=, the '?' filter, the token bucket, partial lines. */
#include <keel/errno.h>
#include <keel/guest_console.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/string.h>

#define NS_PER_SEC 1000000000ULL
/* What a new line costs besides its bytes: the "(keel) (dN) " prefix and newline. */
#define LINE_COST 16
/* A domU's console lines are guest debug messages (Xen's XENLOG_G_DEBUG). */
#define GUEST_LINE_LEVEL LOG_DEBUG

/* guest_loglvl=: printed below or at @lower, rate-limited up to @upper (Xen's none/warning). */
static enum log_level guest_lower = LOG_NONE, guest_upper = LOG_WARN;

enum guest_console_mode guest_console_mode(bool privileged)
{
	if (privileged)
		return GUEST_CONSOLE_TRUSTED;
	if (GUEST_LINE_LEVEL <= guest_lower)
		return GUEST_CONSOLE_ALL;
	if (GUEST_LINE_LEVEL <= guest_upper)
		return GUEST_CONSOLE_LIMITED;
	return GUEST_CONSOLE_SILENT;
}

/* Top the bucket up for the time since the last refill, at most to the burst. */
static void refill(struct guest_console *gc, u64 now)
{
	u64 elapsed, add;

	if (now <= gc->refilled)
		return;
	elapsed = now - gc->refilled;
	if (elapsed >= NS_PER_SEC * GUEST_CONSOLE_BURST / GUEST_CONSOLE_RATE) {
		gc->tokens = GUEST_CONSOLE_BURST;
		gc->refilled = now;
		return;
	}
	add = elapsed * GUEST_CONSOLE_RATE / NS_PER_SEC;
	if (!add)
		return;		/* keep the fraction for the next time */
	gc->tokens = MIN(gc->tokens + add, (u64)GUEST_CONSOLE_BURST);
	gc->refilled += add * NS_PER_SEC / GUEST_CONSOLE_RATE;
}

static void print_piece(unsigned int id, enum guest_console_mode mode,
			const char *s, size_t n, bool cont, bool end)
{
	bool to_console = mode != GUEST_CONSOLE_TRUSTED ||
			  LOG_INFO <= console_get_loglevel();

	console_print_domain(id, s, n, cont, end,
			     mode != GUEST_CONSOLE_TRUSTED, to_console);
}

static void print_suppressed(struct guest_console *gc, unsigned int id,
			     enum guest_console_mode mode)
{
	char note[64];
	int len;

	if (!gc->suppressed)
		return;
	len = snprintf(note, sizeof(note),
		       "[keel: %llu bytes of console output suppressed]",
		       (unsigned long long)gc->suppressed);
	gc->suppressed = 0;
	print_piece(id, mode, note, len, false, true);
}

/* Print what the line holds; @end: the line is finished. */
static void print_line(struct guest_console *gc, unsigned int id,
		       enum guest_console_mode mode, bool end, u64 now)
{
	bool cont = gc->open;
	size_t n = gc->len;

	gc->len = 0;
	gc->open = !end;
	if (mode == GUEST_CONSOLE_LIMITED) {
		u64 cost = n + (cont ? 0 : LINE_COST);

		refill(gc, now);
		if (gc->tokens < cost) {
			/* Dropped: what follows starts a line of its own. */
			gc->suppressed += n;
			gc->open = false;
			return;
		}
		gc->tokens -= cost;
		if (!cont)
			print_suppressed(gc, id, mode);
	}
	print_piece(id, mode, gc->line, n, cont, end);
}

/* What keel's console shows of a byte of an untrusted domain: printable ASCII and tabs. */
static char filtered(char c)
{
	return c == '\t' || (c >= 0x20 && c < 0x7f) ? c : '?';
}

bool guest_console_put(struct guest_console *gc, unsigned int id,
		       enum guest_console_mode mode, const char *s, size_t n,
		       u64 now)
{
	if (mode == GUEST_CONSOLE_SILENT)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool crlf = c == '\n' && gc->cr;

		gc->cr = c == '\r';
		if (crlf)
			continue;	/* the '\r' ended this line already */
		if (c == '\n' || c == '\r') {
			print_line(gc, id, mode, true, now);
			continue;
		}
		if (gc->len == sizeof(gc->line))
			print_line(gc, id, mode, false, now);
		gc->line[gc->len++] = mode == GUEST_CONSOLE_TRUSTED ? c : filtered(c);
	}
	return gc->len > 0;
}

void guest_console_flush(struct guest_console *gc, unsigned int id,
			 enum guest_console_mode mode, u64 now)
{
	if (mode != GUEST_CONSOLE_SILENT && gc->len)
		print_line(gc, id, mode, false, now);
}

void guest_console_end(struct guest_console *gc, unsigned int id,
		       enum guest_console_mode mode, u64 now)
{
	if (mode == GUEST_CONSOLE_SILENT)
		return;
	if (gc->len || gc->open)
		print_line(gc, id, mode, true, now);
	print_suppressed(gc, id, mode);
}

/* none, error, warning, info, debug, all: Xen's names (debug = all). */
static int parse_level(const char *s, size_t len, enum log_level *out)
{
	static const char *const names[] = {
		[LOG_NONE] = "none", [LOG_ERR] = "error", [LOG_WARN] = "warning",
		[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};

	if (len == 3 && !strncmp(s, "all", 3)) {
		*out = LOG_DEBUG;
		return 0;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (strlen(names[i]) == len && !strncmp(s, names[i], len)) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

int guest_loglvl_parse(const char *value)
{
	enum log_level lower, upper;
	const char *slash;
	size_t len;

	if (!value)
		return -EINVAL;
	slash = strchr(value, '/');
	len = slash ? (size_t)(slash - value) : strlen(value);
	if (parse_level(value, len, &lower))
		return -EINVAL;
	upper = lower;
	if (slash && parse_level(slash + 1, strlen(slash + 1), &upper))
		return -EINVAL;
	guest_lower = lower;
	guest_upper = MAX(lower, upper);
	return 0;
}
custom_param("guest_loglvl", guest_loglvl_parse);
