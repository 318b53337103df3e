/* The daemon's TAP devices: /dev/net/tun, the interface's MAC, MTU, flags and bridge port. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include "tap.h"

/*
 * The TAP's queue (frames dom0 sent that the daemon has not read): small, as xen-netback's is
 * bounded, so a guest that stops posting RX buffers pins at most this many frames (64 KiB
 * each at most) until the drain timeout drops them. Linux's default (500) pins ~32 MiB.
 */
#define TAP_TXQLEN	64

/* One ioctl on an AF_INET datagram socket (interface and bridge configuration). */
static int ifioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	if (ioctl(s, req, ifr) < 0)
		rc = -errno;
	close(s);
	return rc;
}

static int configure(const char *name, const char *bridge, unsigned int mtu)
{
	static const uint8_t mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct ifreq ifr;
	int rc, index;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, sizeof(mac));
	rc = ifioctl(SIOCSIFHWADDR, &ifr);
	if (rc)
		return rc;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_mtu = (int)mtu;
	rc = ifioctl(SIOCSIFMTU, &ifr);
	if (rc)
		return rc;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	rc = ifioctl(SIOCGIFINDEX, &ifr);
	if (rc)
		return rc;
	index = ifr.ifr_ifindex;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_qlen = TAP_TXQLEN;
	rc = ifioctl(SIOCSIFTXQLEN, &ifr);
	if (rc)
		return rc;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", bridge);
	ifr.ifr_ifindex = index;
	rc = ifioctl(SIOCBRADDIF, &ifr);
	if (rc)
		return rc;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	rc = ifioctl(SIOCGIFFLAGS, &ifr);
	if (rc)
		return rc;
	ifr.ifr_flags |= IFF_UP;
	return ifioctl(SIOCSIFFLAGS, &ifr);
}

static int t_open(void *priv, const char *name, const char *bridge, unsigned int mtu)
{
	struct ifreq ifr;
	int fd, hdr = (int)sizeof(struct virtio_net_hdr), rc;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = configure(name, bridge, mtu);
	if (rc) {
		close(fd);	/* not persistent: the interface goes with the descriptor */
		return rc;
	}
	return fd;
}

static void t_close(void *priv, int tap)
{
	close(tap);
}

static int t_set_offload(void *priv, int tap, unsigned int flags)
{
	return ioctl(tap, TUNSETOFFLOAD, (unsigned long)flags) < 0 ? -errno : 0;
}

static int t_write(void *priv, int tap, const struct iovec *iov, int iovcnt)
{
	return writev(tap, iov, iovcnt) < 0 ? -errno : 0;
}

static ssize_t t_read(void *priv, int tap, void *buf, size_t len)
{
	ssize_t n = read(tap, buf, len);

	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

const struct nb_tap_ops nb_linux_tap_ops = {
	.open = t_open,
	.close = t_close,
	.set_offload = t_set_offload,
	.write = t_write,
	.read = t_read,
};
