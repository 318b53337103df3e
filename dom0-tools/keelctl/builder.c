/* The domain builder: a paused PVH domain from a configuration, or nothing at all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "builder.h"
#include "guest_mem.h"
#include "kernel_image.h"
#include "progress.h"
#include "util.h"

#define PAGE_ALIGN(x) (((x) + HV_PAGE_SIZE - 1) & ~(uint64_t)(HV_PAGE_SIZE - 1))
#define BOOT_PAGE_GPA	0x9f000ull	/* PVH_BOOT_PAGE_GPA */
#define LEGACY_END	0x100000ull	/* PVH_LEGACY_END */

/* Everything read and checked before keel is asked for anything. */
struct build_input {
	struct kernel_image kernel;
	uint8_t *ramdisk;
	size_t ramdisk_len;
	uint64_t ramdisk_gpa;
	char *cmdline;
};

static void refused(const struct domain_config *cfg, uint16_t domid, uint32_t cmd, int rc,
		    const char *detail)
{
	if (domid == DOMID_ANY)
		kc_err("%s: keel refused %s%s: %s (%s)", cfg->name, hv_cmd_name(cmd), detail,
		       strerror(-rc), errno_name(-rc));
	else
		kc_err("%s (d%u): keel refused %s%s: %s (%s)", cfg->name, domid, hv_cmd_name(cmd),
		       detail, strerror(-rc), errno_name(-rc));
}

/* The first page-aligned address after the kernel where the ramdisk fits in RAM. */
static int place_ramdisk(const struct domain_config *cfg, struct build_input *in)
{
	uint64_t mem = cfg->memory_mb << 20, len = in->ramdisk_len;
	uint64_t gpa = PAGE_ALIGN(in->kernel.highest);

	if (gpa < BOOT_PAGE_GPA && gpa + len > BOOT_PAGE_GPA)
		gpa = LEGACY_END;
	if (!guest_ram_range(mem, gpa, len)) {
		kc_err("%s: ramdisk %s (%zu KiB) does not fit in %llu MiB after the kernel (it would end at %#llx, RAM at %#llx): raise memory",
		       cfg->name, cfg->ramdisk, in->ramdisk_len >> 10,
		       (unsigned long long)cfg->memory_mb, (unsigned long long)(gpa + len),
		       (unsigned long long)guest_low_ram_end(mem));
		return -E2BIG;
	}
	in->ramdisk_gpa = gpa;
	return 0;
}

static void input_free(struct build_input *in)
{
	kernel_image_free(&in->kernel);
	free(in->ramdisk);
	free(in->cmdline);
}

static int read_input(const struct domain_config *cfg, struct build_input *in)
{
	int rc;

	memset(in, 0, sizeof(*in));
	rc = kernel_image_fits(cfg->kernel, cfg->ramdisk, cfg->memory_mb, cfg->name);
	if (rc)
		return rc;
	progress_step("reading the kernel %s", cfg->kernel);
	rc = kernel_image_open(cfg->kernel, cfg->memory_mb << 20, &in->kernel);
	if (rc)
		return rc;
	if (cfg->ramdisk) {
		progress_step("reading the ramdisk %s", cfg->ramdisk);
		rc = read_whole_file(cfg->ramdisk, RAMDISK_FILE_MAX, &in->ramdisk,
				     &in->ramdisk_len);
		if (rc) {
			kc_err("%s: %s", cfg->ramdisk,
			       rc == -EFBIG ? "larger than 1 GiB" : strerror(-rc));
			goto fail;
		}
		if (!in->ramdisk_len) {
			kc_err("%s: the ramdisk is empty", cfg->ramdisk);
			rc = -EINVAL;
			goto fail;
		}
		rc = place_ramdisk(cfg, in);
		if (rc)
			goto fail;
	}
	in->cmdline = config_cmdline(cfg);
	if (strlen(in->cmdline) > CONFIG_MAX_CMDLINE) {
		kc_err("%s: the kernel command line is %zu bytes; keel takes at most %d", cfg->name,
		       strlen(in->cmdline), CONFIG_MAX_CMDLINE);
		rc = -E2BIG;
		goto fail;
	}
	return 0;
fail:
	input_free(in);
	return rc;
}

