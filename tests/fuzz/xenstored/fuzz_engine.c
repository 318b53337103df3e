/*
 * The xenstored fuzzers' engine: the whole daemon in process (but main.c), reset per input,
 * with dom0's tools, dom0's kernel ring and guests' rings driven from the fuzzer's bytes,
 * and the store's invariants checked after every input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>
#include "alloc.h"
#include "conn.h"
#include "domain.h"
#include "fake_dev.h"
#include "fuzz_engine.h"
#include "log.h"
#include "path.h"
#include "protocol.h"
#include "quota.h"
#include "ring.h"
#include "ring_xen.h"
#include "socket.h"
#include "strmap.h"
#include "tree.h"

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,	\
				__LINE__, #cond);				\
			abort();						\
		}								\
	} while (0)

static const struct ring_backend *backend;
static enum tool_mode tool_mode;
static int listen_fd = -1;
/* The tools' socket, in Linux's abstract namespace: nothing is left behind on exit. */
static struct sockaddr_un listen_addr = { .sun_family = AF_UNIX };

/* A tool: its connection, and its end of the socket or its in-memory input. */
struct tool {
	struct conn *conn;
	int fd;				/* TOOLS_ON_SOCKET: the client's end */
	uint8_t in[2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
	size_t in_len, in_off;
	unsigned int window;		/* bytes it takes per write; 0: stuck */
};

static struct tool tools[2];

uint8_t input_byte(struct input *in)
{
	return in->off < in->len ? in->data[in->off++] : 0;
}

uint32_t input_u32(struct input *in)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | input_byte(in);
	return v;
}

/* ---- tools in memory: what they sent waits in tool->in; replies are taken per window ---- */

static int mem_read(struct conn *c, void *buf, unsigned int len)
{
	struct tool *t = c->transport;
	size_t n = t->in_len - t->in_off;

	if (n > len)
		n = len;
	memcpy(buf, t->in + t->in_off, n);
	t->in_off += n;
	if (t->in_off == t->in_len)
		t->in_off = t->in_len = 0;
	return (int)n;
}

static int mem_write(struct conn *c, const void *buf, unsigned int len)
{
	struct tool *t = c->transport;

	return (int)(len < t->window ? len : t->window);
}

static void mem_destroy(struct conn *c)
{
	struct tool *t = c->transport;

	t->conn = NULL;
}

static const struct conn_ops mem_ops = { "fuzz-tool", mem_read, mem_write, mem_destroy };

static void tool_connect(struct tool *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->window = 4096;
	if (tool_mode == TOOLS_IN_MEMORY) {
		t->conn = conn_new(&mem_ops, t, -1, 0);
		/* Served every turn, as the main loop serves a socket poll() found ready. */
		t->conn->io_ready = true;
		return;
	}
	t->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	CHECK(t->fd >= 0);
	CHECK(connect(t->fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) == 0);
	CHECK(socket_accept(listen_fd) == 0);
	t->conn = TAILQ_LAST(&conns, conn_list);
	CHECK(t->conn && t->conn->fd >= 0);
}

static void tool_close(struct tool *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->conn)
		conn_kill(t->conn, 0);
	/* In memory, mem_destroy() forgets it when it is freed. */
	if (tool_mode == TOOLS_ON_SOCKET)
		t->conn = NULL;
}

static void tool_send(struct tool *t, const void *data, size_t len)
{
	ssize_t n;
	int tries;

	if (!t->conn || t->conn->dead)
		return;
	if (tool_mode == TOOLS_IN_MEMORY) {
		if (len > sizeof(t->in) - t->in_len)
			len = sizeof(t->in) - t->in_len;
		memcpy(t->in + t->in_len, data, len);
		t->in_len += len;
		return;
	}
	/* A full socket buffer: let the daemon run, as a blocking client would wait. */
	for (tries = 0; len && tries < 8; tries++) {
		n = send(t->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			data = (const char *)data + n;
			len -= (size_t)n;
		} else {
			engine_turn();
		}
	}
}

/* What a tool does with its replies on a socket: takes up to its window. */
static void tool_receive(struct tool *t)
{
	char buf[8192];
	size_t want = t->window < sizeof(buf) ? t->window : sizeof(buf);

	if (t->fd >= 0 && want)
		while (recv(t->fd, buf, want, MSG_DONTWAIT) > 0)
			;
	if (t->conn)
		t->conn->io_ready = true;
}

