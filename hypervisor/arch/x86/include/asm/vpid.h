/* VPIDs: the tags of each vCPU's cached guest translations, one per vCPU, never 0. */
#ifndef ASM_VPID_H
#define ASM_VPID_H

#include <keel/spinlock.h>
#include <keel/types.h>

/* VPID 0 tags the host's own translations; 1 .. VPID_MAX go to vCPUs. */
#define VPID_MAX 0xffff

/*
 * A VPID no vCPU holds: 0 and *@vpid set, or -ENOSPC when all are taken.
 * The caller flushes what an earlier holder left cached before using it.
 */
int vpid_alloc(u16 *vpid);
/* Give back @vpid (from vpid_alloc(); 0 is ignored). */
void vpid_free(u16 vpid);
/* Guards the bitmap (a leaf lock); named here so that tests can hold it. */
extern spinlock_t vpid_lock;
/* How many VPIDs are held (for tests and reports). */
unsigned int vpid_in_use(void);

#endif
