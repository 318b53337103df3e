/* A domain's xenstore entries as libxl writes them: /local/domain/N and /vm/<uuid>. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util.h"
#include "xs_domain.h"

#define MAX_TRIES	10	/* transactions that keep meeting EAGAIN */

char *xs_domain_path(uint16_t domid)
{
	return xasprintf("/local/domain/%u", domid);
}

char *xs_vm_path(const char *uuid)
{
	return xasprintf("/vm/%s", uuid);
}

int xs_put(struct xs *xs, uint32_t tx, const char *dir, const char *rel, const char *value)
{
	char *path = xasprintf("%s/%s", dir, rel);
	int rc = xs_write(xs, tx, path, value);

	free(path);
	return rc;
}

int xs_put_uint(struct xs *xs, uint32_t tx, const char *dir, const char *rel,
		unsigned long long value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", value);
	return xs_put(xs, tx, dir, rel, buf);
}

int xs_mknod(struct xs *xs, uint32_t tx, const char *path, const char *const *perms,
	     unsigned int nr)
{
	int rc = xs_write(xs, tx, path, "");

	return rc ? rc : xs_set_perms(xs, tx, path, perms, nr);
}

static int mknod_rel(struct xs *xs, uint32_t tx, const char *dir, const char *rel,
		     const char *const *perms, unsigned int nr)
{
	char *path = xasprintf("%s/%s", dir, rel);
	int rc = xs_mknod(xs, tx, path, perms, nr);

	free(path);
	return rc;
}

/* Nodes the guest writes (libxl's rwperm). */
static const char *const guest_nodes[] = {
	"control/shutdown", "control/feature-poweroff", "control/feature-reboot",
	"control/feature-suspend", "control/sysrq", "data", "drivers", "feature", "attr",
	"error",
};

static int write_entries(struct xs *xs, uint32_t tx, const struct xs_domain *d,
			 const char *dom, const char *vm)
{
	char self_r[12], self_n[12], start[32];
	const char *roperm[] = { "n0", self_r };
	const char *rwperm[] = { self_n };
	struct timespec now;
	int rc = 0;

	snprintf(self_r, sizeof(self_r), "r%u", d->domid);
	snprintf(self_n, sizeof(self_n), "n%u", d->domid);
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(start, sizeof(start), "%lld.%02ld", (long long)now.tv_sec,
		 now.tv_nsec / 10000000);

	/* Leftovers of an earlier domain with this id or UUID go first. */
	if ((rc = xs_rm(xs, tx, dom)) && rc != -ENOENT)
		return rc;
	if ((rc = xs_rm(xs, tx, vm)) && rc != -ENOENT)
		return rc;
	rc = xs_mknod(xs, tx, dom, roperm, 2);
	rc = rc ? rc : xs_mknod(xs, tx, vm, roperm, 2);
	rc = rc ? rc : xs_put(xs, tx, dom, "vm", vm);
	rc = rc ? rc : xs_put(xs, tx, dom, "name", d->name);
	rc = rc ? rc : xs_put_uint(xs, tx, dom, "domid", d->domid);
	rc = rc ? rc : mknod_rel(xs, tx, dom, "device", roperm, 2);
	rc = rc ? rc : mknod_rel(xs, tx, dom, "control", roperm, 2);
	for (size_t i = 0; !rc && i < ARRAY_SIZE(guest_nodes); i++)
		rc = mknod_rel(xs, tx, dom, guest_nodes[i], rwperm, 1);
	rc = rc ? rc : xs_put(xs, tx, dom, "control/platform-feature-multiprocessor-suspend", "1");
	rc = rc ? rc : xs_put(xs, tx, dom, "control/platform-feature-xs_reset_watches", "1");
	rc = rc ? rc : xs_put_uint(xs, tx, dom, "memory/static-max", d->mem_kb);
	rc = rc ? rc : xs_put_uint(xs, tx, dom, "memory/target", d->mem_kb);
	for (unsigned int i = 0; !rc && i < (d->max_vcpus > d->vcpus ? d->max_vcpus : d->vcpus); i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "cpu/%u/availability", i);
		rc = xs_put(xs, tx, dom, rel, i < d->vcpus ? "online" : "offline");
	}
	rc = rc ? rc : xs_put_uint(xs, tx, dom, "store/port", d->store_port);
	rc = rc ? rc : xs_put_uint(xs, tx, dom, "store/ring-ref", d->store_ring);
	rc = rc ? rc : xs_put_uint(xs, tx, dom, "console/port", d->console_port);
	rc = rc ? rc : xs_put_uint(xs, tx, dom, "console/ring-ref", d->console_ring);

	rc = rc ? rc : xs_put(xs, tx, vm, "name", d->name);
	rc = rc ? rc : xs_put(xs, tx, vm, "uuid", d->uuid);
	rc = rc ? rc : xs_put(xs, tx, vm, "start_time", start);
	rc = rc ? rc : xs_put(xs, tx, vm, "image/ostype", "linux");
	rc = rc ? rc : xs_put(xs, tx, vm, "image/kernel", d->kernel);
	if (d->ramdisk)
		rc = rc ? rc : xs_put(xs, tx, vm, "image/ramdisk", d->ramdisk);
	rc = rc ? rc : xs_put(xs, tx, vm, "image/cmdline", d->cmdline);
	return rc;
}

int xs_domain_write(struct xs *xs, const struct xs_domain *d)
{
	char *dom = xs_domain_path(d->domid), *vm = xs_vm_path(d->uuid);
	int rc = -EAGAIN;

	for (int tries = 0; rc == -EAGAIN && tries < MAX_TRIES; tries++) {
		uint32_t tx;

		rc = xs_transaction_start(xs, &tx);
		if (rc)
			break;
		rc = write_entries(xs, tx, d, dom, vm);
		if (rc) {
			xs_transaction_end(xs, tx, false);
			break;
		}
		rc = xs_transaction_end(xs, tx, true);
	}
	free(dom);
	free(vm);
	return rc;
}

static int remove_entries(struct xs *xs, uint32_t tx, const char *dom, const char *expect_vm)
{
	char *vm_key = xasprintf("%s/vm", dom), *vm = NULL;
	int rc = xs_read(xs, tx, vm_key, &vm);

	free(vm_key);
	if (rc == -ENOENT && !expect_vm)
		rc = 0;
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	if (expect_vm && (!vm || strcmp(vm, expect_vm)))
		goto out;
	rc = xs_rm(xs, tx, dom);
	/* Only a /vm/ path is ours to remove. */
	if ((!rc || rc == -ENOENT) && vm && !strncmp(vm, "/vm/", 4) && strlen(vm) > 4)
		rc = xs_rm(xs, tx, vm);
	if (rc == -ENOENT)
		rc = 0;
out:
	free(vm);
	return rc;
}

int xs_domain_remove(struct xs *xs, uint16_t domid, const char *expect_vm)
{
	char *dom = xs_domain_path(domid);
	int rc = -EAGAIN;

	for (int tries = 0; rc == -EAGAIN && tries < MAX_TRIES; tries++) {
		uint32_t tx;

		rc = xs_transaction_start(xs, &tx);
		if (rc)
			break;
		rc = remove_entries(xs, tx, dom, expect_vm);
		if (rc) {
			xs_transaction_end(xs, tx, false);
			break;
		}
		rc = xs_transaction_end(xs, tx, true);
	}
	free(dom);
	return rc;
}
