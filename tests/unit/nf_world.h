/* The host world of the net frontend's test: guest primitives, a simulated net backend, a bridge and a dom0 host. */
#ifndef TESTS_UNIT_NF_WORLD_H
#define TESTS_UNIT_NF_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#define NFW_DOMID 5
#define NFW_GREFS 2048
#define NFW_PORTS 256
#define NFW_VIFS 2

/* ---- the world (nf_world.c): xenstore nodes, grants, ports, time ---- */
void nfw_init(void);
void nfw_fini(void);
/* Nodes as dom0 sees them (absolute paths). */
const char *nfw_read(const char *path);
void nfw_write(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nfw_rm(const char *path);
/* Guest grant @ref: its page when valid (and writable if @write), else NULL. */
uint8_t *nfw_grant_page(uint32_t ref, bool write);
/* The backend maps / unmaps a guest grant (mapped grants cannot be revoked). */
uint8_t *nfw_map(uint32_t ref);
void nfw_unmap(uint32_t ref);
unsigned int nfw_maps(void);
/* A guest port the backend may bind (allocated for dom0, not closed). */
bool nfw_port_ok(uint32_t port);
/* The backend notifies the guest on @port. */
void nfw_notify_guest(uint32_t port);
uint64_t nfw_now(void);
/* One step of virtual time: the backend's xenbus work and the host's timers. */
void nfw_step(void);
/* Called at each step (reentrancy is the caller's business), e.g. a second frontend's loop. */
extern void (*nfw_step_hook)(void);

/* ---- the simulated backend, bridge and dom0 host (nf_sim.c) ---- */
struct nfs_stats {
	unsigned int tx_packets, tx_dropped, tx_null, fatal, rx_packets, rx_errors, rx_queue_drops;
};
extern struct nfs_stats nfs;

/* Toolstack keys for vifs 0..@n-1 of domain 5 (as keelctl writes them); the backend starts. */
void nfs_setup(unsigned int n);
void nfs_fini(void);
/* Each step: xenbus state machines, RX queues, the host's stream timers. */
void nfs_step(void);
/* A guest event on @port. */
void nfs_event(uint32_t port);
/* Backend state of vif @h. */
int nfs_be_state(unsigned int h);

#endif
