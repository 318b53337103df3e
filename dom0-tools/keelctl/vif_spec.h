/* xl's vif specifications ('mac=00:16:3e:01:02:03,bridge=xenbr0') and MAC addresses. */
#ifndef KEELCTL_VIF_SPEC_H
#define KEELCTL_VIF_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#define VIF_SPEC_MAX	1024	/* longer specifications are refused */
#define VIF_MAX_DEVID	65535	/* vif<D>.<V> must fit an interface name */
#define VIF_MIN_MTU	68	/* IPv4's minimum */
#define VIF_MAX_MTU	65535	/* netif's largest frame less nothing: XEN_NETIF_MAX_TX_SIZE */
#define VIF_DEFAULT_BRIDGE "xenbr0"
#define IFNAME_MAX	15	/* IFNAMSIZ less the NUL */

enum vif_backend {
	VIF_BACKEND_KEEL,	/* keel's keel-netback daemon, backend/qnic (the default) */
	VIF_BACKEND_KERNEL,	/* Linux's in-kernel xen-netback in dom0, backend/vif */
};

struct vif_spec {
	char *text;		/* the specification as written */
	uint8_t mac[6];
	bool mac_given;		/* else keelctl picks one (vif_spec_pick_mac) */
	int devid;		/* -1: the next free one */
	char *bridge;		/* default xenbr0 */
	char *ip;		/* NULL, or addresses (space-separated), stored for scripts */
	char *vifname;		/* NULL, or dom0's name for the interface */
	char *model;		/* NULL: emulated NICs' only (accepted, stored) */
	unsigned int mtu;	/* 0: not given (1500) */
	bool trusted;		/* fe "trusted": default on */
	enum vif_backend backend;
};

/*
 * Parses one vif specification (xl-network-configuration(5)): comma-separated KEY=VALUE items
 * (mac, bridge, ip, vifname, mtu, model, type, script, backend, devid, backendtype=keel|kernel)
 * and the flags trusted / untrusted. What keel cannot do is refused by name (rate, vlan,
 * gatewaydev, type=ioemu, ...). Returns 0, or -1 with *@err a new string saying what is wrong.
 */
int vif_spec_parse(const char *text, struct vif_spec *v, char **err);
void vif_spec_free(struct vif_spec *v);

/*
 * The specification of @v as a new string in one canonical form, MAC and devid included, so
 * that parsing it gives the same device again (what a restarted domain gets).
 */
char *vif_spec_format(const struct vif_spec *v);

/*
 * A MAC "aa:bb:cc:dd:ee:ff" (or '-' between the pairs, any case) of a unicast address that
 * is not all zeros. 0 or -1 with *@why (static text) saying what is wrong.
 */
int mac_parse(const char *s, uint8_t mac[6], const char **why);
/* Lowercase hex with colons, as libxl writes it. */
void mac_format(const uint8_t mac[6], char out[18]);
/* xl's random MAC: 00:16:3e, then three random bytes, the first of them below 0x80. */
int mac_random(uint8_t mac[6]);

/* "qnic" or "vif": the backend directory's kind; "keel" or "kernel": the backendtype. */
const char *vif_backend_kind(enum vif_backend b);
const char *vif_backend_name(enum vif_backend b);

/* Is @name a usable Linux interface name (1..15 characters, no '/', ':' or blanks)? */
bool ifname_valid(const char *name);

#endif
