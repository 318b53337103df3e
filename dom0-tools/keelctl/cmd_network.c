/* keelctl network-attach, network-detach and network-list: a running guest's vifs, as xl's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "vifs.h"
#include "xs_device.h"
#include "xs_domain.h"
#include "xs_vif.h"

#define WHAT	"virtual network interfaces"

/* The backend's error node, if it wrote one: "<errno> <message>". */
static char *backend_error(struct kc *kc, uint16_t domid, const struct vif_spec *v)
{
	char *path = xasprintf("/local/domain/0/error/backend/%s/%u/%d/error",
			       vif_backend_kind(v->backend), domid, v->devid);
	char *v_ = NULL;

	if (xs_read(kc->xs, 0, path, &v_)) {
		free(v_);
		v_ = NULL;
	}
	free(path);
	return v_;
}

/* Up to XS_DEVICE_TIMEOUT_MS for the backend to take the vif. 0, -ETIMEDOUT or -EIO. */
static int wait_for_backend(struct kc *kc, uint16_t domid, const struct vif_spec *v)
{
	uint64_t deadline = now_ms() + XS_DEVICE_TIMEOUT_MS;
	unsigned int state;

	for (;;) {
		if (xs_device_backend_state(kc->xs, &xs_vif_kind, domid, (uint32_t)v->devid,
					    &state))
			return -ENOENT;
		if (state >= XENBUS_INITWAIT && state <= XENBUS_CONNECTED)
			return 0;
		if (state > XENBUS_CONNECTED)
			return -EIO;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		sleep_ms(XS_DEVICE_POLL_MS);
	}
}

static char *domain_vm(struct kc *kc, uint16_t domid)
{
	char *key = xasprintf("/local/domain/%u/vm", domid), *vm = NULL;

	if (xs_read(kc->xs, 0, key, &vm)) {
		free(vm);
		vm = NULL;
	}
	free(key);
	return vm;
}

int cmd_network_attach(struct kc *kc, int argc, char **argv)
{
	struct vif_set s = { 0 };
	char *spec, *vm = NULL, *err, *why;
	uint32_t devid;
	uint16_t domid;
	int rc;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		command_usage(command_find("network-attach"), kc->out);
		return EXIT_OK;
	}
	if (argc < 2)
		return usage_error("network-attach", "no domain given");
	/* No specification: a vif with every default, as in xl. */
	spec = argc > 2 ? command_joined(argc - 2, argv + 2) : xstrdup("");
	s.spec = xcalloc(2, sizeof(*s.spec));
	if (vif_spec_parse(spec, &s.spec[0], &why)) {
		rc = usage_error("network-attach", "vif '%s': %s", spec, why);
		free(why);
		goto out;
	}
	s.nr = 1;
	rc = command_guest(kc, "network-attach", argv[1], WHAT, &domid);
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	if (s.spec[0].devid < 0) {
		int r = xs_vif_next_devid(kc->xs, domid, &devid);

		if (r) {
			kc_err("%s (d%u): no vif id left: %s", argv[1], domid, strerror(-r));
			goto out;
		}
		s.spec[0].devid = (int)devid;
	}
	if (!s.spec[0].mac_given) {
		if (mac_random(s.spec[0].mac))
			goto out;
		s.spec[0].mac_given = true;
	}
	vm = domain_vm(kc, domid);
	if (vifs_attach(kc, argv[1], domid, vm, &s))
		goto out;
	rc = wait_for_backend(kc, domid, &s.spec[0]);
	if (!rc) {
		rc = EXIT_OK;
		goto out;
	}
	err = backend_error(kc, domid, &s.spec[0]);
	if (rc == -ETIMEDOUT)
		kc_err("%s (d%u): no backend took vif %d within %d s (%s): removed again", argv[1],
		       domid, s.spec[0].devid, XS_DEVICE_TIMEOUT_MS / 1000,
		       s.spec[0].backend == VIF_BACKEND_KERNEL ? "is xen-netback loaded?" :
		       "is keel-netback running?");
	else
		kc_err("%s (d%u): the backend refused vif %d%s%s: removed again", argv[1], domid,
		       s.spec[0].devid, err ? ": " : "", err ? err : "");
	free(err);
	devid = (uint32_t)s.spec[0].devid;
	xs_vifs_remove(kc->xs, domid, &devid, 1, NULL, true, XS_DEVICE_TIMEOUT_MS);
	rc = EXIT_FAIL;
out:
	vif_set_free(&s);
	free(spec);
	free(vm);
	return rc;
}

