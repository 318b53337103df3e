/* The boot-domain device tree: find it among the modules, check it, read its domain nodes. */
#include <libfdt.h>
#include <keel/arch.h>
#include <keel/boot_domains.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/sched_credit.h>
#include <keel/string.h>

#define HYPERVISOR_PATH "/chosen/hypervisor"
#define FDT_MIN_VERSION 16
#define PAGE_KIB 4

struct parser {
	const void *fdt;
	const struct boot_info *bi;
	const char **err;
	const char *domain;	/* the domain node being read, for messages */
	char where[96];		/* "<domain>" or "<domain>/<module>" */
};

static char error_message[192];

static int __printf(3, 4) fail(struct parser *p, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_message, sizeof(error_message), fmt, ap);
	va_end(ap);
	*p->err = error_message;
	return rc;
}

static const void *module_data(const struct boot_module *m)
{
	return phys_to_virt(m->start);
}

static bool module_is_fdt(const struct boot_module *m)
{
	return m->end - m->start >= sizeof(fdt32_t) &&
	       fdt32_ld(module_data(m)) == FDT_MAGIC;
}

int boot_domains_find(const struct boot_info *bi)
{
	for (u32 i = 0; i < bi->nr_modules; i++)
		if (module_is_fdt(&bi->modules[i]))
			return i;
	return -1;
}

/* Property @name of @node: its value and length, NULL if absent. */
static const void *get_prop(struct parser *p, int node, const char *name,
			    int *len)
{
	const void *v = fdt_getprop(p->fdt, node, name, len);

	return v && *len >= 0 ? v : NULL;
}

/* A one-cell property in @min..@max; @def when absent, unless @required. */
static int read_cell(struct parser *p, int node, const char *name,
		     bool required, u32 def, u32 min, u32 max, u32 *out)
{
	int len;
	const fdt32_t *v = get_prop(p, node, name, &len);

	if (!v) {
		if (required)
			return fail(p, -ENOENT, "%s: %s: missing", p->where, name);
		*out = def;
		return 0;
	}
	if (len != 4)
		return fail(p, -EINVAL, "%s: %s: %d bytes, expected one 4-byte cell",
			    p->where, name, len);
	*out = fdt32_ld(v);
	if (*out < min || *out > max)
		return fail(p, -EINVAL, "%s: %s: %u is out of range %u..%u",
			    p->where, name, *out, min, max);
	return 0;
}

/* memory: KiB, one cell or two (64 bits, as in hyperlaunch). */
static int read_memory(struct parser *p, int node, u64 *bytes)
{
	int len;
	const fdt32_t *v = get_prop(p, node, "memory", &len);
	u64 kib;

	if (!v)
		return fail(p, -ENOENT, "%s: memory: missing", p->where);
	if (len == 4)
		kib = fdt32_ld(v);
	else if (len == 8)
		kib = fdt64_ld((const fdt64_t *)v);
	else
		return fail(p, -EINVAL, "%s: memory: %d bytes, expected 4 or 8 (KiB)",
			    p->where, len);
	if (!kib || kib % PAGE_KIB || kib > (~0ULL >> 10))
		return fail(p, -EINVAL, "%s: memory: %llu KiB is not a non-zero multiple of %u KiB",
			    p->where, (unsigned long long)kib, PAGE_KIB);
	*bytes = kib << 10;
	return 0;
}

/* A flag: present with no value, or absent. */
static int read_flag(struct parser *p, int node, const char *name, bool *out)
{
	int len;

	*out = get_prop(p, node, name, &len) != NULL;
	if (*out && len)
		return fail(p, -EINVAL, "%s: %s: a flag takes no value (%d bytes given)",
			    p->where, name, len);
	return 0;
}

static int read_string(struct parser *p, int node, const char *name,
		       const char **out)
{
	int len;
	const char *v = get_prop(p, node, name, &len);

	*out = NULL;
	if (!v)
		return 0;
	if (!len || strnlen(v, len) != (size_t)len - 1)
		return fail(p, -EINVAL, "%s: %s: not one NUL-terminated string",
			    p->where, name);
	*out = v;
	return 0;
}

/* An action as xl.cfg names it ("destroy", "restart", "preserve"); @def if absent. */
static int read_action(struct parser *p, int node, const char *name, u8 def, u8 *out)
{
	static const char *const names[] = {
		[ACTION_DESTROY] = "destroy", [ACTION_RESTART] = "restart",
		[ACTION_PRESERVE] = "preserve",
	};
	const char *v;
	int rc = read_string(p, node, name, &v);

	*out = def;
	if (rc || !v)
		return rc;
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	}
	return fail(p, -EINVAL, "%s: %s: \"%.32s\" is not destroy, restart or preserve",
		    p->where, name, v);
}

