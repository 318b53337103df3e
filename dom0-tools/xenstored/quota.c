/* Limits on what an unprivileged domain may use, and what each domain owns and holds. */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "path.h"
#include "quota.h"

/* Xen's xenstored defaults, and a bound on queued watch events. */
#define DEFAULT_QUOTA {				\
	.nodes = 1000,				\
	.value_size = 2048,			\
	.perms = 5,				\
	.watches = 128,				\
	.transactions = 10,			\
	.transaction_nodes = 1024,		\
	.memory = 2 * 1024 * 1024,		\
	.outstanding = 20,			\
	.events = 1024,				\
}

static const struct quota default_quota = DEFAULT_QUOTA;

struct quota quota = DEFAULT_QUOTA;

static unsigned int nodes_owned[0x10000];
static size_t memory_used[0x10000];

static const struct {
	const char *name;
	size_t offset;
} quota_names[] = {
	{ "nodes", offsetof(struct quota, nodes) },
	{ "value_size", offsetof(struct quota, value_size) },
	{ "perms", offsetof(struct quota, perms) },
	{ "watches", offsetof(struct quota, watches) },
	{ "transactions", offsetof(struct quota, transactions) },
	{ "transaction_nodes", offsetof(struct quota, transaction_nodes) },
	{ "memory", offsetof(struct quota, memory) },
	{ "outstanding", offsetof(struct quota, outstanding) },
	{ "events", offsetof(struct quota, events) },
};

/* Is @name (@len bytes) @field, reading '-' as '_'? */
static bool name_is(const char *name, size_t len, const char *field)
{
	size_t i;

	if (strlen(field) != len)
		return false;
	for (i = 0; i < len; i++)
		if (name[i] != field[i] && !(name[i] == '-' && field[i] == '_'))
			return false;
	return true;
}

int quota_set(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	uint32_t value;
	size_t i;

	if (!eq || parse_u32(eq + 1, &value) || value == 0)
		return -EINVAL;
	for (i = 0; i < sizeof(quota_names) / sizeof(quota_names[0]); i++) {
		if (name_is(assignment, (size_t)(eq - assignment), quota_names[i].name)) {
			*(unsigned int *)((char *)&quota + quota_names[i].offset) = value;
			return 0;
		}
	}
	return -EINVAL;
}

void quota_reset(void)
{
	quota = default_quota;
	memset(nodes_owned, 0, sizeof(nodes_owned));
	memset(memory_used, 0, sizeof(memory_used));
}

void quota_nodes_add(unsigned int domid, int delta)
{
	unsigned int *count = &nodes_owned[domid & 0xffff];

	if (delta < 0 && *count < (unsigned int)-delta)
		*count = 0;
	else
		*count += (unsigned int)delta;
}

unsigned int quota_nodes_owned(unsigned int domid)
{
	return nodes_owned[domid & 0xffff];
}

void quota_memory_add(unsigned int domid, long delta)
{
	size_t *used = &memory_used[domid & 0xffff];

	/* Every byte given back was counted first. */
	assert(delta >= 0 || *used >= (size_t)-delta);
	*used += (size_t)delta;
}

size_t quota_memory_used(unsigned int domid)
{
	return memory_used[domid & 0xffff];
}
