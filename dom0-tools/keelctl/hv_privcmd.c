/*
 * The real hypervisor backend: keel_domctl through Linux's /dev/xen/privcmd
 * (IOCTL_PRIVCMD_HYPERCALL) and foreign frames mapped with IOCTL_PRIVCMD_MMAPBATCH_V2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>
#include "hv.h"
#include "privcmd.h"
#include "util.h"

#define PRIVCMD_PATH		"/dev/xen/privcmd"

struct privcmd_hv {
	struct hv hv;
	int fd;
};

static struct privcmd_hv *to_privcmd(struct hv *hv)
{
	return (struct privcmd_hv *)hv;
}

/*
 * keel reads and writes @op through this process's page tables, so it must be resident and
 * private: callers fill it (and memset output buffers) right before the call, which also
 * breaks any copy-on-write sharing with a forked parent.
 */
static int privcmd_domctl(struct hv *hv, struct keel_domctl *op)
{
	return keel_domctl_on(to_privcmd(hv)->fd, op);
}

/* One VMA of exactly @n pages, populated by one MMAPBATCH_V2 call (as privcmd requires). */
static int privcmd_map(struct hv *hv, uint16_t domid, const uint64_t *gfns, unsigned int n,
		       void **addr)
{
	size_t len = (size_t)n * HV_PAGE_SIZE;
	int *errs = xcalloc(n, sizeof(*errs));
	xen_pfn_t *arr = xmalloc(n * sizeof(*arr));
	struct privcmd_mmapbatch_v2 batch;
	void *va;
	int rc = 0;

	for (unsigned int i = 0; i < n; i++)
		arr[i] = (xen_pfn_t)gfns[i];
	va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, to_privcmd(hv)->fd, 0);
	if (va == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	batch = (struct privcmd_mmapbatch_v2){
		.num = n, .dom = domid, .addr = (__u64)(uintptr_t)va, .arr = arr, .err = errs,
	};
	if (ioctl(to_privcmd(hv)->fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch) < 0)
		rc = -errno;
	for (unsigned int i = 0; !rc && i < n; i++)
		if (errs[i])
			rc = errs[i] < 0 ? errs[i] : -EIO;
	if (rc)
		munmap(va, len);
	else
		*addr = va;
out:
	free(arr);
	free(errs);
	return rc;
}

static int privcmd_unmap(struct hv *hv, void *addr, unsigned int n)
{
	return munmap(addr, (size_t)n * HV_PAGE_SIZE) ? -errno : 0;
}

static void privcmd_close(struct hv *hv)
{
	close(to_privcmd(hv)->fd);
	free(hv);
}

static const struct hv_ops privcmd_ops = {
	.domctl = privcmd_domctl,
	.map = privcmd_map,
	.unmap = privcmd_unmap,
	.close = privcmd_close,
};

struct hv *hv_open_privcmd(void)
{
	struct privcmd_hv *p;
	int fd = open(PRIVCMD_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		kc_err("cannot open %s: %s (keelctl runs in keel's dom0, with Linux's xen-privcmd driver)",
		       PRIVCMD_PATH, strerror(errno));
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->hv.ops = &privcmd_ops;
	p->fd = fd;
	return &p->hv;
}
