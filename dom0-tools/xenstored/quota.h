/* Limits on what an unprivileged domain may use, and what each domain owns and holds. */
#ifndef XENSTORED_QUOTA_H
#define XENSTORED_QUOTA_H

#include <stddef.h>

struct quota {
	unsigned int nodes;		/* nodes one domain may own (ENOSPC) */
	unsigned int value_size;	/* bytes in one node's value (ENOSPC) */
	unsigned int perms;		/* permission entries of one node (ENOSPC) */
	unsigned int watches;		/* watches of one connection (E2BIG) */
	unsigned int transactions;	/* open transactions of one connection (ENOSPC) */
	unsigned int transaction_nodes;	/* nodes one transaction may access (ENOSPC) */
	unsigned int memory;		/* bytes one domain's open transactions may hold (ENOSPC) */
	unsigned int outstanding;	/* replies held for a connection before its input waits */
	unsigned int events;		/* watch events held for a guest's connection before more
					 * are dropped (dom0's connections drop none) */
};

/* Dom0 is not held to nodes, value_size, perms, watches, transactions and their limits. */
extern struct quota quota;

/*
 * Sets one limit from "name=value", the field names above with '_' or '-' (Xen's
 * "transaction-nodes"); -EINVAL if malformed.
 */
int quota_set(const char *assignment);
/* Restores the default limits and forgets all node counts and memory. */
void quota_reset(void);
void quota_nodes_add(unsigned int domid, int delta);
unsigned int quota_nodes_owned(unsigned int domid);
/* What @domid's open transactions hold, in bytes (the memory quota applies to it). */
void quota_memory_add(unsigned int domid, long delta);
size_t quota_memory_used(unsigned int domid);

#endif
