/* Limits on what an unprivileged domain may use, and the count of nodes each domain owns. */
#ifndef XENSTORED_QUOTA_H
#define XENSTORED_QUOTA_H

struct quota {
	unsigned int nodes;		/* nodes one domain may own (ENOSPC) */
	unsigned int value_size;	/* bytes in one node's value (ENOSPC) */
	unsigned int perms;		/* permission entries of one node (ENOSPC) */
	unsigned int watches;		/* watches of one connection (E2BIG) */
	unsigned int transactions;	/* open transactions of one connection (ENOSPC) */
	unsigned int outstanding;	/* replies held for a connection before its input waits */
	unsigned int events;		/* watch events held for a connection before more are dropped */
};

/* Dom0 is not held to nodes, value_size, perms, watches and transactions. */
extern struct quota quota;

/* Sets one limit from "name=value" (the field names above); -EINVAL if malformed. */
int quota_set(const char *assignment);
/* Restores the default limits and forgets all node counts. */
void quota_reset(void);
void quota_nodes_add(unsigned int domid, int delta);
unsigned int quota_nodes_owned(unsigned int domid);

#endif
