/* The PV console ring (HVM_PARAM_CONSOLE_PFN page) and the xenstore ring page header (Xen's layouts). */
#ifndef PUBLIC_CONSOLE_H
#define PUBLIC_CONSOLE_H

#include <keel/types.h>

typedef u32 XENCONS_RING_IDX;
#define XENCONS_IN_SIZE 1024
#define XENCONS_OUT_SIZE 2048

struct xencons_interface {
	char in[XENCONS_IN_SIZE];
	char out[XENCONS_OUT_SIZE];
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
};

#define XENSTORE_RING_SIZE 1024
#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];
	char rsp[XENSTORE_RING_SIZE];
	u32 req_cons, req_prod;
	u32 rsp_cons, rsp_prod;
	u32 server_features;
	u32 connection;
	u32 error;
};

#endif
