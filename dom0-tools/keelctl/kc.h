/* What every command works with: the hypervisor, xenstore and the output, opened on demand. */
#ifndef KEELCTL_KC_H
#define KEELCTL_KC_H

#include <stdbool.h>
#include <stdio.h>
#include "hv.h"
#include "xs.h"

struct kc {
	struct hv *hv;		/* NULL until kc_hv() opens it (tests set a fake) */
	struct xs *xs;		/* NULL until kc_xs() connects */
	const char *xs_path;	/* NULL: $XENSTORED_PATH or the default */
	FILE *out;		/* command output: stdout, or a memory stream in tests */
	bool verbose;		/* keelctl -v: more detail (list -v, create's steps) */
};

/* The hypervisor / xenstore connection, opened the first time; NULL with a message. */
struct hv *kc_hv(struct kc *kc);
struct xs *kc_xs(struct kc *kc);
/* Closes what kc_hv() and kc_xs() opened. */
void kc_close(struct kc *kc);

#endif