/* ---- guests and dom0's kernel on their rings ---- */

static unsigned int actor_domid(enum actor who)
{
	return who == KERNEL0 ? 0 : who == GUEST5 ? 5 : who == GUEST6 ? 6 : 7;
}

/* As an honest guest: what fits after req_prod. */
static void ring_send(unsigned int domid, const void *data, size_t len)
{
	struct xenstore_domain_interface *intf = fake_page(domid);
	XENSTORE_RING_IDX prod = intf->req_prod, cons = intf->req_cons;
	size_t room = prod - cons <= XENSTORE_RING_SIZE ? XENSTORE_RING_SIZE - (prod - cons) : 0;
	size_t i;

	if (len > room)
		len = room;
	for (i = 0; i < len; i++)
		intf->req[MASK_XENSTORE_IDX(prod + i)] = ((const char *)data)[i];
	__atomic_store_n(&intf->req_prod, prod + (XENSTORE_RING_IDX)len, __ATOMIC_RELEASE);
}

/* As an honest guest: takes up to @len bytes of replies. */
static void ring_take(unsigned int domid, unsigned int len)
{
	struct xenstore_domain_interface *intf = fake_page(domid);
	XENSTORE_RING_IDX prod = intf->rsp_prod, cons = intf->rsp_cons;

	if (prod - cons <= XENSTORE_RING_SIZE && len > prod - cons)
		len = prod - cons;
	__atomic_store_n(&intf->rsp_cons, cons + len, __ATOMIC_RELEASE);
}

void engine_send(enum actor who, const void *data, size_t len)
{
	if (who == TOOL0 || who == TOOL1)
		tool_send(&tools[who - TOOL0], data, len);
	else
		ring_send(actor_domid(who), data, len);
}

/* ---- requests built from a dictionary, so the fuzzer reaches deep quickly ---- */

static const char *const words[] = {
	"data", "data/a", "data/a/b", "data/a/b/c", "device", "device/vif/0/state", "x",
	"/", "/local", "/local/domain", "/local/domain/0", "/local/domain/5",
	"/local/domain/5/data", "/local/domain/5/data/a", "/local/domain/6",
	"/local/domain/6/data", "/local/domain/6/data/x", "/local/domain/7/data",
	"/tool", "/tool/x", "/tool/x/y", "@introduceDomain", "@releaseDomain", "@other",
	"control/shutdown", "n0", "r0", "w0", "b0", "n5", "r5", "w5", "b5", "n6", "r6", "b6",
	"r7", "T", "F", "0", "1", "5", "6", "7", "8", "4096", "0x10", "-1", "99999",
	"check", "help", "print", "tok", "token", "", "a//b", "/a/", "data/", "..",
	"/local/domain/5/data/a/b/c/d/e/f/g/h", "b6\0r5",
};

/* A path of about 3 KiB, for the length limits. */
static char long_path[XENSTORE_ABS_PATH_MAX + 8];

static size_t put_arg(struct input *in, char *buf, size_t off, size_t room)
{
	uint8_t pick = input_byte(in), len;
	const char *word;
	size_t n;

	if (pick < 0xe0) {
		word = words[pick % (sizeof(words) / sizeof(words[0]))];
		n = strlen(word);
	} else if (pick < 0xf0) {
		word = long_path + (pick & 1);
		n = strlen(word) - (pick & 6);
	} else {
		len = input_byte(in) % 64;
		word = (const char *)in->data + in->off;
		n = len <= in->len - in->off ? len : in->len - in->off;
		in->off += n;
	}
	if (n > room - off)
		n = room - off;
	memcpy(buf + off, word, n);
	return n;
}

