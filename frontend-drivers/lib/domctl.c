/* keel_domctl wrappers, foreign mappings and the PVH domain builder of privileged test guests. */
#include <keel/elf.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <public/memory.h>
#include "console.h"
#include "domctl.h"
#include "hypercall.h"

/* keel's ELF loader reports through printk(): send it to the guest console. */
void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

long keel_domctl(struct keel_domctl *op)
{
	op->version = KEEL_DOMCTL_VERSION;
	return _hypercall5(__HYPERVISOR_keel_op, (uptr)op, 0, 0, 0, 0);
}

long keel_domctl_simple(u32 cmd, domid_t domid)
{
	struct keel_domctl op = { .cmd = cmd, .domain = domid };

	return keel_domctl(&op);
}

long keel_domctl_getinfo(domid_t domid, struct keel_domctl_info *info)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_getinfo, .domain = domid };
	long rc = keel_domctl(&op);

	if (!rc)
		*info = op.u.info;
	return rc;
}

u64 keel_free_pages(void)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_physinfo };

	return keel_domctl(&op) ? 0 : op.u.physinfo.free_pages;
}

long foreign_map(domid_t domid, u64 gfn, u64 gpa)
{
	u64 idx = gfn, gpfn = gpa >> 12;
	int err = -1;
	struct xen_add_to_physmap_batch b = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_gmfn_foreign,
		.size = 1, .foreign_domid = domid,
		.idxs = (uptr)&idx, .gpfns = (uptr)&gpfn, .errs = (uptr)&err,
	};
	long rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap_batch, &b);

	return rc ? rc : err;
}

long foreign_unmap(u64 gpa)
{
	struct xen_remove_from_physmap r = { .domid = DOMID_SELF, .gpfn = gpa >> 12 };

	return HYPERVISOR_memory_op(XENMEM_remove_from_physmap, &r);
}

/* Write into the new domain page by page through the foreign window. */
static int write_foreign(void *ctx, u64 gpa, const void *src, u64 len)
{
	domid_t domid = *(domid_t *)ctx;

	while (len) {
		u64 off = gpa & 0xfff, n = MIN(len, 0x1000 - off);
		long rc = foreign_map(domid, gpa >> 12, FOREIGN_WINDOW);

		if (rc)
			return rc;
		if (src)
			memcpy((void *)(uptr)(FOREIGN_WINDOW + off), src, n);
		else
			memset((void *)(uptr)(FOREIGN_WINDOW + off), 0, n);
		rc = foreign_unmap(FOREIGN_WINDOW);
		if (rc)
			return rc;
		gpa += n;
		len -= n;
		if (src)
			src = (const u8 *)src + n;
	}
	return 0;
}

long domu_create(domid_t want, unsigned int vcpus, u64 mem_mb)
{
	struct keel_domctl op = {
		.cmd = KEEL_DOMCTL_create, .domain = want,
		.u.create.max_vcpus = vcpus,
	};
	domid_t domid;
	long rc;

	rc = keel_domctl(&op);
	if (rc)
		return rc;
	domid = op.domain;
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_memory, .domain = domid,
				   .u.memory.mem_kb = mem_mb << 10 };
	rc = keel_domctl(&op);
	if (rc) {
		keel_domctl_simple(KEEL_DOMCTL_destroy, domid);
		return rc;
	}
	return domid;
}

long domu_load(domid_t domid, const void *elf, u64 len, const char *cmdline)
{
	struct keel_domctl_info info;
	struct keel_domctl op;
	struct pvh_kernel k;
	long rc;

	rc = keel_domctl_getinfo(domid, &info);
	if (rc)
		return rc;
	if (pvh_elf_check(elf, len, info.mem_kb << 10, &k))
		return -ENOEXEC;
	rc = pvh_elf_load(elf, &k, write_foreign, &domid);
	if (rc)
		return rc;
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_boot, .domain = domid,
		.u.boot.entry = k.entry, .u.boot.cmdline = (uptr)cmdline };
	return keel_domctl(&op);
}

long domu_build(const void *elf, u64 len, unsigned int vcpus, u64 mem_mb,
		const char *cmdline)
{
	struct pvh_kernel k;
	long domid, rc;

	if (pvh_elf_check(elf, len, mem_mb << 20, &k))
		return -ENOEXEC;
	domid = domu_create(DOMID_INVALID, vcpus, mem_mb);
	if (domid < 0)
		return domid;
	rc = domu_load(domid, elf, len, cmdline);
	if (rc) {
		keel_domctl_simple(KEEL_DOMCTL_destroy, domid);
		return rc;
	}
	return domid;
}
