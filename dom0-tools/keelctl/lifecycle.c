/* Starting a configured domain as a whole (build, xenstore, introduce, run) and tearing it down. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "builder.h"
#include "disks.h"
#include "dom_state.h"
#include "lifecycle.h"
#include "progress.h"
#include "util.h"
#include "vifs.h"
#include "xs_domain.h"

int domain_teardown(struct kc *kc, uint16_t domid, const char *expect_vm, bool destroy)
{
	char *uuid;
	int rc = 0, r;

	if (destroy) {
		r = hv_simple(kc->hv, KEEL_DOMCTL_destroy, domid);
		if (r && r != -ESRCH) {
			kc_err("d%u: keel refused destroy: %s (%s)", domid, strerror(-r),
			       errno_name(-r));
			rc = r;
		}
	}
	if (!kc->xs)
		return rc;
	/* The guest is gone or going: its disks in force mode (frontend first). */
	r = disks_detach_all(kc, domid, expect_vm, true);
	if (r) {
		kc_err("d%u: cannot remove its disks: %s", domid, strerror(-r));
		rc = rc ? rc : r;
	}
	r = vifs_detach_all(kc, domid, expect_vm, true);
	if (r) {
		kc_err("d%u: cannot remove its vifs: %s", domid, strerror(-r));
		rc = rc ? rc : r;
	}
	uuid = dom_state_uuid(kc->xs, domid);
	if (uuid && (!expect_vm || (!strncmp(expect_vm, "/vm/", 4) && !strcmp(expect_vm + 4, uuid))))
		dom_state_remove(uuid);
	free(uuid);
	r = xs_release(kc->xs, domid);
	/* ENOENT: never introduced, or released already. */
	if (r && r != -ENOENT) {
		kc_err("d%u: xenstored refused RELEASE: %s", domid, strerror(-r));
		rc = rc ? rc : r;
	}
	r = xs_domain_remove(kc->xs, domid, expect_vm);
	if (r) {
		kc_err("d%u: cannot remove its xenstore entries: %s", domid, strerror(-r));
		rc = rc ? rc : r;
	}
	return rc;
}

static int register_domain(struct kc *kc, const struct domain_config *cfg,
			   const struct build_report *rep, struct disk_set *disks,
			   struct vif_set *vifs)
{
	char *vm;
	struct keel_domctl_info info;
	struct xs_domain d;
	int rc;

	rc = hv_getinfo(kc->hv, rep->domid, &info);
	if (rc) {
		kc_err("%s (d%u): keel refused getinfo: %s", cfg->name, rep->domid, strerror(-rc));
		return rc;
	}
	progress_step("writing its xenstore entries");
	d = (struct xs_domain){
		.domid = rep->domid, .name = cfg->name, .uuid = cfg->uuid,
		.mem_kb = cfg->memory_mb << 10, .vcpus = cfg->vcpus,
		.max_vcpus = cfg->max_vcpus,
		.store_ring = info.xenstore_pfn, .store_port = info.xenstore_port,
		.console_ring = info.console_pfn, .console_port = info.console_port,
		.kernel = cfg->kernel, .ramdisk = cfg->ramdisk, .cmdline = rep->cmdline,
	};
	rc = xs_domain_write(kc->xs, &d);
	if (rc) {
		kc_err("%s (d%u): cannot write its xenstore entries: %s", cfg->name, rep->domid,
		       strerror(-rc));
		return rc;
	}
	/* Before the guest runs: its frontends find every device at state 1 when they probe. */
	vm = xs_vm_path(cfg->uuid);
	/* Leftovers of an earlier domain with this id (a toolstack killed midway) go first. */
	disks_detach_all(kc, rep->domid, NULL, true);
	vifs_detach_all(kc, rep->domid, NULL, true);
	if (disks->nr || vifs->nr)
		progress_step("adding its devices (%u disk%s, %u vif%s)", disks->nr,
			      disks->nr == 1 ? "" : "s", vifs->nr, vifs->nr == 1 ? "" : "s");
	rc = disks_attach(kc, cfg->name, rep->domid, vm, disks);
	rc = rc ? rc : vifs_attach(kc, cfg->name, rep->domid, vm, vifs);
	free(vm);
	if (rc)
		return rc;
	rc = xs_introduce(kc->xs, rep->domid, info.xenstore_pfn, info.xenstore_port);
	if (rc)
		kc_err("%s (d%u): xenstored refused INTRODUCE (ring frame %#llx, port %u): %s",
		       cfg->name, rep->domid, (unsigned long long)info.xenstore_pfn,
		       info.xenstore_port, strerror(-rc));
	return rc;
}

int domain_start(struct kc *kc, const struct domain_config *cfg, bool paused, uint16_t *domid)
{
	struct build_report rep;
	struct disk_set disks;
	struct vif_set vifs;
	char *vm;
	int rc, r;

	if (!kc_hv(kc) || !kc_xs(kc))
		return -EIO;
	/* A bad disk or vif fails the create before anything exists. */
	rc = disks_prepare(cfg->name, cfg->disks, cfg->nr_disks, &disks);
	if (rc)
		return rc;
	rc = vifs_prepare(cfg->name, cfg->vifs, cfg->nr_vifs, &vifs);
	if (rc) {
		disk_set_free(&disks);
		return rc;
	}
	rc = build_domain(kc->hv, cfg, &rep);
	if (rc) {
		disk_set_free(&disks);
		vif_set_free(&vifs);
		return rc;
	}
	rc = register_domain(kc, cfg, &rep, &disks, &vifs);
	disk_set_free(&disks);
	vif_set_free(&vifs);
	if (!rc && !paused) {
		progress_step("starting it");
		rc = hv_simple(kc->hv, KEEL_DOMCTL_unpause, rep.domid);
		if (rc)
			kc_err("%s (d%u): keel refused unpause: %s (%s)", cfg->name, rep.domid,
			       strerror(-rc), errno_name(-rc));
	}
	if (rc) {
		vm = xs_vm_path(cfg->uuid);
		domain_teardown(kc, rep.domid, vm, true);
		free(vm);
	} else {
		*domid = rep.domid;
		r = dom_state_save(cfg);
		if (r)
			kc_warn("%s (d%u): cannot record its config for list -l and reboot -w: %s",
				cfg->name, rep.domid, strerror(-r));
	}
	build_report_free(&rep);
	return rc;
}
