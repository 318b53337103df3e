/* Copies to and from a mapped file that may shrink under us: a SIGBUS fails the copy, not the daemon. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
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
	/*
	 * An action-optional machine check: a poisoned page nobody is touching now (early
	 * kill). Whoever touches it later gets BUS_MCEERR_AR: a copy of ours fails then, as below.
	 */
	if (si->si_code == BUS_MCEERR_AO)
		return;
	/* A fault (si_code > 0, si_addr meaningful) in the mapping a copy of ours guards. */
	if (si->si_code > 0 && guard && a >= guard_lo && a < guard_hi)
		siglongjmp(*guard, 1);
	/* Not ours (another fault, kill -BUS, raise): the default action, now. */
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
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
	atomic_signal_fence(memory_order_seq_cst);	/* armed before the copy, disarmed after */
	memcpy(dst, src, len);
	atomic_signal_fence(memory_order_seq_cst);
	guard = NULL;
	return 0;
}
