/* A domain's disks as a whole: checked, set up and written at create, torn down at its end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "disks.h"
#include "util.h"
#include "xs_disk.h"

int disks_prepare(const char *who, char *const *texts, unsigned int nr, struct disk_set *s)
{
	char *why;
	int rc;

	memset(s, 0, sizeof(*s));
	s->spec = xcalloc(nr + 1, sizeof(*s->spec));
	s->phys = xcalloc(nr + 1, sizeof(*s->phys));
	for (unsigned int i = 0; i < nr; i++) {
		if (disk_spec_parse(texts[i], &s->spec[i], &why)) {
			kc_err("%s: disk '%s': %s", who, texts[i], why);
			free(why);
			disk_set_free(s);
			return -EINVAL;
		}
		s->nr++;
		for (unsigned int j = 0; j < i; j++) {
			if (s->spec[j].devid == s->spec[i].devid) {
				kc_err("%s: disk '%s': device %u is taken by '%s'", who, texts[i],
				       s->spec[i].devid, texts[j]);
				disk_set_free(s);
				return -EEXIST;
			}
		}
		rc = disk_target_check(who, &s->spec[i]);
		if (rc) {
			disk_set_free(s);
			return rc;
		}
	}
	return 0;
}

static void release_loops(struct disk_set *s)
{
	for (unsigned int i = 0; i < s->nr; i++) {
		if (s->phys[i].loop)
			disk_loop_release(s->phys[i].path);
		disk_phys_free(&s->phys[i]);
	}
}

int disks_attach(struct kc *kc, const char *who, uint16_t domid, const char *vm,
		 struct disk_set *s)
{
	int rc = 0;

	for (unsigned int i = 0; !rc && i < s->nr; i++)
		if (s->spec[i].backend == DISK_BACKEND_PHY)
			rc = disk_phys_setup(who, &s->spec[i], &s->phys[i]);
	if (!rc) {
		rc = xs_disks_add(kc->xs, domid, vm, s->spec, s->phys, s->nr);
		if (rc == -EEXIST && s->nr == 1)
			kc_err("%s (d%u) has a disk %s (device %u) already", who, domid,
			       s->spec[0].vdev, s->spec[0].devid);
		else if (rc == -EEXIST)
			kc_err("%s (d%u): one of its disks' device ids is taken", who, domid);
		else if (rc)
			kc_err("%s (d%u): cannot write its disks' xenstore entries: %s", who, domid,
			       strerror(-rc));
	}
	if (rc)
		release_loops(s);
	return rc;
}

void disk_set_free(struct disk_set *s)
{
	for (unsigned int i = 0; i < s->nr; i++) {
		disk_spec_free(&s->spec[i]);
		disk_phys_free(&s->phys[i]);
	}
	free(s->spec);
	free(s->phys);
	memset(s, 0, sizeof(*s));
}

int disks_detach_all(struct kc *kc, uint16_t domid, const char *expect_vm, bool force)
{
	uint32_t *devids;
	unsigned int nr;
	int rc = xs_disks_list(kc->xs, domid, &devids, &nr);

	if (!rc && nr)
		rc = xs_disks_remove(kc->xs, domid, devids, nr, expect_vm, force,
				     XS_DISK_TIMEOUT_MS);
	free(devids);
	return rc;
}
