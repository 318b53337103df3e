/*
 * A ring backend for tests: domain N's ring page is the file DIR/domain-N, mapped shared,
 * and there are no event channels (the main loop polls the rings on a timer instead).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "alloc.h"
#include "ring.h"
#include "ring_file.h"

static char ring_dir[PATH_MAX];

static struct ring_port *file_open(unsigned int domid, uint64_t mfn, unsigned int evtchn);
static void file_notify(struct ring_port *port);
static void file_close(struct ring_port *port);
static enum domain_state file_domain_state(unsigned int domid);

static const struct ring_backend file_backend = {
	.name = "file",
	.open = file_open,
	.notify = file_notify,
	.close = file_close,
	.event_fd = -1,
	.domain_state = file_domain_state,
};

static struct ring_port *file_open(unsigned int domid, uint64_t mfn, unsigned int evtchn)
{
	char path[PATH_MAX + 32];
	struct ring_port *port;
	void *page;
	int fd;

	snprintf(path, sizeof(path), "%s/domain-%u", ring_dir, domid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	page = mmap(NULL, sizeof(struct xenstore_domain_interface), PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	close(fd);
	if (page == MAP_FAILED)
		return NULL;
	port = xcalloc(1, sizeof(*port));
	port->intf = page;
	port->backend = &file_backend;
	port->domid = domid;
	return port;
}

static void file_notify(struct ring_port *port)
{
}

static void file_close(struct ring_port *port)
{
	munmap(port->intf, sizeof(*port->intf));
	free(port);
}

/* The file DIR/domain-N.state says "shutdown" or "gone"; without it N runs. */
static enum domain_state file_domain_state(unsigned int domid)
{
	char path[PATH_MAX + 32], state[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/domain-%u.state", ring_dir, domid);
	f = fopen(path, "r");
	if (!f)
		return DOMAIN_RUNNING;
	if (!fgets(state, sizeof(state), f))
		state[0] = 0;
	fclose(f);
	if (!strncmp(state, "gone", 4))
		return DOMAIN_GONE;
	return strncmp(state, "shutdown", 8) ? DOMAIN_RUNNING : DOMAIN_SHUT_DOWN;
}

const struct ring_backend *ring_file_backend(const char *dir)
{
	snprintf(ring_dir, sizeof(ring_dir), "%s", dir);
	return &file_backend;
}
