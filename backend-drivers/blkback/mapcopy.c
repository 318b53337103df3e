/* Copies to and from a mapped file that may shrink under us: a SIGBUS fails the copy, not the daemon. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include "mapcopy.h"

/*
 * The guarded copy in progress on this thread, if any, and the mapping it touches. Both of the
 * daemon's threads may copy (whichever holds the turn), so each has its own.
 */
static __thread sigjmp_buf *volatile guard;
static __thread const uint8_t *volatile guard_lo, *volatile guard_hi;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	const uint8_t *a = si->si_addr;

	(void)sig;
	(void)uc;
	if (guard && a >= guard_lo && a < guard_hi)
		siglongjmp(*guard, 1);
	/* Not ours: the default action, when the access is made again on return. */
	signal(SIGBUS, SIG_DFL);
}

int bb_mapcopy_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	/* SIGBUS is not blocked in the handler: it is left by siglongjmp, mask untouched. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int bb_mapcopy(void *dst, const void *src, size_t len, const void *map, size_t map_len)
{
	sigjmp_buf env;

	if (sigsetjmp(env, 0)) {
		guard = NULL;
		return -EFAULT;
	}
	guard_lo = map;
	guard_hi = (const uint8_t *)map + map_len;
	guard = &env;
	memcpy(dst, src, len);
	guard = NULL;
	return 0;
}
