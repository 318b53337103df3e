/* What Xen's vif-bridge script does for a backendtype=kernel vif: bridge, up, hotplug-status. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>
#include "util.h"
#include "vif_hotplug.h"
#include "xs_device.h"
#include "xs_domain.h"
#include "xs_vif.h"

/* One request on a throwaway socket; fills @ifr->ifr_name with @ifname. */
static int ifreq_ioctl(unsigned long req, const char *ifname, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	if (strlen(ifname) >= IFNAMSIZ) {
		close(fd);
		return -ENAMETOOLONG;
	}
	strncpy(ifr->ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(fd, req, ifr) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static bool linux_exists(const char *ifname)
{
	return if_nametoindex(ifname) != 0;
}

static int linux_rename(const char *from, const char *to)
{
	struct ifreq ifr = { 0 };

	strncpy(ifr.ifr_newname, to, IFNAMSIZ - 1);
	return ifreq_ioctl(SIOCSIFNAME, from, &ifr);
}

static int linux_set_mtu(const char *ifname, unsigned int mtu)
{
	struct ifreq ifr = { .ifr_mtu = (int)mtu };

	return ifreq_ioctl(SIOCSIFMTU, ifname, &ifr);
}

static int linux_bridge_add(const char *bridge, const char *ifname)
{
	struct ifreq ifr = { 0 };
	unsigned int index = if_nametoindex(ifname);

	if (!index)
		return -errno;
	ifr.ifr_ifindex = (int)index;
	return ifreq_ioctl(SIOCBRADDIF, bridge, &ifr);
}

static int linux_set_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int rc = ifreq_ioctl(SIOCGIFFLAGS, ifname, &ifr);

	if (rc)
		return rc;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(SIOCSIFFLAGS, ifname, &ifr);
}

const struct vif_netops vif_netops_linux = {
	.exists = linux_exists, .rename = linux_rename, .set_mtu = linux_set_mtu,
	.bridge_add = linux_bridge_add, .set_up = linux_set_up,
};
const struct vif_netops *vif_netops = &vif_netops_linux;

char *vif_ifname(uint16_t domid, const struct vif_spec *v)
{
	return v->vifname ? xstrdup(v->vifname) : xasprintf("vif%u.%d", domid, v->devid);
}

/*
 * Up to @timeout_ms for the backend to reach InitWait (or later) with interface @ifname made
 * (xen-netback writes InitWait first). 0, -ETIMEDOUT or -EIO.
 */
static int wait_for_netback(struct xs *xs, const char *be, const char *ifname,
			    unsigned int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		bool present;
		unsigned int state = xs_state_of(xs, 0, be, &present);

		if (!present)
			return -ENOENT;
		if (state >= XENBUS_INITWAIT && state <= XENBUS_CONNECTED &&
		    vif_netops->exists(ifname))
			return 0;
		if (state > XENBUS_CONNECTED)
			return -EIO;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		sleep_ms(XS_DEVICE_POLL_MS);
	}
}

int vif_hotplug_online(struct xs *xs, const char *who, uint16_t domid, const struct vif_spec *v,
		       unsigned int timeout_ms)
{
	char *be = xs_vif_be_path(domid, v->backend, (uint32_t)v->devid);
	char *made = xasprintf("vif%u.%d", domid, v->devid), *name = vif_ifname(domid, v);
	char *why = NULL;
	int rc = wait_for_netback(xs, be, made, timeout_ms);

	if (rc) {
		kc_err("%s (d%u): vif %d: %s", who, domid, v->devid,
		       rc == -ETIMEDOUT ? "xen-netback did not take it (is xen-netback loaded?)" :
		       "xen-netback refused it");
		goto out;
	}
	if (strcmp(made, name)) {
		rc = vif_netops->rename(made, name);
		why = rc ? xasprintf("cannot rename %s to %s", made, name) : NULL;
	}
	if (!rc && v->mtu) {
		rc = vif_netops->set_mtu(name, v->mtu);
		why = rc ? xasprintf("cannot set the MTU of %s to %u", name, v->mtu) : NULL;
	}
	if (!rc) {
		rc = vif_netops->bridge_add(v->bridge, name);
		why = rc ? xasprintf("cannot add %s to bridge %s", name, v->bridge) : NULL;
	}
	if (!rc) {
		rc = vif_netops->set_up(name);
		why = rc ? xasprintf("cannot bring %s up", name) : NULL;
	}
	if (rc) {
		char *full = xasprintf("%s: %s", why, strerror(-rc));

		kc_err("%s (d%u): vif %d: %s", who, domid, v->devid, full);
		xs_put(xs, 0, be, "hotplug-error", full);
		xs_put(xs, 0, be, "hotplug-status", "error");
		free(full);
		goto out;
	}
	rc = xs_put(xs, 0, be, "hotplug-status", "connected");
	if (rc)
		kc_err("%s (d%u): vif %d: cannot write hotplug-status: %s", who, domid, v->devid,
		       strerror(-rc));
out:
	free(why);
	free(be);
	free(made);
	free(name);
	return rc;
}
