/* keelctl mem-set and mem-max: a guest's memory target and maximum, as xl's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "domains.h"
#include "mem_size.h"
#include "xs_domain.h"

/* NAME and MEM of @cmd: the guest, and MEM in KiB within keel's bounds. */
static int mem_args(struct kc *kc, const char *cmd, int argc, char **argv, uint16_t *domid,
		    uint64_t *kb)
{
	if (argc != 3)
		return usage_error(cmd, argc < 3 ? "a domain and a size are needed" :
					 "one domain and one size only");
	if (!parse_mem_kb(argv[2], kb))
		return usage_error(cmd, "'%s' is not a memory size (a number, unit k, m, g or t; "
				   "m when none)", argv[2]);
	if (*kb < MEM_MIN_KB || *kb > MEM_MAX_KB)
		return usage_error(cmd, "%s is outside %llu MiB to %llu GiB", argv[2],
				   MEM_MIN_KB >> 10, MEM_MAX_KB >> 20);
	if (!kc_hv(kc))
		return EXIT_FAIL;
	return command_guest(kc, cmd, argv[1], "memory settings (dom0_mem= sets its memory)",
			     domid);
}

/* @domid's memory/@key in KiB, read from xenstore; EXIT_OK or EXIT_FAIL with a message. */
static int read_kb(struct kc *kc, uint16_t domid, const char *key, uint64_t *kb)
{
	char *path = xasprintf("/local/domain/%u/memory/%s", domid, key), *v = NULL;
	int rc = xs_read(kc->xs, 0, path, &v);

	if (!rc && !parse_u64(v, kb))
		rc = -EINVAL;
	if (rc)
		kc_err("d%u: cannot read %s from xenstore: %s", domid, path,
		       rc == -EINVAL ? "not a number" : strerror(-rc));
	free(v);
	free(path);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int write_kb(struct kc *kc, uint16_t domid, const char *key, uint64_t kb)
{
	char *dom = xs_domain_path(domid), *rel = xasprintf("memory/%s", key);
	int rc = xs_put_uint(kc->xs, 0, dom, rel, kb);

	if (rc)
		kc_err("d%u: cannot write %s/%s: %s", domid, dom, rel, strerror(-rc));
	free(rel);
	free(dom);
	return rc ? EXIT_FAIL : EXIT_OK;
}

/* keel's limit for @domid: @kb and libxl's slack. */
static int set_limit(struct kc *kc, const char *name, uint16_t domid, uint64_t kb)
{
	int rc = hv_set_max_mem(kc->hv, domid, mem_limit_kb(kb));

	if (rc)
		kc_err("%s (d%u): keel refused set_max_mem: %s (%s)", name, domid, strerror(-rc),
		       errno_name(-rc));
	return rc ? EXIT_FAIL : EXIT_OK;
}

/*
 * xl mem-set: memory/target, which the guest's balloon driver follows, at most its
 * memory/static-max (mem-max); keel's limit follows the target (libxl's enforce).
 */
int cmd_mem_set(struct kc *kc, int argc, char **argv)
{
	struct keel_domctl_info info;
	uint64_t kb, max_kb;
	uint16_t domid;
	int rc = mem_args(kc, "mem-set", argc, argv, &domid, &kb);

	if (rc || (rc = read_kb(kc, domid, "static-max", &max_kb)))
		return rc;
	if (kb > max_kb) {
		kc_err("mem-set: %s (d%u): %llu MiB is above its maximum, %llu MiB "
		       "(keelctl mem-max raises it)", argv[1], domid,
		       (unsigned long long)kb >> 10, (unsigned long long)max_kb >> 10);
		return EXIT_FAIL;
	}
	if ((rc = set_limit(kc, argv[1], domid, kb)) ||
	    (rc = write_kb(kc, domid, "target", kb)))
		return rc;
	if (!hv_getinfo(kc->hv, domid, &info) && kb > info.mem_kb)
		kc_warn("%s (d%u) was built with %llu MiB: a PVH guest on keel cannot grow past "
			"that (it would need memory hotplug)", argv[1], domid,
			(unsigned long long)info.mem_kb >> 10);
	return EXIT_OK;
}

/* xl mem-max: memory/static-max and keel's limit; never below the target. */
int cmd_mem_max(struct kc *kc, int argc, char **argv)
{
	uint64_t kb, target_kb;
	uint16_t domid;
	int rc = mem_args(kc, "mem-max", argc, argv, &domid, &kb);

	if (rc || (rc = read_kb(kc, domid, "target", &target_kb)))
		return rc;
	if (kb < target_kb) {
		kc_err("mem-max: %s (d%u): %llu MiB is below its memory target, %llu MiB "
		       "(keelctl mem-set lowers that first)", argv[1], domid,
		       (unsigned long long)kb >> 10, (unsigned long long)target_kb >> 10);
		return EXIT_FAIL;
	}
	if ((rc = set_limit(kc, argv[1], domid, kb)))
		return rc;
	return write_kb(kc, domid, "static-max", kb);
}
