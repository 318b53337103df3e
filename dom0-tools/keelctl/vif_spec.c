/* xl's vif specifications ('mac=00:16:3e:01:02:03,bridge=xenbr0') and MAC addresses. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "util.h"
#include "vif_spec.h"

#define MODEL_MAX	64

/* ---- MAC addresses ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int mac_parse(const char *s, uint8_t mac[6], const char **why)
{
	uint8_t m[6];
	char sep = 0;

	*why = "is not a MAC address (six hex pairs: 00:16:3e:12:34:56)";
	if (strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		m[i] = (uint8_t)(hi << 4 | lo);
		if (i == 5)
			break;
		if (s[3 * i + 2] != ':' && s[3 * i + 2] != '-')
			return -1;
		if (sep && s[3 * i + 2] != sep)
			return -1;
		sep = s[3 * i + 2];
	}
	if (m[0] & 1) {
		*why = "is a multicast address (the first byte must be even)";
		return -1;
	}
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5])) {
		*why = "is all zeros";
		return -1;
	}
	memcpy(mac, m, 6);
	*why = NULL;
	return 0;
}

void mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

int mac_random(uint8_t mac[6])
{
	uint8_t r[3];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			got += (size_t)n;
	}
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = r[0] & 0x7f;
	mac[4] = r[1];
	mac[5] = r[2];
	return 0;
}

const char *vif_backend_kind(enum vif_backend b)
{
	return b == VIF_BACKEND_KERNEL ? "vif" : "qnic";
}

const char *vif_backend_name(enum vif_backend b)
{
	return b == VIF_BACKEND_KERNEL ? "kernel" : "keel";
}

bool ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > IFNAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == ':' || !isgraph((unsigned char)*c))
			return false;
	return true;
}

/* ---- the specification ---- */

enum param { P_MAC, P_BRIDGE, P_IP, P_VIFNAME, P_MTU, P_MODEL, P_TYPE, P_SCRIPT, P_BACKEND,
	     P_BACKENDTYPE, P_DEVID, P_TRUSTED, NR_PARAMS };

static const char *const param_names[NR_PARAMS] = {
	"mac", "bridge", "ip", "vifname", "mtu", "model", "type", "script", "backend",
	"backendtype", "devid", "trusted",
};

/* xl keys keel has nothing behind: refused by name. */
static const char *const unsupported[] = {
	"rate", "vlan", "gatewaydev", "forwarddev", "netdev", "accel", "colo_compare",
	"colo_sock_mirror_id", "colo_filter_mirror_id",
};

struct parse {
	struct vif_spec *v;
	char **err;
	bool given[NR_PARAMS];
};

static int __printf(2, 3) fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (*p->err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(p->err, fmt, ap) < 0)
		*p->err = NULL;
	va_end(ap);
	if (!*p->err)
		*p->err = xstrdup("out of memory");
	return -1;
}

static int once(struct parse *p, enum param which)
{
	if (p->given[which])
		return fail(p, "%s is given twice", param_names[which]);
	p->given[which] = true;
	return 0;
}

/* All of @s decimal, no leading zero, at most @max. */
static bool decimal(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		n = n * 10 + (unsigned long)(*s - '0');
		if (n > max)
			return false;
	}
	*v = n;
	return true;
}

/* Space-separated IPv4 or IPv6 addresses, as xl's ip= takes them. */
static int set_ip(struct parse *p, const char *v)
{
	char *copy = xstrdup(v), *save = NULL;
	int n = 0, rc = 0;

	for (char *a = strtok_r(copy, " ", &save); a && !rc; a = strtok_r(NULL, " ", &save)) {
		unsigned char buf[16];

		if (inet_pton(AF_INET, a, buf) != 1 && inet_pton(AF_INET6, a, buf) != 1)
			rc = fail(p, "ip '%s' is not an IPv4 or IPv6 address", a);
		n++;
	}
	free(copy);
	if (!rc && !n)
		rc = fail(p, "ip is empty");
	if (!rc)
		p->v->ip = xstrdup(v);
	return rc;
}

static int set_ifname(struct parse *p, const char *key, const char *v, char **dst)
{
	if (!ifname_valid(v))
		return fail(p, "%s '%s' is not an interface name (1 to %d characters, no '/', ':' or blanks)",
			    key, v, IFNAME_MAX);
	*dst = xstrdup(v);
	return 0;
}

