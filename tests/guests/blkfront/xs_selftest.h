/* mode=xs of the blkfront guest: its xenstore client against the real daemon. */
#ifndef BLKFRONT_GUEST_XS_SELFTEST_H
#define BLKFRONT_GUEST_XS_SELFTEST_H

void xs_selftest(void);

#endif
