/* Naming domains: NAME-or-id arguments, names from xenstore, xl's state letters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "domains.h"
#include "util.h"

char *domain_name(struct xs *xs, uint16_t domid)
{
	char *path, *name = NULL;

	if (xs) {
		path = xasprintf("/local/domain/%u/name", domid);
		if (xs_read(xs, 0, path, &name))
			name = NULL;
		free(path);
	}
	if (!name && domid == 0)
		name = xstrdup(DOM0_NAME);
	return name;
}

int domain_by_name(struct kc *kc, const char *name, uint16_t *domid)
{
	struct keel_domctl_info info;
	struct xs *xs;
	char **ids;
	int rc;

	if (!strcmp(name, DOM0_NAME)) {
		*domid = 0;
		return 0;
	}
	xs = kc_xs(kc);
	if (!xs || !kc_hv(kc))
		return -EIO;
	rc = xs_directory(xs, 0, "/local/domain", &ids, NULL);
	if (rc == -ENOENT)
		return -ENOENT;
	if (rc) {
		kc_err("cannot list /local/domain in xenstore: %s", strerror(-rc));
		return rc;
	}
	rc = -ENOENT;
	for (char **id = ids; *id && rc == -ENOENT; id++) {
		uint16_t d;
		char *n;

		if (!parse_domid(*id, &d))
			continue;
		n = domain_name(xs, d);
		/* A name left behind by a domain that is gone does not count. */
		if (n && !strcmp(n, name) && !hv_getinfo(kc->hv, d, &info)) {
			*domid = d;
			rc = 0;
		}
		free(n);
	}
	xs_free_list(ids);
	return rc;
}

int domain_find(struct kc *kc, const char *arg, uint16_t *domid)
{
	struct keel_domctl_info info;
	uint16_t d;
	int rc;

	if (parse_domid(arg, &d)) {
		if (!kc_hv(kc))
			return -EIO;
		rc = hv_getinfo(kc->hv, d, &info);
		if (rc == -ESRCH) {
			kc_err("no domain with id %u", d);
			return -ENOENT;
		}
		if (rc) {
			kc_err("d%u: keel refused getinfo: %s", d, strerror(-rc));
			return rc;
		}
		*domid = d;
		return 0;
	}
	rc = domain_by_name(kc, arg, domid);
	if (rc == -ENOENT)
		kc_err("no domain named '%s'", arg);
	return rc;
}

void domain_state(uint16_t flags, char out[7])
{
	static const struct {
		uint16_t flag;
		char letter;
	} letters[] = {
		{ KEEL_DOMINF_running, 'r' }, { KEEL_DOMINF_blocked, 'b' },
		{ KEEL_DOMINF_paused, 'p' }, { KEEL_DOMINF_shutdown, 's' },
		{ KEEL_DOMINF_crashed, 'c' }, { KEEL_DOMINF_dying, 'd' },
	};

	for (size_t i = 0; i < ARRAY_SIZE(letters); i++)
		out[i] = flags & letters[i].flag ? letters[i].letter : '-';
	out[6] = '\0';
}

const char *shutdown_reason_name(uint32_t reason, char buf[20])
{
	static const char *const names[] = {
		"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
	};

	if (reason < ARRAY_SIZE(names))
		return names[reason];
	snprintf(buf, 20, "reason %u", reason);
	return buf;
}
