/* The host world of the block frontend's test: keel-blkback's core and the fake guest primitives. */
#ifndef TESTS_UNIT_KFRONT_WORLD_H
#define TESTS_UNIT_KFRONT_WORLD_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Disks xvda, xvdb, ... of domain 5: image files of @bytes, read-only or not; the backend runs.
 * @mapped: the files served as dom0's tmpfs images are, mapped (no O_DIRECT, cfg.map).
 */
void world_setup(unsigned int ndisks, const uint64_t *bytes, const bool *readonly, bool mapped);
void world_teardown(void);
/* Disk @i's image file. */
const char *world_image(unsigned int i);
/* Grant pages mapped and ports bound by the backend now. */
unsigned int world_backend_resources(void);
/* A node as dom0 sees it (NULL when missing). */
const char *world_read(const char *path);

/* The guest dies (@releaseDomain); devices the backend has not released yet (and a dump). */
void world_kill_guest(void);
unsigned int world_devices_held(void);

#endif
