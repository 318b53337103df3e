/* dom0's host on a simulated bridge for the net frontend's host tests: ARP, ping and keel-netpeer's stream core. */
#ifndef TESTS_UNIT_NF_HOST_H
#define TESTS_UNIT_NF_HOST_H

#include <stdbool.h>
#include <stdint.h>

#define NFH_IP 0x0a000001u		/* 10.0.0.1 */

extern const uint8_t nfh_mac[6];

struct nfh_stats {
	unsigned int arp, echo, bad_csum, udp;
};
extern struct nfh_stats nfh;

/* Start afresh; the host's frames go out through @out (the bridge). */
void nfh_init(void (*out)(const uint8_t *frame, uint32_t len));
/* A frame for the host (its MAC or broadcast) at time @now_ns. */
void nfh_input(const uint8_t *frame, uint32_t len, uint64_t now_ns);
/* The stream peer's timers. */
void nfh_tick(uint64_t now_ns);
unsigned int nfh_peer_finished(void);
unsigned int nfh_peer_damaged(void);

#endif