/* 0 if @node's compatible list holds @compat, else an error. */
static int check_compatible(struct parser *p, int node, const char *compat)
{
	int rc = fdt_node_check_compatible(p->fdt, node, compat);

	if (rc == -FDT_ERR_NOTFOUND)
		return fail(p, -ENOENT, "%s: compatible: missing", p->where);
	if (rc)
		return fail(p, -EINVAL, "%s: compatible: not \"%s\"", p->where,
			    compat);
	return 0;
}

static int read_module_index(struct parser *p, int node, const char *kind,
			     int *out)
{
	u32 index;
	int rc = read_cell(p, node, "module-index", true, 0, 0, ~0U, &index);

	if (rc)
		return rc;
	if (index >= p->bi->nr_modules)
		return fail(p, -ENOENT, "%s: module index %u out of range (%u modules)",
			    p->where, index, p->bi->nr_modules);
	if (module_is_fdt(&p->bi->modules[index]))
		return fail(p, -EINVAL, "%s: module index %u is a device tree, not a %s",
			    p->where, index, kind);
	*out = index;
	return 0;
}

/* One module node of a domain: its kernel (with bootargs) or its ramdisk. */
static int read_module(struct parser *p, int node, struct boot_domain *d)
{
	bool kernel = !fdt_node_check_compatible(p->fdt, node, "module,kernel");
	const char *kind = kernel ? "kernel" : "ramdisk";
	int *slot = kernel ? &d->kernel : &d->ramdisk;
	const char *bootargs;
	int rc;

	snprintf(p->where, sizeof(p->where), "%s/%s", p->domain,
		 fdt_get_name(p->fdt, node, NULL));
	if (!kernel && fdt_node_check_compatible(p->fdt, node, "module,ramdisk"))
		return fail(p, -EINVAL, "%s: compatible: neither \"module,kernel\" nor \"module,ramdisk\"",
			    p->where);
	if (*slot >= 0)
		return fail(p, -EINVAL, "%s: a second %s module", p->where, kind);
	rc = read_module_index(p, node, kind, slot);
	if (rc)
		return rc;
	rc = read_string(p, node, "bootargs", &bootargs);
	if (rc)
		return rc;
	if (bootargs && !kernel)
		return fail(p, -EINVAL, "%s: bootargs: only a kernel takes a command line",
			    p->where);
	if (kernel)
		d->cmdline = bootargs;
	return 0;
}

