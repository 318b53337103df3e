/* Naming domains: NAME-or-id arguments, names from xenstore, xl's state letters. */
#ifndef KEELCTL_DOMAINS_H
#define KEELCTL_DOMAINS_H

#include <stdint.h>
#include "kc.h"

#define DOM0_NAME	"Domain-0"

/*
 * Resolves @arg, a domain name or numeric id, to a live domain. 0, or -ENOENT / -errno with
 * a message.
 */
int domain_find(struct kc *kc, const char *arg, uint16_t *domid);

/*
 * The live domain named @name, by xenstore's /local/domain/N/name and keel's getinfo.
 * 0, -ENOENT (no message), or another -errno with a message.
 */
int domain_by_name(struct kc *kc, const char *name, uint16_t *domid);

/* Domain @domid's name from xenstore (@xs may be NULL): a new string, or NULL. */
char *domain_name(struct xs *xs, uint16_t domid);

/* xl's six state letters "rbpscd", '-' where a flag is clear. */
void domain_state(uint16_t flags, char out[7]);

/* "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset", or "reason N". */
const char *shutdown_reason_name(uint32_t reason, char buf[20]);

#endif
