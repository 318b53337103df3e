/* keelctl block-attach, block-detach and block-list: a running guest's disks, as xl's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "disks.h"
#include "domains.h"
#include "xs_disk.h"
#include "xs_domain.h"


/* Does @domid have device @devid (its frontend or keelctl's copy)? */
static bool taken(struct kc *kc, uint16_t domid, uint32_t devid)
{
	char *paths[] = { xs_disk_fe_path(domid, devid), xs_disk_priv_path(domid, devid) };
	bool found = false;

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		char *v = NULL;

		found |= !xs_read(kc->xs, 0, paths[i], &v);
		free(v);
		free(paths[i]);
	}
	return found;
}

/* The backend's error node, if it wrote one: "<errno> <message>". */
static char *backend_error(struct kc *kc, uint16_t domid, const struct disk_spec *d)
{
	char *path = xasprintf("/local/domain/0/error/backend/%s/%u/%u/error",
			       disk_backend_kind(d->backend), domid, d->devid);
	char *v = NULL;

	if (xs_read(kc->xs, 0, path, &v)) {
		free(v);
		v = NULL;
	}
	free(path);
	return v;
}

/*
 * Up to XS_DISK_TIMEOUT_MS for the backend to take the disk (InitWait or later, libxl's
 * wait for kernel backends). 0, -ETIMEDOUT, or -EIO when it closed it (an error).
 */
static int wait_for_backend(struct kc *kc, uint16_t domid, const struct disk_spec *d)
{
	uint64_t deadline = now_ms() + XS_DISK_TIMEOUT_MS;
	unsigned int state;

	for (;;) {
		if (xs_disk_backend_state(kc->xs, domid, d->devid, &state))
			return -ENOENT;
		if (state >= XENBUS_INITWAIT && state <= XENBUS_CONNECTED)
			return 0;
		if (state > XENBUS_CONNECTED)
			return -EIO;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		sleep_ms(XS_DISK_POLL_MS);
	}
}

int cmd_block_attach(struct kc *kc, int argc, char **argv)
{
	struct disk_set s = { 0 };
	char *spec, *why, *vm = NULL, *vm_key, *err;
	uint16_t domid;
	int rc;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		command_usage(command_find("block-attach"), kc->out);
		return EXIT_OK;
	}
	if (argc < 3)
		return usage_error("block-attach", argc < 2 ? "no domain given" :
				   "no disk specification given");
	s.spec = xcalloc(2, sizeof(*s.spec));
	s.phys = xcalloc(2, sizeof(*s.phys));
	spec = command_joined(argc - 2, argv + 2);
	if (disk_spec_parse(spec, &s.spec[0], &why)) {
		rc = usage_error("block-attach", "disk '%s': %s", spec, why);
		free(why);
		goto out;
	}
	s.nr = 1;
	rc = command_guest(kc, "block-attach", argv[1], "virtual disks", &domid);
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	if (disk_target_check(argv[1], &s.spec[0]))
		goto out;
	vm_key = xasprintf("/local/domain/%u/vm", domid);
	if (xs_read(kc->xs, 0, vm_key, &vm)) {
		free(vm);
		vm = NULL;
	}
	free(vm_key);
	/* Before a loop device is made for nothing (the transaction checks again). */
	if (taken(kc, domid, s.spec[0].devid)) {
		kc_err("%s (d%u) has a disk %s (device %u) already", argv[1], domid,
		       s.spec[0].vdev, s.spec[0].devid);
		goto out;
	}
	if (disks_attach(kc, argv[1], domid, vm, &s))
		goto out;
	rc = wait_for_backend(kc, domid, &s.spec[0]);
	if (!rc) {
		rc = EXIT_OK;
		goto out;
	}
	err = backend_error(kc, domid, &s.spec[0]);
	if (rc == -ETIMEDOUT)
		kc_err("%s (d%u): no backend took disk %s within %d s (%s): removed again", argv[1],
		       domid, s.spec[0].vdev, XS_DISK_TIMEOUT_MS / 1000,
		       s.spec[0].backend == DISK_BACKEND_PHY ? "is xen-blkback loaded?" :
		       "is keel-blkback running?");
	else
		kc_err("%s (d%u): the backend refused disk %s%s%s: removed again", argv[1], domid,
		       s.spec[0].vdev, err ? ": " : "", err ? err : "");
	free(err);
	xs_disks_remove(kc->xs, domid, &s.spec[0].devid, 1, NULL, true, XS_DISK_TIMEOUT_MS);
	rc = EXIT_FAIL;
