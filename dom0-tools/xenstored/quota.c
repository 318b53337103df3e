/* Limits on what an unprivileged domain may use, and the count of nodes each domain owns. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "path.h"
#include "quota.h"

/* Xen's xenstored defaults, and a bound on queued watch events. */
static const struct quota default_quota = {
	.nodes = 1000,
	.value_size = 2048,
	.perms = 5,
	.watches = 128,
	.transactions = 10,
	.outstanding = 20,
	.events = 1024,
};

struct quota quota = default_quota;

static unsigned int nodes_owned[0x10000];

static const struct {
	const char *name;
	size_t offset;
} quota_names[] = {
	{ "nodes", offsetof(struct quota, nodes) },
	{ "value_size", offsetof(struct quota, value_size) },
	{ "perms", offsetof(struct quota, perms) },
	{ "watches", offsetof(struct quota, watches) },
	{ "transactions", offsetof(struct quota, transactions) },
	{ "outstanding", offsetof(struct quota, outstanding) },
	{ "events", offsetof(struct quota, events) },
};

int quota_set(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	uint32_t value;
	size_t i;

	if (!eq || parse_u32(eq + 1, &value) || value == 0)
		return -EINVAL;
	for (i = 0; i < sizeof(quota_names) / sizeof(quota_names[0]); i++) {
		if (strlen(quota_names[i].name) == (size_t)(eq - assignment) &&
		    !strncmp(quota_names[i].name, assignment, (size_t)(eq - assignment))) {
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
