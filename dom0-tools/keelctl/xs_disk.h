/* A domain's virtual disks in xenstore as libxl writes them: frontend, backend, dom0's copy. */
#ifndef KEELCTL_XS_DISK_H
#define KEELCTL_XS_DISK_H

#include <stdbool.h>
#include <stdint.h>
#include "disk_spec.h"
#include "disk_target.h"
#include "xs.h"
#include "xs_device.h"

#define XS_DISK_TIMEOUT_MS	XS_DEVICE_TIMEOUT_MS
#define XS_DISK_POLL_MS		XS_DEVICE_POLL_MS

/* Disks as xs_device.c sees them: qdisk and vbd backends, loop devices released. */
extern const struct xs_device_kind xs_vbd_kind;

/* /local/domain/D/device/vbd/V, /local/domain/0/backend/{qdisk,vbd}/D/V, /libxl/D/device/vbd/V. */
char *xs_disk_fe_path(uint16_t domid, uint32_t devid);
char *xs_disk_be_path(uint16_t domid, enum disk_backend b, uint32_t devid);
char *xs_disk_priv_path(uint16_t domid, uint32_t devid);

/*
 * Writes the entries of @nr disks of @domid in ONE transaction (retried on EAGAIN): the
 * frontend directory (owned by the guest, dom0 reads: [nD, r0]) with backend, backend-id,
 * state 1, virtual-device, device-type and trusted; the backend directory ([n0, rD]) with
 * frontend, frontend-id, online, state 1, params, type, mode, dev, device-type, removable,
 * bootable, discard-enable, direct-io-safe, specification and, for phy, physical-device(-path)
 * from @phys[i]; and dom0's private copy ([n0]: frontend, backend, params, vdev, vm = @vm,
 * loop) that teardown trusts. -EEXIST when a device id is taken. 0 or -errno.
 */
int xs_disks_add(struct xs *xs, uint16_t domid, const char *vm, const struct disk_spec *d,
		 const struct disk_phys *phys, unsigned int nr);

/*
 * The specifications of @domid's disks as written (their private copies' "spec"), those of
 * @expect_vm only when not NULL: a new NULL-terminated array of @nr strings.
 */
int xs_disks_specs(struct xs *xs, uint16_t domid, const char *expect_vm, char ***texts,
		   unsigned int *nr);

/* The device ids of @domid's disks, from the private copies (a new array, maybe empty). */
int xs_disks_list(struct xs *xs, uint16_t domid, uint32_t **devids, unsigned int *nr);

/*
 * Removes @nr disks of @domid: xs_devices_remove(), keelctl's loop devices released after.
 */
int xs_disks_remove(struct xs *xs, uint16_t domid, const uint32_t *devids, unsigned int nr,
		    const char *expect_vm, bool force, unsigned int timeout_ms);

/* The backend's state (0 when missing or not a number) of the disk's private copy. */
int xs_disk_backend_state(struct xs *xs, uint16_t domid, uint32_t devid, unsigned int *state);

#endif
