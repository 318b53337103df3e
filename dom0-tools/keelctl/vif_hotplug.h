/* What Xen's vif-bridge script does for a backendtype=kernel vif: bridge, up, hotplug-status. */
#ifndef KEELCTL_VIF_HOTPLUG_H
#define KEELCTL_VIF_HOTPLUG_H

#include <stdbool.h>
#include <stdint.h>
#include "vif_spec.h"
#include "xs.h"

/* dom0's interfaces, through these (tests put fakes in). Each returns 0 or -errno. */
struct vif_netops {
	bool (*exists)(const char *ifname);
	int (*rename)(const char *from, const char *to);
	int (*set_mtu)(const char *ifname, unsigned int mtu);
	int (*bridge_add)(const char *bridge, const char *ifname);
	int (*set_up)(const char *ifname);
};
extern const struct vif_netops vif_netops_linux;	/* ioctls on an AF_INET socket */
extern const struct vif_netops *vif_netops;		/* what keelctl uses */

/*
 * For @v, a kernel vif of @domid just written: waits up to @timeout_ms for xen-netback to
 * take it (backend state 2) and make vif<D>.<V> (just after it wrote state 2), renames it to vifname= if given, sets mtu=,
 * adds it to the bridge and brings it up, then writes the backend's hotplug-status
 * "connected" (netback connects the guest only then). On failure hotplug-status "error" and
 * hotplug-error say why. 0 or -errno with a message naming @who.
 */
int vif_hotplug_online(struct xs *xs, const char *who, uint16_t domid, const struct vif_spec *v,
		       unsigned int timeout_ms);

/* dom0's name for @v's interface: vifname=, else vif<D>.<V>. A new string. */
char *vif_ifname(uint16_t domid, const struct vif_spec *v);

#endif
