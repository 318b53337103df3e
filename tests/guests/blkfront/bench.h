/* The blkfront guest's bench mode: make bench's disk workload through keel's own frontend. */
#ifndef BLKFRONT_GUEST_BENCH_H
#define BLKFRONT_GUEST_BENCH_H

#include "guest.h"

/*
 * mode=bench: diskbench's workload (tests/bench/diskbench.c) on the first disk: @mib MiB
 * written then read in 1 MiB requests, then @ops random 4 KiB reads and as many writes one at a
 * time, then both again with 32 in flight (rand-read-q32, rand-write-q32: requests on the
 * persistent grants' pool, so the backend must offer feature-persistent), every read checked
 * against diskbench's pattern, each write test ended by a flush. Prints diskbench's
 * lines, "diskbench: LABEL TEST N MiB|ops S s VALUE MB/s|IOPS", and before each test (and
 * after the last) "diskbench: LABEL mark TEST" followed by 2 s of quiet in which dom0 samples
 * keel's counts, as the Linux guests' test-diskbench does.
 */
void bench_run(const char *label, u32 mib, u32 ops);

#endif
