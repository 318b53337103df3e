/*
 * The guest side of the net frontend's host test: the guest-kit primitives netfront and the
 * netfront guest call (grants, event channels, time, xenstore as domain 5), implemented on
 * process memory and a node table, with the simulated backend (nf_sim.c) run in step with
 * virtual time. No keel header here: the functions are defined with the plain types their
 * keel prototypes reduce to.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "nf_world.h"

#define NODES 1024
#define STEP_NS 1000000ULL

static struct { char *path, *value; } nodes[NODES];
static struct { bool valid, ro; uint8_t *page; unsigned int maps; } gnt[NFW_GREFS];
static struct { bool alloc, pending; } ports[NFW_PORTS];
static uint32_t next_port;
static uint64_t now;
static unsigned int maps;
void (*nfw_step_hook)(void);

void nfw_init(void)
{
	memset(gnt, 0, sizeof(gnt));
	memset(ports, 0, sizeof(ports));
	next_port = 10;
	now = 1000000000ULL;
	maps = 0;
	nfw_step_hook = NULL;
}

void nfw_fini(void)
{
	for (unsigned int i = 0; i < NODES; i++) {
		free(nodes[i].path);
		free(nodes[i].value);
		nodes[i].path = nodes[i].value = NULL;
	}
}

static int find(const char *path)
{
	for (int i = 0; i < NODES; i++)
		if (nodes[i].path && !strcmp(nodes[i].path, path))
			return i;
	return -1;
}

const char *nfw_read(const char *path)
{
	int i = find(path);

	return i < 0 ? NULL : nodes[i].value;
}

static void write_node(const char *path, const char *value)
{
	int i = find(path);

	if (i < 0) {
		for (i = 0; i < NODES && nodes[i].path; i++)
			;
		assert_true(i < NODES);
		nodes[i].path = strdup(path);
	} else {
		free(nodes[i].value);
	}
	nodes[i].value = strdup(value);
}

void nfw_write(const char *path, const char *fmt, ...)
{
	char value[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	write_node(path, value);
}

void nfw_rm(const char *path)
{
	size_t n = strlen(path);

	for (int i = 0; i < NODES; i++)
		if (nodes[i].path && !strncmp(nodes[i].path, path, n) &&
		    (!nodes[i].path[n] || nodes[i].path[n] == '/')) {
			free(nodes[i].path);
			free(nodes[i].value);
			nodes[i].path = nodes[i].value = NULL;
		}
}

uint8_t *nfw_grant_page(uint32_t ref, bool write)
{
	if (ref >= NFW_GREFS || !gnt[ref].valid || (write && gnt[ref].ro))
		return NULL;
	return gnt[ref].page;
}

uint8_t *nfw_map(uint32_t ref)
{
	uint8_t *p = nfw_grant_page(ref, true);

	if (p) {
		gnt[ref].maps++;
		maps++;
	}
	return p;
}

void nfw_unmap(uint32_t ref)
{
	assert_true(ref < NFW_GREFS && gnt[ref].maps);
	gnt[ref].maps--;
	maps--;
}

unsigned int nfw_maps(void)
{
	return maps;
}

bool nfw_port_ok(uint32_t port)
{
	return port < NFW_PORTS && ports[port].alloc;
}

void nfw_notify_guest(uint32_t port)
{
	if (port < NFW_PORTS)
		ports[port].pending = true;
}

uint64_t nfw_now(void)
{
	return now;
}

void nfw_step(void)
{
	now += STEP_NS;
	nfs_step();
	if (nfw_step_hook)
		nfw_step_hook();
}

/* ---- the guest's grant table (gnttab.h) ---- */

void gnttab_grant_access(uint32_t ref, uint16_t domid, uint64_t gpa, bool readonly)
{
	assert_true(ref < NFW_GREFS);
	assert_true((gpa & 4095) == 0);
	gnt[ref].page = (uint8_t *)(uintptr_t)gpa;
	gnt[ref].ro = readonly;
	/* Granted to someone other than the backend: the backend cannot use it. */
	gnt[ref].valid = domid == 0;
}

int gnttab_end_access(uint32_t ref)
{
	assert_true(ref < NFW_GREFS);
	if (gnt[ref].maps)
		return -EBUSY;
	gnt[ref].valid = false;
	return 0;
}

/* ---- event channels (events.h) ---- */

long evtchn_alloc_unbound(uint16_t dom, uint16_t remote, uint32_t *port)
{
	assert_true(next_port < NFW_PORTS);
	ports[next_port].alloc = true;
	*port = next_port++;
	return 0;
}