void engine_request(enum actor who, struct input *in)
{
	static char msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr;
	char *payload = msg + sizeof(hdr);
	uint8_t shape = input_byte(in), ids = input_byte(in);
	unsigned int nargs = shape % 5, i;
	size_t len = 0;

	hdr.type = (uint32_t)input_byte(in) % (XS_TYPE_COUNT + 1);
	hdr.req_id = ids;
	/* Transaction ids start at 1: small ones name open transactions. */
	hdr.tx_id = ids & 0x80 ? input_u32(in) : ids % 4;
	for (i = 0; i < nargs && len < XENSTORE_PAYLOAD_MAX; i++) {
		len += put_arg(in, payload, len, XENSTORE_PAYLOAD_MAX);
		/* A WRITE's value has no NUL; now and then one leaves a NUL out. */
		if (len < XENSTORE_PAYLOAD_MAX &&
		    !(i == nargs - 1 && (hdr.type == XS_WRITE || (shape & 0x80))))
			payload[len++] = '\0';
	}
	/* Now and then a length that lies. */
	hdr.len = (shape & 0x60) == 0x60 ? (uint32_t)len + input_byte(in) : (uint32_t)len;
	if (hdr.len > XENSTORE_PAYLOAD_MAX && !(shape & 0x10))
		hdr.len = (uint32_t)len;
	memcpy(msg, &hdr, sizeof(hdr));
	engine_send(who, msg, sizeof(hdr) + len);
}

/* ---- the main loop's part ---- */

static void check_bounds(void)
{
	struct conn *c;

	TAILQ_FOREACH(c, &conns, link) {
		if (c->dead || c->domid == 0)
			continue;
		CHECK(c->nr_transactions <= quota.transactions);
		CHECK(c->nr_watches <= quota.watches);
		CHECK(c->out_events <= quota.events);
		CHECK(c->out_replies <= quota.outstanding);
	}
	/* A transaction may go past memory by what one request grows a node in place. */
	for (unsigned int d = 1; d < FAKE_DOMAINS; d++)
		CHECK(quota_memory_used(d) <= (size_t)quota.memory + 3 * XENSTORE_PAYLOAD_MAX);
}

void engine_turn(void)
{
	unsigned int i;

	if (backend->ack_events())
		domain_check_all();
	protocol_turn();
	/* A tool whose connection was dropped sees it closed; conn_reap() frees it. */
	for (i = 0; i < 2; i++)
		if (tools[i].conn && tools[i].conn->dead)
			tool_close(&tools[i]);
	conn_reap();
	for (i = 0; i < 2; i++)
		tool_receive(&tools[i]);
	check_bounds();
}

/* Field @which of a ring page, for a hostile guest to set. */
static void poke(struct xenstore_domain_interface *intf, uint8_t which, uint32_t value)
{
	switch (which % 8) {
	case 0:
		intf->req_prod = value;
		break;
	case 1:
		intf->req_cons = value;
		break;
	case 2:
		intf->rsp_prod = value;
		break;
	case 3:
		intf->rsp_cons = value;
		break;
	case 4:
		intf->req_prod += value % 64;
		break;
	case 5:
		intf->rsp_cons += value % 2048;
		break;
	case 6:
		intf->req[value % XENSTORE_RING_SIZE] = (char)(value >> 16);
		break;
	default:
		((uint32_t *)&intf->server_features)[value % 4] = value >> 8;
		break;
	}
}

/*
 * Up to 48 requests of one kind on numbered paths under one base, in one transaction or
 * none: how quotas (nodes, transaction-nodes, memory, watches, events) are reached.
 */
static void burst(enum actor who, struct input *in)
{
	static const uint32_t kinds[] = {
		XS_WRITE, XS_READ, XS_MKDIR, XS_RM, XS_WATCH, XS_DIRECTORY, XS_SET_PERMS,
		XS_GET_PERMS,
	};
	static char msg[sizeof(struct xsd_sockmsg) + 128];
	uint8_t shape = input_byte(in), base = input_byte(in);
	unsigned int n = shape % 48 + 1, i;
	struct xsd_sockmsg hdr = {
		.type = kinds[(shape >> 6 | (base & 1) << 2) % 8],
		.tx_id = input_byte(in) % 4,
	};
	const char *word = words[base % (sizeof(words) / sizeof(words[0]))];
	int len;

	for (i = 0; i < n; i++) {
		hdr.req_id = i;
		len = snprintf(msg + sizeof(hdr), sizeof(msg) - sizeof(hdr), "%.60s/b%u", word, i);
		if (len < 0 || (size_t)len >= sizeof(msg) - sizeof(hdr) - 16)
			return;
		len++;
		if (hdr.type == XS_WRITE)
			len += snprintf(msg + sizeof(hdr) + len, 16, "v%u", i);
		else if (hdr.type == XS_WATCH)
			len += snprintf(msg + sizeof(hdr) + len, 16, "t%u", i) + 1;
		else if (hdr.type == XS_SET_PERMS)
			len += snprintf(msg + sizeof(hdr) + len, 16, "n%u", actor_domid(who)) + 1;
		hdr.len = (uint32_t)len;
		memcpy(msg, &hdr, sizeof(hdr));
		engine_send(who, msg, sizeof(hdr) + (size_t)len);
		/* Its replies are taken as they come, by a guest as by a tool. */
		if (who >= KERNEL0)
			ring_take(actor_domid(who), XENSTORE_RING_SIZE);
		engine_turn();
	}
}

