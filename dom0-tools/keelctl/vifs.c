/* A domain's vifs as a whole: checked and numbered at create, written, torn down at its end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"
#include "vif_hotplug.h"
#include "vifs.h"
#include "xs_vif.h"

static bool same_mac(const struct vif_spec *a, const struct vif_spec *b)
{
	return a->mac_given && b->mac_given && !memcmp(a->mac, b->mac, 6);
}

/* A random MAC for @s->spec[@i] that none of the set has. */
static int pick_mac(const char *who, struct vif_set *s, unsigned int i)
{
	for (int tries = 0; tries < 16; tries++) {
		bool taken = false;
		int rc = mac_random(s->spec[i].mac);

		if (rc) {
			kc_err("%s: vif %d: no random MAC: %s", who, s->spec[i].devid,
			       strerror(-rc));
			return rc;
		}
		s->spec[i].mac_given = true;
		for (unsigned int j = 0; j < s->nr && !taken; j++)
			taken = j != i && same_mac(&s->spec[i], &s->spec[j]);
		if (!taken)
			return 0;
	}
	return -EEXIST;
}

int vifs_prepare(const char *who, char *const *texts, unsigned int nr, struct vif_set *s)
{
	int last = -1, rc;
	char *why, mac[18];

	memset(s, 0, sizeof(*s));
	s->spec = xcalloc(nr + 1, sizeof(*s->spec));
	for (unsigned int i = 0; i < nr; i++) {
		if (vif_spec_parse(texts[i], &s->spec[i], &why)) {
			kc_err("%s: vif '%s': %s", who, texts[i], why);
			free(why);
			vif_set_free(s);
			return -EINVAL;
		}
		s->nr++;
		if (s->spec[i].devid > last)
			last = s->spec[i].devid;
	}
	/* As libxl's domain create: the vifs without an id follow the largest id given. */
	for (unsigned int i = 0; i < nr; i++) {
		if (s->spec[i].devid >= 0)
			continue;
		if (last >= VIF_MAX_DEVID) {
			kc_err("%s: vif '%s': no device id left after %d", who, texts[i], last);
			vif_set_free(s);
			return -ENOSPC;
		}
		s->spec[i].devid = ++last;
	}
	for (unsigned int i = 0; i < nr; i++) {
		for (unsigned int j = 0; j < i; j++) {
			if (s->spec[j].devid == s->spec[i].devid) {
				kc_err("%s: vif '%s': device %d is taken by '%s'", who, texts[i],
				       s->spec[i].devid, texts[j]);
				vif_set_free(s);
				return -EEXIST;
			}
			if (same_mac(&s->spec[i], &s->spec[j])) {
				mac_format(s->spec[i].mac, mac);
				kc_err("%s: vif '%s': MAC %s is taken by '%s'", who, texts[i], mac,
				       texts[j]);
				vif_set_free(s);
				return -EEXIST;
			}
		}
	}
	for (unsigned int i = 0; i < nr; i++) {
		if (s->spec[i].mac_given)
			continue;
		rc = pick_mac(who, s, i);
		if (rc) {
			vif_set_free(s);
			return rc;
		}
	}
	return 0;
}

int vifs_attach(struct kc *kc, const char *who, uint16_t domid, const char *vm,
		struct vif_set *s)
{
	uint32_t *devids;
	int rc = xs_vifs_add(kc->xs, domid, vm, s->spec, s->nr);

	if (rc == -EEXIST && s->nr == 1)
		kc_err("%s (d%u) has a vif %d already", who, domid, s->spec[0].devid);
	else if (rc == -EEXIST)
		kc_err("%s (d%u): one of its vifs' device ids is taken", who, domid);
	else if (rc)
		kc_err("%s (d%u): cannot write its vifs' xenstore entries: %s", who, domid,
		       strerror(-rc));
	if (rc)
		return rc;
	for (unsigned int i = 0; !rc && i < s->nr; i++)
		if (s->spec[i].backend == VIF_BACKEND_KERNEL)
			rc = vif_hotplug_online(kc->xs, who, domid, &s->spec[i],
						XS_DEVICE_TIMEOUT_MS);
	if (!rc)
		return 0;
	devids = xcalloc(s->nr + 1, sizeof(*devids));
	for (unsigned int i = 0; i < s->nr; i++)
		devids[i] = (uint32_t)s->spec[i].devid;
	xs_vifs_remove(kc->xs, domid, devids, s->nr, NULL, true, XS_DEVICE_TIMEOUT_MS);
	free(devids);
	return rc;
}

void vif_set_free(struct vif_set *s)
{
	for (unsigned int i = 0; i < s->nr; i++)
		vif_spec_free(&s->spec[i]);
	free(s->spec);
	memset(s, 0, sizeof(*s));
}

int vifs_detach_all(struct kc *kc, uint16_t domid, const char *expect_vm, bool force)
{
	uint32_t *devids;
	unsigned int nr;
	int rc = xs_devices_list(kc->xs, &xs_vif_kind, domid, &devids, &nr);

	if (!rc && nr)
		rc = xs_vifs_remove(kc->xs, domid, devids, nr, expect_vm, force,
				    XS_DEVICE_TIMEOUT_MS);
	free(devids);
	return rc;
}
