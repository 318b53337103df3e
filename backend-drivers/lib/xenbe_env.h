/* A dom0 backend's view of the outside world: xenstore, grants, event channels, behind ops. */
#ifndef XENBE_ENV_H
#define XENBE_ENV_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sys/gntdev.h>

/*
 * The daemon uses /dev/xen/gntdev, /dev/xen/evtchn and xenstored's socket (xenbe_linux.c);
 * the host unit tests put a simulated frontend behind the same ops (tests/unit/bb_fake.c for
 * keel-blkback).
 * Every op takes the env's @priv first. Strings returned are malloc()ed: the caller frees.
 */
struct xenbe_env_ops {
	/* xenstore: 0 or -errno (-ENOENT when missing). @tx 0: no transaction. */
	int (*xs_read)(void *priv, uint32_t tx, const char *path, char **value);
	int (*xs_write)(void *priv, uint32_t tx, const char *path, const char *value);
	int (*xs_rm)(void *priv, uint32_t tx, const char *path);
	/* A NULL-terminated array of names; free each and the array. */
	int (*xs_directory)(void *priv, const char *path, char ***names, unsigned int *nr);
	int (*xs_watch)(void *priv, const char *path, const char *token);
	int (*xs_unwatch)(void *priv, const char *path, const char *token);
	int (*xs_tx_start)(void *priv, uint32_t *tx);
	/* 0, or -EAGAIN when the transaction must be retried. */
	int (*xs_tx_end)(void *priv, uint32_t tx, bool commit);
	/* Is the domain still alive (not yet released)? */
	bool (*domain_alive)(void *priv, uint16_t domid);

	/*
	 * Maps @n grants of @domid contiguously; NULL with errno on failure (all or nothing).
	 * Unmap all @n pages at once, or any of them alone: the grants of one map may stay
	 * mapped (dom0 holds them) until the last of its pages is unmapped.
	 */
	void *(*gnt_map)(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
			 bool writable);
	void (*gnt_unmap)(void *priv, void *addr, unsigned int n);
	/* Batched grant copy: 0 and each segment's status set, or -errno (statuses undefined). */
	int (*gnt_copy)(void *priv, struct ioctl_gntdev_grant_copy_segment *segs, unsigned int n);

	/* Binds the guest's @remote_port: the local port, or -errno. */
	int (*evtchn_bind)(void *priv, uint16_t domid, uint32_t remote_port);
	void (*evtchn_unbind)(void *priv, uint32_t port);
	void (*evtchn_notify)(void *priv, uint32_t port);
	/* Re-enables a port after its event was handled (the evtchn device's late EOI). */
	void (*evtchn_unmask)(void *priv, uint32_t port);
};

struct xenbe_env {
	const struct xenbe_env_ops *ops;
	void *priv;
};

#endif
