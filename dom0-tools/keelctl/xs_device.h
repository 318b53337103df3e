/* What a domain's split devices of every kind share in xenstore: dom0's copy and their removal. */
#ifndef KEELCTL_XS_DEVICE_H
#define KEELCTL_XS_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include "xs.h"

#ifndef XS_DEVICE_TIMEOUT_MS	/* the unit tests raise it: their host may be loaded */
#define XS_DEVICE_TIMEOUT_MS	10000	/* LIBXL_DESTROY_TIMEOUT, and attach's wait */
#endif
#define XS_DEVICE_POLL_MS	50
#define XS_BACKEND_PREFIX	"/local/domain/0/backend/"

#define XENBUS_INITWAIT		2
#define XENBUS_CONNECTED	4
#define XENBUS_CLOSING		5
#define XENBUS_CLOSED		6

/* One kind of device: "vbd" or "vif" under device/, with the backend kinds that serve it. */
struct xs_device_kind {
	const char *kind;		/* device/<kind>, /libxl/D/device/<kind> */
	const char *noun;		/* "disk", "vif": for messages */
	const char *const *backends;	/* backend/<name>/D/V names, NULL-terminated */
	/* Called after a device's nodes went, with its private copy's @release_key value. */
	const char *release_key;
	int (*release)(const char *value);
};

/* /local/domain/D/device/<kind>/V and /libxl/D/device/<kind>/V. */
char *xs_device_fe_path(const struct xs_device_kind *k, uint16_t domid, uint32_t devid);
char *xs_device_priv_path(const struct xs_device_kind *k, uint16_t domid, uint32_t devid);

/* @dir/@rel, or NULL when it cannot be read. */
char *xs_read_rel(struct xs *xs, uint32_t tx, const char *dir, const char *rel);

/* Does @path exist? false with *@rc set on an error other than ENOENT. */
bool xs_exists(struct xs *xs, uint32_t tx, const char *path, int *rc);

/* A XenbusState at @dir/state: 0 when missing (*@present false) or not a number. */
unsigned int xs_state_of(struct xs *xs, uint32_t tx, const char *dir, bool *present);

/*
 * Runs @fn in one transaction, retried while the commit meets EAGAIN (up to 10 times).
 * @fn returning non-zero aborts the transaction and is returned.
 */
int xs_transact(struct xs *xs, int (*fn)(struct xs *xs, uint32_t tx, void *arg), void *arg);

/* The device ids of @domid's devices of kind @k, from the private copies (a new array). */
int xs_devices_list(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
		    uint32_t **devids, unsigned int *nr);

/*
 * The private copies' "spec" of @domid's devices of kind @k (those of @expect_vm only, when
 * not NULL): a new NULL-terminated array of @nr strings.
 */
int xs_devices_specs(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
		     const char *expect_vm, char ***texts, unsigned int *nr);

/*
 * Removes @nr devices of @domid as libxl does (split-drivers.md 2.7): with @force the frontend
 * goes first; backend online=0 and state=5 in one transaction; up to @timeout_ms for every
 * backend to reach 6 (not waited for one nobody ever picked up); then frontend, backend,
 * error nodes and the private copy in one transaction, and @k->release. Only devices whose
 * copy names @expect_vm, when not NULL. Without @force, a device whose backend does not close
 * in time is left (-ETIMEDOUT). Returns the first error.
 */
int xs_devices_remove(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
		      const uint32_t *devids, unsigned int nr, const char *expect_vm, bool force,
		      unsigned int timeout_ms);

/* The backend's state (0 when missing or not a number) named by the device's private copy. */
int xs_device_backend_state(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
			    uint32_t devid, unsigned int *state);

#endif