/* Everything after create; the caller destroys the domain when this fails. */
static int fill_domain(struct hv *hv, const struct domain_config *cfg, uint16_t domid,
		       const struct build_input *in)
{
	struct guest_mem gm = { .hv = hv, .domid = domid };
	struct keel_domctl_info info;
	char detail[64];
	int rc;

	rc = hv_set_actions(hv, domid, cfg->on_poweroff, cfg->on_reboot, cfg->on_crash);
	if (rc) {
		refused(cfg, domid, KEEL_DOMCTL_set_actions, rc, "");
		return rc;
	}
	if (cfg->weight || cfg->cap) {
		rc = hv_getinfo(hv, domid, &info);
		if (rc) {
			refused(cfg, domid, KEEL_DOMCTL_getinfo, rc, "");
			return rc;
		}
		snprintf(detail, sizeof(detail), " (weight %u, cap %u)",
			 cfg->weight ? cfg->weight : info.weight, cfg->cap);
		rc = hv_set_sched(hv, domid, cfg->weight ? cfg->weight : info.weight, cfg->cap);
		if (rc) {
			refused(cfg, domid, KEEL_DOMCTL_set_sched, rc, detail);
			return rc;
		}
	}
	snprintf(detail, sizeof(detail), " (%llu MiB)", (unsigned long long)cfg->memory_mb);
	progress_step("building its memory (%llu MiB)", (unsigned long long)cfg->memory_mb);
	rc = hv_set_memory(hv, domid, cfg->memory_mb << 10);
	if (rc) {
		refused(cfg, domid, KEEL_DOMCTL_set_memory, rc, detail);
		return rc;
	}
	progress_step("loading the kernel%s", in->ramdisk ? " and the ramdisk" : "");
	rc = kernel_image_load(&in->kernel, guest_mem_write, &gm);
	if (rc) {
		kc_err("%s (d%u): loading the kernel %s failed", cfg->name, domid, cfg->kernel);
		return rc;
	}
	if (in->ramdisk) {
		rc = guest_mem_write(&gm, in->ramdisk_gpa, in->ramdisk, in->ramdisk_len);
		if (rc) {
			kc_err("%s (d%u): loading the ramdisk %s failed", cfg->name, domid,
			       cfg->ramdisk);
			return rc;
		}
	}
	rc = hv_set_boot(hv, domid, in->kernel.entry, in->cmdline,
			 in->ramdisk ? in->ramdisk_gpa : 0, in->ramdisk_len);
	if (rc) {
		snprintf(detail, sizeof(detail), " (entry %#x)", in->kernel.entry);
		refused(cfg, domid, KEEL_DOMCTL_set_boot, rc, detail);
	}
	return rc;
}

/* cpus = "...": every vCPU's hard affinity, before anything runs ("all" is the default). */
static int pin_vcpus(struct hv *hv, const struct domain_config *cfg, uint16_t domid,
		     unsigned int nr)
{
	for (unsigned int i = 0; cfg->cpus && strcmp(cfg->cpus, "all") && i < nr; i++) {
		int rc = hv_setvcpuaffinity(hv, domid, i, &cfg->affinity);

		if (rc) {
			kc_err("%s: cpus = \"%s\": keel refused setvcpuaffinity: %s%s", cfg->name,
			       cfg->cpus, strerror(-rc),
			       rc == -EINVAL ? " (it names none of keel's CPUs)" : "");
			return rc;
		}
	}
	return 0;
}

int build_domain(struct hv *hv, const struct domain_config *cfg, struct build_report *out)
{
	unsigned int max_vcpus = cfg->max_vcpus ? cfg->max_vcpus : cfg->vcpus;
	struct build_input in;
	uint16_t domid;
	char detail[32];
	int rc, drc;

	memset(out, 0, sizeof(*out));
	rc = read_input(cfg, &in);
	if (rc)
		return rc;
	progress_step("creating the domain (%u vCPU%s)", max_vcpus, max_vcpus > 1 ? "s" : "");
	rc = hv_create(hv, max_vcpus, &domid);
	if (rc) {
		snprintf(detail, sizeof(detail), " (%u vCPUs)", max_vcpus);
		refused(cfg, DOMID_ANY, KEEL_DOMCTL_create, rc, detail);
		input_free(&in);
		return rc;
	}
	rc = pin_vcpus(hv, cfg, domid, max_vcpus);
	rc = rc ? rc : fill_domain(hv, cfg, domid, &in);
	if (rc) {
		drc = hv_simple(hv, KEEL_DOMCTL_destroy, domid);
		if (drc)
			kc_err("%s (d%u): could not destroy the half-built domain: %s", cfg->name,
			       domid, strerror(-drc));
		input_free(&in);
		return rc;
	}
	*out = (struct build_report){
		.domid = domid,
		.entry = in.kernel.entry,
		.kernel_start = in.kernel.lowest,
		.kernel_end = in.kernel.highest,
		.ramdisk_gpa = in.ramdisk ? in.ramdisk_gpa : 0,
		.ramdisk_size = in.ramdisk_len,
		.from_bzimage = in.kernel.from_bzimage,
		.cmdline = in.cmdline,
	};
	in.cmdline = NULL;
	input_free(&in);
	return 0;
}

void build_report_free(struct build_report *r)
{
	free(r->cmdline);
	memset(r, 0, sizeof(*r));
}
