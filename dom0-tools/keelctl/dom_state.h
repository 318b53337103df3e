/* keelctl's own record of the domains it built, by UUID: their configs and their monitors. */
#ifndef KEELCTL_DOM_STATE_H
#define KEELCTL_DOM_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "config.h"
#include "xs.h"

#define DOM_STATE_DIR	"/var/lib/keel"	/* or $KEELCTL_STATE_DIR */

/* The domain's config as built (xl.cfg syntax, <dir>/<uuid>.cfg, as xl's userdata); 0 or -errno. */
int dom_state_save(const struct domain_config *cfg);
/* Reads it back, quietly; 0 or -errno (-ENOENT: keelctl did not build it). */
int dom_state_load(const char *uuid, struct domain_config *cfg);
/* Forgets the domain's config (its monitor clears its own record as it ends). */
void dom_state_remove(const char *uuid);

/* The monitor of @uuid is process @pid (0: it ended). */
void dom_state_set_monitor(const char *uuid, pid_t pid);
/* Does a monitor of @uuid run? */
bool dom_state_monitor_alive(const char *uuid);

/* Domain @domid's UUID from xenstore's /local/domain/N/vm ("/vm/<uuid>"): a new string or NULL. */
char *dom_state_uuid(struct xs *xs, uint16_t domid);

#endif
