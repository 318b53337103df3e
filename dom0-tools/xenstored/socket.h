/* Local clients (dom0's tools) over a Unix stream socket, as libxenstore connects. */
#ifndef XENSTORED_SOCKET_H
#define XENSTORED_SOCKET_H

/* Where Debian's libxenstore looks by default (it honours $XENSTORED_PATH too). */
#define DEFAULT_SOCKET_PATH	"/run/xenstored/socket"

/* Listens at @path, creating its directory and replacing a stale socket; -errno on failure. */
int socket_listen(const char *path);
/* Accepts a client of the listening @fd as a dom0 connection (nothing if none is waiting). */
void socket_accept(int fd);

#endif
