/* Attaching a terminal to a domain's PV console through keel's console_read / console_write. */
#ifndef KEELCTL_CONSOLE_H
#define KEELCTL_CONSOLE_H

#include <stdint.h>
#include "hv.h"

#define CONSOLE_ESCAPE		0x1d	/* Ctrl-] detaches */
#define CONSOLE_POLL_MS		50

/*
 * Copies the domain's console output (from the oldest byte keel kept) to @out_fd and bytes
 * from @in_fd to its console input, until Ctrl-] is read (returns 0) or the domain is gone
 * (returns 0 once all it wrote is out, with a note on @out_fd). A terminal @in_fd is put in
 * raw mode meanwhile.
 * Returns -errno with a message on other failures.
 */
int console_attach(struct hv *hv, uint16_t domid, int in_fd, int out_fd);

#endif