static int named(struct parse *p, const char *key, const char *v)
{
	enum param which = NR_PARAMS;
	unsigned long n;
	const char *why;

	for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (!strcmp(key, unsupported[i]))
			return fail(p, "%s is not supported by keel", key);
	for (int i = 0; i < NR_PARAMS; i++)
		if (!strcmp(key, param_names[i]))
			which = (enum param)i;
	if (which == P_TRUSTED || which == NR_PARAMS)
		return fail(p, "unknown parameter '%s'", key);
	if (once(p, which))
		return -1;
	switch (which) {
	case P_MAC:
		if (mac_parse(v, p->v->mac, &why))
			return fail(p, "mac '%s' %s", v, why);
		p->v->mac_given = true;
		return 0;
	case P_BRIDGE:
		free(p->v->bridge);
		p->v->bridge = NULL;
		return set_ifname(p, "bridge", v, &p->v->bridge);
	case P_IP:
		return set_ip(p, v);
	case P_VIFNAME:
		return set_ifname(p, "vifname", v, &p->v->vifname);
	case P_MTU:
		if (!decimal(v, VIF_MAX_MTU, &n) || n < VIF_MIN_MTU)
			return fail(p, "mtu '%s' is not a number from %d to %d", v, VIF_MIN_MTU,
				    VIF_MAX_MTU);
		p->v->mtu = (unsigned int)n;
		return 0;
	case P_MODEL:
		/* An emulated NIC's model: nothing for a PVH guest, as in xl. */
		if (!*v || strlen(v) > MODEL_MAX || strchr(v, ' '))
			return fail(p, "model '%s' is not a model name", v);
		p->v->model = xstrdup(v);
		return 0;
	case P_TYPE:
		if (!strcmp(v, "ioemu"))
			return fail(p, "type 'ioemu' is an emulated NIC: keel's guests are PVH (type=vif)");
		if (strcmp(v, "vif"))
			return fail(p, "type '%s' is not vif", v);
		return 0;
	case P_SCRIPT:
		/* keelctl does vif-bridge's work (bridge, up, hotplug-status) itself. */
		if (strcmp(v, "vif-bridge") && strcmp(v, "/etc/xen/scripts/vif-bridge"))
			return fail(p, "script '%s': keel runs no hotplug scripts (only 'vif-bridge', whose work keelctl does)",
				    v);
		return 0;
	case P_BACKEND:
		if (strcmp(v, "0") && strcmp(v, "Domain-0"))
			return fail(p, "backend '%s': keel's network backends run in dom0 only", v);
		return 0;
	case P_BACKENDTYPE:
		if (!strcmp(v, "keel"))
			p->v->backend = VIF_BACKEND_KEEL;
		else if (!strcmp(v, "kernel"))
			p->v->backend = VIF_BACKEND_KERNEL;
		else
			return fail(p, "backendtype '%s' is not keel (keel-netback) or kernel (Linux's xen-netback)",
				    v);
		return 0;
	default:
		if (!decimal(v, VIF_MAX_DEVID, &n))
			return fail(p, "devid '%s' is not a number from 0 to %d", v, VIF_MAX_DEVID);
		p->v->devid = (int)n;
		return 0;
	}
}

static int item(struct parse *p, char *it)
{
	char *eq = strchr(it, '=');

	if (!strcmp(it, "trusted") || !strcmp(it, "untrusted")) {
		if (once(p, P_TRUSTED))
			return -1;
		p->v->trusted = it[0] == 't';
		return 0;
	}
	if (!eq)
		return fail(p, "'%s' is not KEY=VALUE", it);
	*eq = '\0';
	return named(p, it, eq + 1);
}

int vif_spec_parse(const char *text, struct vif_spec *v, char **err)
{
	struct parse p = { .v = v, .err = err };
	size_t len = strlen(text);
	char *copy, *save = NULL;
	int rc = 0;

	memset(v, 0, sizeof(*v));
	v->devid = -1;
	v->trusted = true;
	*err = NULL;
	if (len > VIF_SPEC_MAX)
		rc = fail(&p, "longer than %d characters", VIF_SPEC_MAX);
	for (const char *c = text; !rc && *c; c++)
		if (!isprint((unsigned char)*c) && *c != '\t')
			rc = fail(&p, "a control character");
	copy = xstrdup(text);
	/* An empty specification is a vif with every default, as in xl. */
	for (char *it = strtok_r(copy, ",", &save); !rc && it; it = strtok_r(NULL, ",", &save)) {
		size_t n;

		while (*it == ' ' || *it == '\t')
			it++;
		n = strlen(it);
		while (n && (it[n - 1] == ' ' || it[n - 1] == '\t'))
			it[--n] = '\0';
		if (*it)
			rc = item(&p, it);
	}
	free(copy);
	if (!rc && !v->bridge)
		v->bridge = xstrdup(VIF_DEFAULT_BRIDGE);
	if (rc)
		vif_spec_free(v);
	else
		v->text = xstrdup(text);
	return rc;
}

void vif_spec_free(struct vif_spec *v)
{
	free(v->text);
	free(v->bridge);
	free(v->ip);
	free(v->vifname);
	free(v->model);
	memset(v, 0, sizeof(*v));
	v->devid = -1;
}

static void append(char **s, const char *fmt, const char *value)
{
	char *part = xasprintf(fmt, value), *next = xasprintf("%s%s%s", *s, **s ? "," : "", part);

	free(part);
	free(*s);
	*s = next;
}

char *vif_spec_format(const struct vif_spec *v)
{
	char *s = xstrdup(""), num[16], mac[18];

	if (v->devid >= 0) {
		snprintf(num, sizeof(num), "%d", v->devid);
		append(&s, "devid=%s", num);
	}
	if (v->mac_given) {
		mac_format(v->mac, mac);
		append(&s, "mac=%s", mac);
	}
	append(&s, "bridge=%s", v->bridge ? v->bridge : VIF_DEFAULT_BRIDGE);
	append(&s, "backendtype=%s", vif_backend_name(v->backend));
	if (v->ip)
		append(&s, "ip=%s", v->ip);
	if (v->vifname)
		append(&s, "vifname=%s", v->vifname);
	if (v->model)
		append(&s, "model=%s", v->model);
	if (v->mtu) {
		snprintf(num, sizeof(num), "%u", v->mtu);
		append(&s, "mtu=%s", num);
	}
	if (!v->trusted)
		append(&s, "%s", "untrusted");
	return s;
}
