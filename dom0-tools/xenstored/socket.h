/* Local clients (dom0's tools) over a Unix stream socket, as libxenstore connects. */
#ifndef XENSTORED_SOCKET_H
#define XENSTORED_SOCKET_H

/* Where Debian's libxenstore looks by default (it honours $XENSTORED_PATH too). */
#define DEFAULT_SOCKET_PATH	"/run/xenstored/socket"

/* Listens at @path, creating its directory and replacing a stale socket; -errno on failure. */
int socket_listen(const char *path);
/*
 * Accepts a client of the listening @fd as a dom0 connection: 0 (also if none was
 * waiting), or -EMFILE when the daemon is out of file descriptors (or -ENFILE, -ENOBUFS,
 * -ENOMEM): the client waits in the queue.
 */
int socket_accept(int fd);

#endif
