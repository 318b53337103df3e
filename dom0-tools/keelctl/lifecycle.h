/* Starting a configured domain as a whole (build, xenstore, introduce, run) and tearing it down. */
#ifndef KEELCTL_LIFECYCLE_H
#define KEELCTL_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "kc.h"

/*
 * Builds the domain of @cfg (whose uuid must be set), writes its xenstore entries,
 * introduces it to xenstored and, unless @paused, unpauses it. On failure nothing is left
 * behind: the domain is destroyed, released and its entries removed. 0 or -errno, with a
 * message.
 */
int domain_start(struct kc *kc, const struct domain_config *cfg, bool paused, uint16_t *domid);

/*
 * Destroys @domid (when @destroy), releases it from xenstored and removes /local/domain/N
 * and its /vm path (only if they still belong to @expect_vm, when not NULL). Errors are
 * printed; returns the first.
 */
int domain_teardown(struct kc *kc, uint16_t domid, const char *expect_vm, bool destroy);

#endif
