/* A domain's PV console ring, served by keel (HVM_PARAM_CONSOLE_PFN/EVTCHN). */
#ifndef KEEL_CONSOLE_RING_H
#define KEEL_CONSOLE_RING_H

#include <keel/types.h>

struct domain;

/*
 * Set up the ring page and its event channel and publish both in @d's HVM
 * params; @input: keel's console input goes to this ring (dom0).
 */
int console_ring_init(struct domain *d, bool input);

#endif
