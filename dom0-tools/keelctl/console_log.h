/* A guest's console kept in dom0 (xenconsoled's --log=guest): console/guest-NAME.log. */
#ifndef KEELCTL_CONSOLE_LOG_H
#define KEELCTL_CONSOLE_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include "hv.h"

#define CONSOLE_LOG_SUBDIR	"console"
#define CONSOLE_LOG_MAX		(1u << 20)	/* bytes a file grows to before it is rotated */
#define CONSOLE_LOG_POLL_MS	100		/* keel keeps 16 KiB: a guest would need 160 KiB/s */

/*
 * The per-domain monitor copies everything the domain writes to its console into the file,
 * attached reader or not, from the first byte keel kept. A file that would pass @max bytes
 * becomes NAME.log.1 (the one before is dropped): at most 2 * @max bytes per guest. Bytes keel
 * no longer had when they were read (a guest faster than the poll) are noted, never silently
 * lost. A rebooted guest's new domain goes on in the same file.
 */
struct console_log {
	char *path;
	int fd;				/* -1: no log */
	uint64_t size;			/* of the file now */
	uint64_t max;
	uint16_t domid;
	struct hv_console_window w;	/* the domain's instance and the next byte wanted */
	bool at_line_start;		/* where a note of keelctl's goes */
};

/* Opens (appends to) @dir/console/guest-@name.log; 0 or -errno (then the log is off). */
int console_log_open(struct console_log *l, const char *dir, const char *name, uint64_t max);
/* From now on the log follows domain @domid, from the first byte keel kept of it. */
void console_log_follow(struct console_log *l, uint16_t domid);
/*
 * Copies what the domain wrote since the last call. Returns 1 when something was written,
 * 0 when nothing was, -errno on a failure (the domain not found is 0 with *@gone).
 * *@gone: the domain is destroyed and all it wrote is in the file.
 */
int console_log_poll(struct console_log *l, struct hv *hv, bool *gone);
void console_log_close(struct console_log *l);

#endif
