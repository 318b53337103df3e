/* xl's disk specifications ('/img,raw,xvda,rw', 'vdev=xvda, target=/img') and vbd device ids. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "disk_spec.h"
#include "util.h"

#define XVD_MAX_DISK	((1u << 20) - 1)
#define XVD_MAX_PART	255

/* The first @n bytes of @s as a new string. */
static char *strndup_x(const char *s, size_t n)
{
	char *v = xmalloc(n + 1);

	memcpy(v, s, n);
	v[n] = '\0';
	return v;
}

/* ---- device ids (libxl__device_disk_dev_number) ---- */

/* All of @s is decimal digits without a leading zero (but "0"); at most @max. */
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

/*
 * @vdev is @prefix, letters (bijective base 26: a=0, z=25, aa=26) at most @max_disk, then
 * an optional partition number (no leading zero) at most @max_part.
 */
static bool virtdisk(const char *vdev, const char *prefix, unsigned long max_disk,
		     unsigned long max_part, unsigned long *disk, unsigned long *part)
{
	size_t len = strlen(prefix);
	const char *p = vdev + len;
	unsigned long d = 0;

	if (strncmp(vdev, prefix, len) || !(*p >= 'a' && *p <= 'z'))
		return false;
	for (; *p >= 'a' && *p <= 'z'; p++) {
		d = d * 26 + (unsigned long)(*p - 'a') + 1;
		if (d - 1 > max_disk)
			return false;
	}
	*disk = d - 1;
	*part = 0;
	/* No partition 0 and no leading zero: "xvda0" is not a name. */
	return !*p || (*p != '0' && decimal(p, max_part, part));
}

/* dNpM: both decimal. */
static bool dnpm(const char *vdev, unsigned long *disk, unsigned long *part)
{
	char buf[32];
	const char *p;

	if (vdev[0] != 'd' || strlen(vdev) >= sizeof(buf))
		return false;
	p = strchr(vdev, 'p');
	if (!p)
		return false;
	memcpy(buf, vdev + 1, (size_t)(p - vdev - 1));
	buf[p - vdev - 1] = '\0';
	return decimal(buf, XVD_MAX_DISK, disk) && decimal(p + 1, XVD_MAX_PART, part);
}

int vdev_devid(const char *vdev, uint32_t *devid)
{
	unsigned long disk, part, n;
	char *end;

	if (dnpm(vdev, &disk, &part) ||
	    virtdisk(vdev, "xvd", XVD_MAX_DISK, XVD_MAX_PART, &disk, &part)) {
		if (disk <= 15 && part <= 15)
			*devid = (202u << 8) | (uint32_t)(disk << 4) | (uint32_t)part;
		else
			*devid = (1u << 28) | (uint32_t)(disk << 8) | (uint32_t)part;
		return 0;
	}
	if (isdigit((unsigned char)vdev[0])) {
		errno = 0;
		n = strtoul(vdev, &end, 0);
		if (errno || *end || n > INT_MAX)
			return -1;
		*devid = (uint32_t)n;
		return 0;
	}
	if (virtdisk(vdev, "hd", 3, 63, &disk, &part)) {
		*devid = ((disk < 2 ? 3u : 22u) << 8) | (uint32_t)((disk & 1) << 6) |
			 (uint32_t)part;
		return 0;
	}
	if (virtdisk(vdev, "sd", 15, 15, &disk, &part)) {
		*devid = (8u << 8) | (uint32_t)(disk << 4) | (uint32_t)part;
		return 0;
	}
	return -1;
}

const char *disk_backend_name(enum disk_backend b)
{
	return b == DISK_BACKEND_PHY ? "phy" : "qdisk";
}

const char *disk_backend_kind(enum disk_backend b)
{
	return b == DISK_BACKEND_PHY ? "vbd" : "qdisk";
}

/* ---- the specification ---- */

enum param { P_TARGET, P_FORMAT, P_VDEV, P_ACCESS, P_DEVTYPE, P_BACKEND, P_BACKENDTYPE,
	     P_SCRIPT, P_SPECIFICATION, P_DISCARD, P_DIRECTIO, P_TRUSTED, NR_PARAMS };

static const char *const param_names[NR_PARAMS] = {
	"target", "format", "vdev", "access", "devtype", "backend", "backendtype", "script",
	"specification", "discard", "direct-io-safe", "trusted",
};