void engine_command(struct input *in)
{
	uint8_t op = input_byte(in), arg = input_byte(in);
	enum actor who = (enum actor)(arg % ACTORS);
	unsigned int domid = actor_domid(who), n;
	uint8_t raw[256];

	switch (op % 11) {
	case 0:
	case 1:
	case 2:
		engine_request(who, in);
		break;
	case 3:
		n = input_byte(in);
		for (unsigned int i = 0; i < n; i++)
			raw[i] = input_byte(in);
		engine_send(who, raw, n);
		break;
	case 4:
		if (who >= KERNEL0)
			poke(fake_page(domid), input_byte(in), input_u32(in));
		break;
	case 5:
		if (who >= KERNEL0)
			ring_take(domid, (unsigned int)input_byte(in) * 8);
		else
			tools[who].window = (unsigned int)input_byte(in) * 64;
		break;
	case 6:
		/* keel says something happened to a domain. */
		fake_domains[domid].state = (enum fake_state)(input_byte(in) % FAKE_STATES);
		fake_domains[domid].map_fails = arg & 0x80;
		fake_domains[domid].bind_fails = arg & 0x40;
		fake_raise_dom_exc();
		break;
	case 7:
		if (who <= TOOL1) {
			tool_close(&tools[who]);
			conn_reap();
			tool_connect(&tools[who]);
		}
		break;
	case 8:
		for (n = input_byte(in) % 8; n; n--)
			engine_turn();
		break;
	case 10:
		burst(who, in);
		break;
	default:
		/* dom0's tool introduces or releases a domain, in the wire's format. */
		{
			bool release = input_byte(in) & 1;
			char req[64];
			struct xsd_sockmsg hdr = { .type = release ? XS_RELEASE : XS_INTRODUCE };
			int len = release ? snprintf(req + sizeof(hdr), 40, "%u", domid) + 1 :
				  snprintf(req + sizeof(hdr), 40, "%u%c%u%c%u", domid, 0,
					   0x1000 + domid, 0, 1) + 1;

			hdr.len = (uint32_t)len;
			memcpy(req, &hdr, sizeof(hdr));
			engine_send(TOOL0, req, sizeof(hdr) + (size_t)len);
		}
		break;
	}
	engine_turn();
}

/* ---- a fresh daemon per input, and what must hold at the end ---- */

static void dom0_mkdir_owned(const char *path, unsigned int owner, unsigned int reader)
{
	struct store_ctx ctx = { .domid = 0 };
	struct perms perms;
	char entries[2][16];
	const char *list[2] = { entries[0], entries[1] };

	snprintf(entries[0], sizeof(entries[0]), "n%u", owner);
	snprintf(entries[1], sizeof(entries[1]), "r%u", reader);
	CHECK(tree_mkdir(&ctx, path) == 0);
	CHECK(perms_parse(list, 2, &perms) == 0);
	CHECK(tree_set_perms(&ctx, path, &perms) == 0);
	perms_free(&perms);
}

static void make_home(unsigned int domid)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	dom0_mkdir_owned(path, 0, domid);
	snprintf(path, sizeof(path), "/local/domain/%u/data", domid);
	dom0_mkdir_owned(path, domid, 0);
	snprintf(path, sizeof(path), "/local/domain/%u/device", domid);
	dom0_mkdir_owned(path, domid, 0);
}

