/* A domain's vifs in xenstore as libxl writes them: frontend, backend, dom0's copy. */
#ifndef KEELCTL_XS_VIF_H
#define KEELCTL_XS_VIF_H

#include <stdbool.h>
#include <stdint.h>
#include "vif_spec.h"
#include "xs.h"
#include "xs_device.h"

/* vifs as xs_device.c sees them: qnic (keel-netback) and vif (xen-netback) backends. */
extern const struct xs_device_kind xs_vif_kind;

/* /local/domain/D/device/vif/V, /local/domain/0/backend/{qnic,vif}/D/V, /libxl/D/device/vif/V. */
char *xs_vif_fe_path(uint16_t domid, uint32_t devid);
char *xs_vif_be_path(uint16_t domid, enum vif_backend b, uint32_t devid);
char *xs_vif_priv_path(uint16_t domid, uint32_t devid);

/*
 * Writes the entries of @nr vifs of @domid (each with its devid and MAC set) in ONE
 * transaction: the frontend directory ([nD, r0]) with backend, backend-id, state 1, handle,
 * mac, trusted and, when given, mtu ([n0, rD]: the guest only reads it); the backend
 * directory ([n0, rD]) with frontend, frontend-id, online 1, state 1, handle, mac, bridge,
 * type vif, and ip, vifname, mtu when given; for a kernel backend script (xen-netback needs
 * one) and hotplug-status "" (it waits for keelctl's vif-bridge work); dom0's private copy ([n0]: frontend, backend, mac, bridge,
 * spec in vif_spec_format()'s form, vm = @vm). -EEXIST when a device id is taken.
 */
int xs_vifs_add(struct xs *xs, uint16_t domid, const char *vm, const struct vif_spec *v,
		unsigned int nr);

/* The next free vif id of @domid: one past the largest of its frontends and copies, or 0. */
int xs_vif_next_devid(struct xs *xs, uint16_t domid, uint32_t *devid);

/* Removes @nr vifs of @domid: xs_devices_remove() with the vif kind. */
int xs_vifs_remove(struct xs *xs, uint16_t domid, const uint32_t *devids, unsigned int nr,
		   const char *expect_vm, bool force, unsigned int timeout_ms);

#endif
