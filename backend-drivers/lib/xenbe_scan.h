/* Backends' walk of their xenstore directory: every <domid>/<devid> device it holds. */
#ifndef XENBE_SCAN_H
#define XENBE_SCAN_H

#include <stdint.h>
#include "xenbe_env.h"

/*
 * xenbe_scan() - calls @found(@arg, domid, devid) for each device directory under @root
 * (backend/<type>) whose names are plain numbers no larger than @max_domid and @max_devid;
 * anything else there is skipped.
 */
void xenbe_scan(const struct xenbe_env *env, const char *root, uint64_t max_domid,
		uint64_t max_devid, void (*found)(void *arg, uint16_t domid, uint32_t devid),
		void *arg);

/* Frees a NULL-terminated list from xs_directory() (NULL is fine). */
void xenbe_free_list(char **list);

#endif