out:
	disk_set_free(&s);
	free(spec);
	free(vm);
	return rc;
}

int cmd_block_detach(struct kc *kc, int argc, char **argv)
{
	bool force = false;
	uint32_t devid;
	uint16_t domid;
	char *priv, *v = NULL;
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f")) {
			force = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			command_usage(command_find("block-detach"), kc->out);
			return EXIT_OK;
		} else {
			return usage_error("block-detach", "unknown option %s", argv[i]);
		}
	}
	if (argc - i != 2)
		return usage_error("block-detach", argc - i < 2 ? "a domain and a disk, please" :
				   "one disk at a time");
	if (vdev_devid(argv[i + 1], &devid))
		return usage_error("block-detach", "'%s' is neither a device id nor a disk name",
				   argv[i + 1]);
	rc = command_guest(kc, "block-detach", argv[i], "virtual disks", &domid);
	if (rc)
		return rc;
	priv = xs_disk_priv_path(domid, devid);
	rc = xs_read(kc->xs, 0, priv, &v);
	free(priv);
	free(v);
	if (rc) {
		kc_err("%s (d%u) has no disk %s (device %u)", argv[i], domid, argv[i + 1], devid);
		return EXIT_FAIL;
	}
	rc = xs_disks_remove(kc->xs, domid, &devid, 1, NULL, force, XS_DISK_TIMEOUT_MS);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static void list_one(struct kc *kc, uint16_t domid)
{
	uint32_t *devids;
	unsigned int nr;

	if (xs_disks_list(kc->xs, domid, &devids, &nr)) {
		free(devids);
		return;
	}
	for (unsigned int i = 0; i < nr; i++) {
		char *priv = xs_disk_priv_path(domid, devids[i]);
		char *be_key = xasprintf("%s/backend", priv), *be = NULL;
		char *fe = xs_disk_fe_path(domid, devids[i]);

		if (xs_read(kc->xs, 0, be_key, &be)) {
			free(be);
			be = NULL;
		}
		fprintf(kc->out, "%-5u %-3d %-6u %-5ld %-6ld %-8ld %s\n", devids[i], 0, domid,
			command_fe_number(kc, fe, "state"), command_fe_number(kc, fe, "event-channel"),
			command_fe_number(kc, fe, "ring-ref"), be ? be : "");
		free(be);
		free(be_key);
		free(priv);
		free(fe);
	}
	free(devids);
}

int cmd_block_list(struct kc *kc, int argc, char **argv)
{
	uint16_t *domids;
	int rc = EXIT_OK;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		command_usage(command_find("block-list"), kc->out);
		return EXIT_OK;
	}
	if (argc < 2)
		return usage_error("block-list", "no domain given");
	domids = xcalloc((size_t)argc, sizeof(*domids));
	for (int i = 1; i < argc && rc == EXIT_OK; i++)
		rc = command_guest(kc, "block-list", argv[i], "virtual disks", &domids[i]);
	if (rc == EXIT_OK) {
		fprintf(kc->out, "%-5s %-3s %-6s %-5s %-6s %-8s %s\n", "Vdev", "BE", "handle",
			"state", "evt-ch", "ring-ref", "BE-path");
		for (int i = 1; i < argc; i++)
			list_one(kc, domids[i]);
	}
	free(domids);
	return rc;
}
