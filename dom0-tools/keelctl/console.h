/* Attaching a terminal to a domain's PV console through keel's console_read / console_write. */
#ifndef KEELCTL_CONSOLE_H
#define KEELCTL_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include "hv.h"

#define CONSOLE_ESCAPE		0x1d	/* Ctrl-] detaches */
#define CONSOLE_POLL_MS		50

#define CONSOLE_REPLAY_ALL	-1	/* replay everything keel kept (16 KiB) */
#define CONSOLE_REPLAY_DEFAULT	100	/* lines */

/*
 * Copies the domain's console output to @out_fd, first the last @replay lines of what keel
 * kept (CONSOLE_REPLAY_ALL: all of it), then what it writes from then on, each byte once;
 * and bytes from @in_fd to its console input, until Ctrl-] is read (returns 0) or the domain
 * is gone (returns 0 once all it wrote is out, with a note on @out_fd). A terminal @in_fd is
 * put in raw mode meanwhile.
 * Returns -errno with a message on other failures.
 */
int console_attach(struct hv *hv, uint16_t domid, int in_fd, int out_fd, int replay);

/*
 * Where the last @lines lines of @buf start (as tail -n: an unfinished last line, a prompt,
 * is one); 0 when it holds fewer.
 */
size_t console_replay_start(const uint8_t *buf, size_t len, unsigned int lines);

#endif
