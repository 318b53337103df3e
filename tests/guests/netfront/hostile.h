/* The hostile-frontend cases the netfront guest plays on vif 0 while vif 1 (if any) keeps serving. */
#ifndef NETFRONT_GUEST_HOSTILE_H
#define NETFRONT_GUEST_HOSTILE_H

#include "net.h"

/* Every case, each answered with a "netfront: PASS/FAIL <case>" line; @w may be NULL. */
void hostile_run(struct net *a, struct net *w);

/* Shared by the case files (hostile.c). */
struct hostile {
	struct net *a, *w;
	struct netfront_opts opts;
	bool usable;			/* vif 0 is connected and trusted */
	u32 cases;
};

/* Grant refs the guest's pool never hands out (main.c keeps them back): never granted. */
#define H_UNGRANTED_FIRST 2032
#define H_UNGRANTED_REF_STR "2047"

/* What a case may end in. */
enum h_want {
	H_DISABLE,	/* the backend fails the device (state 5, error) or stops the ring */
	H_DROP,		/* every slot answered, the packet's not OKAY, still Connected */
	H_ANSWER,	/* every slot answered, any status, still Connected */
	H_OKAY,		/* every slot answered OKAY, still Connected */
};

/* One TX slot of a hostile packet: a data slot (page content made up) or an extra. */
struct h_slot {
	u16 flags, offset, size;
	bool extra;
	struct nf_extra ex;
	bool gref_override;		/* put @gref in the slot instead of the id's own */
	u32 gref;
	bool revoke;			/* revoke the id's grant before pushing */
};

void h_pass(const char *name, const char *fmt, ...) __printf(2, 3);
#define h_fail(name, fmt, ...) \
	CHECK(false, "netfront: FAIL %s: " fmt, name, ##__VA_ARGS__)

/* Put @n slots on vif 0's TX ring, push, and judge the outcome against @want. */
void h_packet(struct hostile *h, const char *name, const struct h_slot *s, unsigned int n,
	      enum h_want want);
/* Wait until every TX slot is answered (0), the device leaves Connected (-ENODEV), or time out. */
int h_wait_tx(struct hostile *h, u64 timeout_ns);
/* The device failed or stopped: check state 5 and the error node, then reconnect vif 0. */
void h_device_failed(struct hostile *h, const char *name, bool stopped_ok);
/* Close and reconnect vif 0 (with @o, or the normal options when NULL). */
bool h_reconnect(struct hostile *h, const char *name, const struct netfront_opts *o);
/* After each case: the witness and (if usable) vif 0 still reach dom0. */
void h_after(struct hostile *h, const char *name);

void hostile_tx_cases(struct hostile *h);
void hostile_rx_cases(struct hostile *h);
void hostile_xenbus_cases(struct hostile *h);
/* The last case: vif 0 deletes its own device directory. */
void hostile_delete_dir(struct hostile *h);

#endif