long evtchn_close(uint32_t port)
{
	if (port < NFW_PORTS)
		ports[port].alloc = false;
	return 0;
}

long evtchn_send(uint32_t port)
{
	nfs_event(port);
	return 0;
}

bool evtchn_poll(uint32_t port, uint64_t timeout_ns)
{
	if (port < NFW_PORTS && ports[port].pending)
		return true;
	nfw_step();
	return port < NFW_PORTS && ports[port].pending;
}

void evtchn_clear_pending(uint32_t port)
{
	if (port < NFW_PORTS)
		ports[port].pending = false;
}

uint64_t pvclock_ns(void)
{
	return now;
}

/* ---- xenstore (xenstore.h) on the node table, as domain 5 ---- */

static void abs_path(const char *path, char *out, size_t size)
{
	if (path[0] == '/')
		snprintf(out, size, "%s", path);
	else
		snprintf(out, size, "/local/domain/%u/%s", NFW_DOMID, path);
}

int xs_read(uint32_t tx, const char *path, char *buf, uint32_t size)
{
	char p[256];
	const char *v;

	abs_path(path, p, sizeof(p));
	v = nfw_read(p);
	if (!v)
		return -ENOENT;
	if (strlen(v) >= size)
		return -E2BIG;
	strcpy(buf, v);
	return (int)strlen(v);
}

int xs_read_u64(uint32_t tx, const char *path, uint64_t *value)
{
	char buf[32];
	uint64_t v = 0;
	int n = xs_read(tx, path, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (!n || n > 20 || (buf[0] == '0' && n > 1))
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		if (buf[i] < '0' || buf[i] > '9' || v > (UINT64_MAX - (buf[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (buf[i] - '0');
	}
	*value = v;
	return 0;
}

int xs_write(uint32_t tx, const char *path, const char *value)
{
	char p[256];

	abs_path(path, p, sizeof(p));
	/* The guest writes only under its own home. */
	if (strncmp(p, "/local/domain/5/", 16))
		return -EACCES;
	if (strlen(value) > 2048)
		return -E2BIG;
	write_node(p, value);
	return 0;
}

int xs_printf(uint32_t tx, const char *path, const char *fmt, ...)
{
	char value[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return xs_write(tx, path, value);
}

int xs_mkdir(uint32_t tx, const char *path)
{
	return xs_write(tx, path, "");
}

int xs_rm(uint32_t tx, const char *path)
{
	char p[256];

	abs_path(path, p, sizeof(p));
	if (strncmp(p, "/local/domain/5/", 16))
		return -EACCES;
	nfw_rm(p);
	return 0;
}

int xs_directory(uint32_t tx, const char *path, char *buf, uint32_t size)
{
	char p[256];
	uint32_t used = 0;
	int count = 0;
	size_t n;

	abs_path(path, p, sizeof(p));
	n = strlen(p);
	for (unsigned int i = 0; i < NODES; i++) {
		const char *q = nodes[i].path, *name, *end;
		size_t len;
		bool dup = false;

		if (!q || strncmp(q, p, n) || q[n] != '/')
			continue;
		name = q + n + 1;
		end = strchr(name, '/');
		len = end ? (size_t)(end - name) : strlen(name);
		for (uint32_t off = 0; off < used; off += strlen(buf + off) + 1)
			dup |= strlen(buf + off) == len && !strncmp(buf + off, name, len);
		if (dup)
			continue;
		if (used + len + 1 >= size)
			return -E2BIG;
		memcpy(buf + used, name, len);
		buf[used + len] = '\0';
		used += len + 1;
		count++;
	}
	return count;
}

int xs_transaction_start(uint32_t *tx)
{
	*tx = 1;
	return 0;
}

int xs_transaction_end(uint32_t tx, bool commit)
{
	return 0;
}

int xs_wait_value(const char *path, bool (*ok)(const char *val, void *arg), void *arg,
		  uint64_t timeout_ns, char *val, uint32_t size)
{
	uint64_t end = now + timeout_ns;

	for (;;) {
		int rc = xs_read(0, path, val, size);

		if (rc == -ENOENT)
			val[0] = '\0';
		else if (rc < 0)
			return rc;
		if (ok(val, arg))
			return 0;
		if (now >= end)
			return -ETIMEDOUT;
		nfw_step();
	}
}

unsigned int xs_events_seen(void)
{
	return 0;
}

unsigned int xs_events_lost(void)
{
	return 0;
}
