/* What of a domain's console output reaches keel's console: guest_loglvl=, filtering, rate limit, partial lines. */
#ifndef KEEL_GUEST_CONSOLE_H
#define KEEL_GUEST_CONSOLE_H

#include <keel/types.h>

/*
 * Every domain's output is kept for the toolstack (console_ring.c). On
 * keel's own console, as under Xen:
 *  - the privileged domain's (dom0's) lines are printed as they are, at
 *    LOG_INFO (loglvl=), as "(d0) ..." lines;
 *  - another domain's lines are guest debug messages: printed only as
 *    guest_loglvl=<level>[/<rate-limited level>] allows (Xen's option; the
 *    default none/warning prints none of them), each non-printable byte
 *    shown as '?' (only '\t' is kept), and in the rate-limited band at
 *    most GUEST_CONSOLE_BURST bytes at once and GUEST_CONSOLE_RATE bytes a
 *    second per domain, what is dropped counted in a "suppressed" line.
 * A line is printed when it ends, when it fills GUEST_CONSOLE_LINE bytes,
 * or, unfinished, GUEST_CONSOLE_FLUSH_NS after its last byte came (a shell
 * prompt): its rest then continues it on keel's console.
 */
#define GUEST_CONSOLE_LINE 200
#define GUEST_CONSOLE_BURST 8192		/* bytes */
#define GUEST_CONSOLE_RATE 1024			/* bytes per second */
#define GUEST_CONSOLE_FLUSH_NS 50000000ULL	/* 50 ms */

/* One domain's state; its owner serialises the calls (d->console_lock). */
struct guest_console {
	char line[GUEST_CONSOLE_LINE];	/* the unprinted part of the line */
	unsigned int len;
	bool cr;			/* the last byte was '\r' */
	bool open;			/* its start was printed: the rest continues it */
	u64 tokens;			/* bytes it may print now (rate-limited band) */
	u64 refilled;			/* when tokens were last added, ns */
	u64 suppressed;			/* bytes dropped since the last printed */
};

/* How a domain's lines reach keel's console. */
enum guest_console_mode {
	GUEST_CONSOLE_SILENT,		/* kept only */
	GUEST_CONSOLE_LIMITED,		/* filtered, rate-limited */
	GUEST_CONSOLE_ALL,		/* filtered, every line */
	GUEST_CONSOLE_TRUSTED,		/* dom0: as they are, at LOG_INFO */
};

/* The mode for a domain, from guest_loglvl= and whether it is @privileged. */
enum guest_console_mode guest_console_mode(bool privileged);

/*
 * Output @s[0..@n) of domain @id, in @mode, at system time @now. Returns
 * true when an unfinished line waits: the caller calls
 * guest_console_flush() GUEST_CONSOLE_FLUSH_NS later.
 */
bool guest_console_put(struct guest_console *gc, unsigned int id,
		       enum guest_console_mode mode, const char *s, size_t n,
		       u64 now);
/* Print the unfinished line that waited (it continues later). */
void guest_console_flush(struct guest_console *gc, unsigned int id,
			 enum guest_console_mode mode, u64 now);
/* The domain is going: print what waits, and how much was suppressed. */
void guest_console_end(struct guest_console *gc, unsigned int id,
		       enum guest_console_mode mode, u64 now);

/* guest_loglvl=<level>[/<rate-limited level>]: 0 or -EINVAL. */
int guest_loglvl_parse(const char *value);

#endif
