/* keelctl rename: a domain's new name in xenstore and in keelctl's record of it, as xl rename. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "config.h"
#include "dom_state.h"
#include "domains.h"

#define RENAME_TRIES	8

/* /local/domain/N/name and, when the domain has one, /vm/<uuid>/name, in one transaction. */
static int write_names(struct xs *xs, uint16_t domid, const char *uuid, const char *name)
{
	char *dom = xasprintf("/local/domain/%u/name", domid);
	char *vm = uuid ? xasprintf("/vm/%s/name", uuid) : NULL;
	int rc = -EAGAIN;

	for (int tries = 0; rc == -EAGAIN && tries < RENAME_TRIES; tries++) {
		uint32_t tx;

		rc = xs_transaction_start(xs, &tx);
		if (rc)
			break;
		rc = xs_write(xs, tx, dom, name);
		if (!rc && vm)
			rc = xs_write(xs, tx, vm, name);
		if (rc) {
			xs_transaction_end(xs, tx, false);
			break;
		}
		rc = xs_transaction_end(xs, tx, true);
	}
	free(vm);
	free(dom);
	return rc;
}

int cmd_rename(struct kc *kc, int argc, char **argv)
{
	struct domain_config cfg;
	const char *why;
	uint16_t domid, other;
	char *uuid;
	int rc;

	if (argc != 3)
		return usage_error("rename", "a domain and its new name are needed");
	rc = command_guest(kc, "rename", argv[1], "new name", &domid);
	if (rc)
		return rc;
	why = config_name_problem(argv[2]);
	if (why) {
		kc_err("rename: '%s' %s", argv[2], why);
		return EXIT_FAIL;
	}
	rc = domain_by_name(kc, argv[2], &other);
	if (!rc) {
		kc_err("rename: a domain named '%s' exists already (d%u)", argv[2], other);
		return EXIT_FAIL;
	}
	if (rc != -ENOENT)
		return EXIT_FAIL;
	uuid = dom_state_uuid(kc->xs, domid);
	rc = write_names(kc->xs, domid, uuid, argv[2]);
	if (rc) {
		kc_err("%s (d%u): cannot write its new name to xenstore: %s", argv[1], domid,
		       strerror(-rc));
		free(uuid);
		return EXIT_FAIL;
	}
	/* What its monitor rebuilds on a reboot. */
	if (uuid && !dom_state_load(uuid, &cfg)) {
		free(cfg.name);
		cfg.name = xstrdup(argv[2]);
		rc = dom_state_save(&cfg);
		if (rc)
			kc_warn("d%u: cannot record its new name for a restart: %s", domid,
				strerror(-rc));
		config_free(&cfg);
	}
	free(uuid);
	return EXIT_OK;
}
