/* Local clients (dom0's tools) over a Unix stream socket, as libxenstore connects. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "conn.h"
#include "log.h"
#include "socket.h"

static int socket_read(struct conn *c, void *buf, unsigned int len)
{
	ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);

	if (n > 0)
		return (int)n;
	if (n == 0)
		return -EPIPE;	/* the client closed it */
	return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

static int socket_write(struct conn *c, const void *buf, unsigned int len)
{
	ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

static void socket_destroy(struct conn *c)
{
	close(c->fd);
}

static const struct conn_ops socket_ops = {
	.name = "socket",
	.read = socket_read,
	.write = socket_write,
	.destroy = socket_destroy,
};

/* mkdir -p of @path's directory. */
static int make_parent_dirs(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	strcpy(dir, path);
	for (p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

int socket_listen(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	rc = make_parent_dirs(path);
	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || chmod(path, 0600) ||
	    listen(fd, 16)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int socket_accept(int fd)
{
	int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (client < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			return -errno;
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_msg("accept: %s", strerror(errno));
		return 0;
	}
	conn_new(&socket_ops, NULL, client, 0);
	return 0;
}
