/* The xenstore wire protocol as a guest speaks it: message types, header, the shared ring page. */
#ifndef GUEST_XS_PROTO_H
#define GUEST_XS_PROTO_H

#include <keel/types.h>

/* Message types (Xen's xs_wire.h numbering). */
enum xs_msg_type {
	XS_CONTROL = 0,
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
};

/* Every message: this header, then len bytes of payload. */
struct xs_msg_hdr {
	u32 type;
	u32 req_id;
	u32 tx_id;
	u32 len;
};

#define XS_PAYLOAD_MAX 4096
#define XS_RING_SIZE 1024

/* The page HVM_PARAM_STORE_PFN names. Indices are free-running. */
struct xs_ring_page {
	char req[XS_RING_SIZE];
	char rsp[XS_RING_SIZE];
	u32 req_cons, req_prod;
	u32 rsp_cons, rsp_prod;
	u32 server_features;
	u32 connection;
	u32 error;
};

BUILD_BUG_ON(sizeof(struct xs_msg_hdr) != 16);
BUILD_BUG_ON(offsetof(struct xs_ring_page, req_cons) != 2048);
BUILD_BUG_ON(offsetof(struct xs_ring_page, rsp_prod) != 2060);

#endif