void engine_init(enum tool_mode mode)
{
	static const uint8_t key[16] = "keel-xs-fuzzing";
	size_t i;

	/* The same buckets on every run, so that a crash replays. */
	strmap_set_key(key);
	/* The daemon's log only when asked: it says something for every input. */
	if (!getenv("XS_FUZZ_LOG"))
		CHECK(log_open("/dev/null") == 0);
	for (i = 0; i + 2 < XENSTORE_ABS_PATH_MAX - 1; i += 2)
		memcpy(long_path + i, "/a", 2);
	long_path[i] = '\0';
	tool_mode = mode;
	backend = ring_xen_backend();
	CHECK(backend);
	if (mode == TOOLS_ON_SOCKET) {
		snprintf(listen_addr.sun_path + 1, sizeof(listen_addr.sun_path) - 1,
			 "keel-xenstored-fuzz-%d", (int)getpid());
		listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		CHECK(listen_fd >= 0);
		CHECK(bind(listen_fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) == 0);
		CHECK(listen(listen_fd, 16) == 0);
	}
}

void engine_reset(bool small_quotas)
{
	static const char *const small[] = {
		"nodes=40", "value_size=64", "perms=3", "watches=4", "transactions=3",
		"transaction-nodes=24", "memory=16384", "outstanding=3", "events=8",
	};
	size_t i;

	quota_reset();
	if (small_quotas)
		for (i = 0; i < sizeof(small) / sizeof(small[0]); i++)
			CHECK(quota_set(small[i]) == 0);
	fake_reset();
	tree_init();
	domain_set_backend(backend);
	CHECK(ring_xen_connect_dom0() == 0);
	for (i = 5; i <= 7; i++)
		make_home((unsigned int)i);
	CHECK(domain_introduce(5, 0x1005, 1) == 0);
	CHECK(domain_introduce(6, 0x1006, 1) == 0);
	tool_connect(&tools[0]);
	tool_connect(&tools[1]);
}

static unsigned int count_child(const struct node *node, const char *leaf)
{
	unsigned int off, n = 0;

	for (off = 0; off < node->children_len;
	     off += (unsigned int)strlen(node->children + off) + 1)
		n += !strcmp(node->children + off, leaf);
	return n;
}

/* Owners of every node reachable from "/", counted by walking it; which ones there were. */
static unsigned int walked[0x10000];
static uint16_t owners[0x10000];
static unsigned int nr_owners;

static void walk_tree(void)
{
	struct store_ctx ctx = { .domid = 0 };
	size_t depth = 0, room = 64;
	char **stack = xmalloc(room * sizeof(*stack));
	const struct node *node, *child;
	unsigned int off;
	char *path, *sub;

	while (nr_owners)
		walked[owners[--nr_owners]] = 0;
	stack[depth++] = xstrdup("/");
	while (depth) {
		path = stack[--depth];
		CHECK(tree_read(&ctx, path, &node) == 0);
		CHECK(!strcmp(node->path, path));
		if (!walked[node->perms.list[0].domid & 0xffff]++)
			owners[nr_owners++] = (uint16_t)node->perms.list[0].domid;
		CHECK(node->children_len == 0 || node->children[node->children_len - 1] == '\0');
		for (off = 0; off < node->children_len;
		     off += (unsigned int)strlen(node->children + off) + 1) {
			sub = xasprintf("%s/%s", strcmp(path, "/") ? path : "", node->children + off);
			/* Every child listed exists, once. */
			CHECK(tree_read(&ctx, sub, &child) == 0);
			CHECK(count_child(node, node->children + off) == 1);
			if (depth == room) {
				room *= 2;
				stack = xrealloc(stack, room * sizeof(*stack));
			}
			stack[depth++] = sub;
		}
		free(path);
	}
	free(stack);
}

void engine_finish(void)
{
	unsigned int d;
	struct conn *c;

	static unsigned int inputs;

	/*
	 * Every node is reachable, and the node counts are exact: of the owners found, and
	 * (every 16th input, it takes a while) of every domain id.
	 */
	walk_tree();
	for (d = 0; d < nr_owners; d++)
		CHECK(walked[owners[d]] == quota_nodes_owned(owners[d]));
	for (d = 0; ++inputs % 16 == 0 && d < 0x10000; d++)
		CHECK(walked[d] == quota_nodes_owned(d));
	for (d = 0; d < 2; d++)
		tool_close(&tools[d]);
	domain_fini();
	TAILQ_FOREACH(c, &conns, link)
		conn_kill(c, 0);
	conn_reap();
	CHECK(TAILQ_EMPTY(&conns));
	/* Every transaction gave back all it held. */
	for (d = 0; d < FAKE_DOMAINS; d++)
		CHECK(quota_memory_used(d) == 0);
	tree_fini();
	for (d = 0; d < 2; d++)
		tools[d].conn = NULL;
}
