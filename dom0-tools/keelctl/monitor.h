/* The per-domain monitor xl leaves behind: cleans up a domain that is gone, restarts one to restart. */
#ifndef KEELCTL_MONITOR_H
#define KEELCTL_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "console_log.h"
#include "kc.h"

#define MONITOR_POLL_MS		1000	/* getinfo this often even without a watch event */
#define MONITOR_WATCH_TOKEN	"keelctl-monitor"

enum monitor_result {
	MONITOR_WAIT,		/* the domain runs (or was restarted): keep watching */
	MONITOR_DONE,		/* gone and cleaned up, or preserved: nothing left to do */
};

struct monitor {
	struct kc *kc;
	struct domain_config cfg;	/* a copy: what a restart rebuilds */
	uint16_t domid;
	char *vm_path;
	unsigned int restarts;
	struct console_log log;		/* the guest's console in dom0 (fd -1: none) */
};

void monitor_init(struct monitor *m, struct kc *kc, const struct domain_config *cfg,
		  uint16_t domid);
void monitor_fini(struct monitor *m);

/*
 * Looks at the domain once and acts: gone (or dying) → its xenstore entries are removed and
 * it is released; shut down with the action "restart" (keel preserved it) → destroyed and
 * built again from the configuration; "preserve" → left as it is. Messages go to kc_errf.
 */
enum monitor_result monitor_check(struct monitor *m);

/* Opens m->log for the domain's console ($KEELCTL_LOG_DIR or /var/log/keel); notes a failure. */
void open_console_log(struct monitor *m);

/*
 * Watches @releaseDomain and checks the domain on every event and every MONITOR_POLL_MS
 * until monitor_check() is done, meanwhile copying its console to m->log every
 * CONSOLE_LOG_POLL_MS. Returns 0, or 1 when a restart failed.
 */
int monitor_run(struct monitor *m);

/*
 * Forks a detached monitor for @domid (double fork, new session, output to
 * /var/log/keel/keelctl-NAME.log or $KEELCTL_LOG_DIR, the guest's console to
 * console/guest-NAME.log there). The caller goes on; 0 or -errno.
 */
int monitor_spawn(struct kc *kc, const struct domain_config *cfg, uint16_t domid);

#endif