static int read_modules(struct parser *p, int node, struct boot_domain *d)
{
	int child, rc;

	d->kernel = d->ramdisk = -1;
	fdt_for_each_subnode(child, p->fdt, node) {
		rc = read_module(p, child, d);
		if (rc)
			return rc;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return fail(p, -EINVAL, "%s: cannot walk its modules: %s",
			    p->domain, fdt_strerror(child));
	if (d->kernel < 0)
		return fail(p, -ENOENT, "%s: no kernel (a module node compatible with \"module,kernel\")",
			    p->domain);
	if (d->kernel == d->ramdisk)
		return fail(p, -EINVAL, "%s: kernel and ramdisk are both module %d",
			    p->domain, d->kernel);
	return 0;
}

static int read_domain(struct parser *p, int node, struct boot_domain *d)
{
	u32 domid, vcpus;
	int rc;

	d->name = p->domain = fdt_get_name(p->fdt, node, NULL);
	strlcpy(p->where, p->domain, sizeof(p->where));
	rc = check_compatible(p, node, "keel,domain") ?:
	     read_cell(p, node, "domid", true, 0, 0, DOMID_FIRST_RESERVED - 1, &domid) ?:
	     read_flag(p, node, "privileged", &d->privileged) ?:
	     read_memory(p, node, &d->mem) ?:
	     read_cell(p, node, "cpus", false, 1, 1, DOMAIN_MAX_VCPUS, &vcpus) ?:
	     read_cell(p, node, "weight", false, SCHED_DEFAULT_WEIGHT, 1,
		       SCHED_MAX_WEIGHT, &d->weight) ?:
	     read_cell(p, node, "cap", false, 0, 0, 100 * vcpus, &d->cap) ?:
	     read_action(p, node, "on-poweroff", ACTION_DESTROY, &d->on_poweroff) ?:
	     read_action(p, node, "on-reboot", ACTION_RESTART, &d->on_reboot) ?:
	     read_action(p, node, "on-crash", ACTION_DESTROY, &d->on_crash);
	if (rc)
		return rc;
	d->domid = domid;
	d->vcpus = vcpus;
	return read_modules(p, node, d);
}

/* The header and structure checks, before any node is read. */
static int check_tree(struct parser *p, size_t size)
{
	u32 total;
	int rc;

	if (size < sizeof(struct fdt_header))
		return fail(p, -EINVAL, "device tree truncated: %zu bytes, a header alone is %zu",
			    size, sizeof(struct fdt_header));
	if (fdt_magic(p->fdt) != FDT_MAGIC)
		return fail(p, -EINVAL, "not a device tree (bad magic %#x)",
			    fdt_magic(p->fdt));
	total = fdt_totalsize(p->fdt);
	if (total > BOOT_DOMAINS_MAX_FDT_SIZE)
		return fail(p, -E2BIG, "device tree of %u bytes is over the %u-byte limit",
			    total, BOOT_DOMAINS_MAX_FDT_SIZE);
	if (total > size)
		return fail(p, -EINVAL, "device tree truncated: header says %u bytes, module holds %zu",
			    total, size);
	rc = fdt_check_header(p->fdt);
	if (rc)
		return fail(p, -EINVAL, "device tree is malformed: %s", fdt_strerror(rc));
	/*
	 * Before version 16 node names were full paths, and Debian's libfdt
	 * 1.6.1 dereferences NULL in fdt_check_full() when they are not. dtc
	 * has written version 17 since 2007.
	 */
	if (fdt_version(p->fdt) < FDT_MIN_VERSION)
		return fail(p, -EINVAL, "device tree version %u is too old: keel reads version %u and later",
			    fdt_version(p->fdt), FDT_MIN_VERSION);
	rc = fdt_check_full(p->fdt, total);
	if (rc)
		return fail(p, -EINVAL, "device tree is malformed: %s",
			    fdt_strerror(rc));
	return 0;
}

static int find_hypervisor_node(struct parser *p)
{
	int node = fdt_path_offset(p->fdt, HYPERVISOR_PATH);

	if (node < 0)
		return fail(p, -ENOENT, "no %s node", HYPERVISOR_PATH);
	strlcpy(p->where, "hypervisor", sizeof(p->where));
	return check_compatible(p, node, "keel,hypervisor") ?: node;
}

static int check_unique_domid(struct parser *p, const struct boot_domain *out,
			      unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (out[i].domid == out[n].domid)
			return fail(p, -EEXIST, "two domains with domid %u (%s and %s)",
				    out[n].domid, out[i].name, out[n].name);
	return 0;
}

int boot_domains_parse(const void *fdt, size_t size, const struct boot_info *bi,
		       struct boot_domain *out, unsigned int max,
		       const char **err)
{
	struct parser p = { .fdt = fdt, .bi = bi, .err = err };
	unsigned int n = 0;
	int hv, node, rc;

	*err = NULL;
	rc = check_tree(&p, size);
	if (rc)
		return rc;
	hv = find_hypervisor_node(&p);
	if (hv < 0)
		return hv;
	fdt_for_each_subnode(node, fdt, hv) {
		if (n == max)
			return fail(&p, -ENOSPC, "too many domains: at most %u", max);
		rc = read_domain(&p, node, &out[n]);
		if (!rc)
			rc = check_unique_domid(&p, out, n);
		if (rc)
			return rc;
		n++;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return fail(&p, -EINVAL, "%s: cannot walk its domains: %s",
			    HYPERVISOR_PATH, fdt_strerror(node));
	if (!n)
		return fail(&p, -ENOENT, "%s: no domain nodes", HYPERVISOR_PATH);
	return n;
}

struct boot_domain boot_domains[BOOT_DOMAINS_MAX];
unsigned int nr_boot_domains;

static void report_domain(const struct boot_info *bi, const struct boot_domain *d)
{
	const char *cmdline = d->cmdline ?: bi->modules[d->kernel].string;
	char ramdisk[32] = "no ramdisk";

	if (d->ramdisk >= 0)
		snprintf(ramdisk, sizeof(ramdisk), "ramdisk module %d", d->ramdisk);
	pr_info("boot: domain %u \"%s\"%s: %u vCPU%s, %llu %s, weight %u, cap %u, kernel module %d, %s, command line \"%s\"\n",
		d->domid, d->name, d->privileged ? " (privileged)" : "",
		d->vcpus, d->vcpus == 1 ? "" : "s",
		(unsigned long long)(d->mem % MiB(1) ? d->mem >> 10 : d->mem >> 20),
		d->mem % MiB(1) ? "KiB" : "MiB", d->weight, d->cap, d->kernel,
		ramdisk, cmdline);
}

int boot_domains_init(const struct boot_info *bi)
{
	int index = boot_domains_find(bi);
	const struct boot_module *m;
	const char *err;
	int n;

	if (index < 0)
		return 0;
	m = &bi->modules[index];
	n = boot_domains_parse(module_data(m), m->end - m->start, bi,
			       boot_domains, BOOT_DOMAINS_MAX, &err);
	if (n < 0) {
		pr_err("boot: device tree in module %d: %s\n", index, err);
		return n;
	}
	nr_boot_domains = n;
	pr_info("boot: device tree in module %d describes %d domain%s\n",
		index, n, n == 1 ? "" : "s");
	for (int i = 0; i < n; i++)
		report_domain(bi, &boot_domains[i]);
	return 0;
}