/* The vif of @domid that @arg names: its id, or its MAC in the private copy. 0 or -ENOENT. */
static int find_vif(struct kc *kc, uint16_t domid, const char *arg, uint32_t *devid)
{
	uint8_t want[6], mac[6];
	const char *why;
	uint32_t *ids;
	unsigned int nr;
	uint64_t n;
	int rc = -ENOENT;

	if (parse_u64(arg, &n)) {
		char *priv, *v = NULL;

		if (n > VIF_MAX_DEVID)
			return -ENOENT;
		priv = xs_vif_priv_path(domid, (uint32_t)n);
		rc = xs_read(kc->xs, 0, priv, &v);
		free(priv);
		free(v);
		*devid = (uint32_t)n;
		return rc ? -ENOENT : 0;
	}
	if (mac_parse(arg, want, &why))
		return -EINVAL;
	if (xs_devices_list(kc->xs, &xs_vif_kind, domid, &ids, &nr)) {
		free(ids);
		return -ENOENT;
	}
	for (unsigned int i = 0; i < nr && rc; i++) {
		char *priv = xs_vif_priv_path(domid, ids[i]);
		char *text = xs_read_rel(kc->xs, 0, priv, "mac");

		if (text && !mac_parse(text, mac, &why) && !memcmp(mac, want, 6)) {
			*devid = ids[i];
			rc = 0;
		}
		free(text);
		free(priv);
	}
	free(ids);
	return rc;
}

int cmd_network_detach(struct kc *kc, int argc, char **argv)
{
	bool force = false;
	uint32_t devid;
	uint16_t domid;
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f")) {
			force = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			command_usage(command_find("network-detach"), kc->out);
			return EXIT_OK;
		} else {
			return usage_error("network-detach", "unknown option %s", argv[i]);
		}
	}
	if (argc - i != 2)
		return usage_error("network-detach", argc - i < 2 ? "a domain and a vif, please" :
				   "one vif at a time");
	rc = command_guest(kc, "network-detach", argv[i], WHAT, &domid);
	if (rc)
		return rc;
	rc = find_vif(kc, domid, argv[i + 1], &devid);
	if (rc == -EINVAL)
		return usage_error("network-detach", "'%s' is neither a vif id nor a MAC address",
				   argv[i + 1]);
	if (rc) {
		kc_err("%s (d%u) has no vif %s", argv[i], domid, argv[i + 1]);
		return EXIT_FAIL;
	}
	rc = xs_vifs_remove(kc->xs, domid, &devid, 1, NULL, force, XS_DEVICE_TIMEOUT_MS);
	return rc ? EXIT_FAIL : EXIT_OK;
}

/* A number at @fe/@key, else at @fe/queue-0/@key (a multi-queue netfront), or -1. */
static long fe_queue_number(struct kc *kc, const char *fe, const char *key)
{
	char *q = xasprintf("queue-0/%s", key);
	long n = command_fe_number(kc, fe, key);

	if (n < 0)
		n = command_fe_number(kc, fe, q);
	free(q);
	return n;
}

static void list_one(struct kc *kc, uint16_t domid)
{
	uint32_t *devids;
	unsigned int nr;

	if (xs_devices_list(kc->xs, &xs_vif_kind, domid, &devids, &nr)) {
		free(devids);
		return;
	}
	for (unsigned int i = 0; i < nr; i++) {
		char *priv = xs_vif_priv_path(domid, devids[i]);
		char *be = xs_read_rel(kc->xs, 0, priv, "backend");
		char *mac = xs_read_rel(kc->xs, 0, priv, "mac");
		char *fe = xs_vif_fe_path(domid, devids[i]);
		long evtch = fe_queue_number(kc, fe, "event-channel");

		if (evtch < 0)
			evtch = fe_queue_number(kc, fe, "event-channel-tx");
		fprintf(kc->out, "%-3u %-2d %-17s %-6u %-5ld %-6ld %5ld/%-11ld %s\n", devids[i], 0,
			mac ? mac : "", devids[i], command_fe_number(kc, fe, "state"), evtch,
			fe_queue_number(kc, fe, "tx-ring-ref"),
			fe_queue_number(kc, fe, "rx-ring-ref"), be ? be : "");
		free(be);
		free(mac);
		free(priv);
		free(fe);
	}
	free(devids);
}

int cmd_network_list(struct kc *kc, int argc, char **argv)
{
	uint16_t *domids;
	int rc = EXIT_OK;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		command_usage(command_find("network-list"), kc->out);
		return EXIT_OK;
	}
	if (argc < 2)
		return usage_error("network-list", "no domain given");
	domids = xcalloc((size_t)argc, sizeof(*domids));
	for (int i = 1; i < argc && rc == EXIT_OK; i++)
		rc = command_guest(kc, "network-list", argv[i], WHAT, &domids[i]);
	if (rc == EXIT_OK) {
		fprintf(kc->out, "%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-11s %s\n", "Idx", "BE",
			"Mac Addr.", "handle", "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path");
		for (int i = 1; i < argc; i++)
			list_one(kc, domids[i]);
	}
	free(domids);
	return rc;
}