struct parse {
	struct disk_spec *d;
	char **err;
	bool given[NR_PARAMS];
	bool had_prefix;	/* deprecated "raw:" / "phy:": no positional format */
	unsigned int positional;
	int access;		/* -1 unset, 0 rw, 1 ro */
	int discard;		/* -1 unset */
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

static int set_format(struct parse *p, const char *v)
{
	static const char *const others[] = { "qcow", "qcow2", "vhd", "qed" };

	if (!*v || !strcmp(v, "raw"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		if (!strcmp(v, others[i]))
			return fail(p, "format '%s' is not supported by keel: raw images only (qemu-img convert -O raw)",
				    v);
	return fail(p, "'%s' is not a disk format (raw)", v);
}

static int set_access(struct parse *p, const char *v)
{
	if (!*v)
		return 0;
	if (!strcmp(v, "r") || !strcmp(v, "ro"))
		p->access = 1;
	else if (!strcmp(v, "w") || !strcmp(v, "rw"))
		p->access = 0;
	else
		return fail(p, "access '%s' is not r, ro, w or rw", v);
	return 0;
}

static int set_vdev(struct parse *p, const char *v)
{
	size_t len = strlen(v);

	if (len > 6 && !strcmp(v + len - 6, ":cdrom")) {
		p->d->cdrom = true;
		len -= 6;
	}
	if (!len)
		return 0;
	free(p->d->vdev);
	p->d->vdev = strndup_x(v, len);
	return 0;
}

static int set_target(struct parse *p, const char *v)
{
	free(p->d->target);
	p->d->target = NULL;
	if (!*v)
		return 0;
	p->d->target = v[0] == '/' ? xstrdup(v) : xasprintf("/dev/%s", v);
	return 0;
}

/* Deprecated "PREFIX:" in front of a positional target, as libxl's lexer takes them. */
static const char *strip_prefixes(struct parse *p, const char *v)
{
	static const char *const ignored[] = { "file", "aio", "tap", "tap2", "tapdisk", "ioemu" };
	static const char *const formats[] = { "raw", "qcow", "qcow2", "vhd", "qed" };
	const char *colon;

	while ((colon = strchr(v, ':'))) {
		size_t n = (size_t)(colon - v);
		bool known = false;

		for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
			known |= strlen(ignored[i]) == n && !strncmp(v, ignored[i], n);
		for (size_t i = 0; !known && i < ARRAY_SIZE(formats); i++) {
			if (strlen(formats[i]) == n && !strncmp(v, formats[i], n)) {
				char fmt[8];

				memcpy(fmt, v, n);
				fmt[n] = '\0';
				if (set_format(p, fmt))
					return NULL;
				known = true;
			}
		}
		if (!known && n == 3 && !strncmp(v, "phy", 3)) {
			p->d->backend = DISK_BACKEND_PHY;
			p->given[P_BACKENDTYPE] = true;
			known = true;
		}
		if (!known)
			break;
		p->had_prefix = true;
		v = colon + 1;
	}
	return v;
}

static int positional(struct parse *p, const char *v)
{
	static const enum param order[] = { P_TARGET, P_FORMAT, P_VDEV, P_ACCESS };
	enum param which;

	if (p->positional == 1 && p->had_prefix)
		p->positional++;	/* "raw:/path,xvda,w" has no format item */
	if (p->positional >= ARRAY_SIZE(order))
		return fail(p, "too many positional parameters at '%s'", v);
	which = order[p->positional++];
	if (once(p, which))
		return -1;
	switch (which) {
	case P_TARGET:
		v = strip_prefixes(p, v);
		return v ? set_target(p, v) : -1;
	case P_FORMAT:
		return set_format(p, v);
	case P_VDEV:
		return set_vdev(p, v);
	default:
		return set_access(p, v);
	}
}

static int flag(struct parse *p, const char *item, bool *known)
{
	*known = true;
	if (!strcmp(item, "cdrom")) {
		if (once(p, P_DEVTYPE))
			return -1;
		p->d->cdrom = true;
	} else if (!strcmp(item, "discard") || !strcmp(item, "no-discard")) {
		if (once(p, P_DISCARD))
			return -1;
		p->discard = item[0] == 'd';
	} else if (!strcmp(item, "direct-io-safe")) {
		if (once(p, P_DIRECTIO))
			return -1;
		p->d->direct_io_safe = true;
	} else if (!strcmp(item, "trusted") || !strcmp(item, "untrusted")) {
		if (once(p, P_TRUSTED))
			return -1;
		p->d->trusted = item[0] == 't';
	} else {
		*known = false;
	}
	return 0;
}

static int named(struct parse *p, const char *key, const char *v)
{
	enum param which = NR_PARAMS;

	for (int i = 0; i < NR_PARAMS; i++)
		if (!strcmp(key, param_names[i]))
			which = (enum param)i;
	if (which == P_DISCARD || which == P_DIRECTIO || which == P_TRUSTED ||
	    which == NR_PARAMS)
		return fail(p, "unknown parameter '%s'", key);
	if (once(p, which))
		return -1;
	switch (which) {
	case P_FORMAT:
		return set_format(p, v);
	case P_VDEV:
		if (strchr(v, ':'))
			return fail(p, "vdev '%s' is not a disk name", v);
		return set_vdev(p, v);
	case P_ACCESS:
		return set_access(p, v);
	case P_DEVTYPE:
		if (!strcmp(v, "cdrom"))
			p->d->cdrom = true;
		else if (strcmp(v, "disk"))
			return fail(p, "devtype '%s' is not disk or cdrom", v);
		return 0;
	case P_BACKEND:
		if (strcmp(v, "0") && strcmp(v, "Domain-0"))
			return fail(p, "backend '%s': keel's disk backends run in dom0 only", v);
		return 0;
	case P_BACKENDTYPE:
		if (!strcmp(v, "phy"))
			p->d->backend = DISK_BACKEND_PHY;
		else if (!strcmp(v, "qdisk"))
			p->d->backend = DISK_BACKEND_QDISK;
		else
			return fail(p, "backendtype '%s' is not supported by keel (qdisk, phy)", v);
		return 0;
	case P_SCRIPT:
		/* keelctl does the block script's work (a loop device) itself. */
		if (strcmp(v, "block") && strcmp(v, "/etc/xen/scripts/block"))
			return fail(p, "script '%s': keel runs no hotplug scripts (only 'block', whose work keelctl does)",
				    v);
		return 0;
	case P_SPECIFICATION:
		if (strcmp(v, "xen"))
			return fail(p, "specification '%s' is not supported by keel (xen)", v);
		return 0;
	default:
		return set_target(p, v);
	}
}

static int check_whole(struct parse *p)
{
	struct disk_spec *d = p->d;

	if (!d->vdev)
		return fail(p, "no vdev (the guest's device, e.g. xvda)");
	if (vdev_devid(d->vdev, &d->devid))
		return fail(p, "vdev '%s' is not a disk name (xvdX[N], hdX[N], sdX[N], dNpM or a number)",
			    d->vdev);
	if (d->cdrom && p->access == 0)
		return fail(p, "a CD-ROM is read-only (access=ro)");
	if (!d->target)
		return fail(p, d->cdrom ? "an empty CD-ROM drive is not supported by keel" :
			    "no target (the image file or block device)");
	d->readonly = d->cdrom || p->access == 1;
	d->discard = p->discard < 0 ? !d->readonly : p->discard;
	return 0;
}

/* One comma-separated item of @s at @*pos (leading blanks skipped); NULL at the end. */
static char *next_item(const char *s, size_t *pos, bool *rest_is_target)
{
	const char *start = s + *pos, *end;

	while (*start == ' ' || *start == '\t' || *start == '\n')
		start++;
	*rest_is_target = !strncmp(start, "target=", 7);
	if (*rest_is_target) {
		*pos = strlen(s);
		return xstrdup(start + 7);
	}
	end = strchr(start, ',');
	if (!end)
		end = start + strlen(start);
	if (!*start)
		return NULL;	/* only blanks after the last comma */
	*pos = (size_t)(end - s) + (*end == ',');
	return strndup_x(start, (size_t)(end - start));
}

int disk_spec_parse(const char *text, struct disk_spec *d, char **err)
{
	struct parse p = { .d = d, .err = err, .access = -1, .discard = -1 };
	size_t pos = 0, len = strlen(text);
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->trusted = true;
	*err = NULL;
	if (len > DISK_SPEC_MAX)
		rc = fail(&p, "longer than %d characters", DISK_SPEC_MAX);
	for (const char *c = text; !rc && *c; c++)
		if (!isprint((unsigned char)*c) && *c != '\t' && *c != '\n')
			rc = fail(&p, "a control character");
	while (!rc && pos < len) {
		bool last, known;
		char *item = next_item(text, &pos, &last), *eq;

		if (!item)
			break;
		if (last) {
			rc = once(&p, P_TARGET) ? -1 : set_target(&p, item);
		} else if ((rc = flag(&p, item, &known)) || known) {
			/* done */
		} else if ((eq = strchr(item, '='))) {
			/* As libxl's lexer: a positional item never holds '='. */
			*eq = '\0';
			rc = named(&p, item, eq + 1);
		} else {
			rc = positional(&p, item);
		}
		free(item);
		if (last)
			break;
	}
	if (!rc && !len)
		rc = fail(&p, "empty");
	if (!rc)
		rc = check_whole(&p);
	if (rc)
		disk_spec_free(d);
	else
		d->text = xstrdup(text);
	return rc;
}

void disk_spec_free(struct disk_spec *d)
{
	free(d->text);
	free(d->target);
	free(d->vdev);
	memset(d, 0, sizeof(*d));
}

void disk_spec_copy(struct disk_spec *dst, const struct disk_spec *src)
{
	*dst = *src;
	dst->text = src->text ? xstrdup(src->text) : NULL;
	dst->target = src->target ? xstrdup(src->target) : NULL;
	dst->vdev = src->vdev ? xstrdup(src->vdev) : NULL;
}
